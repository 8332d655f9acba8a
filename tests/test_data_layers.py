"""The default layers of data/layers/: sourced, unique, in the region, reproducible from data/reference/."""

from __future__ import annotations

import csv
import functools
import importlib.util
import json
import re
import shutil
import sys
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

import pytest

from geo._canonical import GENESIS, canonical_json, record_hash
from geo.dates import parse_iso
from geo.errors import LayerError
from geo.schema import ID_PATTERN, REGION_BOUNDS
from geo.timeline import COLUMNS, Row, problems, read_rows
from geo.validate import validate_layers

if TYPE_CHECKING:
    from types import ModuleType

REPO = Path(__file__).resolve().parent.parent
REFERENCE = REPO / "data" / "reference"
LAYERS_DIR = REPO / "data" / "layers"
GEOJSON = ("communities", "heritage_sites", "routes", "places")
URL = re.compile(r"https?://[^\s\"'<>),;|]+")
"""Finds URLs in free text; only their host names are compared."""


def is_url(text: str) -> bool:
    return bool(re.fullmatch(r"https?://\S+", text) and urlsplit(text).hostname)


@functools.cache
def load_derive() -> ModuleType:
    """data/derive_layers.py as a module (it is a script, not part of the package)."""
    spec = importlib.util.spec_from_file_location("derive_layers", REPO / "data" / "derive_layers.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def features(layer: str, directory: Path = LAYERS_DIR) -> list[dict[str, Any]]:
    return json.loads((directory / f"{layer}.geojson").read_text(encoding="utf-8"))["features"]


def reference_rows(name: str) -> list[dict[str, str]]:
    with (REFERENCE / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def log_records() -> list[dict[str, Any]]:
    return [json.loads(line) for line in (LAYERS_DIR / "observations.jsonl").read_text(encoding="utf-8").splitlines()]


def positions(geometry: dict[str, Any]) -> list[list[float]]:
    coords = geometry["coordinates"]
    return (
        [coords]
        if geometry["type"] == "Point"
        else coords
        if geometry["type"] == "LineString"
        else [p for ring in coords for p in ring]
    )


@pytest.fixture(scope="module")
def derived(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("derived")
    load_derive().main(REFERENCE, out)
    return out


def test_derivation_is_deterministic_and_matches_the_committed_layers(derived: Path, tmp_path: Path) -> None:
    load_derive().main(REFERENCE, tmp_path)
    names = sorted(p.name for p in derived.iterdir())
    assert names == sorted(p.name for p in tmp_path.iterdir())
    assert {
        "communities.geojson",
        "heritage_sites.geojson",
        "routes.geojson",
        "places.geojson",
        "timeline.csv",
        "observations.jsonl",
        "imagery.json",
        "monitor_counts.csv",
        "cited_copies.csv",
        "SOURCES.md",
    } == set(names)
    for name in names:
        assert (derived / name).read_bytes() == (tmp_path / name).read_bytes(), name
        assert (LAYERS_DIR / name).read_bytes() == (derived / name).read_bytes(), f"{name} is stale: run data/derive_layers.py"


def test_json_layers_are_written_with_sorted_keys_two_space_indent_and_utf8() -> None:
    for name in (*[f"{layer}.geojson" for layer in GEOJSON], "imagery.json"):
        text = (LAYERS_DIR / name).read_text(encoding="utf-8")
        assert text == json.dumps(json.loads(text), sort_keys=True, indent=2, ensure_ascii=False) + "\n", name
        assert "crs" not in json.loads(text)


def test_the_validator_finds_no_errors() -> None:
    errors = [p for p in validate_layers(LAYERS_DIR, today=date.today()) if p.severity == "error"]
    assert errors == []


@pytest.mark.parametrize("layer", GEOJSON)
def test_every_feature_has_url_sources_and_a_unique_slug_id(layer: str) -> None:
    ids = [f["properties"]["id"] for f in features(layer)]
    assert len(ids) == len(set(ids))
    assert all(re.match(ID_PATTERN, fid) for fid in ids)
    for feature in features(layer):
        sources = feature["properties"]["sources"]
        assert sources and all(is_url(s) for s in sources), feature["properties"]["id"]


@pytest.mark.parametrize("layer", GEOJSON)
def test_located_features_lie_in_the_region_and_say_where_the_point_came_from(layer: str) -> None:
    west, south, east, north = REGION_BOUNDS
    for feature in features(layer):
        props = feature["properties"]
        if feature["geometry"] is None:
            assert props.get("unlocated_note"), props["id"]
            continue
        for lon, lat in positions(feature["geometry"]):
            assert west <= lon <= east and south <= lat <= north, props["id"]
        if layer != "routes":
            assert is_url(props["coord_source"]) and props["coord_precision"], props["id"]
            assert props["coord_source"] in props["sources"]


@pytest.mark.parametrize("layer", ["communities", "heritage_sites", "places"])
def test_features_share_a_point_only_when_the_data_says_why(layer: str) -> None:
    by_point: dict[tuple[float, float], list[dict[str, Any]]] = defaultdict(list)
    for feature in features(layer):
        if feature["geometry"]:
            by_point[tuple(feature["geometry"]["coordinates"])].append(feature["properties"])
    for point, group in by_point.items():
        unexplained = [
            p["id"]
            for p in group
            if not (p["coord_precision"] in ("settlement", "community", "approximate") and p.get("coord_note"))
        ]
        assert len(group) == 1 or len(unexplained) <= 1, (point, unexplained)


def test_every_reference_row_is_present_or_its_exclusion_is_listed() -> None:
    derive = load_derive()
    reference_ids = [row["id"] for name in derive.COMMUNITY_FILES for row in reference_rows(name)]
    layer_ids = [f["properties"]["id"] for f in features("communities")]
    assert sorted(layer_ids) == sorted(i for i in reference_ids if i not in derive.EXCLUDED_COMMUNITIES)
    sources_md = (LAYERS_DIR / "SOURCES.md").read_text(encoding="utf-8")
    assert all(i.capitalize() in sources_md for i in derive.EXCLUDED_COMMUNITIES)
    sites = [row["id"].lower() for row in reference_rows("heritage_sites.csv")]
    assert set(sites) <= {f["properties"]["id"] for f in features("heritage_sites")}
    assert len(features("places")) == len(reference_rows("places.csv"))


def test_communities_count_toward_107_only_when_held_and_not_part_of_another() -> None:
    by_id = {f["properties"]["id"]: f for f in features("communities")}
    for feature in by_id.values():
        props = feature["properties"]
        if props["counts_toward_107"]:
            assert props["held_until"] == "2023-09" and props["in_aug_2023"] and props["part_of"] is None
        if props["part_of"]:
            assert props["part_of"] in by_id and not props["counts_toward_107"]
        if props["coord_precision" if feature["geometry"] else "id"] == "community":
            parent = by_id[props["part_of"]]
            assert feature["geometry"] == parent["geometry"] and props["coord_note"]
    assert sum(f["properties"]["counts_toward_107"] for f in by_id.values()) <= 107


def test_rows_with_a_longitude_printed_w_carry_a_warning() -> None:
    flagged = {row["id"] for name in load_derive().COMMUNITY_FILES for row in reference_rows(name) if "°W" in row["status_note"]}
    assert flagged == {"dahrav", "tsmakahogh", "mokhratagh", "ashan"}
    warned = {f["properties"]["id"] for f in features("communities") if f["properties"].get("coord_warning")}
    found = REFERENCE / "found_coordinates.csv"
    confirmed = {row["id"] for row in reference_rows(found.name)} if found.exists() else set()
    assert warned == flagged - confirmed


def test_points_are_copied_from_the_reference_or_a_later_sourced_file() -> None:
    rows = {row["id"]: row for name in load_derive().COMMUNITY_FILES for row in reference_rows(name)}
    gaps = {row["id"]: row for row in reference_rows("gaps_communities.csv")}
    found = {row["id"] for row in reference_rows("found_coordinates.csv") if row["layer"] == "communities"}
    for feature in features("communities"):
        props, geometry = feature["properties"], feature["geometry"]
        row = rows[props["id"]]
        later = props["id"] in gaps or props["id"] in found
        if geometry and not later and props["coord_precision"] in ("settlement", "approximate") and row["lat"]:
            assert geometry["coordinates"] == [float(row["lon"]), float(row["lat"])]
            assert props["coord_source"] == row["coord_source_url"]
    nerkin = next(f for f in features("communities") if f["properties"]["id"] == "nerkin-sznek")
    assert nerkin["geometry"]["coordinates"] == [float(gaps["nerkin-sznek"]["lon"]), float(gaps["nerkin-sznek"]["lat"])]


def test_heritage_types_and_precisions_follow_the_reference() -> None:
    rows = {row["id"].lower(): row for row in reference_rows("heritage_sites.csv")}
    gaps = {row["id"].lower(): row for row in reference_rows("gaps_heritage.csv")}
    for feature in features("heritage_sites"):
        props = feature["properties"]
        if props["id"] in rows:
            assert props["type_detail"] == rows[props["id"]]["type"]
        if props["id"] in gaps and not rows[props["id"]]["lat"]:
            assert props["coord_precision"] == gaps[props["id"]]["coord_precision"]
            assert props["coord_source"] == gaps[props["id"]]["coord_source_url"]
        if "Coordinates = village" in rows.get(props["id"], {}).get("event_summary", ""):
            assert props["coord_precision"] == "settlement"
    mosque = next(f for f in features("heritage_sites") if f["properties"]["type"] == "mosque")
    assert mosque["geometry"] is None


def test_routes_pass_through_the_sourced_waypoints_in_order() -> None:
    waypoints = defaultdict(list)
    for row in reference_rows("routes_waypoints.csv"):
        waypoints[row["route_id"].lower()].append(row)
    for feature in features("routes"):
        props = feature["properties"]
        rows = sorted(waypoints[props["id"]], key=lambda r: int(r["seq"]))
        assert feature["geometry"]["coordinates"] == [[float(r["lon"]), float(r["lat"])] for r in rows if r["lat"]]
        assert props["skipped_waypoints"] == [r["point_name"] for r in rows if not r["lat"]]
        assert props["geometry_precision"] == "waypoints"
    r3 = next(f["properties"] for f in features("routes") if f["properties"]["id"].startswith("r3"))
    assert "Hakari River bridge / Azerbaijani checkpoint" in r3["skipped_waypoints"]


def test_no_date_lies_in_the_future() -> None:
    today = date.today()
    values = [
        f["properties"].get(k)
        for layer in ("routes", "places")
        for f in features(layer)
        for k in ("active_from", "active_to", "event_date")
    ]
    values += [r["observed_on"] for r in log_records()]
    with (LAYERS_DIR / "timeline.csv").open(encoding="utf-8", newline="") as handle:
        values += [row["date"] for row in csv.DictReader(handle)]
    for value in filter(None, values):
        start, end = parse_iso(value)
        assert start <= today and (end is None or end <= today), value


def test_timeline_has_one_row_per_reference_row() -> None:
    with (LAYERS_DIR / "timeline.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
    assert tuple(reader.fieldnames or ()) == COLUMNS
    reference = reference_rows("timeline.csv")
    assert [(r["date"], r["kind"], r["event"], r["source"]) for r in rows] == [
        (r["date"], r["kind"], r["event"], r["source_url"]) for r in reference
    ]
    assert all(all(is_url(u) for u in r["source"].split(" ; ")) for r in rows)
    assert problems(rows, "timeline.csv", layer_ids("communities")) == []
    kinds = Counter(r["kind"] for r in rows)
    assert kinds["arrivals"] >= 20 and kinds["departure"] >= 5 and kinds["chapter"] >= 6


def test_the_timeline_carries_the_corrections_of_its_re_check() -> None:
    rows = read_timeline_rows()
    text = {(r.date, r.event): r for r in rows}
    losses = next(r for (_, event), r in text.items() if "192 servicemen" in event)
    assert "511 wounded" in losses.event and "512" not in losses.event
    deaths = next(r for r in rows if r.unit == "civilians died")
    assert (deaths.figure, deaths.sources) == (64, ("https://www.azatutyun.am/a/32660106.html",))
    casualties = next(r for r in rows if "at least 200 killed" in r.event)
    assert casualties.date == "2023-09-20"
    # Times are local: the 08:00 and 12:00 counts of 27 September, not Moscow's 07:00 and 11:00.
    counts = {(r.day, r.time): r.figure for r in rows if r.kind == "arrivals"}
    assert counts[("2023-09-27", "08:00")] == 42500 and counts[("2023-09-27", "12:00")] == 47115
    assert not any("outside requested window" in r.event or "the brief" in r.event for r in rows)


def test_every_timeline_fact_of_the_re_check_is_kept_or_listed_as_left_out() -> None:
    facts = verification_rows("timeline_facts")
    rows = read_timeline_rows()
    cited = {(r.date, unquote(url)) for r in rows for url in r.sources}
    dropped = {row["source_url"] for row in reference_rows("timeline_dropped.csv")}
    for fact in facts:
        url = unquote(fact["url"])
        if fact["kind"] == "resource":
            # A correction of an existing row: its source is cited now, or deliberately not.
            assert url in {u for _, u in cited} or fact["url"] in dropped or url in OTHER_SOURCE, fact["event"]
        else:
            assert (fact["date"], url) in cited or fact["url"] in dropped or url in OTHER_SOURCE, (fact["date"], fact["event"])


OTHER_SOURCE = {
    "https://rossaprimavera.ru/news/c5bbcba8": "1,050 at 22:00 is cited to Taiwan News, which gives the government's words",
    "https://www.armenianclub.com/2023/09/25/number-of-nagorno-karabakh-refugees-in-armenia-reaches-2906/": (
        "2,906 at 06:00 is cited to Sputnik, which quotes the government's statement; the research's page is a repost"
    ),
    "http://www.whatistandfor.co/humanrights/un-arrives-in-nagorno-karabakh-to-find-ethnic-armenians-have-fled": (
        "listed in timeline_dropped.csv under its date"
    ),
    "https://www.thesundaily.my/world/nearly-100000-have-fled-to-armenia-from-nagorno-karabakh-HA11558168": (
        "dpa's rounded 97,700 without a time adds nothing to the 20:00 count: timeline_dropped.csv says so"
    ),
}
"""Facts of `verification/timeline_facts.csv` the timeline carries on another source, each with why."""


def read_timeline_rows() -> list[Row]:
    with (LAYERS_DIR / "timeline.csv").open(encoding="utf-8", newline="") as handle:
        return read_rows(list(csv.DictReader(handle)))


def layer_ids(layer: str) -> set[str]:
    features = json.loads((LAYERS_DIR / f"{layer}.geojson").read_text(encoding="utf-8"))["features"]
    return {f["properties"]["id"] for f in features}


def verification_rows(kind: str) -> list[dict[str, str]]:
    rows = []
    for path in sorted((REFERENCE / "verification").glob(f"{kind}_*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            rows.extend(csv.DictReader(handle))
    return rows


def test_observations_are_a_hash_chain_of_the_reference_statuses() -> None:
    lines = (LAYERS_DIR / "observations.jsonl").read_text(encoding="utf-8").splitlines()
    previous = GENESIS
    for line in lines:
        record = json.loads(line)
        assert line == canonical_json(record).decode("utf-8")
        assert record["prev_hash"] == previous and record["hash"] == record_hash(record)
        previous = record["hash"]
    records = {r["id"]: r for r in map(json.loads, lines)}
    verdicts = {v["site_id"]: v for v in verification_rows("site_verdicts")}
    for row in reference_rows("heritage_sites.csv"):
        # The re-transcription: the same finding, its evidence cited by canonical address.
        site = row["id"].lower()
        record = records[f"obs-{site}-1"]
        assert record["status"] == row["status"] and record["recorded_at"] == "2026-12-05T00:00:00Z"
        assert record["origin"] == "published" and record["visibility"] == "public" and record["published_by"]
        assert [e["url"] for e in record["evidence"]] == [u.strip() for u in row["evidence_urls"].split(" | ")]
        verdict = verdicts[site]
        if verdict["action"] == "keep":
            assert (record["observed_on"], record["reported_on"]) == (
                verdict["observed_on"] or None,
                verdict["reported_on"] or None,
            )
            assert f"obs-{site}-2" not in records
        else:
            # Transcribed as it was, then corrected by an appended record that says what it supersedes.
            assert record["observed_on"] == row["status_as_of"]
            correction = records[f"obs-{site}-2"]
            assert correction["supersedes"] == f"obs-{site}-1" and correction["recorded_at"] == "2026-12-05T00:00:00Z"
            assert (correction["status"], correction["observed_on"], correction["reported_on"]) == (
                verdict["status"],
                verdict["observed_on"] or None,
                verdict["reported_on"] or None,
            )
            assert list(records).index(correction["id"]) > list(records).index(record["id"])
    site_ids = {f["properties"]["id"] for f in features("heritage_sites")}
    assert {r["site_id"] for r in records.values()} == site_ids


def test_the_superseded_transcription_is_kept_verbatim() -> None:
    old = (REFERENCE / "observations_2026-11-21.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(old) == 49
    assert json.loads(old[-1])["hash"] == "f3a4672434722201426f8c771b9e60a8e9bd741e9b6171501783663db4b744ad"
    previous = GENESIS
    for line in old:
        record = json.loads(line)
        assert record["prev_hash"] == previous and record["hash"] == record_hash(record)
        previous = record["hash"]


def test_every_site_has_a_recorded_verification() -> None:
    checked = {c["site_id"] for c in verification_rows("site_checks")}
    for f in features("heritage_sites"):
        props = f["properties"]
        key = props["id"] if not props["id"].startswith("nk1") else "cand-" + props["id"][3:]
        assert key in checked, props["id"]
        assert props["checked_on"] == "2026-12-05" and props["checked_against"], props["id"]
    for check in verification_rows("site_checks"):
        assert check["checked_by"] and check["finding"], check
        assert (check["url"] or check["read_via"]) and (check["quote"] or check["finding"] == "not-found"), check


def test_added_sites_are_the_candidates_that_hold() -> None:
    verdicts = {v["site_id"]: v for v in verification_rows("site_verdicts") if v["site_id"].startswith("cand-")}
    added = {"nk1" + k.removeprefix("cand-") for k, v in verdicts.items() if v["action"] == "add"}
    dropped = {k for k, v in verdicts.items() if v["action"] == "drop"}
    ids = {f["properties"]["id"] for f in features("heritage_sites")}
    assert added <= ids and len(verdicts) == 65
    assert not {"nk1" + k.removeprefix("cand-") for k in dropped} & ids
    sources = (LAYERS_DIR / "SOURCES.md").read_text(encoding="utf-8")
    for candidate in dropped:
        assert f"`{candidate}`" in sources
    settled = [f["properties"] for f in features("heritage_sites") if f["properties"]["id"] in added and f["geometry"]]
    assert all(p["coord_precision"] in ("site", "settlement") for p in settled)
    assert all("located only to its settlement" in p["coord_note"] for p in settled if p["coord_precision"] == "settlement")


def test_every_status_shown_has_evidence_and_at_least_100_sites_carry_one() -> None:
    records = log_records()
    superseded = {r.get("supersedes") for r in records}
    standing = [r for r in records if r["id"] not in superseded]
    with_status = [r for r in standing if r["status"] != "unknown"]
    assert all(r["evidence"] for r in with_status)
    assert len(with_status) >= 100


def test_no_scene_without_a_footprint_is_kept_and_monitor_image_dates_sit_on_the_observations() -> None:
    catalog = json.loads((LAYERS_DIR / "imagery.json").read_text(encoding="utf-8"))
    assert catalog["features"] == []
    records = {r["id"]: r for r in log_records()}
    aygek = records["obs-aygek_mosque-2"]
    assert aygek["basis"] == "monitor-imagery-analysis"
    assert (aygek["monitor_before"], aygek["monitor_after"]) == ("2021-01-08", "2024-04-23")
    # The first transcription's stated image dates (provider; sensor; date) become the monitor's dates.
    mokhrenes = records["obs-nk012-1"]
    assert mokhrenes["monitor_before"].startswith("2021-10")


def test_sources_md_names_every_cited_domain_and_every_unlocated_feature() -> None:
    text = (LAYERS_DIR / "SOURCES.md").read_text(encoding="utf-8")
    cited = set()
    for path in LAYERS_DIR.iterdir():
        if path.name != "SOURCES.md":
            cited |= {(urlsplit(u).hostname or "").removeprefix("www.") for u in URL.findall(path.read_text(encoding="utf-8"))}
    missing = sorted(d for d in cited if f"| {d} |" not in text)
    assert missing == []
    for layer in GEOJSON:
        for feature in features(layer):
            if feature["geometry"] is None:
                assert f"`{feature['properties']['id']}`" in text
    assert "Why Are There No Armenians in Nagorno-Karabakh?" in text


def copy_reference(tmp_path: Path) -> Path:
    reference = tmp_path / "reference"
    shutil.copytree(REFERENCE, reference)
    return reference


def write_public_text_for(reference: Path, text: str) -> None:
    """Bring `reference`'s public_text.csv up to date with its research notes: rows whose note is unchanged are kept,
    a new or changed note gets `text`, rows for fields no longer derived go."""
    derive = load_derive()
    table = derive.read_public_text(reference)
    notes = derive.research_notes(*derive.research_layers(reference))
    with (reference / derive.PUBLIC_TEXT).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["layer", "id", "field", "research_note", "text"])
        for key, note in notes.items():
            kept = table.get(key)
            writer.writerow([*key, note, kept.text if kept and kept.research_note == note else text])


def test_found_coordinates_locate_a_settlement_and_confirm_a_w_longitude(tmp_path: Path) -> None:
    reference = copy_reference(tmp_path)
    (reference / "found_coordinates.csv").write_text(
        "layer,id,lat,lon,coord_precision,coord_source_url,name_az,note\n"
        "communities,badara,39.9,46.8,settlement,https://example.org/badara,Badara,fixture\n"
        "communities,dahrav,39.8936,46.6994,settlement,https://example.org/dahrav,,second source\n"
        "heritage_sites,NK042,39.7,46.8,settlement,https://example.org/aknaghbyur,,fixture\n",
        encoding="utf-8",
    )
    # A new finding changes the research notes: nothing is published until the public text is written for them.
    with pytest.raises(LayerError, match=r"^public_text.csv: \d+ problem\(s\): .*communities badara coord_note: no public text"):
        load_derive().main(reference, tmp_path / "out")
    write_public_text_for(reference, "written for the fixture")
    load_derive().main(reference, tmp_path / "out")
    by_id = {f["properties"]["id"]: f for f in features("communities", tmp_path / "out")}
    assert by_id["badara"]["geometry"]["coordinates"] == [46.8, 39.9]
    assert by_id["badara"]["properties"]["coord_source"] == "https://example.org/badara"
    assert by_id["badara"]["properties"]["coord_note"] == "written for the fixture"
    assert "coord_warning" not in by_id["dahrav"]["properties"]
    assert "coord_warning" in by_id["ashan"]["properties"]
    site = next(f for f in features("heritage_sites", tmp_path / "out") if f["properties"]["id"] == "nk042")
    assert site["geometry"]["coordinates"] == [46.8, 39.7] and site["properties"]["coord_precision"] == "settlement"


def test_a_found_coordinate_without_a_source_is_refused(tmp_path: Path) -> None:
    reference = copy_reference(tmp_path)
    (reference / "found_coordinates.csv").write_text(
        "layer,id,lat,lon,coord_precision,coord_source_url,name_az,note\ncommunities,rev,39.9,46.8,settlement,,,\n",
        encoding="utf-8",
    )
    with pytest.raises(LayerError, match=r"found_coordinates.csv: line 2: rev: field 'coord_source_url' is empty"):
        load_derive().main(reference, tmp_path / "out")
