"""`heritage-map observe add|review|list|import`: the monitors' log from the shell.

A thin layer over `geo.observations`: every check and every write lives there.
New ids go to stdout (so scripts can chain a review); messages go to stderr.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import click

from geo import drafts, observations
from geo.cli._options import data_option
from geo.errors import ObservationError, Problem, Where
from geo.schema import STATUSES, VISIBILITIES
from geo.text import terminal

LIST_COLUMNS = ("id", "site_id", "status", "observed_on", "state", "analyst", "visibility", "public_id")


def _log(data_dir: Path) -> Path:
    return data_dir / "observations.jsonl"


def _refuse(problems: list[Problem], what: str) -> None:
    """One problem is the error itself (one line); several are listed, then counted."""
    if len(problems) == 1:
        raise ObservationError(problems[0], hint="nothing was written")
    for problem in problems:
        click.echo(terminal(f"heritage-map: error: {problem.message()}"), err=True)
    raise ObservationError(f"{len(problems)} problem(s) in {what}; nothing was written")


@click.group(name="observe")
def command() -> None:
    """Record, review, list and import monitors' observations.

    Example: heritage-map observe list --pending
    """


@command.command(name="add")
@click.option("--site", "site_id", required=True, help="Heritage site id (heritage_sites.geojson).")
@click.option("--status", required=True, help=f"One of: {', '.join(STATUSES)}.")
@click.option("--observed-on", required=True, help="Date of the evidence, YYYY-MM-DD, not in the future.")
@click.option("--before", "before_scene", help="Imagery Item id of the before scene.")
@click.option("--after", "after_scene", help="Imagery Item id of the after scene.")
@click.option("--evidence", multiple=True, help="An http(s) URL or a local file (its SHA-256 is recorded); repeatable.")
@click.option("--analyst", required=True, help="Name of the analyst making the observation.")
@click.option("--note", help="What the imagery or the source shows.")
@click.option("--visibility", default="public", show_default=True, help=f"One of: {', '.join(VISIBILITIES)}.")
@click.option("--contact", help="The analyst's contact; kept internal, never published.")
@data_option
def add(data_dir: Path, **given: Any) -> None:
    """Record one observation of a site; it awaits a second analyst's review.

    \b
    Example (on a copy of the data, to try it):
      mkdir -p scratch && cp -r data/layers scratch/layers
      heritage-map observe add --data scratch/layers --site nk002 --status destroyed \\
        --observed-on 2024-04-04 --before ref-nk002-before --after ref-nk002-after \\
        --evidence https://example.org/report --analyst "A. Analyst"
    """
    draft = drafts.Draft(**{**given, "evidence": tuple(given["evidence"])})
    where: Where = {"kind": "new observation of", "feature": draft.site_id}
    records, problems = drafts.prepare_observations([(where, draft)], data_dir, Path.cwd(), date.today())
    if problems:
        _refuse(problems, f"the observation of {draft.site_id!r}")
    written = observations.add_observations(_log(data_dir), records)
    click.echo(written[0]["id"])
    click.echo(
        f"recorded {written[0]['id']}: under review until a second analyst confirms it "
        f"(heritage-map observe review {written[0]['id']} --decision confirm --analyst NAME)",
        err=True,
    )


@command.command(name="review")
@click.argument("observation_id")
@click.option("--decision", required=True, type=click.Choice(observations.DECISIONS), help="Confirm or reject.")
@click.option("--analyst", required=True, help="Name of the reviewer; must not be the observation's author.")
@click.option("--note", help="Why.")
@data_option
def review(observation_id: str, decision: str, analyst: str, note: str | None, data_dir: Path) -> None:
    """Confirm or reject an observation as a second analyst.

    Example: heritage-map observe review obs-nk002-2 --decision confirm --analyst "B. Reviewer" --data scratch/layers
    """
    record = observations.add_review(_log(data_dir), observation_id, decision, analyst, note)
    click.echo(record["id"])
    click.echo(
        f"recorded {record['id']}: {observation_id} is now {decision}ed; `heritage-map build` shows it on the maps", err=True
    )


def _row(record: dict[str, Any], state: str, public_id: str | None) -> dict[str, str]:
    values = {**record, "state": state, "public_id": public_id}
    return {column: "" if values.get(column) is None else terminal(str(values[column])) for column in LIST_COLUMNS}


def format_table(rows: list[dict[str, str]]) -> str:
    """Rows as left-aligned columns under a header, one line each (cells already escaped by `terminal`)."""
    widths = {c: max([len(c)] + [len(r[c]) for r in rows]) for c in LIST_COLUMNS}
    lines = [[c.ljust(widths[c]) for c in LIST_COLUMNS]] + [[r[c].ljust(widths[c]) for c in LIST_COLUMNS] for r in rows]
    return "\n".join("  ".join(cells).rstrip() for cells in lines)


@command.command(name="list")
@click.option("--site", "site_id", help="Only this site id.")
@click.option("--status", type=click.Choice(STATUSES), help="Only this status.")
@click.option("--pending", is_flag=True, help="Only observations awaiting review.")
@data_option
def list_(site_id: str | None, status: str | None, pending: bool, data_dir: Path) -> None:
    """Print the log's observations as a table, with each one's review state and public id.

    The public id is the one the maps' data and the public exports give the
    observation (empty for an internal one). Characters that a terminal would
    act on are printed as escapes (\\x1b, \\u202e).

    Example: heritage-map observe list --site nk002
    """
    records = observations.read_log(_log(data_dir))
    decided = observations.decisions(records)
    public_ids = {id(record): public_id for record, public_id, _ in observations.public_entries(records)}
    rows = []
    for record in records:
        if record.get("kind") != "observation":
            continue
        state = observations.review_state(record, decided)
        if (site_id and record.get("site_id") != site_id) or (status and record.get("status") != status):
            continue
        if pending and state != "pending":
            continue
        rows.append(_row(record, state, public_ids.get(id(record))))
    click.echo(format_table(rows))
    click.echo(f"{len(rows)} observation(s)", err=True)


@command.command(name="import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--ignore-column", "ignore", multiple=True, help="A column of the form tool to skip (e.g. start, end); repeatable.")
@data_option
def import_(csv_file: Path, ignore: tuple[str, ...], data_dir: Path) -> None:
    """Add every row of a CSV (layout: docs/observations.md) or, if any row is bad, none.

    Evidence files are read from the CSV's own folder (or below it), never
    from outside it.

    Example: heritage-map observe import kobo-export.csv
    """
    records, problems = drafts.prepare_import(csv_file, data_dir, date.today(), ignore)
    if problems:
        _refuse(problems, str(csv_file))
    written = observations.add_observations(_log(data_dir), records)
    for record in written:
        click.echo(record["id"])
    click.echo(f"imported {len(written)} observation(s) from {csv_file}; each awaits a second analyst's review", err=True)
