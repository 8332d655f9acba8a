"""Who may do what: a role is a Django group, checked by the server on every request that needs it.

- analyst: records observations and imports form exports;
- reviewer: also confirms or rejects other people's observations, and publishes;
- admin: also invites accounts. `heritage-map serve --create-admin` makes the first one.

Every page needs a login (Django's `LoginRequiredMiddleware`); these checks
come on top, so a hidden button is never the only guard.
"""

from __future__ import annotations

from functools import wraps
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.http import HttpRequest

ROLES: tuple[str, ...] = ("analyst", "reviewer", "admin")
ROLE_LABELS = {"analyst": _("Analyst"), "reviewer": _("Reviewer"), "admin": _("Admin")}
REVIEWERS: tuple[str, ...] = ("reviewer", "admin")


def role_of(user: Any) -> str | None:
    """The strongest role of `user`, or None for an anonymous visitor or an account without one."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    names = set(user.groups.values_list("name", flat=True))
    if user.is_superuser:
        names.add("admin")
    return next((role for role in reversed(ROLES) if role in names), None)


def grant(user: Any, role: str) -> None:
    """Put `user` in the group of `role` (created on first use)."""
    from django.contrib.auth.models import Group

    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    group, _created = Group.objects.get_or_create(name=role)
    user.groups.add(group)


def require_role(*roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A view decorator: 403 unless the logged-in account holds one of `roles`."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if role_of(request.user) not in roles:
                raise PermissionDenied(_("Your account's role does not allow this."))
            return view(request, *args, **kwargs)

        return checked

    return decorate


def context(request: HttpRequest) -> dict[str, Any]:
    """`role`, `can_review` and `is_admin` for every template."""
    role = role_of(request.user)
    return {"role": role, "role_label": ROLE_LABELS.get(role or ""), "can_review": role in REVIEWERS, "is_admin": role == "admin"}
