"""`python -m lakehouse …` is the `lakehouse` command."""

from lakehouse.cli import main

main()
