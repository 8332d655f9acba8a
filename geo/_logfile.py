"""The append-only JSON-lines file under a lock: the one reader, and the one writer.

Why a module of its own: the guarantees of the monitors' log live here and
nowhere else.

Reading (`scan`): every line must be exactly the canonical JSON of the record
it parses to (keys sorted, no spaces, characters as the writer writes them),
so the bytes on disk are the bytes that were hashed and no two readers can
see two records in one line (a duplicate key is refused as well); each
record's `hash` must be the SHA-256 of its canonical JSON without `hash`, and
its `prev_hash` the hash of the record before it. Every command that reads the
log reads it through `scan`: `verify` lists every problem, every other reader
refuses a log with any.

The end of the file: a complete, valid last record that lost its final
newline is kept (a writer appends the newline under the lock). Only a torn
tail is set aside: a last line that is a prefix of a record (or bytes that are
not JSON at all, as a crash can leave), never longer than a record may be.
Bytes after a complete record on the same line, or carriage returns (line
ends converted to CR or CRLF), are damage: refused, never quarantined, so the
log is never restarted from its genesis.

Writing (`locked_append`): every writer holds `<log>.lock`, reads and checks
the whole log under it (so it never chains onto a broken log), moves a torn
tail to `<log>.quarantine` (appended and fsynced there before the log is cut),
appends its records in one write, and fsyncs before the lock is released.
Every file here is opened without following links and must be a regular file
(`geo._files`).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from geo._canonical import GENESIS, canonical_json, record_hash
from geo._files import append_synced, exclusive_lock, fsync_folder, open_regular, read_all, write_all
from geo._json import JSONRefused, decode
from geo.errors import ObservationError, Problem
from geo.text import ID

if TYPE_CHECKING:
    from pathlib import Path

Build = Callable[[list[dict[str, Any]]], list[dict[str, Any]]]

MAX_RECORD_BYTES = 1 << 20
"""The longest line a record may take (a note is at most 10,000 characters; 1 MiB leaves room for evidence)."""

RESTORE = "restore the log from a copy (the chain cannot be repaired in place: the log is append-only)"
_HASH = re.compile(r"[0-9a-f]{64}")
_RAW = json.JSONDecoder()


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


@dataclass
class LogScan:
    """A log's bytes, checked: its records, every problem, and what a writer must do at its end."""

    records: list[dict[str, Any]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    """The line number of each record."""
    problems: list[Problem] = field(default_factory=list)
    good_size: int = 0
    """Bytes before the torn tail (all of them when there is none)."""
    torn: bytes = b""
    torn_line: int = 0
    unterminated: bool = False
    """The last record is complete and valid but its newline is missing: a writer appends it."""

    @property
    def head(self) -> str:
        """The hash the next record chains onto."""
        return str(self.records[-1].get("hash")) if self.records else GENESIS

    @property
    def damage(self) -> list[Problem]:
        """The problems no writer may build on: every one but a torn tail."""
        return [p for p in self.problems if not (self.torn and p.line == self.torn_line and p.found.startswith("torn"))]


def lock_path(path: Path) -> Path:
    """The lock file every writer of `path` holds."""
    return path.with_name(path.name + ".lock")


def quarantine_path(path: Path) -> Path:
    """Where torn tails of `path` are kept, never deleted."""
    return path.with_name(path.name + ".quarantine")


def broken_log(path: Path, problems: list[Problem], hint: str = "") -> ObservationError:
    """The error `verify` ends with and every other reader refuses a broken log with: its first problem, on one line."""
    return ObservationError(*(p.at({"file": str(path)}) for p in problems), hint=hint)


# --- reading --------------------------------------------------------------------------------


def _is_torn(fragment: bytes) -> bool:
    """Whether a last line that is not a record can be what an interrupted write leaves.

    A writer writes whole lines, so a crash leaves a prefix of one record (or
    zeros the file system had not filled yet): never a complete JSON value
    followed by more, and never longer than a record may be.
    """
    if len(fragment) > MAX_RECORD_BYTES or b"\r" in fragment:
        return False
    try:
        _RAW.raw_decode(fragment.decode("utf-8", "surrogateescape"))
    except json.JSONDecodeError:
        return True
    except (ValueError, RecursionError):  # a 5,000-digit number, nesting thousands deep: made, not torn
        return False
    return False


def _line_problem(number: int, line: bytes) -> tuple[dict[str, Any] | None, Problem | None]:
    def problem(found: str) -> tuple[None, Problem]:
        return None, Problem(line=number, kind="record", found=found, fix=RESTORE)

    if len(line) > MAX_RECORD_BYTES:
        return problem(f"{len(line):,} bytes, over the {MAX_RECORD_BYTES:,} a record may take")
    if b"\r" in line:
        return problem("a carriage return (CR): the line ends were converted to CR or CRLF, so these are not the bytes hashed")
    try:
        record = decode(line)
    except JSONRefused as error:
        return problem(f"not a JSON record: {error}")
    if not isinstance(record, dict):
        return problem(f"a JSON {type(record).__name__}, not an object")
    try:
        canonical = canonical_json(record)
    except (ValueError, UnicodeEncodeError) as error:
        reason = "a lone surrogate, which is not text" if isinstance(error, UnicodeEncodeError) else "a number that is not finite"
        return problem(f"not a JSON record: it holds {reason}")
    if canonical != line:
        record_id = record.get("id") if isinstance(record.get("id"), str) else None
        found = "not in canonical form (keys sorted, no spaces, characters as heritage-map writes them): not the bytes hashed"
        return None, Problem(line=number, kind="record", feature=record_id, found=found, fix=RESTORE)
    return record, None


def scan(path: Path, data: bytes) -> LogScan:
    """Check every line of `data` (the bytes of `path`): canonical bytes, hash, chain, unique ids.

    Never raises for what the bytes hold; every problem is in the result.
    """
    result = LogScan(good_size=len(data))
    lines = data.split(b"\n")
    tail = lines.pop()  # bytes after the last newline: b"" when the file ends cleanly
    if tail:
        if _is_torn(tail):
            result.torn, result.torn_line, result.good_size = tail, len(lines) + 1, len(data) - len(tail)
        else:
            lines.append(tail)
            result.unterminated = True
    elif lines and _is_torn(lines[-1]) and _line_problem(len(lines), lines[-1])[0] is None:
        torn = lines.pop()
        result.torn, result.torn_line, result.good_size = torn + b"\n", len(lines) + 1, len(data) - len(torn) - 1

    expected: str | None = GENESIS
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        record, problem = _line_problem(number, line)
        if record is None:
            assert problem is not None
            if result.unterminated and number == len(lines):
                problem = replace(problem, found=problem.found + " (and no line end)")
            result.problems.append(problem)
            expected = None
            continue
        result.records.append(record)
        result.lines.append(number)
        result.problems.extend(_record_problems(number, line, record, expected, seen))
        stored = record.get("hash")
        expected = stored if isinstance(stored, str) else None
    if result.torn:
        result.problems.append(_torn_problem(path, result.torn_line, len(result.torn)))
    if result.unterminated and result.problems and result.problems[-1].line == len(lines):
        result.unterminated = False  # a broken last record is damage, not a missing newline
    return result


def _body_hash(line: bytes, stored: str) -> str:
    """SHA-256 of the canonical JSON of the record without `hash`, cut out of its canonical line.

    The line is the canonical JSON of the record (checked before), so taking
    out its top-level `"hash":"<stored>"` member leaves the bytes
    `record_hash` would encode, without encoding the record a second time
    (a third of `verify`'s time). Keys are sorted, so that member is the first
    one of its text unless a nested object holds the same 64 hex digits
    before it; cutting that one instead gives another hash, and the caller
    then encodes the record the slow way (a record cannot hold its own hash,
    so this never passes a changed record).
    """
    member = b'"hash":"' + stored.encode("ascii") + b'"'
    if line.startswith(b"{" + member):
        rest = line[1 + len(member) :]
        return hashlib.sha256(b"{" + rest.removeprefix(b",")).hexdigest()
    cut = line.find(b"," + member)
    if cut < 0:
        return ""
    return hashlib.sha256(line[:cut] + line[cut + 1 + len(member) :]).hexdigest()


def _record_problems(
    number: int, line: bytes, record: dict[str, Any], expected: str | None, seen: dict[str, int]
) -> list[Problem]:
    problems = []
    record_id = record.get("id") if isinstance(record.get("id"), str) else None
    if record_id is None or not ID.fullmatch(record_id):
        problems.append(
            Problem(line=number, kind="record", field="id", found=f"{record.get('id')!r} is not a lowercase slug id", fix=RESTORE)
        )
    elif record_id in seen:
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
    else:
        seen[record_id] = number
    stored, prev = record.get("hash"), record.get("prev_hash")
    fast = isinstance(stored, str) and _HASH.fullmatch(stored) and _body_hash(line, stored) == stored
    if not fast and stored != (recomputed := record_hash(record)):
        found = f"stored {str(stored)[:12]}..., recomputed {recomputed[:12]}...: the record was changed after it was written"
        problems.append(Problem(line=number, kind="record", feature=record_id, field="hash", found=found, fix=RESTORE))
    if not (isinstance(prev, str) and _HASH.fullmatch(prev)):
        found = f"{str(prev)[:20]!r} is not a SHA-256 hash"
        problems.append(Problem(line=number, kind="record", feature=record_id, field="prev_hash", found=found, fix=RESTORE))
    elif expected is not None and prev != expected:
        link = (
            "the genesis hash (records before it were removed)"
            if expected == GENESIS
            else f"the hash of line {number - 1} ({expected[:12]}...): a record before it was removed, inserted or reordered"
        )
        problems.append(
            Problem(
                line=number,
                kind="record",
                feature=record_id,
                field="prev_hash",
                found=f"{prev[:12]}... is not {link}",
                fix=RESTORE,
            )
        )
    return problems


def _torn_problem(path: Path, line: int, size: int) -> Problem:
    return Problem(
        line=line,
        kind="record",
        found=f"torn last line ({size} bytes; not a complete JSON record): a writer was interrupted",
        fix=f"the next `heritage-map observe` write, or `heritage-map verify --quarantine-tail`, "
        f"moves it to {quarantine_path(path).name}",
    )


def read_bytes(path: Path) -> bytes | None:
    """The bytes of the log (a regular file, no link followed); None when it does not exist."""
    try:
        descriptor = open_regular(path)
    except FileNotFoundError:
        return None
    try:
        return read_all(descriptor, os.fstat(descriptor).st_size)
    finally:
        os.close(descriptor)


# --- writing --------------------------------------------------------------------------------


def chain(records: list[dict[str, Any]], previous: str) -> list[dict[str, Any]]:
    """`records` linked after the hash `previous`, each with its `prev_hash` and `hash`."""
    chained = []
    for record in records:
        body = {k: v for k, v in record.items() if k not in ("prev_hash", "hash")}
        body["prev_hash"] = previous
        try:
            body["hash"] = previous = record_hash(body)
        except (ValueError, UnicodeEncodeError) as error:
            raise ObservationError(
                Problem(
                    kind="record",
                    feature=str(body.get("id")),
                    found=f"cannot be written as JSON ({error})",
                    fix="give finite numbers and valid text",
                )
            ) from None
        chained.append(body)
    return chained


def _quarantine(path: Path, found: LogScan) -> Quarantine:
    target = quarantine_path(path)
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    header = f"# {stamp} quarantined from {path.name} line {found.torn_line} byte {found.good_size} ({len(found.torn)} bytes)\n"
    end = b"" if found.torn.endswith(b"\n") else b"\n"
    append_synced(target, header.encode("utf-8") + found.torn + end)
    return Quarantine(path, found.torn_line, found.good_size, len(found.torn), target)


def locked_append(
    path: Path,
    build: Build,
    on_quarantine: Callable[[Quarantine], None],
    timeout: float = 60,
) -> list[dict[str, Any]]:
    """Append what `build(existing records)` returns to `path`, chained, under the lock.

    `build` sees the log as it is once the lock is held, so checks that depend
    on it (unique ids, one decision per observation) cannot race. It may raise
    to write nothing. A log with any damage is refused (ObservationError, the
    line `verify` gives); a torn tail is quarantined first (and reported
    through `on_quarantine`) even when `build` then refuses.
    """
    if not path.parent.is_dir():
        raise ObservationError(
            Problem(file=str(path.parent), found="folder not found", fix="pass --data to the folder that holds the layers")
        )
    lock = lock_path(path)
    try:
        with exclusive_lock(lock, timeout):
            return _append_holding_lock(path, build, on_quarantine)
    except TimeoutError:
        raise ObservationError(
            f"{path}: another writer has held {lock.name} for over {timeout:g} s; "
            "fix: wait for the other heritage-map command to finish and run this one again"
        ) from None


def _append_holding_lock(path: Path, build: Build, on_quarantine: Callable[[Quarantine], None]) -> list[dict[str, Any]]:
    try:
        descriptor: int | None = open_regular(path, os.O_RDWR | os.O_APPEND, writing=True)
    except FileNotFoundError:
        descriptor = None
    try:
        data = b"" if descriptor is None else read_all(descriptor, os.fstat(descriptor).st_size)
        found = scan(path, data)
        if found.damage:
            raise broken_log(path, found.damage, hint="nothing was written")
        if found.torn:
            assert descriptor is not None
            moved = _quarantine(path, found)
            os.ftruncate(descriptor, found.good_size)
            os.fsync(descriptor)
            on_quarantine(moved)
        written = chain(build(found.records), found.head)
        payload = (b"\n" if found.unterminated else b"") + b"".join(canonical_json(r) + b"\n" for r in written)
        if payload:
            created = descriptor is None
            if descriptor is None:
                descriptor = open_regular(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_EXCL, writing=True)
            write_all(descriptor, payload)
            os.fsync(descriptor)
            if created:
                fsync_folder(path.parent)
        return written
    finally:
        if descriptor is not None:
            os.close(descriptor)


def quarantine_tail(path: Path, on_quarantine: Callable[[Quarantine], None], timeout: float = 60) -> None:
    """Move a torn tail of `path` to the quarantine file (and end an unterminated last record), appending nothing."""
    if path.exists():
        locked_append(path, lambda existing: [], on_quarantine, timeout)
