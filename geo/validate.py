"""Checking every layer at once, so a monitor sees all problems in one run.

Each `Problem` names the file, the feature (id, or index when the id is
missing), the field, what was found and the fix. Errors make the data
unusable for a public map; warnings (an unlocated feature, a coordinate that
needs a second source) are listed but do not stop a build.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import shapely
from shapely.geometry import shape

from geo import citations, imagery, join, observations
from geo.dates import parse_iso
from geo.errors import HeritageMapError, LayerError, Problem
from geo.evidence import NO_EVIDENCE, needs_evidence
from geo.layers import layer_path, read_json, read_layer
from geo.schema import ID_PATTERN, LAYERS, REGION_BOUNDS, STATUSES, LayerSchema

if TYPE_CHECKING:
    from collections.abc import Iterator

    from geo.errors import Severity, Where

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


def validate_layers(data_dir: str | Path, today: date | None = None) -> list[Problem]:
    """Every problem in every layer of `data_dir`, errors and warnings together."""
    today = today or date.today()
    folder = folder_problem(data_dir)
    if folder is not None:
        return [folder]
    problems: list[Problem] = []
    for schema in LAYERS.values():
        problems.extend(validate_layer_file(layer_path(data_dir, schema.name), schema, today))
    if not any(p.severity == "error" and p.file and p.file.endswith(LAYERS["heritage_sites"].filename) for p in problems):
        problems.extend(validate_records(data_dir))
    problems.extend(citation_problems(data_dir))
    return problems


def folder_problem(data_dir: str | Path) -> Problem | None:
    """Why `data_dir` is not a data folder (missing, not a folder, or holding none of the layers), or None."""
    folder = Path(data_dir)
    names = ", ".join(schema.filename for schema in LAYERS.values())
    fix = f"pass --data the folder that holds {names} (default data/layers, relative to where the command runs)"
    if not folder.is_dir():
        return Problem(file=str(folder), found="not a folder" if folder.exists() else "folder not found", fix=fix)
    if not any((folder / schema.filename).is_file() for schema in LAYERS.values()):
        return Problem(file=str(folder), found="holds none of the layers", fix=fix)
    return None


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
        return list(error.problems)
    sites = read_layer(data_dir, "heritage_sites")
    site_ids = set(sites["id"])
    problems = [problem.at({"file": str(catalog_path)}) for problem in imagery.catalog_problems(items)]
    records = [r for r in log if r.get("kind") == "observation"]
    for record in records:
        where: Where = {"file": str(log_path), "kind": "record", "feature": str(record.get("id"))}
        if record.get("site_id") not in site_ids:
            problems.append(
                Problem(
                    **where,
                    field="site_id",
                    found=f"site {record.get('site_id')!r} is not in heritage_sites.geojson",
                    fix="record a correction against an existing site id, or add the site to the layer",
                )
            )
        if record.get("status") not in STATUSES:
            problems.append(
                Problem(
                    **where,
                    field="status",
                    found=f"{record.get('status')!r} is not in the vocabulary",
                    fix=f"record a correction with one of: {', '.join(STATUSES)}",
                )
            )
        elif needs_evidence(record):
            problems.append(
                Problem(
                    **where,
                    field="evidence",
                    found=f"a {record.get('status')} status that {NO_EVIDENCE}; the map shows the site as unknown",
                    fix="record a new observation with its evidence (a URL, a file or a before/after scene pair)",
                )
            )
    for site_imagery in join.site_imagery(sites, items, records).values():
        problems.extend(problem.at({"file": str(log_path)}) for problem in site_imagery.problems)
    return problems


def validate_layer_file(path: Path, schema: LayerSchema, today: date) -> list[Problem]:
    """The problems of one layer file, or the single reason it could not be read."""
    try:
        collection = read_json(path)
    except LayerError as error:
        return list(error.problems)
    return list(_collection_problems(collection, path, schema, today))


def _collection_problems(collection: Any, path: Path, schema: LayerSchema, today: date) -> Iterator[Problem]:
    file = str(path)
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        found = collection.get("type") if isinstance(collection, dict) else type(collection).__name__
        yield Problem(
            file=file,
            field="type",
            found=repr(found),
            expected="a GeoJSON FeatureCollection",
            fix='wrap the features in {"type": "FeatureCollection", "features": [...]}',
        )
        return
    crs_name = _crs_name(collection.get("crs"))
    if crs_name is not None and crs_name not in WGS84_NAMES:
        yield Problem(
            file=file,
            field="crs",
            found=f"the layer declares CRS {crs_name!r}",
            expected="WGS84 lon/lat",
            fix="reproject to WGS84 lon/lat (e.g. ogr2ogr -t_srs EPSG:4326) and drop the crs member",
        )
        return  # coordinates in another CRS would only repeat as out-of-bounds errors
    features = collection.get("features")
    if not isinstance(features, list):
        yield Problem(
            file=file,
            field="features",
            found=f"{type(features).__name__}",
            expected="a list of features",
            fix="give the FeatureCollection a features list",
        )
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
            file=file,
            index=index,
            field="type",
            found="not a GeoJSON Feature",
            fix='give it "type": "Feature", "properties" and "geometry"',
        )
        return
    props = feature.get("properties")
    if not isinstance(props, dict):
        yield Problem(
            file=file,
            index=index,
            field="properties",
            found="missing or not an object",
            fix="add a properties object with id and sources",
        )
        return
    fid = props.get("id")
    named = isinstance(fid, str) and bool(fid)

    def problem(field: str, found: str, fix: str, severity: Severity = "error", expected: str | None = None) -> Problem:
        return Problem(
            file=file,
            feature=fid if named else None,
            index=None if named else index,
            field=field,
            found=found,
            expected=expected,
            fix=fix,
            severity=severity,
        )

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
        yield problem("sources", repr(sources), "list each source as a string", expected="a list of non-empty strings")

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


# --- citations ----------------------------------------------------------------------------------

CITATION_FIELDS: tuple[str, ...] = ("sources", "coord_source", "names_sources", "checked_against")
"""Feature fields that hold citations (a URL or a list of them)."""
TEXT_FIELDS: tuple[str, ...] = ("note", "coord_note", "unlocated_note")
"""Free-text fields: an address there belongs in a citation field."""
MARKED_COPIES = "cited_copies.csv"


def marked_copies(data_dir: Path) -> frozenset[str]:
    """Copies kept as the citation because their original was not found (`cited_copies.csv`, column `url`)."""
    import csv

    path = data_dir / MARKED_COPIES
    if not path.exists():
        return frozenset()
    with path.open(encoding="utf-8", newline="") as handle:
        return frozenset(row["url"] for row in csv.DictReader(handle) if row.get("url"))


def _address_problems(where: Where, field: str, value: Any, marked: frozenset[str]) -> Iterator[Problem]:
    for url in value if isinstance(value, list) else [value]:
        if not isinstance(url, str) or url in marked:
            continue
        found = citations.canonical(url)
        if not found.is_copy:
            continue
        fix = (
            f"cite {found.url} (record the copy apart in read_via)"
            if found.url
            else "cite the original page and record the copy in read_via, or list the copy in cited_copies.csv"
        )
        yield Problem(**where, field=field, found=f"{url!r} is {found.describe()}", fix=fix)


def _text_problems(where: Where, field: str, text: Any, target: str) -> Iterator[Problem]:
    if not isinstance(text, str):
        return
    for address in citations.find_addresses(text):
        yield Problem(
            **where, field=field, found=f"address {address!r} inside free text", fix=f"move it to '{target}' and name it in words"
        )


def citation_problems(data_dir: str | Path) -> list[Problem]:
    """Copies, proxies, mobile, AMP, print and preview addresses cited anywhere: the layers, the log, the catalog
    and the timeline; and addresses written into free text where a field exists for them.
    """
    data_dir = Path(data_dir)
    marked = marked_copies(data_dir)
    problems: list[Problem] = []
    for schema in LAYERS.values():
        path = layer_path(data_dir, schema.name)
        try:
            features = read_json(path).get("features") or []
        except (LayerError, AttributeError):
            continue  # reported by the layer checks
        for feature in features:
            props = feature.get("properties") if isinstance(feature, dict) else None
            if not isinstance(props, dict):
                continue
            where: Where = {"file": str(path), "feature": str(props.get("id"))}
            for field in CITATION_FIELDS:
                problems.extend(_address_problems(where, field, props.get(field), marked))
            for entry in props.get("read_via") or []:
                if isinstance(entry, dict):
                    problems.extend(_address_problems(where, "read_via.url", entry.get("url"), marked))
            for field in TEXT_FIELDS:
                problems.extend(_text_problems(where, field, props.get(field), "sources"))
    problems.extend(_log_citation_problems(data_dir / "observations.jsonl", marked))
    problems.extend(_catalog_citation_problems(data_dir / "imagery.json", marked))
    problems.extend(_timeline_citation_problems(data_dir / "timeline.csv", marked))
    return problems


def _log_citation_problems(path: Path, marked: frozenset[str]) -> Iterator[Problem]:
    try:
        log = observations.read_log(path)
    except HeritageMapError:
        return  # reported by validate_records
    for record in log:
        where: Where = {"file": str(path), "kind": "record", "feature": str(record.get("id"))}
        for item in record.get("evidence") or []:
            if isinstance(item, dict):
                yield from _address_problems(where, "evidence", item.get("url"), marked)
        yield from _address_problems(where, "note_sources", record.get("note_sources") or [], marked)
        yield from _text_problems(where, "note", record.get("note"), "evidence")


def _catalog_citation_problems(path: Path, marked: frozenset[str]) -> Iterator[Problem]:
    try:
        items = imagery.read_catalog(path)
    except HeritageMapError:
        return
    for item in items:
        props = item.get("properties") or {}
        where: Where = {"file": str(path), "kind": "item", "feature": str(item.get("id"))}
        yield from _address_problems(where, "heritage:sources", props.get("heritage:sources") or [], marked)


def _timeline_citation_problems(path: Path, marked: frozenset[str]) -> Iterator[Problem]:
    import csv

    if not path.exists():
        return
    with path.open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            urls = [u.strip() for u in (row.get("source") or "").split(" ; ") if u.strip()]
            where: Where = {"file": str(path), "line": number}
            yield from _address_problems(where, "source", urls, marked)
            yield from _text_problems(where, "event", row.get("event"), "source")
