"""`lakehouse doctor`: a consistency check of a lakehouse, with repairs."""

from __future__ import annotations

import json

import click

from lakehouse import cli_output as out
from lakehouse.cli_options import platform_options
from lakehouse.doctor import Doctor, as_rows
from lakehouse.platform import Platform


@click.command()
@click.option("--repair", is_flag=True, help="Remove orphaned snapshots and unfinished writes; close stale runs.")
@click.option("--json", "as_json", is_flag=True, help="Findings as JSON.")
@platform_options
def doctor(platform: Platform, repair: bool, as_json: bool) -> None:
    """Check raw, landing, catalog and curated against each other; exit 1 while problems remain."""
    examiner = Doctor(platform, repair)
    findings = examiner.examine()
    if as_json:
        click.echo(json.dumps({"checked": examiner.checked, "findings": as_rows(findings)}, indent=2))
    else:
        checked = ", ".join(f"{count} {what}" for what, count in examiner.checked.items()) or "nothing yet"
        out.console.print(f"checked {checked}", markup=False)
        if findings:
            out.console.print(out.rich_table(
                ["zone", "where", "problem", "remedy"],
                [(f.zone, f.where, f.problem, f.remedy) for f in findings], title="lakehouse doctor"))
        else:
            out.console.print("no problems found", markup=False)
    if any(not finding.repaired for finding in findings):
        raise SystemExit(1)
