"""`heritage-map serve`'s own checks, run as a user runs them (a separate process: it sets Django up itself)."""

from __future__ import annotations

import os
import stat
import subprocess
from typing import TYPE_CHECKING

from geo.workspace.config import default_state_dir, secret_key
from tests.layers import write_layers
from tests.workspace_server import PASSWORD, heritage_map

if TYPE_CHECKING:
    from pathlib import Path


def serve(*args: str, password: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "HERITAGE_MAP_ADMIN_PASSWORD"}
    if password is not None:
        env["HERITAGE_MAP_ADMIN_PASSWORD"] = password
    return subprocess.run(
        heritage_map("serve", *args), env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False
    )


def test_create_admin_reads_the_password_from_the_environment_and_keeps_the_key_private(tmp_path: Path) -> None:
    data = write_layers(tmp_path / "layers")
    done = serve("--data", str(data), "--create-admin", "ada", "--full-name", "Ada Admin", password=PASSWORD)
    assert done.returncode == 0, done.stderr
    assert done.stderr == "created admin account 'ada'; start the workspace with heritage-map serve and log in\n"
    state = default_state_dir(data)
    assert state == tmp_path / "layers.workspace"
    assert stat.S_IMODE((state / "secret_key").stat().st_mode) == 0o600
    signing = state / "workspace_ed25519"  # the key the workspace signs with, ready for an admin to register
    assert stat.S_IMODE(signing.stat().st_mode) == 0o600 and (state / "workspace_ed25519.pub").read_text().startswith(
        "ssh-ed25519 "
    )
    assert stat.S_IMODE(state.stat().st_mode) == 0o700
    assert (state / "workspace.sqlite3").is_file()
    assert not (data / "workspace.sqlite3").exists()
    again = serve("--data", str(data), "--create-admin", "ada", password=PASSWORD)
    assert again.returncode == 1
    assert again.stderr == (
        "heritage-map: error: account 'ada' already exists; fix: choose another username, or log in with it\n"
    )


def test_create_admin_without_a_terminal_or_the_variable_is_a_usage_error(tmp_path: Path) -> None:
    done = serve("--data", str(write_layers(tmp_path / "layers")), "--create-admin", "ada")
    assert done.returncode == 2
    assert "no terminal to ask the password on: set HERITAGE_MAP_ADMIN_PASSWORD instead" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_weak_admin_password_is_refused_on_one_line(tmp_path: Path) -> None:
    done = serve("--data", str(write_layers(tmp_path / "layers")), "--create-admin", "ada", password="12345678")
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1
    assert "password refused: This password is too short" in done.stderr and "This password is entirely numeric" in done.stderr


def test_the_state_folder_is_never_inside_the_maps_folder(tmp_path: Path) -> None:
    data = write_layers(tmp_path / "layers")
    done = serve("--data", str(data), "--maps", str(tmp_path / "maps"), "--state", str(tmp_path / "maps" / "state"))
    assert done.returncode == 2
    assert "keep it out of the maps and data folders" in done.stderr


def test_a_missing_data_folder_is_one_line(tmp_path: Path) -> None:
    done = serve("--data", str(tmp_path / "nowhere"))
    assert done.returncode == 1
    assert done.stderr.startswith("heritage-map: error: ") and done.stderr.count("\n") == 1


def test_the_secret_key_is_made_once(tmp_path: Path) -> None:
    first = secret_key(tmp_path / "state")
    assert len(first) >= 50 and secret_key(tmp_path / "state") == first
