"""The catalog: adding scenes as STAC Items, refusing duplicates and bad files, importing by id."""

from __future__ import annotations

import copy
import hashlib
import json
import shutil
from typing import TYPE_CHECKING, Any

import pystac
import pytest
from click.testing import CliRunner
from filelock import FileLock
from pystac.validation import validate_dict

from geo.cli import main
from geo.errors import ImageryError
from geo.imagery import (
    add_scene,
    catalog_problems,
    import_catalog,
    item_problems,
    read_catalog,
    write_catalog,
)
from tests.layers import default_catalog
from tests.rasters import IMD_TEXT, texture, with_border, write_scene

if TYPE_CHECKING:
    from pathlib import Path

TAG = {"ACQUISITION_DATETIME": "2023-10-05T07:51:46Z"}
REAL_WORLD = {"tiled": True, "blockxsize": 64, "blockysize": 64, "compress": "deflate"}


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    """A data folder whose catalog holds the two transcribed (footprint-less) items of the fixture data."""
    path = tmp_path / "layers" / "imagery.json"
    path.parent.mkdir()
    path.write_text(json.dumps(default_catalog()), encoding="utf-8")
    return path


def run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args))


def test_a_missing_catalog_is_empty(tmp_path: Path) -> None:
    assert read_catalog(tmp_path / "imagery.json") == []


def test_reading_the_catalog_leaves_its_items_as_written(catalog: Path) -> None:
    # pystac checks each item without a copy of its own (its migration copies): an upgrade that changed that fails here.
    assert read_catalog(catalog) == json.loads(catalog.read_text(encoding="utf-8"))["features"]


def test_add_a_real_world_shaped_geotiff(catalog: Path, tmp_path: Path) -> None:
    scene = write_scene(
        tmp_path / "scenes" / "wv3.tif", with_border(texture(1), 20), nodata=0, profile=REAL_WORLD, overviews=(2, 4)
    )
    (tmp_path / "scenes" / "wv3.IMD").write_text(IMD_TEXT, encoding="utf-8")
    result = run("imagery", "add", str(scene), "--provider", "Maxar", "--license", "other", "--data", str(catalog.parent))
    assert result.exit_code == 0, result.output
    item = pystac.Item.from_dict(json.loads(result.stdout))
    assert item.id == "wv3"
    assert item.datetime is not None and item.datetime.isoformat() == "2023-10-05T07:51:46.123456+00:00"
    props = item.properties
    assert props["gsd"] == 1.0
    assert props["proj:code"] == "EPSG:32638"
    assert props["proj:shape"] == [200, 200]
    assert props["platform"] == "WV03" and props["view:off_nadir"] == 21.4 and props["eo:cloud_cover"] == 2.0
    assert props["providers"] == [{"name": "Maxar", "roles": ["producer"]}] and props["license"] == "other"
    assert props["heritage:datetime_source"] == "wv3.IMD firstLineTime"
    assert {e.split("/")[3] for e in item.stac_extensions} == {"projection", "eo", "view", "file"}
    asset = item.assets["image"]
    # The delivery's file is copied into the data folder, byte for byte: builds read pixels from there only.
    assert asset.href == "scenes/wv3.tif"
    assert (catalog.parent / "scenes" / "wv3.tif").read_bytes() == scene.read_bytes()
    assert asset.extra_fields["file:checksum"] == "1220" + hashlib.sha256(scene.read_bytes()).hexdigest()
    stored = {i["id"]: i for i in read_catalog(catalog)}
    assert sorted(stored) == ["scene-after", "scene-before", "wv3"]
    assert stored["wv3"]["geometry"]["type"] == "Polygon"


def test_the_catalog_is_written_deterministically(catalog: Path, tmp_path: Path) -> None:
    add_scene(catalog, write_scene(tmp_path / "b.tif", tags=TAG))
    first = catalog.read_bytes()
    write_catalog(catalog, list(reversed(read_catalog(catalog))))
    assert catalog.read_bytes() == first
    text = first.decode("utf-8")
    assert text.endswith("}\n") and text.startswith('{\n  "features": [\n')
    assert [i["id"] for i in json.loads(text)["features"]] == ["b", "scene-after", "scene-before"]


def test_the_same_file_twice_is_refused_by_hash(catalog: Path, tmp_path: Path) -> None:
    scene = write_scene(tmp_path / "a.tif", tags=TAG)
    add_scene(catalog, scene)
    before = catalog.read_bytes()
    copy_ = tmp_path / "copy-of-a.tif"
    shutil.copy(scene, copy_)
    result = run("imagery", "add", str(copy_), "--data", str(catalog.parent))
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert "copy-of-a.tif: already in" in result.stderr and "as item 'a' (same SHA-256" in result.stderr
    assert catalog.read_bytes() == before


def test_an_id_already_taken_is_refused(catalog: Path, tmp_path: Path) -> None:
    with pytest.raises(ImageryError, match=r"item id 'scene-after' is already in .*pass another --id"):
        add_scene(catalog, write_scene(tmp_path / "scene-after.tif", tags=TAG))


def _truncated(tmp_path: Path) -> Path:
    whole = write_scene(tmp_path / "whole.tif", texture(4), tags=TAG, profile={"compress": "deflate"})
    cut = tmp_path / "cut.tif"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    return cut


def _text(tmp_path: Path) -> Path:
    path = tmp_path / "readme.tif"
    path.write_text("this is not a raster", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "make, message",
    [
        (_text, "readme.tif: not a GeoTIFF"),
        (
            lambda tmp: write_scene(tmp / "nocrs.tif", crs=None, tags=TAG),
            "nocrs.tif: field 'crs': the raster has no coordinate reference system",
        ),
        (_truncated, "cut.tif: not a readable GeoTIFF"),
        (
            lambda tmp: write_scene(tmp / "written.tif", tags={"TIFFTAG_DATETIME": "2024:02:02 10:00:00"}),
            (
                "written.tif: field 'datetime': no acquisition date: "
                "TIFFTAG_DATETIME (2024:02:02 10:00:00) is when the file was written"
            ),
        ),
    ],
)
def test_bad_scenes_give_one_line_and_leave_the_catalog_alone(catalog: Path, tmp_path: Path, make: Any, message: str) -> None:
    before = catalog.read_bytes()
    result = run("imagery", "add", str(make(tmp_path)), "--data", str(catalog.parent))
    assert result.exit_code == 1
    assert result.stderr.startswith("heritage-map: error: ") and result.stderr.count("\n") == 1
    assert message in result.stderr
    assert "fix:" in result.stderr
    assert catalog.read_bytes() == before


def test_tifftag_only_scene_is_added_with_date(catalog: Path, tmp_path: Path) -> None:
    scene = write_scene(tmp_path / "written.tif", tags={"TIFFTAG_DATETIME": "2024:02:02 10:00:00"})
    result = run("imagery", "add", str(scene), "--date", "2023-10-05", "--data", str(catalog.parent))
    assert result.exit_code == 0, result.output
    props = json.loads(result.stdout)["properties"]
    assert props["datetime"] is None
    assert (props["start_datetime"], props["end_datetime"]) == ("2023-10-05T00:00:00Z", "2023-10-05T23:59:59Z")
    assert props["heritage:datetime_source"] == "--date"


def test_a_broken_catalog_is_named(tmp_path: Path) -> None:
    path = tmp_path / "imagery.json"
    path.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    with pytest.raises(ImageryError, match=r"imagery.json: unreadable JSON at line 1"):
        read_catalog(path)
    item = copy.deepcopy(default_catalog()["features"][0])
    del item["properties"]["start_datetime"]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [item]}), encoding="utf-8")
    with pytest.raises(ImageryError, match=r"item 'scene-after': not a valid STAC Item"):
        read_catalog(path)


def _provider_items(tmp_path: Path) -> list[dict[str, Any]]:
    own = default_catalog()["features"]
    changed = copy.deepcopy(own[0])
    changed["properties"]["providers"] = [{"name": "Airbus", "roles": ["producer"]}]
    new = copy.deepcopy(own[1])
    new["id"] = "provider-scene"
    new["assets"] = {"image": {"href": "tiles/provider-scene.tif", "type": "image/tiff; application=geotiff"}}
    return [changed, own[1], new]


def test_import_merges_by_id_and_reports_conflicts(catalog: Path, tmp_path: Path) -> None:
    delivery = tmp_path / "delivery" / "items.json"
    delivery.parent.mkdir()
    delivery.write_text(json.dumps({"type": "FeatureCollection", "features": _provider_items(tmp_path)}), encoding="utf-8")
    tile = write_scene(delivery.parent / "tiles" / "provider-scene.tif", tags=TAG)
    result = run("imagery", "import", str(delivery), "--data", str(catalog.parent))
    assert result.exit_code == 1
    assert result.stdout == "provider-scene\n"
    assert "conflict: scene-after: differs from the catalogued item of that id; kept the catalogued one" in result.stderr
    assert "1 added, 1 already present, 1 conflicts" in result.stderr
    stored = {i["id"]: i for i in read_catalog(catalog)}
    assert stored["scene-after"]["properties"]["providers"] == [{"name": "unstated", "roles": ["producer"]}]
    # The delivered file is kept in the data folder, byte for byte: a build reads pixels from there only.
    assert stored["provider-scene"]["assets"]["image"]["href"] == "scenes/provider-scene.tif"
    assert (catalog.parent / "scenes" / "provider-scene.tif").read_bytes() == tile.read_bytes()


def test_import_a_stac_catalog_with_item_links(catalog: Path, tmp_path: Path) -> None:
    root = pystac.Catalog(id="delivery", description="a provider's order")
    for raw in _provider_items(tmp_path)[2:]:
        root.add_item(pystac.Item.from_dict(raw))
    root.normalize_hrefs(str(tmp_path / "order"))
    root.save(catalog_type=pystac.CatalogType.SELF_CONTAINED)
    write_scene(tmp_path / "order" / "provider-scene" / "tiles" / "provider-scene.tif", tags=TAG)
    result = import_catalog(catalog, tmp_path / "order" / "catalog.json")
    assert (result.added, result.conflicts) == (["provider-scene"], [])
    stored = {i["id"]: i for i in read_catalog(catalog)}
    assert stored["provider-scene"]["assets"]["image"]["href"] == "scenes/provider-scene.tif"
    assert stored["provider-scene"]["links"] == []


def test_import_refuses_an_image_already_catalogued_under_another_id(catalog: Path, tmp_path: Path) -> None:
    added = add_scene(catalog, write_scene(tmp_path / "a.tif", tags=TAG))
    again = copy.deepcopy(added)
    again["id"] = "renamed"
    source = tmp_path / "again.json"
    source.write_text(json.dumps({"type": "FeatureCollection", "features": [again]}), encoding="utf-8")
    before = catalog.read_bytes()
    result = import_catalog(catalog, source)
    assert result.added == [] and result.conflicts == ["renamed: same image (SHA-256) as catalogued item 'a'; not added"]
    assert catalog.read_bytes() == before


def test_an_added_item_validates_against_the_stac_item_schema(catalog: Path, tmp_path: Path) -> None:
    # pystac ships the core STAC 1.1 schemas, so this runs offline; extension fields are checked by item_problems.
    item = add_scene(catalog, write_scene(tmp_path / "a.tif", with_border(texture(2), 10), nodata=0, tags=TAG))
    assert validate_dict(item, stac_object_type=pystac.STACObjectType.ITEM, extensions=[])
    assert item_problems(item) == []
    assert catalog_problems(read_catalog(catalog)) == []


def test_extension_fields_out_of_range_or_undeclared_are_named(catalog: Path, tmp_path: Path) -> None:
    item = add_scene(catalog, write_scene(tmp_path / "a.tif", tags=TAG))
    bad = copy.deepcopy(item)
    bad["properties"]["eo:cloud_cover"] = 0.2 * 1000
    bad["properties"]["proj:shape"] = [200]
    assert [p.message() for p in item_problems(bad)] == [
        "item 'a': field 'eo:cloud_cover': 200.0; fix: give a number from 0 to 100, or leave the field out when unknown",
        "item 'a': field 'proj:shape': [200]; fix: give [rows, columns] as two positive integers",
        (
            "item 'a': field 'stac_extensions': eo:* fields without the extension's schema URL; "
            "fix: list the eo extension schema in stac_extensions"
        ),
    ]
    before = catalog.read_bytes()
    with pytest.raises(ImageryError, match=r"item 'a': field 'eo:cloud_cover': 200.0"):
        write_catalog(catalog, [bad])
    assert catalog.read_bytes() == before


@pytest.mark.parametrize("name", ["add", "import", "gaps", "changes"])
def test_every_imagery_command_has_help_with_an_example(name: str) -> None:
    result = run("imagery", name, "--help")
    assert result.exit_code == 0
    assert f"Example: heritage-map imagery {name}" in result.stdout
    assert "--data DIRECTORY" in result.stdout


def test_add_waits_for_the_catalog_lock_and_names_it(catalog: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("geo.imagery.LOCK_TIMEOUT", 0.05)
    scene = write_scene(tmp_path / "a.tif", tags=TAG)
    before = catalog.read_bytes()
    with (
        FileLock(str(catalog) + ".lock"),
        pytest.raises(ImageryError, match=r"imagery.json: another heritage-map command has held the catalog"),
    ):
        add_scene(catalog, scene)
    assert catalog.read_bytes() == before
    assert add_scene(catalog, scene)["id"] == "a"
