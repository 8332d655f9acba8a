"""New observations as a monitor gives them: checked all at once, then recorded.

`observe add` and `observe import` build `Draft`s; `prepare_observations`
checks every draft against the layers and the catalog and returns either the
records to append or every problem (all-or-nothing: nothing is written when
any draft is wrong).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from shapely.geometry import shape

from geo._canonical import sha256_file
from geo.errors import ObservationError, Problem
from geo.imagery import read_catalog
from geo.layers import read_layer
from geo.observations import CONTACT, utc_now
from geo.schema import EVIDENCED_STATUSES, STATUSES, VISIBILITIES

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from shapely.geometry.base import BaseGeometry

    from geo.errors import Where

IMPORT_COLUMNS: tuple[str, ...] = (
    "site_id",
    "status",
    "observed_on",
    "before_scene",
    "after_scene",
    "evidence",
    "analyst",
    "note",
    "visibility",
    "contact",
)
IMPORT_REQUIRED: tuple[str, ...] = ("site_id", "status", "observed_on", "analyst")
_FULL_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# --- checking a new observation -------------------------------------------------------------


@dataclass(frozen=True)
class Draft:
    """An observation as a monitor gives it, before it is checked and recorded."""

    site_id: str
    status: str
    observed_on: str
    analyst: str
    before_scene: str | None = None
    after_scene: str | None = None
    evidence: tuple[str, ...] = ()
    note: str | None = None
    visibility: str = "public"
    contact: str | None = None


def _date_problem(value: str, today: date) -> Problem | None:
    if not _FULL_DATE.match(value):
        return Problem(
            field="observed_on", found=f"{value!r} is not an ISO 8601 date", fix="give the day of the evidence as YYYY-MM-DD"
        )
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return Problem(
            field="observed_on", found=f"{value!r} is not a calendar date", fix="give the day of the evidence as YYYY-MM-DD"
        )
    if day > today:
        return Problem(
            field="observed_on",
            found=f"{value} is after today ({today.isoformat()})",
            fix="give the date of the evidence, not a future one",
        )
    return None


def _scene_problems(
    draft: Draft, sites: Mapping[str, BaseGeometry | None], scenes: Mapping[str, BaseGeometry | None]
) -> list[Problem]:
    problems = []
    for name, scene in (("before_scene", draft.before_scene), ("after_scene", draft.after_scene)):
        if scene is None:
            continue
        if scene not in scenes:
            problems.append(
                Problem(
                    field=name,
                    found=f"scene {scene!r} is not in imagery.json",
                    fix="add it with `heritage-map imagery add` or name an existing Item id",
                )
            )
            continue
        footprint, site = scenes[scene], sites.get(draft.site_id)
        if footprint is not None and site is not None and not footprint.covers(site):
            problems.append(
                Problem(
                    field=name,
                    found=f"the footprint of scene {scene!r} does not cover site {draft.site_id!r}",
                    fix="name a scene that images the site",
                )
            )
    if draft.before_scene and draft.before_scene == draft.after_scene:
        problems.append(
            Problem(field="after_scene", found=f"{draft.after_scene!r} is also the before scene", fix="name two different scenes")
        )
    return problems


def _evidence_problem(item: str) -> Problem | None:
    parts = urlsplit(item)
    if parts.scheme in ("http", "https"):
        if parts.hostname and not any(c.isspace() for c in item):
            return None
        return Problem(
            field="evidence", found=f"{item!r} is not a well-formed URL", fix="give a full http(s) address with a host"
        )
    if parts.scheme and len(parts.scheme) > 1:
        return Problem(
            field="evidence", found=f"{item!r} uses scheme {parts.scheme!r}", fix="give an http(s) URL or a local file"
        )
    return None


def draft_problems(
    draft: Draft, sites: Mapping[str, BaseGeometry | None], scenes: Mapping[str, BaseGeometry | None], today: date
) -> list[Problem]:
    """Every reason `draft` cannot be recorded (evidence files are checked by `evidence_entries`)."""
    problems = []
    if draft.site_id not in sites:
        problems.append(
            Problem(
                field="site_id",
                found=f"{draft.site_id!r} is not in heritage_sites.geojson",
                fix="use the id of an existing site",
            )
        )
    if draft.status not in STATUSES:
        problems.append(Problem(field="status", found=repr(draft.status), fix=f"use one of {', '.join(STATUSES)}"))
    date_problem = _date_problem(draft.observed_on, today)
    if date_problem:
        problems.append(date_problem)
    problems.extend(_scene_problems(draft, sites, scenes))
    problems.extend(p for p in map(_evidence_problem, draft.evidence) if p)
    if draft.status in EVIDENCED_STATUSES and not draft.evidence and not (draft.before_scene and draft.after_scene):
        problems.append(
            Problem(
                field="evidence",
                found=f"status {draft.status!r} needs evidence",
                fix="give --evidence (a URL or a file) or a before/after scene pair (--before and --after)",
            )
        )
    if not draft.analyst.strip():
        problems.append(Problem(field="analyst", found="empty", fix="give the observing analyst's name"))
    elif CONTACT.search(draft.analyst):
        problems.append(
            Problem(
                field="analyst",
                found=f"{draft.analyst!r} holds a contact",
                fix="give the name only and the contact as 'contact' (kept internal)",
            )
        )
    if draft.visibility not in VISIBILITIES:
        problems.append(Problem(field="visibility", found=repr(draft.visibility), fix=f"use one of {', '.join(VISIBILITIES)}"))
    return problems


def evidence_entries(items: Iterable[str], base: Path) -> tuple[list[dict[str, str]], list[Problem]]:
    """The evidence list to record (URLs as given, files with their SHA-256) and the files not found.

    A relative file path is read from `base` and recorded as given.
    """
    entries: list[dict[str, str]] = []
    problems: list[Problem] = []
    for item in items:
        scheme = urlsplit(item).scheme
        if scheme and len(scheme) > 1:
            entries.append({"url": item})
            continue
        file = base / item
        if not file.is_file():
            problems.append(
                Problem(
                    field="evidence",
                    found=f"file {item!r} not found (looked in {base})",
                    fix="give an existing file or an http(s) URL",
                )
            )
            continue
        entries.append({"file": item, "sha256": sha256_file(file)})
    return entries, problems


def observation_record(draft: Draft, evidence: list[dict[str, str]], recorded_at: str) -> dict[str, Any]:
    """The log record of a checked draft (its id is given under the lock by `add_observations`)."""
    record: dict[str, Any] = {
        "kind": "observation",
        "site_id": draft.site_id,
        "status": draft.status,
        "observed_on": draft.observed_on,
        "recorded_at": recorded_at,
        "before_scene": draft.before_scene,
        "after_scene": draft.after_scene,
        "evidence": evidence,
        "analyst": draft.analyst.strip(),
        "origin": "monitor",
        "note": draft.note,
        "visibility": draft.visibility,
    }
    if draft.contact:
        record["contact"] = draft.contact
    return record


def site_geometries(data_dir: str | Path) -> dict[str, BaseGeometry | None]:
    """Each heritage site id with its geometry (None when no source locates it)."""
    sites = read_layer(data_dir, "heritage_sites")
    return {str(row.id): row.geometry for row in sites.itertuples(index=False)}


def scene_footprints(data_dir: str | Path) -> dict[str, BaseGeometry | None]:
    """Each scene id of `imagery.json` with its footprint (None when the Item has none); no file, no scenes."""
    return {
        str(item["id"]): shape(item["geometry"]) if item.get("geometry") else None
        for item in read_catalog(Path(data_dir) / "imagery.json")
    }


def prepare_observations(
    drafts: list[tuple[Where, Draft]], data_dir: str | Path, base: Path, today: date
) -> tuple[list[dict[str, Any]], list[Problem]]:
    """The records for `drafts` (each with where it came from, for its problems), or every problem with any of them.

    All-or-nothing by design: a caller writes the records only when the
    problem list is empty.
    """
    sites, scenes = site_geometries(data_dir), scene_footprints(data_dir)
    recorded_at = utc_now()
    records: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for where, draft in drafts:
        found = draft_problems(draft, sites, scenes, today)
        evidence, missing = evidence_entries([e for e in draft.evidence if not _evidence_problem(e)], base)
        found.extend(missing)
        problems.extend(problem.at(where) for problem in found)
        records.append(observation_record(draft, evidence, recorded_at))
    return (records, []) if not problems else ([], problems)


# --- CSV import -----------------------------------------------------------------------------


def read_import_csv(path: str | Path, ignore: Iterable[str] = ()) -> tuple[list[tuple[int, Draft]], list[Problem]]:
    """Each well-formed data row of an import CSV as (its first line number, its draft), and the malformed rows.

    Comma or semicolon separated (KoBoToolbox's default), UTF-8 with or without
    a BOM. Columns are `IMPORT_COLUMNS`; columns whose name starts with `_` (the
    form tools' metadata) or is in `ignore` are skipped; any other column is
    refused, so a misspelt field is never silently dropped.
    """
    ignored = set(ignore)
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise ObservationError(
            Problem(file=str(path), found=f"not UTF-8 ({error.reason} at byte {error.start})", fix="export the CSV as UTF-8")
        ) from None
    header = text.split("\n", 1)[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    reader = csv.DictReader(text.splitlines(keepends=True), delimiter=delimiter)
    columns = [c.strip() for c in reader.fieldnames or []]
    unknown = [c for c in columns if c not in IMPORT_COLUMNS and not c.startswith("_") and c not in ignored]
    missing = [c for c in IMPORT_REQUIRED if c not in columns]
    if unknown or missing or not columns:
        raise ObservationError(
            Problem(
                file=str(path),
                line=1,
                found=f"columns: unknown {unknown or 'none'}, missing {missing or 'none'}",
                fix=f"name the columns {', '.join(IMPORT_COLUMNS)}, or skip one with --ignore-column (docs/observations.md)",
            )
        )
    reader.fieldnames = columns
    rows: list[tuple[int, Draft]] = []
    malformed: list[Problem] = []
    for row in reader:
        # The row ends on line_num; its quoted values may span lines (blank lines before it are skipped).
        start = reader.line_num - sum(v.count("\n") for v in row.values() if isinstance(v, str))
        if None in row:
            malformed.append(
                Problem(file=str(path), line=start, found="more values than columns", fix=f"quote values that hold '{delimiter}'")
            )
            continue
        values = {k: (v or "").strip() for k, v in row.items() if k in IMPORT_COLUMNS}
        rows.append(
            (
                start,
                Draft(
                    site_id=values["site_id"],
                    status=values["status"],
                    observed_on=values["observed_on"],
                    analyst=values["analyst"],
                    before_scene=values.get("before_scene") or None,
                    after_scene=values.get("after_scene") or None,
                    evidence=tuple(values.get("evidence", "").split()),
                    note=values.get("note") or None,
                    visibility=values.get("visibility") or "public",
                    contact=values.get("contact") or None,
                ),
            )
        )
    return rows, malformed
