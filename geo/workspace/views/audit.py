"""The audit: the `verify` result, the log's head, and who recorded and reviewed what and when (internal only)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.shortcuts import render
from django.views.decorators.http import require_GET

from geo import observations
from geo.errors import HeritageMapError
from geo.workspace.views._shared import data_error, names, workspace

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse


@require_GET
def audit(request: HttpRequest) -> HttpResponse:
    """Verify the chain and every evidence file now; list every observation with its author and its reviews."""
    ws = workspace()
    try:
        report = observations.verify_log(ws.log_path, ws.data_dir)
        # Every record that parsed, broken or not: read_log refuses a broken log, and the audit is where it is read.
        log = observations.scan_log(ws.log_path).records
    except HeritageMapError as error:
        return data_error(request, error)
    decided = observations.decisions(log)
    reviews: dict[str, list[dict[str, Any]]] = {}
    for record in log:
        if record.get("kind") == "review":
            reviews.setdefault(str(record.get("of")), []).append(record)
    rows = [
        {"record": r, "state": observations.review_state(r, decided), "reviews": reviews.get(str(r.get("id")), [])}
        for r in reversed(log)
        if r.get("kind") == "observation"
    ]
    return render(
        request,
        "workspace/audit.html",
        {
            "report": report,
            "problems": [p.message() for p in report.problems],
            "rows": rows,
            "names": names(get_user_model()),
            "log": ws.log_path.name,
        },
    )
