"""Which addresses become links: one list of cases, run through geo/links.py and through heritage.js in Chromium."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from geo.build import build_maps
from geo.errors import HeritageMapError
from geo.links import base_url, is_safe_href, is_web_url, link_label
from tests.browser import open_page

if TYPE_CHECKING:
    from pathlib import Path

    from playwright.sync_api import Browser

SAFE = [
    "https://caucasusheritage.cornell.edu/?p=1630",
    "http://pop-stat.mashke.org/nkr-census.htm",
    "HTTPS://EN.WIKIPEDIA.ORG/wiki/Shushi",
    "sites/nk001.html",
    "../sites/nk001.html",
    "index.html#site=nk001",
    "data/SOURCES.md",
]
UNSAFE = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "//evil.example/x",
    "/\\evil.example/x",
    "\\\\evil.example\\x",
    "https://",
    "https:///path-without-host",
    "https://evil.example/\u202egpj.exe",
    "https://evil.example/a b",
    "https://evil.example/\nx",
    "file:///etc/passwd",
    "ftp://example.org/x",
    "",
]


@pytest.mark.parametrize("value", SAFE)
def test_web_urls_and_same_site_paths_are_links(value: str) -> None:
    assert is_safe_href(value)


@pytest.mark.parametrize("value", UNSAFE)
def test_other_addresses_are_never_links(value: str) -> None:
    assert not is_safe_href(value)


def test_the_browser_applies_the_same_rule(browser: Browser, data_dir: Path, tmp_path: Path) -> None:
    build_maps(data_dir, tmp_path / "maps", tiles="none")
    page, log = open_page(browser, tmp_path / "maps" / "index.html")
    verdicts = page.evaluate("cases => cases.map(c => window.HeritageMap.isSafeHref(c))", SAFE + UNSAFE)
    assert verdicts == [True] * len(SAFE) + [False] * len(UNSAFE)
    assert log.errors == []


@pytest.mark.parametrize("value", ["javascript:alert(1)", "../", "//evil.example/maps/", "example.org/maps", "https://"])
def test_base_url_must_be_an_absolute_web_address(value: str) -> None:
    with pytest.raises(HeritageMapError, match=r"--base-url .*: not an absolute http\(s\) address; fix: give the address"):
        base_url(value)


def test_base_url_gets_its_trailing_slash() -> None:
    assert base_url("https://example.org/karabakh-maps") == "https://example.org/karabakh-maps/"
    assert is_web_url("https://example.org/karabakh-maps/")


LABELS = [
    ("https://en.wikipedia.org/wiki/Kanach_Zham", "en.wikipedia.org: Kanach Zham"),
    ("https://hy.wikipedia.org/wiki/%D4%BF%D5%A1%D5%B6%D5%A1%D5%B9_%D4%BA%D5%A1%D5%B4", "hy.wikipedia.org: Կանաչ Ժամ"),
    ("https://hy.wikipedia.org/wiki/Կանաչ_Ժամ", "hy.wikipedia.org: Կանաչ Ժամ"),
    ("https://en.wikipedia.org/w/index.php?title=Shushi&oldid=1234", "en.wikipedia.org: Shushi"),
    ("https://en.wikipedia.org/w/index.php?oldid=1234&title=Shushi", "en.wikipedia.org: Shushi"),
    ("https://en.wikipedia.org/wiki/Shushi#History", "en.wikipedia.org: Shushi"),
    ("https://en.wikipedia.org/", "en.wikipedia.org"),
    ("https://www.massispost.com/2024/04/azerbaijanis-completely-destroy-kanach-zham/", "massispost.com"),
    ("https://caucasusheritage.cornell.edu/?p=1630", "caucasusheritage.cornell.edu"),
    ("HTTPS://EN.WIKIPEDIA.ORG/wiki/Shushi", "en.wikipedia.org: Shushi"),
    ("http://pop-stat.mashke.org/nkr-census.htm", "pop-stat.mashke.org"),
    ("https://evil.example/wiki/<b>x</b>", "evil.example"),  # not Wikipedia: no title taken from a path
    ("data/SOURCES.md", "data/SOURCES.md"),
    ("javascript:alert(1)", "javascript:alert(1)"),
]


@pytest.mark.parametrize(("url", "label"), LABELS)
def test_a_link_shows_its_site_and_a_wikipedia_articles_title(url: str, label: str) -> None:
    assert link_label(url) == label


def test_the_browser_names_links_by_the_same_rule(browser: Browser, data_dir: Path, tmp_path: Path) -> None:
    build_maps(data_dir, tmp_path / "maps", tiles="none")
    page, log = open_page(browser, tmp_path / "maps" / "index.html")
    labels = page.evaluate("cases => cases.map(c => window.HeritageMap.linkLabel(c))", [url for url, _ in LABELS])
    assert labels == [label for _, label in LABELS]
    assert log.errors == []
