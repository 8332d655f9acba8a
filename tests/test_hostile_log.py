"""A hostile copy of the data folder against every command that reads or writes the log.

Each hostile log is a valid log changed as someone with a copy of the folder
could change it. Every command that reads the log must refuse it: exit 1, one
line on stderr (validate: one error line, then its count), no traceback, the
log's bytes as they were, no quarantine made and nothing built or exported.
Then the files beside the log: planted links, FIFOs and hard links are
refused and nothing is written through them.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner, Result

from geo._canonical import canonical_json, record_hash
from geo._logfile import MAX_RECORD_BYTES
from geo.cli import main
from geo.observations import append_records, read_log, verify_log
from tests.layers import default_log, observation_chain, write_layers
from tests.signing import key_path

if TYPE_CHECKING:
    from collections.abc import Callable

ROOT = Path(__file__).resolve().parent.parent

PENDING = {
    "kind": "observation",
    "id": "obs-site-church-2",
    "site_id": "site-church",
    "status": "damaged",
    "observed_on": "2024-05-01",
    "recorded_at": "2024-05-02T00:00:00Z",
    "before_scene": None,
    "after_scene": None,
    "evidence": [{"url": "https://example.org/report"}],
    "analyst": "Ann",
    "origin": "monitor",
    "note": None,
    "visibility": "public",
}


def good_records() -> list[dict[str, Any]]:
    return [*default_log(), PENDING]


def chained(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in observation_chain(records).splitlines()]


def line_of(record: dict[str, Any], **dumps: Any) -> bytes:
    """A record as a line, hashed the way `record_hash` hashes it, but written with `json.dumps(**dumps)`."""
    return json.dumps(record, sort_keys=True, **dumps).encode("utf-8")


def appended(body: dict[str, Any], text: Callable[[dict[str, Any]], bytes] | None = None) -> Callable[[bytes], bytes]:
    """A tamper that appends `body` chained onto the head, its hash over exactly the bytes it is written as.

    This is what an adversary who rewrites the chain can do; only the line's
    form (not its hash) gives it away.
    """

    def tamper(data: bytes) -> bytes:
        head = json.loads(data.splitlines()[-1])["hash"]
        record = {**body, "prev_hash": head}
        encode = text or (lambda r: json.dumps(r, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode())
        record["hash"] = hashlib.sha256(encode(record)).hexdigest()
        return data + encode(record) + b"\n"

    return tamper


def rechained_last(replace: Callable[[bytes], bytes]) -> Callable[[bytes], bytes]:
    """Replace the last line by `replace(canonical line)`, whose parsed record still hashes right."""

    def tamper(data: bytes) -> bytes:
        lines = data.splitlines(keepends=True)
        lines[-1] = replace(lines[-1].rstrip(b"\n")) + b"\n"
        return b"".join(lines)

    return tamper


def _duplicate_status(line: bytes) -> bytes:
    # A first-key-wins reader sees "intact"; Python's last-key-wins sees the hashed "damaged".
    return line.replace(b'"status":"damaged"', b'"status":"intact","status":"damaged"')


def _spaced(line: bytes) -> bytes:
    return json.dumps(json.loads(line), sort_keys=True).encode()


def _deep_middle(data: bytes) -> bytes:
    lines = data.splitlines(keepends=True)
    return lines[0] + b"[" * 100_000 + b"]" * 100_000 + b"\n" + b"".join(lines[1:])


EXTRA = {**PENDING, "id": "obs-site-church-3"}
HOSTILE: dict[str, Callable[[bytes], bytes]] = {
    "status flipped by hand": lambda d: d.replace(b'"status":"destroyed"', b'"status":"intact"', 1),
    "duplicate key": rechained_last(_duplicate_status),
    "spaces (not canonical)": rechained_last(_spaced),
    "bare CR line ends": lambda d: d.replace(b"\n", b"\r"),
    "CRLF line ends": lambda d: d.replace(b"\n", b"\r\n"),
    "no line ends": lambda d: d.replace(b"\n", b""),
    "100,000-deep line": _deep_middle,
    "NaN as a number": appended({**EXTRA, "population": float("nan")}, lambda r: line_of(r, separators=(",", ":"))),
    "Infinity as a number": appended({**EXTRA, "population": float("inf")}, lambda r: line_of(r, separators=(",", ":"))),
    "lone surrogate": appended({**EXTRA, "analyst": "\ud800"}, lambda r: line_of(r, separators=(",", ":"))),
    "5,000-digit number": appended(
        EXTRA, lambda r: canonical_json(r).replace(b'"note":null', b'"note":' + b"7" * 5000) if "hash" in r else canonical_json(r)
    ),
    "id with a newline": appended({**EXTRA, "id": "obs-site-church-3\n"}),
    "duplicate id": appended({**EXTRA, "id": "obs-1"}),
    "line over the size limit": appended({**EXTRA, "note": "x" * (MAX_RECORD_BYTES + 10)}),
    "unterminated garbage over the size limit": lambda d: d + b'{"note":"' + b"x" * (MAX_RECORD_BYTES + 10),
}


def _commands(data: Path, work: Path) -> dict[str, list[str]]:
    (work / "rows.csv").write_text("site_id,status,observed_on,analyst\nsite-church,unknown,2024-05-01,Cat\n", encoding="utf-8")
    return {
        "validate": ["validate"],
        "build": ["build", "--out", str(work / "maps"), "--tiles", "none"],
        "export": ["export", "--format", "csv", "--out", str(work / "exports")],
        "coverage": ["coverage"],
        "observe list": ["observe", "list"],
        "observe add": [
            *("observe", "add", "--site", "site-church", "--status", "unknown"),
            *("--observed-on", "2024-04-04", "--key", key_path(data, "Zed")),
        ],
        "observe review": ["observe", "review", "obs-site-church-2", "--decision", "confirm", "--key", key_path(data, "Zed")],
        "observe import": ["observe", "import", str(work / "rows.csv"), "--key", key_path(data, "Zed")],
        "verify": ["verify"],
    }


def invoke(args: list[str], data: Path) -> Result:
    return CliRunner().invoke(main, [*args, "--data", str(data)])


def assert_refused(result: Result, command: str) -> None:
    """Exit 1, one line of error on stderr, and no exception but the exit.

    `validate` lists its warnings and ends with a count; `verify` lists every
    problem when there are several, then the line every other command gives.
    """
    assert isinstance(result.exception, SystemExit), f"{command}: {result.exception!r}"
    assert result.exit_code == 1, (command, result.output)
    lines = result.stderr.splitlines()
    if command == "validate":
        errors = [line for line in lines if line.startswith("error:")]
        assert errors and lines[-1].endswith(f"{len(errors)} errors, 2 warnings"), result.stderr
    elif command == "verify" and len(lines) > 1:
        assert all(line.startswith("heritage-map: error: ") for line in lines), result.stderr
        assert lines[-1].endswith(" more)") and len(lines) > 2, result.stderr
    else:
        assert len(lines) == 1 and lines[0].startswith("heritage-map: error: "), (command, result.stderr)
    assert "Traceback" not in result.output


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    data = write_layers(tmp_path / "layers", log=good_records())
    key_path(data, "Zed")  # the keyring, before any test breaks the log
    monkeypatch.chdir(tmp_path)
    return data, tmp_path


def test_the_untampered_folder_passes_every_command(folder: tuple[Path, Path]) -> None:
    data, work = folder
    for command, args in _commands(data, work).items():
        result = invoke(args, data)
        assert result.exit_code == 0, (command, result.output, result.exception)


@pytest.mark.parametrize("hostile", list(HOSTILE))
def test_every_command_refuses_a_tampered_log_and_changes_nothing(folder: tuple[Path, Path], hostile: str) -> None:
    data, work = folder
    log = data / "observations.jsonl"
    log.write_bytes(HOSTILE[hostile](log.read_bytes()))
    before = log.read_bytes()
    assert verify_log(log, data).problems, "the tamper is visible to verify"
    for command, args in _commands(data, work).items():
        result = invoke(args, data)
        assert_refused(result, command)
        assert f"{log}: line " in result.stderr, (command, result.stderr)
        assert log.read_bytes() == before, command
    assert sorted(p.name for p in data.iterdir() if p.name.startswith("observations")) == [
        "observations.jsonl",
        "observations.jsonl.lock",
    ]
    assert not (work / "maps").exists() and not (work / "exports").exists()


def test_a_flipped_status_names_the_line_as_verify_does(folder: tuple[Path, Path]) -> None:
    data, work = folder
    log = data / "observations.jsonl"
    log.write_bytes(HOSTILE["status flipped by hand"](log.read_bytes()))
    verified = invoke(["verify"], data).stderr
    assert verified.startswith(f"heritage-map: error: {log}: line 1: record 'obs-1': field 'hash': stored ")
    assert verified.count("\n") == 1
    for command in ("build", "export", "coverage", "observe list"):
        assert invoke(_commands(data, work)[command], data).stderr == verified, command


def test_a_duplicate_key_is_refused_although_the_parsed_record_hashes_right(tmp_path: Path) -> None:
    log = tmp_path / "observations.jsonl"
    log.write_bytes(HOSTILE["duplicate key"](observation_chain(good_records()).encode()))
    line = log.read_bytes().splitlines()[-1]
    record = json.loads(line)
    assert record["hash"] == record_hash(record), "what the old reader checked still holds"
    first = verify_log(log, tmp_path).first
    assert first is not None and (first.line, first.field) == (3, None)
    assert "appears twice" in first.found or "canonical" in first.found


# --- the end of the log ---------------------------------------------------------------------


def test_a_complete_last_record_without_its_newline_is_kept_and_the_newline_added(tmp_path: Path) -> None:
    log = tmp_path / "observations.jsonl"
    complete = observation_chain(good_records()).encode()
    log.write_bytes(complete[:-1])
    report = verify_log(log, tmp_path)
    assert report.ok and report.records == 3 and report.unterminated
    assert [r["id"] for r in read_log(log)] == ["obs-1", "obs-2", "obs-site-church-2"]
    moved: list[object] = []
    (written,) = append_records(log, [{**PENDING, "id": "obs-site-church-3"}], on_quarantine=moved.append)
    assert moved == [] and not (tmp_path / "observations.jsonl.quarantine").exists()
    assert log.read_bytes().startswith(complete) and written["prev_hash"] == json.loads(complete.splitlines()[-1])["hash"]
    assert verify_log(log, tmp_path).ok


@pytest.mark.parametrize("hostile", ["bare CR line ends", "no line ends", "CRLF line ends"])
def test_a_log_whose_line_ends_were_lost_is_refused_never_restarted(tmp_path: Path, hostile: str) -> None:
    log = tmp_path / "observations.jsonl"
    log.write_bytes(HOSTILE[hostile](observation_chain(good_records()).encode()))
    before = log.read_bytes()
    with pytest.raises(Exception, match=r"observations\.jsonl: line 1: ") as raised:
        append_records(log, [{**PENDING, "id": "obs-site-church-3"}])
    assert "nothing was written" in str(raised.value)
    assert log.read_bytes() == before and not (tmp_path / "observations.jsonl.quarantine").exists()


def test_a_torn_tail_longer_than_a_record_is_damage_not_quarantined(tmp_path: Path) -> None:
    log = tmp_path / "observations.jsonl"
    log.write_bytes(HOSTILE["unterminated garbage over the size limit"](observation_chain(good_records()).encode()))
    before = log.read_bytes()
    with pytest.raises(Exception, match=r"observations\.jsonl: line 4: 1,048,\d+ bytes, over the 1,048,576"):
        append_records(log, [{**PENDING, "id": "obs-site-church-3"}])
    assert log.read_bytes() == before and not (tmp_path / "observations.jsonl.quarantine").exists()


def test_a_decoy_hash_inside_a_record_neither_passes_a_change_nor_raises_a_false_alarm(tmp_path: Path) -> None:
    # The record carries its own hash nowhere; a nested member with the hash of another record is a decoy.
    log = tmp_path / "observations.jsonl"
    log.write_text(observation_chain(good_records()), encoding="utf-8")
    head = read_log(log)[-1]["hash"]
    append_records(log, [{**PENDING, "id": "obs-site-church-3", "evidence": [{"hash": head, "url": "https://e.org/x"}]}])
    assert verify_log(log, tmp_path).ok
    data = log.read_bytes().replace(b'"status":"damaged","visibility"', b'"status":"intact","visibility"')
    log.write_bytes(data)
    assert not verify_log(log, tmp_path).ok


# --- files beside the log -------------------------------------------------------------------


def run_process(args: list[str], cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """The real command in its own process: a FIFO that blocked it would fail the test by the timeout."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "geo", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def one_error_line(done: subprocess.CompletedProcess[str], expected: str) -> None:
    assert done.returncode == 1, done.stderr
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("heritage-map: error: "), done.stderr
    assert expected in done.stderr, done.stderr


ADD = ["observe", "add", "--site", "site-church", "--status", "unknown", "--observed-on", "2024-04-04"]


def add(data: Path) -> list[str]:
    """`observe add` signed with Zed's key."""
    return [*ADD, "--key", key_path(data, "Zed")]


@pytest.mark.parametrize("planted", ["observations.jsonl.quarantine", "observations.jsonl.lock"])
def test_a_planted_link_beside_the_log_is_refused_and_nothing_is_written_through_it(
    folder: tuple[Path, Path], planted: str
) -> None:
    data, work = folder
    target = work / "victim.txt"
    target.write_bytes(b"precious\n")
    os.symlink(target, data / planted)
    log = data / "observations.jsonl"
    log.write_bytes(log.read_bytes() + b'{"torn')  # the next writer would quarantine this
    before = log.read_bytes()
    result = invoke(add(data), data)
    assert_refused(result, "observe add")
    assert f"{data / planted}: a symbolic link" in result.stderr
    assert target.read_bytes() == b"precious\n" and log.read_bytes() == before


def test_a_log_that_is_a_link_out_of_the_folder_is_neither_read_nor_written(folder: tuple[Path, Path]) -> None:
    data, work = folder
    outside = work / "elsewhere.jsonl"
    (data / "observations.jsonl").rename(outside)
    os.symlink(outside, data / "observations.jsonl")
    before = outside.read_bytes()
    for command, args in _commands(data, work).items():
        result = invoke(args, data)
        assert_refused(result, command)
        assert "a symbolic link" in result.stderr, (command, result.stderr)
    assert outside.read_bytes() == before


def test_a_hard_linked_quarantine_is_refused(folder: tuple[Path, Path]) -> None:
    data, work = folder
    other = work / "other.txt"
    other.write_bytes(b"keep\n")
    os.link(other, data / "observations.jsonl.quarantine")
    log = data / "observations.jsonl"
    log.write_bytes(log.read_bytes() + b'{"torn')
    result = invoke(add(data), data)
    assert_refused(result, "observe add")
    assert "has 2 hard links" in result.stderr and other.read_bytes() == b"keep\n"


@pytest.mark.parametrize(
    ("fifo", "command"),
    [
        ("observations.jsonl", ["verify"]),
        ("observations.jsonl", ["build", "--out", "maps", "--tiles", "none"]),
        ("observations.jsonl.lock", None),
        ("observations.jsonl.quarantine", None),
        ("heritage_sites.geojson", ["validate"]),
    ],
)
def test_a_fifo_in_the_folder_is_refused_not_waited_on(folder: tuple[Path, Path], fifo: str, command: list[str] | None) -> None:
    data, work = folder
    command = command or add(data)
    path = data / fifo
    if fifo == "observations.jsonl.quarantine":
        (data / "observations.jsonl").write_bytes((data / "observations.jsonl").read_bytes() + b'{"torn')
    path.unlink(missing_ok=True)
    os.mkfifo(path)
    done = run_process([*command, "--data", str(data)], work)
    if command == ["validate"]:
        assert done.returncode == 1 and "a FIFO (named pipe), not a regular file" in done.stderr, done.stderr
        assert "Traceback" not in done.stderr
    else:
        one_error_line(done, "a FIFO (named pipe), not a regular file")


def test_a_writer_holding_the_lock_still_shuts_out_the_next(folder: tuple[Path, Path]) -> None:
    import fcntl

    data, _ = folder
    lock = data / "observations.jsonl.lock"
    with open(lock, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        with pytest.raises(Exception, match=r"another writer has held observations\.jsonl\.lock for over 0\.2 s"):
            from geo._logfile import locked_append

            locked_append(data / "observations.jsonl", lambda existing: [], lambda moved: None, timeout=0.2)


# --- past the listed examples ---------------------------------------------------------------


def test_a_planted_sources_link_is_not_published(folder: tuple[Path, Path]) -> None:
    data, work = folder
    secret = work / "private-notes.md"
    secret.write_text("SECRET-OUTSIDE-THE-FOLDER\n", encoding="utf-8")
    (data / "SOURCES.md").unlink(missing_ok=True)
    os.symlink(secret, data / "SOURCES.md")
    result = invoke(["build", "--out", str(work / "maps"), "--tiles", "none"], data)
    assert_refused(result, "build")
    assert f"{data / 'SOURCES.md'}: a symbolic link" in result.stderr
    published = [p for p in (work / "maps").rglob("*") if p.is_file()] if (work / "maps").exists() else []
    assert all(b"SECRET-OUTSIDE-THE-FOLDER" not in p.read_bytes() for p in published)


def test_a_log_that_is_a_folder_is_one_line_for_every_command(folder: tuple[Path, Path]) -> None:
    data, work = folder
    (data / "observations.jsonl").unlink()
    (data / "observations.jsonl").mkdir()
    for command, args in _commands(data, work).items():
        assert_refused(invoke(args, data), command)


@pytest.mark.parametrize("limit", [131_072, sys.maxsize])  # a library (frictionless) raises the process-wide limit
def test_a_malformed_monitor_counts_table_is_one_line_not_a_traceback(folder: tuple[Path, Path], limit: int) -> None:
    import csv

    before = csv.field_size_limit(limit)
    data, _ = folder
    (data / "monitor_counts.csv").write_text('monitor,claim,as_of,url\n"unclosed,' + "x" * 200_000 + "\n", encoding="utf-8")
    result = invoke(["coverage"], data)
    csv.field_size_limit(before)
    assert_refused(result, "coverage")
    assert "monitor_counts.csv: line 2: unreadable CSV" in result.stderr
