"""Internal observations, internal notes and analysts' contacts never reach a public output."""

from __future__ import annotations

import csv
import re
from typing import TYPE_CHECKING

from click.testing import CliRunner

from geo.build import build_maps
from geo.cli import main
from geo.export import export_data
from geo.observations import public_log, read_log
from tests.layers import SOURCE, default_log, write_layers
from tests.signing import key_path

if TYPE_CHECKING:
    from pathlib import Path

SECRETS = ("SECRET-INTERNAL-NOTE", "analyst@secret.example", "+374-00-000000", "Internal Analyst Name")


def log_with_secrets() -> list[dict]:
    base = {
        "kind": "observation",
        "recorded_at": "2024-06-01T00:00:00Z",
        "evidence": [{"url": SOURCE}],
        "before_scene": None,
        "after_scene": None,
    }
    return [
        *default_log(),
        {
            **base,
            "id": "obs-internal",
            "site_id": "site-cemetery",
            "status": "destroyed",
            "observed_on": "2024-05-30",
            "analyst": "Internal Analyst Name",
            "origin": "monitor",
            "note": "SECRET-INTERNAL-NOTE",
            "contact": "analyst@secret.example",
            "visibility": "internal",
        },
        {
            **base,
            "id": "obs-review",
            "kind": "review",
            "of": "obs-internal",
            "decision": "confirm",
            "analyst": "second",
            "note": "SECRET-INTERNAL-NOTE",
            "visibility": "internal",
        },
        {
            **base,
            "id": "obs-contact",
            "site_id": "site-church",
            "status": "destroyed",
            "observed_on": "2024-05-01",
            "analyst": "a",
            "origin": "monitor",
            "note": "public note",
            "contact": "+374-00-000000",
            "visibility": "public",
        },
    ]


def test_no_output_file_contains_internal_data(tmp_path: Path) -> None:
    data = write_layers(tmp_path / "layers", log=log_with_secrets())
    for tiles, name in (("none", "a"), ("osm", "b")):
        build_maps(data, tmp_path / name, tiles=tiles)
        files = [p for p in (tmp_path / name).rglob("*") if p.is_file()]
        assert len(files) > 5
        for path in files:
            content = path.read_bytes()
            for secret in SECRETS:
                assert secret.encode() not in content, f"{secret} leaked into {path}"
    assert "SECRET-INTERNAL-NOTE" in (data / "observations.jsonl").read_text()


# --- no analyst, no internal trace ----------------------------------------------------------

NAMES = ("Zabelle Public-Author", "Nerses Public-Reviewer", "Internal Analyst Name", "Second Internal", "Published Transcriber")


def public_and_internal_log() -> list[dict]:
    """A public monitor observation confirmed by a second analyst, then internal work after it."""
    base = {"evidence": [{"url": SOURCE}], "before_scene": None, "after_scene": None, "origin": "monitor"}
    return [
        *({**record, "analyst": NAMES[4]} for record in default_log()),
        {**base, "kind": "observation", "id": "obs-site-church-2", "site_id": "site-church", "status": "damaged",
         "observed_on": "2024-05-01", "recorded_at": "2024-05-02T00:00:00Z", "analyst": NAMES[0], "note": "n",
         "visibility": "public"},
        {"kind": "review", "id": "rev-obs-site-church-2-1", "of": "obs-site-church-2", "decision": "confirm",
         "analyst": NAMES[1], "note": None, "recorded_at": "2024-05-03T00:00:00Z"},
    ]  # fmt: skip


def internal_work() -> list[dict]:
    """An internal observation and its review, recorded after everything public."""
    return [
        {"kind": "observation", "id": "obs-site-church-internal-1", "site_id": "site-church", "status": "destroyed",
         "observed_on": "2024-06-01", "recorded_at": "2024-07-01T00:00:00Z", "evidence": [{"url": SOURCE}], "before_scene": None,
         "after_scene": None, "analyst": NAMES[2], "origin": "monitor", "note": "SECRET-INTERNAL-NOTE",
         "visibility": "internal"},
        {"kind": "review", "id": "rev-obs-site-church-internal-1-1", "of": "obs-site-church-internal-1",
         "decision": "confirm", "analyst": NAMES[3], "note": None, "recorded_at": "2024-08-01T00:00:00Z"},
    ]  # fmt: skip


def published_files(data: Path, out: Path) -> dict[str, bytes]:
    build_maps(data, out / "maps", tiles="none")
    for fmt in ("csv", "geojson", "gpkg", "kml"):
        export_data(data, out / "exports" / fmt, fmt)  # type: ignore[arg-type]
    # The published folders only: the build's state beside them (maps.build-state.json) is never published.
    folders = (out / "maps", out / "exports")
    return {str(p.relative_to(out)): p.read_bytes() for f in folders for p in sorted(f.rglob("*")) if p.is_file()}


def test_no_public_file_names_an_analyst_author_or_reviewer(tmp_path: Path) -> None:
    data = write_layers(tmp_path / "layers", log=public_and_internal_log() + internal_work())
    files = published_files(data, tmp_path / "out")
    assert any(name.endswith("observations.csv") for name in files)
    for name, content in files.items():
        for analyst in NAMES:
            assert analyst.encode() not in content, f"{analyst} in {name}"


def test_internal_work_changes_no_byte_of_any_public_file(tmp_path: Path) -> None:
    # A review of an internal observation recorded later must not move the as-of date; no public id,
    # hash or manifest line may show that an internal record was added.
    before = published_files(write_layers(tmp_path / "a", log=public_and_internal_log()), tmp_path / "out-a")
    after = published_files(write_layers(tmp_path / "b", log=public_and_internal_log() + internal_work()), tmp_path / "out-b")
    assert before.keys() == after.keys()
    assert [name for name in before if before[name] != after[name]] == []
    assert b"2024-05-03" in before["maps/index.html"]  # the as-of date: the public review's day


def test_public_ids_have_no_gap_where_an_internal_record_sits(tmp_path: Path) -> None:
    # A log numbered by another tool: obs-x-2 is internal, between two public observations.
    records = public_and_internal_log()[:2]
    public = {**public_and_internal_log()[2], "id": "obs-site-church-2"}
    hidden = {**internal_work()[0], "id": "obs-site-church-3"}
    shown = {**public, "id": "obs-site-church-4", "recorded_at": "2024-09-01T00:00:00Z"}
    review = {**public_and_internal_log()[3], "id": "rev-obs-site-church-4-1", "of": "obs-site-church-4"}
    data = write_layers(tmp_path / "layers", log=[*records, public, hidden, shown, review])
    export_data(data, tmp_path / "exports", "csv", tables=["observations"])
    with open(tmp_path / "exports" / "observations.csv", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["id"] for r in rows] == [
        "obs-site-church-1",
        "obs-site-cemetery-1",
        "obs-site-church-2",
        "obs-site-church-3",
        "rev-obs-site-church-3-1",
    ]
    assert rows[-1]["of"] == "obs-site-church-3" and rows[3]["recorded_at"] == "2024-09-01T00:00:00Z"
    assert not {"analyst", "contact", "hash", "prev_hash"} & set(rows[0]) and {r["visibility"] for r in rows} == {"public"}


def test_writers_give_random_ids_that_show_no_gap_and_mark_internal_ones(tmp_path: Path) -> None:
    """A signed record's public id is its own, random id: no count of the internal records shows through it."""
    data = write_layers(tmp_path / "layers", log=[])
    args = ["--site", "site-church", "--status", "unknown", "--observed-on", "2024-04-04", "--key", key_path(data, "Ann")]
    ids = []
    for visibility in ("public", "internal", "public", "internal"):
        result = CliRunner().invoke(main, ["observe", "add", *args, "--visibility", visibility, "--data", str(data)])
        assert result.exit_code == 0, result.output
        ids.append(result.stdout.strip())
    pattern = [r"obs-site-church-[0-9a-f]{8}", r"obs-site-church-internal-[0-9a-f]{8}"] * 2
    assert all(re.fullmatch(p, i) for p, i in zip(pattern, ids)), ids
    public = [r["id"] for r in public_log(read_log(data / "observations.jsonl"))]
    assert public == [ids[0], ids[2]]


def test_the_manifest_lists_published_files_only(tmp_path: Path) -> None:
    data = write_layers(tmp_path / "layers", log=public_and_internal_log() + internal_work())
    build_maps(data, tmp_path / "maps", tiles="none")
    anchor, *lines = (tmp_path / "maps" / "MANIFEST.sha256").read_text(encoding="utf-8").splitlines()
    published = len(public_log(read_log(data / "observations.jsonl")))
    assert re.fullmatch(rf"# heritage-map public log anchor: records={published} head=[0-9a-f]{{64}}", anchor)
    names = [line.split("  ", 1)[1] for line in lines]
    assert all(not name.startswith("..") and (tmp_path / "maps" / name).is_file() for name in names)
    assert "observations.jsonl" not in "".join(names) and "data/observations.csv" in names
