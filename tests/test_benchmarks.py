"""The benchmark harness: its data is reproducible and valid, and a quick run reports every section."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import synthetic
from geo.schema import REGION_BOUNDS
from geo.validate import validate_layers


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_same_seed_same_bytes_and_another_seed_other_bytes(tmp_path: Path) -> None:
    first = digests(synthetic.write_data_folder(tmp_path / "a", 40, 120, seed=7))
    again = digests(synthetic.write_data_folder(tmp_path / "b", 40, 120, seed=7))
    other = digests(synthetic.write_data_folder(tmp_path / "c", 40, 120, seed=8))
    assert first == again
    assert first["heritage_sites.geojson"] != other["heritage_sites.geojson"]
    assert first["imagery.json"] != other["imagery.json"]
    assert synthetic.observation_records(10, 50, seed=7) == synthetic.observation_records(10, 50, seed=7)


def test_sites_do_not_depend_on_the_number_of_footprints(tmp_path: Path) -> None:
    few = synthetic.write_data_folder(tmp_path / "few", 30, 100)
    many = synthetic.write_data_folder(tmp_path / "many", 30, 400)
    assert (few / "heritage_sites.geojson").read_bytes() == (many / "heritage_sites.geojson").read_bytes()


def test_generated_folder_is_valid_and_inside_the_region(tmp_path: Path) -> None:
    folder = synthetic.write_data_folder(tmp_path / "layers", 60, 200)
    assert [str(p) for p in validate_layers(folder) if p.severity == "error"] == []
    west, south, east, north = REGION_BOUNDS
    corners = synthetic.footprints(200).corners
    points = synthetic.site_points(60)
    for lon, lat in [*corners.reshape(-1, 2), *points]:
        assert west < lon < east and south < lat < north


SECTIONS = (
    "## Machine",
    "## Versions",
    "## Targets",
    "## 1. The join",
    "## 2. The build",
    "## 3. The browser",
    "## 4. The log",
)


ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.browser
def test_quick_run_writes_every_section(tmp_path: Path) -> None:
    # A process of its own: Playwright's sync API cannot start beside the session's browser fixture.
    out = tmp_path / "RESULTS.md"
    command = [sys.executable, "-m", "benchmarks", "--quick", "--out", str(out), "--workdir", str(tmp_path / "work")]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    text = out.read_text(encoding="utf-8")
    for heading in SECTIONS:
        assert heading in text, heading
    for row in ("| ours |", "| fastmarkercluster |", "| folium |", "`verify_log`", "naive loop", "Arrow read"):
        assert row in text, row
    assert "failed:" not in text and "timed out" not in text
