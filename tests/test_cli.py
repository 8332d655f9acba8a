"""`heritage-map validate` and `build`: exit codes, one-line messages, files left alone."""

from __future__ import annotations

import re
import subprocess
import sys
from typing import TYPE_CHECKING

from click.testing import CliRunner

from geo.cli import main
from tests.layers import broken, default_layers, write_layers

if TYPE_CHECKING:
    from pathlib import Path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_validate_passes_valid_data_listing_warnings(data_dir: Path) -> None:
    code, _, err = run("validate", "--data", str(data_dir))
    assert code == 0
    assert "warning: " in err and "feature 'village-c': field 'geometry': unlocated" in err
    assert err.strip().endswith("0 errors, 2 warnings")


def test_validate_exits_1_naming_file_feature_and_field(tmp_path: Path) -> None:
    folder = write_layers(tmp_path / "layers", broken("heritage_sites.geojson", 1, type="castle", sources=[]))
    code, _, err = run("validate", "--data", str(folder))
    assert code == 1
    assert (
        f"error: {folder / 'heritage_sites.geojson'}: feature 'site-cemetery': field 'type': 'castle' is not in the vocabulary"
        in err
    )
    assert "feature 'site-cemetery': field 'sources': empty or missing" in err
    assert "2 errors" in err


def test_build_writes_index_with_no_remote_scripts(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "maps"
    code, stdout, _ = run("build", "--data", str(data_dir), "--out", str(out), "--tiles", "none")
    assert code == 0 and str(out / "index.html") in stdout
    page = (out / "index.html").read_text(encoding="utf-8")
    assert re.findall(r'<(?:script|link)[^>]+(?:src|href)="https?:', page) == []
    assert "tile.openstreetmap.org" not in page and '<html lang="en" class="hm-map-page">' in page
    # Readers may zoom the page (WCAG 1.4.4): folium's viewport tag, which forbids it, is replaced.
    assert page.count('<meta name="viewport"') == 1 and "user-scalable" not in page and "maximum-scale" not in page


def test_build_with_osm_tiles_names_the_basemap_credit(data_dir: Path, tmp_path: Path) -> None:
    code, _, _ = run("build", "--data", str(data_dir), "--out", str(tmp_path / "maps"), "--tiles", "osm")
    page = (tmp_path / "maps" / "index.html").read_text(encoding="utf-8")
    assert code == 0 and "tile.openstreetmap.org" in page and "OpenStreetMap contributors" in page


def test_build_no_self_contained_writes_assets_beside(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "maps"
    assert run("build", "--data", str(data_dir), "--out", str(out), "--tiles", "none", "--no-self-contained")[0] == 0
    page = (out / "index.html").read_text(encoding="utf-8")
    assert '<script src="assets/vendor/leaflet/leaflet.js"></script>' in page
    assert (out / "assets/vendor/leaflet/leaflet.js").exists() and (out / "assets/vendor/leaflet/images/layers.png").exists()


def test_builds_are_byte_identical(data_dir: Path, tmp_path: Path) -> None:
    for name in ("a", "b"):
        assert run("build", "--data", str(data_dir), "--out", str(tmp_path / name), "--tiles", "osm")[0] == 0
    assert snapshot(tmp_path / "a") == snapshot(tmp_path / "b")


def bad_build(tmp_path: Path, layers: dict) -> tuple[int, str, dict, dict]:
    folder = write_layers(tmp_path / "layers", layers)
    before = snapshot(folder)
    code, _, err = run("build", "--data", str(folder), "--out", str(tmp_path / "maps"))
    return code, err, before, snapshot(folder)


def test_bad_input_is_one_line_exit_1_and_changes_no_data(tmp_path: Path) -> None:
    cases = {
        "unreadable JSON": ("places.geojson", "{not json"),
        "'EPSG:32638'": (
            "routes.geojson",
            {**default_layers()["routes.geojson"], "crs": {"type": "name", "properties": {"name": "EPSG:32638"}}},
        ),
        "invalid geometry: Self-intersection": (
            "heritage_sites.geojson",
            broken(
                "heritage_sites.geojson",
                0,
                geometry={
                    "type": "Polygon",
                    "coordinates": [[[46.7, 39.7], [46.8, 39.8], [46.8, 39.7], [46.7, 39.8], [46.7, 39.7]]],
                },
            )["heritage_sites.geojson"],
        ),
        "used by 2 features": ("communities.geojson", broken("communities.geojson", 1, id="town-a")["communities.geojson"]),
    }
    for index, (expected, (name, content)) in enumerate(cases.items()):
        layers = default_layers()
        layers[name] = content
        code, err, before, after = bad_build(tmp_path / str(index), layers)
        assert code == 1, expected
        assert expected in err and name in err
        assert err.startswith("heritage-map: error: ") and len(err.strip().splitlines()) == 1
        assert "Traceback" not in err
        assert before == after


def test_missing_layer_is_one_line_and_names_the_file(tmp_path: Path) -> None:
    folder = write_layers(tmp_path / "layers")
    (folder / "communities.geojson").unlink()
    code, _, err = run("build", "--data", str(folder), "--out", str(tmp_path / "maps"))
    assert code == 1 and "communities.geojson" in err and "file not found" in err
    assert not (tmp_path / "maps" / "index.html").exists()


def test_usage_error_exits_2() -> None:
    code, _, err = run("build", "--tiles", "google")
    assert code == 2 and "'google' is not one of" in err


def test_python_m_geo_is_the_same_command(data_dir: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "geo", "validate", "--data", str(data_dir)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and "0 errors" in result.stderr


def test_base_url_goes_into_the_embed_snippets(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "maps"
    assert (
        run("build", "--data", str(data_dir), "--out", str(out), "--tiles", "none", "--base-url", "https://example.org/m")[0] == 0
    )
    page = (out / "embed" / "site-site-church.html").read_text(encoding="utf-8")
    assert '"base":"https://example.org/m/"' in page  # embed.js makes the snippet's addresses absolute against it
    assert '<iframe src="sites/site-church.html?embed=1" title="Church One: heritage site story"' in page
    story = (out / "sites" / "site-church.html").read_text(encoding="utf-8")
    assert '<meta property="og:url" content="https://example.org/m/sites/site-church.html">' in story
