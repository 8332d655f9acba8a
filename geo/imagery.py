"""The imagery catalog, `imagery.json`: a STAC 1.1 ItemCollection, read and written through pystac.

Two kinds of Item live in it. Scenes added from a local raster (`add_scene`)
carry their measured footprint, grid, resolution, acquisition time, SHA-256
and an `image` asset. Scenes transcribed from a source that states a date but
no footprint carry `geometry: null`, a day or month span, and the site ids the
source says they show (`heritage:site_ids`: asserted coverage). The file is
written deterministically (items by id, sorted keys, 2-space indent) and
atomically, so a failed command leaves it byte for byte as it was.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pystac
from filelock import FileLock, Timeout
from pystac.errors import STACError

from geo._canonical import sha256_file
from geo._json import JSONRefused
from geo._json import parse as parse_json
from geo.errors import ImageryError
from geo.scene import Scene, first_line, read_scene

STAC_VERSION = "1.1.0"
EXTENSIONS = {
    "proj": "https://stac-extensions.github.io/projection/v2.0.0/schema.json",
    "eo": "https://stac-extensions.github.io/eo/v2.0.0/schema.json",
    "view": "https://stac-extensions.github.io/view/v1.0.0/schema.json",
    "file": "https://stac-extensions.github.io/file/v2.1.0/schema.json",
}
GEOTIFF = "image/tiff; application=geotiff"
COORD_DECIMALS = 7
"""Footprint coordinates are rounded to 1e-7 degrees (about 1 cm): stable bytes, no false precision lost."""

SHA256_MULTIHASH_PREFIX = "1220"
LOCK_TIMEOUT = 60.0
"""Seconds a writer waits for another `imagery add` or `import` to finish with the catalog."""


@dataclass
class ImportResult:
    """What `import_catalog` did: ids added, ids already present unchanged, and conflicts left alone."""

    added: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)


def read_catalog(path: str | Path) -> list[dict[str, Any]]:
    """The Items of the catalog at `path` as dicts; a catalog that does not exist is empty.

    Raises ImageryError naming the file (and the item id) when the file is not
    JSON, not an ItemCollection, or holds an Item pystac rejects.
    """
    path = Path(path)
    if not path.exists():
        return []
    document = _load_json(path)
    if not (
        isinstance(document, dict) and document.get("type") == "FeatureCollection" and isinstance(document.get("features"), list)
    ):
        raise ImageryError(
            f"{path}: not a STAC ItemCollection (expected a FeatureCollection with a 'features' list); "
            "fix: restore the catalog from git or rebuild it with heritage-map imagery add"
        )
    items = document["features"]
    for index, item in enumerate(items):
        _check_item(path, item, index)
    return items


def write_catalog(path: str | Path, items: Iterable[dict[str, Any]]) -> None:
    """Write `items` as an ItemCollection at `path`, deterministically and atomically.

    Every item goes through pystac and `catalog_problems` first, so an invalid
    Item raises ImageryError and the file on disk stays as it was.
    """
    path = Path(path)
    items = list(items)
    for index, item in enumerate(items):
        _check_item(path, item, index)
    problems = catalog_problems(items)
    if problems:
        raise ImageryError(f"{path}: {problems[0]}")
    collection = pystac.ItemCollection([pystac.Item.from_dict(item, preserve_dict=True) for item in items])
    document = collection.to_dict()
    document["features"] = sorted(document["features"], key=lambda item: item["id"])
    text = json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


RANGES = {
    "gsd": (0.0, None),
    "eo:cloud_cover": (0.0, 100.0),
    "view:off_nadir": (0.0, 90.0),
    "view:incidence_angle": (0.0, 90.0),
    "view:azimuth": (0.0, 360.0),
    "view:sun_azimuth": (0.0, 360.0),
    "view:sun_elevation": (-90.0, 90.0),
}
"""Numeric properties and the ranges the STAC spec and its eo/view extensions allow (gsd: above 0)."""

PREFIX_EXTENSION = {"eo:": "/eo/", "view:": "/view/", "proj:": "/projection/", "file:": "/file/"}


def item_problems(item: Mapping[str, Any]) -> list[str]:
    """Every way `item` breaks the STAC rules this catalog relies on (ranges, proj fields, declared extensions).

    Pure, and offline: pystac checks the core shape when the catalog is read;
    this checks the extension fields without fetching their schemas.
    """
    label = f"item {item.get('id')!r}"
    props = item.get("properties") or {}
    problems = []
    for key, (low, high) in RANGES.items():
        value = props.get(key)
        if value is None:
            continue
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or value < low
            or (high is not None and value > high)
            or (key == "gsd" and value == 0)
        ):
            span = f"above {low:g}" if high is None else f"from {low:g} to {high:g}"
            problems.append(f"{label}: field '{key}': {value!r}; fix: give a number {span}, or leave the field out when unknown")
    shape_ = props.get("proj:shape")
    if shape_ is not None and not (
        isinstance(shape_, list) and len(shape_) == 2 and all(isinstance(n, int) and n > 0 for n in shape_)
    ):
        problems.append(f"{label}: field 'proj:shape': {shape_!r}; fix: give [rows, columns] as two positive integers")
    transform = props.get("proj:transform")
    if transform is not None and not (
        isinstance(transform, list) and len(transform) in (6, 9) and all(isinstance(n, (int, float)) for n in transform)
    ):
        problems.append(f"{label}: field 'proj:transform': {transform!r}; fix: give the 6 (or 9) affine coefficients")
    site_ids = props.get("heritage:site_ids")
    if site_ids is not None and not (isinstance(site_ids, list) and all(isinstance(s, str) for s in site_ids)):
        problems.append(f"{label}: field 'heritage:site_ids': {site_ids!r}; fix: give a list of heritage site ids")
    used = set(props) | {key for asset in (item.get("assets") or {}).values() if isinstance(asset, Mapping) for key in asset}
    declared = " ".join(item.get("stac_extensions") or [])
    for prefix, marker in PREFIX_EXTENSION.items():
        if any(key.startswith(prefix) for key in used) and marker not in declared:
            problems.append(
                f"{label}: field 'stac_extensions': {prefix}* fields without the extension's schema URL; "
                f"fix: list the {marker.strip('/')} extension schema in stac_extensions"
            )
    return problems


def catalog_problems(items: Iterable[Mapping[str, Any]]) -> list[str]:
    """Every problem of every item, plus ids or images (SHA-256) that appear twice."""
    problems: list[str] = []
    seen_ids: set[str] = set()
    seen_hashes: dict[str, str] = {}
    for item in items:
        problems.extend(item_problems(item))
        item_id = str(item.get("id"))
        if item_id in seen_ids:
            problems.append(f"item {item_id!r}: field 'id': appears twice; fix: give each scene its own id")
        seen_ids.add(item_id)
        digest = item_sha256(item)
        if digest and digest in seen_hashes:
            problems.append(f"item {item_id!r}: same image (SHA-256) as item {seen_hashes[digest]!r}; fix: keep one of the two")
        elif digest:
            seen_hashes[digest] = item_id
    return problems


def item_sha256(item: Mapping[str, Any]) -> str | None:
    """The SHA-256 (hex) an item records for its image, as `file:checksum` multihash or `heritage:sha256`."""
    checksum = (item.get("assets", {}).get("image") or {}).get("file:checksum")
    if isinstance(checksum, str) and checksum.startswith(SHA256_MULTIHASH_PREFIX):
        return checksum[len(SHA256_MULTIHASH_PREFIX) :].lower()
    stated = item.get("properties", {}).get("heritage:sha256")
    return stated.lower() if isinstance(stated, str) else None


@contextmanager
def catalog_lock(catalog_path: Path) -> Iterator[None]:
    """Hold `<catalog>.lock` while reading and rewriting the catalog, so two writers never lose an item."""
    lock = FileLock(str(catalog_path.with_name(catalog_path.name + ".lock")), timeout=LOCK_TIMEOUT)
    try:
        with lock:
            yield
    except Timeout:
        raise ImageryError(
            f"{catalog_path}: another heritage-map command has held the catalog for {LOCK_TIMEOUT:g} s; "
            "fix: let it finish and run this again"
        ) from None


def local_image(item: Mapping[str, Any], catalog_dir: str | Path) -> Path | None:
    """The local file of an item's `image` asset, or None when it has none, is remote, or is missing."""
    href = (item.get("assets", {}).get("image") or {}).get("href")
    if not href or urlparse(href).scheme not in ("", "file"):
        return None
    candidate = Path(urlparse(href).path if href.startswith("file:") else href)
    candidate = candidate if candidate.is_absolute() else Path(catalog_dir) / candidate
    return candidate if candidate.is_file() else None


def default_item_id(scene_path: Path) -> str:
    """A catalog id from a file name: lower case, runs of other characters as '-'."""
    return re.sub(r"[^a-z0-9_-]+", "-", scene_path.stem.lower()).strip("-_") or "scene"


def scene_item(
    scene: Scene,
    item_id: str,
    sha256: str,
    size: int,
    href: str,
    stated: dict[str, Any],
) -> dict[str, Any]:
    """The STAC Item of a read scene; `stated` holds what the provider or the user says (provider, licence...)."""
    properties: dict[str, Any] = {**scene.acquired.stac_properties(), "gsd": scene.gsd}
    epsg = scene.crs.to_epsg()
    properties["proj:code"] = f"EPSG:{epsg}" if epsg else None
    if not epsg:
        properties["proj:wkt2"] = scene.crs.to_wkt()
    properties["proj:shape"] = list(scene.shape)
    properties["proj:transform"] = list(scene.transform)
    properties["heritage:datetime_source"] = scene.acquired.source
    for key in ("platform", "constellation", "license", "instruments", "eo:cloud_cover", "view:off_nadir"):
        value = stated.get(key, scene.metadata.get(key))
        if value is not None:
            properties[key] = value
    providers = stated.get("providers") or scene.metadata.get("providers")
    if providers:
        properties["providers"] = providers
    extensions = [EXTENSIONS["proj"], EXTENSIONS["file"]]
    extensions += [EXTENSIONS["eo"]] if "eo:cloud_cover" in properties else []
    extensions += [EXTENSIONS["view"]] if "view:off_nadir" in properties else []
    geometry = _rounded(scene.footprint.__geo_interface__)
    minx, miny, maxx, maxy = scene.footprint.bounds
    return {
        "type": "Feature",
        "stac_version": STAC_VERSION,
        "stac_extensions": sorted(extensions),
        "id": item_id,
        "geometry": geometry,
        "bbox": [round(v, COORD_DECIMALS) for v in (minx, miny, maxx, maxy)],
        "properties": properties,
        "links": [],
        "assets": {
            "image": {
                "href": href,
                "type": GEOTIFF,
                "roles": ["data"],
                "file:checksum": SHA256_MULTIHASH_PREFIX + sha256,
                "file:size": size,
            }
        },
    }


def add_scene(
    catalog_path: str | Path,
    scene_path: str | Path,
    date: str | None = None,
    item_id: str | None = None,
    stated: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Read `scene_path`, append its Item to the catalog, and return the Item.

    `stated` holds values the user gives (`providers`, `constellation`,
    `platform`, `license`); they win over a sidecar's. Raises ImageryError, with
    the catalog untouched, when the raster cannot be read or dated, when the
    same file (by SHA-256) or the same id is already catalogued.
    """
    catalog_path, scene_path = Path(catalog_path), Path(scene_path)
    read_catalog(catalog_path)  # a broken catalog is named before a large file is hashed
    if not scene_path.is_file():
        raise ImageryError(f"{scene_path}: file not found; fix: pass the path of a GeoTIFF")
    digest = sha256_file(scene_path)
    with catalog_lock(catalog_path):
        items = read_catalog(catalog_path)
        for existing in items:
            if item_sha256(existing) == digest:
                raise ImageryError(
                    f"{scene_path}: already in {catalog_path} as item {existing['id']!r} (same SHA-256 {digest[:12]}...); "
                    "fix: nothing to add, or remove the old item first"
                )
        scene = read_scene(scene_path, date=date)
        item_id = item_id or default_item_id(scene_path)
        if any(existing["id"] == item_id for existing in items):
            raise ImageryError(f"{scene_path}: item id {item_id!r} is already in {catalog_path}; fix: pass another --id")
        item = scene_item(scene, item_id, digest, scene_path.stat().st_size, _href(scene_path, catalog_path.parent), stated or {})
        write_catalog(catalog_path, [*items, item])
    return item


def import_catalog(catalog_path: str | Path, source: str | Path) -> ImportResult:
    """Merge the Items of a provider's ItemCollection or Catalog into the catalog, by id.

    New ids are added (asset hrefs made relative to our catalog where local);
    an id already present with the same content is left as it is; an id
    present with different content, or an image already catalogued under another
    id (same SHA-256), is a conflict: reported, never overwritten.
    """
    catalog_path = Path(catalog_path)
    incoming_items = _source_items(Path(source), catalog_path.parent)
    result = ImportResult()
    with catalog_lock(catalog_path):
        items = read_catalog(catalog_path)
        by_id = {item["id"]: item for item in items}
        by_hash = {item_sha256(item): item["id"] for item in items if item_sha256(item)}
        for incoming in incoming_items:
            current = by_id.get(incoming["id"])
            digest = item_sha256(incoming)
            if current is not None:
                if _comparable(current) == _comparable(incoming):
                    result.unchanged.append(incoming["id"])
                else:
                    result.conflicts.append(
                        f"{incoming['id']}: differs from the catalogued item of that id; kept the catalogued one"
                    )
            elif digest and digest in by_hash:
                result.conflicts.append(
                    f"{incoming['id']}: same image (SHA-256) as catalogued item {by_hash[digest]!r}; not added"
                )
            else:
                by_id[incoming["id"]] = incoming
                by_hash.update({digest: incoming["id"]} if digest else {})
                result.added.append(incoming["id"])
        if result.added:
            write_catalog(catalog_path, by_id.values())
    return result


def _source_items(source: Path, catalog_dir: Path) -> list[dict[str, Any]]:
    """Items of an ItemCollection file, or of every Item under a STAC Catalog/Collection, hrefs rebased."""
    document = _load_json(source)
    kind = document.get("type") if isinstance(document, dict) else None
    if kind == "FeatureCollection":
        raw = document.get("features", [])
        try:
            stac_items = [pystac.Item.from_dict(item, href=str(source.resolve()), preserve_dict=True) for item in raw]
        except (STACError, KeyError, TypeError, ValueError) as error:
            raise ImageryError(
                f"{source}: an item pystac cannot read ({first_line(error)}); fix: correct the provider's file"
            ) from None
    elif kind in ("Catalog", "Collection"):
        try:
            root = pystac.read_file(str(source.resolve()))
            stac_items = list(root.get_items(recursive=True)) if isinstance(root, pystac.Catalog) else []
        except (STACError, OSError, KeyError, TypeError, ValueError) as error:
            raise ImageryError(
                f"{source}: a linked item cannot be read ({first_line(error)}); fix: correct the provider's catalog"
            ) from None
    else:
        raise ImageryError(
            f"{source}: type {kind!r}; fix: pass a STAC ItemCollection (FeatureCollection) or a Catalog/Collection"
        )
    out: list[dict[str, Any]] = []
    for stac_item in stac_items:
        item = stac_item.to_dict(include_self_link=False, transform_hrefs=False)
        item["links"] = [
            link for link in item.get("links", []) if link.get("rel") not in ("root", "parent", "collection", "self")
        ]
        item.pop("collection", None)
        for asset in item.get("assets", {}).values():
            asset["href"] = _rebase(asset["href"], stac_item.get_self_href() or str(source.resolve()), catalog_dir)
        _check_item(source, item, len(out))
        out.append(item)
    return out


def _rebase(href: str, owner: str, catalog_dir: Path) -> str:
    """An asset href relative to our catalog when it is a local file, unchanged when it is a URL."""
    if urlparse(href).scheme not in ("", "file"):
        return href
    target = Path(href) if Path(href).is_absolute() else Path(owner).parent / href
    return _href(target, catalog_dir)


def _href(target: Path, catalog_dir: Path) -> str:
    """`target` relative to the catalog's folder (POSIX separators), or absolute across drives."""
    try:
        return Path(os.path.relpath(target.resolve(), catalog_dir.resolve())).as_posix()
    except ValueError:
        return target.resolve().as_posix()


def _comparable(item: dict[str, Any]) -> Any:
    """An item as JSON with the parts pystac may add or drop (empty lists) set aside."""
    body = {k: v for k, v in item.items() if k not in ("links", "stac_extensions", "bbox")}
    return json.dumps(body, sort_keys=True)


def _rounded(geometry: Any) -> Any:
    if isinstance(geometry, dict):
        return {key: _rounded(value) for key, value in geometry.items()}
    if isinstance(geometry, (list, tuple)):
        return [_rounded(value) for value in geometry]
    if isinstance(geometry, float):
        return round(geometry, COORD_DECIMALS)
    return geometry


def _load_json(path: Path) -> Any:
    try:
        return parse_json(path.read_bytes())  # bounded nesting, no NaN or duplicate key (geo._json)
    except FileNotFoundError:
        raise ImageryError(f"{path}: file not found; fix: pass the path of a STAC JSON file") from None
    except JSONRefused as error:
        raise ImageryError(f"{path}: {error}; fix: repair the JSON") from None


def _check_item(path: Path, item: Any, index: int) -> None:
    """Raise ImageryError naming the file and item when pystac cannot read `item`."""
    label = item.get("id", f"#{index}") if isinstance(item, dict) else f"#{index}"
    if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not item["id"]:
        raise ImageryError(f"{path}: item {label}: field 'id': missing or not a string; fix: give every item a string id")
    try:
        pystac.Item.from_dict(item, preserve_dict=True)
    except (STACError, KeyError, TypeError, ValueError) as error:
        raise ImageryError(
            f"{path}: item {label!r}: not a valid STAC Item ({first_line(error)}); fix: correct the item"
        ) from None
