"""The workspace's views and permissions through Django's test client, against a real data folder and log."""

from __future__ import annotations

import io
import json
import re
import time
from typing import TYPE_CHECKING, Any

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from geo import observations
from geo.workspace import publish
from geo.workspace.config import Workspace, signing_key
from geo.workspace.roles import grant
from tests.layers import write_layers
from tests.signing import register_workspace

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.django_db

PASSWORD = "a long enough passphrase"
LIMIT = 200_000


@pytest.fixture
def workspace(settings: Any, tmp_path: Path) -> Workspace:
    found = Workspace(
        data_dir=write_layers(tmp_path / "layers"),
        state_dir=tmp_path / "state",
        maps_dir=tmp_path / "maps",
        max_upload_bytes=LIMIT,
        tiles="none",
    )
    found.state_dir.mkdir()
    register_workspace(found.data_dir, found.state_dir)
    settings.HERITAGE_WORKSPACE = found
    return found


def account(username: str, role: str) -> Any:
    user = get_user_model().objects.create_user(username, password=PASSWORD, first_name=username.title())
    grant(user, role)
    return user


def client_for(username: str, role: str) -> Client:
    client = Client()
    client.force_login(account(username, role))
    return client


def log(workspace: Workspace) -> list[dict[str, Any]]:
    return observations.read_log(workspace.log_path)


def png(size: int = 8) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (size, size), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def observation(**fields: Any) -> dict[str, Any]:
    return {
        "status": "threatened",
        "observed_on": "2024-06-01",
        "reported_on": "",
        "evidence_urls": "https://example.org/report",
        "before_scene": "",
        "after_scene": "",
        "note": "Earthmoving next to the church",
        "visibility": "public",
        **fields,
    }


def errors_of(html: str, field: str) -> str:
    """The text of the error list under `field`."""
    match = re.search(rf'id="field-{field}".*?(?:<ul class="errors" role="alert">(.*?)</ul>|</div>)', html, re.S)
    assert match, f"no field {field}"
    return re.sub(r"<[^>]+>", " ", match.group(1) or "")


# --- who reaches what --------------------------------------------------------------------------


PAGES = [
    "/",
    "/queue/",
    "/observation/obs-1/",
    "/observe/",
    "/observe/site-church/",
    "/import/",
    "/imagery/gaps/",
    "/imagery/changes/",
    "/publish/",
    "/audit/",
    "/accounts/",
    "/password/",
    "/maps/index.html",
    "/evidence/" + "0" * 64 + ".png",
    "/thumbnail/" + "0" * 64 + ".png",
    "/observation/obs-1/chip/before.png",
]


@pytest.mark.parametrize("page", PAGES)
def test_an_anonymous_visitor_is_sent_to_the_login_page(workspace: Workspace, page: str) -> None:
    response = Client().get(page)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


def test_anonymous_posts_write_nothing(workspace: Workspace) -> None:
    before = workspace.log_path.read_bytes()
    for page in ("/observe/site-church/", "/observation/obs-1/review/", "/publish/start/", "/import/commit/", "/accounts/"):
        assert Client().post(page, {"decision": "confirm"}).status_code == 302
    assert workspace.log_path.read_bytes() == before
    assert not (workspace.state_dir / publish.STATUS_FILE).exists()


def fetch(client: Client, path: str) -> tuple[int, bytes]:
    """Status and body of a GET, the file response closed."""
    response = client.get(path)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    response.close()
    return response.status_code, body


def test_the_login_page_and_its_styles_need_no_account(workspace: Workspace) -> None:
    assert Client().get("/login/").status_code == 200
    assert fetch(Client(), "/static/workspace/workspace.css")[0] == 200
    assert fetch(Client(), "/static/vendor/leaflet/leaflet.js")[0] == 200
    assert fetch(Client(), "/static/vendor/../../cli/serve.py")[0] == 404
    assert fetch(Client(), "/static/vendor/%2e%2e/%2e%2e/cli/serve.py")[0] == 404


def test_an_unknown_invitation_token_is_not_found(workspace: Workspace) -> None:
    assert Client().get("/invitation/not-a-token/").status_code == 404


def test_security_headers(workspace: Workspace) -> None:
    response = Client().get("/login/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_a_form_without_the_csrf_token_is_refused(workspace: Workspace) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(account("anna", "analyst"))
    before = workspace.log_path.read_bytes()
    response = client.post("/observe/site-church/", observation())
    assert response.status_code == 403
    assert "security token (CSRF)" in response.content.decode()
    assert workspace.log_path.read_bytes() == before


def test_five_wrong_passwords_lock_the_account(workspace: Workspace) -> None:
    account("anna", "analyst")
    client = Client()
    for _ in range(5):
        response = client.post("/login/", {"username": "anna", "password": "wrong"})
    assert response.status_code == 429
    response = client.post("/login/", {"username": "anna", "password": PASSWORD})
    assert response.status_code == 429
    assert "Account locked" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # another account is not locked by it
    account("bert", "reviewer")
    assert Client().post("/login/", {"username": "bert", "password": PASSWORD}).status_code == 302


def test_a_right_password_logs_in(workspace: Workspace) -> None:
    account("anna", "analyst")
    client = Client()
    response = client.post("/login/", {"username": "anna", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/queue/").status_code == 200


# --- the observation form -----------------------------------------------------------------------


def test_an_observation_is_recorded_for_the_logged_in_account(workspace: Workspace) -> None:
    client = client_for("anna", "analyst")
    response = client.post("/observe/site-church/", observation(reported_on="2024-06-03"))
    assert response.status_code == 302
    record = log(workspace)[-1]
    assert response["Location"] == f"/observation/{record['id']}/"
    assert re.fullmatch(r"obs-site-church-[0-9a-f]{8}", record["id"])
    assert record["analyst"] == "anna" and record["account"] == "anna"
    assert record["signer"] == signing_key(workspace).fingerprint
    assert record["origin"] == "monitor"
    assert record["reported_on"] == "2024-06-03"
    assert record["evidence"] == [{"url": "https://example.org/report"}]
    assert observations.verify_log(workspace.log_path, workspace.data_dir).ok


def test_an_evidence_image_is_hashed_and_stored_under_the_data_folder(workspace: Workspace) -> None:
    import hashlib

    client = client_for("anna", "analyst")
    photo = png()
    upload = SimpleUploadedFile("photo from the field.jpg", photo, content_type="image/jpeg")
    response = client.post("/observe/site-church/", {**observation(evidence_urls=""), "evidence_files": [upload]})
    assert response.status_code == 302
    sha = hashlib.sha256(photo).hexdigest()
    record = log(workspace)[-1]
    assert record["evidence"] == [{"file": f"evidence/{sha}.png", "sha256": sha}]
    assert (workspace.data_dir / "evidence" / f"{sha}.png").read_bytes() == photo
    assert observations.verify_log(workspace.log_path, workspace.data_dir).ok
    page = client.get(response["Location"]).content.decode()
    assert f"/thumbnail/{sha}.png" in page
    status, thumb = fetch(client, f"/thumbnail/{sha}.png")
    assert status == 200 and thumb.startswith(b"\x89PNG")
    assert fetch(client, f"/evidence/{sha}.png") == (200, photo)
    assert not list((workspace.state_dir / "uploads").iterdir())


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("photo.jpg", b"<html>not a picture</html>", "is not an image (JPEG, PNG, GIF, WebP, TIFF) or a PDF"),
        ("big.png", b"\x89PNG" + b"0" * (LIMIT + 1), "over the 0.191 MB limit for one file"),
    ],
)
def test_a_refused_upload_says_why_beside_its_field_and_writes_nothing(
    workspace: Workspace, name: str, content: bytes, message: str
) -> None:
    client = client_for("anna", "analyst")
    before = workspace.log_path.read_bytes()
    upload = SimpleUploadedFile(name, content, content_type="image/jpeg")
    response = client.post("/observe/site-church/", {**observation(), "evidence_files": [upload]})
    assert response.status_code == 422
    assert message in errors_of(response.content.decode(), "evidence_files")
    assert workspace.log_path.read_bytes() == before
    assert not (workspace.data_dir / "evidence").exists()


def test_every_problem_shows_beside_its_field_and_nothing_is_written(workspace: Workspace) -> None:
    client = client_for("anna", "analyst")
    before = workspace.log_path.read_bytes()
    response = client.post(
        "/observe/site-church/",
        observation(
            status="gone",
            observed_on="2999-01-01",
            reported_on="2024-13-01",
            evidence_urls="ftp://example.org/x",
            before_scene="scene-after",
            after_scene="scene-after",
            visibility="secret",
        ),
    )
    assert response.status_code == 200  # the form's own choices refuse status and visibility first
    html = response.content.decode()
    assert "Select a valid choice" in errors_of(html, "status")
    assert "Select a valid choice" in errors_of(html, "visibility")
    response = client.post(
        "/observe/site-church/",
        observation(
            observed_on="2999-01-01",
            reported_on="2024-13-01",
            evidence_urls="ftp://example.org/x",
            before_scene="scene-after",
            after_scene="scene-after",
        ),
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "2999-01-01 is after today" in errors_of(html, "observed_on")
    assert "is not a calendar date" in errors_of(html, "reported_on")
    assert "uses scheme &#x27;ftp&#x27;" in errors_of(html, "evidence_urls")
    assert "is also the before scene" in errors_of(html, "after_scene")
    assert workspace.log_path.read_bytes() == before


def test_the_form_offers_the_scenes_that_cover_the_site(workspace: Workspace) -> None:
    html = client_for("anna", "analyst").get("/observe/site-church/").content.decode()
    assert '<option value="scene-before">' in html and '<option value="scene-after">' in html
    html = client_for("bert", "analyst").get("/observe/site-cemetery/").content.decode()
    assert "scene-before" not in html
    assert "No scene in the catalog covers this site." in html


def test_sites_are_found_by_a_name_in_any_script(workspace: Workspace) -> None:
    client = client_for("anna", "analyst")
    assert "/observe/site-church/" in client.get("/observe/", {"q": "Եկեղեցի"}).content.decode()
    html = client.get("/observe/", {"q": "cemetery two"}).content.decode()
    assert "/observe/site-cemetery/" in html and "/observe/site-church/" not in html


def test_markup_and_template_syntax_in_a_note_are_shown_as_text(workspace: Workspace) -> None:
    client = client_for("anna", "analyst")
    note = "<script>alert(1)</script> <b>bold</b> {{ request.user }} {% csrf_token %}"
    response = client.post("/observe/site-church/", observation(note=note))
    page = client.get(response["Location"]).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;bold&lt;/b&gt; {{ request.user }} {% csrf_token %}" in page
    assert "<script>alert(1)" not in page and "<b>bold</b>" not in page
    assert log(workspace)[-1]["note"] == note


# --- review -------------------------------------------------------------------------------------


def test_the_author_cannot_confirm_their_own_observation(workspace: Workspace) -> None:
    author = client_for("anna", "reviewer")
    author.post("/observe/site-church/", observation())
    observation_id = log(workspace)[-1]["id"]
    page = author.get(f"/observation/{observation_id}/").content.decode()
    assert "You recorded this observation" in page and 'value="confirm"' not in page
    before = workspace.log_path.read_bytes()
    response = author.post(f"/observation/{observation_id}/review/", {"decision": "confirm"}, follow=True)
    assert "Refused: you recorded this observation" in response.content.decode()
    assert workspace.log_path.read_bytes() == before


def test_a_second_reviewer_confirms_and_the_queue_empties(workspace: Workspace) -> None:
    client_for("anna", "analyst").post("/observe/site-church/", observation())
    observation_id = log(workspace)[-1]["id"]
    reviewer = client_for("bert", "reviewer")
    queue = reviewer.get("/queue/").content.decode()
    assert observation_id in queue and "Anna (anna)" in queue
    response = reviewer.post(f"/observation/{observation_id}/review/", {"decision": "confirm", "note": "agreed"})
    assert response.status_code == 302
    review = log(workspace)[-1]
    assert (review["kind"], review["of"], review["decision"], review["analyst"], review["account"], review["note"]) == (
        "review",
        observation_id,
        "confirm",
        "bert",
        "bert",
        "agreed",
    )
    assert observations.decisions(log(workspace))[observation_id] == "confirmed"
    assert observations.verify_log(workspace.log_path, workspace.data_dir).ok
    assert f"/observation/{observation_id}/" not in reviewer.get("/queue/").content.decode()
    again = reviewer.post(f"/observation/{observation_id}/review/", {"decision": "reject"}, follow=True)
    assert "already confirmed" in again.content.decode()


def test_an_analyst_cannot_review(workspace: Workspace) -> None:
    client_for("anna", "analyst").post("/observe/site-church/", observation())
    before = workspace.log_path.read_bytes()
    response = client_for("carl", "analyst").post("/observation/obs-site-church-1/review/", {"decision": "confirm"})
    assert response.status_code == 403
    assert workspace.log_path.read_bytes() == before


def test_an_observation_page_shows_the_site_the_scenes_and_the_history(workspace: Workspace) -> None:
    html = client_for("anna", "analyst").get("/observation/obs-1/").content.decode()
    assert "Church One" in html and "Եկեղեցի" in html
    assert 'class="small-map"' in html and 'data-lat="39.758800"' in html
    assert "scene-before" in html and "scene-after" in html
    assert "https://example.org/fixture" in html
    assert "razed" in html


# --- imports ------------------------------------------------------------------------------------

CSV_HEADER = "site_id;status;observed_on;analyst;evidence;note;_uuid\n"


def upload_csv(client: Client, text: str, ignore: str = "") -> Any:
    export = SimpleUploadedFile("kobo.csv", text.encode("utf-8"), content_type="text/csv")
    return client.post("/import/", {"export": export, "ignore": ignore})


def test_an_import_is_previewed_then_committed_once(workspace: Workspace) -> None:
    client = client_for("anna", "analyst")
    text = CSV_HEADER + "site-church;threatened;2024-06-01;Field A;https://example.org/a;one;u1\n"
    text += "site-cemetery;damaged;2024-06-02;Field B;https://example.org/b;two;u2\n"
    before = workspace.log_path.read_bytes()
    preview = upload_csv(client, text)
    html = preview.content.decode()
    assert "2 new, 0 already imported, 0 invalid." in html
    assert workspace.log_path.read_bytes() == before
    token = re.search(r'name="token" value="([0-9a-f]+)"', html).group(1)
    assert client.post("/import/commit/", {"token": token}).status_code == 302
    added = log(workspace)[-2:]
    assert [(r["site_id"], r["analyst"], r["observer"]) for r in added] == [
        ("site-church", "anna", "Field A"),
        ("site-cemetery", "anna", "Field B"),
    ]
    assert [r["form"]["submission_id"] for r in added] == ["u1", "u2"]
    again = upload_csv(client, text).content.decode()
    assert "0 new, 2 already imported, 0 invalid." in again
    assert f"in the log as {added[0]['id']}" in again
    assert "nothing to import" in again


def test_an_import_with_an_invalid_row_writes_nothing(workspace: Workspace) -> None:
    client = client_for("anna", "analyst")
    text = CSV_HEADER + "site-church;threatened;2024-06-01;Field A;https://example.org/a;one;u1\n"
    text += "site-nowhere;damaged;2024-06-02;Field B;;two;u2\n"
    html = upload_csv(client, text).content.decode()
    assert "1 new, 0 already imported, 1 invalid." in html
    assert "&#x27;site-nowhere&#x27; is not in heritage_sites.geojson" in html
    assert 'name="token"' not in html
    token = client.session["workspace_import"]["token"]
    before = workspace.log_path.read_bytes()
    response = client.post("/import/commit/", {"token": token}, follow=True)
    assert "Nothing was imported" in response.content.decode()
    assert workspace.log_path.read_bytes() == before


def test_an_export_with_unknown_columns_is_refused_by_name_unless_skipped(workspace: Workspace) -> None:
    client = client_for("anna", "analyst")
    text = "site_id,status,observed_on,analyst,evidence,start,weather,crew\nsite-church,unknown,2024-06-01,Field A,,x,y,z\n"
    html = upload_csv(client, text).content.decode()
    assert "unknown [&#x27;weather&#x27;, &#x27;crew&#x27;]" in html
    html = upload_csv(client, text, ignore="weather crew").content.decode()
    assert "1 new, 0 already imported, 0 invalid." in html
    token = re.search(r'name="token" value="([0-9a-f]+)"', html).group(1)
    assert client.post("/import/commit/", {"token": token}).status_code == 302
    assert log(workspace)[-1]["observer"] == "Field A"


# --- imagery, publish, audit, accounts ----------------------------------------------------------


def test_gaps_are_a_sortable_table_linked_to_the_sites(workspace: Workspace) -> None:
    client = client_for("anna", "analyst")
    html = client.get("/imagery/gaps/", {"days": "30"}).content.decode()
    assert "3 of 3 sites have no covering scene" in html
    assert html.index("site-bridge") < html.index("site-church")
    html = client.get("/imagery/gaps/", {"days": "30", "sort": "site_id", "order": "desc"}).content.decode()
    body = html[html.index("<tbody>") :]
    assert body.index("site-church") < body.index("site-cemetery") < body.index("site-bridge")
    assert 'aria-sort="descending"' in html and 'href="/observe/site-church/"' in html


def test_changes_page_lists_no_pair_without_local_rasters(workspace: Workspace) -> None:
    html = client_for("anna", "analyst").get("/imagery/changes/").content.decode()
    assert "0 of 3 sites have a before/after pair of local rasters." in html


def test_publish_validates_builds_and_links_the_maps(workspace: Workspace) -> None:
    client = client_for("rita", "reviewer")
    assert client.post("/publish/start/").status_code == 302
    deadline = time.monotonic() + 180
    while publish.status(workspace).running and time.monotonic() < deadline:
        time.sleep(0.5)
    status = publish.status(workspace)
    assert status.state == "succeeded", status.messages
    assert status.by == "rita" and status.files_written > 5
    assert (workspace.maps_dir / "sites" / "site-church.html").is_file()
    html = client.get("/publish/").content.decode()
    assert 'href="/maps/index.html"' in html
    page = client.get("/maps/sites/site-church.html")
    assert page.status_code == 200 and "Content-Security-Policy" not in page
    assert b"Church One" in b"".join(page.streaming_content)
    page.close()


def test_two_publishes_never_run_at_once(workspace: Workspace) -> None:
    from filelock import FileLock

    client = client_for("rita", "reviewer")
    held = FileLock(str(workspace.state_dir / publish.LOCK_FILE))
    with held:  # another server process publishing on the same state folder
        response = client.post("/publish/start/", follow=True)
        assert "A publish is already running" in response.content.decode()
    assert publish.status(workspace).state == "never"


def test_an_analyst_cannot_publish(workspace: Workspace) -> None:
    assert client_for("anna", "analyst").post("/publish/start/").status_code == 403


def test_a_failed_validation_is_the_outcome_and_the_maps_stay(workspace: Workspace) -> None:
    (workspace.data_dir / "routes.geojson").write_text("{not json", encoding="utf-8")
    client_for("rita", "reviewer").post("/publish/start/")
    deadline = time.monotonic() + 120
    while publish.status(workspace).running and time.monotonic() < deadline:
        time.sleep(0.5)
    status = publish.status(workspace)
    assert status.state == "failed"
    assert any("routes.geojson" in line for line in status.messages)
    assert not workspace.maps_dir.exists()


def test_audit_shows_verify_the_head_and_who_did_what(workspace: Workspace) -> None:
    client_for("anna", "analyst").post("/observe/site-church/", observation())
    observation_id = log(workspace)[-1]["id"]
    client_for("bert", "reviewer").post(f"/observation/{observation_id}/review/", {"decision": "reject", "note": "no"})
    html = client_for("carl", "analyst").get("/audit/").content.decode()
    head = log(workspace)[-1]["hash"]
    assert "Intact: 4 records" in html and head in html
    assert "reject by Bert (bert)" in html and "Anna (anna)" in html


def test_audit_names_a_changed_record(workspace: Workspace) -> None:
    text = workspace.log_path.read_text(encoding="utf-8").replace("razed", "intact")
    workspace.log_path.write_text(text, encoding="utf-8")
    html = client_for("carl", "analyst").get("/audit/").content.decode()
    assert "problem found" in html and "the record was changed after it was written" in html


def test_an_admin_invites_a_reviewer_who_sets_their_own_password(workspace: Workspace) -> None:
    admin = client_for("ada", "admin")
    html = admin.post("/accounts/", {"username": "rita", "full_name": "Rita Reviewer", "role": "reviewer"}).content.decode()
    link = re.search(r'id="invitation-link" type="text" readonly value="([^"]+)"', html).group(1)
    path = link.removeprefix("http://testserver")
    guest = Client()
    assert "You were invited as Rita Reviewer" in guest.get(path).content.decode()
    weak = guest.post(path, {"new_password1": "rita", "new_password2": "rita"})
    assert "This password is too short" in weak.content.decode()
    assert guest.post(path, {"new_password1": PASSWORD, "new_password2": PASSWORD}).status_code == 200
    assert guest.get(path).status_code == 404  # spent
    assert guest.post("/login/", {"username": "rita", "password": PASSWORD}).status_code == 302
    assert "Reviewer" in guest.get("/queue/").content.decode()
    assert admin.post("/accounts/", {"username": "rita", "full_name": "R", "role": "analyst"}).status_code == 200
    assert get_user_model().objects.filter(username="rita").count() == 1


def test_only_an_admin_manages_accounts(workspace: Workspace) -> None:
    assert client_for("bert", "reviewer").get("/accounts/").status_code == 403
    assert (
        client_for("anna", "analyst").post("/accounts/", {"username": "x1", "full_name": "X", "role": "admin"}).status_code == 403
    )


def test_a_broken_log_is_shown_as_its_one_line(workspace: Workspace) -> None:
    with workspace.log_path.open("ab") as handle:
        handle.write(b'{"torn')
    response = client_for("anna", "analyst").get("/queue/")
    assert response.status_code == 409
    assert "torn last line" in response.content.decode()


def test_invitation_tokens_are_stored_hashed(workspace: Workspace) -> None:
    from geo.workspace.models import Invitation

    admin = client_for("ada", "admin")
    html = admin.post("/accounts/", {"username": "rita", "full_name": "Rita R", "role": "reviewer"}).content.decode()
    token = re.search(r"/invitation/([^/]+)/", html).group(1)
    stored = Invitation.objects.get(username="rita").token_sha256
    assert token not in json.dumps(list(Invitation.objects.values()), default=str)
    assert len(stored) == 64


def test_published_maps_carry_no_account_name_and_no_internal_record(workspace: Workspace) -> None:
    zoya, yuri = client_for("zoya", "analyst"), client_for("yuri", "reviewer")
    zoya.post("/observe/site-church/", observation(note="public note", observed_on="2024-06-01"))
    zoya.post("/observe/site-cemetery/", observation(note="internal-note-xyz", visibility="internal"))
    for observation_id in [r["id"] for r in log(workspace)[-2:]]:
        assert yuri.post(f"/observation/{observation_id}/review/", {"decision": "confirm"}).status_code == 302
    yuri.post("/publish/start/")
    deadline = time.monotonic() + 180
    while publish.status(workspace).running and time.monotonic() < deadline:
        time.sleep(0.5)
    assert publish.status(workspace).state == "succeeded"
    text = "".join(p.read_text(encoding="utf-8", errors="replace") for p in workspace.maps_dir.rglob("*") if p.is_file())
    assert "public note" in text
    for private in ("zoya", "yuri", "internal-note-xyz", "Zoya"):
        assert private not in text


def test_a_status_without_evidence_is_refused_beside_the_evidence(workspace: Workspace) -> None:
    before = workspace.log_path.read_bytes()
    response = client_for("anna", "analyst").post("/observe/site-church/", observation(evidence_urls=""))
    assert response.status_code == 422
    assert "status &#x27;threatened&#x27; needs evidence" in errors_of(response.content.decode(), "evidence_urls")
    assert workspace.log_path.read_bytes() == before
