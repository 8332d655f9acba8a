"""New observations as a monitor gives them: checked all at once, then recorded.

`observe add` and `observe import` build `Draft`s; `prepare_observations`
checks every draft against the layers and the catalog and returns either the
records to append or every problem (all-or-nothing: nothing is written when
any draft is wrong).
"""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import urlsplit

from shapely.geometry import shape

from geo._files import confined_file, open_regular, sha256_regular
from geo.errors import ObservationError, Problem, UnsafeFileError
from geo.formexport import FIELDS, Attachments, Columns, Media, default_media, media_entries
from geo.imagery import read_catalog
from geo.layers import MAX_CSV_FIELD, read_layer
from geo.observations import CONTACT, utc_now
from geo.schema import EVIDENCED_STATUSES, STATUSES, VISIBILITIES
from geo.text import Kind, TextRefused, clean

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping

    from shapely.geometry.base import BaseGeometry

    from geo.errors import Where

IMPORT_COLUMNS: tuple[str, ...] = FIELDS
IMPORT_REQUIRED: tuple[str, ...] = ("site_id", "status", "observed_on")
_FULL_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

# --- checking a new observation -------------------------------------------------------------


@dataclass(frozen=True)
class Draft:
    """An observation as a monitor gives it, before it is checked and recorded."""

    site_id: str
    status: str
    observed_on: str
    analyst: str = ""
    """The observer a form or a CSV row names (recorded as `observer`); the signer's name is the record's `analyst`."""
    before_scene: str | None = None
    after_scene: str | None = None
    evidence: tuple[str, ...] = ()
    note: str | None = None
    visibility: str = "public"
    contact: str | None = None
    form: Mapping[str, Any] | None = None
    """The form submission the row came from (`geo.formexport`): tool, submission id, time, review state."""
    media: tuple[dict[str, str], ...] = ()
    """Evidence entries already hashed from the export's attachments (`geo.formexport`)."""


def _date_problem(value: str, today: date) -> Problem | None:
    if not _FULL_DATE.fullmatch(value):
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
    if (
        draft.status in EVIDENCED_STATUSES
        and not (draft.evidence or draft.media)
        and not (draft.before_scene and draft.after_scene)
    ):
        problems.append(
            Problem(
                field="evidence",
                found=f"status {draft.status!r} needs evidence",
                fix="give --evidence (a URL or a file) or a before/after scene pair (--before and --after)",
            )
        )
    if CONTACT.search(draft.analyst):
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


def evidence_entries(
    items: Iterable[str], base: Path, hashed: dict[Path, str] | None = None
) -> tuple[list[dict[str, str]], list[Problem]]:
    """The evidence list to record (URLs as given, files with their SHA-256) and the files refused.

    A file path is read inside `base` only (`geo._files.confined_file`: no
    absolute path, no `..` or link out of it, no device, FIFO or /proc file)
    and recorded as given. `hashed` caches the SHA-256 of files already read.
    """
    entries: list[dict[str, str]] = []
    problems: list[Problem] = []
    for item in items:
        scheme = urlsplit(item).scheme
        if scheme and len(scheme) > 1:
            entries.append({"url": item})
            continue
        try:
            real = confined_file(base, item)
            digest = hashed.get(real) if hashed is not None else None
            if digest is None:
                digest = sha256_regular(real)
                if hashed is not None:
                    hashed[real] = digest
        except FileNotFoundError:
            problems.append(
                Problem(
                    field="evidence",
                    found=f"file {item!r} not found (looked in {base})",
                    fix="give an existing file or an http(s) URL",
                )
            )
            continue
        except UnsafeFileError as error:
            refused = error.problems[0]
            found = f"file {refused.file + ': ' if refused.file else ''}{refused.found}"
            problems.append(Problem(field="evidence", found=found, fix=refused.fix))
            continue
        entries.append({"file": item, "sha256": digest})
    return entries, problems


TEXT_FIELDS: tuple[tuple[str, Kind], ...] = (
    ("site_id", "text"),
    ("status", "text"),
    ("observed_on", "text"),
    ("analyst", "name"),
    ("before_scene", "text"),
    ("after_scene", "text"),
    ("note", "text"),
    ("visibility", "text"),
    ("contact", "text"),
)
"""Each text field of a draft and its rules (`geo.text.clean`); ids and vocabularies are then checked as such."""


def cleaned_draft(draft: Draft) -> tuple[Draft, list[Problem]]:
    """`draft` with every text in NFC (`geo.text.clean`), and the fields that break the text rules.

    A value the rules refuse is kept as given for the other checks, which
    skip that field; nothing is recorded while any problem remains.
    """
    changes: dict[str, Any] = {}
    problems = []
    for name, kind in TEXT_FIELDS:
        value = getattr(draft, name)
        if value is None:
            continue
        try:
            changes[name] = clean(value, kind)
        except TextRefused as error:
            problems.append(Problem(field=name, found=str(error), fix="retype it as plain text"))
    evidence = []
    for item in draft.evidence:
        try:
            evidence.append(clean(item, "text"))
        except TextRefused as error:
            problems.append(Problem(field="evidence", found=str(error), fix="retype the URL or path"))
    return replace(draft, **changes, evidence=tuple(evidence)), problems


def observation_record(draft: Draft, evidence: list[dict[str, str]], recorded_at: str) -> dict[str, Any]:
    """The log record of a checked draft (its id and signature are given under the lock by `add_observations`)."""
    record: dict[str, Any] = {
        "kind": "observation",
        "site_id": draft.site_id,
        "status": draft.status,
        "observed_on": draft.observed_on,
        "recorded_at": recorded_at,
        "before_scene": draft.before_scene,
        "after_scene": draft.after_scene,
        "evidence": [*evidence, *draft.media],
        "origin": "monitor",
        "note": draft.note,
        "visibility": draft.visibility,
    }
    if draft.analyst.strip():
        record["observer"] = draft.analyst.strip()
    if draft.contact:
        record["contact"] = draft.contact
    if draft.form:
        record["form"] = dict(draft.form)
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


class Checker:
    """Checks drafts against one data folder's sites and scenes and turns each into a record, one at a time.

    The sites and the catalog are read once; a file named as evidence by many
    rows is hashed once.
    """

    def __init__(self, data_dir: str | Path, base: Path, today: date) -> None:
        self.sites, self.scenes = site_geometries(data_dir), scene_footprints(data_dir)
        self.base, self.today = base, today
        self.recorded_at = utc_now()
        self.hashed: dict[Path, str] = {}

    def record(self, draft: Draft) -> tuple[dict[str, Any] | None, list[Problem]]:
        """The log record of `draft`, or None and every reason it cannot be recorded."""
        draft, found = cleaned_draft(draft)
        # A field the text rules refuse is reported once, not again as an unknown id or a bad date.
        refused = {problem.field for problem in found}
        found.extend(p for p in draft_problems(draft, self.sites, self.scenes, self.today) if p.field not in refused)
        evidence, missing = evidence_entries([e for e in draft.evidence if not _evidence_problem(e)], self.base, self.hashed)
        found.extend(missing)
        if found:
            return None, found
        return observation_record(draft, evidence, self.recorded_at), []


def prepare_observations(
    drafts: list[tuple[Where, Draft]], data_dir: str | Path, base: Path, today: date
) -> tuple[list[dict[str, Any]], list[Problem]]:
    """The records for `drafts` (each with where it came from, for its problems), or every problem with any of them.

    All-or-nothing by design: a caller writes the records only when the
    problem list is empty.
    """
    checker = Checker(data_dir, base, today)
    records: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for where, draft in drafts:
        record, found = checker.record(draft)
        problems.extend(problem.at(where) for problem in found)
        if record is not None:
            records.append(record)
    return (records, []) if not problems else ([], problems)


# --- CSV import -----------------------------------------------------------------------------


MAX_IMPORT_ROWS = 100_000
"""The most rows one import file may hold (a form export of more is split into several files)."""


def _csv_rows(handle: IO[str], name: str) -> Iterator[tuple[int, list[str]]]:
    """(line, values) of each row of a CSV stream, the header first (line 1); limits checked, one-line errors."""
    line = 1
    reader = None
    try:
        first = handle.readline(MAX_CSV_FIELD)
        if len(first) == MAX_CSV_FIELD:
            raise ObservationError(
                Problem(file=name, line=1, found=f"a header line over {MAX_CSV_FIELD:,} characters", fix="check the file")
            )
        delimiter = ";" if first.count(";") > first.count(",") else ","
        yield 1, [c.strip() for c in next(csv.reader([first], delimiter=delimiter), [])]
        # strict: a quote left open is an error, not a note that swallows every row after it
        reader = csv.reader(handle, delimiter=delimiter, strict=True)
        for count, row in enumerate(reader, start=1):
            if not row:
                continue
            # The row ends on line_num + 1; its quoted values may span lines.
            line = reader.line_num + 1 - sum(v.count("\n") for v in row)
            if count > MAX_IMPORT_ROWS:
                raise ObservationError(
                    Problem(
                        file=name,
                        line=line,
                        found=f"more than {MAX_IMPORT_ROWS:,} rows",
                        fix="split the file and import each part",
                    )
                )
            # Checked here too: the csv module's limit is process-wide, and a library may raise it.
            if any(len(value) > MAX_CSV_FIELD for value in row):
                raise csv.Error(f"field larger than field limit ({MAX_CSV_FIELD})")
            yield line, row
    except UnicodeDecodeError as error:
        raise ObservationError(
            Problem(file=name, found=f"not UTF-8 after line {line} ({error.reason})", fix="export the CSV as UTF-8")
        ) from None
    except csv.Error as error:
        raise ObservationError(
            Problem(
                file=name,
                line=reader.line_num + 1 if reader is not None else line,
                found=f"unreadable CSV ({error}: a value over {MAX_CSV_FIELD:,} characters, or a quote left open)",
                fix="shorten the value or close the quote",
            )
        ) from None


@contextmanager
def _export_tables(path: Path) -> Iterator[tuple[list[tuple[str, Callable[[], IO[str]]]], Path | None]]:
    """The CSV tables of an export (name, opener) and the attachments it carries: a CSV alone, or an ODK Central ZIP."""
    if path.suffix.lower() != ".zip":
        yield [(str(path), lambda: open(open_regular(Path(os.path.realpath(path))), encoding="utf-8-sig", newline=""))], None
        return
    raw = os.fdopen(open_regular(Path(os.path.realpath(path))), "rb")
    try:
        archive = zipfile.ZipFile(raw)
    except zipfile.BadZipFile as error:
        raw.close()
        raise ObservationError(
            Problem(file=str(path), found=f"not a ZIP file ({error})", fix="give the export's CSV or ZIP")
        ) from None
    with raw, archive:  # a ZipFile given a file object never closes it
        names = [n for n in archive.namelist() if n.lower().endswith(".csv") and not n.startswith("__MACOSX")]

        def opener(name: str) -> Callable[[], IO[str]]:
            return lambda: io.TextIOWrapper(archive.open(name), encoding="utf-8-sig", newline="")

        yield [(f"{path}:{name}", opener(name)) for name in sorted(names)], path


def import_rows(
    path: Path, ignore: Iterable[str] = (), media: Path | None = None, attachments: Attachments | None = None
) -> Iterator[tuple[int, Draft | Problem]]:
    """Each submission of an import CSV or form export, read as a stream: (its first line, its draft or why it is malformed).

    Comma or semicolon separated (KoBoToolbox's default), UTF-8 with or
    without a BOM; a CSV, or an ODK Central ZIP (its main table, its repeat
    groups' tables and its `media/`). Columns are read by their question's
    name (`geo.formexport`), groups and form-tool metadata included; columns
    in `ignore` are skipped; any other column is refused, so a misspelt field
    is never silently dropped. A form export's rows carry their submission
    (`form`) and their attachments, hashed (`media`: a folder or a ZIP; by
    default the export's own, or an `attachments`/`media` folder beside a
    CSV), which `attachments` collects for `store_attachments`. A malformed
    file (not UTF-8, a value over `MAX_CSV_FIELD` characters, an unclosed
    quote, more than `MAX_IMPORT_ROWS` rows) raises ObservationError naming
    the line.
    """
    with _export_tables(path) as (tables, carried):
        chosen = media or carried or default_media(path)
        collected = attachments if attachments is not None else Attachments(None)
        collected.media = Media.open(chosen) if chosen is not None else None
        try:
            yield from _submissions(path, tables, ignore, collected)
        finally:
            if collected.media is not None:
                collected.media.close()


def store_attachments(path: Path, data_dir: Path, attachments: Attachments, media: Path | None = None) -> int:
    """Copy the attachments an import of the export at `path` hashed into `<data>/evidence/`; how many.

    Called once every row has passed, so a refused import leaves nothing behind.
    """
    if not attachments.pending:
        return 0
    with _export_tables(path) as (_tables, carried):
        chosen = media or carried or default_media(path)
        assert chosen is not None, "attachments were hashed, so they were given"
        attachments.media = Media.open(chosen)
        try:
            attachments.store(data_dir)
        finally:
            attachments.media.close()
    return len(attachments.pending)


def _submissions(
    path: Path, tables: list[tuple[str, Callable[[], IO[str]]]], ignore: Iterable[str], attachments: Attachments
) -> Iterator[tuple[int, Draft | Problem]]:
    main: tuple[str, Callable[[], IO[str]]] | None = None
    repeats: dict[str, list[dict[str, str]]] = {}
    repeat_problems: list[tuple[int, Problem]] = []
    for name, opener in tables:
        with opener() as handle:
            rows = _csv_rows(handle, name)
            _line, header = next(rows, (1, []))
            columns = Columns.of(header, ignore)
            if "PARENT_KEY" not in columns.metadata and "_submission__uuid" not in columns.metadata:
                if main is not None:
                    raise ObservationError(
                        Problem(file=str(path), found=f"two main tables ({main[0]}, {name})", fix="give one form's export")
                    )
                main = (name, opener)
                continue
            for line, row in rows:  # a repeat group: its attachments belong to the submission it repeats in
                parent = columns.parent(row)
                entries, problems = media_entries(columns, row, parent, attachments)
                repeats.setdefault(parent, []).extend(entries)
                repeat_problems.extend((line, p.at({"file": name})) for p in problems)
    if main is None:
        raise ObservationError(Problem(file=str(path), found="no table of submissions", fix="give the export's CSV or ZIP"))
    yield from repeat_problems
    name, opener = main
    with opener() as handle:
        rows = _csv_rows(handle, name)
        _line, header = next(rows, (1, []))
        columns = Columns.of(header, ignore)
        _check_columns(name, columns)
        for line, row in rows:
            if len(row) > len(columns.names):
                yield line, Problem(found="more values than columns", fix="quote values that hold the separator")
                continue
            values = {question: row[index].strip() for index, question in columns.fields.items() if index < len(row)}
            form = columns.submission(row)
            submission = str(form["submission_id"]) if form else ""
            entries, problems = media_entries(columns, row, submission, attachments)
            if problems:
                yield from ((line, p) for p in problems)
                continue
            yield line, replace(_draft(values), form=form, media=(*entries, *repeats.get(submission, ())))


def _check_columns(name: str, columns: Columns) -> None:
    missing = [c for c in IMPORT_REQUIRED if c not in columns.fields.values()]
    if columns.unknown or missing or not columns.names:
        raise ObservationError(
            Problem(
                file=name,
                line=1,
                found=f"columns: unknown {columns.unknown or 'none'}, missing {missing or 'none'}",
                fix=f"name the questions {', '.join(IMPORT_COLUMNS)}, or skip a column with --ignore-column "
                "(docs/observations.md)",
            )
        )


def _draft(values: dict[str, str]) -> Draft:
    return Draft(
        site_id=values.get("site_id", ""),
        status=values.get("status", ""),
        observed_on=values.get("observed_on", ""),
        analyst=values.get("analyst", ""),
        before_scene=values.get("before_scene") or None,
        after_scene=values.get("after_scene") or None,
        evidence=tuple(values.get("evidence", "").split()),
        note=values.get("note") or None,
        visibility=values.get("visibility") or "public",
        contact=values.get("contact") or None,
    )


def read_import_csv(
    path: str | Path, ignore: Iterable[str] = (), media: Path | None = None
) -> tuple[list[tuple[int, Draft]], list[Problem]]:
    """Every well-formed data row of an import CSV as (line, draft), and the malformed rows (`import_rows`)."""
    rows: list[tuple[int, Draft]] = []
    malformed: list[Problem] = []
    for line, row in import_rows(Path(path), ignore, media):
        if isinstance(row, Draft):
            rows.append((line, row))
        else:
            malformed.append(row.at({"file": str(path), "line": line}))
    return rows, malformed


@dataclass
class PreparedImport:
    """The records of an import (empty when any row failed), every problem, and the attachments they cite."""

    records: list[dict[str, Any]]
    problems: list[Problem]
    attachments: Attachments


def prepare_import(
    path: Path, data_dir: str | Path, today: date, ignore: Iterable[str] = (), media: Path | None = None
) -> PreparedImport:
    """The records of every row of the import file at `path`, or every problem with any row (nothing to write).

    One pass over the file: each row is checked and turned into its record as
    it is read. Evidence paths are read inside the CSV's own folder;
    attachments are hashed, to be stored with `store_attachments`.
    """
    checker = Checker(data_dir, path.parent, today)
    attachments = Attachments(None)
    records: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for line, row in import_rows(path, ignore, media, attachments):
        where: Where = {"file": str(path), "line": line}
        if not isinstance(row, Draft):
            problems.append(row.at(where))
            continue
        record, found = checker.record(row)
        problems.extend(problem.at(where) for problem in found)
        if record is not None and not problems:
            records.append(record)
    return PreparedImport([] if problems else records, problems, attachments)
