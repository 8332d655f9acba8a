"""`heritage-map serve` started for a test on 127.0.0.1 on a free port, and stopped after it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

PASSWORD = "a long enough passphrase"
START_SECONDS = 60


@dataclass(frozen=True)
class Server:
    """A running workspace: its address and its folders."""

    url: str
    data_dir: Path
    state_dir: Path
    maps_dir: Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def heritage_map(*args: str) -> list[str]:
    return [sys.executable, "-m", "geo", *args]


def create_admin(data_dir: Path, state_dir: Path, username: str, full_name: str) -> None:
    """`serve --create-admin`, the password from the environment as a script gives it."""
    env = {**os.environ, "HERITAGE_MAP_ADMIN_PASSWORD": PASSWORD}
    subprocess.run(
        heritage_map(
            "serve", "--data", str(data_dir), "--state", str(state_dir), "--create-admin", username, "--full-name", full_name
        ),
        check=True,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
    )


@contextmanager
def running_workspace(data_dir: Path, state_dir: Path, maps_dir: Path, *options: str) -> Iterator[Server]:
    """The workspace served until the block ends; its stderr is shown if it fails to start."""
    port = free_port()
    command = heritage_map(
        "serve", "--data", str(data_dir), "--state", str(state_dir), "--maps", str(maps_dir), "--port", str(port), *options
    )
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"heritage-map serve exited {process.returncode}: {process.stderr.read().decode()}")  # type: ignore[union-attr]
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield Server(f"http://127.0.0.1:{port}", data_dir, state_dir, maps_dir)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr:
            process.stderr.close()
