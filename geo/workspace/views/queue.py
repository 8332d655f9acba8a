"""The review queue: pending observations oldest first, one observation whole, and the reviewer's decision."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from geo import observations
from geo.errors import HeritageMapError
from geo.imagery import local_image
from geo.workspace import records, sites, uploads
from geo.workspace.config import signing_key
from geo.workspace.forms import ReviewForm
from geo.workspace.roles import REVIEWERS, require_role, role_of
from geo.workspace.views._shared import account, data_error, is_author, names, read_log, workspace

if TYPE_CHECKING:
    from django.http import HttpRequest


def _evidence(record: dict[str, Any]) -> list[dict[str, Any]]:
    """Each evidence item as the page shows it: a link, or a hashed file (with its stored name when uploaded here)."""
    shown: list[dict[str, Any]] = []
    for item in record.get("evidence") or []:
        if not isinstance(item, dict):
            continue
        if "url" in item:
            url = str(item["url"])
            shown.append({"url": url if url.startswith(("https://", "http://")) else None, "text": url})
        elif "file" in item:
            stored = str(item["file"]).removeprefix("evidence/")
            found = uploads.stored_file(workspace().data_dir, stored)
            shown.append(
                {
                    "file": str(item["file"]),
                    "sha256": item.get("sha256"),
                    "stored": stored if found else None,
                    "image": bool(found) and not stored.endswith(".pdf"),
                }
            )
    return shown


@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """Pending observations, oldest first (the order they were recorded in)."""
    try:
        log = read_log()
        known = sites.read_sites(workspace().data_dir)
    except HeritageMapError as error:
        return data_error(request, error)
    decided = observations.decisions(log)
    pending = [
        {"record": r, "site": known.get(str(r.get("site_id"))), "mine": is_author(r, request.user.get_username())}
        for r in log
        if r.get("kind") == "observation" and observations.review_state(r, decided) == "pending"
    ]
    return render(request, "workspace/queue.html", {"pending": pending, "names": names(get_user_model())})


def _find(log: list[dict[str, Any]], observation_id: str) -> dict[str, Any]:
    found = next((r for r in log if r.get("kind") == "observation" and r.get("id") == observation_id), None)
    if found is None:
        raise Http404(_("No observation with this id."))
    return found


@require_GET
def observation(request: HttpRequest, observation_id: str) -> HttpResponse:
    """One observation whole: the site in three scripts and on a small map, the claim, the evidence, the imagery, the history."""
    ws = workspace()
    try:
        log = read_log()
        record = _find(log, observation_id)
        site = sites.read_sites(ws.data_dir).get(str(record.get("site_id")))
        paired = sites.observation_imagery(ws.data_dir, record)
    except HeritageMapError as error:
        return data_error(request, error)
    state = observations.review_state(record, observations.decisions(log))
    pair = paired[1] if paired else None
    context = {
        "record": record,
        "state": state,
        "site": site,
        "evidence": _evidence(record),
        "before": sites.scene_summaries(ws.data_dir, [pair.before["id"]]).get(pair.before["id"])
        if pair and pair.before
        else None,
        "after": sites.scene_summaries(ws.data_dir, [pair.after["id"]]).get(pair.after["id"]) if pair and pair.after else None,
        "inferred": pair.inferred if pair else (),
        "chips": bool(
            pair and pair.before and pair.after and local_image(pair.before, ws.data_dir) and local_image(pair.after, ws.data_dir)
        ),
        "history": sites.site_log(log, str(record.get("site_id"))),
        "mine": is_author(record, request.user.get_username()),
        "may_review": role_of(request.user) in REVIEWERS,
        "form": ReviewForm(),
        "names": names(get_user_model()),
        "tile_url": _tile_url(),
    }
    return render(request, "workspace/observation.html", context)


def _tile_url() -> str | None:
    from geo.workspace.middleware import tile_url

    return tile_url(workspace().tiles)


@require_POST
@require_role(*REVIEWERS)
def review(request: HttpRequest, observation_id: str) -> HttpResponse:
    """Confirm or reject: refused by the server for the observation's author, whatever the page showed."""
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose confirm or reject."))
        return redirect("observation", observation_id=observation_id)
    ws = workspace()
    try:
        record = _find(read_log(), observation_id)
        if is_author(record, request.user.get_username()):
            messages.error(request, _("Refused: you recorded this observation, so a second person must review it."))
            return redirect("observation", observation_id=observation_id)
        change = records.NewReview(observation_id, form.cleaned_data["decision"], form.cleaned_data["note"] or None)
        written = records.write(ws.log_path, signing_key(ws), account(request), change)[0]
    except HeritageMapError as error:
        problem = error.problem
        messages.error(request, _("Refused: %(why)s") % {"why": f"{problem.found}; {problem.fix}" if problem else error})
        return redirect("observation", observation_id=observation_id)
    messages.success(
        request,
        _("Recorded %(review)s: %(observation)s is %(state)s.")
        % {
            "review": written["id"],
            "observation": observation_id,
            "state": _("confirmed") if written["decision"] == "confirm" else _("rejected"),
        },
    )
    return redirect("queue")


@require_GET
def chip(request: HttpRequest, observation_id: str, side: str) -> HttpResponse:
    """The before or after image chip of an observation's pair, cut from the local raster (404 when there is none)."""
    from geo import chips

    if side not in ("before", "after"):
        raise Http404(side)
    ws = workspace()
    try:
        record = _find(read_log(), observation_id)
        paired = sites.observation_imagery(ws.data_dir, record)
    except HeritageMapError as error:
        return data_error(request, error)
    row, pair = paired if paired else (None, None)
    if pair is None or pair.before is None or pair.after is None:
        raise Http404(_("No before/after pair."))
    found = chips.site_change(row, pair.before, pair.after, ws.data_dir)
    if found is None:
        raise Http404(_("The rasters are not on this server."))
    picture = found[1] if side == "before" else found[2]
    return HttpResponse(chips.png_bytes(chips.stretch(picture)), content_type="image/png")
