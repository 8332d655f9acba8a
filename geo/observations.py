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

import re
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from geo._canonical import sha256_file
from geo._gc import collector_paused
from geo._logfile import (
    Quarantine,
    chain_problems,
    locked_append,
    quarantine_tail,
    split_log,
)
from geo.dictionary import EVIDENCE_EXCLUDED
from geo.errors import ObservationError, Problem
from geo.evidence import NO_EVIDENCE, needs_evidence, sort_key

DECISIONS: tuple[str, ...] = ("confirm", "reject")
PRIVATE_FIELDS: tuple[str, ...] = ("contact",)
CONTACT = re.compile(r"<[^>]*>|\S+@\S+|\+?\d[\d ()-]{6,}\d")
_FOLDERS = re.compile(r"[\\/]")

OnQuarantine = Callable[[Quarantine], None]


def _report_on_stderr(moved: Quarantine) -> None:
    print(f"heritage-map: warning: {moved}", file=sys.stderr)


def utc_now() -> str:
    """The current UTC time as the log writes it: YYYY-MM-DDTHH:MM:SSZ."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


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
            Problem(
                file=str(path),
                line=split.torn_line,
                found=f"torn last line ({len(split.torn)} bytes, not a complete JSON record) left by an interrupted writer",
                fix="run `heritage-map verify --quarantine-tail` to move it aside",
            )
        )
    return split.records


def public_record(record: Mapping[str, Any]) -> dict[str, Any]:
    """What may be published of one record: no `contact`, no contact in `analyst`, no local paths, no copies.

    An evidence file keeps its name and SHA-256 but not the folder it was in
    (which can name a person's machine or account), whether written with `/`
    or with Windows' `\\`. An evidence page keeps its address but not the copy
    it was read on (`dictionary.EVIDENCE_EXCLUDED`).
    """
    public = dict(record)
    for name in PRIVATE_FIELDS:
        public.pop(name, None)
    if isinstance(public.get("analyst"), str):
        public["analyst"] = public_analyst(public["analyst"])
    if isinstance(public.get("evidence"), list):
        public["evidence"] = [public_evidence(item) for item in public["evidence"]]
    return public


def public_evidence(item: Any) -> Any:
    """One evidence item as published: without the copy it was read on, a file without its folder."""
    if not isinstance(item, dict):
        return item
    shown = {key: value for key, value in item.items() if key not in EVIDENCE_EXCLUDED}
    if "file" in shown:
        shown["file"] = file_name(shown["file"])
    return shown


@lru_cache(maxsize=4096)
def public_analyst(analyst: str) -> str | None:
    """An analyst's name without e-mail addresses, phone numbers or `<...>` parts (a log names few analysts)."""
    return " ".join(CONTACT.sub(" ", analyst).split()) or None


def file_name(path: object) -> str:
    """The last part of a path written with `/` or `\\`: the file's name without its folders."""
    return _FOLDERS.split(str(path).rstrip("/\\"))[-1]


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


class SiteHistory(NamedTuple):
    """One site's observations: the status shown, the confirmed history, and what awaits review.

    A named tuple: a build makes one per observed site, and a frozen
    dataclass's `__init__` measured 1.1 us against 0.2 us.
    """

    current: dict[str, Any] | None
    confirmed: list[dict[str, Any]]
    pending: list[dict[str, Any]]


def _chronological(record: Mapping[str, Any]) -> tuple[str, str]:
    # ISO dates sort as text, partial ones ("2023-11") before the days they contain; a finding known only by its
    # publication date sorts by that date.
    return sort_key(record), str(record.get("recorded_at") or "")


def site_histories(records: Iterable[Mapping[str, Any]], *, public_only: bool) -> dict[str, SiteHistory]:
    """Every observed site's history; with `public_only`, internal records are dropped and the rest redacted.

    `current` is the latest confirmed observation (by `observed_on`, or
    `reported_on` when only that is known, then `recorded_at`) that no
    confirmed correction supersedes (`supersedes`); rejected observations
    appear nowhere.
    """
    records = list(records)
    decided = decisions(records)
    confirmed: dict[str, list[dict[str, Any]]] = {}
    pending: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        site_id = record.get("site_id")
        if record.get("kind") != "observation" or not isinstance(site_id, str):
            continue
        if public_only and record.get("visibility") != "public":
            continue
        if site_id not in confirmed:
            confirmed[site_id], pending[site_id] = [], []
        state = review_state(record, decided)
        if state != "rejected":
            (confirmed if state == "confirmed" else pending)[site_id].append(
                public_record(record) if public_only else dict(record)
            )
    superseded = {r.get("supersedes") for history in confirmed.values() for r in history if r.get("supersedes")}
    histories = {}
    for site_id, history in confirmed.items():
        if len(history) > 1:
            history.sort(key=_chronological)
        standing = [r for r in history if r.get("id") not in superseded]
        histories[site_id] = SiteHistory(standing[-1] if standing else None, history, pending[site_id])
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


def review_problem(existing: list[dict[str, Any]], of: str, analyst: str) -> Problem | None:
    """Why a review of `of` by `analyst` must be refused, or None when it may be recorded."""
    target = next((r for r in existing if r.get("kind") == "observation" and r.get("id") == of), None)
    if target is None:
        return Problem(
            kind="observation",
            feature=of,
            found="not in the log",
            fix="give the id of an observation (`heritage-map observe list --pending`)",
        )
    if not analyst.strip():
        return Problem(
            kind="observation", feature=of, field="analyst", found="empty", fix="give the reviewer's name with --analyst"
        )
    if _same_analyst(target.get("analyst"), analyst):
        return Problem(
            kind="observation",
            feature=of,
            field="analyst",
            found=f"{analyst!r} is its author",
            fix="a second analyst must review it",
        )
    if needs_evidence(target):
        return Problem(
            kind="observation",
            feature=of,
            field="evidence",
            found=f"a {target.get('status')} status that {NO_EVIDENCE}",
            fix="record a new observation with its evidence and review that one",
        )
    state = review_state(target, decisions(existing))
    if state != "pending":
        how = "by publication" if target.get("origin") == "published" else "by an earlier review"
        return Problem(
            kind="observation", feature=of, found=f"already {state} {how}", fix="record a new observation to correct it"
        )
    return None


def add_review(
    path: str | Path,
    of: str,
    decision: str,
    analyst: str,
    note: str | None = None,
    *,
    on_quarantine: OnQuarantine | None = None,
) -> dict[str, Any]:
    """Record a reviewer's decision on observation `of`; refused (ObservationError) when the rules forbid it."""
    path = Path(path)
    if decision not in DECISIONS:
        raise ObservationError(f"{path}: {of}: field 'decision': {decision!r}; fix: use one of {', '.join(DECISIONS)}")

    def build(existing: list[dict[str, Any]]) -> list[dict[str, Any]]:
        problem = review_problem(existing, of, analyst)
        if problem:
            raise ObservationError(problem.at({"file": str(path)}), hint="nothing was written")
        review = {
            "kind": "review",
            "id": next_id(f"rev-{of}", existing),
            "of": of,
            "decision": decision,
            "analyst": analyst.strip(),
            "note": note,
            "recorded_at": utc_now(),
        }
        return [review]

    return locked_append(path, build, on_quarantine or _report_on_stderr)[0]


# --- verification ---------------------------------------------------------------------------


@dataclass(frozen=True)
class VerifyReport:
    """The result of `verify_log`: how much was checked, the chain head, and every broken record by line."""

    path: Path
    records: int
    evidence_files: int
    head: str | None
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        """True when the chain, every link and every evidence file check out."""
        return not self.problems

    @property
    def first(self) -> Problem | None:
        """The first broken record (by line), the one to investigate."""
        return self.problems[0] if self.problems else None


def _evidence_file_problems(line: int, record: Mapping[str, Any], root: Path) -> tuple[int, list[Problem]]:
    checked, problems = 0, []
    for item in record.get("evidence") or []:
        if not isinstance(item, dict) or "file" not in item:
            continue
        checked += 1
        file = root / str(item["file"])
        record_id = record.get("id") if isinstance(record.get("id"), str) else None
        if not file.is_file():
            problems.append(
                Problem(
                    line=line,
                    kind="record",
                    feature=record_id,
                    field="evidence",
                    found=f"file {item['file']!r} not found under {root}",
                    fix="restore the evidence file, or pass --evidence-root to the folder it is kept in",
                )
            )
        elif sha256_file(file) != item.get("sha256"):
            problems.append(
                Problem(
                    line=line,
                    kind="record",
                    feature=record_id,
                    field="evidence",
                    found=f"file {item['file']!r} no longer has the SHA-256 recorded for it",
                    fix="restore the original file; a changed file is not the evidence that was recorded",
                )
            )
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
    with collector_paused():  # 100,000 parsed records hold no cycles
        records, problems = chain_problems(path, data)
    evidence_files = 0
    for line, record in records:
        checked, found = _evidence_file_problems(line, record, root)
        evidence_files += checked
        problems.extend(found)
    problems.sort(key=lambda p: p.line or 0)
    head = records[-1][1].get("hash") if records else None
    return VerifyReport(path, len(records), evidence_files, head if isinstance(head, str) else None, tuple(problems))
