"""Publishing from the workspace: validate, then build the maps, in the background, one publish at a time.

Why subprocesses run from a thread: the build is the command line's own
(`heritage-map validate`, then `heritage-map build`), so a publish from the
browser is exactly a publish from the terminal; in a process of its own it
cannot stall the server's request threads or take the server down, and its
output (one line per file written) is the progress shown. Why a file lock in
the state folder: two publishes must never run at once, also when two server
processes share one state folder. The build goes to a folder beside the maps
folder and replaces it only when it succeeded, so readers of the maps never
see half a build; the build before is kept as `<maps>.previous`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from collections import deque
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from filelock import FileLock, Timeout

if TYPE_CHECKING:
    from pathlib import Path

    from geo.workspace.config import Workspace

STATUS_FILE = "publish.json"
LOCK_FILE = "publish.lock"
KEPT_LINES = 12


@dataclass(frozen=True)
class PublishStatus:
    """The last publish: who started it, what it is doing or how it ended, and the files it wrote."""

    state: str = "never"  # never | running | succeeded | failed | interrupted
    step: str = ""
    by: str = ""
    started_at: str = ""
    finished_at: str = ""
    files_written: int = 0
    messages: list[str] = field(default_factory=list)

    @property
    def running(self) -> bool:
        """True while a publish is under way."""
        return self.state == "running"


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _lock(workspace: Workspace) -> FileLock:
    # Not thread-local: the request thread takes the lock and the publishing thread releases it.
    return FileLock(str(workspace.state_dir / LOCK_FILE), thread_local=False)


def _save(workspace: Workspace, status: PublishStatus) -> None:
    path = workspace.state_dir / STATUS_FILE
    partial = path.with_name(f"{path.name}.{threading.get_ident()}.part")
    partial.write_text(json.dumps(asdict(status), indent=1), encoding="utf-8")
    os.replace(partial, path)


def status(workspace: Workspace) -> PublishStatus:
    """The last publish's status; a `running` one whose lock is free was cut short (the server stopped)."""
    path = workspace.state_dir / STATUS_FILE
    try:
        found = PublishStatus(**json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return PublishStatus()
    if found.running:
        lock = _lock(workspace)
        try:
            lock.acquire(timeout=0)
        except Timeout:
            return found
        lock.release()
        return replace(found, state="interrupted")
    return found


def start(workspace: Workspace, by: str) -> bool:
    """Start a publish in the background for account `by`; False when one is already running (nothing started)."""
    lock = _lock(workspace)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        return False
    try:
        started = PublishStatus(state="running", step="validate", by=by, started_at=_now())
        _save(workspace, started)
        threading.Thread(target=_publish, args=(workspace, started, lock), name="heritage-map publish", daemon=True).start()
    except BaseException:
        lock.release()
        raise
    return True


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "geo", *args]


def _publish(workspace: Workspace, current: PublishStatus, lock: FileLock) -> None:
    try:
        current = _run(workspace, current)
    except Exception as error:  # the outcome must be shown, whatever went wrong
        current = replace(current, state="failed", messages=[*current.messages, f"{type(error).__name__}: {error}"])
    finally:
        _save(workspace, replace(current, finished_at=_now()))
        lock.release()


def _run(workspace: Workspace, current: PublishStatus) -> PublishStatus:
    data = str(workspace.data_dir)
    validated = subprocess.run(_command("validate", "--data", data), capture_output=True, text=True, check=False)
    lines = validated.stderr.splitlines()
    if validated.returncode != 0:
        return replace(current, state="failed", messages=lines[-KEPT_LINES:])
    current = replace(current, step="build", messages=lines[-1:])
    _save(workspace, current)
    target = workspace.maps_dir
    staging = target.with_name(f"{target.name}.publishing")
    shutil.rmtree(staging, ignore_errors=True)
    build = _command("build", "--data", data, "--out", str(staging), "--tiles", workspace.tiles)
    with subprocess.Popen(build, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as process:
        assert process.stdout is not None and process.stderr is not None
        written = 0
        for _line in process.stdout:
            written += 1
            if written % 25 == 0:
                current = replace(current, files_written=written)
                _save(workspace, current)
        errors: deque[str] = deque(process.stderr, maxlen=KEPT_LINES)
        returncode = process.wait()
    current = replace(current, files_written=written)
    if returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        return replace(current, state="failed", messages=[*current.messages, *(e.rstrip() for e in errors)])
    _swap(staging, target)
    return replace(current, state="succeeded", step="done", messages=[*current.messages, *(e.rstrip() for e in errors)])


def _swap(staging: Path, target: Path) -> None:
    previous = target.with_name(f"{target.name}.previous")
    if target.exists():
        shutil.rmtree(previous, ignore_errors=True)
        os.replace(target, previous)
    os.replace(staging, target)


def summary(status: PublishStatus) -> dict[str, Any]:
    """The status as a template shows it."""
    return asdict(status) | {"running": status.running}
