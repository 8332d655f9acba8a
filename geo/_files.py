"""Opening the files of a data folder without following links into the rest of the machine.

Why a module of its own: a copy of a data folder can carry a planted symbolic
link (`observations.jsonl.quarantine -> ~/.bashrc`), a FIFO that blocks a
reader for ever, or a device that never ends (`/dev/zero`). Every file the tool
reads or writes beside the data is opened here: with `O_NOFOLLOW` (a link in
the last component is refused by the kernel, not by a check that a swap could
race), `O_NONBLOCK` (so a FIFO cannot block the open) and then checked on the
opened descriptor: it must be a regular file. Files written are also refused
when they have other hard links, since appending to one would change the other.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import os
import stat
import time
from contextlib import contextmanager
from typing import TYPE_CHECKING

from geo.errors import Problem, UnsafeFileError

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

_NOFOLLOW = os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)
LINK_FIX = "replace it by the file itself (a data folder holds no links), or remove it"


def _refused(path: Path | None, found: str, fix: str) -> UnsafeFileError:
    return UnsafeFileError(Problem(file=None if path is None else str(path), found=found, fix=fix))


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def open_regular(path: Path, flags: int = os.O_RDONLY, *, writing: bool = False, mode: int = 0o644) -> int:
    """A descriptor on `path`, which must be a regular file and not a symbolic link.

    `writing` also refuses a file with other hard links. Raises
    UnsafeFileError naming the file, what it is and the fix;
    FileNotFoundError passes through when `flags` do not create the file.
    """
    try:
        descriptor = os.open(path, flags | _NOFOLLOW, mode)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise _refused(path, "a symbolic link", LINK_FIX) from None
        if error.errno == errno.ENXIO:  # a FIFO with no reader, opened for writing
            raise _refused(path, "a FIFO (named pipe), not a regular file", LINK_FIX) from None
        raise
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise _refused(path, f"{_kind(info.st_mode)}, not a regular file", LINK_FIX)
        if writing and info.st_nlink > 1:
            raise _refused(
                path,
                f"has {info.st_nlink} hard links, so writing to it would change another file too",
                "copy it to a file of its own (cp FILE FILE.new && mv FILE.new FILE)",
            )
        os.set_blocking(descriptor, True)
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor


def read_regular(path: Path, limit: int) -> bytes:
    """The bytes of the regular file `path` (no link followed), refused when larger than `limit`."""
    descriptor = open_regular(path)
    try:
        size = os.fstat(descriptor).st_size
        if size > limit:
            raise _refused(path, f"{size:,} bytes, over the {limit:,} bytes this file may hold", "check it is the right file")
        return read_all(descriptor, size)
    finally:
        os.close(descriptor)


def read_all(descriptor: int, size: int) -> bytes:
    """`size` bytes from the start of an open regular file (fewer if it shrank meanwhile)."""
    chunks, offset = [], 0
    while offset < size:
        chunk = os.pread(descriptor, min(size - offset, 1 << 24), offset)
        if not chunk:
            break
        chunks.append(chunk)
        offset += len(chunk)
    return b"".join(chunks)


def write_all(descriptor: int, data: bytes) -> None:
    """Write every byte of `data` (a short write is continued, not dropped)."""
    view = memoryview(data)
    while view:
        view = view[os.write(descriptor, view) :]


def append_synced(path: Path, data: bytes) -> None:
    """Append `data` to the regular file `path` (created if missing, no link followed) and fsync it."""
    descriptor = open_regular(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, writing=True)
    try:
        write_all(descriptor, data)
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


@contextmanager
def exclusive_lock(path: Path, timeout: float) -> Iterator[None]:
    """Hold an exclusive `flock` on the regular file `path` (created if missing, no link followed).

    Raises TimeoutError when another process holds the lock for more than
    `timeout` seconds. The `filelock` package
    opens the path itself, so it cannot be told to refuse a FIFO there, and
    versions before 4 follow a link there; the descriptor is opened here
    instead, and the kernel's `flock` is what it would take anyway.
    """
    descriptor = open_regular(path, os.O_RDWR | os.O_CREAT, writing=True)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise TimeoutError(str(path)) from None
                time.sleep(0.02)
        try:
            yield
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
    finally:
        os.close(descriptor)


def fsync_folder(folder: Path) -> None:
    """Make a file created in `folder` survive a crash (its directory entry is on disk)."""
    descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


_SPECIAL_TREES = ("/proc", "/sys", "/dev")
_INSIDE = "copy the file into {base} (or a folder below it) and give its path relative to it"


def confined_file(base: Path, given: str) -> Path:
    """The file that the relative path `given` names inside the folder `base`, resolved.

    Refused (UnsafeFileError, saying why and what to do): an absolute path, a
    path that leads out of `base` through `..` or a link, and anything under
    /proc, /sys or /dev. FileNotFoundError when nothing is there. The file
    itself is checked when it is opened (`sha256_regular`).
    """
    if not given or "\x00" in given:
        raise _refused(None, f"{given!r}: not a file path", f"give a file path relative to {base}")
    if os.path.isabs(given) or given.startswith("~"):
        raise _refused(
            None, f"{given!r}: an absolute path", f"give the path relative to {base} (copy the file there if it is elsewhere)"
        )
    if os.path.normpath(given).split(os.sep, 1)[0] == "..":
        raise _refused(None, f"{given!r}: leads out of {base} (through '..')", _INSIDE.format(base=base))
    root = base.resolve()
    try:
        real = (root / given).resolve(strict=True)
    except (RuntimeError, OSError) as error:  # a loop of links, a name too long
        if isinstance(error, FileNotFoundError):
            raise
        raise _refused(None, f"{given!r}: cannot be resolved ({error})", f"give a plain file path relative to {base}") from None
    if real != root and root not in real.parents:
        raise _refused(None, f"{given!r}: leads out of {base} (through a link)", _INSIDE.format(base=base))
    if any(str(real) == tree or str(real).startswith(tree + "/") for tree in _SPECIAL_TREES):
        raise _refused(None, f"{given!r}: a system file ({real}), not evidence", "give the path of the evidence file")
    return real


def sha256_regular(path: Path, chunk: int = 1 << 20) -> str:
    """SHA-256 (hex) of the regular file `path`, read through one descriptor opened without following a link."""
    digest = hashlib.sha256()
    descriptor = open_regular(path)
    try:
        while block := os.read(descriptor, chunk):
            digest.update(block)
    finally:
        os.close(descriptor)
    return digest.hexdigest()
