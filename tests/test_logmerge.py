"""Logs a team can merge: `heritage-map log merge`, and the same as git's merge driver on two real branches."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from geo._canonical import canonical_json
from geo.anchor import check_anchor, log_anchor, public_anchor
from geo.cli import main
from geo.errors import ObservationError
from geo.logmerge import merge_problems, merge_records
from geo.observations import add_observations, read_log, verify_log
from tests.layers import write_layers
from tests.signing import key_path, register, signer

ROOT = Path(__file__).resolve().parents[1]


def observation(site: str, note: str) -> dict[str, Any]:
    return {
        "kind": "observation",
        "site_id": site,
        "status": "unknown",
        "observed_on": "2024-05-01",
        "recorded_at": "2024-05-02T00:00:00Z",
        "before_scene": None,
        "after_scene": None,
        "evidence": [],
        "origin": "monitor",
        "note": note,
        "visibility": "public",
    }


def add(data: Path, name: str, count: int, role: str = "analyst") -> None:
    """`count` observations, each appended on its own as `observe add` would, signed by `name`."""
    key = signer(data, Path(key_path(data, name, role)))
    for n in range(count):
        add_observations(
            data / "observations.jsonl", [observation("site-church" if n % 2 else "site-cemetery", f"{name} {n}")], key
        )


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=False)
    assert done.returncode == 0, (args, done.stdout, done.stderr)
    return done.stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository whose data folder has a keyring (Admin, Ann), with the README's merge driver configured."""
    repo = tmp_path / "repo"
    data = write_layers(repo / "layers")
    key_path(data, "Ann", "analyst")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.email", "team@example.org")
    git(repo, "config", "user.name", "Team")
    # The README's two lines: the attributes (committed) and the driver (each clone's own config).
    (repo / ".gitattributes").write_text(
        "observations.jsonl merge=heritage-map-log\nkeyring.jsonl merge=heritage-map-log\n", encoding="utf-8"
    )
    git(repo, "config", "merge.heritage-map-log.name", "heritage-map log merge")
    git(repo, "config", "merge.heritage-map-log.driver", f"{sys.executable} -m geo log merge %B --into %A")
    (repo / ".gitignore").write_text("keys/\n", encoding="utf-8")  # private keys never go into the repository
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "common log")
    return repo


def test_two_git_branches_that_each_add_fifty_records_merge_into_one(repo: Path) -> None:
    data = repo / "layers"
    common = len(read_log(data / "observations.jsonl"))
    anchors = {}
    for branch, analyst in (("yerevan", "Dan"), ("stepanakert", "Eve")):
        git(repo, "checkout", "-q", "-b", branch, "main")
        add(data, analyst, 50)  # each branch registers a key of its own, so the keyrings diverge too
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", f"{analyst}'s 50 observations")
        records = read_log(data / "observations.jsonl")
        anchors[branch] = (log_anchor(records), public_anchor(records))
    git(repo, "checkout", "-q", "yerevan")
    git(repo, "merge", "-q", "--no-edit", "stepanakert")
    assert git(repo, "status", "--porcelain") == ""
    merged = read_log(data / "observations.jsonl")
    new = [r for r in merged[common:] if r.get("kind") == "observation"]
    assert len(new) == 100 and len({r["id"] for r in new}) == 100
    assert sorted(r["note"] for r in new) == sorted([f"Dan {n}" for n in range(50)] + [f"Eve {n}" for n in range(50)])
    assert merged[-1]["kind"] == "merge"
    report = verify_log(data / "observations.jsonl", data)
    assert report.ok, report.problems
    for log_kept, public_kept in anchors.values():  # anchors published from either branch still hold
        assert check_anchor(merged, log_kept) is None and check_anchor(merged, public_kept) is None
    result = CliRunner().invoke(main, ["verify", "--data", str(data), "--against", anchors["stepanakert"][0].given()])
    assert result.exit_code == 0, result.output
    # Whichever side runs the merge, the bytes are the same.
    mine = (data / "observations.jsonl").read_bytes()
    git(repo, "checkout", "-q", "-b", "other-way", "stepanakert")
    git(repo, "merge", "-q", "--no-edit", "yerevan~0")
    assert (data / "observations.jsonl").read_bytes() == mine


def test_a_merge_keeps_each_copys_order_and_every_record_once() -> None:
    def chained(notes: list[str], previous: list[dict[str, Any]]) -> list[dict[str, Any]]:
        from geo.logmerge import rechain

        bodies = [{"kind": "observation", "id": f"obs-{n}", "recorded_at": at, "note": n} for n, at in notes]
        return previous + rechain(bodies, previous[-1]["hash"] if previous else "0" * 64)

    base = chained([("base", "2024-01-01")], [])
    # Each copy's own order runs against the merge's (recorded_at, id) order, and both hold one shared record.
    ours = chained([("late-a", "2024-03-01"), ("early-a", "2024-02-01"), ("shared", "2024-02-15")], base)
    theirs = chained([("shared", "2024-02-15"), ("mid-b", "2024-02-10")], base)
    merged = merge_records(ours, theirs)
    assert merged == merge_records(theirs, ours)
    ids = [r["id"] for r in merged]
    assert sorted(set(ids)) == sorted(ids) and set(ids[1:-1]) == {"obs-late-a", "obs-early-a", "obs-shared", "obs-mid-b"}
    assert ids.index("obs-late-a") < ids.index("obs-early-a")  # ours' own order, against the dates
    assert ids.index("obs-shared") < ids.index("obs-mid-b")  # theirs' own order; the shared record comes once, first
    assert merge_problems(merged, list(range(1, len(merged) + 1))) == []
    assert check_anchor(merged, log_anchor(ours)) is None and check_anchor(merged, log_anchor(theirs)) is None
    assert merge_records(ours, base) == ours  # a copy that is a prefix of the other adds nothing
    lying = [dict(r) for r in merged]
    lying[-1]["sides"][0]["records"] += 1
    assert merge_problems(lying, list(range(1, len(lying) + 1)))[0].field == "sides"


def test_copies_that_share_no_first_record_or_change_one_are_refused() -> None:
    from geo.logmerge import rechain

    one = rechain([{"kind": "observation", "id": "obs-a", "note": "x"}], "0" * 64)
    other = rechain([{"kind": "observation", "id": "obs-b", "note": "y"}], "0" * 64)
    with pytest.raises(ObservationError, match="share no first record"):
        merge_records(one, other)
    changed = one + rechain([{"kind": "observation", "id": "obs-c", "note": "1"}], one[-1]["hash"])
    also = one + rechain([{"kind": "observation", "id": "obs-c", "note": "2"}], one[-1]["hash"])
    with pytest.raises(ObservationError, match="record 'obs-c': is in both copies with different contents"):
        merge_records(changed, also)


def test_log_merge_from_the_command_line(tmp_path: Path) -> None:
    data = write_layers(tmp_path / "layers")
    key_path(data, "Ann", "analyst")
    copy = tmp_path / "copy"
    copy.mkdir()
    for name in ("observations.jsonl", "keyring.jsonl"):
        (copy / name).write_bytes((data / name).read_bytes())
    add(data, "Ann", 2)
    ann = signer(data, Path(key_path(data, "Ann")))
    add_observations(copy / "observations.jsonl", [observation("site-church", "from the copy")], ann)
    result = CliRunner().invoke(main, ["log", "merge", str(copy / "observations.jsonl"), "--data", str(data)])
    assert result.exit_code == 0, result.output
    assert "1 new from observations.jsonl" in result.stderr
    assert verify_log(data / "observations.jsonl", data).ok
    notes = [r.get("note") for r in read_log(data / "observations.jsonl")][-4:-1]
    assert sorted(notes) == ["Ann 0", "Ann 1", "from the copy"]  # one recorded_at: ordered by their random ids
    again = CliRunner().invoke(main, ["log", "merge", str(copy / "observations.jsonl"), "--data", str(data)])
    assert again.exit_code == 0 and (data / "observations.jsonl").read_bytes() == b"".join(
        canonical_json(r) + b"\n" for r in read_log(data / "observations.jsonl")
    )


def test_keyrings_that_each_added_keys_merge_and_every_entry_still_holds(tmp_path: Path) -> None:
    """One copy's admin adds a second admin who adds a reviewer; the other copy adds an analyst: the merge keeps both."""
    from geo.keyring import checked_keyring, keyring_path

    data = write_layers(tmp_path / "layers")
    key_path(data, "Admin", "admin")
    copy = write_layers(tmp_path / "copy" / "layers")
    (copy / "keyring.jsonl").write_bytes((data / "keyring.jsonl").read_bytes())
    (copy.parent / "keys").mkdir()
    for name in ("Admin_ed25519", "Admin_ed25519.pub"):
        (copy.parent / "keys" / name).write_bytes((data.parent / "keys" / name).read_bytes())
    carl = key_path(data, "Carl", "admin")
    register(data, "Dan", "reviewer", Path(carl))  # signed by an admin this copy registered
    key_path(copy, "Eve", "analyst")
    result = CliRunner().invoke(main, ["log", "merge", str(copy / "keyring.jsonl"), "--into", str(data / "keyring.jsonl")])
    assert result.exit_code == 0, result.output
    keyring = checked_keyring(keyring_path(data / "observations.jsonl"))
    assert sorted(key.name for key in keyring.keys.values()) == ["Admin", "Carl", "Dan", "Eve"]
    assert keyring.records[-1]["kind"] == "merge"
