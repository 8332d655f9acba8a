"""The observation form: find a site, then record what the evidence shows; the checks are `observe add`'s."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from geo import drafts
from geo.errors import HeritageMapError
from geo.workspace import records, sites, uploads
from geo.workspace.config import signing_key
from geo.workspace.forms import ObservationForm, reported_on_problem
from geo.workspace.roles import ROLES, require_role
from geo.workspace.views._shared import account, data_error, workspace

if TYPE_CHECKING:
    from pathlib import Path

    from django.http import HttpRequest, HttpResponse

    from geo.errors import Where


@require_GET
@require_role(*ROLES)
def search(request: HttpRequest) -> HttpResponse:
    """Sites whose id, names (any script) or settlement hold every word searched for."""
    query = request.GET.get("q", "").strip()
    try:
        found = sites.search(sites.read_sites(workspace().data_dir), query) if query else []
    except HeritageMapError as error:
        return data_error(request, error)
    return render(request, "workspace/search.html", {"query": query, "found": found, "limit": sites.SEARCH_LIMIT})


@require_http_methods(["GET", "POST"])
@require_role(*ROLES)
def add(request: HttpRequest, site_id: str) -> HttpResponse:
    """Record one observation of a site; every problem is shown beside its field and nothing is written until none is left."""
    ws = workspace()
    try:
        site = sites.read_sites(ws.data_dir).get(site_id)
        if site is None:
            raise Http404(_("No heritage site with this id."))
        scenes = sites.covering_scenes(ws.data_dir, site_id)
    except HeritageMapError as error:
        return data_error(request, error)
    form = ObservationForm(
        request.POST or None, request.FILES or None, scenes=scenes, max_upload=uploads.megabytes(ws.max_upload_bytes)
    )
    context = {"site": site, "form": form, "scenes": scenes, "files_sent": bool(request.FILES)}
    if request.method != "POST" or not form.is_valid():
        return render(request, "workspace/observe.html", context)
    staging = uploads.new_staging(ws.state_dir)
    try:
        written = _record(request, form, site_id, staging)
    except HeritageMapError as error:
        return data_error(request, error)
    finally:
        uploads.discard(staging)
    if written is None:
        return render(request, "workspace/observe.html", context, status=422)
    messages.success(request, _("Recorded %(id)s: it awaits a second person's review.") % {"id": written})
    return redirect("observation", observation_id=written)


def _record(request: HttpRequest, form: ObservationForm, site_id: str, staging: Path) -> str | None:
    """Check everything, then keep the files and append the record; None (with the form's errors set) when refused."""
    ws = workspace()
    data = form.cleaned_data
    staged, problems = uploads.stage(data["evidence_files"], staging, ws.max_upload_bytes)
    today = date.today()
    draft = drafts.Draft(
        site_id=site_id,
        status=data["status"],
        observed_on=data["observed_on"].strip(),
        analyst=request.user.get_username(),
        before_scene=data["before_scene"] or None,
        after_scene=data["after_scene"] or None,
        evidence=(*form.evidence_urls_list(), *(item.relative for item in staged)),
        note=data["note"] or None,
        visibility=data["visibility"],
    )
    where: Where = {"kind": "new observation of", "feature": site_id}
    prepared, found = drafts.prepare_observations([(where, draft)], ws.data_dir, staging, today)
    problems.extend(found)
    reported_on = data["reported_on"].strip()
    if reported_on and (late := reported_on_problem(reported_on, draft.observed_on, today)):
        problems.append(late)
    if problems:
        form.show(problems)
        return None
    if reported_on:
        prepared[0]["reported_on"] = reported_on
    uploads.keep(staged, ws.data_dir)
    written = records.write(ws.log_path, signing_key(ws), account(request), records.NewObservations(tuple(prepared)))
    return str(written[0]["id"])
