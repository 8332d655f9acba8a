"""Hostile scenes and catalogs: nothing is fetched, no file outside the data folder is read, no command hangs.

Each crafted file is built in code. A real HTTP server on 127.0.0.1 records every request, to prove none is made.
"""

from __future__ import annotations

import copy
import json
import os
import time
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest
import rasterio
from click.testing import CliRunner
from shapely.geometry import Point

from geo.chips import site_change
from geo.cli import main
from geo.errors import ImageryError
from geo.imagery import catalog_problems, local_image
from tests.layers import default_catalog
from tests.rasters import SITE_LAT, SITE_LON, utm_grid, write_scene
from tests.servers import recording_server

if TYPE_CHECKING:
    from pathlib import Path

TAG = {"ACQUISITION_DATETIME": "2023-10-05T07:51:46Z"}
SECRET = b"SECRET-BYTES-OUTSIDE-THE-DATA-FOLDER" * 64
CHURCH = SimpleNamespace(id="site-church", geometry=Point(SITE_LON, SITE_LAT))


def run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args))


def one_line(result: Any) -> str:
    """The error line of a failed command; fails the test unless it is exactly one line, exit 1, no traceback."""
    assert result.exit_code == 1, (result.exit_code, result.output)
    assert result.stderr.startswith("heritage-map: error: ") and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.output
    return result.stderr


def vrt_over_url(url: str) -> str:
    return f"""<VRTDataset rasterXSize="10" rasterYSize="10">
  <SRS>EPSG:32638</SRS><GeoTransform>500000, 1, 0, 4400000, 0, -1</GeoTransform>
  <VRTRasterBand dataType="Byte" band="1">
    <SimpleSource>
      <SourceFilename relativeToVRT="0">/vsicurl/{url}/scene.tif</SourceFilename><SourceBand>1</SourceBand>
    </SimpleSource>
  </VRTRasterBand>
</VRTDataset>"""


def vrt_raw_over(path: Path) -> str:
    return f"""<VRTDataset rasterXSize="64" rasterYSize="36">
  <SRS>EPSG:32638</SRS><GeoTransform>500000, 1, 0, 4400000, 0, -1</GeoTransform>
  <VRTRasterBand dataType="Byte" band="1" subClass="VRTRawRasterBand">
    <SourceFilename relativetoVRT="0">{path}</SourceFilename>
    <ImageOffset>0</ImageOffset><PixelOffset>1</PixelOffset><LineOffset>64</LineOffset>
  </VRTRasterBand>
</VRTDataset>"""


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "layers"
    folder.mkdir()
    (folder / "imagery.json").write_text(json.dumps(default_catalog()), encoding="utf-8")
    return folder


def test_a_vrt_named_tif_is_refused_and_fetches_nothing(data: Path, tmp_path: Path) -> None:
    with recording_server() as server:
        scene = tmp_path / "delivery" / "scene.tif"
        scene.parent.mkdir()
        scene.write_text(vrt_over_url(server.url), encoding="utf-8")
        before = (data / "imagery.json").read_bytes()
        message = one_line(run("imagery", "add", str(scene), "--date", "2024-01-01", "--data", str(data)))
        assert "scene.tif: not a GeoTIFF" in message
        assert server.requests == []
    assert (data / "imagery.json").read_bytes() == before


def test_a_vrt_planted_in_the_data_folder_never_reads_the_file_it_points_at(data: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.bin"
    secret.write_bytes(SECRET)
    planted = data / "scenes" / "planted.tif"
    planted.parent.mkdir()
    planted.write_text(vrt_raw_over(secret), encoding="utf-8")
    item = {**copy.deepcopy(default_catalog()["features"][0]), "id": "planted"}
    item["assets"] = {"image": {"href": "scenes/planted.tif", "type": "image/tiff; application=geotiff"}}
    with pytest.raises(ImageryError, match=r"planted.tif: not a GeoTIFF"):
        site_change(CHURCH, item, item, data)
    assert not list(tmp_path.rglob("*.png"))


@pytest.mark.parametrize("href", ["/etc/passwd", "../../../etc/hostname", "file:///etc/hostname", "/vsicurl/http://x/y.tif"])
def test_catalogued_hrefs_outside_the_data_folder_are_problems_and_never_opened(data: Path, href: str) -> None:
    item = copy.deepcopy(default_catalog()["features"][0])
    item["assets"] = {"image": {"href": href}}
    assert any("points outside the data folder" in p.found for p in catalog_problems([item]))
    if href.startswith("/vsi"):
        with pytest.raises(ImageryError, match=r"not a local file path"):
            local_image(item, data)
    else:
        with pytest.raises(ImageryError, match=r"lies outside"):
            local_image(item, data)


def test_a_symlinked_scene_pointing_out_of_its_folder_is_refused(data: Path, tmp_path: Path) -> None:
    real = write_scene(tmp_path / "elsewhere" / "real.tif", tags=TAG)
    link = tmp_path / "delivery" / "scene.tif"
    link.parent.mkdir()
    link.symlink_to(real)
    assert "lies outside" in one_line(run("imagery", "add", str(link), "--data", str(data)))


def test_a_fifo_or_a_device_is_refused_without_reading_it(data: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "delivery" / "pipe.tif"
    fifo.parent.mkdir()
    os.mkfifo(fifo)
    started = time.monotonic()
    assert "is not a regular file" in one_line(run("imagery", "add", str(fifo), "--data", str(data)))
    assert time.monotonic() - started < 10


def _sparse(path: Path, side: int) -> Path:
    """A tiled GeoTIFF declaring side × side pixels with no block written: a few kilobytes on disk."""
    path.parent.mkdir(parents=True, exist_ok=True)
    profile = {"driver": "GTiff", "width": side, "height": side, "count": 1, "dtype": "uint8", "crs": "EPSG:32638"}
    profile |= {"transform": utm_grid(), "tiled": True, "blockxsize": 8192, "blockysize": 8192, "sparse_ok": True}
    with rasterio.open(path, "w", **profile) as dataset:
        dataset.update_tags(**TAG)
    return path


def test_a_scene_declaring_a_trillion_pixels_is_refused_at_once(data: Path, tmp_path: Path) -> None:
    scene = _sparse(tmp_path / "delivery" / "huge.tif", 1_000_000)
    assert scene.stat().st_size < 5_000_000
    started = time.monotonic()
    message = one_line(run("imagery", "add", str(scene), "--data", str(data)))
    assert "declares 1000000 × 1000000 pixels × 1 bands, over the budget" in message
    assert time.monotonic() - started < 10


def test_a_decompression_bomb_is_refused_before_any_pixel_is_read(data: Path, tmp_path: Path) -> None:
    scene = _sparse(tmp_path / "delivery" / "bomb.tif", 40_000)
    started = time.monotonic()
    message = one_line(run("imagery", "add", str(scene), "--data", str(data)))
    assert "bytes of pixels in a" in message and "compression: a decompression bomb" in message
    assert time.monotonic() - started < 10


def _catalog_linking(folder: Path, links: list[dict[str, str]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    root = {"type": "Catalog", "stac_version": "1.1.0", "id": "order", "description": "a delivery", "links": links}
    path = folder / "catalog.json"
    path.write_text(json.dumps(root), encoding="utf-8")
    return path


@pytest.mark.parametrize("rel", ["child", "item"])
def test_a_catalog_linking_over_http_fetches_nothing(data: Path, tmp_path: Path, rel: str) -> None:
    with recording_server() as server:
        source = _catalog_linking(tmp_path / "order", [{"rel": rel, "href": f"{server.url}/{rel}.json"}])
        before = (data / "imagery.json").read_bytes()
        message = one_line(run("imagery", "import", str(source), "--data", str(data)))
        assert "is not a local file path" in message
        assert server.requests == []
    assert (data / "imagery.json").read_bytes() == before


def test_a_catalog_linking_outside_its_folder_reads_nothing(data: Path, tmp_path: Path) -> None:
    source = _catalog_linking(tmp_path / "order", [{"rel": "child", "href": "/etc/hostname"}])
    assert "lies outside" in one_line(run("imagery", "import", str(source), "--data", str(data)))


def test_a_child_link_that_names_an_item_is_one_line(data: Path, tmp_path: Path) -> None:
    item = copy.deepcopy(default_catalog()["features"][0])
    source = _catalog_linking(tmp_path / "order", [{"rel": "child", "href": "./item.json"}])
    (source.parent / "item.json").write_text(json.dumps(item), encoding="utf-8")
    assert "fix: correct the provider's catalog" in one_line(run("imagery", "import", str(source), "--data", str(data)))


def _collection(tmp_path: Path, items: list[dict[str, Any]]) -> Path:
    source = tmp_path / "order" / "items.json"
    source.parent.mkdir(parents=True, exist_ok=True)
    source.write_text(json.dumps({"type": "FeatureCollection", "features": items}), encoding="utf-8")
    return source


def _hostile(**changes: Any) -> dict[str, Any]:
    item = copy.deepcopy(default_catalog()["features"][0])
    item["id"] = "hostile"
    for key, value in changes.items():
        if key in ("bbox", "geometry", "assets"):
            item[key] = value
        else:
            item["properties"][key] = value
    return item


WORLD = {"type": "Polygon", "coordinates": [[[-180, -90], [180, -90], [180, 90], [-180, 90], [-180, -90]]]}


@pytest.mark.parametrize(
    ("item", "message"),
    [
        (_hostile(start_datetime="9999-01-01T00:00:00Z", end_datetime="9999-12-31T00:00:00Z"), "is outside 1960-08-18 to today"),
        (_hostile(bbox=[46.7, 39.7, 1e308, 39.8]), "field 'bbox'"),
        (_hostile(geometry={"type": "Point", "coordinates": [1e308, 39.7]}, bbox=[46.7, 39.7, 46.8, 39.8]), "field 'geometry'"),
        (_hostile(assets={"image": {"href": "/etc/passwd"}}), "lies outside"),
        (_hostile(assets={"image": {"href": "../../../etc/hostname"}}), "lies outside"),
    ],
)
def test_hostile_items_are_refused_whole(data: Path, tmp_path: Path, item: dict[str, Any], message: str) -> None:
    before = (data / "imagery.json").read_bytes()
    assert message in one_line(run("imagery", "import", str(_collection(tmp_path, [item])), "--data", str(data)))
    assert (data / "imagery.json").read_bytes() == before
    assert not (data / "scenes").exists()


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_json_numbers_are_refused(data: Path, tmp_path: Path, literal: str) -> None:
    text = json.dumps({"type": "FeatureCollection", "features": [_hostile(bbox=[46.7, 39.7, 46.8, 39.8])]})
    source = tmp_path / "items.json"
    source.write_text(text.replace("46.8", literal, 1), encoding="utf-8")
    assert f"{literal} is not a JSON number" in one_line(run("imagery", "import", str(source), "--data", str(data)))


def test_deeply_nested_json_is_one_line(data: Path, tmp_path: Path) -> None:
    source = tmp_path / "deep.json"
    source.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    assert "nested too deep" in one_line(run("imagery", "import", str(source), "--data", str(data)))


def test_a_world_wide_item_dated_9999_cannot_hide_sites_from_gaps(data_dir: Path) -> None:
    catalog = json.loads((data_dir / "imagery.json").read_text(encoding="utf-8"))
    catalog["features"].append(
        _hostile(
            geometry=WORLD, bbox=[-180, -90, 180, 90], start_datetime="9999-01-01T00:00:00Z", end_datetime="9999-12-31T00:00:00Z"
        )
    )
    (data_dir / "imagery.json").write_text(json.dumps(catalog), encoding="utf-8")
    assert "is outside 1960-08-18 to today" in one_line(run("imagery", "gaps", "--data", str(data_dir)))


def test_a_real_scene_still_adds_and_is_kept_in_the_data_folder(data: Path, tmp_path: Path) -> None:
    scene = write_scene(tmp_path / "delivery" / "wv3.tif", np.full((1, 50, 50), 7, dtype=np.uint8), tags=TAG)
    result = run("imagery", "add", str(scene), "--data", str(data))
    assert result.exit_code == 0, result.output
    assert (data / "scenes" / "wv3.tif").read_bytes() == scene.read_bytes()
