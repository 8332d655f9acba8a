"""Checking everything a data folder holds at once, so a monitor sees all problems in one run.

Validation works on what `geo.inputs.load_inputs` read (no file is read
again) and collects every problem: each names the file, the feature (its id,
or its position when the id is missing), the field, what was found and the
fix (`geo.errors.Problem`). Errors make the data unusable for a public map;
warnings (an unlocated feature) are listed but do not stop a build.

The rules run a column at a time over the features' parsed properties, and
the geometry rules as vectorised shapely calls over the layer's frame: a
feature at a time, 100,000 sites took 8 s; this way well under one.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from shapely.geometry import shape

from geo import citations, imagery, join, timeline
from geo.dates import parse_iso
from geo.errors import Problem
from geo.evidence import NO_EVIDENCE, needs_evidence
from geo.inputs import TIMELINE, load_inputs
from geo.layers import layer_path
from geo.schema import ID_PATTERN, LAYERS, REGION_BOUNDS, STATUSES, LayerSchema

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    import geopandas as gpd

    from geo.errors import Severity, Where
    from geo.inputs import Inputs

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
_ID = re.compile(ID_PATTERN)


def validate_layers(data_dir: str | Path, today: date | None = None) -> list[Problem]:
    """Every problem of the data folder `data_dir`, errors and warnings together (loads it, validates, joins)."""
    return check(load_inputs(data_dir), today)[0]


def check(inputs: Inputs, today: date | None = None) -> tuple[list[Problem], join.Joined | None]:
    """Every problem of `inputs`, and the join (run once, here) when the sites are valid enough to join.

    The records are checked against the layers only when the heritage sites
    have no error: an observation of a site that failed to load would only
    repeat that error.
    """
    problems = validate(inputs, today)
    problems.extend(citation_problems(inputs))
    sites_file = str(layer_path(inputs.data_dir, "heritage_sites"))
    if any(p.severity == "error" and p.file in (sites_file, str(inputs.data_dir)) for p in problems):
        return problems, None
    records = inputs.observations()
    joined = join.join(inputs.sites, inputs.items, records)
    problems.extend(record_problems(inputs, records))
    problems.extend(problem.at({"file": str(inputs.log_path)}) for problem in joined.problems)
    return problems, joined


def validate(inputs: Inputs, today: date | None = None) -> list[Problem]:
    """The problems of every layer of `inputs` (and of the files that could not be read)."""
    today = today or date.today()
    problems = list(inputs.problems)
    for name, schema in LAYERS.items():
        collection = inputs.collections.get(name)
        if collection is not None:
            path = layer_path(inputs.data_dir, name)
            problems.extend(collection_problems(collection, inputs.frame(name), str(path), schema, today))
    ids = inputs.communities["id"].astype(str).tolist() if "id" in inputs.communities.columns else []
    problems.extend(timeline.problems(inputs.timeline, str(inputs.data_dir / TIMELINE), ids))
    return problems


def record_problems(inputs: Inputs, records: list[dict[str, Any]]) -> list[Problem]:
    """Problems of the catalog, and of the log's observations against the layers: unknown sites, bad values, ids twice."""
    problems = [problem.at({"file": str(inputs.catalog_path)}) for problem in imagery.catalog_problems(inputs.items)]
    site_ids = set(inputs.sites["id"].tolist())
    log = str(inputs.log_path)
    seen = Counter(str(record.get("id")) for record in records)
    for record in records:

        def problem(field: str, found: str, fix: str, record: dict[str, Any] = record) -> Problem:
            return Problem(file=log, kind="record", feature=str(record.get("id")), field=field, found=found, fix=fix)

        if seen[str(record.get("id"))] > 1:
            problems.append(
                problem("id", f"used by {seen[str(record.get('id'))]} observations", "ids are unique in the log; restore it")
            )
        if record.get("site_id") not in site_ids:
            problems.append(
                problem(
                    "site_id",
                    f"site {record.get('site_id')!r} is not in heritage_sites.geojson",
                    "record a correction against an existing site id, or add the site to the layer",
                )
            )
        if record.get("status") not in STATUSES:
            problems.append(
                problem(
                    "status",
                    f"{record.get('status')!r} is not in the vocabulary",
                    f"record a correction with one of: {', '.join(STATUSES)}",
                )
            )
        elif needs_evidence(record):
            problems.append(
                problem(
                    "evidence",
                    f"a {record.get('status')} status that {NO_EVIDENCE}; the map shows the site as unknown",
                    "record a new observation with its evidence (a URL, a file or a before/after scene pair)",
                )
            )
        # A finding known only by its publication date has no `observed_on`; one whose source states no date
        # has neither (the map says so).
        for field in ("observed_on", "reported_on"):
            if record.get(field) is None:
                continue
            try:
                parse_iso(record.get(field))
            except ValueError as error:
                problems.append(problem(field, str(error), "record a correction dated YYYY, YYYY-MM, YYYY-MM-DD or A/B"))
    return problems


def collection_problems(collection: Any, frame: gpd.GeoDataFrame, file: str, schema: LayerSchema, today: date) -> list[Problem]:
    """The problems of one parsed layer file (`frame` is built from it, a row per feature)."""
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        found = collection.get("type") if isinstance(collection, dict) else type(collection).__name__
        return [
            Problem(
                file=file,
                field="type",
                found=repr(found),
                expected="a GeoJSON FeatureCollection",
                fix='wrap the features in {"type": "FeatureCollection", "features": [...]}',
            )
        ]
    crs_name = _crs_name(collection.get("crs"))
    if crs_name is not None and crs_name not in WGS84_NAMES:
        # Coordinates in another CRS would only repeat as out-of-region errors.
        return [
            Problem(
                file=file,
                field="crs",
                found=f"the layer declares CRS {crs_name!r}",
                expected="WGS84 lon/lat",
                fix="reproject to WGS84 lon/lat (e.g. ogr2ogr -t_srs EPSG:4326) and drop the crs member",
            )
        ]
    features = collection.get("features")
    if not isinstance(features, list):
        return [
            Problem(
                file=file,
                field="features",
                found=type(features).__name__,
                expected="a list of features",
                fix="give the FeatureCollection a features list",
            )
        ]
    collected: list[tuple[int, int, Problem]] = []
    _FeatureChecks(features, frame, file, schema, today, collected).run()
    return [problem for _, _, problem in sorted(collected, key=lambda entry: entry[:2])]


class _FeatureChecks:
    """Every rule of `LayerSchema` over a layer's features, a field at a time; problems in feature order."""

    def __init__(
        self,
        features: list[Any],
        frame: gpd.GeoDataFrame,
        file: str,
        schema: LayerSchema,
        today: date,
        found: list[tuple[int, int, Problem]],
    ) -> None:
        self.features, self.frame, self.file, self.schema, self.today, self.found = features, frame, file, schema, today, found
        self.rank = 0  # the order of the rules, so each feature's problems come in rule order

    def problem(
        self, row: int, field: str, found: str, fix: str, severity: Severity = "error", expected: str | None = None
    ) -> None:
        fid = self.ids[row]
        named = isinstance(fid, str) and bool(fid)
        self.found.append(
            (
                row,
                self.rank,
                Problem(
                    file=self.file,
                    feature=fid if named else None,
                    index=None if named else row,
                    field=field,
                    found=found,
                    expected=expected,
                    fix=fix,
                    severity=severity,
                ),
            )
        )

    def rule(self) -> None:
        self.rank += 1

    def column(self, field: str) -> list[Any]:
        return [props.get(field) for props in self.props]

    def run(self) -> None:
        self.props: list[dict[str, Any]] = []
        for feature in self.features:
            props = feature.get("properties") if isinstance(feature, dict) else None
            self.props.append(props if isinstance(props, dict) else {})
        self.ids = self.column("id")
        self.rule()
        for row, feature in enumerate(self.features):
            if not isinstance(feature, dict) or feature.get("type") != "Feature":
                self.ids[row] = None
                self.problem(row, "type", "not a GeoJSON Feature", 'give it "type": "Feature", "properties" and "geometry"')
            elif not isinstance(feature.get("properties"), dict):
                self.problem(row, "properties", "missing or not an object", "add a properties object with id and sources")
        broken = {row for row, _, _ in self.found}
        self.rows = [row for row in range(len(self.features)) if row not in broken]
        self.ids_rule()
        self.required_rule()
        self.vocabulary_rule()
        self.dates_rule()
        self.geometry_rule()

    def ids_rule(self) -> None:
        self.rule()
        counts = Counter(fid for fid in self.ids if isinstance(fid, str))
        for row in self.rows:
            fid = self.ids[row]
            if not isinstance(fid, str) or not fid:
                self.problem(row, "id", "missing", "give every feature a unique lowercase slug id")
            elif not _ID.fullmatch(fid):
                self.problem(row, "id", f"{fid!r} is not a lowercase slug", "use lowercase letters, digits, '-' and '_'")
            elif counts[fid] > 1:
                self.problem(row, "id", f"{fid!r} is used by {counts[fid]} features", "give each feature its own id")

    def required_rule(self) -> None:
        for field in self.schema.required:
            self.rule()
            values = self.column(field)
            for row in self.rows:
                if values[row] in (None, "", []):
                    if field == "sources":
                        self.problem(
                            row, field, "empty or missing", "cite at least one URL or publication the feature comes from"
                        )
                    else:
                        self.problem(row, field, "missing", f"add '{field}'")
        self.rule()
        sources = self.column("sources")
        for row in self.rows:
            value = sources[row]
            if value not in (None, "", []) and not (
                isinstance(value, list) and all(isinstance(s, str) and s.strip() for s in value)
            ):
                self.problem(row, "sources", repr(value), "list each source as a string", expected="a list of non-empty strings")

    def vocabulary_rule(self) -> None:
        for field, vocabulary in self.schema.vocabularies.items():
            self.rule()
            values = self.column(field)
            allowed = set(vocabulary)
            for row in self.rows:
                value = values[row]
                if value is not None and (not isinstance(value, str) or value not in allowed):
                    self.problem(row, field, f"{value!r} is not in the vocabulary", f"use one of: {', '.join(vocabulary)}")

    def dates_rule(self) -> None:
        for field in self.schema.dates:
            self.rule()
            values = self.column(field)
            for row in self.rows:
                value = values[row]
                if value is None:
                    continue
                try:
                    start, _ = parse_iso(value)
                except ValueError as error:
                    self.problem(
                        row, field, str(error), "write the date as YYYY-MM-DD (or YYYY-MM, YYYY, or A/B for an interval)"
                    )
                    continue
                if start > self.today:
                    self.problem(row, field, f"{value!r} lies in the future", "check the date; only record what has happened")

    def geometry_rule(self) -> None:
        """Geometry type, coordinates, validity, emptiness, region and how a located point was obtained."""
        self.rule()
        raw = [feature.get("geometry") if isinstance(feature, dict) else None for feature in self.features]
        built = np.asarray(self.frame.geometry.values, dtype=object)
        kinds = self.schema.geometry_types
        check: list[int] = []
        for row in self.rows:
            geometry = raw[row]
            if geometry is None:
                self.problem(
                    row,
                    "geometry",
                    "unlocated (null geometry)",
                    "add a sourced point when one is found, with coord_source",
                    "warning",
                )
                continue
            kind = geometry.get("type") if isinstance(geometry, dict) else None
            if kind not in kinds:
                self.problem(row, "geometry", f"type {kind!r}", f"this layer takes {' or '.join(kinds)}")
            elif built[row] is None:
                self.problem(
                    row, "geometry", f"malformed coordinates ({_shape_error(geometry)})", "give coordinates as [lon, lat] pairs"
                )
            else:
                check.append(row)
        if not check:
            return
        shapes = built[check]
        valid = shapely.is_valid(shapes)
        empty = shapely.is_empty(shapes)
        bounds = shapely.bounds(shapes)
        west, south, east, north = REGION_BOUNDS
        outside = (bounds[:, 0] < west) | (bounds[:, 2] > east) | (bounds[:, 1] < south) | (bounds[:, 3] > north)
        located = self.schema.located_required
        columns = {field: self.column(field) for field in located}
        for position in np.flatnonzero(~valid | empty | outside | bool(located)).tolist():
            row = check[position]
            if not valid[position]:
                self.problem(
                    row,
                    "geometry",
                    f"invalid geometry: {shapely.is_valid_reason(shapes[position])}",
                    "repair it (e.g. shapely.make_valid, or fix the ring)",
                )
            if empty[position]:
                self.problem(row, "geometry", "empty geometry", "use null for an unlocated feature")
                continue
            if outside[position]:
                minx, miny, _, _ = bounds[position]
                swapped = west <= miny <= east and south <= minx <= north
                hint = "swap to [lon, lat] order" if swapped else "check the coordinates are WGS84 lon/lat, not projected"
                self.problem(row, "geometry", f"coordinates ({minx:g}, {miny:g}) lie outside the region {REGION_BOUNDS}", hint)
            for field in located:
                if columns[field][row] in (None, ""):
                    self.problem(row, field, "missing on a located feature", f"say how the point was obtained ('{field}')")


def _shape_error(geometry: Any) -> str:
    try:
        shape(geometry)
    except (ValueError, TypeError, AttributeError, IndexError, KeyError, shapely.errors.GEOSException) as error:
        return str(error)
    return "not a geometry shapely can build"


def _crs_name(crs: Any) -> str | None:
    if crs is None:
        return None
    if isinstance(crs, dict):
        return str((crs.get("properties") or {}).get("name", crs))
    return str(crs)


# --- citations ----------------------------------------------------------------------------------

CITATION_FIELDS: tuple[str, ...] = ("sources", "coord_source", "names_sources", "checked_against")
"""Feature fields that hold citations (a URL or a list of them)."""
TEXT_FIELDS: tuple[str, ...] = ("note", "coord_note", "unlocated_note")
"""Free-text fields: an address there belongs in a citation field."""


class _Judge:
    """Whether a cited address is a copy, judged once per address (a source of 10,000 sites is cited 10,000 times)."""

    def __init__(self, marked: frozenset[str]) -> None:
        self.marked = marked
        self.seen: dict[str, citations.Citation | None] = {}

    def copy(self, url: Any) -> citations.Citation | None:
        """The citation of `url` when it is a copy (and not a marked one), else None."""
        if not isinstance(url, str):
            return None
        try:
            return self.seen[url]
        except KeyError:
            found = None if url in self.marked else citations.canonical(url)
            judged = self.seen[url] = found if found is not None and found.is_copy else None
            return judged

    def problems(self, where: Callable[[], Where], field: str, value: Any) -> Iterator[Problem]:
        """A problem for each copy among the address(es) `value`; `where` places it (made only when one is found)."""
        for url in value if isinstance(value, list) else (value,):
            found = self.copy(url)
            if found is None:
                continue
            fix = (
                f"cite {found.url} (record the copy apart in read_via)"
                if found.url
                else "cite the original page and record the copy in read_via, or list the copy in cited_copies.csv"
            )
            yield Problem(**where(), field=field, found=f"{url!r} is {found.describe()}", fix=fix)


def _text_problems(where: Callable[[], Where], field: str, text: Any, target: str) -> Iterator[Problem]:
    if not isinstance(text, str) or not text:
        return
    for address in citations.find_addresses(text):
        yield Problem(
            **where(),
            field=field,
            found=f"address {address!r} inside free text",
            fix=f"move it to '{target}' and name it in words",
        )


def citation_problems(inputs: Inputs) -> list[Problem]:
    """Copies, proxies, mobile, AMP, print and preview addresses cited anywhere: the layers, the log, the catalog
    and the timeline; and addresses written into free text where a field exists for them.
    """
    judge = _Judge(inputs.cited_copies)
    problems: list[Problem] = []
    for name in LAYERS:
        collection = inputs.collections.get(name)
        features = collection.get("features") if isinstance(collection, dict) else None
        if not isinstance(features, list):
            continue  # reported by the layer checks
        path = str(layer_path(inputs.data_dir, name))
        for feature in features:
            props = feature.get("properties") if isinstance(feature, dict) else None
            if not isinstance(props, dict):
                continue

            def where(props: dict[str, Any] = props, path: str = path) -> Where:
                return {"file": path, "feature": str(props.get("id"))}

            for field in CITATION_FIELDS:
                if (value := props.get(field)) is not None:
                    problems.extend(judge.problems(where, field, value))
            for entry in props.get("read_via") or ():
                if isinstance(entry, dict):
                    problems.extend(judge.problems(where, "read_via.url", entry.get("url")))
            for field in TEXT_FIELDS:
                if (text := props.get(field)) is not None:
                    problems.extend(_text_problems(where, field, text, "sources"))
    log = str(inputs.log_path)
    for record in inputs.log:

        def where_record(record: dict[str, Any] = record) -> Where:
            return {"file": log, "kind": "record", "feature": str(record.get("id"))}

        for item in record.get("evidence") or ():
            if isinstance(item, dict):
                problems.extend(judge.problems(where_record, "evidence", item.get("url")))
        if note_sources := record.get("note_sources"):
            problems.extend(judge.problems(where_record, "note_sources", note_sources))
        problems.extend(_text_problems(where_record, "note", record.get("note"), "evidence"))
    catalog = str(inputs.catalog_path)
    for item in inputs.items:
        if sources := (item.get("properties") or {}).get("heritage:sources"):

            def where_item(item: dict[str, Any] = item) -> Where:
                return {"file": catalog, "kind": "item", "feature": str(item.get("id"))}

            problems.extend(judge.problems(where_item, "heritage:sources", sources))
    timeline = str(inputs.data_dir / TIMELINE)
    for number, row in enumerate(inputs.timeline, start=2):
        urls = [u.strip() for u in (row.get("source") or "").split(" ; ") if u.strip()]

        def where_line(number: int = number) -> Where:
            return {"file": timeline, "line": number}

        problems.extend(judge.problems(where_line, "source", urls))
        problems.extend(_text_problems(where_line, "event", row.get("event"), "source"))
    return problems
