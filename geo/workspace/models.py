"""What the workspace keeps in its own database besides Django's accounts: invitations.

Accounts are Django's users; a role is a Django group (`geo.workspace.roles`).
An admin invites an analyst or a reviewer with a one-time link: the invitee
chooses their own password (Django's validators apply), so no password ever
passes through the admin. Only the SHA-256 of the link's token is stored, so
a copy of the database cannot be used to accept an open invitation.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

INVITATION_DAYS = 7


def token_hash(token: str) -> str:
    """The SHA-256 of an invitation token, as stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Invitation(models.Model):
    """A pending account: its username, name and role, valid for one use within `INVITATION_DAYS`."""

    username = models.CharField(_("username"), max_length=40, unique=True)
    full_name = models.CharField(_("full name"), max_length=120)
    role = models.CharField(_("role"), max_length=20)
    token_sha256 = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        """Newest first."""

        ordering = ("-created_at",)

    @classmethod
    def issue(cls, username: str, full_name: str, role: str, created_by: Any) -> tuple[Invitation, str]:
        """A new invitation and its token (shown once, in the link; only its hash is kept)."""
        token = secrets.token_urlsafe(32)
        now = timezone.now()
        invitation = cls.objects.create(
            username=username,
            full_name=full_name,
            role=role,
            token_sha256=token_hash(token),
            created_by=created_by,
            created_at=now,
            expires_at=now + timedelta(days=INVITATION_DAYS),
        )
        return invitation, token

    @classmethod
    def open_for(cls, token: str) -> Invitation | None:
        """The unexpired, unused invitation `token` opens, or None."""
        return cls.objects.filter(token_sha256=token_hash(token), accepted_at__isnull=True, expires_at__gt=timezone.now()).first()

    @property
    def is_open(self) -> bool:
        """Neither used nor expired."""
        return self.accepted_at is None and self.expires_at > timezone.now()
