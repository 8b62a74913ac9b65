"""`lakehouse bench`: the pipeline against the alternatives a user would pick, size by size."""
