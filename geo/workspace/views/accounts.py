"""Logging in and out, invitations, and changing one's password (Django's views, the workspace's templates)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import SetPasswordForm
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from geo.workspace.forms import InviteForm
from geo.workspace.models import Invitation
from geo.workspace.roles import ROLE_LABELS, grant, require_role, role_of

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse


@require_role("admin")
@require_http_methods(["GET", "POST"])
def accounts(request: HttpRequest) -> HttpResponse:
    """The accounts and open invitations; an admin invites an analyst, a reviewer or another admin."""
    link = None
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _invitation, token = Invitation.issue(
            form.cleaned_data["username"], form.cleaned_data["full_name"], form.cleaned_data["role"], request.user
        )
        # The token is shown once, here; only its hash is kept.
        link = request.build_absolute_uri(reverse("accept_invitation", args=[token]))
        form = InviteForm()
    users = [
        {"user": user, "role": ROLE_LABELS.get(role_of(user) or "", "—")}
        for user in get_user_model().objects.order_by("username")
    ]
    open_invitations = [i for i in Invitation.objects.all() if i.is_open]
    return render(
        request, "workspace/accounts.html", {"form": form, "link": link, "users": users, "invitations": open_invitations}
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The invitee chooses a password (Django's validators apply) and the account is created; the link is then spent."""
    invitation = Invitation.open_for(token)
    if invitation is None:
        raise Http404(_("This invitation link is not valid: it was used, it expired, or it was mistyped."))
    user_model = get_user_model()
    first, _space, last = invitation.full_name.partition(" ")
    user = user_model(username=invitation.username, first_name=first, last_name=last)
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            spent = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(accepted_at=timezone.now())
            if not spent:
                raise Http404(_("This invitation link was just used."))
            form.save()
            grant(user, invitation.role)
        return render(request, "workspace/invitation_accepted.html", {"username": user.get_username()})
    return render(request, "workspace/accept_invitation.html", {"form": form, "invitation": invitation})


def home(request: HttpRequest) -> HttpResponse:
    """The review queue is the workspace's front page."""
    return redirect("queue")
