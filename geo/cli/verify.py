"""`heritage-map verify`: is the monitors' log still the one that was written, and signed by whom it says?

Recomputes every record's hash, every `prev_hash` link, every signature
against the keyring and the two-person rule (`geo.trust`), every merge record
and every evidence file's SHA-256 (`geo.observations.verify_log`), and names
the first broken record; with `--against`, proves that every record an anchor
covered is still present and unchanged (`geo.anchor`). Exit 0 when all hold,
1 otherwise.
"""

from __future__ import annotations

from pathlib import Path

import click

from geo import anchor, observations
from geo._logfile import broken_log
from geo.cli._options import data_option
from geo.errors import ObservationError
from geo.keyring import keyring_path, read_keyring
from geo.text import terminal


@click.command(name="verify")
@click.option(
    "--evidence-root",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("."),
    show_default=True,
    help="Folder relative evidence paths are read from (where `observe add` was run).",
)
@click.option(
    "--against",
    "given",
    metavar="MANIFEST|COUNT:HEAD",
    help="An anchor kept from before: maps/MANIFEST.sha256 (the published records), or COUNT:HEAD as verify printed it.",
)
@click.option("--quarantine-tail", is_flag=True, help="First move a torn last line (an interrupted write) to <log>.quarantine.")
@click.option("--no-cache", is_flag=True, help="Check every signature again, also those an earlier run found sound.")
@data_option
def command(evidence_root: Path, given: str | None, quarantine_tail: bool, no_cache: bool, data_dir: Path) -> None:
    """Check the log's chain, signatures and evidence files; name the first broken record.

    \b
    Examples:
      heritage-map verify --data data/layers
      heritage-map verify --against maps/MANIFEST.sha256
    """
    log = data_dir / "observations.jsonl"
    wanted = anchor.read_anchor(given) if given else None
    if quarantine_tail:
        observations.quarantine_torn_tail(log)
    report = observations.verify_log(log, data_dir, evidence_root=evidence_root, use_cache=not no_cache)
    if report.first is None:
        if wanted is not None:
            problem = anchor.check_anchor(report.log, wanted)
            if problem is not None:
                raise ObservationError(problem.at({"file": str(log)}))
        keyring = read_keyring(keyring_path(log))
        legacy = keyring.legacy[0] if keyring.exists and keyring.legacy else (report.records if not keyring.exists else 0)
        signed = (
            "no keyring: every record is unsigned (legacy)"
            if not keyring.exists
            else (f"signatures hold ({len(keyring.keys)} registered key(s); {legacy} legacy unsigned record(s))")
        )
        unterminated = "; the last record has no line end yet (the next writer adds it)" if report.unterminated else ""
        click.echo(
            terminal(
                f"ok: {log}: {report.records} records, chain intact, {signed}, {report.evidence_files} evidence file(s) "
                f"match{unterminated}"
            )
        )
        if wanted is not None:
            click.echo(terminal(f"anchor holds: {wanted}"))
        click.echo(f"log anchor (keep it; never publish it): {anchor.log_anchor(report.log).given()}")
        click.echo(f"public anchor (as published): {anchor.public_anchor(report.log).given()}")
        return
    if len(report.problems) > 1:
        for problem in report.problems:
            click.echo(terminal(f"heritage-map: error: {problem.at({'file': str(log)}).message()}"), err=True)
    # The line every other command refuses a broken log with (`geo.observations.read_log`): the first problem.
    raise broken_log(log, list(report.problems))
