"""What every page needs: the workspace, the logged-in account, the log, and the library's errors shown as a page."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.shortcuts import render

from geo import observations
from geo.workspace.records import Account
from geo.workspace.roles import role_of

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

    from geo.errors import HeritageMapError
    from geo.workspace.config import Workspace


def workspace() -> Workspace:
    """The workspace this server runs (`geo.workspace.config`)."""
    found: Workspace = settings.HERITAGE_WORKSPACE
    return found


def account(request: HttpRequest) -> Account:
    """The logged-in account, as the log's writer sees it."""
    user: Any = request.user
    return Account(username=user.get_username(), full_name=user.get_full_name(), role=role_of(user) or "")


def read_log() -> list[dict[str, Any]]:
    """Every record of the workspace's log."""
    return observations.read_log(workspace().log_path)


def is_author(record: dict[str, Any], username: str) -> bool:
    """True when `username` is the observation's author, compared as the library compares analysts."""
    return " ".join(str(record.get("analyst", "")).split()).casefold() == username.casefold()


def data_error(request: HttpRequest, error: HeritageMapError, status: int = 409) -> HttpResponse:
    """A library error (a broken log, an unreadable layer) as a page: its one line, and the fix it names."""
    return render(request, "workspace/error.html", {"error": str(error), "problems": error.problems}, status=status)


def names(user_model: Any) -> dict[str, str]:
    """Each account's username mapped to its full name (for the internal views; never published)."""
    return {u.username: (u.get_full_name() or u.username) for u in user_model.objects.all()}
