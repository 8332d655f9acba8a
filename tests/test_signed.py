"""Signed records: OpenSSH keys, the keyring, and `verify` naming what a typed name cannot prove."""

from __future__ import annotations

import json
import subprocess
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner, Result

from geo._canonical import canonical_json
from geo.cli import main
from geo.errors import ObservationError, SigningError
from geo.keys import KeyPair, fingerprint, read_private, read_public
from geo.logmerge import rechain
from geo.observations import append_records, read_log, verify_log
from tests.signing import key_path, new_key, signer, team
from tests.test_observe_cli import ADD, write_monitor_data

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    directory = write_monitor_data(tmp_path / "layers")
    team(directory)
    return directory


def run(data: Path, *args: str) -> Result:
    return CliRunner().invoke(main, [*args, "--data", str(data)])


def keyed(data: Path, name: str) -> str:
    return str(data.parent / "keys" / f"{name}_ed25519")


def add(data: Path, name: str = "Ann") -> str:
    arguments = list(ADD)
    arguments[arguments.index("--key") + 1] = keyed(data, name)
    result = run(data, *arguments)
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def forged_review(of: str, analyst: str) -> dict[str, Any]:
    """A confirmation as a hand or another tool would append it: a typed name, no signature."""
    return {
        "kind": "review",
        "id": f"rev-{of}-typed",
        "of": of,
        "decision": "confirm",
        "analyst": analyst,
        "note": None,
        "recorded_at": "2024-06-02T00:00:00Z",
    }


# --- keys -----------------------------------------------------------------------------------


def test_an_ssh_keygen_key_works_and_its_fingerprint_is_the_one_ssh_keygen_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = tmp_path / "id_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "a passphrase", "-C", "ann", "-f", str(key)], check=True)
    printed = subprocess.run(["ssh-keygen", "-l", "-f", f"{key}.pub"], check=True, capture_output=True, text=True).stdout
    assert printed.split()[1] == fingerprint(read_public(tmp_path / "id_ed25519.pub"))
    monkeypatch.setenv("HERITAGE_MAP_KEY_PASSPHRASE", "a passphrase")
    assert fingerprint(read_private(key).public_key()) == printed.split()[1]
    monkeypatch.setenv("HERITAGE_MAP_KEY_PASSPHRASE", "wrong")
    with pytest.raises(SigningError, match="the passphrase does not open this key"):
        read_private(key)


def test_a_private_key_given_as_the_public_one_is_refused(tmp_path: Path) -> None:
    key = new_key(tmp_path, "Ann")
    with pytest.raises(SigningError, match="a private key; fix: register the public half"):
        read_public(key)
    (tmp_path / "rsa.pub").write_text("ssh-rsa AAAAB3NzaC1yc2E ann\n", encoding="ascii")
    with pytest.raises(SigningError, match="not an Ed25519 public key"):
        read_public(tmp_path / "rsa.pub")


def test_a_passphrase_is_never_an_option(data: Path) -> None:
    result = run(data, "observe", "add", "--help")
    assert "--passphrase" not in result.stdout and "HERITAGE_MAP_KEY_PASSPHRASE" in result.stdout


# --- the keyring ----------------------------------------------------------------------------


def test_the_first_entry_must_be_an_admin_signed_by_itself(tmp_path: Path) -> None:
    data = write_monitor_data(tmp_path / "layers")
    ann, admin = new_key(tmp_path / "keys", "Ann"), new_key(tmp_path / "keys", "Admin")
    refused = run(data, "analyst", "add", "Ann", "--key", f"{ann}.pub", "--role", "analyst", "--sign-with", str(admin))
    assert refused.exit_code == 1 and "the keyring is empty, so its first entry is its first admin" in refused.stderr
    assert not (data / "keyring.jsonl").exists() or not (data / "keyring.jsonl").read_bytes()
    done = run(data, "analyst", "add", "Admin", "--key", f"{admin}.pub", "--role", "admin", "--sign-with", str(admin))
    assert done.exit_code == 0, done.output
    assert done.stdout.strip() == fingerprint(read_public(admin.with_name(admin.name + ".pub")))


def test_only_an_admin_adds_keys(data: Path, tmp_path: Path) -> None:
    newcomer = new_key(tmp_path / "keys", "Dan")
    before = (data / "keyring.jsonl").read_bytes()
    result = run(
        data, "analyst", "add", "Dan", "--key", f"{newcomer}.pub", "--role", "reviewer", "--sign-with", keyed(data, "Bob")
    )
    assert result.exit_code == 1 and "is not a registered admin key" in result.stderr
    assert (data / "keyring.jsonl").read_bytes() == before


def test_a_keyring_entry_changed_by_hand_is_named(data: Path) -> None:
    add(data)
    keyring = data / "keyring.jsonl"
    entries = [json.loads(line) for line in keyring.read_text(encoding="utf-8").splitlines()]
    entries[2]["role"] = "admin"  # Ann promotes herself, and re-chains the keyring so every hash holds
    keyring.write_bytes(b"".join(canonical_json(e) + b"\n" for e in rechain(entries, "0" * 64)))
    result = run(data, "verify")
    assert result.exit_code == 1
    assert "keyring entry" in result.stderr and "the signature does not hold: the entry was changed" in result.stderr


# --- signatures and the rule ----------------------------------------------------------------


def test_verify_names_a_confirmation_forged_with_a_typed_name(data: Path, tmp_path: Path) -> None:
    """The Done-when of issue 15: a reviewer's name typed into the log confirms nothing, and verify names it."""
    observation = add(data)
    log = data / "observations.jsonl"
    append_records(log, [forged_review(observation, "Bob")])
    result = run(data, "verify")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"heritage-map: error: {log}: line 2: record 'rev-{observation}-typed': field 'signature': a confirmation without "
        "a signature after signing began: a typed name is not a signature; fix: remove it by restoring the log from a "
        "copy; record it again with a registered key (--key)"
    )
    listed = run(data, "observe", "list")  # every reader refuses the log with the same line (build, export, ...)
    assert listed.exit_code == 1 and listed.stderr == result.stderr


def test_verify_names_a_review_signed_by_the_authors_own_key(data: Path) -> None:
    observation = add(data, "Bob")
    bob = signer(data, data.parent / "keys" / "Bob_ed25519")
    review = bob.sign(forged_review(observation, "Bob") | {"id": f"rev-{observation}-own"})
    append_records(data / "observations.jsonl", [review])
    report = verify_log(data / "observations.jsonl", data)
    assert report.first is not None and report.first.feature == f"rev-{observation}-own"
    assert report.first.found == f"confirm of '{observation}' signed by its own author"
    with pytest.raises(ObservationError, match="signed by its own author"):
        read_log(data / "observations.jsonl")


def test_verify_names_a_review_by_a_key_without_the_reviewer_role(data: Path) -> None:
    observation = add(data, "Bob")
    ann = signer(data, data.parent / "keys" / "Ann_ed25519")
    append_records(data / "observations.jsonl", [ann.sign(forged_review(observation, "Ann"))])
    report = verify_log(data / "observations.jsonl", data)
    assert report.first is not None and report.first.found == "a review signed by 'Ann', whose role is analyst, not reviewer"


def test_a_signed_record_changed_and_rechained_fails_its_signature(data: Path) -> None:
    add(data)
    log = data / "observations.jsonl"
    (record,) = read_log(log)
    changed = rechain([{**record, "status": "intact"}], "0" * 64)
    log.write_bytes(canonical_json(changed[0]) + b"\n")
    report = verify_log(log, data, use_cache=False)
    assert report.first is not None and report.first.field == "signature"
    assert report.first.found == "does not hold: the record was changed after it was signed"


def test_a_typed_analyst_name_that_is_not_the_keys_is_named(data: Path) -> None:
    add(data)
    log = data / "observations.jsonl"
    (record,) = read_log(log)
    relabelled = rechain([{**record, "analyst": "Bob"}], "0" * 64)
    log.write_bytes(canonical_json(relabelled[0]) + b"\n")
    report = verify_log(log, data)
    assert report.first is not None and report.first.found == "'Bob' is not the signer's registered name 'Ann'"


def test_signatures_checked_once_are_remembered_and_a_changed_record_is_still_caught(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from geo import keys

    add(data)
    add(data, "Bob")
    log = data / "observations.jsonl"
    assert verify_log(log, data).ok
    calls: list[int] = []
    holds = keys.signature_holds

    def counted(public: Any, message: bytes, signature: object) -> bool:
        calls.extend([1] if message.startswith(keys.SIGNED_CONTEXT) else [])  # records', not the keyring's
        return holds(public, message, signature)

    monkeypatch.setattr(keys, "signature_holds", counted)
    assert verify_log(log, data).ok and calls == []  # both signatures remembered: no Ed25519 check
    assert verify_log(log, data, use_cache=False).ok and len(calls) == 2
    records = read_log(log)
    changed = rechain([records[0], {**records[1], "note": "changed"}], "0" * 64)
    log.write_bytes(b"".join(canonical_json(r) + b"\n" for r in changed))
    report = verify_log(log, data)
    assert not report.ok and report.first is not None and report.first.field == "signature"


def test_legacy_records_stay_unsigned_but_none_may_be_added_after_signing_began(tmp_path: Path) -> None:
    data = write_monitor_data(tmp_path / "layers")
    legacy = {
        "kind": "observation",
        "id": "obs-church-1",
        "site_id": "church",
        "status": "damaged",
        "observed_on": "2023-11",
        "evidence": [{"url": "https://example.org/r"}],
        "analyst": "reference-import",
        "origin": "published",
        "visibility": "public",
    }
    append_records(data / "observations.jsonl", [legacy])
    assert verify_log(data / "observations.jsonl", data).ok  # no keyring: every record is legacy
    key_path(data, "Admin", "admin")
    assert verify_log(data / "observations.jsonl", data).ok  # the keyring's first entry says where signing began
    append_records(data / "observations.jsonl", [{**legacy, "id": "obs-church-2"}])
    report = verify_log(data / "observations.jsonl", data)
    assert report.first is not None and report.first.feature == "obs-church-2"
    assert "without a signature after signing began" in report.first.found


def test_observe_show_prints_the_whole_record_and_its_reviews(data: Path, tmp_path: Path) -> None:
    (tmp_path / "after.png").write_bytes(b"pixels")
    arguments = list(ADD)
    arguments[arguments.index("--key") + 1] = keyed(data, "Ann")
    observation = run(data, *arguments, "--evidence", "after.png", "--note", "line one\nline two").stdout.strip()
    run(data, "observe", "review", observation, "--decision", "confirm", "--key", keyed(data, "Bob"), "--note", "agreed")
    result = run(data, "observe", "show", observation)
    assert result.exit_code == 0, result.output
    fingerprint_of = {r["analyst"]: r["signer"] for r in read_log(data / "observations.jsonl")}
    lines = result.stdout.splitlines()
    assert lines[:5] == [
        f"id: {observation}",
        f"public id: {observation}",
        "site: Church [church]",
        "status: destroyed",
        "state: confirmed",
    ]
    assert "evidence: https://example.org/report" in lines
    assert any(line.startswith("evidence file: after.png sha256 ") for line in lines)
    assert "note: line one" in lines and "    line two" in lines
    assert f"signer: Ann ({fingerprint_of['Ann']})" in lines
    assert any(
        line.startswith(f"review: confirm by Bob ({fingerprint_of['Bob']}) at ") and line.endswith(": agreed") for line in lines
    )
    missing = run(data, "observe", "show", "obs-church-nothere")
    assert missing.exit_code == 1 and "observation 'obs-church-nothere': not in the log" in missing.stderr


def test_a_key_that_is_not_registered_cannot_sign(data: Path, tmp_path: Path) -> None:
    stray = new_key(tmp_path / "elsewhere", "Stray")
    arguments = list(ADD)
    arguments[arguments.index("--key") + 1] = str(stray)
    result = run(data, *arguments)
    fingerprint_of = KeyPair.load(stray).fingerprint
    assert result.exit_code == 1 and f"key {fingerprint_of} is not registered" in result.stderr
    assert not (data / "observations.jsonl").exists()


def test_a_keyring_that_is_a_link_is_neither_read_nor_written(data: Path, tmp_path: Path) -> None:
    import os

    outside = tmp_path / "elsewhere.jsonl"
    (data / "keyring.jsonl").rename(outside)
    os.symlink(outside, data / "keyring.jsonl")
    before = outside.read_bytes()
    for args in (["verify"], ["analyst", "list"], [*ADD[:-1], keyed(data, "Ann")]):
        result = run(data, *args)
        assert result.exit_code == 1 and result.stderr.count("\n") == 1, (args, result.output)
        assert "keyring.jsonl: a symbolic link" in result.stderr, (args, result.stderr)
    assert outside.read_bytes() == before
