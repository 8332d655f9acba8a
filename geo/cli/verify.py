"""`heritage-map verify`: is the monitors' log still the one that was written?

Recomputes every record's hash, every `prev_hash` link and every evidence
file's SHA-256 (`geo.observations.verify_log`), and names the first broken
record. Exit 0 when all hold, 1 otherwise.
"""

from __future__ import annotations

from pathlib import Path

import click

from geo import observations
from geo._logfile import broken_log
from geo.cli._options import data_option
from geo.text import terminal


@click.command(name="verify")
@click.option(
    "--evidence-root",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("."),
    show_default=True,
    help="Folder relative evidence paths are read from (where `observe add` was run).",
)
@click.option("--quarantine-tail", is_flag=True, help="First move a torn last line (an interrupted write) to <log>.quarantine.")
@data_option
def command(evidence_root: Path, quarantine_tail: bool, data_dir: Path) -> None:
    """Check the log's hash chain and evidence files; name the first broken record.

    Example: heritage-map verify --data data/layers
    """
    log = data_dir / "observations.jsonl"
    if quarantine_tail:
        observations.quarantine_torn_tail(log)
    report = observations.verify_log(log, data_dir, evidence_root=evidence_root)
    if report.first is None:
        unterminated = "; the last record has no line end yet (the next writer adds it)" if report.unterminated else ""
        click.echo(
            terminal(
                f"ok: {log}: {report.records} records, chain intact, {report.evidence_files} evidence file(s) match; "
                f"head {report.head or 'none (empty log)'}{unterminated}"
            )
        )
        return
    if len(report.problems) > 1:
        for problem in report.problems:
            click.echo(terminal(f"heritage-map: error: {problem.at({'file': str(log)}).message()}"), err=True)
    # The line every other command refuses a broken log with (`geo.observations.read_log`): the first problem.
    raise broken_log(log, list(report.problems))
