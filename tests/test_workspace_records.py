"""The workspace writes to the log through one door, `geo.workspace.records.write` (where signing will plug in)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from geo import observations
from geo.errors import ObservationError
from geo.workspace import records

WORKSPACE = Path(__file__).resolve().parents[1] / "geo" / "workspace"
WRITERS = re.compile(r"\b(add_observations|add_review|append_records|locked_append|quarantine_torn_tail)\b")


def test_no_module_of_the_workspace_but_records_writes_to_the_log() -> None:
    found = [
        f"{path.relative_to(WORKSPACE)}: {match.group(1)}"
        for path in sorted(WORKSPACE.rglob("*.py"))
        if path.name != "records.py"
        for match in WRITERS.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []
    assert WRITERS.search((WORKSPACE / "records.py").read_text(encoding="utf-8"))


def test_write_records_for_the_account_and_refuses_its_own_review(data_dir: Path) -> None:
    log = data_dir / "observations.jsonl"
    anna = records.Account("anna", "Anna Example", "reviewer")
    draft = {
        "kind": "observation",
        "site_id": "site-church",
        "status": "threatened",
        "observed_on": "2024-06-01",
        "recorded_at": "2024-06-02T00:00:00Z",
        "before_scene": None,
        "after_scene": None,
        "evidence": [{"url": "https://example.org/a"}],
        "analyst": "anna",
        "origin": "monitor",
        "note": None,
        "visibility": "public",
    }
    written = records.write(log, anna, records.NewObservations((draft,)))
    assert [r["id"] for r in written] == ["obs-site-church-1"]
    before = log.read_bytes()
    with pytest.raises(ObservationError, match="'anna' is its author"):
        records.write(log, anna, records.NewReview("obs-site-church-1", "confirm", None))
    assert log.read_bytes() == before
    review = records.write(log, records.Account("bert", "", "reviewer"), records.NewReview("obs-site-church-1", "confirm", "ok"))
    assert review[0]["analyst"] == "bert"
    assert observations.verify_log(log, data_dir).ok
