"""Headless Debian Chromium through Playwright, with every request outside file:// aborted."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

    from playwright.sync_api import Browser, Page

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass
class PageLog:
    """What a page did: console errors, uncaught exceptions and requests it tried off file://."""

    errors: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)


def launch() -> Iterator[Browser]:
    """Debian's Chromium, headless, with the flags that keep it off the network; Playwright is imported here so
    `pytest -m "not browser"` runs without it."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


def open_page(browser: Browser, path: Path, width: int = 1200, height: int = 800) -> tuple[Page, PageLog]:
    """Open `path` with the network cut off; the log fills in as the page runs."""
    page = browser.new_page(viewport={"width": width, "height": height})
    log = PageLog()
    page.on("console", lambda message: log.errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: log.errors.append(str(error)))

    def route(request_route):  # type: ignore[no-untyped-def]
        url = request_route.request.url
        if url.startswith(("file://", "data:")):
            request_route.continue_()
        else:
            log.blocked.append(url)
            request_route.abort()

    page.route("**/*", route)
    page.goto(path.resolve().as_uri())
    page.wait_for_function("window.HeritageMap && window.HeritageMap.state.map !== null")
    return page, log


REPO = Path(__file__).resolve().parents[1]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
"""axe-core, pinned in package.json and package-lock.json and installed by `npm ci` (`make lint` runs it): injected
into a page by the tests only, never shipped in one."""


def axe_violations(page: Page, impacts: tuple[str, ...] = ("serious", "critical")) -> list[str]:
    """What axe-core finds wrong in `page` with one of `impacts`, one line each (rule, impact, elements)."""
    assert AXE.exists(), f"{AXE} is missing; fix: npm ci (make lint runs it)"
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("() => axe.run(document, { resultTypes: ['violations'] })")
    return [
        f"{v['id']} ({v['impact']}): {', '.join(str(n['target']) for n in v['nodes'][:5])}"
        for v in result["violations"]
        if v["impact"] in impacts
    ]


def horizontal_overflow(page: Page) -> int:
    """How many CSS pixels the page scrolls sideways (0 when it fits its width)."""
    return int(page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth"))
