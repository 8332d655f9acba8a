"""Opening a raster file: the one door every pixel this package reads comes through.

Why a module of its own: GDAL opens far more than images. A file named
`scene.tif` that is VRT XML can point GDAL at `/vsicurl/http://...` (a network
request) or at a raw band over any file on the machine (whose bytes would then
be published in a chip); a tiny GeoTIFF can declare 10^12 pixels, or hold a
deflate bomb. So `open_raster`:

- takes only a regular file that lies inside the folder it is confined to
  (the data folder for catalogued scenes, the delivery folder for a scene
  being added), after resolving symlinks and `..`;
- refuses `/vsi*` and URL paths, and any file whose first bytes are not a
  TIFF or BigTIFF header, before GDAL sees it;
- lets GDAL use only the GeoTIFF driver (`ALLOWED_DRIVERS`: GeoTIFF and
  Cloud-Optimised GeoTIFF, what Maxar, Planet and Airbus deliver for analysis;
  JPEG 2000 deliveries are converted with `gdal_translate` first), with sidecar
  discovery and auxiliary XML off, so the file alone is read;
- refuses a scene whose declared size exceeds `PIXEL_BUDGET`, or whose
  declared size is more than `MAX_COMPRESSION` times its bytes on disk, before
  any pixel is read.
"""

from __future__ import annotations

import os
import stat
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import rasterio
from rasterio.errors import RasterioError

from geo.errors import ImageryError

if TYPE_CHECKING:
    from collections.abc import Iterator

    from rasterio.io import DatasetReader

ALLOWED_DRIVERS: tuple[str, ...] = ("GTiff",)
"""GDAL drivers a scene may be read with: GeoTIFF (which also reads Cloud-Optimised GeoTIFF)."""

PIXEL_BUDGET = 3_000_000_000
"""Most samples (width × height × bands) a scene may declare: a 30,000-pixel-square 3-band scene fits
(WorldView and Pléiades scenes are 20,000–45,000 pixels a side, usually delivered in tiles)."""

MAX_COMPRESSION = 1000
"""Most a scene's declared size may exceed its size on disk: imagery compresses a few times over, and even a
scene that is 99% nodata stays under this; a deflate bomb is far beyond it."""

_TIFF_MAGIC = (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")
"""Classic TIFF and BigTIFF headers, little and big endian."""

_GDAL_OPTIONS = {
    # Read the named file alone: no .aux.xml, .ovr, .msk, world or sidecar files found by listing the folder.
    "GDAL_PAM_ENABLED": "NO",
    "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR",
    # Belt and braces: even if a path reached GDAL's network drivers, they would fetch nothing.
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": "none.invalid",
    "GDAL_HTTP_MAX_RETRY": "0",
}

FIX = "fix: pass a GeoTIFF file that lies in the data folder (or, for imagery add, the folder of the scene)"
FIX_FILE = "fix: pass the provider's GeoTIFF, complete (re-download it if it was cut short)"


def confined_path(path: str | Path, root: str | Path, what: str = "scene") -> Path:
    """`path` resolved (symlinks and `..` followed; a relative path is read from `root`); ImageryError when the
    result lies outside `root` or `path` is a `/vsi*` or URL path. The file need not exist.
    """
    text = os.fspath(path)
    scheme = urlsplit(text).scheme
    if text.startswith("/vsi") or (len(scheme) > 1 and scheme != "file"):
        raise ImageryError(f"{text}: {what} is not a local file path; {FIX}")
    if scheme == "file":
        text = urlsplit(text).path
    root_path = Path(root).resolve()
    candidate = Path(text)
    resolved = (candidate if candidate.is_absolute() else root_path / candidate).resolve()
    if resolved != root_path and root_path not in resolved.parents:
        raise ImageryError(f"{text}: {what} lies outside {root_path}; {FIX}")
    return resolved


def confined_file(path: str | Path, root: str | Path, what: str = "scene") -> Path:
    """`confined_path`, which must also be an existing regular file (not a device, FIFO or folder)."""
    resolved = confined_path(path, root, what)
    try:
        mode = resolved.stat().st_mode
    except OSError:
        raise ImageryError(f"{os.fspath(path)}: {what} file not found; {FIX}") from None
    if not stat.S_ISREG(mode):
        raise ImageryError(f"{os.fspath(path)}: {what} is not a regular file; {FIX}")
    return resolved


def _check_header(path: Path, label: str) -> None:
    with path.open("rb") as handle:
        head = handle.read(4)
    if head not in _TIFF_MAGIC:
        raise ImageryError(f"{label}: not a GeoTIFF (the file does not start with a TIFF header); {FIX_FILE}")


def _check_size(dataset: DatasetReader, path: Path, label: str) -> None:
    samples = dataset.width * dataset.height * dataset.count
    if samples > PIXEL_BUDGET:
        raise ImageryError(
            f"{label}: declares {dataset.width} × {dataset.height} pixels × {dataset.count} bands, over the budget of "
            f"{PIXEL_BUDGET:,} samples; fix: cut the scene into tiles (gdal_retile.py) and add each tile"
        )
    declared = samples * max((dtype_bytes(dtype) for dtype in dataset.dtypes), default=1)
    on_disk = max(1, path.stat().st_size)
    if declared > MAX_COMPRESSION * on_disk:
        raise ImageryError(
            f"{label}: declares {declared:,} bytes of pixels in a {on_disk:,}-byte file (over {MAX_COMPRESSION}× "
            "compression: a decompression bomb or a corrupt header); fix: pass the provider's original file"
        )


def dtype_bytes(dtype: str) -> int:
    """Bytes per sample of a rasterio dtype name (`uint8` 1 ... `complex128` 16)."""
    digits = "".join(c for c in dtype if c.isdigit())
    return max(1, int(digits) // 8) if digits else 1


@contextmanager
def open_raster(path: str | Path, root: str | Path, label: str | None = None) -> Iterator[DatasetReader]:
    """The GeoTIFF at `path` (confined to `root`) open for reading; ImageryError, naming it, when it may not be.

    `label` names the file in messages (default: the path as given).
    """
    label = label or os.fspath(path)
    resolved = confined_file(path, root)
    _check_header(resolved, label)
    try:
        with rasterio.Env(**_GDAL_OPTIONS), rasterio.open(resolved, driver=ALLOWED_DRIVERS[0]) as dataset:
            if dataset.driver not in ALLOWED_DRIVERS:
                raise ImageryError(f"{label}: read as {dataset.driver}, not GeoTIFF; {FIX_FILE}")
            _check_size(dataset, resolved, label)
            yield dataset
    except RasterioError as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ImageryError(f"{label}: not a readable GeoTIFF ({first}); {FIX_FILE}") from None
