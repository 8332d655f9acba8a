"""Seeded synthetic data inside `geo.schema.REGION_BOUNDS`, at the sizes the benchmarks need.

Everything is a function of `(size, seed)`: the same call gives the same
objects and, once written, the same bytes. Sites are points; scene footprints
are small rotated rectangles (1 to 3 km a side, about the size of a
very-high-resolution chip), so a site is covered by a few scenes per 1e5
footprints rather than by hundreds. Coordinates are rounded to 6 decimals, as
the maps write them, so a footprint is the same shape in every format.

`write_data_folder` writes a complete, valid `data/layers` folder (the layer
formats of `tests/layers.py`); `write_join_inputs` writes the sites and the
footprints as FlatGeobuf for the Arrow-read floor.
"""

from __future__ import annotations

import csv
import json
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pyogrio
import shapely

from geo._canonical import GENESIS, canonical_json, record_hash
from geo.schema import REGION_BOUNDS, SITE_TYPES

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

SEED = 20230919
SOURCE = "https://example.org/synthetic"
CRS = "EPSG:4326"
DECIMALS = 6
EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
SPAN_DAYS = 6 * 365
OBSERVED_FROM = 4 * 365
"""Observations of the build's sites fall on days OBSERVED_FROM to OBSERVED_FROM + OBSERVED_DAYS after EPOCH."""
OBSERVED_DAYS = 700
ARMENIAN = "աբգդեզէըթժիլխծկհձղճմյնշոչպջռսվտրցւփքօֆ"
CONSTELLATIONS = (("worldview", "worldview-3", 0.31), ("pleiades", "pleiades-1a", 0.5), ("sentinel-2", "sentinel-2a", 10.0))
PROVIDERS = ("Maxar", "Airbus", "Copernicus")
# Shares of the observed sites by status; the rest of the sites have no observation (unknown).
OBSERVED_SHARE = 0.8
STATUS_WEIGHTS = {"destroyed": 0.15, "damaged": 0.2, "threatened": 0.15, "intact": 0.5}


@dataclass(frozen=True)
class Footprints:
    """M rectangles as corner arrays (lon, lat of 4 corners each) and their dates."""

    corners: np.ndarray  # shape (M, 4, 2)
    days: np.ndarray  # days after EPOCH, shape (M,)
    kinds: np.ndarray  # index into CONSTELLATIONS, shape (M,)

    def __len__(self) -> int:
        return len(self.days)


def _rng(seed: int, stream: str) -> np.random.Generator:
    """An independent generator per kind of data, so sites do not depend on M."""
    return np.random.default_rng([seed, zlib.crc32(stream.encode("ascii"))])


def site_points(n: int, seed: int = SEED) -> np.ndarray:
    """`n` (lon, lat) points uniform in the region, rounded to 6 decimals."""
    west, south, east, north = REGION_BOUNDS
    rng = _rng(seed, "sites")
    lon = rng.uniform(west + 0.05, east - 0.05, n)
    lat = rng.uniform(south + 0.05, north - 0.05, n)
    return np.round(np.column_stack([lon, lat]), DECIMALS)


def site_statuses(n: int, seed: int = SEED) -> list[str | None]:
    """Each site's observed status, or None for the sites nobody has observed."""
    rng = _rng(seed, "statuses")
    observed = rng.random(n) < OBSERVED_SHARE
    drawn = rng.choice(list(STATUS_WEIGHTS), size=n, p=list(STATUS_WEIGHTS.values()))
    return [str(status) if seen else None for status, seen in zip(drawn, observed)]


def footprints(m: int, seed: int = SEED) -> Footprints:
    """`m` rotated rectangles, 0.01 to 0.03 degrees a side, uniform inside the region, dated 2020 to 2025."""
    west, south, east, north = REGION_BOUNDS
    rng = _rng(seed, "footprints")
    centre = np.column_stack([rng.uniform(west + 0.05, east - 0.05, m), rng.uniform(south + 0.05, north - 0.05, m)])
    return _rectangles(rng, centre, rng.integers(0, SPAN_DAYS, m))


def paired_footprints(sites: np.ndarray, pairs: int, seed: int = SEED) -> Footprints:
    """`pairs` before/after pairs of rectangles over as many distinct sites of `sites` (lon, lat rows).

    The before scene predates, and the after scene follows, every day
    `site_log` gives an observation, so each pair documents its site's status.
    """
    rng = _rng(seed, "pairs")
    chosen = rng.choice(len(sites), size=min(pairs, len(sites)), replace=False)
    centre = np.repeat(sites[chosen], 2, axis=0) + rng.uniform(-0.003, 0.003, (2 * len(chosen), 2))
    before = rng.integers(0, OBSERVED_FROM, len(chosen))
    after = rng.integers(OBSERVED_FROM + OBSERVED_DAYS, SPAN_DAYS, len(chosen))
    return _rectangles(rng, centre, np.column_stack([before, after]).reshape(-1))


def _rectangles(rng: np.random.Generator, centre: np.ndarray, days: np.ndarray) -> Footprints:
    m = len(centre)
    half = rng.uniform(0.005, 0.015, (m, 2))
    angle = rng.uniform(-0.3, 0.3, m)
    unit = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]], dtype=float)
    local = unit[None, :, :] * half[:, None, :]
    cos, sin = np.cos(angle)[:, None], np.sin(angle)[:, None]
    rotated = np.stack([local[..., 0] * cos - local[..., 1] * sin, local[..., 0] * sin + local[..., 1] * cos], axis=-1)
    corners = np.round(centre[:, None, :] + rotated, DECIMALS)
    kinds = rng.integers(0, len(CONSTELLATIONS), m)
    return Footprints(corners, days, kinds)


def site_id(index: int) -> str:
    return f"site-{index:06d}"


def scene_id(index: int) -> str:
    return f"scene-{index:07d}"


def _armenian(index: int) -> str:
    letters = []
    value = index + 1
    while value:
        value, digit = divmod(value, len(ARMENIAN))
        letters.append(ARMENIAN[digit])
    return "Վանք " + "".join(letters)


def sites_frame(n: int, seed: int = SEED) -> gpd.GeoDataFrame:
    """The `n` sites as `geo.layers.read_layer` returns them (without reading a file)."""
    points = site_points(n, seed)
    types = _rng(seed, "types").integers(0, len(SITE_TYPES), n)
    return gpd.GeoDataFrame(
        {
            "id": [site_id(i) for i in range(n)],
            "name": [f"Site {i}" for i in range(n)],
            "name_hy": [_armenian(i) for i in range(n)],
            "type": [SITE_TYPES[t] for t in types],
            "settlement": [f"Settlement {i // 25}" for i in range(n)],
            "coord_source": SOURCE,
            "coord_precision": "site",
            "sources": [[SOURCE] for _ in range(n)],
        },
        geometry=shapely.points(points),
        crs=CRS,
    )


def footprint_frame(shapes: Footprints) -> gpd.GeoDataFrame:
    """The footprints as polygons with the scene id and date (for the FlatGeobuf floor and sjoin)."""
    rings = np.concatenate([shapes.corners, shapes.corners[:, :1, :]], axis=1)
    return gpd.GeoDataFrame(
        {"item_id": [scene_id(i) for i in range(len(shapes))], "datetime": _moments(shapes.days)},
        geometry=shapely.polygons(rings),
        crs=CRS,
    )


def _moments(days: np.ndarray) -> list[str]:
    """Acquisition times (08:00 UTC on each day) as RFC 3339 text."""
    stamps = np.datetime64(EPOCH.replace(tzinfo=None), "s") + days.astype("timedelta64[D]") + np.timedelta64(8, "h")
    return [f"{text}Z" for text in np.datetime_as_string(stamps, unit="s").tolist()]


def stac_items(shapes: Footprints) -> Iterator[dict[str, Any]]:
    """One STAC 1.1 Item per footprint, as `imagery.json` holds them."""
    corners = shapes.corners.tolist()
    lows, highs = shapes.corners.min(axis=1).tolist(), shapes.corners.max(axis=1).tolist()
    moments = _moments(shapes.days)
    for index, (ring, kind) in enumerate(zip(corners, shapes.kinds.tolist())):
        constellation, platform, gsd = CONSTELLATIONS[kind]
        yield {
            "type": "Feature",
            "stac_version": "1.1.0",
            "stac_extensions": [],
            "id": scene_id(index),
            "geometry": {"type": "Polygon", "coordinates": [[*ring, ring[0]]]},
            "bbox": [*lows[index], *highs[index]],
            "properties": {
                "datetime": moments[index],
                "constellation": constellation,
                "platform": platform,
                "gsd": gsd,
                "providers": [{"name": PROVIDERS[kind], "roles": ["producer"]}],
                "license": "proprietary",
                "heritage:sources": [SOURCE],
            },
            "links": [],
            "assets": {},
        }


def observation_records(n_sites: int, count: int, seed: int = SEED) -> list[dict[str, Any]]:
    """`count` unchained log records over `n_sites` sites: monitors' observations, each followed by a review.

    About one record in three is a review by a second analyst; the rest are
    observations with a status, an evidence URL and a note.
    """
    rng = _rng(seed, "log")
    statuses = list(STATUS_WEIGHTS)
    records: list[dict[str, Any]] = []
    observation = 0
    while len(records) < count:
        site = int(rng.integers(0, n_sites))
        day = EPOCH.date() + timedelta(days=int(rng.integers(0, SPAN_DAYS)))
        obs_id = f"obs-{site_id(site)}-{observation}"
        records.append(
            {
                "kind": "observation",
                "id": obs_id,
                "site_id": site_id(site),
                "status": statuses[int(rng.integers(0, len(statuses)))],
                "observed_on": day.isoformat(),
                "recorded_at": f"{day.isoformat()}T12:00:00Z",
                "before_scene": None,
                "after_scene": None,
                "evidence": [{"url": f"{SOURCE}/evidence/{observation}"}],
                "analyst": f"analyst {observation % 7}",
                "origin": "monitor",
                "note": f"synthetic observation {observation}",
                "visibility": "public",
            }
        )
        if len(records) < count and observation % 2 == 0:
            records.append(
                {
                    "kind": "review",
                    "id": f"rev-{obs_id}-1",
                    "of": obs_id,
                    "decision": "confirm",
                    "analyst": f"analyst {(observation + 1) % 7}",
                    "note": None,
                    "recorded_at": f"{day.isoformat()}T13:00:00Z",
                }
            )
        observation += 1
    return records


def chained_lines(records: list[dict[str, Any]]) -> bytes:
    """The log bytes of `records`, chained as `geo.observations` writes them."""
    previous, lines = GENESIS, []
    for record in records:
        body = {**record, "prev_hash": previous}
        body["hash"] = previous = record_hash(body)
        lines.append(canonical_json(body) + b"\n")
    return b"".join(lines)


def site_log(statuses: list[str | None]) -> list[dict[str, Any]]:
    """One published (so confirmed) observation per observed site: the status the map shows."""
    records = []
    for index, status in enumerate(statuses):
        if status is None:
            continue
        day = (EPOCH.date() + timedelta(days=OBSERVED_FROM + index % OBSERVED_DAYS)).isoformat()
        records.append(
            {
                "kind": "observation",
                "id": f"obs-{site_id(index)}-1",
                "site_id": site_id(index),
                "status": status,
                "observed_on": day,
                "recorded_at": f"{day}T12:00:00Z",
                "before_scene": None,
                "after_scene": None,
                "evidence": [{"url": f"{SOURCE}/report/{index}"}],
                "analyst": "synthetic monitor",
                "origin": "published",
                "published_by": "Synthetic Heritage Watch",
                "note": "synthetic",
                "visibility": "public",
            }
        )
    return records


def _feature(geometry: dict[str, Any] | None, **properties: Any) -> dict[str, Any]:
    return {"type": "Feature", "geometry": geometry, "properties": {"sources": [SOURCE], **properties}}


def _small_layers() -> dict[str, dict[str, Any]]:
    """Communities, a route and a place: the other layers of the overview, a handful each."""
    located = {"coord_source": SOURCE, "coord_precision": "settlement"}
    communities = [
        _feature(
            {"type": "Point", "coordinates": [46.5 + i * 0.05, 39.6 + (i % 4) * 0.08]},
            id=f"community-{i}",
            name=f"Community {i}",
            province="Synthetic",
            population=100 * (i + 1),
            population_year=2015,
            held_until="2023-09",
            in_aug_2023=i % 3 != 0,
            **located,
        )
        for i in range(12)
    ]
    route = _feature(
        {"type": "LineString", "coordinates": [[46.75, 39.81], [46.55, 39.64], [45.9, 39.5]]},
        id="route-1",
        name="Synthetic corridor",
        kind="corridor",
        active_from="2020-11-10",
        active_to="2023-09-30",
        geometry_precision="waypoints",
    )
    place = _feature(
        {"type": "Point", "coordinates": [46.43, 39.64]},
        id="place-1",
        name="Synthetic checkpoint",
        kind="checkpoint",
        event_date="2023-04-23",
        **located,
    )
    return {
        "communities.geojson": {"type": "FeatureCollection", "features": communities},
        "routes.geojson": {"type": "FeatureCollection", "features": [route]},
        "places.geojson": {"type": "FeatureCollection", "features": [place]},
    }


def sites_collection(frame: gpd.GeoDataFrame) -> dict[str, Any]:
    features = []
    for row in frame.itertuples(index=False):
        features.append(
            _feature(
                {"type": "Point", "coordinates": [row.geometry.x, row.geometry.y]},
                id=row.id,
                name=row.name,
                name_hy=row.name_hy,
                type=row.type,
                settlement=row.settlement,
                coord_source=row.coord_source,
                coord_precision=row.coord_precision,
            )
        )
    return {"type": "FeatureCollection", "features": features}


def write_data_folder(directory: Path, n_sites: int, n_scenes: int, seed: int = SEED) -> Path:
    """A complete, valid data folder of `n_sites` sites and `n_scenes` footprinted scenes.

    Half the scenes come in before/after pairs over as many sites (so those
    sites are imagery-documented); the other half are spread uniformly.
    """
    directory.mkdir(parents=True, exist_ok=True)
    layers = {**_small_layers(), "heritage_sites.geojson": sites_collection(sites_frame(n_sites, seed))}
    for name, content in layers.items():
        (directory / name).write_text(json.dumps(content, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    paired = paired_footprints(site_points(n_sites, seed), n_scenes // 4, seed)
    spread = footprints(n_scenes - len(paired), seed)
    shapes = Footprints(
        np.concatenate([paired.corners, spread.corners]),
        np.concatenate([paired.days, spread.days]),
        np.concatenate([paired.kinds, spread.kinds]),
    )
    catalog = {"type": "FeatureCollection", "features": list(stac_items(shapes))}
    (directory / "imagery.json").write_text(json.dumps(catalog, sort_keys=True, separators=(",", ":")), encoding="utf-8")
    (directory / "observations.jsonl").write_bytes(chained_lines(site_log(site_statuses(n_sites, seed))))
    with (directory / "timeline.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["date", "event", "figure", "unit", "source"])
        writer.writerow(["2023-09-19", "Synthetic event", "", "", SOURCE])
    return directory


def write_join_inputs(directory: Path, n_sites: int, shapes: Footprints, seed: int = SEED) -> tuple[Path, Path]:
    """The sites and the footprints as FlatGeobuf files: the inputs of the Arrow-read floor."""
    directory.mkdir(parents=True, exist_ok=True)
    sites_path, footprints_path = directory / f"sites-{n_sites}.fgb", directory / f"footprints-{len(shapes)}.fgb"
    if not sites_path.exists():
        pyogrio.write_dataframe(sites_frame(n_sites, seed)[["id", "geometry"]], sites_path, driver="FlatGeobuf")
    if not footprints_path.exists():
        pyogrio.write_dataframe(footprint_frame(shapes), footprints_path, driver="FlatGeobuf")
    return sites_path, footprints_path


def new_observation(n_sites: int) -> dict[str, Any]:
    """One more published observation of the middle site, with evidence: a monitor's next record, for the rebuild."""
    index = n_sites // 2
    return {
        "kind": "observation",
        "id": f"obs-{site_id(index)}-next",
        "site_id": site_id(index),
        "status": "destroyed",
        "observed_on": "2025-12-01",
        "recorded_at": "2025-12-02T12:00:00Z",
        "before_scene": None,
        "after_scene": None,
        "evidence": [{"url": f"{SOURCE}/report/{index}/next"}],
        "analyst": "synthetic monitor",
        "origin": "published",
        "published_by": "Synthetic Heritage Watch",
        "note": "synthetic",
        "visibility": "public",
    }
