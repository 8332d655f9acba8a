"""Two copies of a hash-chained log that diverged, joined: every record of both once, signatures intact.

Why it is shaped this way: a team spread over cities works on copies (a git
branch each). The copies share a prefix (the same records with the same
hashes) and then each adds its own. The merge keeps the prefix as it is and
interleaves the two tails by (`recorded_at`, `id`), each tail keeping its own
order (a record both tails hold comes once, where it comes first), so the
result is the same whichever side runs it. Records are signed over their
body without the chain (`geo.keys.signed_bytes`), so re-chaining
the tails leaves every signature holding, and ids are random
(`geo.observations.new_id`), so the two tails never hold one id twice unless
it is the same record (kept once).

Re-chaining changes the hashes of the tails' records, so a head hash
published from either copy (an anchor, `geo.anchor`) would no longer be found.
The merge therefore appends a `merge` record that says, for each side, how
many records it held, its head hash, and which records of the merged tail were
its own, in its order. From that, `sides` rebuilds each side's log exactly
(same bodies, same order, so the same hashes), and `verify --against`
checks an anchor against them: an anchor published before a merge still
proves its records present and unchanged after it. `merge_problems` checks
that each merge record says what the log holds.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from geo._canonical import GENESIS, canonical_json, record_hash
from geo.errors import ObservationError, Problem

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence
    from pathlib import Path

CHAIN_FIELDS = ("hash", "prev_hash")
LOCKED = frozenset({"observations.jsonl", "keyring.jsonl"})
"""The files a merge rewrites under their writers' lock (any other is a copy, such as git's temporary ones)."""
MERGE_FIX = "restore the log from a copy and merge again with heritage-map log merge"


def body(record: Mapping[str, Any]) -> dict[str, Any]:
    """A record without its place in the chain."""
    return {k: v for k, v in record.items() if k not in CHAIN_FIELDS}


def rechain(records: Sequence[Mapping[str, Any]], previous: str) -> list[dict[str, Any]]:
    """`records` chained after `previous`, each with its `prev_hash` and `hash` recomputed."""
    chained = []
    for record in records:
        linked = body(record)
        linked["prev_hash"] = previous
        linked["hash"] = previous = record_hash(linked)
        chained.append(linked)
    return chained


def common_prefix(ours: Sequence[Mapping[str, Any]], theirs: Sequence[Mapping[str, Any]]) -> int:
    """How many leading records the two logs share (equal hashes at equal places: the chain makes that the whole prefix)."""
    count = 0
    for a, b in zip(ours, theirs):
        if a.get("hash") != b.get("hash"):
            break
        count += 1
    return count


def _key(record: Mapping[str, Any]) -> tuple[str, str]:
    # A log record says when it was recorded, a keyring entry when it was added.
    return str(record.get("recorded_at") or record.get("added_at") or ""), str(record.get("id"))


def _runs(positions: list[int]) -> list[list[int]]:
    """Positions as runs `[start, count]` of consecutive positions, in their order (a side's records are mostly runs)."""
    runs: list[list[int]] = []
    for position in positions:
        if runs and runs[-1][0] + runs[-1][1] == position:
            runs[-1][1] += 1
        else:
            runs.append([position, 1])
    return runs


def _positions(runs: object) -> list[int] | None:
    if not isinstance(runs, list):
        return None
    positions: list[int] = []
    for run in runs:
        if not (isinstance(run, list) and len(run) == 2 and all(isinstance(v, int) and v >= 0 for v in run)):
            return None
        positions.extend(range(run[0], run[0] + run[1]))
    return positions


def merge_records(
    ours: Sequence[Mapping[str, Any]], theirs: Sequence[Mapping[str, Any]], name: str = "the log"
) -> list[dict[str, Any]]:
    """The merged log of two chained copies: the shared prefix, both tails interleaved, a `merge` record; chained.

    The same whichever is `ours`. A copy that is a prefix of the other gives
    the other, unchanged. ObservationError when the copies share no first
    record or hold one id with two different bodies.
    """
    shared = common_prefix(ours, theirs)
    if shared == len(theirs):
        return [dict(r) for r in ours]
    if shared == len(ours):
        return [dict(r) for r in theirs]
    if shared == 0:
        raise ObservationError(
            Problem(
                file=name,
                found="the two copies share no first record: they are not copies of one log",
                fix="merge copies of the same log (the keyring's or the log's first records must be the same)",
            )
        )
    prefix = ours[:shared]
    tails = (ours[shared:], theirs[shared:])
    bodies: dict[str, dict[str, Any]] = {}
    for tail in tails:
        for record in tail:
            record_id, content = str(record.get("id")), body(record)
            if record_id in bodies and bodies[record_id] != content:
                raise ObservationError(
                    Problem(
                        file=name,
                        kind="record",
                        feature=record_id,
                        found="is in both copies with different contents",
                        fix="a record is never edited; restore the copy that changed it",
                    )
                )
            bodies[record_id] = content
    merged: list[dict[str, Any]] = []
    place: dict[str, int] = {}
    i = j = 0
    a, b = tails
    while i < len(a) or j < len(b):
        if j >= len(b) or (i < len(a) and _key(a[i]) <= _key(b[j])):
            record, i = a[i], i + 1
        else:
            record, j = b[j], j + 1
        record_id = str(record.get("id"))
        if record_id not in place:
            place[record_id] = len(merged)
            merged.append(bodies[record_id])
    sides = sorted(
        (
            {
                "records": shared + len(tail),
                "head": str(tail[-1].get("hash")),
                "tail": _runs([place[str(r.get("id"))] for r in tail]),
            }
            for tail in tails
        ),
        key=lambda side: str(side["head"]),
    )
    digest = hashlib.sha256(canonical_json(sides)).hexdigest()[:16]
    marker = {
        "kind": "merge",
        "id": f"merge-{digest}",
        "prefix": shared,
        "sides": sides,
        "recorded_at": max((_key(r)[0] for r in merged), default=""),
    }
    head = str(prefix[-1].get("hash"))
    return [dict(r) for r in prefix] + rechain([*merged, marker], head)


def sides(records: Sequence[Mapping[str, Any]], at: int) -> Iterator[list[dict[str, Any]]]:
    """Each side's log, rebuilt from the merge record at position `at` (records[:prefix] and its tail, re-chained)."""
    marker = records[at]
    prefix = marker.get("prefix")
    if not isinstance(prefix, int) or not 0 < prefix <= at:
        return
    tail = records[prefix:at]
    head = str(records[prefix - 1].get("hash"))
    for side in marker.get("sides") or []:
        positions = _positions(side.get("tail") if isinstance(side, dict) else None)
        if positions is None or any(p >= len(tail) for p in positions):
            continue
        yield [dict(r) for r in records[:prefix]] + rechain([tail[p] for p in positions], head)


def merge_problems(records: Sequence[Mapping[str, Any]], lines: Sequence[int]) -> list[Problem]:
    """Every merge record that does not say what the log holds: each side rebuilt must end in the head it names."""
    problems = []
    for at, (line, record) in enumerate(zip(lines, records)):
        if record.get("kind") != "merge":
            continue
        stated = [s for s in record.get("sides") or [] if isinstance(s, dict)]
        rebuilt = list(sides(records, at))
        covered: set[int] = set()
        for side in stated:
            covered.update(_positions(side.get("tail")) or [])
        prefix = record.get("prefix") if isinstance(record.get("prefix"), int) else 0
        whole = len(rebuilt) == len(stated) == 2 and covered == set(range(at - int(prefix or 0)))
        ok = whole and all(
            len(log) == side.get("records") and log[-1].get("hash") == side.get("head") for log, side in zip(rebuilt, stated)
        )
        if not ok:
            problems.append(
                Problem(
                    line=line,
                    kind="record",
                    feature=str(record.get("id")),
                    field="sides",
                    found="does not rebuild the two copies it says it merged (their records, their order, their heads)",
                    fix=MERGE_FIX,
                )
            )
    return problems


def chain_start(records: Sequence[Mapping[str, Any]]) -> str:
    """The hash a record appended after `records` chains onto."""
    return str(records[-1].get("hash")) if records else GENESIS


@dataclass(frozen=True)
class Merged:
    """What `merge_files` wrote."""

    records: int
    added: int
    kept: int
    merge_record: bool


def merge_files(ours: Path, theirs: Path) -> Merged:
    """Merge the chained log `theirs` into `ours`, in place, under `ours`'s lock; every record of `ours` is kept.

    Both must be intact (the reader's checks: `geo._logfile.scan`). The new
    file is written beside `ours`, fsynced and renamed over it, so a crash
    leaves one or the other whole.
    """
    from geo._files import exclusive_lock, fsync_folder
    from geo._logfile import broken_log, lock_path, read_bytes, scan

    def records(path: Path) -> list[dict[str, Any]]:
        data = read_bytes(path)
        found = scan(path, data or b"")
        if found.problems:
            raise broken_log(path, found.problems, hint="nothing was merged")
        return found.records

    # The data folder's files are merged under their writers' lock; git's merge driver gets git's own temporary
    # copies (`.merge_file_XXXXXX`), which no writer uses, and leaves no lock file in the work tree.
    lock = lock_path(ours) if ours.name in LOCKED else None
    with exclusive_lock(lock, 60) if lock is not None else contextlib.nullcontext():
        mine, other = records(ours), records(theirs)
        merged = merge_records(mine, other, str(ours))
        ids = {r.get("id") for r in merged}
        assert all(r.get("id") in ids for r in mine), "a merge never drops a record"
        temporary = ours.with_name(f".{ours.name}.merging")
        temporary.write_bytes(b"".join(canonical_json(r) + b"\n" for r in merged))
        with open(temporary, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, ours)
        fsync_folder(ours.parent)
    before = {r.get("id") for r in mine}
    marker = bool(merged) and merged[-1].get("kind") == "merge" and merged[-1].get("id") not in before
    return Merged(
        len(merged), sum(1 for r in merged if r.get("id") not in before and r.get("kind") != "merge"), len(mine), marker
    )
