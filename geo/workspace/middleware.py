"""The Content-Security-Policy of the workspace's own pages (Django 5.2 sets every other security header itself)."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.http import HttpRequest, HttpResponse

MAPS_PREFIX = "/maps/"


def tile_url(tiles: str) -> str | None:
    """The basemap URL template of the workspace's small maps (xyzservices), or None for no basemap."""
    import xyzservices.providers as xyz

    if tiles == "none":
        return None
    provider = xyz.Esri.WorldImagery if tiles == "satellite" else xyz.OpenStreetMap.Mapnik
    return str(provider.build_url())


def policy(tiles: str) -> str:
    """Scripts, styles and everything else from this server only; images also from the basemap's tile host."""
    url = tile_url(tiles)
    tile_host = f" {urlsplit(url).scheme}://{urlsplit(url).hostname}" if url else ""
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        f"img-src 'self' data:{tile_host}; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


def content_security_policy(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    """Add the policy to every page but the published maps (which inline their own scripts, as published)."""
    header = policy(settings.HERITAGE_WORKSPACE.tiles)

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if not request.path.startswith(MAPS_PREFIX):
            response.headers.setdefault("Content-Security-Policy", header)
        return response

    return middleware
