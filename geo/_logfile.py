"""The append-only JSON-lines file under a lock: read, repair a torn tail, chain, append.

Why a module of its own: the guarantees of the monitors' log (nothing
rewritten, nothing lost, concurrent writers, crash safety) live here and
nowhere else. Every write holds `<log>.lock` (the `filelock` package), reads
the log as it is under that lock, and ends with flush + fsync before the lock
is released. The only bytes ever removed from the log are a torn tail (a last
line without its newline, or a last line that is not JSON), and only after
they have been appended and fsynced to `<log>.quarantine`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from filelock import FileLock, Timeout

from geo._canonical import GENESIS, canonical_json, record_hash
from geo.errors import ObservationError, Problem

if TYPE_CHECKING:
    from pathlib import Path

Build = Callable[[list[dict[str, Any]]], list[dict[str, Any]]]


@dataclass(frozen=True)
class Quarantine:
    """A torn tail moved out of the log: where it was and where it went."""

    log: Path
    line: int
    offset: int
    size: int
    moved_to: Path

    def __str__(self) -> str:
        return (
            f"{self.log}: line {self.line}: torn last line ({self.size} bytes at byte {self.offset}, "
            f"left by an interrupted writer) moved to {self.moved_to}; every earlier record is kept"
        )


@dataclass(frozen=True)
class LogBytes:
    """A log file's bytes split into its good records and its torn tail (maybe empty)."""

    records: list[dict[str, Any]]
    good_size: int
    torn: bytes
    torn_line: int


def lock_path(path: Path) -> Path:
    """The lock file every writer of `path` holds."""
    return path.with_name(path.name + ".lock")


def quarantine_path(path: Path) -> Path:
    """Where torn tails of `path` are kept, never deleted."""
    return path.with_name(path.name + ".quarantine")


def _json_object(line: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    return value if isinstance(value, dict) else None


def split_log(path: Path, data: bytes) -> LogBytes:
    """Parse `data` (the bytes of `path`), setting a torn tail aside instead of failing on it.

    Raises ObservationError for a bad line that is not the last one: that is
    damage, not an interrupted write, and no writer may build on it.
    """
    lines = data.split(b"\n")
    tail = lines.pop()  # bytes after the last newline: b"" when the file ends cleanly
    torn_line = len(lines) + 1 if tail else 0
    good_size = len(data) - len(tail)
    if not tail and lines and _json_object(lines[-1]) is None:
        tail = lines.pop() + b"\n"
        torn_line = len(lines) + 1
        good_size -= len(tail)
    records = []
    for number, line in enumerate(lines, start=1):
        record = _json_object(line)
        if record is None:
            raise ObservationError(
                Problem(
                    file=str(path),
                    line=number,
                    found=f"not a JSON object on one line ({line[:60]!r})",
                    fix="run `heritage-map verify` and restore the log from a copy; nothing was written",
                )
            )
        records.append(record)
    return LogBytes(records, good_size, tail, torn_line)


def chain(records: list[dict[str, Any]], previous: str) -> list[dict[str, Any]]:
    """`records` linked after the hash `previous`, each with its `prev_hash` and `hash`."""
    chained = []
    for record in records:
        body = {k: v for k, v in record.items() if k not in ("prev_hash", "hash")}
        body["prev_hash"] = previous
        body["hash"] = previous = record_hash(body)
        chained.append(body)
    return chained


def _fsync_dir(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _quarantine(path: Path, split: LogBytes) -> Quarantine:
    target = quarantine_path(path)
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    header = f"# {stamp} quarantined from {path.name} line {split.torn_line} byte {split.good_size} ({len(split.torn)} bytes)\n"
    with open(target, "ab") as handle:
        handle.write(header.encode("utf-8") + split.torn + (b"" if split.torn.endswith(b"\n") else b"\n"))
        handle.flush()
        os.fsync(handle.fileno())
    return Quarantine(path, split.torn_line, split.good_size, len(split.torn), target)


def _head(path: Path, split: LogBytes) -> str:
    if not split.records:
        return GENESIS
    head = split.records[-1].get("hash")
    if not isinstance(head, str):
        raise ObservationError(
            f"{path}: line {len(split.records)}: field 'hash': missing on the last record, so nothing can be "
            "chained after it; fix: run `heritage-map verify` and restore the log from a copy"
        )
    return head


def locked_append(
    path: Path,
    build: Build,
    on_quarantine: Callable[[Quarantine], None],
    timeout: float = 60,
) -> list[dict[str, Any]]:
    """Append what `build(existing records)` returns to `path`, chained, under the lock.

    `build` sees the log as it is once the lock is held, so checks that depend
    on it (unique ids, one decision per observation) cannot race. It may raise
    to write nothing. A torn tail is quarantined first (and reported through
    `on_quarantine`) even when `build` then refuses.
    """
    if not path.parent.is_dir():
        raise ObservationError(f"{path.parent}: folder not found; fix: pass --data to the folder that holds the layers")
    lock = lock_path(path)
    try:
        with FileLock(str(lock), timeout=timeout):
            return _append_holding_lock(path, build, on_quarantine)
    except Timeout:
        raise ObservationError(
            f"{path}: another writer has held {lock.name} for over {timeout:g} s; "
            "fix: wait for the other heritage-map command to finish and run this one again"
        ) from None


def _append_holding_lock(path: Path, build: Build, on_quarantine: Callable[[Quarantine], None]) -> list[dict[str, Any]]:
    existed = path.exists()
    split = split_log(path, path.read_bytes()) if existed else LogBytes([], 0, b"", 0)
    if split.torn:
        moved = _quarantine(path, split)
        with open(path, "r+b") as handle:
            handle.truncate(split.good_size)
            handle.flush()
            os.fsync(handle.fileno())
        on_quarantine(moved)
    written = chain(build(split.records), _head(path, split))
    if written:
        with open(path, "ab") as handle:
            handle.write(b"".join(canonical_json(record) + b"\n" for record in written))
            handle.flush()
            os.fsync(handle.fileno())
        if not existed:
            _fsync_dir(path.parent)
    return written


RESTORE = "restore the log from a copy (the chain cannot be repaired in place: the log is append-only)"


def _torn_problem(path: Path, line: int, size: int) -> Problem:
    return Problem(
        line=line,
        kind="record",
        found=f"torn last line ({size} bytes; not a complete JSON record): a writer was interrupted",
        fix=f"the next `heritage-map observe` write, or `heritage-map verify --quarantine-tail`, "
        f"moves it to {quarantine_path(path).name}",
    )


def chain_problems(path: Path, data: bytes) -> tuple[list[tuple[int, dict[str, Any]]], list[Problem]]:
    """The parsed records of `data` (the bytes of `path`) with their line numbers, and every break in their chain.

    A changed byte breaks that record's `hash`; a removed, inserted or
    reordered record breaks the `prev_hash` link of the record after it.
    """
    lines = data.split(b"\n")
    tail = lines.pop()
    records: list[tuple[int, dict[str, Any]]] = []
    problems: list[Problem] = []
    expected: str | None = GENESIS
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        record = _json_object(line)
        if record is None:
            if number == len(lines) and not tail:
                problems.append(_torn_problem(path, number, len(line) + 1))
            else:
                problems.append(Problem(line=number, kind="record", found=f"not a JSON object ({line[:40]!r})", fix=RESTORE))
            expected = None
            continue
        records.append((number, record))
        record_id = record.get("id") if isinstance(record.get("id"), str) else None
        stored, prev = record.get("hash"), record.get("prev_hash")
        if stored != record_hash(record):
            problems.append(
                Problem(
                    line=number,
                    kind="record",
                    feature=record_id,
                    field="hash",
                    found=f"stored {str(stored)[:12]}..., recomputed {record_hash(record)[:12]}...: "
                    "the record was changed after it was written",
                    fix=RESTORE,
                )
            )
        if expected is not None and prev != expected:
            where = (
                "the genesis hash (records before it were removed)"
                if expected == GENESIS
                else (
                    f"the hash of line {number - 1} ({expected[:12]}...): a record before it was removed, inserted or reordered"
                )
            )
            problems.append(
                Problem(
                    line=number,
                    kind="record",
                    feature=record_id,
                    field="prev_hash",
                    found=f"{str(prev)[:12]}... is not {where}",
                    fix=RESTORE,
                )
            )
        if record_id is not None:
            if record_id in seen:
                problems.append(
                    Problem(
                        line=number,
                        kind="record",
                        feature=record_id,
                        field="id",
                        found=f"already used on line {seen[record_id]}",
                        fix="ids are unique in the log; " + RESTORE,
                    )
                )
            seen.setdefault(record_id, number)
        expected = stored if isinstance(stored, str) else None
    if tail:
        problems.append(_torn_problem(path, len(lines) + 1, len(tail)))
    return records, problems


def quarantine_tail(path: Path, on_quarantine: Callable[[Quarantine], None], timeout: float = 60) -> None:
    """Move a torn tail of `path` to the quarantine file, appending nothing."""
    if path.exists():
        locked_append(path, lambda existing: [], on_quarantine, timeout)
