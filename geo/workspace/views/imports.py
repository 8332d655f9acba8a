"""Imports by upload: a KoBoToolbox or ODK export previewed row by row, then committed all or nothing.

Each row is new, already imported (the log holds an observation from the same
form submission, by its `_uuid` or `instanceID`; for a CSV that is not a form
export, one with the same site, status, date, observer, scenes, evidence and
note), or invalid with the
reasons `observe import` would give. The upload waits in the state folder
between the preview and the commit, and is checked again at the commit
against the log as it is then.
"""

from __future__ import annotations

import secrets
from datetime import date
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from geo import drafts
from geo.errors import HeritageMapError, Problem
from geo.observations import file_name
from geo.workspace import records, uploads
from geo.workspace.config import signing_key
from geo.workspace.forms import ImportForm, problem_text
from geo.workspace.roles import ROLES, require_role
from geo.workspace.views._shared import account, data_error, read_log, workspace

if TYPE_CHECKING:
    from pathlib import Path

    from django.http import HttpRequest, HttpResponse

    from geo.errors import Where

IMPORTS = "imports"
SESSION_KEY = "workspace_import"


def _fingerprint(record: dict[str, Any] | drafts.Draft) -> tuple[Any, ...]:
    """What makes two observations the same submission: its form's submission id, or (evidence compared by its
    text: URL or path as given) its content.
    """
    get = record.get if isinstance(record, dict) else lambda name: getattr(record, name, None)
    form = get("form")
    if isinstance(form, dict) and form.get("submission_id"):
        return ("submission", form.get("tool"), form["submission_id"])
    evidence = get("evidence") or ()
    items = sorted(str(e.get("url") or e.get("file")) if isinstance(e, dict) else str(e) for e in evidence)
    observer = get("observer") if isinstance(record, dict) and get("signature") else get("analyst")
    analyst = " ".join(str(observer or "").split()).casefold()
    return (
        get("site_id"),
        get("status"),
        get("observed_on"),
        analyst,
        get("before_scene"),
        get("after_scene"),
        tuple(items),
        get("note") or None,
    )


def preview(
    csv_path: Path, data_dir: Path, log: list[dict[str, Any]], ignore: list[str]
) -> tuple[list[dict[str, Any]], list[Problem]]:
    """Each row of the export with its fate (`new`, `imported` with the id, `invalid` with why), and file-level problems.

    Evidence files named in the export are read from the data folder.
    """
    rows, malformed = drafts.read_import_csv(csv_path, ignore)
    existing = {_fingerprint(r): r.get("id") for r in log if r.get("kind") == "observation"}
    labelled: list[tuple[Where, drafts.Draft]] = [({"line": line}, draft) for line, draft in rows]
    _records, problems = drafts.prepare_observations(labelled, data_dir, data_dir, date.today())
    by_line: dict[int | None, list[Problem]] = {}
    for problem in [*malformed, *problems]:
        by_line.setdefault(problem.line, []).append(problem)
    shown: list[dict[str, Any]] = [
        {"line": p.line, "draft": None, "fate": "invalid", "problems": [problem_text(p)], "id": None} for p in malformed
    ]
    for line, draft in rows:
        row_problems = by_line.get(line, [])
        same = existing.get(_fingerprint(draft))
        fate = "invalid" if row_problems else ("imported" if same else "new")
        shown.append(
            {"line": line, "draft": draft, "fate": fate, "problems": [problem_text(p) for p in row_problems], "id": same}
        )
    shown.sort(key=lambda row: row["line"] or 0)
    return shown, [p for p in problems if p.line is None]


@require_http_methods(["GET", "POST"])
@require_role(*ROLES)
def upload(request: HttpRequest) -> HttpResponse:
    """Upload an export and see what committing it would do."""
    ws = workspace()
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method != "POST" or not form.is_valid():
        return render(request, "workspace/import.html", {"form": form})
    export = form.cleaned_data["export"]
    if export.size > ws.max_upload_bytes:
        form.add_error(
            "export",
            _("The file is %(size)s, over the %(limit)s limit.")
            % {"size": uploads.megabytes(export.size), "limit": uploads.megabytes(ws.max_upload_bytes)},
        )
        return render(request, "workspace/import.html", {"form": form}, status=422)
    token = secrets.token_hex(16)
    folder = ws.state_dir / IMPORTS
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / f"{token}.csv"
    with path.open("wb") as handle:
        for chunk in export.chunks():
            handle.write(chunk)
    try:
        rows, general = preview(path, ws.data_dir, read_log(), form.ignored())
    except HeritageMapError as error:
        path.unlink()
        form.add_error("export", problem_text(error.problem) if error.problem else str(error))
        return render(request, "workspace/import.html", {"form": form}, status=422)
    request.session[SESSION_KEY] = {"token": token, "name": file_name(export.name or "export.csv"), "ignore": form.ignored()}
    counts = {fate: sum(r["fate"] == fate for r in rows) for fate in ("new", "imported", "invalid")}
    return render(
        request,
        "workspace/import_preview.html",
        {
            "rows": rows,
            "counts": counts,
            "general": [problem_text(p) for p in general],
            "token": token,
            "name": request.session[SESSION_KEY]["name"],
        },
    )


@require_POST
@require_role(*ROLES)
def commit(request: HttpRequest) -> HttpResponse:
    """Write every new row, or none when any row is invalid now (the log may have changed since the preview)."""
    ws = workspace()
    pending = request.session.get(SESSION_KEY)
    if not pending or pending.get("token") != request.POST.get("token"):
        raise Http404(_("No import is waiting: upload the export again."))
    path = ws.state_dir / IMPORTS / f"{pending['token']}.csv"
    if not path.is_file():
        raise Http404(_("No import is waiting: upload the export again."))
    try:
        log = read_log()
        rows, general = preview(path, ws.data_dir, log, pending.get("ignore", []))
        if general or any(row["fate"] == "invalid" for row in rows):
            messages.error(request, _("Nothing was imported: some rows are invalid. Correct the export and upload it again."))
            return redirect("import")
        new: list[tuple[Where, drafts.Draft]] = [({"line": row["line"]}, row["draft"]) for row in rows if row["fate"] == "new"]
        # The preview just checked these same drafts against the same files: no problem can be left.
        prepared, _problems = drafts.prepare_observations(new, ws.data_dir, ws.data_dir, date.today())
        change = records.NewObservations(tuple(prepared))
        written = records.write(ws.log_path, signing_key(ws), account(request), change) if prepared else []
    except HeritageMapError as error:
        return data_error(request, error)
    path.unlink()
    del request.session[SESSION_KEY]
    skipped = sum(row["fate"] == "imported" for row in rows)
    messages.success(
        request,
        _("Imported %(new)d observation(s) from %(name)s; %(skipped)d already imported were skipped. Each awaits review.")
        % {"new": len(written), "name": pending["name"], "skipped": skipped},
    )
    return redirect("queue")
