"""The workspace as a Django application."""

from __future__ import annotations

from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    """Templates, static files, the invitation model and the roles' groups."""

    name = "geo.workspace"
    label = "workspace"
    verbose_name = "Heritage monitors' workspace"
    default_auto_field = "django.db.models.BigAutoField"
