"""Reading a GeoTIFF: footprint with nodata borders, resolution, acquisition date from tags and sidecars."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import numpy as np
import pytest
from rasterio.errors import NotGeoreferencedWarning
from shapely.geometry import Point, Polygon

from geo.errors import ImageryError
from geo.scene import parse_acquired, read_scene
from tests.rasters import (
    IMD_TEXT,
    SITE_LAT,
    SITE_LON,
    lonlat_of,
    pixel_lonlat,
    planet_metadata,
    texture,
    utm_grid,
    wgs84_grid,
    with_border,
    write_scene,
)

if TYPE_CHECKING:
    from pathlib import Path

TAG = {"ACQUISITION_DATETIME": "2023-10-05T07:51:46Z"}
COG = {"tiled": True, "blockxsize": 64, "blockysize": 64, "compress": "deflate"}


def test_utm_footprint_excludes_the_nodata_border(tmp_path: Path) -> None:
    path = write_scene(tmp_path / "utm.tif", with_border(texture(1), 20), nodata=0, tags=TAG)
    scene = read_scene(path)
    inside = Point(pixel_lonlat(utm_grid(), 21, 100))
    in_border = Point(pixel_lonlat(utm_grid(), 18, 100))
    assert scene.footprint.contains(inside)
    assert not scene.footprint.contains(in_border)
    assert scene.crs.to_epsg() == 32638
    assert scene.shape == (200, 200)


def test_footprint_edges_follow_the_projected_edges(tmp_path: Path) -> None:
    # A 100 km UTM scene: its straight edges are curves in lon/lat, and the footprint must follow them.
    transform = utm_grid(res=500.0)
    scene = read_scene(write_scene(tmp_path / "wide.tif", transform=transform, tags=TAG))
    steps = np.linspace(0, 200, 2001)
    edge = (
        [(r, c) for r, c in zip(steps, 0 * steps)]
        + [(200, c) for c in steps]
        + [(r, 200) for r in steps[::-1]]
        + [(0, c) for c in steps[::-1]]
    )
    truth = Polygon([lonlat_of(*(transform @ (c, r))) for r, c in edge])
    corners_only = Polygon([lonlat_of(*(transform @ (c, r))) for r, c in ((0, 0), (200, 0), (200, 200), (0, 200))])
    assert corners_only.hausdorff_distance(truth) > 1e-5  # the curvature is real at this size
    assert scene.footprint.hausdorff_distance(truth) < 1e-6
    assert scene.footprint.exterior.is_ccw  # RFC 7946 ring order
    assert scene.footprint.contains(Point(SITE_LON, SITE_LAT))


def test_wgs84_scene_footprint_and_resolution_in_metres(tmp_path: Path) -> None:
    path = write_scene(tmp_path / "geo.tif", crs="EPSG:4326", transform=wgs84_grid(1e-5), tags=TAG)
    scene = read_scene(path)
    west, south, east, north = scene.footprint.bounds
    assert (west, north) == pytest.approx((SITE_LON - 0.001, SITE_LAT + 0.001))
    assert (east, south) == pytest.approx((SITE_LON + 0.001, SITE_LAT - 0.001))
    # 1e-5 degree is 0.856 m east-west and 1.110 m north-south at 39.76 N.
    assert scene.gsd == pytest.approx(0.983, abs=0.003)


def test_projected_resolution(tmp_path: Path) -> None:
    scene = read_scene(write_scene(tmp_path / "half.tif", transform=utm_grid(0.5), tags=TAG))
    assert scene.gsd == 0.5


def test_tiled_compressed_scene_with_overviews(tmp_path: Path) -> None:
    path = write_scene(tmp_path / "cog.tif", with_border(texture(2), 30), nodata=0, tags=TAG, profile=COG, overviews=(2, 4))
    scene = read_scene(path)
    assert scene.footprint.contains(Point(pixel_lonlat(utm_grid(), 31, 31)))
    assert not scene.footprint.contains(Point(pixel_lonlat(utm_grid(), 28, 31)))


def test_acquisition_tag_is_an_instant(tmp_path: Path) -> None:
    acquired = read_scene(write_scene(tmp_path / "a.tif", tags=TAG)).acquired
    assert acquired.start == acquired.end == datetime(2023, 10, 5, 7, 51, 46, tzinfo=UTC)
    assert acquired.source == "tag ACQUISITION_DATETIME"
    assert acquired.stac_properties() == {"datetime": "2023-10-05T07:51:46Z"}


def test_a_date_without_time_stays_a_day(tmp_path: Path) -> None:
    acquired = read_scene(write_scene(tmp_path / "a.tif", tags={"acquisition_date": "2023-10-05"})).acquired
    assert acquired.stac_properties() == {
        "datetime": None,
        "start_datetime": "2023-10-05T00:00:00Z",
        "end_datetime": "2023-10-05T23:59:59Z",
    }


def test_maxar_imd_sidecar(tmp_path: Path) -> None:
    path = write_scene(tmp_path / "wv3.tif")
    (tmp_path / "wv3.IMD").write_text(IMD_TEXT, encoding="utf-8")
    scene = read_scene(path)
    assert scene.acquired.stac_properties() == {"datetime": "2023-10-05T07:51:46.123456Z"}
    assert scene.acquired.source == "wv3.IMD firstLineTime"
    assert scene.metadata == {"platform": "WV03", "view:off_nadir": 21.4, "eo:cloud_cover": 2.0}


def test_planet_metadata_sidecar(tmp_path: Path) -> None:
    path = write_scene(tmp_path / "20231005_071200_12_2474_3B_AnalyticMS.tif")
    sidecar = tmp_path / "20231005_071200_12_2474_metadata.json"
    sidecar.write_text(json.dumps(planet_metadata("2023-10-05T07:12:00.5Z")), encoding="utf-8")
    scene = read_scene(path)
    assert scene.acquired.start == datetime(2023, 10, 5, 7, 12, 0, 500000, tzinfo=UTC)
    assert scene.metadata == {"platform": "2474", "constellation": "planetscope", "view:off_nadir": 3.2, "eo:cloud_cover": 5.0}


def test_stac_item_sidecar(tmp_path: Path) -> None:
    path = write_scene(tmp_path / "s.tif")
    item = {
        "type": "Feature",
        "stac_version": "1.0.0",
        "id": "s",
        "properties": {"datetime": "2022-06-01T08:00:00Z", "platform": "pleiades-1a"},
    }
    (tmp_path / "s.json").write_text(json.dumps(item), encoding="utf-8")
    scene = read_scene(path)
    assert scene.acquired.stac_properties() == {"datetime": "2022-06-01T08:00:00Z"}
    assert scene.metadata["platform"] == "pleiades-1a"


def test_tag_and_sidecar_that_disagree_are_refused(tmp_path: Path) -> None:
    path = write_scene(tmp_path / "wv3.tif", tags={"ACQUISITION_DATETIME": "2021-01-01T00:00:00Z"})
    (tmp_path / "wv3.IMD").write_text(IMD_TEXT, encoding="utf-8")
    with pytest.raises(ImageryError, match=r"says 2023-10-05T07:51:46\.123456Z but tag ACQUISITION_DATETIME says 2021-01-01"):
        read_scene(path)


def test_only_tifftag_datetime_is_refused_and_says_to_pass_date(tmp_path: Path) -> None:
    path = write_scene(tmp_path / "w.tif", tags={"TIFFTAG_DATETIME": "2024:01:02 03:04:05"})
    with pytest.raises(ImageryError) as caught:
        read_scene(path)
    message = str(caught.value)
    assert "TIFFTAG_DATETIME (2024:01:02 03:04:05) is when the file was written" in message
    assert "pass --date" in message and "\n" not in message
    assert read_scene(path, date="2023-10-05T07:00:00Z").acquired.source == "--date"


def test_no_date_at_all_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ImageryError, match=r"no acquisition date: no acquisition tag and no provider sidecar.*pass --date"):
        read_scene(write_scene(tmp_path / "n.tif"))


def test_a_bad_date_option_says_what_form_it_takes(tmp_path: Path) -> None:
    with pytest.raises(ImageryError, match=r"option '--date': 'yesterday' is not a date"):
        read_scene(write_scene(tmp_path / "n.tif"), date="yesterday")


def test_a_time_without_zone_is_read_as_utc_and_says_so() -> None:
    acquired = parse_acquired("2023-10-05 07:51:46", "tag ACQUISITION_DATETIME")
    assert acquired.source == "tag ACQUISITION_DATETIME (no time zone given; read as UTC)"
    assert parse_acquired("2023-10-05T07:51:46Z", "tag X").source == "tag X"


@pytest.mark.parametrize(
    "text, start, end",
    [
        ("2023-10-05T07:51:46+04:00", "2023-10-05T03:51:46Z", "2023-10-05T03:51:46Z"),
        ("2023:10:05 07:51:46", "2023-10-05T07:51:46Z", "2023-10-05T07:51:46Z"),
        ("2023-02", "2023-02-01T00:00:00Z", "2023-02-28T23:59:59Z"),
        ("2023-12", "2023-12-01T00:00:00Z", "2023-12-31T23:59:59Z"),
    ],
)
def test_parse_acquired(text: str, start: str, end: str) -> None:
    acquired = parse_acquired(text, "test")
    assert (acquired.start.isoformat().replace("+00:00", "Z"), acquired.end.isoformat().replace("+00:00", "Z")) == (start, end)


def test_not_a_raster(tmp_path: Path) -> None:
    path = tmp_path / "notes.tif"
    path.write_text("not an image", encoding="utf-8")
    with pytest.raises(ImageryError, match=r"notes.tif: not a GeoTIFF \(the file does not start with a TIFF header\)"):
        read_scene(path, date="2023-10-05")


def test_no_crs(tmp_path: Path) -> None:
    path = write_scene(tmp_path / "plain.tif", crs=None, tags=TAG)
    with pytest.raises(ImageryError, match=r"plain.tif: field 'crs': the raster has no coordinate reference system"):
        read_scene(path)


def test_no_georeferencing_at_all(tmp_path: Path) -> None:
    with pytest.warns(NotGeoreferencedWarning):  # writing the fixture: an ungeoreferenced file is what is under test
        path = write_scene(tmp_path / "photo.tif", crs=None, transform=False, tags=TAG)
    with pytest.raises(ImageryError, match=r"photo.tif: field 'crs'"):
        read_scene(path)


def test_truncated_file(tmp_path: Path) -> None:
    whole = write_scene(tmp_path / "whole.tif", texture(5), tags=TAG, profile={"compress": "deflate"})
    cut = tmp_path / "cut.tif"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(ImageryError, match=r"cut.tif: not a readable GeoTIFF"):
        read_scene(cut)


def test_a_large_scene_is_traced_on_a_decimated_mask(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Big rasters are traced at most MASK_MAX_SIDE pixels a side; shrink it so a small file takes that path.
    monkeypatch.setattr("geo.scene.MASK_MAX_SIDE", 50)
    path = write_scene(tmp_path / "big.tif", with_border(texture(3), 40), nodata=0, tags=TAG, profile=COG, overviews=(2, 4))
    footprint = read_scene(path).footprint
    assert footprint.contains(Point(pixel_lonlat(utm_grid(), 44, 100)))
    assert not footprint.contains(Point(pixel_lonlat(utm_grid(), 36, 100)))
