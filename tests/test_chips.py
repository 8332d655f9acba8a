"""Chips on one Web Mercator grid per site, the change score, and `imagery changes`."""

from __future__ import annotations

import math
import struct
import zlib
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest
import rasterio
from affine import Affine
from click.testing import CliRunner
from pyproj import Transformer
from rasterio.warp import Resampling, reproject, transform_bounds
from shapely.geometry import Point

from geo.chips import site_change, site_chips
from geo.cli import main
from geo.imagery import add_scene
from tests.layers import default_layers, write_layers
from tests.rasters import (
    SITE_LAT,
    SITE_LON,
    texture,
    utm_grid,
    with_block,
    with_noise,
    write_scene,
)

if TYPE_CHECKING:
    from pathlib import Path

GROUND = texture(7)
CHURCH = SimpleNamespace(id="site-church", geometry=Point(SITE_LON, SITE_LAT))


def tagged(when: str) -> dict[str, str]:
    return {"ACQUISITION_DATETIME": when}


def decode_png(data: bytes) -> np.ndarray:
    """(rows, cols, channels) pixels of an 8-bit, unfiltered PNG as chips.png_bytes writes them."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, idat, header = 8, b"", b""
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        tag, body = data[position + 4 : position + 8], data[position + 8 : position + 8 + length]
        header = body if tag == b"IHDR" else header
        idat += body if tag == b"IDAT" else b""
        position += 12 + length
    cols, rows, depth, colour = struct.unpack(">IIBB", header[:10])
    channels = {4: 2, 6: 4}[colour]
    raw = np.frombuffer(zlib.decompress(idat), np.uint8).reshape(rows, 1 + cols * channels)
    assert depth == 8 and not raw[:, 0].any()
    return raw[:, 1:].reshape(rows, cols, channels)


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A catalog with a before scene (a bright 20 m roof on the site), an after (roof gone) and a noisy repeat of before."""
    catalog = tmp_path / "layers" / "imagery.json"
    roofed = with_block(GROUND, 90, 90)
    before = add_scene(
        catalog,
        write_scene(
            tmp_path / "s" / "before.tif",
            with_noise(roofed, 6, 1),
            tags=tagged("2023-06-01T08:00:00Z"),
            profile={"tiled": True, "blockxsize": 64, "blockysize": 64, "compress": "deflate"},
            overviews=(2, 4),
        ),
    )
    after = add_scene(
        catalog, write_scene(tmp_path / "s" / "after.tif", with_noise(GROUND, 6, 2), tags=tagged("2024-04-05T08:00:00Z"))
    )
    again = add_scene(
        catalog, write_scene(tmp_path / "s" / "again.tif", with_noise(roofed, 6, 3), tags=tagged("2024-04-06T08:00:00Z"))
    )
    return catalog, before, after, again


def test_chips_share_one_web_mercator_grid_centred_on_the_site(pair: Any, tmp_path: Path) -> None:
    catalog, before, after, _ = pair
    chips = site_chips(CHURCH, before, after, catalog.parent, radius_m=60)
    assert chips is not None
    assert (chips.site_id, chips.before_id, chips.after_id) == ("site-church", before["id"], after["id"])
    grid = chips.grid
    assert (grid.width, grid.height, grid.crs, grid.ground_res) == (120, 120, "EPSG:3857", 1.0)
    res = 1.0 / math.cos(math.radians(SITE_LAT))
    assert grid.transform[0] == pytest.approx(res) and grid.transform[4] == pytest.approx(-res)
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True).transform(SITE_LON, SITE_LAT)
    column, row = (x - grid.transform[2]) / res, (grid.transform[5] - y) / res
    assert abs(column - 60) <= 1 and abs(row - 60) <= 1
    west, south, east, north = grid.bounds_wgs84
    assert west < SITE_LON < east and south < SITE_LAT < north
    for png in (chips.before_png, chips.after_png):
        assert decode_png(png).shape == (120, 120, 4)


def test_the_roof_is_in_the_before_chip_and_gone_from_the_after(pair: Any, tmp_path: Path) -> None:
    catalog, before, after, _ = pair
    chips = site_chips(CHURCH, before, after, catalog.parent, radius_m=60)
    assert chips is not None
    then = decode_png(chips.before_png)
    now = decode_png(chips.after_png)
    centre = (slice(55, 65), slice(55, 65))
    assert then[centre][..., :3].mean() > 245 and now[centre][..., :3].mean() < 150
    assert then[..., 3].min() == 255  # the scene covers the whole chip: fully opaque


def test_change_score_of_a_razed_roof_is_far_above_noise(pair: Any) -> None:
    catalog, before, after, again = pair
    changed = site_change(CHURCH, before, after, catalog.parent, radius_m=60)
    unchanged = site_change(CHURCH, before, again, catalog.parent, radius_m=60)
    assert changed is not None and unchanged is not None
    assert changed[3] is not None and unchanged[3] is not None
    assert changed[3] > 3 and unchanged[3] < 0.5
    assert changed[3] > 10 * unchanged[3]


def test_pairs_in_different_crs_are_co_registered(pair: Any, tmp_path: Path) -> None:
    catalog, before, _, _ = pair
    source = tmp_path / "s" / "again.tif"
    with rasterio.open(source) as src:
        west, south, east, north = transform_bounds(src.crs, "EPSG:4326", *src.bounds)
        width, height = math.ceil((east - west) / 1e-5), math.ceil((north - south) / 1e-5)
        transform = Affine(1e-5, 0, west, 0, -1e-5, north)
        warped = np.zeros((3, height, width), np.uint8)
        reproject(
            src.read(),
            warped,
            src_transform=src.transform,
            src_crs=src.crs,
            dst_transform=transform,
            dst_crs="EPSG:4326",
            resampling=Resampling.bilinear,
            dst_nodata=0,
        )
    geographic = add_scene(
        catalog,
        write_scene(
            tmp_path / "s" / "geographic.tif",
            warped,
            crs="EPSG:4326",
            transform=transform,
            nodata=0,
            tags=tagged("2024-05-01T08:00:00Z"),
        ),
    )
    found = site_change(CHURCH, before, geographic, catalog.parent, radius_m=60)
    assert found is not None and found[3] is not None and found[3] < 1


def test_no_chips_without_local_rasters_or_a_location(pair: Any, tmp_path: Path) -> None:
    catalog, before, after, _ = pair
    remote = {**after, "assets": {"image": {**after["assets"]["image"], "href": "https://example.org/after.tif"}}}
    assert site_chips(CHURCH, before, remote, catalog.parent) is None
    assert site_chips(CHURCH, before, {**after, "assets": {}}, catalog.parent) is None
    unlocated = SimpleNamespace(id="site-bridge", geometry=None)
    assert site_chips(unlocated, before, after, catalog.parent) is None
    far = SimpleNamespace(id="far", geometry=Point(SITE_LON + 0.1, SITE_LAT))
    assert site_chips(far, before, after, catalog.parent) is None


def test_changes_command_ranks_sites(tmp_path: Path) -> None:
    layers = default_layers()
    cemetery = layers["heritage_sites.geojson"]["features"][1]
    cemetery["geometry"]["coordinates"] = [SITE_LON + 0.01, SITE_LAT]
    log = [
        {
            "kind": "observation",
            "id": "obs-1",
            "site_id": "site-church",
            "status": "destroyed",
            "observed_on": "2024-04",
            "before_scene": "church-2023",
            "after_scene": "church-2024",
            "recorded_at": "2024-05-01T00:00:00Z",
            "analyst": "fixture",
            "visibility": "public",
            "evidence": [],
        }
    ]
    data = write_layers(tmp_path / "layers", layers=layers, log=log)
    catalog = data / "imagery.json"
    church_grid = utm_grid()
    cemetery_grid = utm_grid(lon=SITE_LON + 0.01, lat=SITE_LAT)
    scenes = [
        ("church-2023", with_block(GROUND, 90, 90), church_grid, "2023-06-01T08:00:00Z"),
        ("church-2024", GROUND, church_grid, "2024-04-10T08:00:00Z"),
        ("cemetery-2023", with_noise(GROUND, 6, 4), cemetery_grid, "2023-06-01T08:00:00Z"),
        ("cemetery-2024", with_noise(GROUND, 6, 5), cemetery_grid, "2024-04-10T08:00:00Z"),
    ]
    for name, image, transform, when in scenes:
        add_scene(catalog, write_scene(tmp_path / "s" / f"{name}.tif", image, transform=transform, tags=tagged(when)))
    out = tmp_path / "changes.csv"
    result = CliRunner().invoke(main, ["imagery", "changes", "--radius", "60", "--csv", str(out), "--data", str(data)])
    assert result.exit_code == 0, result.output
    lines = [line.split() for line in result.stdout.splitlines()]
    assert lines[0] == ["rank", "site_id", "score", "before", "after", "pair"]
    assert [(row[0], row[1], row[3], row[4], row[5]) for row in lines[1:]] == [
        ("1", "site-church", "church-2023", "church-2024", "observation"),
        ("2", "site-cemetery", "cemetery-2023", "cemetery-2024", "latest-two"),
    ]
    assert float(lines[1][2]) > 10 * float(lines[2][2])
    assert "2 of 3 sites have a local before/after pair" in result.stderr
    assert out.read_text(encoding="utf-8").splitlines()[1].startswith("1,site-church,")
