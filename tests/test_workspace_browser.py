"""The workspace in Debian's Chromium against `heritage-map serve` running on 127.0.0.1 (started and stopped here).

The browser reaches nothing but the server: every other request is aborted
and recorded. One server serves the module; each test opens its own browser
contexts (separate cookies: separate people).
"""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING, Any

import pytest
from PIL import Image

from geo import observations
from tests.layers import write_layers
from tests.signing import register_workspace
from tests.workspace_server import PASSWORD, Server, create_admin, running_workspace

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from playwright.sync_api import Browser, BrowserContext, Page

pytestmark = pytest.mark.browser

MAX_UPLOAD_MB = "0.05"
PUBLISH_MS = 240_000


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("workspace")
    data, state = write_layers(root / "layers"), root / "state"
    create_admin(data, state, "ada", "Ada Admin")
    register_workspace(data, state)  # an admin registers the workspace's signing key in the keyring
    with running_workspace(data, state, root / "maps", "--tiles", "none", "--max-upload-mb", MAX_UPLOAD_MB) as running:
        yield running


class Offsite(list[str]):
    """Requests the pages tried to send anywhere but the workspace (each one aborted)."""


OFFSITE: dict[int, Offsite] = {}
"""Each browser context's offsite requests, by the context's id."""


def person(browser: Browser, server: Server) -> tuple[BrowserContext, Offsite]:
    """A new browser context (its own cookies) that may reach the workspace and nothing else."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    offsite = Offsite()

    def route(request_route: Any) -> None:
        url = request_route.request.url
        if url.startswith(server.url + "/"):
            request_route.continue_()
        else:
            offsite.append(url)
            request_route.abort()

    context.route("**/*", route)
    OFFSITE[id(context)] = offsite
    return context, offsite


def log_in(browser: Browser, server: Server, username: str, password: str = PASSWORD) -> Page:
    context, _ = person(browser, server)
    page = context.new_page()
    page.goto(server.url + "/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button:has-text('Log in')")
    page.wait_for_url(re.compile(r".*/queue/$"))
    return page


@pytest.fixture(scope="module")
def team(browser: Browser, server: Server) -> dict[str, str]:
    """The admin invites an analyst and two reviewers through the browser; each sets a password from the link."""
    admin = log_in(browser, server, "ada")
    roles = {"anna": "analyst", "bert": "reviewer", "cleo": "reviewer", "locky": "analyst"}
    for username, role in roles.items():
        admin.goto(server.url + "/accounts/")
        admin.fill("#id_username", username)
        admin.fill("#id_full_name", f"{username.title()} Example")
        admin.select_option("#id_role", role)
        admin.click("button:has-text('Create the invitation link')")
        link = admin.locator("#invitation-link").input_value()
        guest, _ = person(browser, server)
        page = guest.new_page()
        page.goto(link)
        page.fill("#id_new_password1", PASSWORD)
        page.fill("#id_new_password2", PASSWORD)
        page.click("button:has-text('Create my account')")
        assert "is ready" in page.locator("main").inner_text()
        guest.close()
    admin.context.close()
    return roles


def png_file(folder: Path, name: str, size: int = 16) -> Path:
    out = io.BytesIO()
    Image.new("RGB", (size, size), (30, 120, 200)).save(out, format="PNG")
    path = folder / name
    path.write_bytes(out.getvalue())
    return path


def open_form(page: Page, server: Server, search: str, site_id: str) -> None:
    page.goto(server.url + "/observe/")
    page.fill("#q", search)
    page.click("button:has-text('Search')")
    page.click(f"a[href='/observe/{site_id}/']")
    page.wait_for_url(re.compile(rf".*/observe/{site_id}/$"))


def fill_form(page: Page, note: str, files: list[Path] = (), urls: str = "https://example.org/report") -> None:  # type: ignore[assignment]
    page.select_option("#id_status", "threatened")
    page.fill("#id_observed_on", "2024-06-01")
    page.fill("#id_evidence_urls", urls)
    if files:
        page.set_input_files("#id_evidence_files", [str(f) for f in files])
    page.fill("#id_note", note)


def submit(page: Page) -> None:
    page.click("button:has-text('Record the observation')")


def recorded_id(page: Page) -> str:
    page.wait_for_url(re.compile(r".*/observation/obs-[^/]+/$"))
    return page.url.rstrip("/").rsplit("/", 1)[1]


def records(server: Server) -> list[dict[str, Any]]:
    return observations.read_log(server.data_dir / "observations.jsonl")


def test_add_with_a_file_confirm_by_another_account_and_publish(
    browser: Browser, server: Server, team: dict[str, str], tmp_path: Path
) -> None:
    anna = log_in(browser, server, "anna")
    open_form(anna, server, "Եկեղեցի", "site-church")
    fill_form(anna, "Earthmoving next to the church", [png_file(tmp_path, "field photo.png")])
    submit(anna)
    observation_id = recorded_id(anna)
    assert "under review" in anna.locator("h1").inner_text()
    anna.locator(".small-map[data-ready='1'] .leaflet-interactive").wait_for()  # vendored Leaflet drew the site
    thumb = anna.locator("img.thumb")
    thumb.wait_for()
    assert anna.evaluate("img => img.naturalWidth", thumb.element_handle()) == 16
    record = next(r for r in records(server) if r.get("id") == observation_id)
    assert record["analyst"] == "anna" and record["evidence"][1]["file"].startswith("evidence/")

    bert = log_in(browser, server, "bert")
    assert observation_id in bert.locator("table.queue").inner_text()
    bert.click(f"a[href='/observation/{observation_id}/']")
    bert.fill("#id_note", "The after scene shows it")
    bert.click("button[value='confirm']")
    bert.wait_for_url(re.compile(r".*/queue/$"))
    assert f"{observation_id} is confirmed" in bert.locator(".messages").inner_text()

    bert.goto(server.url + "/publish/")
    bert.click("button:has-text('Publish now')")
    bert.locator("#publish-state[data-state='succeeded'], #publish-state[data-state='failed']").wait_for(timeout=PUBLISH_MS)
    assert bert.locator("#publish-state").get_attribute("data-state") == "succeeded", bert.locator("main").inner_text()
    bert.click("a:has-text('Open the published maps')")
    bert.goto(server.url + "/maps/sites/site-church.html")
    status = bert.locator(".hm-status-line").inner_text()
    assert "Threatened" in status and "2024-06-01" in status
    for page in (anna, bert):
        assert OFFSITE[id(page.context)] == []
        page.context.close()


def forge_review(page: Page, observation_id: str) -> None:
    """Post a confirm from the page as a hand-made form would, with the page's own CSRF token."""
    page.evaluate(
        """id => {
            const form = document.createElement('form');
            form.method = 'post';
            form.action = '/observation/' + id + '/review/';
            for (const [name, value] of [['decision', 'confirm'],
                ['csrfmiddlewaretoken', document.querySelector('input[name=csrfmiddlewaretoken]').value]]) {
                const input = document.createElement('input');
                input.type = 'hidden'; input.name = name; input.value = value; form.appendChild(input);
            }
            document.body.appendChild(form);
            form.submit();
        }""",
        observation_id,
    )


def test_the_author_s_confirm_is_refused_by_the_server(browser: Browser, server: Server, team: dict[str, str]) -> None:
    cleo = log_in(browser, server, "cleo")
    open_form(cleo, server, "cemetery", "site-cemetery")
    fill_form(cleo, "Graves disturbed")
    submit(cleo)
    observation_id = recorded_id(cleo)
    assert "You recorded this observation" in cleo.locator("section.review").inner_text()
    assert cleo.locator("button[value='confirm']").count() == 0
    before = records(server)
    with cleo.expect_navigation(url=re.compile(rf".*/observation/{observation_id}/$")):
        forge_review(cleo, observation_id)
    cleo.wait_for_load_state()
    assert "Refused: you recorded this observation" in cleo.locator(".messages").inner_text()
    assert records(server) == before
    cleo.context.close()


def test_a_form_posted_without_the_csrf_token_gets_403(browser: Browser, server: Server, team: dict[str, str]) -> None:
    anna = log_in(browser, server, "anna")
    open_form(anna, server, "church", "site-church")
    before = records(server)
    anna.evaluate("document.querySelector('form.observation input[name=csrfmiddlewaretoken]').remove()")
    fill_form(anna, "no token")
    with anna.expect_navigation() as posted:
        submit(anna)
    assert posted.value is not None and posted.value.status == 403
    assert "security token (CSRF)" in anna.locator("main").inner_text()
    assert records(server) == before
    anna.context.close()


def test_repeated_wrong_passwords_lock_the_account(browser: Browser, server: Server, team: dict[str, str]) -> None:
    context, _ = person(browser, server)
    page = context.new_page()
    page.goto(server.url + "/login/")
    for _ in range(5):
        page.fill("#id_username", "locky")
        page.fill("#id_password", "not the password")
        with page.expect_navigation():
            page.click("button:has-text('Log in')")
        if "Account locked" in page.locator("h1").inner_text():
            break
        assert "Please enter a correct username and password" in page.locator("main").inner_text()
    page.goto(server.url + "/login/")
    page.fill("#id_username", "locky")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation() as answered:
        page.click("button:has-text('Log in')")
    assert answered.value is not None and answered.value.status == 429
    assert "Account locked" in page.locator("h1").inner_text()
    page.goto(server.url + "/queue/")
    assert page.url.startswith(server.url + "/login/")
    context.close()


def test_markup_and_template_syntax_in_a_note_show_as_text(browser: Browser, server: Server, team: dict[str, str]) -> None:
    note = '<img src=x onerror="document.title=\'pwned\'"><b>bold</b> {{ 7|add:"7" }} {% now "Y" %} ${1+1}'
    anna = log_in(browser, server, "anna")
    dialogs: list[str] = []
    anna.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    open_form(anna, server, "church", "site-church")
    fill_form(anna, note)
    submit(anna)
    recorded_id(anna)
    shown = anna.locator("section.claim dd.note")
    assert shown.inner_text() == note
    assert shown.locator("img, b").count() == 0
    assert anna.title() != "pwned" and dialogs == []
    anna.goto(server.url + "/audit/")
    assert anna.locator("img[src=x]").count() == 0
    anna.context.close()


def test_two_browsers_adding_at_once_lose_nothing(browser: Browser, server: Server, team: dict[str, str]) -> None:
    pages = [log_in(browser, server, name) for name in ("anna", "bert", "anna", "bert")]
    for number, page in enumerate(pages):
        open_form(page, server, "church", "site-church")
        fill_form(page, f"simultaneous {number}")
    before = len(records(server))
    for page in pages:  # submitted without waiting: the server takes all four requests at once
        page.evaluate("document.querySelector('form.observation').requestSubmit()")
    ids = [recorded_id(page) for page in pages]
    assert len(set(ids)) == 4
    after = records(server)
    assert len(after) == before + 4
    notes = sorted(r["note"] for r in after if str(r.get("note", "")).startswith("simultaneous"))
    assert notes == [f"simultaneous {n}" for n in range(4)]
    assert observations.verify_log(server.data_dir / "observations.jsonl", server.data_dir).ok
    for page in pages:
        page.context.close()


def test_an_oversized_upload_and_a_non_image_are_refused_with_a_clear_message(
    browser: Browser, server: Server, team: dict[str, str], tmp_path: Path
) -> None:
    anna = log_in(browser, server, "anna")
    big = png_file(tmp_path, "big.png", size=600)
    big.write_bytes(big.read_bytes() + b"\0" * 60_000)
    fake = tmp_path / "photo.jpg"
    fake.write_text("<html>this is not a photo</html>", encoding="utf-8")
    before = records(server)
    open_form(anna, server, "church", "site-church")
    fill_form(anna, "two bad files", [big, fake])
    with anna.expect_navigation() as answered:
        submit(anna)
    assert answered.value is not None and answered.value.status == 422
    errors = anna.locator("#field-evidence_files .errors").inner_text()
    assert "'big.png' is" in errors and "over the 0.05 MB limit for one file" in errors
    assert "'photo.jpg' is not an image (JPEG, PNG, GIF, WebP, TIFF) or a PDF" in errors
    assert "Nothing was recorded" in anna.locator(".errors-summary").inner_text()
    assert records(server) == before
    assert not (server.data_dir / "evidence" / "big.png").exists()
    anna.context.close()


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/queue/",
        "/observe/site-church/",
        "/import/",
        "/imagery/gaps/",
        "/publish/",
        "/audit/",
        "/accounts/",
        "/maps/index.html",
    ],
)
def test_an_anonymous_visitor_reaches_only_the_login_page(browser: Browser, server: Server, path: str) -> None:
    context, offsite = person(browser, server)
    page = context.new_page()
    page.goto(server.url + path)
    assert page.url.startswith(server.url + "/login/")
    assert page.locator("h1").inner_text() == "Log in"
    assert offsite == []
    context.close()
