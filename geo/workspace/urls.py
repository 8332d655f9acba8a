"""The workspace's addresses."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path, re_path

from geo.workspace.views import accounts, audit, files, imagery, imports, observe, publish, queue

urlpatterns = [
    path("", accounts.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="workspace/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(template_name="workspace/password.html", success_url="/queue/"),
        name="password_change",
    ),
    path("accounts/", accounts.accounts, name="accounts"),
    path("invitation/<str:token>/", accounts.accept_invitation, name="accept_invitation"),
    path("queue/", queue.queue, name="queue"),
    path("observation/<str:observation_id>/", queue.observation, name="observation"),
    path("observation/<str:observation_id>/review/", queue.review, name="review"),
    path("observation/<str:observation_id>/chip/<str:side>.png", queue.chip, name="chip"),
    path("observe/", observe.search, name="search"),
    path("observe/<str:site_id>/", observe.add, name="observe"),
    path("import/", imports.upload, name="import"),
    path("import/commit/", imports.commit, name="import_commit"),
    path("imagery/gaps/", imagery.gaps, name="gaps"),
    path("imagery/changes/", imagery.changes, name="changes"),
    path("publish/", publish.page, name="publish"),
    path("publish/start/", publish.start, name="publish_start"),
    path("audit/", audit.audit, name="audit"),
    path("evidence/<str:name>", files.evidence, name="evidence"),
    path("thumbnail/<str:name>", files.thumbnail, name="thumbnail"),
    re_path(r"^static/(?P<root>workspace|vendor)/(?P<path>.+)$", files.static, name="static"),
    re_path(r"^maps/(?P<path>.*)$", files.maps, name="maps"),
]
