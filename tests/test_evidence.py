"""geo.evidence and what the map shows: no status without evidence, dates that say what they are."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import pytest

from geo.evidence import date_text, evidence_day, has_evidence, needs_evidence, newest_day
from geo.inputs import load_inputs
from geo.join import join
from geo.sitestatus import as_of, as_of_label, public_view
from tests.layers import default_layers, default_log, write_layers

if TYPE_CHECKING:
    from pathlib import Path


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        ({"evidence": [{"url": "https://example.org/a"}]}, True),
        ({"evidence": [{"file": "photo.jpg", "sha256": "ab" * 32}]}, True),
        ({"evidence": [], "before_scene": "b", "after_scene": "a"}, True),
        ({"evidence": [], "before_scene": "b"}, False),
        ({"evidence": [{"file": "photo.jpg"}]}, False),  # a file without its hash is not evidence
        ({}, False),
    ],
)
def test_what_counts_as_evidence(record: dict, expected: bool) -> None:
    assert has_evidence(record) is expected


def test_unknown_needs_no_evidence() -> None:
    assert needs_evidence({"status": "destroyed"}) and not needs_evidence({"status": "unknown"})


@pytest.mark.parametrize(
    ("observed", "reported", "text", "first", "last"),
    [
        ("2024-04-04", "2024-04-18", "observed 2024-04-04; reported on 2024-04-18", date(2024, 4, 4), date(2024, 4, 4)),
        (
            "2021-04-10/2021-06-05",
            None,
            "observed between 2021-04-10 and 2021-06-05",
            date(2021, 4, 10),
            date(2021, 6, 5),
        ),
        (None, "2024-05-11", "reported on 2024-05-11, change on or before that date", date(2024, 5, 11), date(2024, 5, 11)),
        (None, None, "date not stated in the sources", None, None),
    ],
)
def test_dates_say_what_they_are(
    observed: str | None, reported: str | None, text: str, first: date | None, last: date | None
) -> None:
    record = {"observed_on": observed, "reported_on": reported}
    assert date_text(record) == text
    assert (evidence_day(record), newest_day(record)) == (first, last)


def test_the_map_does_not_show_a_status_without_evidence_and_says_why(tmp_path: Path) -> None:
    log = default_log()
    log[1]["evidence"] = []  # a legacy record: a damaged status with nothing behind it
    inputs = load_inputs(write_layers(tmp_path / "d", default_layers(), log=log))
    joined = join(inputs.sites, inputs.items, inputs.observations())
    sites = public_view(inputs, joined).sites.set_index("id").astype(object).where(lambda f: f.notna(), None)
    cemetery = sites.loc["site-cemetery"]
    assert (cemetery["status"], cemetery["verdict"]) == ("unknown", None)
    assert cemetery["status_note"].startswith("the latest observation (damaged) cites no evidence")
    church = sites.loc["site-church"]
    assert (church["status"], church["status_when"], church["status_note"]) == ("destroyed", "observed 2024-04-04", None)


def test_data_as_of_is_the_newest_evidence_with_the_compilation_date_beside_it(tmp_path: Path) -> None:
    log = default_log()
    log[0]["observed_on"], log[0]["reported_on"] = None, "2024-04-20"
    inputs = load_inputs(write_layers(tmp_path / "d", default_layers(), log=log))
    assert as_of(inputs.log) == "2024-04-20"
    assert as_of_label(inputs.log) == "2024-04-20 (newest evidence; compiled 2024-05-01)"
