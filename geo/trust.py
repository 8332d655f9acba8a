"""Who vouches for each record of the log: its signature against the keyring, and the two-person rule by keys.

Why a module of its own: the chain (`geo._logfile`) proves that the bytes are
the ones written; this proves who wrote them. Every record after the legacy
prefix (the records the log held when the keyring's first admin began
signing, `geo.keyring`) must carry a signature by a registered key that
holds; a review counts only when its key has the reviewer role and its author
is not the observation's (`geo.keyring.person`). A typed name is never a
signature, so a confirmation forged by typing another analyst's name is named
as such.

Ed25519 verification costs about 50-90 us a record, which is most of
`verify`'s time on a large log. The records whose signatures were verified
once are remembered outside the data folder (`verified_prefix`): the count
and head hash of the longest prefix found sound. The chain binds every byte of
that prefix, signatures included, so a later run that finds the same hash at
the same place skips their Ed25519 checks and checks everything else.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_all_start_methods, get_context
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geo import keys
from geo.errors import Problem
from geo.keyring import REVIEWERS, Keyring, person

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

CACHE_VARIABLE = "HERITAGE_MAP_CACHE"
SIGNED_KINDS = frozenset({"observation", "review"})
FORGED_FIX = "remove it by restoring the log from a copy; record it again with a registered key (--key)"


def cache_dir() -> Path | None:
    """Where verified prefixes are remembered: the folder `$HERITAGE_MAP_CACHE` names; None (no cache) otherwise.

    Opt-in: by default no command reads or writes anything outside the data folder and its outputs, and every
    signature is checked every time. A team verifying a large log often points `HERITAGE_MAP_CACHE` at a
    folder of its own (never inside the data folder, which anyone with a copy of the data can write).
    """
    chosen = os.environ.get(CACHE_VARIABLE)
    return Path(chosen) if chosen and chosen != "off" else None


def _cache_file(log: Path) -> Path | None:
    folder = cache_dir()
    if folder is None:
        return None
    name = hashlib.sha256(str(log.resolve()).encode("utf-8", "surrogateescape")).hexdigest()[:32]
    return folder / f"verified-{name}.json"


def verified_prefix(log: Path, records: Sequence[Mapping[str, Any]]) -> int:
    """How many leading records of `records` had every signature verified by an earlier run (0 when unknown)."""
    path = _cache_file(log)
    if path is None:
        return 0
    try:
        remembered = json.loads(path.read_text(encoding="utf-8"))
        count, head = int(remembered["records"]), str(remembered["head"])
    except (OSError, ValueError, KeyError, TypeError):
        return 0
    return count if 0 < count <= len(records) and records[count - 1].get("hash") == head else 0


def remember_verified(log: Path, records: Sequence[Mapping[str, Any]]) -> None:
    """Remember that every signature of `records` holds (written atomically; a cache that cannot be written is skipped)."""
    path = _cache_file(log)
    if path is None or not records:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps({"records": len(records), "head": records[-1].get("hash")}), encoding="utf-8")
        os.replace(temporary, path)
    except OSError:
        return


def _problem(line: int, record: Mapping[str, Any], field: str, found: str, fix: str = FORGED_FIX) -> Problem:
    record_id = record.get("id") if isinstance(record.get("id"), str) else None
    return Problem(line=line, kind="record", feature=record_id, field=field, found=found, fix=fix)


def _legacy_count(keyring: Keyring, records: Sequence[Mapping[str, Any]], lines: Sequence[int]) -> tuple[int, list[Problem]]:
    """How many leading records may be unsigned, and what is wrong with that prefix."""
    if not keyring.exists:
        return len(records), []
    count, head = keyring.legacy or (0, "")
    if count == 0:
        return 0, []
    if count > len(records):
        found = f"the log holds {len(records)} records, but signing began after {count}: records were removed"
        return len(records), [Problem(kind="log", found=found, fix="restore the log from a copy")]
    if records[count - 1].get("hash") != head:
        found = (
            f"the {count} records the log held when signing began no longer end in the head hash the keyring's "
            f"first entry recorded ({head[:12]}...): they were changed or re-chained"
        )
        return count, [_problem(lines[count - 1], records[count - 1], "hash", found, "restore the log from a copy")]
    return count, []


def check_records(
    log: Path, records: Sequence[Mapping[str, Any]], lines: Sequence[int], keyring: Keyring, *, use_cache: bool = True
) -> list[Problem]:
    """Every record's signature, signer and role, and every review against the two-person rule; each problem by line.

    Remembers the verified prefix (`remember_verified`) when nothing is wrong.
    """
    problems = [p.at({"file": str(keyring.path)}) for p in keyring.problems]
    legacy, found = _legacy_count(keyring, records, lines)
    problems.extend(found)
    skip = verified_prefix(log, records) if use_cache else 0
    observations: dict[str, Mapping[str, Any]] = {}
    to_check: list[int] = []
    for index, (line, record) in enumerate(zip(lines, records)):
        kind = record.get("kind")
        if kind == "merge":
            continue
        signed = "signature" in record or "signer" in record
        if kind == "observation" and isinstance(record.get("id"), str):
            observations.setdefault(record["id"], record)
        if not signed:
            if index >= legacy:
                problems.append(_problem(line, record, "signature", _unsigned(kind, keyring)))
            continue
        if kind not in SIGNED_KINDS:
            problems.append(_problem(line, record, "kind", f"{kind!r} is not a kind of record the log holds"))
            continue
        problem = _signer_problem(line, record, keyring)
        if problem is None and kind == "review":
            problem = _review_problem(line, record, observations)
        if problem is not None:
            problems.append(problem)
        elif index >= skip:
            to_check.append(index)
    for index in failed_signatures(records, to_check, keyring):
        found_wrong = "does not hold: the record was changed after it was signed"
        problems.append(_problem(lines[index], records[index], "signature", found_wrong))
    problems.sort(key=lambda p: p.line or 0)
    if not problems:
        remember_verified(log, records)
    return problems


PARALLEL_FROM = 4096
"""From this many signatures on, they are checked in one process per core (each Ed25519 check is ~50-90 us)."""
_JOB: tuple[Sequence[Mapping[str, Any]], Keyring] | None = None


def _failed_in(indices: Sequence[int]) -> list[int]:
    assert _JOB is not None
    records, keyring = _JOB
    failed = []
    for index in indices:
        record = records[index]
        key = keyring.keys[str(record.get("signer"))]
        if not keys.signature_holds(key.public, keys.signed_bytes(record), record.get("signature")):
            failed.append(index)
    return failed


def failed_signatures(records: Sequence[Mapping[str, Any]], indices: Sequence[int], keyring: Keyring) -> list[int]:
    """The indices among `indices` whose Ed25519 signature does not hold, in order.

    Many signatures are checked in forked worker processes, one per core
    (the records and keys are inherited, not copied through a pipe); never
    in a process running other threads (a web server), where forking is unsafe.
    """
    global _JOB
    cores = os.cpu_count() or 1
    _JOB = (records, keyring)
    try:
        if len(indices) < PARALLEL_FROM or cores < 2 or threading.active_count() > 1 or "fork" not in get_all_start_methods():
            return _failed_in(indices)
        size = -(-len(indices) // (cores * 4))
        chunks = [indices[start : start + size] for start in range(0, len(indices), size)]
        with ProcessPoolExecutor(max_workers=cores, mp_context=get_context("fork")) as pool:
            return [index for failed in pool.map(_failed_in, chunks) for index in failed]
    finally:
        _JOB = None


def _unsigned(kind: object, keyring: Keyring) -> str:
    what = "a confirmation" if kind == "review" else f"a {kind} record"
    where = "after signing began" if keyring.exists else "while the log has no keyring"
    return f"{what} without a signature {where}: a typed name is not a signature"


def _signer_problem(line: int, record: Mapping[str, Any], keyring: Keyring) -> Problem | None:
    if not keyring.exists:
        return _problem(line, record, "signer", "signed, but the log has no keyring.jsonl to check it against")
    fingerprint, account = str(record.get("signer")), record.get("account")
    key = keyring.keys.get(fingerprint)
    if key is None:
        return _problem(line, record, "signer", f"signed by {fingerprint}, which is not a registered key")
    if account is not None:
        entry = keyring.accounts.get((fingerprint, str(account)))
        if key.role != "workspace" or entry is None:
            return _problem(line, record, "account", f"signed for account {account!r}, which key {key.name!r} may not sign for")
        name, role = entry.account, entry.role
    else:
        if key.role == "workspace":
            return _problem(line, record, "account", f"signed by workspace key {key.name!r} without naming an account")
        name, role = key.name, key.role
    if record.get("analyst") != name:
        return _problem(line, record, "analyst", f"{record.get('analyst')!r} is not the signer's registered name {name!r}")
    if record.get("kind") == "review" and role not in REVIEWERS:
        return _problem(line, record, "signer", f"a review signed by {name!r}, whose role is {role}, not reviewer")
    return None


def _review_problem(line: int, record: Mapping[str, Any], observations: Mapping[str, Mapping[str, Any]]) -> Problem | None:
    target = record.get("of")
    observed = observations.get(str(target))
    if observed is None:
        return _problem(line, record, "of", f"reviews {target!r}, which no earlier observation is")
    if person(observed) & person(record):
        return _problem(line, record, "signer", f"{record.get('decision')} of {target!r} signed by its own author")
    return None
