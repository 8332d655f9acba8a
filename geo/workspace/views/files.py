"""Files the workspace serves: its own static files and vendored Leaflet, evidence files and thumbnails, the published maps.

A small view instead of a static-file server: every path is joined with
Django's `safe_join` (no `..`, no absolute paths), and everything but the
workspace's own scripts and styles needs a login (the middleware's default).
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import TYPE_CHECKING

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import SuspiciousFileOperation
from django.http import FileResponse, Http404
from django.utils._os import safe_join
from django.views.decorators.http import require_GET

from geo.workspace import uploads
from geo.workspace.views._shared import workspace

if TYPE_CHECKING:
    from django.http import HttpRequest

STATIC_ROOTS = {
    "workspace": Path(__file__).resolve().parents[1] / "static" / "workspace",
    "vendor": Path(__file__).resolve().parents[2] / "static" / "vendor",
}
THUMBNAILS = "thumbnails"


def _file(root: Path, relative: str) -> Path:
    try:
        path = Path(safe_join(str(root), relative))
    except SuspiciousFileOperation:
        raise Http404(relative) from None
    if not path.is_file():
        raise Http404(relative)
    return path


def _response(path: Path, content_type: str | None = None, attachment: bool = False) -> FileResponse:
    guessed = content_type or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return FileResponse(path.open("rb"), content_type=guessed, as_attachment=attachment, filename=path.name)


@login_not_required
@require_GET
def static(request: HttpRequest, root: str, path: str) -> FileResponse:
    """The workspace's stylesheet and scripts, and the vendored Leaflet (the login page needs them too)."""
    if root not in STATIC_ROOTS:
        raise Http404(root)
    return _response(_file(STATIC_ROOTS[root], path))


@require_GET
def evidence(request: HttpRequest, name: str) -> FileResponse:
    """An uploaded evidence file, by its stored name (`<sha256>.<ext>`); a PDF is downloaded, never shown inline."""
    path = uploads.stored_file(workspace().data_dir, name)
    if path is None:
        raise Http404(name)
    kind = path.suffix.lstrip(".")
    return _response(path, uploads.CONTENT_TYPES[kind], attachment=kind == "pdf")


@require_GET
def thumbnail(request: HttpRequest, name: str) -> FileResponse:
    """A small PNG of an uploaded image, made once and kept in the state folder."""
    ws = workspace()
    path = uploads.stored_file(ws.data_dir, name)
    small = uploads.thumbnail(path, ws.state_dir / THUMBNAILS) if path else None
    if small is None:
        raise Http404(name)
    return _response(small, "image/png")


@require_GET
def maps(request: HttpRequest, path: str) -> FileResponse:
    """The published maps, as the last publish left them."""
    return _response(_file(workspace().maps_dir, path or "index.html"))
