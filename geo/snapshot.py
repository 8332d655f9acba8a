"""Pictures of a map page, taken in headless Chromium through Playwright.

Why a real browser: the maps are drawn by Leaflet and `heritage.js` on a
canvas, so only a browser renders what a reader sees. Playwright is imported
here, and only when a picture is asked for, so the rest of the package works
without it. The page is laid out for print by its own script (`printLayout` in
`geo/static/layout.js`): title and dek, the key of every layer drawn, a scale
bar, a locator inset and the credit line, each credit set with `textContent`,
so no credit text is ever parsed as markup.
"""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from geo.errors import ExportError

if TYPE_CHECKING:
    from pathlib import Path

CHROMIUM_FLAGS: tuple[str, ...] = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
INSTALL_FIX = "fix: pip install -e '.[test]' and apt-get install -y chromium"
TIMEOUT_MS = 30_000

_MAP_READY = "window.HeritageMap && window.HeritageMap.state.map !== null"
PRINT_SCRIPT = "(credits) => window.HeritageMap.printLayout(credits)"
"""Lays the overview out for print (`geo/static/layout.js` `printLayout`): every credit is set as text, never
parsed as markup. It returns what the picture will say: its title, dek, key entries and credit line."""
_TILES_SETTLED = """() => {
  let busy = false;
  HeritageMap.state.map.eachLayer((layer) => { if (layer instanceof L.GridLayer && layer.isLoading()) busy = true; });
  return !busy;
}"""
# Two animation frames: Leaflet redraws its canvas on the next frame after a change.
_TWO_FRAMES = "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"


PRINT_HEIGHT = 800
"""The least height, in CSS pixels, the print layout is laid out at: the key of every layer fits it. A smaller
picture is laid out at a whole multiple of its size and drawn at that fraction of a pixel per CSS pixel, so it
holds the same layout, smaller."""


def print_size(width: int, height: int) -> int:
    """The whole multiple of `width`×`height` the print layout is laid out at (1 from `PRINT_HEIGHT` up)."""
    return max(1, -(-PRINT_HEIGHT // height))


def print_layout(page: Any, credits: list[dict[str, str]]) -> dict[str, Any]:
    """Lay out the overview open in `page` (a Playwright page) for a picture, and return what it says.

    Raises:
        ExportError: the laid-out page lacks its title, its key or its credit line (a picture without them
            would be published without saying what it shows or whom it credits).

    """
    shown: dict[str, Any] = page.evaluate(PRINT_SCRIPT, credits)
    page.evaluate(_TWO_FRAMES)
    check_layout(shown)
    return shown


def check_layout(shown: dict[str, Any]) -> None:
    """Refuse a print layout without its title, key or credit line, or whose key does not fit (`print_layout`)."""
    missing = [part for part in ("title", "legend", "credit") if not shown.get(part)]
    if missing:
        raise ExportError(
            f"--format png: the print layout has no {', '.join(missing)}; nothing was written; "
            "fix: report it with the data folder that caused it"
        )
    if not shown.get("legendFits"):
        raise ExportError(
            "--format png: the map's key does not fit a picture of this height, so symbols would go unexplained; "
            "nothing was written; fix: a larger --height"
        )


def screenshot(
    page_path: Path,
    png_path: Path,
    width: int,
    height: int,
    credits: list[dict[str, str]],
    *,
    offline: bool,
    scale: int = 1,
    lang: str = "en",
) -> Path:
    """`_screenshot` in a thread of its own.

    Playwright's sync API refuses to start in a thread that already runs an event loop (a notebook, or a
    process that drives its own browser, as the test suite does); a fresh thread has none.
    """
    with ThreadPoolExecutor(max_workers=1) as worker:
        return worker.submit(
            _screenshot, page_path, png_path, width, height, credits, offline=offline, scale=scale, lang=lang
        ).result()


def _screenshot(
    page_path: Path,
    png_path: Path,
    width: int,
    height: int,
    credits: list[dict[str, str]],
    *,
    offline: bool,
    scale: int = 1,
    lang: str = "en",
) -> Path:
    """Write `png_path`: `page_path` in its print layout (`print_layout`, crediting `credits`) at `width`×`height`
    CSS pixels, `scale` device pixels each, in `lang` (the page's `?lang=`).

    With `offline`, every request outside file:// and data: is aborted (no
    basemap tiles, nothing fetched); otherwise the picture waits for the
    network to go quiet so the tiles are drawn, and refuses to write a picture
    whose basemap tiles did not load (a grey map would be published as a map).

    Raises:
        ExportError: Playwright or Chromium is missing, the page raised an
            error, a basemap tile could not be fetched, or the map did not draw
            within 30 seconds.

    """
    try:
        from playwright.sync_api import Error as BrowserError
        from playwright.sync_api import TimeoutError as BrowserTimeout
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise ExportError(f"--format png: Playwright is not installed; {INSTALL_FIX}") from None
    chromium = shutil.which("chromium")
    if chromium is None:
        raise ExportError(f"--format png: no `chromium` on PATH; {INSTALL_FIX}")
    errors: list[str] = []
    failed_tiles: list[str] = []
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=chromium, args=list(CHROMIUM_FLAGS))
        except BrowserError as error:
            reason = str(error).strip().splitlines()[0]
            raise ExportError(f"{chromium}: Chromium did not start ({reason}); {INSTALL_FIX}") from None
        try:
            layout = print_size(width, height)
            page = browser.new_page(
                viewport={"width": width * layout, "height": height * layout}, device_scale_factor=scale / layout
            )
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on(
                "requestfailed", lambda request: failed_tiles.append(request.url) if request.resource_type == "image" else None
            )
            if offline:
                page.route("**/*", _local_only)
            page.goto(f"{page_path.resolve().as_uri()}?lang={lang}")
            page.wait_for_function(_MAP_READY, timeout=TIMEOUT_MS)
            shown = page.evaluate(PRINT_SCRIPT, credits)
            page.evaluate(_TWO_FRAMES)
            if not offline:  # the print layout's view asks for its own tiles: wait until each has come or failed
                page.wait_for_function(_TILES_SETTLED, timeout=TIMEOUT_MS)
                page.evaluate(_TWO_FRAMES)
            if errors:
                raise ExportError(
                    f"--format png: the map page raised an error in Chromium ({errors[0]}); "
                    "fix: report it with the data folder that caused it"
                )
            if failed_tiles and not offline:
                raise ExportError(
                    f"--format png: {len(failed_tiles)} basemap tile(s) could not be fetched (first: {failed_tiles[0]}), "
                    "so the picture would show a grey map; nothing was written; "
                    "fix: check the network, or pass --tiles none for a map drawn with no network"
                )
            check_layout(shown)
            page.screenshot(path=str(png_path), type="png")
        except BrowserTimeout:
            raise ExportError(
                f"--format png: the map did not finish drawing within {TIMEOUT_MS // 1000} s; "
                "fix: retry with --tiles none, or check the network for the basemap tiles"
            ) from None
        finally:
            browser.close()
    return png_path


def _local_only(route: Any) -> None:
    url = route.request.url
    if url.startswith(("file://", "data:")):
        route.continue_()
    else:
        route.abort()
