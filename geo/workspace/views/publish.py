"""Publish: validate, then build the maps in the background; its progress and outcome; the published maps."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from geo.workspace import publish as publishing
from geo.workspace.roles import REVIEWERS, require_role
from geo.workspace.views._shared import workspace

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

REFRESH_SECONDS = 2


@require_GET
def page(request: HttpRequest) -> HttpResponse:
    """The last publish (refreshing itself while one runs) and the button that starts the next."""
    ws = workspace()
    status = publishing.status(ws)
    published = (ws.maps_dir / "index.html").is_file()
    return render(
        request,
        "workspace/publish.html",
        {"status": publishing.summary(status), "published": published, "refresh": REFRESH_SECONDS if status.running else None},
    )


@require_POST
@require_role(*REVIEWERS)
def start(request: HttpRequest) -> HttpResponse:
    """Start a publish; refused while one is running (here or in another server process on the same state folder)."""
    if publishing.start(workspace(), request.user.get_username()):
        messages.success(request, _("Publishing: validating the data, then building the maps."))
    else:
        messages.error(request, _("A publish is already running; wait for it to finish."))
    return redirect("publish")
