"""Checking every layer at once, so a monitor sees all problems in one run.

Each `Problem` names the file, the feature (id, or index when the id is
missing), the field, what was found and the fix. Errors make the data
unusable for a public map; warnings (an unlocated feature, a coordinate that
needs a second source) are listed but do not stop a build.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import shapely
from shapely.geometry import shape

from geo import imagery, join, observations
from geo.dates import parse_iso
from geo.errors import HeritageMapError, ImageryError, LayerError
from geo.layers import layer_path, read_json, read_layer
from geo.schema import ID_PATTERN, LAYERS, REGION_BOUNDS, STATUSES, LayerSchema

if TYPE_CHECKING:
    from collections.abc import Iterator

WGS84_NAMES = frozenset(
    {
        "urn:ogc:def:crs:OGC:1.3:CRS84",
        "urn:ogc:def:crs:OGC::CRS84",
        "urn:ogc:def:crs:EPSG::4326",
        "EPSG:4326",
        "CRS84",
        "OGC:CRS84",
    }
)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one field of one feature."""

    file: str
    feature: str
    field: str
    found: str
    fix: str
    severity: str = "error"

    def __str__(self) -> str:
        return f"{self.severity}: {self.file}: {self.feature}: field '{self.field}': {self.found}; fix: {self.fix}"


def validate_layers(data_dir: str | Path, today: date | None = None) -> list[Problem]:
    """Every problem in every layer of `data_dir`, errors and warnings together."""
    today = today or date.today()
    problems: list[Problem] = []
    for schema in LAYERS.values():
        problems.extend(validate_layer_file(layer_path(data_dir, schema.name), schema, today))
    if not any(p.severity == "error" and p.file.endswith(LAYERS["heritage_sites"].filename) for p in problems):
        problems.extend(validate_records(data_dir))
    return problems


def validate_records(data_dir: str | Path) -> list[Problem]:
    """Problems of the log and the catalog against the layers: unknown sites, scenes that do not fit.

    Run after the layers validate; a `inconsistent` before/after pair (a named
    scene that misses the site, or dates out of order) is an error naming both ids.
    """
    data_dir = Path(data_dir)
    log_path, catalog_path = data_dir / "observations.jsonl", data_dir / "imagery.json"
    try:
        log = observations.read_log(log_path)
        items = imagery.read_catalog(catalog_path)
    except HeritageMapError as error:
        return [_problem_from_message(str(catalog_path if isinstance(error, ImageryError) else log_path), str(error))]
    sites = read_layer(data_dir, "heritage_sites")
    site_ids = set(sites["id"])
    problems = [_problem_from_message(str(catalog_path), message) for message in imagery.catalog_problems(items)]
    records = [r for r in log if r.get("kind") == "observation"]
    for record in records:
        label = f"record {record.get('id')!r}"
        if record.get("site_id") not in site_ids:
            problems.append(
                Problem(
                    str(log_path),
                    label,
                    "site_id",
                    f"site {record.get('site_id')!r} is not in heritage_sites.geojson",
                    "record a correction against an existing site id, or add the site to the layer",
                )
            )
        if record.get("status") not in STATUSES:
            problems.append(
                Problem(
                    str(log_path),
                    label,
                    "status",
                    f"{record.get('status')!r} is not in the vocabulary",
                    f"record a correction with one of: {', '.join(STATUSES)}",
                )
            )
    for site_imagery in join.site_imagery(sites, items, records).values():
        problems.extend(_problem_from_message(str(log_path), message) for message in site_imagery.problems)
    return problems


_MESSAGE = re.compile(r"^(?P<feature>.*?): field '(?P<field>[^']+)': (?P<found>.*?)(?:; fix: (?P<fix>.*))?$")


def _problem_from_message(file: str, message: str) -> Problem:
    """A Problem from a one-line library message of the form `<where>: field 'f': <found>; fix: <fix>`."""
    message = message.removeprefix(f"{file}: ")
    match = _MESSAGE.match(message)
    if not match:
        return Problem(file, "(file)", "(file)", message, "see the message")
    return Problem(file, match["feature"], match["field"], match["found"], match["fix"] or "see the message")


def validate_layer_file(path: Path, schema: LayerSchema, today: date) -> list[Problem]:
    """The problems of one layer file, or the single reason it could not be read."""
    try:
        collection = read_json(path)
    except LayerError as error:
        message = str(error).removeprefix(f"{path}: ")
        found, _, fix = message.partition("; fix: ")
        return [Problem(str(path), "(file)", "(file)", found, fix or "repair the file")]
    return list(_collection_problems(collection, path, schema, today))


def _collection_problems(collection: Any, path: Path, schema: LayerSchema, today: date) -> Iterator[Problem]:
    file = str(path)
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        found = collection.get("type") if isinstance(collection, dict) else type(collection).__name__
        yield Problem(
            file,
            "(file)",
            "type",
            f"expected a GeoJSON FeatureCollection, found {found!r}",
            'wrap the features in {"type": "FeatureCollection", "features": [...]}',
        )
        return
    crs_name = _crs_name(collection.get("crs"))
    if crs_name is not None and crs_name not in WGS84_NAMES:
        yield Problem(
            file,
            "(file)",
            "crs",
            f"the layer declares CRS {crs_name!r}",
            "reproject to WGS84 lon/lat (e.g. ogr2ogr -t_srs EPSG:4326) and drop the crs member",
        )
        return  # coordinates in another CRS would only repeat as out-of-bounds errors
    features = collection.get("features")
    if not isinstance(features, list):
        yield Problem(file, "(file)", "features", "expected a list of features", "give the FeatureCollection a features list")
        return
    ids = Counter(
        f.get("properties", {}).get("id") for f in features if isinstance(f, dict) and isinstance(f.get("properties"), dict)
    )
    for index, feature in enumerate(features):
        yield from _feature_problems(feature, index, file, schema, today, ids)


def _crs_name(crs: Any) -> str | None:
    if crs is None:
        return None
    if isinstance(crs, dict):
        return str((crs.get("properties") or {}).get("name", crs))
    return str(crs)


def _feature_problems(feature: Any, index: int, file: str, schema: LayerSchema, today: date, ids: Counter) -> Iterator[Problem]:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        yield Problem(
            file, f"feature #{index}", "type", "not a GeoJSON Feature", 'give it "type": "Feature", "properties" and "geometry"'
        )
        return
    props = feature.get("properties")
    if not isinstance(props, dict):
        yield Problem(
            file, f"feature #{index}", "properties", "missing or not an object", "add a properties object with id and sources"
        )
        return
    fid = props.get("id")
    label = f"feature {fid!r}" if isinstance(fid, str) and fid else f"feature #{index}"

    def problem(field: str, found: str, fix: str, severity: str = "error") -> Problem:
        return Problem(file, label, field, found, fix, severity)

    if not isinstance(fid, str) or not fid:
        yield problem("id", "missing", "give every feature a unique lowercase slug id")
    elif not re.fullmatch(ID_PATTERN, fid):
        yield problem("id", f"{fid!r} is not a lowercase slug", "use lowercase letters, digits, '-' and '_'")
    elif ids[fid] > 1:
        yield problem("id", f"{fid!r} is used by {ids[fid]} features", "give each feature its own id")

    for field in schema.required:
        if props.get(field) in (None, "", []):
            if field == "sources":
                yield problem(field, "empty or missing", "cite at least one URL or publication the feature comes from")
            else:
                yield problem(field, "missing", f"add '{field}'")
    sources = props.get("sources")
    if sources not in (None, "", []) and not (
        isinstance(sources, list) and all(isinstance(s, str) and s.strip() for s in sources)
    ):
        yield problem("sources", f"expected a list of non-empty strings, found {sources!r}", "list each source as a string")

    for field, vocabulary in schema.vocabularies.items():
        value = props.get(field)
        if value is not None and value not in vocabulary:
            yield problem(field, f"{value!r} is not in the vocabulary", f"use one of: {', '.join(vocabulary)}")

    for field in schema.dates:
        value = props.get(field)
        if value is None:
            continue
        try:
            start, _ = parse_iso(value)
        except ValueError as error:
            yield problem(field, str(error), "write the date as YYYY-MM-DD (or YYYY-MM, YYYY, or A/B for an interval)")
            continue
        if start > today:
            yield problem(field, f"{value!r} lies in the future", "check the date; only record what has happened")

    yield from _geometry_problems(feature.get("geometry"), props, schema, problem)


def _geometry_problems(geometry: Any, props: dict, schema: LayerSchema, problem: Any) -> Iterator[Problem]:
    if geometry is None:
        yield problem(
            "geometry", "unlocated (null geometry)", "add a sourced point when one is found, with coord_source", "warning"
        )
        return
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    if kind not in schema.geometry_types:
        yield problem("geometry", f"type {kind!r}", f"this layer takes {' or '.join(schema.geometry_types)}")
        return
    try:
        geom = shape(geometry)
    except (ValueError, TypeError, AttributeError, IndexError, KeyError, shapely.errors.GEOSException) as error:
        yield problem("geometry", f"malformed coordinates ({error})", "give coordinates as [lon, lat] pairs")
        return
    if not geom.is_valid:
        yield problem(
            "geometry",
            f"invalid geometry: {shapely.is_valid_reason(geom)}",
            "repair it (e.g. shapely.make_valid, or fix the ring)",
        )
    if geom.is_empty:
        yield problem("geometry", "empty geometry", "use null for an unlocated feature")
        return
    west, south, east, north = REGION_BOUNDS
    minx, miny, maxx, maxy = geom.bounds
    if minx < west or maxx > east or miny < south or maxy > north:
        swapped = west <= miny <= east and south <= minx <= north
        hint = "swap to [lon, lat] order" if swapped else "check the coordinates are WGS84 lon/lat, not projected"
        yield problem("geometry", f"coordinates ({minx:g}, {miny:g}) lie outside the region {REGION_BOUNDS}", hint)
    for field in schema.located_required:
        if props.get(field) in (None, ""):
            yield problem(field, "missing on a located feature", f"say how the point was obtained ('{field}')")
