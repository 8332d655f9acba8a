"""What one GeoTIFF says about itself: CRS, grid, valid-data footprint, resolution, acquisition time.

Read with rasterio, and nothing guessed. The footprint is the outline of the
pixels that hold data (nodata borders excluded), reprojected to WGS84 with its
edges densified so a long UTM edge stays true after the warp. The acquisition
time comes from the provider: a tag in the file, or the sidecar the provider
ships beside it (a STAC item, Maxar's `.IMD`, Planet's `_metadata.json`).
`TIFFTAG_DATETIME` records when the file was written and is never taken as the
acquisition time: a scene with nothing else is refused until `--date` is given.
"""

from __future__ import annotations

import json
import math
import re
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import rasterio.features
import shapely
from pyproj import CRS, Geod, Transformer
from rasterio.errors import NotGeoreferencedWarning, RasterioError
from shapely.geometry import shape

from geo.errors import ImageryError
from geo.rasterfile import open_raster

if TYPE_CHECKING:
    from shapely.geometry.base import BaseGeometry

WGS84 = "EPSG:4326"

MASK_MAX_SIDE = 2048
"""The footprint is traced on the mask read at most this many pixels a side (from overviews when present)."""

THIN_DEGREES = 1e-7
"""Footprint vertices that move the outline less than this (about 1 cm) are dropped after reprojection."""

ACQUISITION_TAGS = ("ACQUISITION_DATETIME", "ACQUISITIONDATETIME", "ACQUISITION_DATE", "DATE_ACQUIRED", "ACQUIRED")
"""GeoTIFF metadata keys (any case) that providers use for the acquisition time."""

DATE_FIX = "fix: pass --date with the acquisition date from the provider's metadata (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)"

_GEOD = Geod(ellps="WGS84")
_PARTIAL = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")
_EXIF = re.compile(r"^(\d{4}):(\d{2}):(\d{2})([ T].*)$")


@dataclass(frozen=True)
class Acquired:
    """When a scene was taken: an instant (start == end) or the day/month a source states."""

    start: datetime
    end: datetime
    source: str

    def stac_properties(self) -> dict[str, Any]:
        """`datetime` for an instant, else `datetime: null` with the stated span, as STAC asks."""
        if self.start == self.end:
            return {"datetime": stac_time(self.start)}
        return {"datetime": None, "start_datetime": stac_time(self.start), "end_datetime": stac_time(self.end)}


@dataclass(frozen=True)
class Scene:
    """One raster file as read: grid, footprint (WGS84), ground resolution, acquisition and stated metadata."""

    path: Path
    crs: CRS
    shape: tuple[int, int]
    transform: tuple[float, ...]
    footprint: BaseGeometry
    gsd: float
    acquired: Acquired
    metadata: dict[str, Any] = field(default_factory=dict)


def stac_time(moment: datetime) -> str:
    """RFC 3339 in UTC with a `Z`, microseconds only when the source gave them."""
    text = moment.astimezone(UTC).replace(tzinfo=None).isoformat()
    return text + "Z"


def parse_acquired(text: str, source: str) -> Acquired:
    """An acquisition time as a provider or a person wrote it.

    A full date-time is an instant (no zone is read as UTC, as satellite
    metadata is written, and `source` says so); a bare day or month is kept
    as that span, never padded to a time.
    Raises ValueError when `text` is none of these.
    """
    text = text.strip().strip('"')
    exif = _EXIF.match(text)
    if exif:
        text = f"{exif.group(1)}-{exif.group(2)}-{exif.group(3)}{exif.group(4)}"
    partial = _PARTIAL.match(text)
    if partial:
        year, month, day = int(partial.group(1)), int(partial.group(2)), partial.group(3)
        if day:
            start = datetime(year, month, int(day), tzinfo=UTC)
            return Acquired(start, start + timedelta(days=1, seconds=-1), source)
        start = datetime(year, month, 1, tzinfo=UTC)
        following = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
        return Acquired(start, following - timedelta(seconds=1), source)
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
        source = f"{source} (no time zone given; read as UTC)"
    moment = moment.astimezone(UTC)
    return Acquired(moment, moment, source)


def read_scene(path: str | Path, date: str | None = None, root: str | Path | None = None) -> Scene:
    """Read the GeoTIFF at `path` into a Scene; it must lie in `root` (default: its own folder, the delivery).

    `date` (from `--date`) is used when given; otherwise the file's tags and
    sidecars must state the acquisition time. Raises ImageryError, naming the
    file and the fix, for a file that is not a raster, has no CRS, is truncated,
    holds no valid pixel, or states no (or contradictory) acquisition times.
    """
    path = Path(path)
    try:
        with warnings.catch_warnings():
            # A file without a geotransform is refused below with its own message; the warning would repeat it.
            warnings.simplefilter("ignore", NotGeoreferencedWarning)
            with open_raster(path, root if root is not None else path.parent, label=str(path)) as dataset:
                if dataset.crs is None:
                    raise ImageryError(
                        f"{path}: field 'crs': the raster has no coordinate reference system; "
                        "fix: use the provider's georeferenced product, or assign the CRS with gdal_translate -a_srs"
                    )
                crs = CRS.from_user_input(dataset.crs.to_wkt())
                footprint = _valid_outline(dataset)
                tags = dataset.tags()
                shape_ = (dataset.height, dataset.width)
                transform = tuple(dataset.transform)[:6]
                gsd = ground_resolution(crs, dataset.transform, dataset.bounds)
    except RasterioError as error:
        raise ImageryError(
            f"{path}: not a readable raster ({first_line(error)}); "
            "fix: pass a complete GeoTIFF (re-download it if it was cut short)"
        ) from None
    if footprint.is_empty:
        raise ImageryError(f"{path}: field 'footprint': every pixel is nodata; fix: pass a scene that holds data")
    metadata = sidecar_metadata(path)
    acquired = parse_option_date(path, date) if date else acquisition(path, tags, metadata.pop("acquired", []))
    return Scene(
        path=path,
        crs=crs,
        shape=shape_,
        transform=transform,
        footprint=to_wgs84(footprint, crs, segment=_segment_length(footprint)),
        gsd=gsd,
        acquired=acquired,
        metadata=metadata,
    )


def parse_option_date(path: Path, date: str) -> Acquired:
    """The `--date` value as an Acquired, or an ImageryError saying what form it takes."""
    try:
        return parse_acquired(date, "--date")
    except ValueError:
        raise ImageryError(f"{path}: option '--date': {date!r} is not a date; {DATE_FIX}") from None


def first_line(error: Exception) -> str:
    """The first line of a library's error message, so ours stays on one line."""
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def _valid_outline(dataset: rasterio.io.DatasetReader) -> BaseGeometry:
    """The outline, in the dataset's CRS, of pixels whose mask says they hold data."""
    scale = max(dataset.width, dataset.height) / MASK_MAX_SIDE
    if scale > 1:
        out_shape = (max(1, round(dataset.height / scale)), max(1, round(dataset.width / scale)))
        mask = dataset.dataset_mask(out_shape=out_shape)
        transform = dataset.transform @ dataset.transform.scale(dataset.width / out_shape[1], dataset.height / out_shape[0])
    else:
        mask = dataset.dataset_mask()
        transform = dataset.transform
    valid = (mask > 0).astype(np.uint8)
    polygons = [shape(geometry) for geometry, value in rasterio.features.shapes(valid, mask=valid, transform=transform) if value]
    return shapely.union_all(polygons).simplify(0) if polygons else shapely.Polygon()


def _segment_length(outline: BaseGeometry) -> float:
    """Densify edges to a hundredth of the outline's larger side, so reprojection bends them correctly."""
    minx, miny, maxx, maxy = outline.bounds
    return max(maxx - minx, maxy - miny) / 100 or 1.0


def to_wgs84(geometry: BaseGeometry, crs: CRS, segment: float) -> BaseGeometry:
    """`geometry` from `crs` to WGS84 lon/lat, edges first cut to at most `segment` CRS units.

    The warped outline is then thinned to THIN_DEGREES, so an edge keeps only
    the vertices its curvature needs. Rings come out counter-clockwise (holes
    clockwise), as RFC 7946 asks of GeoJSON.
    """
    dense = shapely.segmentize(geometry, segment)
    transformer = Transformer.from_crs(crs, WGS84, always_xy=True)
    moved = shapely.transform(dense, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))
    return shapely.orient_polygons(moved.simplify(THIN_DEGREES, preserve_topology=True))


def ground_resolution(crs: CRS, transform: Any, bounds: Any) -> float:
    """Metres on the ground per pixel (mean of the two axes), measured at the scene centre."""
    x_size = math.hypot(transform.a, transform.d)
    y_size = math.hypot(transform.b, transform.e)
    if crs.is_projected:
        factor = crs.axis_info[0].unit_conversion_factor
        return round((x_size + y_size) / 2 * factor, 3)
    lon = (bounds.left + bounds.right) / 2
    lat = (bounds.bottom + bounds.top) / 2
    _, _, east = _GEOD.inv(lon, lat, lon + x_size, lat)
    _, _, north = _GEOD.inv(lon, lat, lon, lat + y_size)
    return round((east + north) / 2, 3)


def acquisition(path: Path, tags: dict[str, str], stated: list[Acquired]) -> Acquired:
    """The most precise acquisition time the file's tags and sidecars agree on, or an ImageryError."""
    found = list(stated)
    upper = {key.upper(): (key, value) for key, value in tags.items()}
    for name in ACQUISITION_TAGS:
        if name in upper:
            key, value = upper[name]
            try:
                found.append(parse_acquired(value, f"tag {key}"))
            except ValueError:
                raise ImageryError(f"{path}: tag '{key}': {value!r} is not a date-time; {DATE_FIX}") from None
    if not found:
        written = upper.get("TIFFTAG_DATETIME")
        note = (
            f"TIFFTAG_DATETIME ({written[1]}) is when the file was written, not when the image was taken"
            if written
            else "no acquisition tag and no provider sidecar (.IMD, _metadata.json, STAC item json) beside it"
        )
        raise ImageryError(f"{path}: field 'datetime': no acquisition date: {note}; {DATE_FIX}")
    narrowest = min(found, key=lambda a: a.end - a.start)
    for other in found:
        if not _contains(other, narrowest):
            raise ImageryError(
                f"{path}: field 'datetime': {narrowest.source} says {stac_time(narrowest.start)} but {other.source} says "
                f"{stac_time(other.start)}; fix: check the provider's metadata and pass the right one with --date"
            )
    return narrowest


def _contains(wide: Acquired, narrow: Acquired) -> bool:
    """Whether `narrow` lies within `wide`, to the second (a tag may drop the sidecar's fraction)."""
    slack = timedelta(seconds=1)
    return wide.start - slack <= narrow.start and narrow.end <= wide.end + slack


def sidecar_metadata(path: Path) -> dict[str, Any]:
    """What the provider files beside `path` state: `acquired` (a list) and STAC property values."""
    metadata: dict[str, Any] = {"acquired": []}
    for reader in (_stac_sidecar, _imd_sidecar, _planet_sidecar):
        found = reader(path)
        if found:
            metadata["acquired"].extend(found.pop("acquired", []))
            for key, value in found.items():
                metadata.setdefault(key, value)
    return metadata


def _read_json_file(sidecar: Path) -> Any:
    try:
        return json.loads(sidecar.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ImageryError(
            f"{sidecar}: unreadable sidecar JSON ({first_line(error)}); fix: repair or remove the sidecar"
        ) from None


def _stated_time(sidecar: Path, key: str, value: Any) -> list[Acquired]:
    if value is None:
        return []
    try:
        return [parse_acquired(str(value), f"{sidecar.name} {key}")]
    except ValueError:
        raise ImageryError(f"{sidecar}: field '{key}': {value!r} is not a date-time; {DATE_FIX}") from None


def _stac_sidecar(path: Path) -> dict[str, Any]:
    """A STAC Item saved beside the image (`scene.json`, `scene.tif.json` or `scene.stac.json`)."""
    for sidecar in (path.with_suffix(".json"), path.with_name(path.name + ".json"), path.with_suffix(".stac.json")):
        if not sidecar.is_file():
            continue
        item = _read_json_file(sidecar)
        if not (isinstance(item, dict) and item.get("type") == "Feature" and "stac_version" in item):
            continue
        props = item.get("properties") or {}
        found: dict[str, Any] = {"acquired": _stated_time(sidecar, "datetime", props.get("datetime"))}
        if props.get("datetime") is None and props.get("start_datetime") and props.get("end_datetime"):
            start = _stated_time(sidecar, "start_datetime", props["start_datetime"])[0]
            end = _stated_time(sidecar, "end_datetime", props["end_datetime"])[0]
            found["acquired"] = [Acquired(start.start, end.end, f"{sidecar.name} start_datetime/end_datetime")]
        for key in ("eo:cloud_cover", "view:off_nadir", "platform", "constellation", "providers", "license", "instruments"):
            if props.get(key) is not None:
                found[key] = props[key]
        return found
    return {}


def _imd_value(text: str, key: str) -> str | None:
    match = re.search(rf"^\s*{key}\s*=\s*([^;]+);", text, re.MULTILINE)
    return match.group(1).strip().strip('"') if match else None


def _imd_sidecar(path: Path) -> dict[str, Any]:
    """Maxar (DigitalGlobe) `.IMD`: `firstLineTime`, `satId`, `meanOffNadirViewAngle`, `cloudCover` (a fraction)."""
    for sidecar in (path.with_suffix(".IMD"), path.with_suffix(".imd")):
        if not sidecar.is_file():
            continue
        text = sidecar.read_text(encoding="utf-8", errors="replace")
        found: dict[str, Any] = {"acquired": _stated_time(sidecar, "firstLineTime", _imd_value(text, "firstLineTime"))}
        platform = _imd_value(text, "satId")
        if platform:
            found["platform"] = platform
        found.update(
            _numbers(
                sidecar,
                {
                    "view:off_nadir": (_imd_value(text, "meanOffNadirViewAngle"), 1.0),
                    "eo:cloud_cover": (_imd_value(text, "cloudCover"), 100.0),
                },
            )
        )
        return found
    return {}


def _numbers(sidecar: Path, fields: dict[str, tuple[Any, float]]) -> dict[str, float]:
    """Numeric sidecar values scaled to STAC units; negative means 'not available' in these formats."""
    out = {}
    for key, (raw, scale) in fields.items():
        if raw is None:
            continue
        try:
            value = float(raw)
        except (TypeError, ValueError):
            raise ImageryError(
                f"{sidecar}: field for '{key}': {raw!r} is not a number; fix: repair or remove the sidecar"
            ) from None
        if value >= 0:
            out[key] = round(value * scale, 3)
    return out


def _planet_sidecar(path: Path) -> dict[str, Any]:
    """Planet's `<item>_metadata.json` (item id = the image name up to a trailing `_...` product suffix)."""
    parts = path.stem.split("_")
    for end in range(len(parts), 0, -1):
        sidecar = path.with_name("_".join(parts[:end]) + "_metadata.json")
        if not sidecar.is_file():
            continue
        record = _read_json_file(sidecar)
        props = record.get("properties", {}) if isinstance(record, dict) else {}
        found: dict[str, Any] = {"acquired": _stated_time(sidecar, "properties.acquired", props.get("acquired"))}
        if props.get("satellite_id"):
            found["platform"] = str(props["satellite_id"])
        if props.get("provider"):
            found["constellation"] = str(props["provider"])
        view_angle = props.get("view_angle")
        found.update(
            _numbers(
                sidecar,
                {
                    "view:off_nadir": (abs(float(view_angle)) if isinstance(view_angle, (int, float)) else view_angle, 1.0),
                    "eo:cloud_cover": (props.get("cloud_cover"), 100.0),
                },
            )
        )
        return found
    return {}
