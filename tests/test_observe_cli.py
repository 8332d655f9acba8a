"""`heritage-map observe ...` and `heritage-map verify`: exit codes, stdout, and the exact messages."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner, Result

from geo.cli import main
from geo.observations import read_log
from tests.layers import collection, feature, point
from tests.signing import team

if TYPE_CHECKING:
    from pathlib import Path


def footprint(west: float, south: float, east: float, north: float) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": [[[west, south], [east, south], [east, north], [west, north], [west, south]]]}


def scene(item_id: str, day: str, geometry: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "Feature",
        "stac_version": "1.1.0",
        "id": item_id,
        "geometry": geometry,
        "bbox": None,
        "properties": {"datetime": f"{day}T08:00:00Z"},
        "links": [],
        "assets": {},
    }


def write_monitor_data(directory: Path) -> Path:
    """Two sites and two scenes that cover the church only: what `observe` reads."""
    directory.mkdir(parents=True)
    sites = collection(
        feature(
            point(46.75, 39.76),
            id="church",
            name="Church",
            type="church",
            settlement="Town",
            coord_source="https://example.org/c",
            coord_precision="site",
        ),
        feature(
            point(46.10, 40.10),
            id="cemetery",
            name="Cemetery",
            type="cemetery",
            settlement="Village",
            coord_source="https://example.org/c",
            coord_precision="site",
        ),
    )
    (directory / "heritage_sites.geojson").write_text(json.dumps(sites), encoding="utf-8")
    catalog = {
        "type": "FeatureCollection",
        "features": [
            scene("before-1", "2023-12-28", footprint(46.7, 39.7, 46.8, 39.8)),
            scene("after-1", "2024-04-04", footprint(46.7, 39.7, 46.8, 39.8)),
        ],
    }
    (directory / "imagery.json").write_text(json.dumps(catalog), encoding="utf-8")
    return directory


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """The monitor data, with a keyring: Admin, Ann (analyst), Bob and Cat (reviewers)."""
    directory = write_monitor_data(tmp_path / "layers")
    team(directory)
    return directory


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)  # relative evidence paths are read from where the command runs
    return CliRunner()


def run(runner: CliRunner, data: Path, *args: str) -> Result:
    """Run the command; `--key NAME` signs with that team member's key (`tests.signing.team`)."""
    given = list(args)
    for at, value in enumerate(given[:-1]):
        if value == "--key":
            given[at + 1] = str(data.parent / "keys" / f"{given[at + 1]}_ed25519")
    return runner.invoke(main, [*given, "--data", str(data)])


OBS = re.compile(r"obs-church-[0-9a-f]{8}")


ADD = (
    "observe",
    "add",
    "--site",
    "church",
    "--status",
    "destroyed",
    "--observed-on",
    "2024-04-04",
    "--before",
    "before-1",
    "--after",
    "after-1",
    "--evidence",
    "https://example.org/report",
    "--key",
    "Ann",
)


def test_add_writes_a_pending_observation_and_prints_its_id(runner: CliRunner, data: Path) -> None:
    result = run(runner, data, *ADD, "--note", "razed", "--contact", "ann@example.org")
    assert result.exit_code == 0, result.output
    assert OBS.fullmatch(result.stdout.strip())
    assert "signed by Ann (SHA256:" in result.stderr and "under review until another reviewer confirms it" in result.stderr
    (record,) = read_log(data / "observations.jsonl")
    assert record["id"] == result.stdout.strip() and record["origin"] == "monitor" and record["contact"] == "ann@example.org"
    assert record["analyst"] == "Ann" and record["signer"].startswith("SHA256:") and len(record["signature"]) == 88
    assert record["evidence"] == [{"url": "https://example.org/report"}]
    assert record["recorded_at"].endswith("Z") and len(record["recorded_at"]) == 20


def test_add_records_an_evidence_file_with_its_hash(runner: CliRunner, data: Path, tmp_path: Path) -> None:
    (tmp_path / "after.png").write_bytes(b"\x89PNG fixture")
    result = run(
        runner,
        data,
        "observe",
        "add",
        "--site",
        "church",
        "--status",
        "damaged",
        "--observed-on",
        "2024-04-04",
        "--evidence",
        "after.png",
        "--key",
        "Ann",
    )
    assert result.exit_code == 0, result.output
    (record,) = read_log(data / "observations.jsonl")
    assert record["evidence"][0]["file"] == "after.png" and len(record["evidence"][0]["sha256"]) == 64


def test_add_lists_every_problem_and_writes_nothing(runner: CliRunner, data: Path) -> None:
    result = run(
        runner,
        data,
        "observe",
        "add",
        "--site",
        "cemetery",
        "--status",
        "razed",
        "--observed-on",
        "2999-01-01",
        "--after",
        "after-1",
        "--evidence",
        "www.example.org",
        "--key",
        "Ann",
    )
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith(
        "heritage-map: error: new observation of 'cemetery': field 'status': 'razed'; fix: use one of destroyed,"
    )
    assert lines[1].startswith(
        "heritage-map: error: new observation of 'cemetery': field 'observed_on': 2999-01-01 is after today"
    )
    assert lines[2].startswith(
        "heritage-map: error: new observation of 'cemetery': field 'after_scene': the footprint of "
        "scene 'after-1' does not cover site 'cemetery'"
    )
    assert lines[3].startswith(
        "heritage-map: error: new observation of 'cemetery': field 'evidence': file 'www.example.org' not found"
    )
    assert lines[4] == "heritage-map: error: 4 problem(s) in the observation of 'cemetery'; nothing was written"
    assert result.stdout == ""
    assert not (data / "observations.jsonl").exists()


def test_observe_add_refuses_a_status_without_evidence(runner: CliRunner, data: Path) -> None:
    result = run(
        runner,
        data,
        "observe",
        "add",
        "--site",
        "church",
        "--status",
        "destroyed",
        "--observed-on",
        "2024-04-04",
        "--key",
        "Ann",
    )
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "heritage-map: error: new observation of 'church': field 'evidence': status 'destroyed' needs evidence; "
        "fix: give --evidence (a URL or a file) or a before/after scene pair (--before and --after); nothing was written"
    )
    assert not (data / "observations.jsonl").exists()


def test_missing_required_option_is_a_usage_error(runner: CliRunner, data: Path) -> None:
    result = run(runner, data, "observe", "add", "--site", "church", "--status", "damaged", "--observed-on", "2024-04-04")
    assert result.exit_code == 2
    assert "Missing option '--key'" in result.stderr


def test_review_by_a_second_analyst_confirms(runner: CliRunner, data: Path) -> None:
    observation = run(runner, data, *ADD).stdout.strip()
    result = run(runner, data, "observe", "review", observation, "--decision", "confirm", "--key", "Bob")
    assert result.exit_code == 0, result.output
    assert re.fullmatch(f"rev-{observation}-[0-9a-f]{{8}}\n", result.stdout)
    assert f"{observation} is now confirmed" in result.stderr
    listing = run(runner, data, "observe", "list")
    fingerprint = read_log(data / "observations.jsonl")[0]["signer"]
    assert listing.stdout.splitlines()[1].split() == [
        observation,
        "church",
        "Church",
        "destroyed",
        "2024-04-04",
        "confirmed",
        "1",
        "Ann",
        f"({fingerprint})",
        "public",
        observation,
    ]


@pytest.mark.parametrize(
    ("target", "analyst", "message"),
    [
        (
            None,
            "Bob",
            (
                "field 'signer': 'Bob' is its author 'Bob' (the same key or account, or a name equal without regard to "
                "case, spacing, invisible characters or look-alike letters); fix: a second analyst, with a key of their "
                "own, must review it"
            ),
        ),
        (
            None,
            "Ann",
            (
                "field 'signer': 'Ann' is registered as analyst, and only a reviewer's confirmation counts; "
                "fix: a reviewer reviews it"
            ),
        ),
        ("obs-church-9", "Cat", "observation 'obs-church-9': not in the log"),
    ],
)
def test_refused_review_exits_1_with_one_line(
    runner: CliRunner, data: Path, target: str | None, analyst: str, message: str
) -> None:
    """A review signed by the author's own key is refused; so is one by a key without the reviewer role."""
    observation = run(runner, data, *ADD[:-1], "Bob").stdout.strip()
    before = (data / "observations.jsonl").read_bytes()
    result = run(runner, data, "observe", "review", target or observation, "--decision", "confirm", "--key", analyst)
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert message in result.stderr and result.stderr.startswith("heritage-map: error: ")
    assert (data / "observations.jsonl").read_bytes() == before


def test_second_decision_is_refused(runner: CliRunner, data: Path) -> None:
    observation = run(runner, data, *ADD).stdout.strip()
    run(runner, data, "observe", "review", observation, "--decision", "reject", "--key", "Bob")
    result = run(runner, data, "observe", "review", observation, "--decision", "confirm", "--key", "Cat")
    assert result.exit_code == 1
    assert f"observation '{observation}': already rejected by an earlier review; fix: record a new observation" in result.stderr


def test_bad_decision_is_a_usage_error(runner: CliRunner, data: Path) -> None:
    result = run(runner, data, "observe", "review", "obs-church-1", "--decision", "maybe", "--key", "Bob")
    assert "Invalid value for '--decision'" in result.stderr
    assert result.exit_code == 2


def test_list_filters_by_site_status_and_pending(runner: CliRunner, data: Path) -> None:
    church = run(runner, data, *ADD).stdout.strip()
    cemetery = run(
        runner,
        data,
        "observe",
        "add",
        "--site",
        "cemetery",
        "--status",
        "threatened",
        "--observed-on",
        "2024-05-01",
        "--evidence",
        "https://example.org/b",
        "--key",
        "Ann",
    ).stdout.strip()
    run(runner, data, "observe", "review", church, "--decision", "confirm", "--key", "Bob")

    def ids(*options: str) -> list[str]:
        result = run(runner, data, "observe", "list", *options)
        assert result.exit_code == 0
        return [line.split()[0] for line in result.stdout.splitlines()[1:]]

    assert ids() == [church, cemetery]
    assert ids("--pending") == [cemetery]
    assert ids("--site", "church") == [church]
    assert ids("--status", "threatened") == [cemetery]
    assert ids("--status", "intact") == []


def write_csv(path: Path, *rows: str) -> Path:
    path.write_text(
        "site_id,status,observed_on,before_scene,after_scene,evidence,analyst,note\n" + "".join(r + "\n" for r in rows),
        encoding="utf-8",
    )
    return path


def test_import_adds_every_row(runner: CliRunner, data: Path, tmp_path: Path) -> None:
    csv_file = write_csv(
        tmp_path / "rows.csv",
        "church,damaged,2024-04-04,before-1,after-1,https://example.org/a,Ann,roof",
        "cemetery,threatened,2024-04-05,,,https://example.org/b,Ann,",
    )
    result = run(runner, data, "observe", "import", str(csv_file), "--key", "Bob")
    assert result.exit_code == 0, result.output
    assert [i.rsplit("-", 1)[0] for i in result.stdout.split()] == ["obs-church", "obs-cemetery"]
    written = read_log(data / "observations.jsonl")
    assert [(r["origin"], r["analyst"], r["observer"]) for r in written] == [("monitor", "Bob", "Ann"), ("monitor", "Bob", "Ann")]


def test_import_is_all_or_nothing_and_names_every_bad_line(runner: CliRunner, data: Path, tmp_path: Path) -> None:
    csv_file = write_csv(
        tmp_path / "rows.csv",
        "church,damaged,2024-04-04,before-1,after-1,https://example.org/a,Ann,roof",
        "nowhere,damaged,2024-04-04,,,https://example.org/b,Ann,",
        "church,gone,04/04/2024,,,,Ann,",
    )
    result = run(runner, data, "observe", "import", str(csv_file), "--key", "Ann")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"heritage-map: error: {csv_file}: line 3: field 'site_id': 'nowhere'")
    assert lines[1].startswith(f"heritage-map: error: {csv_file}: line 4: field 'status': 'gone'")
    assert lines[2].startswith(
        f"heritage-map: error: {csv_file}: line 4: field 'observed_on': '04/04/2024' is not an ISO 8601 date"
    )
    assert lines[3] == f"heritage-map: error: 3 problem(s) in {csv_file}; nothing was written"
    assert not (data / "observations.jsonl").exists()


def test_import_skips_an_unknown_column_only_when_told(runner: CliRunner, data: Path, tmp_path: Path) -> None:
    csv_file = tmp_path / "kobo.csv"
    csv_file.write_text(
        "start;end;site_id;status;observed_on;analyst;evidence;weather;_uuid\n"
        "2024-05-01T09:00;2024-05-01T09:05;church;intact;2024-05-01;Ann;https://example.org/a;rain;9f1c\n",
        encoding="utf-8",
    )
    refused = run(runner, data, "observe", "import", str(csv_file), "--key", "Ann")
    assert refused.exit_code == 1
    assert f"{csv_file}: line 1: columns: unknown ['weather'], missing none" in refused.stderr
    result = run(runner, data, "observe", "import", str(csv_file), "--ignore-column", "weather", "--key", "Ann")
    assert result.exit_code == 0, result.output
    assert OBS.fullmatch(result.stdout.strip())


def test_verify_ok_prints_counts_and_anchors(runner: CliRunner, data: Path) -> None:
    run(runner, data, *ADD)
    head = read_log(data / "observations.jsonl")[-1]["hash"]
    result = run(runner, data, "verify")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == (
        f"ok: {data / 'observations.jsonl'}: 1 records, chain intact, signatures hold (4 registered key(s); "
        "0 legacy unsigned record(s)), 0 evidence file(s) match"
    )
    assert lines[1] == f"log anchor (keep it; never publish it): 1:{head}"
    assert lines[2].startswith("public anchor (as published): public:1:")


def test_verify_names_a_changed_evidence_file(runner: CliRunner, data: Path, tmp_path: Path) -> None:
    (tmp_path / "after.png").write_bytes(b"original")
    run(
        runner,
        data,
        "observe",
        "add",
        "--site",
        "church",
        "--status",
        "damaged",
        "--observed-on",
        "2024-04-04",
        "--evidence",
        "after.png",
        "--key",
        "Ann",
    )
    (tmp_path / "after.png").write_bytes(b"altered")
    result = run(runner, data, "verify")
    assert result.exit_code == 1
    assert re.search(
        r"line 1: record 'obs-church-[0-9a-f]{8}': field 'evidence': file 'after.png' no longer has the SHA-256 recorded for it",
        result.stderr,
    )
    assert result.stderr.count("\n") == 1  # one problem: the error itself, as every reader of the log gives it


def test_help_has_a_summary_and_an_example(runner: CliRunner) -> None:
    commands = (
        ["observe"], ["observe", "add"], ["observe", "review"], ["observe", "list"], ["observe", "show"], ["observe", "import"],
        ["verify"], ["analyst"], ["analyst", "add"], ["analyst", "list"], ["log"], ["log", "merge"],
    )  # fmt: skip
    for args in commands:
        result = runner.invoke(main, [*args, "--help"])
        assert result.exit_code == 0
        summary, _, example = result.stdout.partition("Example")
        assert summary.splitlines()[2].strip(), args
        assert f"heritage-map {' '.join(args)} " in example, args
