"""Anchors kept outside the log: `verify --against` names a cut tail and a rewritten, re-chained log."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from geo._canonical import canonical_json
from geo.anchor import log_anchor, public_anchor, read_anchor
from geo.build import build_maps
from geo.cli import main
from geo.i18n import english
from geo.logmerge import rechain
from geo.observations import add_observations, read_log
from tests.layers import write_layers
from tests.signing import key_path, signer


def run(data: Path, *args: str) -> Result:
    return CliRunner().invoke(main, [*args, "--data", str(data)])


def observation(site: str, note: str, visibility: str = "public") -> dict[str, object]:
    return {
        "kind": "observation",
        "site_id": site,
        "status": "unknown",
        "observed_on": "2024-05-01",
        "recorded_at": "2024-05-02T00:00:00Z",
        "before_scene": None,
        "after_scene": None,
        "evidence": [],
        "origin": "monitor",
        "note": note,
        "visibility": visibility,
    }


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """The fixture layers (two legacy records), a keyring, and three signed observations (one internal)."""
    directory = write_layers(tmp_path / "layers")
    ann = signer(directory, Path(key_path(directory, "Ann")))
    log = directory / "observations.jsonl"
    add_observations(log, [observation("site-church", "one"), observation("site-cemetery", "two")], ann)
    add_observations(log, [observation("site-church", "secret", "internal")], ann)
    return directory


def rewrite(log: Path, records: list[dict[str, object]]) -> None:
    log.write_bytes(b"".join(canonical_json(r) + b"\n" for r in records))


def test_the_build_writes_the_public_anchor_into_the_manifest_and_every_footer(data: Path, tmp_path: Path) -> None:
    build_maps(data, tmp_path / "maps", tiles="none")
    anchor = public_anchor(read_log(data / "observations.jsonl"))
    manifest = (tmp_path / "maps" / "MANIFEST.sha256").read_text(encoding="utf-8")
    assert manifest.splitlines()[0] == f"# heritage-map public log anchor: records=4 head={anchor.head}"
    assert read_anchor(str(tmp_path / "maps" / "MANIFEST.sha256")) == anchor
    site_page = (tmp_path / "maps" / "sites" / "site-church.html").read_text(encoding="utf-8")
    shared = (tmp_path / "maps" / "assets" / "build-info.js").read_text(encoding="utf-8")  # every site page's footer
    info = json.loads(shared.removeprefix("window.HeritageMapBuild = ").rstrip().rstrip(";"))
    assert english(info["anchor"]).startswith(f"Log anchor: 4 published records, head {anchor.head}")
    assert 'id="hm-anchor"' in site_page
    assert f'"head":{{"en":"{anchor.head}"}}' in (tmp_path / "maps" / "index.html").read_text(encoding="utf-8")
    full = log_anchor(read_log(data / "observations.jsonl"))
    assert full.head not in manifest + shared + site_page  # the whole log's head is never published
    result = run(data, "verify", "--against", str(tmp_path / "maps" / "MANIFEST.sha256"))
    assert result.exit_code == 0, result.output
    assert f"anchor holds: 4 published records, head {anchor.head}" in result.stdout


def test_verify_against_names_a_cut_tail(data: Path) -> None:
    log = data / "observations.jsonl"
    records = read_log(log)
    kept = log_anchor(records).given()
    published = public_anchor(records).given()
    rewrite(log, records[:-2])  # the last two records cut: no link breaks
    assert run(data, "verify").exit_code == 0
    result = run(data, "verify", "--against", kept)
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"heritage-map: error: {log}: anchor '5 records, head {kept.split(':')[1]}': the log holds 3 records; "
        "the anchor covered 5: the last 2 were cut (or the log was rewritten shorter); fix: restore the log from a copy "
        "that holds the anchored records (a backup, the git history)"
    )
    assert published.startswith("public:4:")
    cut_public = run(data, "verify", "--against", published)  # the internal record and one published one were cut
    assert cut_public.exit_code == 1 and "the log holds 3 published records; the anchor covered 4" in cut_public.stderr


def test_verify_against_names_a_fully_rechained_log(data: Path, tmp_path: Path) -> None:
    """A legacy record's status changed by hand and every hash recomputed: the chain holds, the anchors do not."""
    build_maps(data, tmp_path / "maps", tiles="none")
    log = data / "observations.jsonl"
    records = read_log(log)
    kept = log_anchor(records).given()
    forged = [dict(r) for r in records]
    forged[0]["status"] = "intact"
    rewrite(log, rechain(forged, "0" * 64))
    keyring_head_changed = run(data, "verify")
    assert keyring_head_changed.exit_code == 1  # the keyring's first entry anchored the legacy records too
    assert "no longer end in the head hash the keyring's first entry recorded" in keyring_head_changed.stderr
    result = run(data, "verify", "--against", kept)
    assert result.exit_code == 1
    assert "record 5 does not end in the anchored head hash" in result.stderr or "keyring" in result.stderr


def test_a_rechained_log_without_a_keyring_is_caught_by_the_anchor_alone(tmp_path: Path) -> None:
    data = write_layers(tmp_path / "layers")
    build_maps(data, tmp_path / "maps", tiles="none")
    log = data / "observations.jsonl"
    records = read_log(log)
    kept = log_anchor(records).given()
    forged = [dict(r) for r in records]
    forged[1]["status"] = "intact"
    rewrite(log, rechain(forged, "0" * 64))
    assert run(data, "verify").exit_code == 0  # every hash and link holds again
    result = run(data, "verify", "--against", kept)
    assert result.exit_code == 1
    assert "record 2 does not end in the anchored head hash" in result.stderr
    assert "changed and the log re-chained" in result.stderr
    manifest = run(data, "verify", "--against", str(tmp_path / "maps" / "MANIFEST.sha256"))
    assert manifest.exit_code == 1
    assert "published record 2 does not end in the anchored head hash" in manifest.stderr


def test_internal_records_move_no_public_anchor(data: Path) -> None:
    log = data / "observations.jsonl"
    before = public_anchor(read_log(log))
    ann = signer(data, Path(key_path(data, "Ann")))
    add_observations(log, [observation("site-cemetery", "more internal work", "internal")], ann)
    assert public_anchor(read_log(log)) == before
    assert log_anchor(read_log(log)).records == 6


def test_an_anchor_that_is_neither_a_file_nor_a_hash_is_one_line(data: Path) -> None:
    result = run(data, "verify", "--against", "yesterday")
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert "neither a file nor a head hash" in result.stderr
