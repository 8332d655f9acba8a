"""geo.observations: reading the log, review state, site histories, checks, CSV import."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import TYPE_CHECKING, Any

import pytest
from shapely.geometry import Point, box

from geo.drafts import Draft, draft_problems, evidence_entries, read_import_csv
from geo.errors import ObservationError
from geo.observations import (
    add_review,
    append_records,
    decisions,
    new_id,
    public_record,
    read_log,
    site_histories,
)
from tests.layers import observation_chain
from tests.signing import register, signer, team

if TYPE_CHECKING:
    from pathlib import Path

TODAY = date(2024, 6, 1)
SITES = {"church": Point(46.75, 39.76), "unlocated": None}
SCENES = {"wide": box(46.7, 39.7, 46.8, 39.8), "elsewhere": box(45.0, 40.0, 45.1, 40.1), "nofootprint": None}


def obs(obs_id: str, site: str = "church", analyst: str = "Ann", **fields: Any) -> dict[str, Any]:
    return {
        "kind": "observation",
        "id": obs_id,
        "site_id": site,
        "status": "damaged",
        "observed_on": "2024-01-10",
        "recorded_at": "2024-02-01T10:00:00Z",
        "evidence": [{"url": "https://example.org/report"}],
        "analyst": analyst,
        "origin": "monitor",
        "visibility": "public",
        **fields,
    }


def rev(of: str, analyst: str, decision: str = "confirm", rev_id: str | None = None) -> dict[str, Any]:
    return {
        "kind": "review",
        "id": rev_id or f"rev-{of}-{analyst}",
        "of": of,
        "decision": decision,
        "analyst": analyst,
        "note": None,
        "recorded_at": "2024-02-02T10:00:00Z",
    }


def write_log(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text(observation_chain(records), encoding="utf-8")
    return path


# --- read_log -------------------------------------------------------------------------------


def test_missing_log_is_empty(tmp_path: Path) -> None:
    assert read_log(tmp_path / "absent.jsonl") == []


def test_read_log_returns_records_in_order(tmp_path: Path) -> None:
    log = write_log(tmp_path / "log.jsonl", [obs("a"), obs("b")])
    assert [r["id"] for r in read_log(log)] == ["a", "b"]


def test_read_log_names_file_and_line_of_a_bad_line(tmp_path: Path) -> None:
    log = tmp_path / "log.jsonl"
    log.write_text(observation_chain([obs("a")]) + "not json\n" + observation_chain([obs("b")]), encoding="utf-8")
    with pytest.raises(ObservationError, match=r"log\.jsonl: line 2: not a JSON record: unreadable JSON"):
        read_log(log)


def test_read_log_refuses_a_torn_tail_and_says_how_to_move_it(tmp_path: Path) -> None:
    log = tmp_path / "log.jsonl"
    log.write_text(observation_chain([obs("a")]) + '{"kind": "obs', encoding="utf-8")
    with pytest.raises(ObservationError, match=r"line 2: torn last line .*verify --quarantine-tail"):
        read_log(log)


# --- public_record --------------------------------------------------------------------------


def test_public_record_drops_names_contacts_hashes_and_local_folders() -> None:
    record = obs(
        "a",
        analyst="Ann Example <ann@example.org>",
        contact="+374 10 123456",
        evidence=[{"url": "https://example.org/r"}, {"file": "/srv/field-kit/ann/evidence/after.png", "sha256": "ab"}],
        prev_hash="0" * 64,
        hash="1" * 64,
        future_field="kept internal until listed",
    )
    public = public_record(record)
    assert not {"contact", "analyst", "prev_hash", "hash", "future_field"} & set(public)
    assert public["evidence"] == [{"url": "https://example.org/r"}, {"file": "after.png", "sha256": "ab"}]
    assert record["contact"] == "+374 10 123456", "the input record is not changed"


def test_public_record_drops_a_windows_folder_too() -> None:
    record = obs("a", evidence=[{"file": "C:\\Users\\ann.petrosyan\\Desktop\\after.png", "sha256": "ab"}])
    assert public_record(record)["evidence"] == [{"file": "after.png", "sha256": "ab"}]


def test_public_record_of_a_review_keeps_no_reviewer() -> None:
    assert public_record(rev("a", "Bob")) == {k: v for k, v in rev("a", "Bob").items() if k != "analyst"}


# --- review state and histories -------------------------------------------------------------


def test_a_review_by_another_analyst_confirms() -> None:
    assert decisions([obs("a"), rev("a", "Bob")]) == {"a": "confirmed"}


def test_a_review_by_the_author_decides_nothing_whatever_the_case_or_spacing() -> None:
    assert decisions([obs("a", analyst="Ann  Lee"), rev("a", "ann lee")]) == {}


def test_the_first_decision_stands() -> None:
    records = [obs("a"), rev("a", "Bob", "reject"), rev("a", "Cat", "confirm")]
    assert decisions(records) == {"a": "rejected"}


def test_a_review_before_its_observation_decides_nothing() -> None:
    assert decisions([rev("a", "Bob"), obs("a")]) == {}


def test_a_published_finding_is_confirmed_by_publication() -> None:
    assert decisions([obs("a", origin="published", published_by="Caucasus Heritage Watch")]) == {"a": "confirmed"}


def test_history_current_is_the_latest_confirmed_by_observed_on_then_recorded_at() -> None:
    records = [
        obs("late", observed_on="2024-03-01", status="destroyed"),
        obs("early", observed_on="2023-05", status="damaged"),
        obs("same-day-later", observed_on="2024-03-01", recorded_at="2024-04-01T00:00:00Z", status="threatened"),
        obs("pending", observed_on="2024-05-01", status="intact"),
        obs("rejected", observed_on="2024-05-02", status="intact"),
        rev("late", "Bob"),
        rev("early", "Bob"),
        rev("same-day-later", "Bob"),
        rev("rejected", "Bob", "reject"),
    ]
    history = site_histories(records, public_only=False)["church"]
    assert history.current is not None and history.current["id"] == "same-day-later"
    assert [r["id"] for r in history.confirmed] == ["early", "late", "same-day-later"]
    assert [r["id"] for r in history.pending] == ["pending"]


def test_a_site_with_only_pending_observations_has_no_current_status() -> None:
    history = site_histories([obs("a")], public_only=False)["church"]
    assert history.current is None and history.confirmed == [] and [r["id"] for r in history.pending] == ["a"]


def test_public_histories_leave_out_internal_records_and_contacts() -> None:
    records = [
        obs("public", contact="ann@example.org"),
        rev("public", "Bob"),
        obs("secret", observed_on="2024-05-01", status="destroyed", visibility="internal"),
        rev("secret", "Bob"),
        obs("secret-pending", visibility="internal"),
    ]
    public = site_histories(records, public_only=True)["church"]
    assert public.current is not None and public.current["id"] == "public"
    assert "contact" not in public.current
    assert public.pending == []
    internal = site_histories(records, public_only=False)["church"]
    assert internal.current is not None and internal.current["id"] == "secret"
    assert internal.current["visibility"] == "internal"


# --- reviews through the writer -------------------------------------------------------------


@pytest.fixture
def log(tmp_path: Path) -> Path:
    """Four legacy (unsigned) observations, then a keyring: Admin, Ann (analyst), Bob and Cat (reviewers)."""
    (tmp_path / "layers").mkdir()
    path = write_log(
        tmp_path / "layers" / "observations.jsonl",
        [
            obs("a"),
            obs("pub", origin="published", published_by="CHW"),
            obs("bare", evidence=[]),
            obs("u", status="unknown", evidence=[]),
        ],
    )
    team(path.parent)
    return path


def key(log: Path, name: str) -> Any:
    return signer(log.parent, log.parent.parent / "keys" / f"{name}_ed25519")


def test_review_is_recorded_with_its_own_id(log: Path) -> None:
    review = add_review(log, "a", "confirm", key(log, "Bob"), "matches the after scene")
    assert review["id"].startswith("rev-a-") and review["of"] == "a" and review["decision"] == "confirm"
    assert review["analyst"] == "Bob" and review["signer"].startswith("SHA256:")
    assert read_log(log)[-1]["hash"] == review["hash"]


@pytest.mark.parametrize(
    ("of", "analyst", "message"),
    [
        ("nope", "Bob", r"observation 'nope': not in the log"),
        ("a", "ANN", r"observation 'a': field 'signer': 'ANN' is its author 'Ann'"),
        ("pub", "Bob", r"observation 'pub': already confirmed by publication"),
        ("bare", "Bob", r"observation 'bare': field 'evidence': a damaged status that cites no evidence"),
    ],
)
def test_refused_reviews_write_nothing(log: Path, of: str, analyst: str, message: str) -> None:
    """A legacy observation's author, by name, cannot confirm it with a key registered under that name either."""
    if analyst == "ANN":
        register(log.parent, "ANN", "reviewer", log.parent.parent / "keys" / "Admin_ed25519")
    before = log.read_bytes()
    with pytest.raises(ObservationError, match=message):
        add_review(log, of, "confirm", key(log, analyst))
    assert log.read_bytes() == before


def test_a_second_decision_is_refused(log: Path) -> None:
    add_review(log, "a", "reject", key(log, "Bob"))
    with pytest.raises(ObservationError, match=r"observation 'a': already rejected by an earlier review"):
        add_review(log, "a", "confirm", key(log, "Cat"))


def test_append_records_refuses_an_id_already_in_the_log(log: Path) -> None:
    with pytest.raises(ObservationError, match=r"record 'a': field 'id': already in the log"):
        append_records(log, [obs("a")])


def test_new_ids_are_random_and_never_one_already_used() -> None:
    used: set[object] = {"obs-x-1"}
    made = {new_id("obs-x", used) for _ in range(200)}
    assert len(made) == 200 and all(len(i) == len("obs-x-") + 8 for i in made) and made < used


# --- checks on a new observation ------------------------------------------------------------


def draft(**fields: Any) -> Draft:
    return Draft(
        **{
            "site_id": "church",
            "status": "damaged",
            "observed_on": "2024-05-31",
            "analyst": "Ann",
            "evidence": ("https://example.org/report",),
            **fields,
        }
    )


def test_a_good_draft_has_no_problems() -> None:
    assert (
        draft_problems(
            draft(before_scene="wide", after_scene="nofootprint", evidence=("https://example.org/a",)), SITES, SCENES, TODAY
        )
        == []
    )


def test_every_problem_is_reported_at_once() -> None:
    problems = draft_problems(
        draft(
            site_id="nowhere",
            status="razed",
            observed_on="2024-06-02",
            analyst=" ",
            visibility="secret",
            before_scene="missing",
            evidence=("http:///no-host", "ftp://example.org/x"),
        ),
        SITES,
        SCENES,
        TODAY,
    )
    expected = [
        "field 'site_id': 'nowhere' is not in heritage_sites.geojson",
        "field 'status': 'razed'",
        "field 'observed_on': 2024-06-02 is after today (2024-06-01)",
        "field 'before_scene': scene 'missing' is not in imagery.json",
        "field 'evidence': 'http:///no-host' is not a well-formed URL",
        "field 'evidence': 'ftp://example.org/x' uses scheme 'ftp'",
        "field 'visibility': 'secret'",
    ]
    assert [p.message().split(";")[0] for p in problems] == expected


@pytest.mark.parametrize("value", ["2024-05", "2024", "31/05/2024", "2024-02-30", "20240531"])
def test_observe_add_needs_a_full_calendar_date(value: str) -> None:
    (problem,) = draft_problems(draft(observed_on=value), SITES, SCENES, TODAY)
    assert problem.message().startswith(f"field 'observed_on': {value!r} is not")


def test_a_named_scene_must_cover_the_site() -> None:
    (problem,) = draft_problems(draft(after_scene="elsewhere"), SITES, SCENES, TODAY)
    assert problem.message().startswith("field 'after_scene': the footprint of scene 'elsewhere' does not cover site 'church'")


def test_before_and_after_must_differ() -> None:
    (problem,) = draft_problems(draft(before_scene="wide", after_scene="wide"), SITES, SCENES, TODAY)
    assert "is also the before scene" in problem.found


def test_an_unknown_status_may_be_reviewed_without_evidence(log: Path) -> None:
    assert add_review(log, "u", "confirm", key(log, "Bob"))["of"] == "u"


@pytest.mark.parametrize("status", ["destroyed", "damaged", "threatened", "intact"])
def test_a_status_needs_evidence_or_a_scene_pair(status: str) -> None:
    (problem,) = draft_problems(draft(status=status, evidence=()), SITES, SCENES, TODAY)
    assert problem.message().startswith(f"field 'evidence': status {status!r} needs evidence; fix: give --evidence")
    assert (
        draft_problems(draft(status=status, evidence=(), before_scene="wide", after_scene="nofootprint"), SITES, SCENES, TODAY)
        == []
    )
    (half,) = draft_problems(draft(status=status, evidence=(), before_scene="wide"), SITES, SCENES, TODAY)
    assert half.field == "evidence"


def test_unknown_needs_no_evidence() -> None:
    assert draft_problems(draft(status="unknown", evidence=()), SITES, SCENES, TODAY) == []


def test_a_contact_belongs_in_contact_not_analyst() -> None:
    (problem,) = draft_problems(draft(analyst="Ann <ann@example.org>"), SITES, SCENES, TODAY)
    assert problem.message().startswith("field 'analyst': 'Ann <ann@example.org>' holds a contact")


def test_evidence_files_are_hashed_and_missing_ones_named(tmp_path: Path) -> None:
    (tmp_path / "shots").mkdir()
    (tmp_path / "shots" / "after.png").write_bytes(b"pixels")
    entries, problems = evidence_entries(["https://example.org/a", "shots/after.png", "gone.png"], tmp_path)
    assert entries == [
        {"url": "https://example.org/a"},
        {"file": "shots/after.png", "sha256": hashlib.sha256(b"pixels").hexdigest()},
    ]
    assert [p.message() for p in problems] == [
        f"field 'evidence': file 'gone.png' not found (looked in {tmp_path}); fix: give an existing file or an http(s) URL"
    ]


# --- CSV import -----------------------------------------------------------------------------


def test_import_csv_reads_semicolons_a_bom_metadata_columns_and_multiline_notes(tmp_path: Path) -> None:
    csv_file = tmp_path / "kobo.csv"
    csv_file.write_text(
        "\ufeffsite_id;status;observed_on;analyst;evidence;note;_uuid\n"
        'church;damaged;2024-05-01;Ann;https://example.org/a https://example.org/b;"roof gone;\nwalls stand";u1\n'
        "\n"
        "church;intact;2024-05-02;Ann;;;u2\n",
        encoding="utf-8",
    )
    rows, malformed = read_import_csv(csv_file)
    assert malformed == []
    (first_line, first), (second_line, second) = rows
    assert (first_line, second_line) == (2, 5)
    assert first.evidence == ("https://example.org/a", "https://example.org/b")
    assert first.note == "roof gone;\nwalls stand"
    assert second.evidence == () and second.note is None and second.visibility == "public"


def test_import_csv_refuses_unknown_and_missing_columns(tmp_path: Path) -> None:
    csv_file = tmp_path / "bad.csv"
    csv_file.write_text("site_id,status,obsreved_on,analyst\nchurch,damaged,2024-05-01,Ann\n", encoding="utf-8")
    with pytest.raises(
        ObservationError, match=r"bad\.csv: line 1: columns: unknown \['obsreved_on'\], missing \['observed_on'\]"
    ):
        read_import_csv(csv_file)


def test_import_csv_lists_a_row_with_too_many_values_by_line(tmp_path: Path) -> None:
    csv_file = tmp_path / "rows.csv"
    csv_file.write_text(
        "site_id,status,observed_on,analyst\nchurch,damaged,2024-05-01,Ann,extra\nchurch,intact,2024-05-02,Ann\n",
        encoding="utf-8",
    )
    rows, malformed = read_import_csv(csv_file)
    assert [line for line, _ in rows] == [3]
    assert [p.message() for p in malformed] == [
        f"{csv_file}: line 2: more values than columns; fix: quote values that hold the separator"
    ]
