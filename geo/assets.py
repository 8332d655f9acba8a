"""The scripts and stylesheets a map needs, served from this package, never a CDN.

Stock folium links about ten files from CDNs, so its maps show a blank page
without network. `localize` swaps every link in a map for the vendored copy
(see `geo/static/vendor/README.md` for where each file comes from): inlined
into the page (`inline`, one self-contained file) or linked relatively
(`link`), the build copying the files `asset_files` names beside the page. Links to assets we do not vendor and do not need
(jQuery, Bootstrap, Font Awesome) are dropped; any other unknown link is an
error rather than a silent network request.
"""

from __future__ import annotations

import base64
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from branca.element import Element, Figure

from geo.errors import AssetError

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

Mode = Literal["inline", "link"]

STATIC = Path(__file__).parent / "static"

# folium's resource name -> our file, relative to geo/static.
VENDORED: dict[str, str] = {
    "leaflet": "vendor/leaflet/leaflet.js",
    "leaflet_css": "vendor/leaflet/leaflet.css",
    "Control.Fullscreen.js": "vendor/leaflet-fullscreen/Control.FullScreen.js",
    "Control.FullScreen.css": "vendor/leaflet-fullscreen/Control.FullScreen.css",
    "Control_MiniMap_js": "vendor/leaflet-minimap/Control.MiniMap.min.js",
    "Control_MiniMap_css": "vendor/leaflet-minimap/Control.MiniMap.min.css",
    "topojson_client": "vendor/topojson-client/topojson-client.min.js",
    "minisearch": "vendor/minisearch/minisearch.js",
    "context_js": "context.js",
    "context_css": "context.css",
    "heritage_js": "heritage.js",
    "heritage_css": "heritage.css",
    "legend_js": "legend.js",
    "layout_js": "layout.js",
    "search_js": "search.js",
    "search_css": "search.css",
    "timeline_js": "timeline.js",
    "timeline_css": "timeline.css",
    "maplinks_js": "maplinks.js",
    "i18n_hy": "i18n/hy.js",
    "i18n_ru": "i18n/ru.js",
    "i18n_js": "i18n.js",
}

# The page's language (i18n.js) and the catalogs it reads come with heritage.js, before every script of ours.
WITH_HERITAGE = ("i18n_hy", "i18n_ru", "i18n_js")

# Scripts that add to the `window.HeritageMap` namespace heritage.js defines, so they load after it.
EXTENDS_HERITAGE = frozenset({"search_js", "search_css", "timeline_js", "timeline_css", "maplinks_js"})

# What folium.Map links by default and our maps do not use.
UNUSED = frozenset(
    {
        "jquery",
        "bootstrap",
        "bootstrap_css",
        "glyphicons_css",
        "awesome_markers",
        "awesome_markers_css",
        "awesome_rotate_css",
        "awesome_markers_font_css",
    }
)

_CSS_URL = re.compile(r"url\((['\"]?)(?!data:|#|https?:)([^)'\"]+)\1\)")


@dataclass(frozen=True)
class _Resource:
    name: str
    path: str

    @property
    def is_css(self) -> bool:
        return self.path.endswith(".css")


def localize(figure: Figure, mode: Mode = "inline") -> list[str]:
    """Replace every CDN link under `figure` by vendored assets; return their paths.

    In `link` mode the page links `assets/<path>`: it sits beside the `assets/` folder.
    """
    resources_needed: list[_Resource] = []
    for element in _walk(figure):
        for attribute in ("default_js", "default_css"):
            links = getattr(element, attribute, None)
            if not links:
                continue
            for name, url in links:
                if name in UNUSED:
                    continue
                if name not in VENDORED:
                    raise AssetError(
                        f"{type(element).__name__} links {name!r} ({url}), which is not vendored; add it to geo/assets.py"
                    )
                for needed in (*WITH_HERITAGE, name) if name == "heritage_js" else (name,):
                    resource = _Resource(needed, VENDORED[needed])
                    if resource not in resources_needed:
                        resources_needed.append(resource)
            setattr(element, attribute, [])
    ordered = sorted(resources_needed, key=_load_order)
    for resource in ordered:
        figure.header.add_child(_element_for(resource, mode), name=resource.name)
    return [r.path for r in ordered]


def _load_order(resource: _Resource) -> int:
    """Leaflet first, then the page's language and its catalogs, the other libraries and scripts, heritage.js, and
    the scripts that extend it.
    """
    if resource.name.startswith("leaflet"):
        return 0
    if resource.name in WITH_HERITAGE:
        return 1
    if resource.name in EXTENDS_HERITAGE:
        return 4
    return 3 if resource.name.startswith("heritage") else 2


def asset_files(paths: Iterable[str]) -> dict[str, Path]:
    """The vendored files for `paths` (under `geo/static`), and the images their stylesheets name: where each goes
    under the output's `assets/` folder, and the file it is copied from.
    """
    files: dict[str, Path] = {}
    for path in paths:
        files[path] = STATIC / path
        if path.endswith(".css"):
            for _, ref in _CSS_URL.findall((STATIC / path).read_text(encoding="utf-8")):
                image = (Path(path).parent / ref).as_posix()
                files[image] = STATIC / image
    return files


def _walk(element: Element) -> Iterator[Element]:
    yield element
    for child in list(element._children.values()):
        yield from _walk(child)


def _element_for(resource: _Resource, mode: Mode) -> Element:
    if mode == "link":
        href = f"assets/{resource.path}"
        if resource.is_css:
            return Element(f'<link rel="stylesheet" href="{href}">')
        return Element(f'<script src="{href}"></script>')
    text = (STATIC / resource.path).read_text(encoding="utf-8")
    if resource.is_css:
        return Element(f"<style>{_inline_css_urls(text, resource.path)}</style>")
    if "</script" in text.lower():
        raise AssetError(f"{resource.path} contains '</script' and cannot be inlined")
    return Element(f"<script>{text}</script>")


def _inline_css_urls(css: str, css_path: str) -> str:
    """Turn `url(images/x.png)` into data URIs so inlined CSS needs no files."""

    def to_data_uri(match: re.Match[str]) -> str:
        ref = match.group(2)
        image = STATIC / str(Path(css_path).parent / ref)
        mime = mimetypes.guess_type(ref)[0] or "application/octet-stream"
        return f"url(data:{mime};base64,{base64.b64encode(image.read_bytes()).decode('ascii')})"

    return _CSS_URL.sub(to_data_uri, css)
