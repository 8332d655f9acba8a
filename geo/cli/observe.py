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
from geo.cli._options import data_option, key_option, signer
from geo.errors import ObservationError, Problem, Where
from geo.schema import STATUSES, VISIBILITIES
from geo.text import terminal

LIST_COLUMNS = ("id", "site_id", "site", "status", "observed_on", "state", "evidence", "signer", "visibility", "public_id")


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
@key_option
@click.option("--note", help="What the imagery or the source shows.")
@click.option("--visibility", default="public", show_default=True, help=f"One of: {', '.join(VISIBILITIES)}.")
@click.option("--contact", help="The analyst's contact; kept internal, never published.")
@data_option
def add(data_dir: Path, key_path: Path, **given: Any) -> None:
    """Record one observation of a site; it awaits a second analyst's review.

    \b
    Example (on a copy of the data, to try it):
      mkdir -p scratch && cp -r data/layers scratch/layers
      heritage-map observe add --data scratch/layers --site nk002 --status destroyed \\
        --observed-on 2024-04-04 --before ref-nk002-before --after ref-nk002-after \\
        --evidence https://example.org/report --key ~/.ssh/id_ed25519
    """
    draft = drafts.Draft(**{**given, "evidence": tuple(given["evidence"])})
    where: Where = {"kind": "new observation of", "feature": draft.site_id}
    signing = signer(data_dir, key_path)
    records, problems = drafts.prepare_observations([(where, draft)], data_dir, Path.cwd(), date.today())
    if problems:
        _refuse(problems, f"the observation of {draft.site_id!r}")
    written = observations.add_observations(_log(data_dir), records, signing)
    click.echo(written[0]["id"])
    click.echo(
        terminal(
            f"recorded {written[0]['id']}, signed by {signing.name} ({signing.pair.fingerprint}): under review until "
            f"another reviewer confirms it (heritage-map observe review {written[0]['id']} --decision confirm --key KEY)"
        ),
        err=True,
    )


@command.command(name="review")
@click.argument("observation_id")
@click.option("--decision", required=True, type=click.Choice(observations.DECISIONS), help="Confirm or reject.")
@key_option
@click.option("--note", help="Why.")
@data_option
def review(observation_id: str, decision: str, key_path: Path, note: str | None, data_dir: Path) -> None:
    """Confirm or reject an observation with a reviewer's key that is not its author's.

    Example: heritage-map observe review obs-nk002-3f9a1c0b --decision confirm --key bob_ed25519 --data scratch/layers
    """
    record = observations.add_review(_log(data_dir), observation_id, decision, signer(data_dir, key_path), note)
    click.echo(record["id"])
    click.echo(
        f"recorded {record['id']}: {observation_id} is now {decision}ed; `heritage-map build` shows it on the maps", err=True
    )


def _site_names(data_dir: Path) -> dict[str, str]:
    from geo.layers import read_layer

    sites = read_layer(data_dir, "heritage_sites")
    return {str(site_id): str(name) for site_id, name in zip(sites["id"], sites["name"])}


def _signer_text(record: dict[str, Any]) -> str:
    if not record.get("signature"):
        return f"{record.get('analyst')} (unsigned, legacy)"
    account = f" for {record['account']}" if record.get("account") else ""
    return f"{record.get('analyst')}{account} ({record.get('signer')})"


def _row(record: dict[str, Any], state: str, public_id: str | None, site: str) -> dict[str, str]:
    values = {
        **record,
        "site": site,
        "state": state,
        "public_id": public_id,
        "evidence": len(record.get("evidence") or ()),
        "signer": _signer_text(record),
    }
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
    """Print the log's observations as a table: site, status, review state, evidence count, signer, public id.

    The public id is the one the maps' data and the public exports give the
    observation (empty for an internal one). Characters that a terminal would
    act on are printed as escapes (\\x1b, \\u202e).

    Example: heritage-map observe list --site nk002
    """
    records = observations.read_log(_log(data_dir))
    names = _site_names(data_dir)
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
        rows.append(_row(record, state, public_ids.get(id(record)), names.get(str(record.get("site_id")), "")))
    click.echo(format_table(rows))
    click.echo(f"{len(rows)} observation(s)", err=True)


@command.command(name="show")
@click.argument("observation_id")
@data_option
def show(observation_id: str, data_dir: Path) -> None:
    """Print one observation whole: site, status, dates, evidence with hashes, scenes, note, signer and its reviews.

    Example: heritage-map observe show obs-nk002-1
    """
    records = observations.read_log(_log(data_dir))
    record = next((r for r in records if r.get("kind") == "observation" and r.get("id") == observation_id), None)
    if record is None:
        raise ObservationError(
            Problem(
                file=str(_log(data_dir)),
                kind="observation",
                feature=observation_id,
                found="not in the log",
                fix="give an id from `heritage-map observe list`",
            )
        )
    click.echo(terminal_block(observation_lines(record, records, _site_names(data_dir))))


def terminal_block(lines: list[tuple[str, Any]]) -> str:
    """`label: value` lines, every value escaped for the terminal (a note's line breaks kept as indented lines)."""
    out = []
    for label, value in lines:
        text = "" if value is None else str(value)
        parts = [terminal(part) for part in text.split("\n")]
        out.append(f"{label}: {parts[0]}" + "".join(f"\n    {part}" for part in parts[1:]))
    return "\n".join(out)


def observation_lines(record: dict[str, Any], records: list[dict[str, Any]], names: dict[str, str]) -> list[tuple[str, Any]]:
    """What `observe show` prints of one observation, in order."""
    decided = observations.decisions(records)
    public_ids = {id(r): public_id for r, public_id, _ in observations.public_entries(records)}
    site = str(record.get("site_id"))
    lines: list[tuple[str, Any]] = [
        ("id", record.get("id")),
        ("public id", public_ids.get(id(record)) or "none (internal)"),
        ("site", f"{names.get(site, '?')} [{site}]"),
        ("status", record.get("status")),
        ("state", observations.review_state(record, decided)),
        ("observed on", record.get("observed_on")),
        ("reported on", record.get("reported_on")),
        ("recorded at", record.get("recorded_at")),
        ("origin", f"{record.get('origin')}" + (f" ({record['published_by']})" if record.get("published_by") else "")),
        ("before scene", record.get("before_scene")),
        ("after scene", record.get("after_scene")),
    ]
    for item in record.get("evidence") or []:
        if isinstance(item, dict) and "file" in item:
            name = f" ({item['name']})" if item.get("name") else ""
            lines.append(("evidence file", f"{item['file']}{name} sha256 {item.get('sha256')}"))
        elif isinstance(item, dict):
            via = f" (read on {item['read_via']})" if item.get("read_via") else ""
            lines.append(("evidence", f"{item.get('url')}{via}"))
    if record.get("form"):
        form = record["form"]
        lines.append(("form", ", ".join(f"{k} {v}" for k, v in sorted(form.items()))))
    lines += [
        ("note", record.get("note")),
        ("visibility", record.get("visibility")),
        ("signer", _signer_text(record)),
    ]
    if record.get("observer"):
        lines.append(("observer (as the form says)", record["observer"]))
    for review in (r for r in records if r.get("kind") == "review" and r.get("of") == record.get("id")):
        note = f": {review['note']}" if review.get("note") else ""
        lines.append(("review", f"{review.get('decision')} by {_signer_text(review)} at {review.get('recorded_at')}{note}"))
    return lines


@command.command(name="import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--ignore-column", "ignore", multiple=True, help="A column of the form to skip (e.g. a question not recorded); repeatable."
)
@click.option(
    "--media",
    type=click.Path(path_type=Path, exists=True),
    help="The export's attachments: a folder or a ZIP [default: the export's own ZIP, or attachments/ or media/ beside it].",
)
@key_option
@data_option
def import_(csv_file: Path, ignore: tuple[str, ...], media: Path | None, key_path: Path, data_dir: Path) -> None:
    """Add every submission of a CSV or a KoBoToolbox/ODK export (docs/observations.md) or, if any row is bad, none.

    Submissions already imported (by their form's submission id) are skipped
    and listed. Attachments are hashed and kept in DATA/evidence/; other
    evidence files are read from the CSV's own folder (or below it), never
    from outside it.

    Example: heritage-map observe import kobo-export.csv --key ~/.ssh/id_ed25519
    """
    signing = signer(data_dir, key_path)
    prepared = drafts.prepare_import(csv_file, data_dir, date.today(), ignore, media)
    if prepared.problems:
        _refuse(prepared.problems, str(csv_file))
    stored = drafts.store_attachments(csv_file, data_dir, prepared.attachments, media)
    added = observations.import_observations(_log(data_dir), prepared.records, signing)
    for record in added.written:
        click.echo(record["id"])
    for record in added.skipped:
        form = record.get("form") or {}
        click.echo(terminal(f"skipped submission {form.get('submission_id')}: already imported"), err=True)
    click.echo(
        f"imported {len(added.written)} observation(s) from {csv_file} ({stored} attachment(s) kept in evidence/), "
        f"skipped {len(added.skipped)} already imported; each new one awaits a reviewer's confirmation",
        err=True,
    )
