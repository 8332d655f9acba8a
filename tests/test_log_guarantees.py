"""The monitors' log's guarantees: append-only, concurrent writers, crash safety, tamper evidence.

Each test here fails when its guarantee is broken: it compares bytes before
and after, counts records, or expects `verify_log` to name a specific line.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from filelock import FileLock

from geo._logfile import Quarantine, locked_append
from geo.cli import main
from geo.errors import ObservationError
from geo.observations import append_records, read_log, verify_log
from tests.layers import observation_chain
from tests.signing import key_path
from tests.test_observe_cli import write_monitor_data

ROOT = Path(__file__).resolve().parent.parent


def record(record_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "kind": "observation",
        "id": record_id,
        "site_id": "church",
        "status": "damaged",
        "observed_on": "2024-04-04",
        "recorded_at": "2024-05-01T00:00:00Z",
        "before_scene": None,
        "after_scene": None,
        "evidence": [],
        "analyst": "Ann",
        "origin": "monitor",
        "note": None,
        "visibility": "public",
        **fields,
    }


def replace_once(path: Path, old: bytes, new: bytes) -> None:
    """Edit the log in place, as a tamperer would; fails loudly if `old` is not there exactly once."""
    data = path.read_bytes()
    assert data.count(old) == 1, old
    path.write_bytes(data.replace(old, new))


def five_record_log(path: Path) -> Path:
    path.write_text(observation_chain([record(f"obs-church-{n}") for n in range(1, 6)]), encoding="utf-8")
    return path


# --- append-only ----------------------------------------------------------------------------


def test_no_command_rewrites_earlier_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = write_monitor_data(tmp_path / "layers")
    log = data / "observations.jsonl"
    five_record_log(log)
    good_csv = tmp_path / "good.csv"
    good_csv.write_text(
        "site_id,status,observed_on,analyst,evidence\nchurch,intact,2024-05-01,Cat,https://example.org/c\n", encoding="utf-8"
    )
    bad_csv = tmp_path / "bad.csv"
    bad_csv.write_text(
        "site_id,status,observed_on,analyst,evidence\nchurch,intact,2024-05-01,Cat,https://example.org/c\n"
        "nowhere,intact,2024-05-01,Cat,https://example.org/c\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    ann, bob, cat = (key_path(data, name) for name in ("Ann", "Bob", "Cat"))
    EVIDENCE = ("--evidence", "https://example.org/c", "--key", ann)
    commands = [
        (["observe", "add", "--site", "church", "--status", "destroyed", "--observed-on", "2024-04-04", *EVIDENCE], 0),
        (["observe", "add", "--site", "nowhere", "--status", "destroyed", "--observed-on", "2024-04-04", *EVIDENCE], 1),
        (["observe", "add", "--site", "church", "--status", "destroyed", "--observed-on", "2024-04-04", "--key", ann], 1),
        (["observe", "review", "@NEW@", "--decision", "confirm", "--key", bob], 0),
        (["observe", "review", "@NEW@", "--decision", "reject", "--key", cat], 1),
        (["observe", "import", str(good_csv), "--key", ann], 0),
        (["observe", "import", str(bad_csv), "--key", ann], 1),
        (["observe", "list"], 0),
        (["verify"], 0),
    ]
    runner = CliRunner()
    new = ""
    for args, code in commands:
        before = log.read_bytes()
        args = [new if a == "@NEW@" else a for a in args]
        result = runner.invoke(main, [*args, "--data", str(data)])
        new = new or result.stdout.strip()
        after = log.read_bytes()
        assert result.exit_code == code, (args, result.output)
        assert after.startswith(before), f"{args} rewrote earlier bytes"
        assert (after == before) == (code != 0 or args[-1] in ("list", "verify")), (
            f"{args} wrote when it should not, or not when it should"
        )
    assert len(read_log(log)) == 8
    assert verify_log(log, data).ok


# --- concurrency ----------------------------------------------------------------------------


def _writer(log: str, worker: int, count: int, start: Any) -> None:
    start.wait()
    for n in range(count):
        append_records(log, [record(f"obs-w{worker}-{n}", note="x" * (n * 37 % 500))])


def test_eight_processes_appending_fifty_records_each_leave_400_chained_records(tmp_path: Path) -> None:
    log = tmp_path / "observations.jsonl"
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    workers = [context.Process(target=_writer, args=(str(log), w, 50, start)) for w in range(8)]
    for process in workers:
        process.start()
    start.set()
    for process in workers:
        process.join(timeout=120)
    assert [p.exitcode for p in workers] == [0] * 8
    records = read_log(log)
    assert len(records) == 400
    assert len({r["id"] for r in records}) == 400
    report = verify_log(log, tmp_path)
    assert report.problems == () and report.records == 400


def test_a_writer_that_cannot_get_the_lock_writes_nothing_and_says_why(tmp_path: Path) -> None:
    log = five_record_log(tmp_path / "observations.jsonl")
    before = log.read_bytes()
    with FileLock(str(tmp_path / "observations.jsonl.lock")):
        with pytest.raises(ObservationError, match=r"another writer has held observations\.jsonl\.lock for over 0\.2 s"):
            locked_append(log, lambda existing: [record("obs-church-6")], lambda moved: None, timeout=0.2)
    assert log.read_bytes() == before


def test_a_missing_folder_is_named_not_created(tmp_path: Path) -> None:
    with pytest.raises(ObservationError, match=r"absent: folder not found; fix: pass --data"):
        append_records(tmp_path / "absent" / "observations.jsonl", [record("obs-church-1")])
    assert not (tmp_path / "absent").exists()


# --- crash safety ---------------------------------------------------------------------------

LOOP = """
import sys
from geo.observations import append_records
n = 0
while True:
    n += 1
    append_records(sys.argv[1], [{"kind": "observation", "id": f"obs-loop-{n}", "note": "y" * 20000}])
"""


def _wait_for_lines(log: Path, lines: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if log.exists() and log.read_bytes().count(b"\n") >= lines:
            return
        time.sleep(0.02)
    raise AssertionError(f"{log} did not reach {lines} lines in {timeout} s")


def test_a_writer_killed_with_sigkill_loses_no_earlier_record(tmp_path: Path) -> None:
    log = tmp_path / "observations.jsonl"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    writer = subprocess.Popen([sys.executable, "-c", LOOP, str(log)], env=env, cwd=tmp_path)
    try:
        _wait_for_lines(log, 20)
        complete_before = log.read_bytes().rsplit(b"\n", 1)[0]
        writer.send_signal(signal.SIGKILL)
    finally:
        writer.wait(timeout=30)
    assert writer.returncode == -signal.SIGKILL
    report = verify_log(log, tmp_path)
    assert all(p.field is None and "torn last line" in p.found for p in report.problems), report.problems
    moved: list[Quarantine] = []
    append_records(log, [{"kind": "observation", "id": "obs-after-crash"}], on_quarantine=moved.append)
    assert log.read_bytes().startswith(complete_before)
    assert len(moved) == len(report.problems)
    after = verify_log(log, tmp_path)
    assert after.ok, after.problems
    ids = [r["id"] for r in read_log(log)]
    assert ids[-1] == "obs-after-crash"
    assert ids[:-1] == [f"obs-loop-{n}" for n in range(1, len(ids))]


def test_a_torn_line_is_reported_then_quarantined_by_the_next_writer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = five_record_log(tmp_path / "observations.jsonl")
    good = log.read_bytes()
    torn = b'{"kind":"observation","id":"obs-church-6","note":"cut o'
    with open(log, "ab") as handle:
        handle.write(torn)

    report = verify_log(log, tmp_path)
    assert [(p.line, p.field) for p in report.problems] == [(6, None)]
    assert report.problems[0].found.startswith(f"torn last line ({len(torn)} bytes")
    with pytest.raises(ObservationError, match="line 6: torn last line"):
        read_log(log)

    (written,) = append_records(log, [record("obs-church-7")])
    assert f"observations.jsonl: line 6: torn last line ({len(torn)} bytes at byte {len(good)}" in capsys.readouterr().err
    assert log.read_bytes() == good + log.read_bytes()[len(good) :]
    assert written["prev_hash"] == read_log(log)[4]["hash"]
    assert [r["id"] for r in read_log(log)] == [f"obs-church-{n}" for n in (1, 2, 3, 4, 5, 7)]
    quarantine = (tmp_path / "observations.jsonl.quarantine").read_bytes()
    header, kept = quarantine.split(b"\n", 1)
    assert header.startswith(b"# 20") and b"quarantined from observations.jsonl line 6" in header
    assert kept == torn + b"\n"
    assert verify_log(log, tmp_path).ok


def test_a_complete_last_line_that_is_not_json_is_quarantined_too(tmp_path: Path) -> None:
    log = five_record_log(tmp_path / "observations.jsonl")
    good = log.read_bytes()
    with open(log, "ab") as handle:
        handle.write(b"\x00\x00\x00\n")
    moved: list[Quarantine] = []
    append_records(log, [record("obs-church-6")], on_quarantine=moved.append)
    assert [(m.line, m.size) for m in moved] == [(6, 4)]
    assert log.read_bytes().startswith(good) and verify_log(log, tmp_path).ok


def test_a_second_quarantine_appends_to_the_first(tmp_path: Path) -> None:
    log = five_record_log(tmp_path / "observations.jsonl")
    for fragment in (b'{"first', b'{"second'):
        with open(log, "ab") as handle:
            handle.write(fragment)
        append_records(log, [], on_quarantine=lambda moved: None)
    kept = (tmp_path / "observations.jsonl.quarantine").read_bytes().splitlines()
    assert kept[1::2] == [b'{"first', b'{"second']


def test_verify_quarantine_tail_moves_it_and_then_passes(tmp_path: Path) -> None:
    data = write_monitor_data(tmp_path / "layers")
    log = five_record_log(data / "observations.jsonl")
    with open(log, "ab") as handle:
        handle.write(b'{"torn')
    result = CliRunner().invoke(main, ["verify", "--quarantine-tail", "--data", str(data)])
    assert result.exit_code == 0, result.output
    assert "line 6: torn last line (6 bytes at byte" in result.stderr
    assert result.stdout.startswith("ok: ") and "5 records" in result.stdout


def test_a_damaged_middle_line_stops_every_writer(tmp_path: Path) -> None:
    log = five_record_log(tmp_path / "observations.jsonl")
    lines = log.read_bytes().split(b"\n")
    lines[2] = b"garbage"
    log.write_bytes(b"\n".join(lines))
    before = log.read_bytes()
    with pytest.raises(ObservationError, match=r"line 3: not a JSON record"):
        append_records(log, [record("obs-church-6")])
    assert log.read_bytes() == before


# --- tamper evidence ------------------------------------------------------------------------


def test_changing_one_byte_of_an_earlier_record_is_named(tmp_path: Path) -> None:
    log = five_record_log(tmp_path / "observations.jsonl")
    replace_once(
        log, b'"id":"obs-church-2","kind":"observation","note":null', b'"id":"obs-church-2","kind":"observation","note":0'
    )
    report = verify_log(log, tmp_path)
    assert report.first is not None
    assert (report.first.line, report.first.feature, report.first.field) == (2, "obs-church-2", "hash")
    assert len(report.problems) == 1


def test_changing_a_status_byte_is_named(tmp_path: Path) -> None:
    log = five_record_log(tmp_path / "observations.jsonl")
    data = bytearray(log.read_bytes())
    third = data.index(b'"id":"obs-church-3"')
    status = data.index(b'"status":"damaged"', third)
    data[status + len('"status":"')] = ord("D")
    log.write_bytes(bytes(data))
    first = verify_log(log, tmp_path).first
    assert first is not None and (first.line, first.feature, first.field) == (3, "obs-church-3", "hash")


@pytest.mark.parametrize(("removed", "named_line", "named_id"), [(3, 3, "obs-church-4"), (1, 1, "obs-church-2")])
def test_removing_a_record_is_named(tmp_path: Path, removed: int, named_line: int, named_id: str) -> None:
    log = five_record_log(tmp_path / "observations.jsonl")
    lines = log.read_bytes().splitlines(keepends=True)
    del lines[removed - 1]
    log.write_bytes(b"".join(lines))
    report = verify_log(log, tmp_path)
    assert report.first is not None
    assert (report.first.line, report.first.feature, report.first.field) == (named_line, named_id, "prev_hash")
    assert len(report.problems) == 1


def test_swapping_two_records_is_named(tmp_path: Path) -> None:
    log = five_record_log(tmp_path / "observations.jsonl")
    lines = log.read_bytes().splitlines(keepends=True)
    lines[1], lines[2] = lines[2], lines[1]
    log.write_bytes(b"".join(lines))
    first = verify_log(log, tmp_path).first
    assert first is not None and (first.line, first.field) == (2, "prev_hash")


def test_verify_command_names_the_first_broken_record(tmp_path: Path) -> None:
    data = write_monitor_data(tmp_path / "layers")
    log = five_record_log(data / "observations.jsonl")
    replace_once(log, b'"id":"obs-church-4"', b'"id":"obs-church-9"')
    result = CliRunner().invoke(main, ["verify", "--data", str(data)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"heritage-map: error: {log}: line 4: record 'obs-church-9': field 'hash': stored ")
    assert result.stderr.count("\n") == 1
