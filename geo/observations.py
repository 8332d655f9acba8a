"""The monitors' log: observations of a site's status, and the reviews that confirm them.

Why it is shaped this way: the log is evidence. It is append-only and hash
chained (`geo._logfile` holds the locking, the chain and the torn-tail
quarantine); a correction is a new record. A monitor's observation counts only
once an analyst other than its author confirms it (Caucasus Heritage Watch's
rule: flag only on agreement). A finding transcribed from a published monitor
(`origin: published`) counts as confirmed by its publication. Pending
observations are never a status, only "under review".
"""

from __future__ import annotations

import csv
import re
import sys
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping
from urllib.parse import urlsplit

from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from geo._canonical import sha256_file
from geo._logfile import LogProblem, Quarantine, chain_problems, locked_append, quarantine_tail, split_log
from geo.errors import ObservationError
from geo.layers import read_json, read_layer
from geo.schema import STATUSES, VISIBILITIES

DECISIONS: tuple[str, ...] = ("confirm", "reject")
PRIVATE_FIELDS: tuple[str, ...] = ("contact",)
IMPORT_COLUMNS: tuple[str, ...] = (
    "site_id", "status", "observed_on", "before_scene", "after_scene", "evidence", "analyst", "note",
    "visibility", "contact",
)
IMPORT_REQUIRED: tuple[str, ...] = ("site_id", "status", "observed_on", "analyst")
_FULL_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CONTACT = re.compile(r"<[^>]*>|\S+@\S+|\+?\d[\d ()-]{6,}\d")

OnQuarantine = Callable[[Quarantine], None]


def _report_on_stderr(moved: Quarantine) -> None:
    print(f"heritage-map: warning: {moved}", file=sys.stderr)


def utc_now() -> str:
    """The current UTC time as the log writes it: YYYY-MM-DDTHH:MM:SSZ."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- reading --------------------------------------------------------------------------------


def read_log(path: str | Path) -> list[dict[str, Any]]:
    """Every record of the log at `path`, in order; a missing file is an empty log.

    Raises ObservationError naming the file and line of the first line that is
    not a JSON object, including a torn last line left by an interrupted writer.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    split = split_log(path, data)
    if split.torn:
        raise ObservationError(
            f"{path}: line {split.torn_line}: torn last line ({len(split.torn)} bytes, not a complete JSON record) "
            "left by an interrupted writer; fix: run `heritage-map verify --quarantine-tail` to move it aside"
        )
    return split.records


def public_record(record: Mapping[str, Any]) -> dict[str, Any]:
    """What may be published of one record: no `contact`, no contact in `analyst`, no local paths.

    An evidence file keeps its name and SHA-256 but not the folder it was in
    (which can name a person's machine or account).
    """
    public = {k: v for k, v in record.items() if k not in PRIVATE_FIELDS}
    if isinstance(public.get("analyst"), str):
        public["analyst"] = " ".join(_CONTACT.sub(" ", public["analyst"]).split()) or None
    if isinstance(public.get("evidence"), list):
        public["evidence"] = [
            {**item, "file": Path(str(item["file"])).name} if isinstance(item, dict) and "file" in item else item
            for item in public["evidence"]
        ]
    return public


# --- review state ---------------------------------------------------------------------------


def _same_analyst(a: object, b: object) -> bool:
    return " ".join(str(a).split()).casefold() == " ".join(str(b).split()).casefold()


def decisions(records: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Each decided observation id mapped to `confirmed` or `rejected`, replaying the log in order.

    A published finding is confirmed by publication. Otherwise the first review
    by someone other than the author decides; a review of an unknown or already
    decided observation, or by its author, decides nothing (the writers refuse
    such reviews; this keeps a hand-edited log from changing a status).
    """
    authors: dict[str, Any] = {}
    decided: dict[str, str] = {}
    for record in records:
        record_id = record.get("id")
        if record.get("kind") == "observation" and isinstance(record_id, str):
            authors.setdefault(record_id, record.get("analyst"))
            if record.get("origin") == "published":
                decided.setdefault(record_id, "confirmed")
        elif record.get("kind") == "review":
            target = record.get("of")
            if not isinstance(target, str) or target not in authors or target in decided:
                continue
            if _same_analyst(record.get("analyst"), authors[target]):
                continue
            if record.get("decision") in DECISIONS:
                decided[target] = "confirmed" if record["decision"] == "confirm" else "rejected"
    return decided


def review_state(record: Mapping[str, Any], decided: Mapping[str, str]) -> str:
    """`confirmed`, `rejected` or `pending` (under review) for one observation."""
    return decided.get(str(record.get("id")), "pending")


@dataclass(frozen=True)
class SiteHistory:
    """One site's observations: the status shown, the confirmed history, and what awaits review."""

    current: dict[str, Any] | None
    confirmed: list[dict[str, Any]] = field(default_factory=list)
    pending: list[dict[str, Any]] = field(default_factory=list)


def _chronological(record: Mapping[str, Any]) -> tuple[str, str]:
    # ISO dates sort as text, partial ones ("2023-11") before the days they contain.
    return str(record.get("observed_on") or ""), str(record.get("recorded_at") or "")


def site_histories(records: Iterable[Mapping[str, Any]], *, public_only: bool) -> dict[str, SiteHistory]:
    """Every observed site's history; with `public_only`, internal records are dropped and the rest redacted.

    `current` is the latest confirmed observation (by `observed_on`, then
    `recorded_at`); rejected observations appear nowhere.
    """
    records = list(records)
    decided = decisions(records)
    confirmed: dict[str, list[dict[str, Any]]] = {}
    pending: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        if record.get("kind") != "observation" or not isinstance(record.get("site_id"), str):
            continue
        if public_only and record.get("visibility") != "public":
            continue
        shown = public_record(record) if public_only else dict(record)
        state = review_state(record, decided)
        confirmed.setdefault(record["site_id"], [])
        pending.setdefault(record["site_id"], [])
        if state == "confirmed":
            confirmed[record["site_id"]].append(shown)
        elif state == "pending":
            pending[record["site_id"]].append(shown)
    histories = {}
    for site_id, history in confirmed.items():
        history.sort(key=_chronological)
        histories[site_id] = SiteHistory(history[-1] if history else None, history, pending[site_id])
    return histories


# --- writing --------------------------------------------------------------------------------


def _refuse_duplicates(path: Path, existing: list[dict[str, Any]], new: list[dict[str, Any]]) -> None:
    seen = {r.get("id") for r in existing}
    for record in new:
        if not isinstance(record.get("id"), str) or not record["id"]:
            raise ObservationError(
                f"{path}: field 'id': a record to append has no id ({record!r:.80}); fix: give every record an id"
            )
        if record["id"] in seen:
            raise ObservationError(
                f"{path}: {record['id']}: field 'id': already in the log; fix: choose an unused id; nothing was written"
            )
        seen.add(record["id"])


def append_records(
    path: str | Path, records: list[dict[str, Any]], *, on_quarantine: OnQuarantine | None = None
) -> list[dict[str, Any]]:
    """Append `records` as given (ids included) to the log, chained; returns them with their hashes.

    Holds `<log>.lock`, quarantines a torn tail (reported through
    `on_quarantine`, by default on stderr), refuses an id already in the log,
    and fsyncs before the lock is released.
    """
    path = Path(path)

    def build(existing: list[dict[str, Any]]) -> list[dict[str, Any]]:
        _refuse_duplicates(path, existing, records)
        return records

    return locked_append(path, build, on_quarantine or _report_on_stderr)


def quarantine_torn_tail(path: str | Path, *, on_quarantine: OnQuarantine | None = None) -> None:
    """Move a torn last line of the log to `<log>.quarantine` without appending anything."""
    quarantine_tail(Path(path), on_quarantine or _report_on_stderr)


def next_id(prefix: str, existing: Iterable[Mapping[str, Any]]) -> str:
    """`<prefix>-<n>`, n one more than the largest number already used after that prefix."""
    numbers = [0]
    for record in existing:
        rest = str(record.get("id", "")).removeprefix(f"{prefix}-")
        if rest != str(record.get("id", "")) and rest.isdigit():
            numbers.append(int(rest))
    return f"{prefix}-{max(numbers) + 1}"


def add_observations(
    path: str | Path, observations: list[dict[str, Any]], *, on_quarantine: OnQuarantine | None = None
) -> list[dict[str, Any]]:
    """Append checked observations (without ids), numbering each `obs-<site_id>-<n>` under the lock."""
    path = Path(path)

    def build(existing: list[dict[str, Any]]) -> list[dict[str, Any]]:
        numbered: list[dict[str, Any]] = []
        for observation in observations:
            numbered.append({"id": next_id(f"obs-{observation['site_id']}", existing + numbered), **observation})
        return numbered

    return locked_append(path, build, on_quarantine or _report_on_stderr)


def review_problem(existing: list[dict[str, Any]], of: str, analyst: str) -> str | None:
    """Why a review of `of` by `analyst` must be refused, or None when it may be recorded."""
    target = next((r for r in existing if r.get("kind") == "observation" and r.get("id") == of), None)
    if target is None:
        return f"observation {of!r}: not in the log; fix: give the id of an observation (`heritage-map observe list --pending`)"
    if not analyst.strip():
        return f"observation {of}: field 'analyst': empty; fix: give the reviewer's name with --analyst"
    if _same_analyst(target.get("analyst"), analyst):
        return f"observation {of}: field 'analyst': {analyst!r} is its author; fix: a second analyst must review it"
    state = review_state(target, decisions(existing))
    if state != "pending":
        how = "by publication" if target.get("origin") == "published" else "by an earlier review"
        return f"observation {of}: already {state} {how}; fix: record a new observation to correct it"
    return None


def add_review(
    path: str | Path, of: str, decision: str, analyst: str, note: str | None = None,
    *, on_quarantine: OnQuarantine | None = None,
) -> dict[str, Any]:
    """Record a reviewer's decision on observation `of`; refused (ObservationError) when the rules forbid it."""
    path = Path(path)
    if decision not in DECISIONS:
        raise ObservationError(f"{path}: {of}: field 'decision': {decision!r}; fix: use one of {', '.join(DECISIONS)}")

    def build(existing: list[dict[str, Any]]) -> list[dict[str, Any]]:
        problem = review_problem(existing, of, analyst)
        if problem:
            raise ObservationError(f"{path}: {problem}; nothing was written")
        review = {"kind": "review", "id": next_id(f"rev-{of}", existing), "of": of, "decision": decision,
                  "analyst": analyst.strip(), "note": note, "recorded_at": utc_now()}
        return [review]

    return locked_append(path, build, on_quarantine or _report_on_stderr)[0]


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


def _date_problem(value: str, today: date) -> str | None:
    if not _FULL_DATE.match(value):
        return f"field 'observed_on': {value!r} is not an ISO 8601 date; fix: give the day of the evidence as YYYY-MM-DD"
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return f"field 'observed_on': {value!r} is not a calendar date; fix: give the day of the evidence as YYYY-MM-DD"
    if day > today:
        return (f"field 'observed_on': {value} is after today ({today.isoformat()}); "
                "fix: give the date of the evidence, not a future one")
    return None


def _scene_problems(
    draft: Draft, sites: Mapping[str, BaseGeometry | None], scenes: Mapping[str, BaseGeometry | None]
) -> list[str]:
    problems = []
    for name, scene in (("before_scene", draft.before_scene), ("after_scene", draft.after_scene)):
        if scene is None:
            continue
        if scene not in scenes:
            problems.append(f"field '{name}': scene {scene!r} is not in imagery.json; "
                            "fix: add it with `heritage-map imagery add` or name an existing Item id")
            continue
        footprint, site = scenes[scene], sites.get(draft.site_id)
        if footprint is not None and site is not None and not footprint.covers(site):
            problems.append(f"field '{name}': the footprint of scene {scene!r} does not cover site {draft.site_id!r}; "
                            "fix: name a scene that images the site")
    if draft.before_scene and draft.before_scene == draft.after_scene:
        problems.append(f"field 'after_scene': {draft.after_scene!r} is also the before scene; fix: name two different scenes")
    return problems


def _evidence_problem(item: str) -> str | None:
    parts = urlsplit(item)
    if parts.scheme in ("http", "https"):
        if parts.hostname and not any(c.isspace() for c in item):
            return None
        return f"field 'evidence': {item!r} is not a well-formed URL; fix: give a full http(s) address with a host"
    if parts.scheme and len(parts.scheme) > 1:
        return f"field 'evidence': {item!r} uses scheme {parts.scheme!r}; fix: give an http(s) URL or a local file"
    return None


def draft_problems(
    draft: Draft, sites: Mapping[str, BaseGeometry | None], scenes: Mapping[str, BaseGeometry | None], today: date
) -> list[str]:
    """Every reason `draft` cannot be recorded (evidence files are checked by `evidence_entries`)."""
    problems = []
    if draft.site_id not in sites:
        problems.append(f"field 'site_id': {draft.site_id!r} is not in heritage_sites.geojson; "
                        "fix: use the id of an existing site")
    if draft.status not in STATUSES:
        problems.append(f"field 'status': {draft.status!r}; fix: use one of {', '.join(STATUSES)}")
    date_problem = _date_problem(draft.observed_on, today)
    if date_problem:
        problems.append(date_problem)
    problems.extend(_scene_problems(draft, sites, scenes))
    problems.extend(p for p in map(_evidence_problem, draft.evidence) if p)
    if not draft.analyst.strip():
        problems.append("field 'analyst': empty; fix: give the observing analyst's name")
    elif _CONTACT.search(draft.analyst):
        problems.append(f"field 'analyst': {draft.analyst!r} holds a contact; "
                        "fix: give the name only and the contact as 'contact' (kept internal)")
    if draft.visibility not in VISIBILITIES:
        problems.append(f"field 'visibility': {draft.visibility!r}; fix: use one of {', '.join(VISIBILITIES)}")
    return problems


def evidence_entries(items: Iterable[str], base: Path) -> tuple[list[dict[str, str]], list[str]]:
    """The evidence list to record (URLs as given, files with their SHA-256) and the files not found.

    A relative file path is read from `base` and recorded as given.
    """
    entries, problems = [], []
    for item in items:
        scheme = urlsplit(item).scheme
        if scheme and len(scheme) > 1:
            entries.append({"url": item})
            continue
        file = base / item
        if not file.is_file():
            problems.append(f"field 'evidence': file {item!r} not found (looked in {base}); "
                            "fix: give an existing file or an http(s) URL")
            continue
        entries.append({"file": item, "sha256": sha256_file(file)})
    return entries, problems


def observation_record(draft: Draft, evidence: list[dict[str, str]], recorded_at: str) -> dict[str, Any]:
    """The log record of a checked draft (its id is given under the lock by `add_observations`)."""
    record: dict[str, Any] = {
        "kind": "observation", "site_id": draft.site_id, "status": draft.status, "observed_on": draft.observed_on,
        "recorded_at": recorded_at, "before_scene": draft.before_scene, "after_scene": draft.after_scene,
        "evidence": evidence, "analyst": draft.analyst.strip(), "origin": "monitor", "note": draft.note,
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
    catalog_path = Path(data_dir) / "imagery.json"
    if not catalog_path.exists():
        return {}
    catalog = read_json(catalog_path)
    items = catalog.get("features", []) if isinstance(catalog, dict) else []
    return {
        str(item["id"]): shape(item["geometry"]) if item.get("geometry") else None
        for item in items if isinstance(item, dict) and "id" in item
    }


def prepare_observations(
    drafts: list[tuple[str, Draft]], data_dir: str | Path, base: Path, today: date
) -> tuple[list[dict[str, Any]], list[str]]:
    """The records for `drafts` (each labelled for messages), or every problem with any of them.

    All-or-nothing by design: a caller writes the records only when the
    problem list is empty.
    """
    sites, scenes = site_geometries(data_dir), scene_footprints(data_dir)
    recorded_at = utc_now()
    records: list[dict[str, Any]] = []
    problems: list[str] = []
    for label, draft in drafts:
        found = draft_problems(draft, sites, scenes, today)
        evidence, missing = evidence_entries([e for e in draft.evidence if not _evidence_problem(e)], base)
        found.extend(missing)
        problems.extend(f"{label}{problem}" for problem in found)
        records.append(observation_record(draft, evidence, recorded_at))
    return (records, []) if not problems else ([], problems)


# --- CSV import -----------------------------------------------------------------------------


def read_import_csv(path: str | Path, ignore: Iterable[str] = ()) -> tuple[list[tuple[int, Draft]], list[str]]:
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
        raise ObservationError(f"{path}: not UTF-8 ({error.reason} at byte {error.start}); fix: export the CSV as UTF-8") from None
    header = text.split("\n", 1)[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    reader = csv.DictReader(text.splitlines(keepends=True), delimiter=delimiter)
    columns = [c.strip() for c in reader.fieldnames or []]
    unknown = [c for c in columns if c not in IMPORT_COLUMNS and not c.startswith("_") and c not in ignored]
    missing = [c for c in IMPORT_REQUIRED if c not in columns]
    if unknown or missing or not columns:
        raise ObservationError(
            f"{path}: line 1: columns: unknown {unknown or 'none'}, missing {missing or 'none'}; "
            f"fix: name the columns {', '.join(IMPORT_COLUMNS)}, or skip one with --ignore-column (docs/observations.md)"
        )
    reader.fieldnames = columns
    rows: list[tuple[int, Draft]] = []
    malformed: list[str] = []
    for row in reader:
        # The row ends on line_num; its quoted values may span lines (blank lines before it are skipped).
        start = reader.line_num - sum(v.count("\n") for v in row.values() if isinstance(v, str))
        if None in row:
            malformed.append(f"{path}: line {start}: more values than columns; fix: quote values that hold '{delimiter}'")
            continue
        values = {k: (v or "").strip() for k, v in row.items() if k in IMPORT_COLUMNS}
        rows.append((start, Draft(
            site_id=values["site_id"], status=values["status"], observed_on=values["observed_on"],
            analyst=values["analyst"], before_scene=values.get("before_scene") or None,
            after_scene=values.get("after_scene") or None, evidence=tuple(values.get("evidence", "").split()),
            note=values.get("note") or None, visibility=values.get("visibility") or "public",
            contact=values.get("contact") or None,
        )))
    return rows, malformed


# --- verification ---------------------------------------------------------------------------


@dataclass(frozen=True)
class VerifyReport:
    """The result of `verify_log`: how much was checked, the chain head, and every broken record by line."""

    path: Path
    records: int
    evidence_files: int
    head: str | None
    problems: tuple[LogProblem, ...]

    @property
    def ok(self) -> bool:
        """True when the chain, every link and every evidence file check out."""
        return not self.problems

    @property
    def first(self) -> LogProblem | None:
        """The first broken record (by line), the one to investigate."""
        return self.problems[0] if self.problems else None


def _evidence_file_problems(line: int, record: Mapping[str, Any], root: Path) -> tuple[int, list[LogProblem]]:
    checked, problems = 0, []
    for item in record.get("evidence") or []:
        if not isinstance(item, dict) or "file" not in item:
            continue
        checked += 1
        file = root / str(item["file"])
        record_id = record.get("id") if isinstance(record.get("id"), str) else None
        if not file.is_file():
            problems.append(LogProblem(line, record_id, "evidence", f"file {item['file']!r} not found under {root}",
                                       "restore the evidence file, or pass --evidence-root to the folder it is kept in"))
        elif sha256_file(file) != item.get("sha256"):
            problems.append(LogProblem(line, record_id, "evidence",
                                       f"file {item['file']!r} no longer has the SHA-256 recorded for it",
                                       "restore the original file; a changed file is not the evidence that was recorded"))
    return checked, problems


def verify_log(path: str | Path, data_dir: str | Path, *, evidence_root: str | Path | None = None) -> VerifyReport:
    """Recompute the chain and every evidence file's SHA-256; report each broken record by line and id.

    Relative evidence paths are resolved against `evidence_root` (default:
    `data_dir`; the command line passes the folder it runs in, where `observe
    add` read them). Removing the last records cannot break any link: compare
    the reported `head` with one kept elsewhere to detect that.
    """
    path = Path(path)
    root = Path(evidence_root) if evidence_root is not None else Path(data_dir)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return VerifyReport(path, 0, 0, None, ())
    records, problems = chain_problems(path, data)
    evidence_files = 0
    for line, record in records:
        checked, found = _evidence_file_problems(line, record, root)
        evidence_files += checked
        problems.extend(found)
    problems.sort(key=lambda p: p.line)
    head = records[-1][1].get("hash") if records else None
    return VerifyReport(path, len(records), evidence_files, head if isinstance(head, str) else None, tuple(problems))

