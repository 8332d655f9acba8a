"""Small, valid layers built in code, and helpers to break them one field at a time."""

from __future__ import annotations

import copy
import json
from typing import TYPE_CHECKING, Any

from geo._canonical import GENESIS, canonical_json, record_hash

if TYPE_CHECKING:
    from pathlib import Path

SOURCE = "https://example.org/fixture"


def point(lon: float, lat: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [lon, lat]}


def feature(geometry: dict[str, Any] | None, **properties: Any) -> dict[str, Any]:
    return {"type": "Feature", "geometry": geometry, "properties": {"sources": [SOURCE], **properties}}


def collection(*features: dict[str, Any]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}


def default_layers() -> dict[str, dict[str, Any]]:
    """Three communities, three sites, one route, one place: every rule satisfied."""
    located = {"coord_source": SOURCE, "coord_precision": "settlement"}
    return {
        "communities.geojson": collection(
            feature(
                point(46.75, 39.81),
                id="town-a",
                name="Town A",
                name_hy="Աաա",
                name_az="Şəhər A",
                province="P",
                population=1000,
                population_year=2015,
                held_until="2023-09",
                in_aug_2023=True,
                **located,
            ),
            feature(
                point(46.83, 39.93),
                id="village-b",
                name="Village B",
                province="P",
                population=120,
                population_year=2005,
                held_until="2023-09",
                in_aug_2023=True,
                **located,
            ),
            feature(None, id="village-c", name="Village C", province="P", held_until="2020-11", in_aug_2023=False),
        ),
        "heritage_sites.geojson": collection(
            feature(
                point(46.7478, 39.7588),
                id="site-church",
                name="Church One",
                name_hy="Եկեղեցի",
                type="church",
                settlement="Town A",
                coord_source=SOURCE,
                coord_precision="site",
            ),
            feature(
                point(46.80, 39.90), id="site-cemetery", name="Cemetery Two", type="cemetery", settlement="Village B", **located
            ),
            feature(None, id="site-bridge", name="Bridge Three", type="bridge", settlement="Village C"),
        ),
        "routes.geojson": collection(
            feature(
                {"type": "LineString", "coordinates": [[46.75, 39.81], [46.73, 39.75], [46.55, 39.64]]},
                id="route-1",
                name="Road",
                kind="corridor",
                active_from="2020-11-10",
                active_to="2022-08-30",
                geometry_precision="waypoints",
            ),
        ),
        "places.geojson": collection(
            feature(
                point(46.7289, 39.7519), id="place-1", name="Checkpoint", kind="checkpoint", event_date="2022-12-12", **located
            ),
        ),
    }


def observation_chain(records: list[dict[str, Any]]) -> str:
    """JSON lines of `records` chained with prev_hash/hash, as the log stores them."""
    lines, previous = [], GENESIS
    for record in records:
        chained = {**record, "prev_hash": previous}
        chained["hash"] = record_hash(chained)
        previous = chained["hash"]
        lines.append(canonical_json(chained).decode("utf-8"))
    return "".join(line + "\n" for line in lines)


def default_log() -> list[dict[str, Any]]:
    base = {"kind": "observation", "recorded_at": "2024-05-01T00:00:00Z", "analyst": "fixture", "visibility": "public"}
    return [
        {
            **base,
            "id": "obs-1",
            "site_id": "site-church",
            "status": "destroyed",
            "observed_on": "2024-04-04",
            "before_scene": "scene-before",
            "after_scene": "scene-after",
            "evidence": [{"url": SOURCE}],
            "origin": "published",
            "published_by": "Caucasus Heritage Watch",
            "note": "razed",
        },
        {
            **base,
            "id": "obs-2",
            "site_id": "site-cemetery",
            "status": "damaged",
            "observed_on": "2023-11",
            "before_scene": None,
            "after_scene": None,
            "evidence": [{"url": SOURCE}],
            "origin": "published",
            "published_by": "Monument Watch",
            "note": "road cut through",
        },
    ]


def default_catalog() -> dict[str, Any]:
    def item(item_id: str, day: str) -> dict[str, Any]:
        return {
            "type": "Feature",
            "stac_version": "1.1.0",
            "id": item_id,
            "geometry": None,
            "bbox": None,
            "properties": {
                "datetime": None,
                "start_datetime": f"{day}T00:00:00Z",
                "end_datetime": f"{day}T23:59:59Z",
                "providers": [{"name": "unstated", "roles": ["producer"]}],
                "heritage:site_ids": ["site-church"],
                "heritage:sources": [SOURCE],
            },
            "links": [],
            "assets": {},
        }

    return {"type": "FeatureCollection", "features": [item("scene-after", "2024-04-04"), item("scene-before", "2023-12-28")]}


def write_layers(directory: Path, layers: dict[str, Any] | None = None, log: list[dict[str, Any]] | None = None) -> Path:
    """Write a complete data folder into `directory` and return it."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, content in (layers or default_layers()).items():
        text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False, indent=1)
        (directory / name).write_text(text, encoding="utf-8")
    (directory / "observations.jsonl").write_text(observation_chain(default_log() if log is None else log), encoding="utf-8")
    (directory / "imagery.json").write_text(json.dumps(default_catalog(), indent=1), encoding="utf-8")
    (directory / "timeline.csv").write_text(
        "date,event,figure,unit,source\n2023-09-19,Offensive begins,,,https://example.org/t\n", encoding="utf-8"
    )
    return directory


STORY_TIMELINE = """date,time,kind,chapter,boundary,communities,event,figure,unit,source,read_via
2021-07,,event,,,,A road is begun,,,https://interfax.com/newsroom/1/,
2022-12-12,about 10:30,chapter,blockade,start,,The blockade begins,,,https://www.azatutyun.am/a/1.html ; https://news.am/eng/news/2.html,
2023-04-23,12:00,chapter,blockade,turn,,A checkpoint is set up,,,https://en.trend.az/azerbaijan/3.html,
2023-09-19,about 13:00,chapter,offensive,start,,The offensive begins,,,https://www.rferl.org/a/4.html,
2023-09-20,13:00,chapter,offensive,end,,Ceasefire,,,https://www.bbc.com/news/5,
2023-09-24,,chapter,exodus,start,,The road opens,,,https://example.org/6,
2023-09-24,18:00,arrivals,,,,Arrivals so far,377,people,https://tass.com/world/7,
2023-09-24,night,departure,,,village-b,Village B leaves,,,https://example.org/8,
2023-09-24/2023-09-30,,event,,,,Deaths on the road,64,civilians,https://www.azatutyun.am/a/9.html,https://azatutyun.am/amp/9.html
2023-09-26,20:00,arrivals,,,,Arrivals so far,28120,people,https://english.almayadeen.net/news/10,
2023-10-01,,chapter,exodus,end,,The last bus,15,passengers,https://mirrorspectator.com/2023/10/03/11/,
2023-10-04,,arrivals,,,,Arrivals so far,100632,people,https://arevelk.am/articles/12,
"""
"""A timeline with every kind of row, over the fixture's communities: its three chapters, arrivals, a departure."""


def broken(layer: str, index: int, **changes: Any) -> dict[str, dict[str, Any]]:
    """The default layers with feature `index` of `layer` changed (None deletes a property)."""
    layers = copy.deepcopy(default_layers())
    target = layers[layer]["features"][index]
    for key, value in changes.items():
        if key == "geometry":
            target["geometry"] = value
        elif value is None:
            target["properties"].pop(key, None)
        else:
            target["properties"][key] = value
    return layers
