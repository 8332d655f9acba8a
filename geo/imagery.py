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
import math
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pystac
from filelock import FileLock, Timeout
from pystac.errors import STACError

from geo._canonical import sha256_file
from geo._json import JSONRefused
from geo._json import parse as parse_json
from geo.errors import ImageryError, Problem
from geo.rasterfile import confined_file, confined_path
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
            Problem(
                file=str(path),
                found="not a STAC ItemCollection",
                expected="a FeatureCollection with a 'features' list",
                fix="restore the catalog from git or rebuild it with heritage-map imagery add",
            )
        )
    items = document["features"]
    for index, item in enumerate(items):
        _check_item(path, item, index)
    return items


def checked_catalog(path: str | Path) -> list[dict[str, Any]]:
    """`read_catalog`, refusing a catalog with any `catalog_problems` (one line naming the first, exit 1).

    For the commands that act on the catalog (`imagery gaps`, `imagery changes`): an item dated 9999 or with
    a world-wide or non-finite footprint must not hide sites from a monitor; `validate` lists every problem.
    """
    items = read_catalog(path)
    problems = catalog_problems(items)
    if problems:
        raise ImageryError(*(replace(problem, file=str(path)) for problem in problems), hint="run heritage-map validate")
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
        raise ImageryError(*(replace(problem, file=str(path)) for problem in problems))
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


def item_problems(item: Mapping[str, Any]) -> list[Problem]:
    """Every way `item` breaks the STAC rules this catalog relies on (ranges, proj fields, declared extensions).

    Pure, and offline: pystac checks the core shape when the catalog is read;
    this checks the extension fields without fetching their schemas.
    """
    item_id = str(item.get("id"))

    def problem(field: str, found: str, fix: str) -> Problem:
        return Problem(kind="item", feature=item_id, field=field, found=found, fix=fix)

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
            problems.append(problem(key, repr(value), f"give a number {span}, or leave the field out when unknown"))
    shape_ = props.get("proj:shape")
    if shape_ is not None and not (
        isinstance(shape_, list) and len(shape_) == 2 and all(isinstance(n, int) and n > 0 for n in shape_)
    ):
        problems.append(problem("proj:shape", repr(shape_), "give [rows, columns] as two positive integers"))
    transform = props.get("proj:transform")
    if transform is not None and not (
        isinstance(transform, list) and len(transform) in (6, 9) and all(isinstance(n, (int, float)) for n in transform)
    ):
        problems.append(problem("proj:transform", repr(transform), "give the 6 (or 9) affine coefficients"))
    site_ids = props.get("heritage:site_ids")
    if site_ids is not None and not (isinstance(site_ids, list) and all(isinstance(s, str) for s in site_ids)):
        problems.append(problem("heritage:site_ids", repr(site_ids), "give a list of heritage site ids"))
    problems.extend(_place_problems(item_id, item))
    problems.extend(_time_problems(item_id, props))
    problems.extend(_href_problems(item_id, item.get("assets")))
    used = set(props) | {key for asset in (item.get("assets") or {}).values() if isinstance(asset, Mapping) for key in asset}
    declared = " ".join(item.get("stac_extensions") or [])
    for prefix, marker in PREFIX_EXTENSION.items():
        if any(key.startswith(prefix) for key in used) and marker not in declared:
            problems.append(
                problem(
                    "stac_extensions",
                    f"{prefix}* fields without the extension's schema URL",
                    f"list the {marker.strip('/')} extension schema in stac_extensions",
                )
            )
    return problems


EARLIEST_SCENE = date(1960, 8, 18)
"""The first satellite photographs returned to Earth (Corona mission 9009); an earlier scene date is an error."""


def _positions(coordinates: Any) -> Iterator[Any]:
    """Every position of a GeoJSON coordinates array, walked iteratively (no recursion on hostile nesting);
    anything that is not an array of arrays ending in numbers comes out as itself, to be refused.
    """
    stack = [coordinates]
    while stack:
        current = stack.pop()
        if isinstance(current, (list, tuple)) and current and isinstance(current[0], (list, tuple)):
            stack.extend(current)
        else:
            yield current


def _in_range(lon: Any, lat: Any) -> bool:
    finite = all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in (lon, lat))
    return finite and -180 <= lon <= 180 and -90 <= lat <= 90


def _item_problem(item_id: str, field: str, found: str, fix: str) -> Problem:
    return Problem(kind="item", feature=item_id, field=field, found=found, fix=fix)


def _place_problems(item_id: str, item: Mapping[str, Any]) -> list[Problem]:
    """A bbox and footprint of finite WGS84 degrees."""
    problems = []
    bbox = item.get("bbox")
    if bbox is not None:
        half = len(bbox) // 2 if isinstance(bbox, list) else 0
        if not (
            isinstance(bbox, list)
            and len(bbox) in (4, 6)
            and _in_range(bbox[0], bbox[1])
            and _in_range(bbox[half], bbox[half + 1])
            and bbox[1] <= bbox[half + 1]
        ):
            problems.append(_item_problem(item_id, "bbox", f"{bbox!r:.80}", "give [west, south, east, north] in degrees"))
    geometry = item.get("geometry")
    if isinstance(geometry, Mapping):
        positions = list(_positions(geometry.get("coordinates")))
        if not all(isinstance(p, (list, tuple)) and len(p) in (2, 3) and _in_range(p[0], p[1]) for p in positions):
            problems.append(
                _item_problem(
                    item_id,
                    "geometry",
                    "coordinates that are not finite longitudes and latitudes in degrees",
                    "give the footprint in WGS84 lon/lat",
                )
            )
    return problems


def _time_problems(item_id: str, props: Mapping[str, Any]) -> list[Problem]:
    """Acquisition times that parse, and lie between the first satellite photographs and today."""
    problems = []
    today = datetime.now(UTC).date()
    for key in ("datetime", "start_datetime", "end_datetime"):
        value = props.get(key)
        if value is None:
            continue
        try:
            moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            problems.append(
                _item_problem(item_id, key, f"{value!r:.40} is not an RFC 3339 time", "give e.g. 2024-04-04T08:00:00Z")
            )
            continue
        if not EARLIEST_SCENE <= moment.date() <= today:
            problems.append(
                _item_problem(
                    item_id,
                    key,
                    f"{value!r:.40} is outside {EARLIEST_SCENE.isoformat()} to today",
                    "give the acquisition time the provider states",
                )
            )
    return problems


def _href_problems(item_id: str, assets: Any) -> list[Problem]:
    """Asset hrefs that are web addresses or relative paths inside the data folder: never absolute, `..`, `/vsi`."""
    problems = []
    for name, asset in (assets or {}).items() if isinstance(assets, Mapping) else ():
        href = str(asset.get("href", "")) if isinstance(asset, Mapping) else ""
        scheme = urlparse(href).scheme
        if scheme in ("http", "https"):
            continue
        if scheme or href.startswith(("/", "\\")) or ".." in Path(href).parts or not href:
            problems.append(
                _item_problem(
                    item_id,
                    f"assets.{name}.href",
                    f"{href!r:.80} points outside the data folder",
                    "keep the file in the data folder (heritage-map imagery add copies it there) and give its relative path",
                )
            )
    return problems


def catalog_problems(items: Iterable[Mapping[str, Any]]) -> list[Problem]:
    """Every problem of every item, plus ids or images (SHA-256) that appear twice."""
    problems: list[Problem] = []
    seen_ids: set[str] = set()
    seen_hashes: dict[str, str] = {}
    for item in items:
        problems.extend(item_problems(item))
        item_id = str(item.get("id"))
        if item_id in seen_ids:
            problems.append(
                Problem(kind="item", feature=item_id, field="id", found="appears twice", fix="give each scene its own id")
            )
        seen_ids.add(item_id)
        digest = item_sha256(item)
        if digest and digest in seen_hashes:
            problems.append(
                Problem(
                    kind="item",
                    feature=item_id,
                    found=f"same image (SHA-256) as item {seen_hashes[digest]!r}",
                    fix="keep one of the two",
                )
            )
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
    """The local file of an item's `image` asset, or None when it has none, is a web address, or is missing.

    Raises ImageryError when the href points outside `catalog_dir` (an absolute path, `..`, a symlink out) or
    at something other than a regular file: a catalogued scene is read from the data folder only.
    """
    href = (item.get("assets", {}).get("image") or {}).get("href")
    if not href or urlparse(href).scheme in ("http", "https"):
        return None
    what = f"item {item.get('id')!r}: asset 'image'"
    if not confined_path(href, catalog_dir, what).exists():
        return None
    return confined_file(href, catalog_dir, what)


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


SCENES_FOLDER = "scenes"
"""Where, inside the data folder, `imagery add` keeps a copy of each scene: every pixel a build reads lies there."""


def add_scene(
    catalog_path: str | Path,
    scene_path: str | Path,
    date: str | None = None,
    item_id: str | None = None,
    stated: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Read `scene_path`, keep it in the data folder, append its Item to the catalog, and return the Item.

    `stated` holds values the user gives (`providers`, `constellation`,
    `platform`, `license`); they win over a sidecar's. A scene outside the
    catalog's folder (a provider's delivery) is copied to `scenes/<id>.tif`
    there, so builds read pixels from the data folder only. Raises
    ImageryError, with the catalog and the data folder untouched, when the
    raster cannot be read or dated, when the same file (by SHA-256) or the
    same id is already catalogued.
    """
    catalog_path, scene_path = Path(catalog_path), Path(scene_path)
    read_catalog(catalog_path)  # a broken catalog is named before a large file is hashed
    scene = read_scene(scene_path, date=date)  # the file alone, as a GeoTIFF, within its own folder
    digest = sha256_file(scene_path)
    with catalog_lock(catalog_path):
        items = read_catalog(catalog_path)
        for existing in items:
            if item_sha256(existing) == digest:
                raise ImageryError(
                    f"{scene_path}: already in {catalog_path} as item {existing['id']!r} (same SHA-256 {digest[:12]}...); "
                    "fix: nothing to add, or remove the old item first"
                )
        item_id = item_id or default_item_id(scene_path)
        if any(existing["id"] == item_id for existing in items):
            raise ImageryError(f"{scene_path}: item id {item_id!r} is already in {catalog_path}; fix: pass another --id")
        kept = _keep_in_data_folder(scene_path, catalog_path.parent, item_id, digest)
        try:
            item = scene_item(scene, item_id, digest, kept.stat().st_size, _href(kept, catalog_path.parent), stated or {})
            write_catalog(catalog_path, [*items, item])
        except BaseException:
            if kept != scene_path.resolve():
                kept.unlink(missing_ok=True)
            raise
    return item


def _keep_in_data_folder(scene_path: Path, data_dir: Path, item_id: str, digest: str) -> Path:
    """The scene itself when it lies in `data_dir`; else a copy at `scenes/<item_id>.tif`, checked by SHA-256."""
    resolved, root = scene_path.resolve(), data_dir.resolve()
    if root in resolved.parents:
        return resolved
    target = confined_path(f"{SCENES_FOLDER}/{_scene_stem(item_id)}.tif", root, what="the scene's copy")
    return _copy_into(scene_path, target, digest)


def _copy_into(source: Path, target: Path, digest: str) -> Path:
    """Copy `source` to `target` (which must not exist yet) and check the copy's SHA-256 is `digest`.

    Written to a temporary file and renamed, so a planted symlink at the target is replaced, never written
    through, and an interrupted copy leaves nothing behind.
    """
    if target.exists() or target.is_symlink():
        raise ImageryError(f"{target}: already exists; fix: pass another --id, or move the old file away")
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out, source.open("rb") as stream:
            shutil.copyfileobj(stream, out, 1 << 20)
            out.flush()
            os.fsync(out.fileno())
        if sha256_file(temporary) != digest:
            raise ImageryError(f"{source}: changed while it was being copied; fix: wait for the delivery to finish")
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return target


def import_catalog(catalog_path: str | Path, source: str | Path) -> ImportResult:
    """Merge the Items of a provider's ItemCollection or Catalog into the catalog, by id.

    The source is read from its own folder only (`ConfinedStacIO`): no link is
    fetched over the network and no file outside that folder is read. Every
    incoming Item is checked (`item_problems`: finite, in-range bbox and
    coordinates, dates between 1960 and today, asset hrefs) before anything is
    written. New ids are added, their local asset files copied into the data
    folder's `scenes/` (checked against `file:checksum` when the provider gives
    one); an id already present with the same content is left as it is; an id
    present with different content, or an image already catalogued under
    another id (same SHA-256), is a conflict: reported, never overwritten.
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
                if _comparable(current) == _comparable(_with_kept_hrefs(incoming)):
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
            copied = [_keep_assets(by_id[item_id], catalog_path.parent) for item_id in result.added]
            try:
                write_catalog(catalog_path, by_id.values())
            except BaseException:
                for path in (p for paths in copied for p in paths):
                    path.unlink(missing_ok=True)
                raise
    return result


def _scene_stem(item_id: str) -> str:
    """A file name stem for an item id (ids may hold any character; file names here hold few)."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", item_id).strip("-") or "scene"


def _kept_href(item_id: str, name: str, source: str) -> str:
    suffix = "".join(Path(source).suffixes[-1:]).lower() or ".tif"
    stem = _scene_stem(item_id) if name == "image" else f"{_scene_stem(item_id)}-{_scene_stem(name)}"
    return f"{SCENES_FOLDER}/{stem}{suffix}"


def _with_kept_hrefs(item: dict[str, Any]) -> dict[str, Any]:
    """`item` with its local asset hrefs as they will be once kept in the data folder (for comparison)."""
    assets = {
        name: {**asset, "href": _kept_href(item["id"], name, asset["href"])}
        if urlparse(asset["href"]).scheme not in ("http", "https")
        else asset
        for name, asset in (item.get("assets") or {}).items()
    }
    return {**item, "assets": assets}


def _keep_assets(item: dict[str, Any], data_dir: Path) -> list[Path]:
    """Copy an imported item's local asset files into `data_dir`'s `scenes/` and point its hrefs there."""
    copied: list[Path] = []
    for name, asset in (item.get("assets") or {}).items():
        source = asset["href"]
        if urlparse(source).scheme in ("http", "https"):
            continue
        what = f"item {item['id']!r}: asset {name!r}"
        path = Path(source)
        if not path.is_file():
            raise ImageryError(f"{source}: {what}: file not found beside the catalog; fix: deliver the file or drop the asset")
        stated = asset.get("file:checksum")
        digest = sha256_file(path)
        if isinstance(stated, str) and stated.startswith(SHA256_MULTIHASH_PREFIX) and stated[4:].lower() != digest:
            raise ImageryError(f"{source}: {what}: SHA-256 differs from the catalog's file:checksum; fix: re-download it")
        href = _kept_href(item["id"], name, source)
        copied.append(_copy_into(path, confined_path(href, data_dir, what), digest))
        asset["href"] = href
    return copied


class ConfinedStacIO(pystac.stac_io.DefaultStacIO):
    """pystac's file I/O, refusing every href that is not a regular file inside `root`.

    A provider's catalog links to its children and items by href; pystac's
    default I/O follows `http(s)` links and absolute paths, so a crafted
    catalog could make `imagery import` fetch a URL (a request from this
    machine) or read any file. Here every link must lie in the folder of the
    catalog being imported; JSON is read strictly (no NaN, bounded nesting).
    """

    def __init__(self, root: Path) -> None:
        super().__init__()
        self.root = root

    def read_text_from_href(self, href: str) -> str:
        """The text of a linked STAC file inside `root`; ImageryError for anything else."""
        path = confined_file(href, self.root, what="linked STAC file")
        if path.stat().st_size > MAX_STAC_BYTES:
            raise ImageryError(f"{href}: over {MAX_STAC_BYTES:,} bytes; fix: split the catalog")
        return path.read_text(encoding="utf-8")

    def json_loads(self, txt: str, *_: Any, **__: Any) -> dict[str, Any]:
        """Strict JSON: NaN and Infinity refused, nesting bounded."""
        value = strict_json(txt, "linked STAC file")
        if not isinstance(value, dict):
            raise ImageryError("linked STAC file: not a JSON object; fix: correct the provider's catalog")
        _refuse_raw_item(value, "linked STAC file")
        return value

    def write_text_to_href(self, href: str, txt: str) -> None:
        """Never: importing reads a provider's catalog and writes nothing beside it."""
        raise ImageryError(f"{href}: the import tried to write a provider's file; fix: report this as a bug")


MAX_STAC_BYTES = 64 * 1024 * 1024
"""Largest STAC JSON file read (a catalog of a million Items is about 2 GB; split such deliveries)."""


def _source_items(source: Path, catalog_dir: Path) -> list[dict[str, Any]]:
    """Items of an ItemCollection file, or of every Item under a STAC Catalog/Collection, with local assets
    confined to the source's folder and copied into the data folder.
    """
    root = source.resolve().parent
    document = _load_json(source)
    kind = document.get("type") if isinstance(document, dict) else None
    try:
        if kind == "FeatureCollection":
            raw = document.get("features", [])
            if not isinstance(raw, list):
                raise ImageryError(f"{source}: field 'features': not a list; fix: correct the provider's file")
            for item in raw:
                _refuse_raw_item(item, str(source))
            stac_items = [pystac.Item.from_dict(item, href=str(source.resolve()), preserve_dict=True) for item in raw]
        elif kind in ("Catalog", "Collection"):
            catalog = pystac.read_file(str(source.resolve()), stac_io=ConfinedStacIO(root))
            if not isinstance(catalog, pystac.Catalog):
                raise ImageryError(f"{source}: not a Catalog or Collection; fix: pass the catalog's root file")
            stac_items = list(catalog.get_items(recursive=True))
        else:
            raise ImageryError(
                f"{source}: type {kind!r}; fix: pass a STAC ItemCollection (FeatureCollection) or a Catalog/Collection"
            )
    except ImageryError:
        raise
    except (STACError, OSError, KeyError, TypeError, ValueError, AttributeError) as error:
        # pystac wraps what our I/O refused (a link off the folder) in its own error: say ours.
        if isinstance(error.__cause__, ImageryError):
            raise error.__cause__ from None
        # A child link that names an Item, an Item with a broken field: pystac raises one of these.
        raise ImageryError(
            f"{source}: a linked object pystac cannot read ({first_line(error)}); fix: correct the provider's catalog"
        ) from None
    out: list[dict[str, Any]] = []
    for stac_item in stac_items:
        item = stac_item.to_dict(include_self_link=False, transform_hrefs=False)
        item["links"] = [
            link for link in item.get("links", []) if link.get("rel") not in ("root", "parent", "collection", "self")
        ]
        item.pop("collection", None)
        owner = Path(stac_item.get_self_href() or str(source.resolve())).parent
        for name, asset in item.get("assets", {}).items():
            asset["href"] = _imported_href(asset, f"item {item.get('id')!r}: asset {name!r}", owner, root, catalog_dir)
        _check_item(source, item, len(out))
        problems = item_problems(_with_kept_hrefs(item))
        if problems:
            raise ImageryError(*(replace(problem, file=str(source)) for problem in problems))
        out.append(item)
    return out


def _refuse_raw_item(item: Any, where: str) -> None:
    """Check an incoming Item as the provider wrote it, before pystac reshapes it (it drops a bbox it dislikes)."""
    if isinstance(item, dict) and item.get("type") == "Feature":
        item_id = str(item.get("id"))
        props = item.get("properties")
        problems = _place_problems(item_id, item) + _time_problems(item_id, props if isinstance(props, Mapping) else {})
        if problems:
            raise ImageryError(*(replace(problem, file=where) for problem in problems))


def _imported_href(asset: dict[str, Any], what: str, owner: Path, root: Path, catalog_dir: Path) -> str:
    """A web href as it is (never fetched); a local one must lie in `root` and is planned for `scenes/`.

    The copy itself is made by `import_catalog` once the whole import is known to be good.
    """
    href = str(asset.get("href", ""))
    scheme = urlparse(href).scheme
    if scheme in ("http", "https"):
        return href
    if scheme not in ("", "file"):
        raise ImageryError(f"{href}: {what}: scheme {scheme!r}; fix: give an https URL or a file beside the catalog")
    target = confined_path(href if Path(href).is_absolute() else owner / href, root, what)
    return target.as_posix()


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


def strict_json(text: str, where: str) -> Any:
    """`text` parsed as JSON; ImageryError naming `where` for bad syntax, NaN/Infinity or nesting too deep.

    Python's `json` accepts `NaN` and `Infinity` (not JSON) and recurses once per level of nesting:
    `geo._json.parse` bounds both (and refuses duplicate keys), as for every JSON file of the data folder.
    """
    try:
        return parse_json(text.encode("utf-8", "surrogatepass"))
    except JSONRefused as error:
        raise ImageryError(
            Problem(file=where, found=str(error), fix="repair the JSON (a STAC file nests a few levels)")
        ) from None


def _load_json(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ImageryError(Problem(file=str(path), found="file not found", fix="pass the path of a STAC JSON file")) from None
    except UnicodeDecodeError as error:
        raise ImageryError(
            Problem(file=str(path), found=f"not UTF-8 text (byte {error.start})", fix="save it as UTF-8 JSON")
        ) from None
    return strict_json(text, str(path))


def _check_item(path: Path, item: Any, index: int) -> None:
    """Raise ImageryError naming the file and item when pystac cannot read `item`."""
    if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not item["id"]:
        raise ImageryError(
            Problem(
                file=str(path),
                kind="item",
                index=index,
                field="id",
                found="missing or not a string",
                fix="give every item a string id",
            )
        )
    try:
        # Not preserve_dict: its migration (on by default) reads a deep copy, so `item` is left as it was.
        pystac.Item.from_dict(item, preserve_dict=False)
    except (STACError, KeyError, TypeError, ValueError) as error:
        raise ImageryError(
            Problem(
                file=str(path),
                kind="item",
                feature=item["id"],
                found=f"not a valid STAC Item ({first_line(error)})",
                fix="correct the item",
            )
        ) from None
