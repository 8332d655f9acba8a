"""Small GeoTIFFs built in code: UTM 38N and WGS84 scenes, nodata borders, tags, sidecars, a block that vanishes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import rasterio
from affine import Affine
from pyproj import Transformer

if TYPE_CHECKING:
    from pathlib import Path

UTM38N = "EPSG:32638"
SITE_LON, SITE_LAT = 46.7478, 39.7588
"""The fixture church of tests/layers.py: every test scene is centred on it."""

SIZE = 200


def utm_of(lon: float, lat: float) -> tuple[float, float]:
    """UTM 38N easting, northing of a lon/lat."""
    return Transformer.from_crs("EPSG:4326", UTM38N, always_xy=True).transform(lon, lat)


def lonlat_of(x: float, y: float) -> tuple[float, float]:
    """Lon/lat of a UTM 38N easting, northing."""
    return Transformer.from_crs(UTM38N, "EPSG:4326", always_xy=True).transform(x, y)


def utm_grid(res: float = 1.0, size: int = SIZE, lon: float = SITE_LON, lat: float = SITE_LAT) -> Any:
    """A north-up UTM transform of `size` pixels of `res` metres centred on (lon, lat), the fixture site by default."""
    x, y = utm_of(lon, lat)
    return Affine(res, 0, round(x) - size * res / 2, 0, -res, round(y) + size * res / 2)


def wgs84_grid(res_deg: float = 1e-5, size: int = SIZE) -> Any:
    """A north-up lon/lat transform centred on the fixture site."""
    return Affine(res_deg, 0, SITE_LON - size * res_deg / 2, 0, -res_deg, SITE_LAT + size * res_deg / 2)


def texture(seed: int, size: int = SIZE, bands: int = 3) -> np.ndarray:
    """Smooth, fields-and-roads-like uint8 bands: the same seed gives the same ground."""
    rng = np.random.default_rng(seed)
    coarse = rng.uniform(60, 140, (bands, size // 20 + 2, size // 20 + 2))
    image = np.repeat(np.repeat(coarse, 20, axis=1), 20, axis=2)[:, :size, :size]
    return image.astype(np.uint8)


def with_block(image: np.ndarray, row: int, col: int, side: int = 20, value: int = 250) -> np.ndarray:
    """`image` with a bright square (a roof) of `side` pixels whose top-left is (row, col)."""
    out = image.copy()
    out[:, row : row + side, col : col + side] = value
    return out


def with_noise(image: np.ndarray, sigma: float, seed: int) -> np.ndarray:
    """`image` plus Gaussian sensor noise, clipped to uint8."""
    rng = np.random.default_rng(seed)
    return np.clip(image + rng.normal(0, sigma, image.shape), 0, 255).astype(np.uint8)


def with_border(image: np.ndarray, width: int, nodata: int = 0) -> np.ndarray:
    """`image` with a nodata frame `width` pixels wide on every side (as a projected scene has)."""
    out = image.copy()
    out[:, :width, :] = nodata
    out[:, -width:, :] = nodata
    out[:, :, :width] = nodata
    out[:, :, -width:] = nodata
    return out


def pixel_lonlat(transform: Any, row: float, col: float) -> tuple[float, float]:
    """Lon/lat of the centre of pixel (row, col) of a UTM 38N grid."""
    x, y = transform @ (col + 0.5, row + 0.5)
    return lonlat_of(x, y)


def write_scene(
    path: Path,
    image: np.ndarray | None = None,
    crs: str = UTM38N,
    transform: Any = None,
    nodata: float | None = None,
    tags: dict[str, str] | None = None,
    profile: dict[str, Any] | None = None,
    overviews: tuple[int, ...] = (),
) -> Path:
    """Write `image` (bands, rows, cols) as a GeoTIFF at `path` and return the path.

    `crs=None` writes no CRS; `transform=False` writes no geotransform either.
    """
    image = texture(1) if image is None else image
    options: dict[str, Any] = {
        "driver": "GTiff",
        "count": image.shape[0],
        "height": image.shape[1],
        "width": image.shape[2],
        "dtype": image.dtype.name,
        "crs": crs,
        "transform": transform if transform is not None else utm_grid(),
        "nodata": nodata,
        **(profile or {}),
    }
    if crs is None:
        options.pop("crs")
    if transform is False:
        options.pop("transform")
    path.parent.mkdir(parents=True, exist_ok=True)
    with rasterio.open(path, "w", **options) as dataset:
        dataset.write(image)
        if image.shape[0] >= 3:
            dataset.colorinterp = [
                rasterio.enums.ColorInterp.red,
                rasterio.enums.ColorInterp.green,
                rasterio.enums.ColorInterp.blue,
            ] + [rasterio.enums.ColorInterp.undefined] * (image.shape[0] - 3)
        if tags:
            dataset.update_tags(**tags)
        if overviews:
            dataset.build_overviews(list(overviews), rasterio.enums.Resampling.average)
    return path


IMD_TEXT = """version = "28.3";
generationTime = 2023-11-02T10:00:00.000000Z;
BEGIN_GROUP = IMAGE_1
\tsatId = "WV03";
\tfirstLineTime = 2023-10-05T07:51:46.123456Z;
\tmeanOffNadirViewAngle = 21.4;
\tcloudCover = 0.020;
END_GROUP = IMAGE_1
END;
"""


def planet_metadata(acquired: str) -> dict[str, Any]:
    """A Planet `_metadata.json` body, as a PlanetScope order delivers it."""
    return {
        "id": "20231005_071200_12_2474",
        "type": "Feature",
        "geometry": None,
        "properties": {
            "acquired": acquired,
            "cloud_cover": 0.05,
            "view_angle": -3.2,
            "satellite_id": "2474",
            "provider": "planetscope",
            "item_type": "PSScene",
        },
    }
