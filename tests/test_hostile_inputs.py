"""Hostile inputs beside the log: evidence paths that leave their folder, JSON and CSV past every limit, big imports.

Every command fed each input exits 1 with one line on stderr (validate: one
error line, then its count), no traceback, nothing written, and reads nothing
outside its folder.
"""

from __future__ import annotations

import csv
import fcntl
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner, Result

from geo import drafts
from geo.cli import main
from geo.observations import read_log, verify_log
from tests.layers import default_catalog, default_layers, observation_chain, write_layers
from tests.signing import key_path
from tests.test_observe_cli import write_monitor_data

if TYPE_CHECKING:
    from collections.abc import Iterator

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, data: Path) -> Result:
    """Run the command; `observe add|import` sign with a registered key (`--analyst NAME`: that person's key)."""
    given = list(args)
    if "--analyst" in given:
        at = given.index("--analyst")
        given[at : at + 2] = ["--key", key_path(data, given[at + 1])]
    elif given[:2] in (["observe", "add"], ["observe", "import"]):
        given += ["--key", key_path(data, "Ann")]
    return CliRunner().invoke(main, [*given, "--data", str(data)])


def refused(result: Result, expected: str, command: str = "") -> None:
    assert isinstance(result.exception, SystemExit) and result.exit_code == 1, (command, result.output, result.exception)
    lines = result.stderr.splitlines()
    if command == "validate":
        assert len([line for line in lines if line.startswith("error:")]) == 1, result.stderr
    else:
        assert len(lines) == 1 and lines[0].startswith("heritage-map: error: "), (command, result.stderr)
    assert expected in result.stderr, (command, result.stderr)


# --- evidence paths -------------------------------------------------------------------------


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A data folder, and an import folder holding a photo, a link out, a FIFO and a subfolder."""
    data = write_monitor_data(tmp_path / "layers")
    imports = tmp_path / "deep" / "imports"
    (imports / "photos").mkdir(parents=True)
    (imports / "photos" / "after.jpg").write_bytes(b"jpeg bytes")
    (tmp_path / "deep" / "secret.txt").write_text("not evidence\n", encoding="utf-8")
    os.symlink(tmp_path / "deep" / "secret.txt", imports / "link-out.jpg")
    os.symlink(imports / "photos" / "after.jpg", imports / "link-in.jpg")
    os.mkfifo(imports / "pipe.jpg")
    monkeypatch.chdir(tmp_path)
    return data, imports


def import_with(imports: Path, evidence: str) -> Path:
    rows = imports / "rows.csv"
    rows.write_text(f"site_id,status,observed_on,analyst,evidence\nchurch,damaged,2024-04-04,Ann,{evidence}\n", encoding="utf-8")
    return rows


@pytest.mark.parametrize(
    ("evidence", "why"),
    [
        ("/etc/hostname", "an absolute path; fix: give the path relative to"),
        ("../../../../etc/passwd", "leads out of"),
        ("../secret.txt", "leads out of"),
        ("photos/../../secret.txt", "leads out of"),
        ("link-out.jpg", "leads out of"),
        ("pipe.jpg", "a FIFO (named pipe), not a regular file"),
        ("/proc/self/environ", "an absolute path"),
        ("~/.bashrc", "an absolute path"),
    ],
)
def test_import_refuses_evidence_outside_its_folder_or_not_a_file(workspace: tuple[Path, Path], evidence: str, why: str) -> None:
    data, imports = workspace
    rows = import_with(imports, evidence)
    result = run("observe", "import", str(rows), data=data)
    refused(result, f"{rows}: line 2: field 'evidence': file ")
    assert why in result.stderr and "fix: " in result.stderr
    assert not (data / "observations.jsonl").exists()


@pytest.mark.parametrize("evidence", ["photos/after.jpg", "link-in.jpg", "./photos/../photos/after.jpg"])
def test_import_reads_evidence_inside_its_own_folder_whatever_the_working_folder(
    workspace: tuple[Path, Path], evidence: str
) -> None:
    data, imports = workspace
    result = run("observe", "import", str(import_with(imports, evidence)), data=data)
    assert result.exit_code == 0, result.output
    (record,) = read_log(data / "observations.jsonl")
    assert record["evidence"][0]["file"] == evidence and len(record["evidence"][0]["sha256"]) == 64
    assert verify_log(data / "observations.jsonl", data, evidence_root=imports).ok


@pytest.mark.parametrize(
    ("evidence", "why"), [("/etc/hostname", "an absolute path"), ("../deep/secret.txt", "leads out of"), ("deep", "a folder")]
)
def test_observe_add_reads_evidence_only_inside_the_working_folder(
    workspace: tuple[Path, Path], tmp_path: Path, evidence: str, why: str
) -> None:
    data, _ = workspace
    os.chdir(tmp_path / "deep" / "imports" if evidence.startswith("..") else tmp_path)
    args = ["observe", "add", "--site", "church", "--status", "damaged", "--observed-on", "2024-04-04", "--analyst", "Ann"]
    result = run(*args, "--evidence", evidence, data=data)
    refused(result, "field 'evidence': file ")
    assert why in result.stderr and not (data / "observations.jsonl").exists()


def test_verify_reads_no_evidence_outside_its_root_and_waits_on_no_fifo(workspace: tuple[Path, Path], tmp_path: Path) -> None:
    data, imports = workspace
    record: dict[str, Any] = {
        "kind": "observation",
        "id": "obs-church-1",
        "site_id": "church",
        "status": "damaged",
        "observed_on": "2024-04-04",
        "evidence": [
            {"file": "/etc/hostname", "sha256": "0" * 64},
            {"file": "../secret.txt", "sha256": "0" * 64},
            {"file": "pipe.jpg", "sha256": "0" * 64},
        ],
        "analyst": "Ann",
        "visibility": "public",
    }
    (data / "observations.jsonl").write_text(observation_chain([record]), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "geo", "verify", "--data", str(data), "--evidence-root", str(imports)]
    done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "'/etc/hostname': an absolute path" in done.stderr
    assert "'../secret.txt': leads out of" in done.stderr
    assert "pipe.jpg: a FIFO (named pipe), not a regular file (not read)" in done.stderr
    assert "no longer has the SHA-256" not in done.stderr  # nothing outside was hashed


# --- JSON past its limits, fed to every command that reads it ------------------------------


def _deep(depth: int) -> Any:
    return json.loads("[" * depth + "]" * depth)


def hostile_layers(kind: str) -> dict[str, Any]:
    layers: dict[str, Any] = default_layers()
    sites = layers["heritage_sites.geojson"]
    props = sites["features"][0]["properties"]
    if kind == "nested 100,000 deep":
        layers["heritage_sites.geojson"] = "[" * 100_000 + "]" * 100_000
    elif kind == "nested 800 deep":  # parses with json.loads, then crashed the build's encoder
        props["extra"] = _deep(800)
    elif kind in ("Infinity", "NaN", "-Infinity", "1e400"):
        layers["communities.geojson"] = json.dumps(layers["communities.geojson"]).replace(
            '"population": 1000', f'"population": {kind}'
        )
    elif kind == "duplicate key":
        layers["heritage_sites.geojson"] = json.dumps(sites).replace('"type": "church"', '"type": "church", "type": "mosque"')
    elif kind == "5,000-digit number":
        layers["communities.geojson"] = json.dumps(layers["communities.geojson"]).replace(
            '"population": 1000', '"population": ' + "9" * 5000
        )
    return layers


JSON_KINDS = [
    "nested 100,000 deep",
    "nested 800 deep",
    "Infinity",
    "NaN",
    "-Infinity",
    "1e400",
    "duplicate key",
    "5,000-digit number",
]
JSON_WHY = {
    "nested 100,000 deep": "nested too deep (more than 64 levels",
    "nested 800 deep": "nested too deep (more than 64 levels",
    "Infinity": "Infinity is not a JSON number",
    "-Infinity": "-Infinity is not a JSON number",
    "NaN": "NaN is not a JSON number",
    "1e400": "1e400 is too large for a number",
    "duplicate key": "key 'type' appears twice in one object",
    "5,000-digit number": "Exceeds the limit (4300 digits)",
}


@pytest.mark.parametrize("kind", JSON_KINDS)
def test_every_command_refuses_json_past_its_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    data = write_layers(tmp_path / "layers", hostile_layers(kind))
    monkeypatch.chdir(tmp_path)
    commands = {
        "validate": ["validate"],
        "build": ["build", "--out", str(tmp_path / "maps"), "--tiles", "none"],
        "export": ["export", "--format", "csv", "--out", str(tmp_path / "exports")],
        "coverage": ["coverage"],
        "observe add": [
            *("observe", "add", "--site", "site-church", "--status", "unknown"),
            *("--observed-on", "2024-04-04", "--analyst", "Zed"),
        ],
        "imagery gaps": ["imagery", "gaps"],
    }
    if not kind.startswith("nested") and kind != "duplicate key":
        del commands["observe add"], commands["imagery gaps"]  # they read the sites and the catalog, not the communities
    for command, args in commands.items():
        refused(run(*args, data=data), JSON_WHY[kind], command)
    assert not (tmp_path / "maps").exists() and not (tmp_path / "exports").exists()
    assert not (data / "observations.jsonl.lock").exists() or len(read_log(data / "observations.jsonl")) == 2


def test_a_catalog_nested_100000_deep_is_one_line_for_gaps_and_add(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = write_layers(tmp_path / "layers")
    (data / "imagery.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    refused(run("imagery", "gaps", data=data), "nested too deep (more than 64 levels")
    add = ["observe", "add", "--site", "site-church", "--status", "unknown", "--observed-on", "2024-04-04", "--analyst", "Z"]
    refused(run(*add, data=data), "nested too deep (more than 64 levels")


def test_a_deep_catalog_still_reads_at_the_depth_a_catalog_needs() -> None:
    from geo._json import parse

    assert parse(json.dumps(default_catalog()).encode())["type"] == "FeatureCollection"
    assert parse(json.dumps(_deep(64)).encode()) == _deep(64)


# --- CSV past its limits --------------------------------------------------------------------


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return write_monitor_data(tmp_path / "layers")


HEADER = "site_id,status,observed_on,analyst,note\n"


@pytest.fixture(params=["default", "raised"])
def csv_limit(request: pytest.FixtureRequest) -> Iterator[None]:
    """The csv module's field limit is process-wide and a library (frictionless) raises it: the limits must hold either way."""
    before = csv.field_size_limit()
    if request.param == "raised":
        csv.field_size_limit(sys.maxsize)
    yield
    csv.field_size_limit(before)


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ('church,intact,2024-05-01,Ann,"' + "x" * 200_000 + '"\n', "line 2: unreadable CSV (field larger than field limit"),
        ("church,unknown,2024-05-01,Ann," + "x" * 10_001 + "\n", "line 2: field 'note': 10,001 characters, more than the 10,000"),
        ('church,intact,2024-05-01,Ann,"never closed\n', "unreadable CSV"),
        ("church,unknown,2024-05-01,Ann,nul\x00byte\n", "U+0000 (a control character)"),
        ("church,unknown,2024-05-01\u2028x,Ann,\n", "field 'observed_on'"),
    ],
)
@pytest.mark.usefixtures("csv_limit")
def test_import_refuses_a_csv_past_its_limits_in_one_line(data: Path, tmp_path: Path, body: str, why: str) -> None:
    rows = tmp_path / "rows.csv"
    rows.write_text(HEADER + body, encoding="utf-8")
    refused(run("observe", "import", str(rows), data=data), why)
    assert not (data / "observations.jsonl").exists()


def test_import_refuses_more_rows_than_its_limit(data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(drafts, "MAX_IMPORT_ROWS", 50)
    rows = tmp_path / "rows.csv"
    rows.write_text(HEADER + "church,unknown,2024-05-01,Ann,\n" * 51, encoding="utf-8")
    refused(run("observe", "import", str(rows), data=data), "line 52: more than 50 rows; fix: split the file")
    assert not (data / "observations.jsonl").exists()


def test_import_of_a_fifo_is_refused_not_waited_on(data: Path, tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "rows.csv")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "geo", "observe", "import", "rows.csv", "--key", key_path(data, "Ann"), "--data", str(data)]
    done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 1 and done.stderr.count("\n") == 1, done.stderr
    assert "a FIFO (named pipe), not a regular file" in done.stderr


def test_a_large_import_is_linear_and_checks_every_row_before_taking_the_lock(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    count = 30_000
    rows = tmp_path / "rows.csv"
    rows.write_text(HEADER + "".join(f"church,unknown,2024-05-01,Ann,row {n}\n" for n in range(count)), encoding="utf-8")
    lock = data / "observations.jsonl.lock"
    checked = []
    record = drafts.Checker.record

    def record_while_unlocked(self: drafts.Checker, draft: drafts.Draft) -> Any:
        if len(checked) % 5000 == 0 and lock.exists():
            with open(lock, "a+b") as handle:  # would block if a writer held it
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        checked.append(1)
        return record(self, draft)

    monkeypatch.setattr(drafts.Checker, "record", record_while_unlocked)
    (data / "observations.jsonl").write_text("", encoding="utf-8")
    lock.touch()
    started = time.monotonic()
    result = run("observe", "import", str(rows), data=data)
    seconds = time.monotonic() - started
    assert result.exit_code == 0, result.output
    assert len(checked) == count
    ids = result.stdout.split()
    assert len(set(ids)) == count and all(i.startswith("obs-church-") for i in ids)
    # The old import renumbered against the whole log for each row: 21 s for 20,000 rows.
    assert seconds < 20, f"{count:,} rows took {seconds:.1f} s"
    assert verify_log(data / "observations.jsonl", data).ok
