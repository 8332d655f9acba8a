"""Image chips around a site from its before and after rasters, and a change score that proposes review.

Both rasters are warped (through a WarpedVRT, so only the source blocks under
the chip are read) onto one Web Mercator grid centred on the site, at the
coarser of the two ground resolutions: the pair is co-registered pixel for
pixel and overlays a Leaflet map as is. Each chip is stretched to 8 bits and
written as a PNG whose nodata is transparent.

The change score is the largest brightness change of any ~10 m cell between
the two chips, in units of the chip's own brightness spread (each chip is
normalised by its median and interquartile spread first, so a brighter or
hazier date does not count as change). It proposes sites for a monitor to
look at; it never sets a status.
"""

from __future__ import annotations

import math
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from affine import Affine
from pyproj import CRS, Transformer
from rasterio.enums import ColorInterp, Resampling
from rasterio.errors import RasterioError
from rasterio.vrt import WarpedVRT

from geo.errors import ImageryError
from geo.imagery import local_image
from geo.rasterfile import open_raster
from geo.scene import first_line, ground_resolution

if TYPE_CHECKING:
    from collections.abc import Mapping

    from geo.join import SiteImagery

WEB_MERCATOR = "EPSG:3857"
RADIUS_M = 150.0
MAX_SIDE = 512
CELL_M = 10.0
MIN_COMMON = 0.1
"""A score needs at least this share of the chip valid in both scenes (a site near a scene edge still scores)."""

_TO_MERCATOR = Transformer.from_crs("EPSG:4326", WEB_MERCATOR, always_xy=True)
_TO_WGS84 = Transformer.from_crs(WEB_MERCATOR, "EPSG:4326", always_xy=True)


@dataclass(frozen=True)
class ChipGrid:
    """The shared Web Mercator grid of a site's chips; `ground_res` is metres per pixel at the site."""

    transform: tuple[float, ...]
    width: int
    height: int
    ground_res: float
    crs: str = WEB_MERCATOR

    @property
    def bounds_wgs84(self) -> tuple[float, float, float, float]:
        """West, south, east, north in degrees: what a Leaflet image overlay takes."""
        left, top = self.transform[2], self.transform[5]
        right, bottom = left + self.transform[0] * self.width, top + self.transform[4] * self.height
        west, south = _TO_WGS84.transform(left, bottom)
        east, north = _TO_WGS84.transform(right, top)
        return (round(west, 7), round(south, 7), round(east, 7), round(north, 7))


@dataclass(frozen=True)
class SiteChips:
    """A site's before and after chips as PNG bytes, their grid and the change score; where they go is the caller's."""

    site_id: str
    before_id: str
    after_id: str
    before_png: bytes
    after_png: bytes
    grid: ChipGrid
    score: float | None


def chip_grid(lon: float, lat: float, ground_res: float, radius_m: float = RADIUS_M, max_side: int = MAX_SIDE) -> ChipGrid:
    """A square Web Mercator grid centred on (lon, lat) reaching `radius_m` on the ground each way.

    Pixels are `ground_res` metres on the ground (coarsened if the chip would
    exceed `max_side`); the origin snaps to whole pixels so rebuilds are identical.
    """
    scale = 1 / math.cos(math.radians(lat))
    side = min(max_side, max(1, math.ceil(2 * radius_m / ground_res)))
    ground = max(ground_res, 2 * radius_m / side)
    res = ground * scale
    x, y = _TO_MERCATOR.transform(lon, lat)
    left = math.floor((x - side * res / 2) / res) * res
    top = math.ceil((y + side * res / 2) / res) * res
    return ChipGrid(transform=(res, 0.0, left, 0.0, -res, top), width=side, height=side, ground_res=round(ground, 6))


def _display_bands(dataset: Any) -> list[int]:
    """Red, green, blue by the file's colour interpretation; else band 1 as grey (band order is never guessed)."""
    interp = list(dataset.colorinterp)
    wanted = [ColorInterp.red, ColorInterp.green, ColorInterp.blue]
    if all(colour in interp for colour in wanted):
        return [interp.index(colour) + 1 for colour in wanted]
    return [1]


def read_chip(path: Path, grid: ChipGrid, label: str, root: Path) -> np.ma.MaskedArray:
    """The raster at `path` (inside `root`) warped onto `grid`: (bands, rows, cols) float32, masked where no data.

    Raises ImageryError naming the file and `label` (the item id) when the raster cannot be read.
    """
    try:
        with open_raster(path, root, label=f"{path}: item {label}") as source:
            bands = _display_bands(source)
            with WarpedVRT(
                source,
                crs=WEB_MERCATOR,
                transform=Affine(*grid.transform),
                width=grid.width,
                height=grid.height,
                resampling=Resampling.bilinear,
                add_alpha=source.nodata is None,
            ) as vrt:
                data = vrt.read(indexes=bands).astype(np.float32)
                valid = vrt.dataset_mask() > 0
    except RasterioError as error:
        raise ImageryError(
            f"{path}: item {label}: raster unreadable ({first_line(error)}); fix: restore the file or re-add the scene"
        ) from None
    return np.ma.MaskedArray(data, mask=np.broadcast_to(~valid, data.shape))


def grid_for(site_geometry: Any, before: Path, after: Path, radius_m: float, max_side: int, root: Path) -> ChipGrid:
    """The shared grid of a site: centred on it, at the coarser ground resolution of the two rasters (inside `root`)."""
    resolutions = []
    for path in (before, after):
        try:
            with open_raster(path, root) as dataset:
                if dataset.crs is None:
                    raise ImageryError(f"{path}: field 'crs': the raster has no CRS; fix: re-add a georeferenced scene")
                resolutions.append(
                    ground_resolution(CRS.from_user_input(dataset.crs.to_wkt()), dataset.transform, dataset.bounds)
                )
        except RasterioError as error:
            raise ImageryError(
                f"{path}: raster unreadable ({first_line(error)}); fix: restore the file or re-add the scene"
            ) from None
    centre = site_geometry.centroid if site_geometry.geom_type != "Point" else site_geometry
    return chip_grid(centre.x, centre.y, max(resolutions), radius_m, max_side)


def stretch(chip: np.ma.MaskedArray, low: float = 2, high: float = 98) -> np.ndarray:
    """8-bit (rows, cols, bands + alpha) pixels: each band's 2-98 percentile range to 0-255, nodata transparent."""
    valid = np.asarray(~np.ma.getmaskarray(chip).any(axis=0))
    bands: list[np.ndarray] = []
    for band in chip.data:
        values = band[valid]
        lo, hi = np.percentile(values, [low, high]) if values.size else (0.0, 1.0)
        scaled = np.clip((band - lo) / ((hi - lo) or 1.0) * 255, 0, 255)
        bands.append(np.asarray(np.where(valid, np.round(scaled), 0), dtype=np.uint8))
    bands.append((valid * 255).astype(np.uint8))
    return np.stack(bands, axis=-1)


def png_bytes(pixels: np.ndarray) -> bytes:
    """A PNG of (rows, cols, 2|4) uint8 pixels (grey+alpha or RGBA): same pixels, same bytes."""
    rows, cols, channels = pixels.shape
    colour_type = {2: 4, 4: 6}[channels]
    raw = np.concatenate([np.zeros((rows, 1), np.uint8), pixels.reshape(rows, cols * channels)], axis=1).tobytes()

    def chunk(tag: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", cols, rows, 8, colour_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def _normalised_grey(chip: np.ma.MaskedArray, valid: np.ndarray) -> np.ndarray:
    grey = chip.data.mean(axis=0)
    values = grey[valid]
    q1, median, q3 = np.percentile(values, [25, 50, 75])
    spread = (q3 - q1) / 1.349 or float(values.std()) or 1.0
    return (grey - median) / spread


def change_score(before: np.ma.MaskedArray, after: np.ma.MaskedArray, ground_res: float, cell_m: float = CELL_M) -> float | None:
    """The largest mean change of any `cell_m` cell, in spreads of brightness; None when the chips barely overlap."""
    valid = np.asarray(~(np.ma.getmaskarray(before).any(axis=0) | np.ma.getmaskarray(after).any(axis=0)))
    if valid.mean() < MIN_COMMON:
        return None
    difference = np.where(valid, _normalised_grey(after, valid) - _normalised_grey(before, valid), 0.0)
    k = max(1, round(cell_m / ground_res))
    rows, cols = (difference.shape[0] // k) * k, (difference.shape[1] // k) * k
    if rows == 0 or cols == 0:
        return None
    sums = difference[:rows, :cols].reshape(rows // k, k, cols // k, k).sum(axis=(1, 3))
    counts = valid[:rows, :cols].reshape(rows // k, k, cols // k, k).sum(axis=(1, 3))
    full = counts >= (k * k) / 2
    if not full.any():
        return None
    return round(float(np.abs(sums[full] / counts[full]).max()), 3)


def _pair_paths(before_item: Mapping[str, Any], after_item: Mapping[str, Any], catalog_dir: Path) -> tuple[Path, Path] | None:
    before, after = local_image(before_item, catalog_dir), local_image(after_item, catalog_dir)
    return (before, after) if before and after else None


def site_change(
    site_row: Any,
    before_item: Mapping[str, Any],
    after_item: Mapping[str, Any],
    catalog_dir: str | Path,
    radius_m: float = RADIUS_M,
    max_side: int = MAX_SIDE,
    cell_m: float = CELL_M,
) -> tuple[ChipGrid, np.ma.MaskedArray, np.ma.MaskedArray, float | None] | None:
    """The co-registered chips of a site and their change score; None when a raster is not local or the site unlocated."""
    paths = _pair_paths(before_item, after_item, Path(catalog_dir))
    geometry = getattr(site_row, "geometry", None)
    if paths is None or geometry is None or geometry.is_empty:
        return None
    root = Path(catalog_dir)
    grid = grid_for(geometry, *paths, radius_m=radius_m, max_side=max_side, root=root)
    before = read_chip(paths[0], grid, before_item["id"], root)
    after = read_chip(paths[1], grid, after_item["id"], root)
    return grid, before, after, change_score(before, after, grid.ground_res, cell_m)


def site_chips(
    site_row: Any,
    before_item: Mapping[str, Any],
    after_item: Mapping[str, Any],
    catalog_dir: str | Path,
    radius_m: float = RADIUS_M,
    max_side: int = MAX_SIDE,
    cell_m: float = CELL_M,
) -> SiteChips | None:
    """The before and after chips of a site as PNGs; None when a raster is not local.

    Also None when the site is unlocated or either chip holds no data (the
    scene does not reach the site), so no blank picture is published.
    """
    found = site_change(site_row, before_item, after_item, catalog_dir, radius_m, max_side, cell_m)
    if found is None:
        return None
    grid, before, after, score = found
    if np.ma.getmaskarray(before).all() or np.ma.getmaskarray(after).all():
        return None
    return SiteChips(
        site_id=str(site_row.id),
        before_id=str(before_item["id"]),
        after_id=str(after_item["id"]),
        before_png=png_bytes(stretch(before)),
        after_png=png_bytes(stretch(after)),
        grid=grid,
        score=score,
    )


def local_pair(
    record: SiteImagery | None, items_by_id: dict[str, dict[str, Any]], catalog_dir: Path
) -> tuple[dict[str, Any], dict[str, Any], str] | None:
    """The latest observation's pair when both rasters are local, else the newest local scene and the one before it."""
    if (
        record
        and record.before
        and record.after
        and record.verdict == "imagery-here"
        and local_image(record.before, catalog_dir)
        and local_image(record.after, catalog_dir)
    ):
        return record.before, record.after, "observation"
    dated = [
        (s.start, s.end, s.id)
        for s in (record.scenes if record else ())
        if s.start and s.end and local_image(items_by_id[s.id], catalog_dir)
    ]
    if not dated:
        return None
    after_start, _, after_id = max(dated)
    earlier = [scene for scene in dated if scene[1] < after_start]
    if not earlier:
        return None
    before_id = max(earlier, key=lambda scene: (scene[1], scene[2]))[2]
    return items_by_id[before_id], items_by_id[after_id], "latest-two"
