"""A site whose before and after scenes are local rasters shows chips, a swipe and the scene metadata."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from geo.build import build_maps
from geo.imagery import add_scene
from tests.browser import open_page
from tests.layers import default_log, write_layers
from tests.rasters import texture, with_block, with_noise, write_scene

if TYPE_CHECKING:
    from pathlib import Path

    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def maps(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("chips")
    log = default_log()
    log[0].update(before_scene="roof-2023", after_scene="bare-2024")
    data = write_layers(root / "layers", log=log)
    (data / "imagery.json").unlink()
    ground = texture(7)
    add_scene(
        data / "imagery.json",
        write_scene(data / "scenes" / "before.tif", with_noise(with_block(ground, 90, 90), 6, 1)),
        date="2023-06-01",
        item_id="roof-2023",
        stated={"providers": [{"name": "Test Provider", "roles": ["producer"]}]},
    )
    add_scene(
        data / "imagery.json",
        write_scene(data / "scenes" / "after.tif", with_noise(ground, 6, 2)),
        date="2024-04-04",
        item_id="bare-2024",
    )
    build_maps(data, root / "maps", tiles="none")
    return root / "maps"


def test_chips_are_written_and_shown_beside_the_scene_metadata(browser: Browser, maps: Path) -> None:
    assert (maps / "sites" / "site-church" / "before.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page, log = open_page(browser, maps / "sites" / "site-church.html")
    images = page.locator(".hm-chips img")
    assert images.count() == 2
    assert page.evaluate("Array.from(document.querySelectorAll('.hm-chips img')).map(i => i.naturalWidth > 0)") == [True, True]
    assert "Before: 2023-06-01" in (images.first.get_attribute("alt") or "")
    rows = page.locator("section[aria-labelledby=imagery-h] tbody tr").all_inner_texts()
    assert rows[0].split("\t")[:4] == ["Before", "roof-2023", "2023-06-01", "Test Provider"]
    assert "footprint covers the site" in rows[1]
    assert "Change score" in page.locator(".hm-story").inner_text()
    page.locator("#hm-swipe-range").fill("80")
    assert page.evaluate("document.querySelector('.hm-swipe-top').style.clipPath") == "inset(0px 0px 0px 80%)"
    assert log.errors == [] and log.blocked == []
