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
import secrets
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from geo._files import confined_file, sha256_regular
from geo._gc import collector_paused
from geo._logfile import (
    LogScan,
    Quarantine,
    broken_log,
    locked_append,
    quarantine_tail,
    read_bytes,
    scan,
)
from geo.errors import ObservationError, Problem, UnsafeFileError, Where
from geo.evidence import NO_EVIDENCE, needs_evidence, sort_key
from geo.keyring import Signer, keyring_path, person, read_keyring
from geo.logmerge import merge_problems
from geo.text import Kind, TextRefused, clean
from geo.trust import check_records

DECISIONS: tuple[str, ...] = ("confirm", "reject")
CONTACT = re.compile(r"<[^>]*>|\S+@\S+|\+?\d[\d ()-]{6,}\d")
_FOLDERS = re.compile(r"[\\/]")

PUBLIC_FIELDS: dict[str, tuple[str, ...]] = {
    "observation": (
        "kind",
        "id",
        "site_id",
        "status",
        "observed_on",
        "reported_on",
        "recorded_at",
        "before_scene",
        "after_scene",
        "evidence",
        "origin",
        "published_by",
        "basis",
        "monitor_before",
        "monitor_after",
        "supersedes",
        "note",
        "note_sources",
        "visibility",
    ),
    "review": ("kind", "id", "of", "decision", "recorded_at", "note"),
}
"""What a public output may carry of each kind of record: an allow-list, so a field added later stays internal.
No analyst's name (author or reviewer), contact, visibility or hash: a record's hash covers its analyst's
name, and a `prev_hash` would show where internal records sit in the chain."""

OnQuarantine = Callable[[Quarantine], None]


def _report_on_stderr(moved: Quarantine) -> None:
    print(f"heritage-map: warning: {moved}", file=sys.stderr)


def utc_now() -> str:
    """The current UTC time as the log writes it: YYYY-MM-DDTHH:MM:SSZ."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- reading --------------------------------------------------------------------------------


def scan_log(path: str | Path) -> LogScan:
    """The log at `path` checked line by line (`geo._logfile.scan`); a missing file is an empty log."""
    path = Path(path)
    data = read_bytes(path)
    if data is None:
        return LogScan()
    with collector_paused():  # 100,000 parsed records hold no cycles
        return scan(path, data)


def read_log(path: str | Path) -> list[dict[str, Any]]:
    """Every record of the log at `path`, in order, once every line, hash and link checks out.

    A missing file is an empty log. Raises ObservationError with the line
    `heritage-map verify` ends with when anything is wrong: a changed byte, a
    broken link, a line not in canonical form, a duplicate id, a torn tail, a
    signature that does not hold or a review the two-person rule refuses
    (`geo.trust`, against `keyring.jsonl` beside the log).
    """
    path = Path(path)
    found = scan_log(path)
    if found.problems:
        raise broken_log(path, found.problems)
    trust = check_records(path, found.records, found.lines, read_keyring(keyring_path(path)))
    if trust:
        raise broken_log(path, trust)
    return found.records


def public_entries(records: Iterable[Mapping[str, Any]]) -> Iterator[tuple[Mapping[str, Any], str, dict[str, Any]]]:
    """Each record a public output may show, with its public id and the public ids of the records it names.

    Public: observations marked `visibility: public`, and the reviews of
    those (a review takes its observation's visibility; one marked internal
    stays internal). Public ids count public records only (`obs-<site>-<n>`,
    `rev-<observation>-<n>`), so no gap in them shows that an internal record
    exists; the writers number public and internal observations apart, so a
    public id is its log id whenever the log was written by `heritage-map`.
    A signed record keeps its own id, whose last part is random (it shows no
    gap, and a merge that interleaves two copies of the log changes no
    published id).
    The names are `of` (a review's observation) and `supersedes` (the
    observation a correction replaces), as public ids, or None when the record
    named is not public.
    """
    numbers: Counter[str] = Counter()
    public_ids: dict[Any, str] = {}
    for record in records:
        kind = record.get("kind")
        own = record.get("id") if record.get("signature") else None  # random, so it shows no gap: stable across merges
        if kind == "observation" and record.get("visibility") == "public" and isinstance(record.get("site_id"), str):
            if own is None:
                numbers[prefix := f"obs-{record['site_id']}"] += 1
            public_ids.setdefault(record.get("id"), public_id := str(own or f"{prefix}-{numbers[prefix]}"))
            named = {"supersedes": public_ids.get(record["supersedes"])} if record.get("supersedes") else {}
            yield record, public_id, named
        elif kind == "review" and record.get("of") in public_ids and record.get("visibility", "public") == "public":
            of = public_ids[record["of"]]
            if own is None:
                numbers[prefix := f"rev-{of}"] += 1
            yield record, str(own or f"{prefix}-{numbers[prefix]}"), {"of": of}


def public_log(records: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The log as a public output shows it: `public_entries`, each through `public_record`, with its public id."""
    shown = []
    for record, public_id, named in public_entries(records):
        public = public_record(record)
        public["id"] = public_id
        public.update(named, visibility="public")  # a review takes its observation's visibility
        shown.append(public)
    return shown


def public_record(record: Mapping[str, Any]) -> dict[str, Any]:
    """What may be published of one record: the fields of `PUBLIC_FIELDS` for its kind, and no local paths.

    An evidence file keeps its name and SHA-256 but not the folder it was in
    (which can name a person's machine or account), whether written with `/`
    or with Windows' `\\`.
    """
    allowed = PUBLIC_FIELDS.get(str(record.get("kind")), ())
    public = {name: record[name] for name in allowed if name in record}
    if isinstance(public.get("evidence"), list):
        public["evidence"] = [_public_evidence(item) for item in public["evidence"]]
    return public


def _public_evidence(item: Any) -> Any:
    if not isinstance(item, dict):
        return item
    if "file" in item:
        return {key: file_name(value) if key == "file" else value for key, value in item.items() if key in ("file", "sha256")}
    return {key: value for key, value in item.items() if key == "url"}


def file_name(path: object) -> str:
    """The last part of a path written with `/` or `\\`: the file's name without its folders."""
    return _FOLDERS.split(str(path).rstrip("/\\"))[-1]


# --- review state ---------------------------------------------------------------------------


def _same_author(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    # The same key, or the same workspace account, or names equal after NFKC, case, invisible characters,
    # confusable letters and spacing (`geo.keyring.person`).
    return bool(person(a) & person(b))


def deciding_reviews(records: Iterable[Mapping[str, Any]]) -> dict[str, Mapping[str, Any] | None]:
    """Each decided observation id mapped to the review that decided it (None: confirmed by its publication).

    Replays the log in order. A published finding is confirmed by publication.
    Otherwise the first review by someone other than the author decides; a
    review of an unknown or already decided observation, or by its author,
    decides nothing (the writers refuse such reviews, and `geo.trust` names a
    signed one; this keeps a hand-edited log from changing a status).
    """
    authors: dict[str, Mapping[str, Any]] = {}
    decided: dict[str, Mapping[str, Any] | None] = {}
    for record in records:
        record_id = record.get("id")
        if record.get("kind") == "observation" and isinstance(record_id, str):
            authors.setdefault(record_id, record)
            if record.get("origin") == "published":
                decided.setdefault(record_id, None)
        elif record.get("kind") == "review":
            target = record.get("of")
            if not isinstance(target, str) or target not in authors or target in decided:
                continue
            if _same_author(record, authors[target]):
                continue
            if record.get("decision") in DECISIONS:
                decided[target] = record
    return decided


def decisions(records: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Each decided observation id mapped to `confirmed` or `rejected` (`deciding_reviews`)."""
    return {
        target: "confirmed" if review is None or review.get("decision") == "confirm" else "rejected"
        for target, review in deciding_reviews(records).items()
    }


def vouched_by(record: Mapping[str, Any], review: Mapping[str, Any] | None) -> str:
    """Who vouches for a confirmed observation, for readers: see `VOUCHES`."""
    if record.get("origin") == "published":
        return "published-signed" if record.get("signature") else "published-legacy"
    return "review-signed" if review is not None and review.get("signature") else "review-legacy"


VOUCHES = {
    "published-signed": "the monitor's publication, transcribed here and signed by a registered analyst",
    "published-legacy": "the monitor's publication, transcribed here before records were signed (legacy, unsigned)",
    "review-signed": "a second analyst's confirmation, signed with a registered reviewer's key",
    "review-legacy": "a second analyst's confirmation recorded before records were signed (legacy, names only)",
}
"""What each value of `vouched_by` means, as the site pages say it."""


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
    appear nowhere. Each confirmed record says who vouches for it
    (`vouched_by`, `VOUCHES`).
    """
    records = list(records)
    deciders = deciding_reviews(records)
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
        if state == "confirmed":
            shown = public_record(record) if public_only else dict(record)
            shown["vouched_by"] = vouched_by(record, deciders.get(str(record.get("id"))))
            confirmed[site_id].append(shown)
        elif state == "pending":
            pending[site_id].append(public_record(record) if public_only else dict(record))
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
                Problem(
                    file=str(path),
                    field="id",
                    found=f"a record to append has no id ({record!r:.80})",
                    fix="give every record an id",
                )
            )
        if record["id"] in seen:
            raise ObservationError(
                Problem(
                    file=str(path),
                    kind="record",
                    feature=record["id"],
                    field="id",
                    found="already in the log",
                    fix="choose an unused id",
                ),
                hint="nothing was written",
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


def new_id(prefix: str, used: set[Any]) -> str:
    """`<prefix>-<8 random hex digits>`, not in `used` (and added to it).

    Random, not numbered: two copies of the log that each add records get no
    id twice, so `heritage-map log merge` keeps every record under the id it
    was signed with.
    """
    while (candidate := f"{prefix}-{secrets.token_hex(4)}") in used:
        pass
    used.add(candidate)
    return candidate


def observation_prefix(observation: Mapping[str, Any]) -> str:
    """The id prefix of a new observation: `obs-<site>`, or `obs-<site>-internal` for an internal one."""
    internal = "-internal" if observation.get("visibility") != "public" else ""
    return f"obs-{observation['site_id']}{internal}"


def submission_key(record: Mapping[str, Any]) -> tuple[str, str] | None:
    """The form tool and submission id an imported record came from (`form`), or None."""
    form = record.get("form")
    if isinstance(form, dict) and isinstance(form.get("submission_id"), str):
        return str(form.get("tool")), form["submission_id"]
    return None


@dataclass(frozen=True)
class Added:
    """What an append of observations wrote, and the imported submissions it skipped as already in the log."""

    written: list[dict[str, Any]]
    skipped: list[dict[str, Any]]


def import_observations(
    path: str | Path, observations: list[dict[str, Any]], signer: Signer, *, on_quarantine: OnQuarantine | None = None
) -> Added:
    """Append checked observations (without ids), each given a random id and signed by `signer`, under the lock.

    An observation from a form submission (`form.submission_id`) already in
    the log, or earlier in `observations`, is skipped and returned in
    `skipped`, so an export imported twice adds nothing the second time.
    """
    path = Path(path)
    skipped: list[dict[str, Any]] = []

    def build(existing: list[dict[str, Any]]) -> list[dict[str, Any]]:
        used = {r.get("id") for r in existing}
        imported = {key for r in existing if (key := submission_key(r)) is not None}
        signed: list[dict[str, Any]] = []
        skipped.clear()
        for observation in observations:
            key = submission_key(observation)
            if key is not None and key in imported:
                skipped.append(observation)
                continue
            if key is not None:
                imported.add(key)
            signed.append(signer.sign({"id": new_id(observation_prefix(observation), used), **observation}))
        return signed

    written = locked_append(path, build, on_quarantine or _report_on_stderr)
    return Added(written, list(skipped))


def add_observations(
    path: str | Path, observations: list[dict[str, Any]], signer: Signer, *, on_quarantine: OnQuarantine | None = None
) -> list[dict[str, Any]]:
    """`import_observations`, returning the records written."""
    return import_observations(path, observations, signer, on_quarantine=on_quarantine).written


def review_problem(existing: list[dict[str, Any]], of: str, reviewer: Mapping[str, Any]) -> Problem | None:
    """Why a review of `of` by `reviewer` (a record with the reviewer's `analyst`, `signer`, `account`) must be refused."""
    target = next((r for r in existing if r.get("kind") == "observation" and r.get("id") == of), None)
    where: Where = {"kind": "observation", "feature": of}
    if target is None:
        return Problem(
            **where, found="not in the log", fix="give the id of an observation (`heritage-map observe list --pending`)"
        )
    if _same_author(target, reviewer):
        return Problem(
            **where,
            field="signer",
            found=f"{reviewer.get('analyst')!r} is its author {target.get('analyst')!r} (the same key or account, or a name "
            "equal without regard to case, spacing, invisible characters or look-alike letters)",
            fix="a second analyst, with a key of their own, must review it",
        )
    if needs_evidence(target):
        return Problem(
            **where,
            field="evidence",
            found=f"a {target.get('status')} status that {NO_EVIDENCE}",
            fix="record a new observation with its evidence and review that one",
        )
    state = review_state(target, decisions(existing))
    if state != "pending":
        how = "by publication" if target.get("origin") == "published" else "by an earlier review"
        return Problem(**where, found=f"already {state} {how}", fix="record a new observation to correct it")
    return None


def _cleaned(value: str, kind: Kind, where: Where, field: str | None) -> str:
    try:
        return clean(value, kind)
    except TextRefused as error:
        raise ObservationError(
            Problem(**where, field=field, found=str(error), fix="retype it as plain text"), hint="nothing was written"
        ) from None


def add_review(
    path: str | Path,
    of: str,
    decision: str,
    signer: Signer,
    note: str | None = None,
    *,
    on_quarantine: OnQuarantine | None = None,
) -> dict[str, Any]:
    """Record a reviewer's decision on observation `of`, signed by `signer`; refused (ObservationError) when the rules forbid it.

    Refused: a signer without the reviewer role, the observation's own author
    (the same key or account, or the same name), an unknown or decided
    observation. The note follows `geo.text`'s rules before anything is written.
    """
    path = Path(path)
    where: Where = {"file": str(path), "kind": "observation"}
    of = _cleaned(of, "id", where, "id")
    where["feature"] = of
    note = None if note is None else _cleaned(note, "text", where, "note")
    if decision not in DECISIONS:
        raise ObservationError(Problem(**where, field="decision", found=repr(decision), fix=f"use one of {', '.join(DECISIONS)}"))
    if not signer.may_review:
        raise ObservationError(
            Problem(
                **where,
                field="signer",
                found=f"{signer.name!r} is registered as {signer.role}, and only a reviewer's confirmation counts",
                fix="a reviewer reviews it (an admin may register a key with --role reviewer)",
            ),
            hint="nothing was written",
        )

    def build(existing: list[dict[str, Any]]) -> list[dict[str, Any]]:
        review = {"kind": "review", "of": of, "decision": decision, "note": note, "recorded_at": utc_now()}
        review = signer.sign({"id": new_id(f"rev-{of}", {r.get("id") for r in existing}), **review})
        problem = review_problem(existing, of, review)
        if problem:
            raise ObservationError(problem.at({"file": str(path)}), hint="nothing was written")
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
    unterminated: bool = False
    """The last record lacks its newline (kept; the next writer appends it)."""
    log: tuple[dict[str, Any], ...] = ()
    """The records read (for anchors)."""

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
    record_id = record.get("id") if isinstance(record.get("id"), str) else None
    where: Where = {"line": line, "kind": "record", "feature": record_id}
    for item in record.get("evidence") or []:
        if not isinstance(item, dict) or "file" not in item:
            continue
        checked += 1
        given = str(item["file"])
        try:
            matches = sha256_regular(confined_file(root, given)) == item.get("sha256")
        except FileNotFoundError:
            problems.append(
                Problem(
                    **where,
                    field="evidence",
                    found=f"file {given!r} not found under {root}",
                    fix="restore the evidence file, or pass --evidence-root to the folder it is kept in",
                )
            )
            continue
        except UnsafeFileError as error:
            refused = error.problems[0]
            found = f"file {refused.file + ': ' if refused.file else ''}{refused.found} (not read)"
            problems.append(Problem(**where, field="evidence", found=found, fix=f"{refused.fix}; {RESTORE_EVIDENCE}"))
            continue
        if not matches:
            problems.append(
                Problem(
                    **where,
                    field="evidence",
                    found=f"file {given!r} no longer has the SHA-256 recorded for it",
                    fix="restore the original file; a changed file is not the evidence that was recorded",
                )
            )
    return checked, problems


RESTORE_EVIDENCE = "evidence is read only inside --evidence-root (restore the log from a copy if it names another file)"


def verify_log(
    path: str | Path, data_dir: str | Path, *, evidence_root: str | Path | None = None, use_cache: bool = True
) -> VerifyReport:
    """Recompute the chain, every signature (`geo.trust`) and every evidence file's SHA-256; report each broken record.

    Relative evidence paths are resolved against `evidence_root` (default:
    `data_dir`; the command line passes the folder it runs in, where `observe
    add` read them), and never outside it. Removing the last records cannot
    break any link: compare the reported `head` with one kept elsewhere.
    """
    path = Path(path)
    root = Path(evidence_root) if evidence_root is not None else Path(data_dir)
    found = scan_log(path)
    problems = list(found.problems)
    if not found.problems:  # signatures and merges are checked on a chain that holds (a broken one is refused first)
        problems.extend(check_records(path, found.records, found.lines, read_keyring(keyring_path(path)), use_cache=use_cache))
        problems.extend(merge_problems(found.records, found.lines))
    evidence_files = 0
    for line, record in zip(found.lines, found.records):
        checked, broken = _evidence_file_problems(line, record, root)
        evidence_files += checked
        problems.extend(broken)
    problems.sort(key=lambda p: p.line or 0)
    head = found.records[-1].get("hash") if found.records else None
    return VerifyReport(
        path,
        len(found.records),
        evidence_files,
        head if isinstance(head, str) else None,
        tuple(problems),
        found.unterminated,
        tuple(found.records),
    )
