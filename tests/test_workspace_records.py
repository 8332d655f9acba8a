"""The workspace writes to the log through one door, `geo.workspace.records.write`, signed with its own key for the account."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from geo import observations
from geo.errors import ObservationError
from geo.keyring import Signer, checked_keyring, keyring_path
from geo.keys import KeyPair
from geo.observations import append_records
from geo.workspace import records
from geo.workspace.config import SIGNING_KEY_FILE
from tests.signing import key_path, register_workspace

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


@pytest.fixture
def service(data_dir: Path, tmp_path: Path) -> KeyPair:
    state = tmp_path / "state"
    register_workspace(data_dir, state)
    return KeyPair.load(state / SIGNING_KEY_FILE)


DRAFT = {
    "kind": "observation",
    "site_id": "site-church",
    "status": "threatened",
    "observed_on": "2024-06-01",
    "recorded_at": "2024-06-02T00:00:00Z",
    "before_scene": None,
    "after_scene": None,
    "evidence": [{"url": "https://example.org/a"}],
    "origin": "monitor",
    "note": None,
    "visibility": "public",
}


def test_write_signs_for_the_account_and_refuses_its_own_review(data_dir: Path, service: KeyPair) -> None:
    log = data_dir / "observations.jsonl"
    anna = records.Account("anna", "Anna Example", "reviewer")
    (written,) = records.write(log, service, anna, records.NewObservations((DRAFT,)))
    assert written["id"].startswith("obs-site-church-") and written["account"] == written["analyst"] == "anna"
    assert written["signer"] == service.fingerprint
    accounts = checked_keyring(keyring_path(log)).accounts
    assert (
        accounts[(service.fingerprint, "anna")].role == "reviewer"
        and accounts[(service.fingerprint, "anna")].name == "Anna Example"
    )
    before = log.read_bytes()
    with pytest.raises(ObservationError, match="'anna' is its author"):
        records.write(log, service, anna, records.NewReview(written["id"], "confirm", None))
    assert log.read_bytes() == before
    review = records.write(
        log, service, records.Account("bert", "", "reviewer"), records.NewReview(written["id"], "confirm", "ok")
    )
    assert review[0]["analyst"] == review[0]["account"] == "bert"
    assert observations.decisions(observations.read_log(log))[written["id"]] == "confirmed"
    assert observations.verify_log(log, data_dir).ok


def test_an_analyst_account_cannot_confirm(data_dir: Path, service: KeyPair) -> None:
    log = data_dir / "observations.jsonl"
    (written,) = records.write(log, service, records.Account("anna", "", "analyst"), records.NewObservations((DRAFT,)))
    with pytest.raises(ObservationError, match="'carl' is registered as analyst"):
        records.write(log, service, records.Account("carl", "", "analyst"), records.NewReview(written["id"], "confirm", None))


def test_verify_accepts_a_workspace_record_only_for_an_account_the_keyring_lists(data_dir: Path, service: KeyPair) -> None:
    """A record signed by the workspace key for an account it never registered is named by verify."""
    log = data_dir / "observations.jsonl"
    records.write(log, service, records.Account("anna", "", "analyst"), records.NewObservations((DRAFT,)))
    forged = Signer(service, "mallory", "reviewer", account="mallory").sign({**DRAFT, "id": "obs-site-church-forged"})
    append_records(log, [forged])
    report = observations.verify_log(log, data_dir)
    assert not report.ok and report.first is not None
    assert report.first.feature == "obs-site-church-forged" and report.first.field == "account"
    assert "signed for account 'mallory', which key 'workspace' may not sign for" in report.first.found
    with pytest.raises(ObservationError, match="obs-site-church-forged"):
        observations.read_log(log)


def test_the_workspace_key_must_be_registered_before_it_records(data_dir: Path, tmp_path: Path) -> None:
    from geo.errors import SigningError
    from geo.keys import write_key_pair

    key_path(data_dir, "Admin", "admin")
    unregistered = KeyPair.of(write_key_pair(tmp_path / "stray_ed25519"))
    before = (data_dir / "observations.jsonl").read_bytes()
    with pytest.raises(SigningError, match="heritage-map analyst add workspace --key"):
        records.write(
            data_dir / "observations.jsonl",
            unregistered,
            records.Account("anna", "", "analyst"),
            records.NewObservations((DRAFT,)),
        )
    assert (data_dir / "observations.jsonl").read_bytes() == before
