"""`heritage-map export --format png`: the public overview map laid out for print, with its key and credits.

Here, beside the build, and not in `geo.export`: the picture is of the map,
so it needs the map code (`geo.maps`, `geo.render`), which the data exports
never import (`tests/test_layers.py`).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from geo.credits import BORDERS_SOURCE, DATA_CREDITS, TILE_CREDITS
from geo.dataset import open_dataset
from geo.export import PNG_FILE, refuse_data_folder
from geo.links import is_web_url
from geo.maps import overview_map
from geo.render import page_html
from geo.snapshot import screenshot

if TYPE_CHECKING:
    from geo.render import Tiles


def export_picture(
    data_dir: str | Path,
    out_dir: str | Path,
    width: int = 1200,
    height: int = 800,
    tiles: Tiles = "osm",
    scale: int = 1,
    lang: str = "en",
) -> Path:
    """Write `map.png`: the public overview map, `width`×`height` CSS pixels at `scale` (2 for print), with its credits,
    in `lang` (`geo.i18n.LANGUAGES`: the page's own switch, `?lang=`).

    Raises:
        LayerError: the data does not validate.
        ExportError: `out_dir` lies inside `data_dir`, Playwright or Chromium is missing, or the map did not draw.

    """
    data_dir, out_dir = Path(data_dir), Path(out_dir)
    refuse_data_folder(data_dir, out_dir)
    dataset = open_dataset(data_dir)
    text, _ = page_html(overview_map(dataset.inputs, dataset.public, tiles))
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="heritage-map-png-") as scratch:
        page = Path(scratch) / "index.html"
        page.write_text(text, encoding="utf-8")
        return screenshot(
            page, out_dir / PNG_FILE, width, height, picture_credits(tiles), offline=tiles == "none", scale=scale, lang=lang
        )


def picture_credits(tiles: Tiles) -> list[dict[str, str]]:
    """Whom a picture credits, each with its address: the monitors and sources, the borders' source and the basemap
    drawn (none with `--tiles none`). A picture has no link to follow, so only absolute addresses.
    """
    credits = [c for c in DATA_CREDITS if is_web_url(c["url"])] + [BORDERS_SOURCE]
    if tiles != "none":
        # The mini map always draws OpenStreetMap, whichever basemap the main map shows.
        credits += [TILE_CREDITS[tiles]] + ([TILE_CREDITS["osm"]] if tiles == "satellite" else [])
    return credits
