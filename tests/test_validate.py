"""Each validation rule, on a small layer broken one field at a time."""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING

import pytest

from geo.validate import Problem, validate_layers
from tests.layers import broken, default_layers, point, write_layers

if TYPE_CHECKING:
    from pathlib import Path

TODAY = date(2026, 11, 21)


def errors_of(tmp_path: Path, layers: dict) -> list[Problem]:
    folder = write_layers(tmp_path / "layers", layers)
    return [p for p in validate_layers(folder, today=TODAY) if p.severity == "error"]


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def test_valid_layers_have_no_errors_and_list_unlocated_features_as_warnings(data_dir: Path) -> None:
    problems = validate_layers(data_dir, today=TODAY)
    assert [p for p in problems if p.severity == "error"] == []
    warned = sorted(p.feature for p in problems if p.severity == "warning")
    assert warned == ["site-bridge", "village-c"]


def test_unreadable_json_names_file_line_and_column(tmp_path: Path) -> None:
    layers = default_layers()
    layers["places.geojson"] = '{"type": "FeatureCollection", "features": [,]}'
    problem = only(errors_of(tmp_path, layers))
    assert problem.file.endswith("places.geojson")
    assert "unreadable JSON at line 1 column 44" in problem.found


def test_missing_layer_is_reported(tmp_path: Path) -> None:
    folder = write_layers(tmp_path / "layers")
    (folder / "routes.geojson").unlink()
    problem = only([p for p in validate_layers(folder, today=TODAY) if p.severity == "error"])
    assert problem.file.endswith("routes.geojson") and "file not found" in problem.found


def test_not_a_feature_collection(tmp_path: Path) -> None:
    layers = default_layers()
    layers["places.geojson"] = default_layers()["places.geojson"]["features"][0]
    problem = only(errors_of(tmp_path, layers))
    assert (problem.field, problem.found, problem.expected) == ("type", "'Feature'", "a GeoJSON FeatureCollection")


def test_crs_other_than_wgs84_is_refused(tmp_path: Path) -> None:
    layers = default_layers()
    layers["places.geojson"]["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32638"}}
    problem = only(errors_of(tmp_path, layers))
    assert problem.field == "crs" and "32638" in problem.found and "EPSG:4326" in problem.fix


def test_wgs84_crs_member_is_accepted(tmp_path: Path) -> None:
    layers = default_layers()
    layers["places.geojson"]["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}
    assert errors_of(tmp_path, layers) == []


def test_swapped_lon_lat_is_caught_with_a_hint(tmp_path: Path) -> None:
    problem = only(errors_of(tmp_path, broken("places.geojson", 0, geometry=point(39.7519, 46.7289))))
    assert (problem.feature, problem.field) == ("place-1", "geometry")
    assert "outside the region" in problem.found and "swap" in problem.fix


def test_projected_coordinates_are_caught(tmp_path: Path) -> None:
    problem = only(errors_of(tmp_path, broken("places.geojson", 0, geometry=point(562000.0, 4400000.0))))
    assert "outside the region" in problem.found and "projected" in problem.fix


def test_wrong_geometry_type_for_the_layer(tmp_path: Path) -> None:
    line = {"type": "LineString", "coordinates": [[46.7, 39.7], [46.8, 39.8]]}
    problem = only(errors_of(tmp_path, broken("communities.geojson", 0, geometry=line)))
    assert problem.field == "geometry" and "'LineString'" in problem.found and "Point" in problem.fix


def test_invalid_polygon_gives_shapely_reason(tmp_path: Path) -> None:
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[46.70, 39.70], [46.80, 39.80], [46.80, 39.70], [46.70, 39.80], [46.70, 39.70]]],
    }
    problem = only(errors_of(tmp_path, broken("heritage_sites.geojson", 0, geometry=bowtie)))
    assert problem.feature == "site-church" and "Self-intersection" in problem.found


def test_duplicate_ids(tmp_path: Path) -> None:
    problems = errors_of(tmp_path, broken("communities.geojson", 1, id="town-a"))
    assert {p.field for p in problems} == {"id"} and len(problems) == 2
    assert "used by 2 features" in problems[0].found


def test_missing_required_property(tmp_path: Path) -> None:
    problem = only(errors_of(tmp_path, broken("heritage_sites.geojson", 1, type=None)))
    assert (problem.feature, problem.field, problem.found) == ("site-cemetery", "type", "missing")


def test_value_outside_vocabulary(tmp_path: Path) -> None:
    problem = only(errors_of(tmp_path, broken("heritage_sites.geojson", 1, type="castle")))
    assert problem.field == "type" and "'castle'" in problem.found and "cemetery" in problem.fix


def test_empty_sources(tmp_path: Path) -> None:
    problem = only(errors_of(tmp_path, broken("routes.geojson", 0, sources=[])))
    assert (problem.feature, problem.field) == ("route-1", "sources")


@pytest.mark.parametrize("value", ["30/08/2022", "2022-13-01", "August 2022"])
def test_dates_must_be_iso_8601(tmp_path: Path, value: str) -> None:
    problem = only(errors_of(tmp_path, broken("routes.geojson", 0, active_to=value)))
    assert problem.field == "active_to" and "YYYY-MM-DD" in problem.fix


def test_dates_in_the_future_are_refused(tmp_path: Path) -> None:
    problem = only(errors_of(tmp_path, broken("places.geojson", 0, event_date="2027-01-01")))
    assert problem.field == "event_date" and "future" in problem.found


def test_located_feature_must_say_how_its_point_was_obtained(tmp_path: Path) -> None:
    problem = only(errors_of(tmp_path, broken("places.geojson", 0, coord_source=None)))
    assert problem.field == "coord_source"


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    layers = broken("heritage_sites.geojson", 0, type="castle", sources=[])
    layers["places.geojson"]["crs"] = {"type": "name", "properties": {"name": "EPSG:3857"}}
    fields = sorted(p.field for p in errors_of(tmp_path, layers))
    assert fields == ["crs", "sources", "type"]


def test_problem_line_names_file_feature_field_and_fix(tmp_path: Path) -> None:
    problem = only(errors_of(tmp_path, broken("heritage_sites.geojson", 1, type="castle")))
    line = str(problem)
    assert line.startswith("error: ") and "heritage_sites.geojson: feature 'site-cemetery': field 'type': 'castle'" in line
    assert "; fix: use one of:" in line


def test_validation_never_changes_the_files(tmp_path: Path) -> None:
    folder = write_layers(tmp_path / "layers", broken("heritage_sites.geojson", 1, type="castle"))
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    validate_layers(folder, today=TODAY)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    json.loads((folder / "heritage_sites.geojson").read_text())


def record_errors(folder: Path) -> list[Problem]:
    return [p for p in validate_layers(folder, today=TODAY) if p.severity == "error"]


def test_observation_of_an_unknown_site_is_an_error(tmp_path: Path) -> None:
    from tests.layers import default_log

    log = default_log()
    log[1]["site_id"] = "no-such-site"
    problem = only(record_errors(write_layers(tmp_path / "layers", log=log)))
    assert problem.file.endswith("observations.jsonl")
    assert (problem.feature, problem.field) == ("obs-2", "site_id")


def test_named_scene_that_misses_the_site_is_inconsistent_naming_both_ids(tmp_path: Path) -> None:
    folder = write_layers(tmp_path / "layers")
    catalog = json.loads((folder / "imagery.json").read_text())
    far_away = {"type": "Polygon", "coordinates": [[[45.0, 40.0], [45.1, 40.0], [45.1, 40.1], [45.0, 40.1], [45.0, 40.0]]]}
    catalog["features"][1].update(geometry=far_away, bbox=[45.0, 40.0, 45.1, 40.1])
    catalog["features"][1]["properties"].pop("heritage:site_ids")
    (folder / "imagery.json").write_text(json.dumps(catalog))
    problems = record_errors(folder)
    assert any("scene-before" in str(p) and "site-church" in str(p) and "does not cover" in str(p) for p in problems), problems


# --- citations: copies, proxies and views are refused with the form to cite ---------------------

COPIES = [
    # (address, what it is, the canonical form the message must name)
    (
        "https://kiwix.haohe.fun/content/wikipedia_en_all_maxi_2024-01/A/Khankandi",
        "Kiwix",
        "https://en.wikipedia.org/wiki/Khankandi",
    ),
    ("https://soft.lk/key/Kanach_Zham", "clone", "https://en.wikipedia.org/wiki/Kanach_Zham"),
    (
        "http://206.189.44.186/host-https-en.wikipedia.org/w/index.php?oldid=1247911648&title=Khnapat",
        "proxy",
        "https://en.wikipedia.org/w/index.php?title=Khnapat&oldid=1247911648",
    ),
    (
        "https://i63617563617375736865726974616765o636f726e656c6co656475z.oszar.com/?p=1630",
        "hex-encoded",
        "https://caucasusheritage.cornell.edu/?p=1630",
    ),
    ("https://lt.m.wikipedia.org/wiki/Mardakertas", "mobile", "https://lt.wikipedia.org/wiki/Mardakertas"),
    ("https://azatutyun.am/amp/31237444.html", "AMP", "https://azatutyun.am/a/31237444.html"),
    ("https://president.az/ru/articles/view/62666/print", "print", "https://president.az/ru/articles/view/62666"),
    ("https://rfe.pangea-cms.com/preview/hy-AM/a/32743695.html", "preview", "https://www.azatutyun.am/a/32743695.html"),
    ("http://en.wikipedia.org./wiki/Sos", "trailing dot", "https://en.wikipedia.org/wiki/Sos"),
    ("http://it.wikipedia.org/wiki/Vardadzor_(Askeran)", "plain http", "https://it.wikipedia.org/wiki/Vardadzor_(Askeran)"),
]


@pytest.mark.parametrize(("address", "kind", "cite"), COPIES)
def test_a_copy_in_sources_is_refused_naming_file_id_field_address_and_canonical_form(
    tmp_path: Path, address: str, kind: str, cite: str
) -> None:
    layers = default_layers()
    layers["heritage_sites.geojson"]["features"][0]["properties"]["sources"].append(address)
    problem = only(errors_of(tmp_path, layers))
    site = layers["heritage_sites.geojson"]["features"][0]["properties"]["id"]
    assert problem.file.endswith("heritage_sites.geojson") and (problem.feature, problem.field) == (site, "sources")
    assert address in problem.found and kind.lower() in problem.found.lower()
    assert problem.fix.startswith(f"cite {cite} ")
    assert f"field 'sources': '{address}' is " in problem.message()


def test_a_copy_as_coord_source_and_a_copy_kept_when_marked(tmp_path: Path) -> None:
    layers = default_layers()
    props = layers["communities.geojson"]["features"][0]["properties"]
    props["coord_source"] = "https://enwikipedia.net/wiki/Stepanakert"
    problem = only(errors_of(tmp_path, layers))
    assert (problem.field, problem.fix) == (
        "coord_source",
        "cite https://en.wikipedia.org/wiki/Stepanakert (record the copy apart in read_via)",
    )
    # A re-hosted article whose original was not found may stay cited once it is marked as a copy.
    layers = default_layers()
    copy = "https://armenianclub.com/2020/12/08/civilnet-the-tombstones-of-our-relatives-remain-on-the-azerbaijani-side"
    layers["communities.geojson"]["features"][0]["properties"]["sources"].append(copy)
    folder = write_layers(tmp_path / "marked", layers)
    unmarked = only(record_errors(folder))
    assert "a copy of another outlet's article" in unmarked.found and "cited_copies.csv" in unmarked.fix
    (folder / "cited_copies.csv").write_text(f"url,copy_of,searched\n{copy},CivilNet,title\n", encoding="utf-8")
    assert record_errors(folder) == []


def test_an_address_in_free_text_is_refused(tmp_path: Path) -> None:
    layers = default_layers()
    layers["heritage_sites.geojson"]["features"][0]["properties"]["note"] = "razed (see wikiclassic.com/wiki/Xankendi)"
    problem = only(errors_of(tmp_path, layers))
    assert (problem.field, problem.found) == ("note", "address 'wikiclassic.com/wiki/Xankendi' inside free text")
    assert problem.fix == "move it to 'sources' and name it in words"


def test_copies_in_the_log_the_catalog_and_the_timeline_are_refused(tmp_path: Path) -> None:
    from tests.layers import default_log

    log = default_log()
    log[0]["evidence"] = [{"url": "https://azatutyun.am/amp/31237444.html"}]
    folder = write_layers(tmp_path / "layers", log=log)
    catalog = json.loads((folder / "imagery.json").read_text())
    catalog["features"][0]["properties"]["heritage:sources"] = ["https://en.m.wikipedia.org/wiki/Stepanakert_Airport"]
    (folder / "imagery.json").write_text(json.dumps(catalog))
    (folder / "timeline.csv").write_text(
        "date,event,figure,unit,source,read_via\n2023-09-24,exodus,,,https://m24.ru/amp/news/politika/27092023/623355,\n",
        encoding="utf-8",
    )
    found = {(p.file.rsplit("/", 1)[-1], p.field, p.fix.split(" ")[1]) for p in record_errors(folder)}
    assert found == {
        ("observations.jsonl", "evidence", "https://azatutyun.am/a/31237444.html"),
        ("imagery.json", "heritage:sources", "https://en.wikipedia.org/wiki/Stepanakert_Airport"),
        ("timeline.csv", "source", "https://m24.ru/news/politika/27092023/623355"),
    }


def test_a_legacy_status_without_evidence_is_reported(tmp_path: Path) -> None:
    from tests.layers import default_log

    log = default_log()
    log[1]["evidence"] = []
    problem = only(record_errors(write_layers(tmp_path / "layers", log=log)))
    assert (problem.feature, problem.field) == ("obs-2", "evidence")
    assert problem.found.startswith("a damaged status that cites no evidence")
