"""`geo.build`: one pass writing only what changed, and a rebuild after new log records rendering only what they concern."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from geo.build import MANIFEST, BuildState, build_maps
from geo.observations import add_review, append_records
from tests.layers import SOURCE, broken, write_layers
from tests.signing import key_path, signer


def stamps(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def age(folder: Path) -> None:
    """Set every file's time well in the past, so a rewrite shows in its mtime."""
    for path in folder.rglob("*"):
        if path.is_file():
            os.utime(path, ns=(1_000_000_000, 1_000_000_000))


def observation(obs_id: str, site_id: str, status: str, observed_on: str) -> dict[str, Any]:
    return {
        "kind": "observation",
        "id": obs_id,
        "site_id": site_id,
        "status": status,
        "observed_on": observed_on,
        "recorded_at": "2024-06-02T00:00:00Z",
        "evidence": [{"url": SOURCE}],
        "analyst": "A. Analyst",
        "origin": "monitor",
        "visibility": "public",
        "before_scene": None,
        "after_scene": None,
    }


def test_a_second_build_of_the_same_inputs_writes_only_the_manifest(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "maps"
    first = build_maps(data_dir, out, tiles="none")
    state = BuildState.path(out)
    assert not first.incremental and first.unchanged == 0 and state == tmp_path / "maps.build-state.json" and state.exists()
    age(out)
    before = stamps(out)
    again = build_maps(data_dir, out, tiles="none")
    after = stamps(out)
    assert again.incremental and [p.name for p in again.written] == [MANIFEST]
    assert {name for name in after if after[name] != before[name]} == {MANIFEST}


def test_a_new_observation_renders_only_its_site_page_the_maps_and_the_data(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "maps"
    analyst = signer(data_dir, Path(key_path(data_dir, "A. Analyst", "analyst")))
    reviewer = signer(data_dir, Path(key_path(data_dir, "B. Reviewer")))
    build_maps(data_dir, out, tiles="none")
    age(out)
    before = stamps(out)
    signed = analyst.sign(observation("obs-9", "site-cemetery", "destroyed", "2024-06-01"))
    append_records(data_dir / "observations.jsonl", [signed])
    add_review(data_dir / "observations.jsonl", "obs-9", "confirm", reviewer)
    result = build_maps(data_dir, out, tiles="none")
    after = stamps(out)
    changed = {name for name in after if after[name] != before[name]}
    assert result.incremental
    assert changed == {
        "index.html",
        "timeline.html",
        "sites/site-cemetery.html",
        "assets/build-info.js",
        "data/heritage_sites.geojson",
        "data/heritage_sites.csv",
        "data/observations.csv",
        "data/datapackage.json",
        MANIFEST,
    } - ({"assets/build-info.js"} if before["assets/build-info.js"] == after["assets/build-info.js"] else set())
    assert "Destroyed" in (out / "sites" / "site-cemetery.html").read_text(encoding="utf-8")
    # The rebuild's outputs are those of a full build of the same inputs, byte for byte.
    fresh = tmp_path / "fresh"
    build_maps(data_dir, fresh, tiles="none")
    assert files(out) == files(fresh)


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_an_edited_layer_renders_every_page_but_rewrites_only_those_that_changed(tmp_path: Path) -> None:
    data = write_layers(tmp_path / "layers")
    out = tmp_path / "maps"
    build_maps(data, out, tiles="none")
    age(out)
    before = stamps(out)
    write_layers(data, broken("heritage_sites.geojson", 1, name="Cemetery Renamed"))
    result = build_maps(data, out, tiles="none")
    changed = {name for name, stamp in stamps(out).items() if stamp != before[name]}
    assert not result.incremental
    assert "sites/site-cemetery.html" in changed and "embed/site-site-cemetery.html" in changed
    assert "sites/site-church.html" not in changed and "embed/site-site-church.html" not in changed
    assert "assets/heritage.js" not in changed


def test_a_site_removed_from_the_data_loses_its_pages(tmp_path: Path) -> None:
    data = write_layers(tmp_path / "layers")
    out = tmp_path / "maps"
    build_maps(data, out, tiles="none")
    layers = json.loads((data / "heritage_sites.geojson").read_text(encoding="utf-8"))
    layers["features"] = [f for f in layers["features"] if f["properties"]["id"] != "site-bridge"]
    (data / "heritage_sites.geojson").write_text(json.dumps(layers), encoding="utf-8")
    build_maps(data, out, tiles="none")
    assert not (out / "sites" / "site-bridge.html").exists() and not (out / "embed" / "site-site-bridge.html").exists()
    assert "site-bridge" not in (out / MANIFEST).read_text(encoding="utf-8")


def test_a_changed_option_or_a_lost_state_renders_everything(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "maps"
    build_maps(data_dir, out, tiles="none")
    assert not build_maps(data_dir, out, tiles="osm").incremental
    assert build_maps(data_dir, out, tiles="osm").incremental
    BuildState.path(out).write_text("{not json", encoding="utf-8")
    assert not build_maps(data_dir, out, tiles="osm").incremental
    assert not build_maps(data_dir, out, tiles="osm", full=True).incremental


def test_a_log_that_lost_records_rather_than_gained_some_renders_everything(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "maps"
    build_maps(data_dir, out, tiles="none")
    log = data_dir / "observations.jsonl"
    log.write_bytes(b"".join(log.read_bytes().splitlines(keepends=True)[:-1]))  # still a valid chain, one record shorter
    assert not build_maps(data_dir, out, tiles="none").incremental


def test_a_deleted_output_is_written_again(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "maps"
    build_maps(data_dir, out, tiles="none")
    (out / "embed" / "index.html").unlink()
    assert not build_maps(data_dir, out, tiles="none").incremental
    assert (out / "embed" / "index.html").exists()
    # An output changed by hand is found by `sha256sum -c MANIFEST.sha256`, and `--full` writes every file again.
    (out / "sites" / "site-church.html").write_text("edited by hand", encoding="utf-8")
    build_maps(data_dir, out, tiles="none", full=True)
    assert (out / "sites" / "site-church.html").read_text(encoding="utf-8") != "edited by hand"


def test_pages_rendered_by_several_processes_are_the_bytes_one_process_writes(tmp_path: Path) -> None:
    data = write_layers(tmp_path / "layers")
    one, two = (
        build_maps(data, tmp_path / "one", tiles="none", workers=1),
        build_maps(data, tmp_path / "two", tiles="none", workers=2),
    )
    assert files(tmp_path / "one") == files(tmp_path / "two")
    assert sorted(p.name for p in one.written) == sorted(p.name for p in two.written)
    assert (one.unchanged, two.unchanged) == (0, 0)


def test_a_failing_page_worker_fails_the_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = write_layers(tmp_path / "layers")

    def broken_render(self: object, *args: object) -> str:
        raise ValueError("a template broke")

    monkeypatch.setattr("geo.pages.SitePages.render", broken_render)
    with pytest.raises(ValueError, match="a template broke"):
        build_maps(data, tmp_path / "maps", tiles="none", workers=2)
    assert not BuildState.path(tmp_path / "maps").exists()  # a build that failed leaves no state to trust
