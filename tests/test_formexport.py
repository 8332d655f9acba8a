"""KoBoToolbox and ODK Central exports, shaped as the tools write them, imported without flags and only once.

Where the layouts come from:

- KoBoToolbox: "Exporting and downloading your data" (CSV with XML values and
  headers, `;` as separator, groups joined onto names with `/`, the
  metadata questions `start`, `end`, `today`, `deviceid`, and the columns
  `_id`, `_uuid`, `_submission_time`, `_validation_status`, `_notes`,
  `_status`, `_submitted_by`, `__version__`, `_tags`, `_index`; a media
  question's file name with its download address in `<question>_URL`) and
  "Downloading media attachments" (the bulk download's folders
  `<user>/attachments/<form uid>/<submission _uuid>/<file>`), both on
  support.kobotoolbox.org.
- ODK Central: "Submissions" in the Central docs (docs.getodk.org): the ZIP
  of CSVs, `<form>.csv` with `SubmissionDate`, group names joined with `-`,
  `meta-instanceID`, `KEY`, `SubmitterID`, `SubmitterName`,
  `AttachmentsPresent`, `AttachmentsExpected`, `Status`, `ReviewState`,
  `DeviceID`, `Edits`, `FormVersion`, a `SET-OF-<repeat>` column; a repeat
  group's own `<form>-<repeat>.csv` whose rows carry `PARENT_KEY` (the
  submission's `KEY`) and `KEY`; attachments in `media/`.
"""

from __future__ import annotations

import hashlib
import zipfile
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner, Result

from geo.cli import main
from geo.observations import read_log, verify_log
from tests.signing import key_path
from tests.test_observe_cli import write_monitor_data

if TYPE_CHECKING:
    from pathlib import Path

KOBO_HEADER = [
    "start", "end", "today", "deviceid", "observation/site_id", "observation/status", "observation/observed_on",
    "observation/analyst", "observation/evidence", "observation/note", "photo", "photo_URL", "_id", "_uuid",
    "_submission_time", "_validation_status", "_notes", "_status", "_submitted_by", "__version__", "_tags", "_index",
]  # fmt: skip
PHOTO = b"\xff\xd8\xff\xe0 a photograph of the church"
OTHER_PHOTO = b"\xff\xd8\xff\xe0 the cemetery wall"


def kobo_row(uuid: str, site: str, photo: str, state: str, index: int) -> list[str]:
    return [
        "2024-06-01T09:00:00.000+04:00", "2024-06-01T09:20:00.000+04:00", "2024-06-01", "collect:abc123",
        site, "damaged", "2024-05-30", "Field Monitor", "" if photo else "https://example.org/report",
        "Roof partly collapsed; see photo", photo,
        f"https://kf.kobotoolbox.org/api/v2/assets/aBcD/data/{index}/attachments/{index}/" if photo else "",
        str(1000 + index), uuid, "2024-06-01T05:21:00", state, "[]", "submitted_via_web", "monitor1",
        "vXyZ", "[]", str(index),
    ]  # fmt: skip


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return write_monitor_data(tmp_path / "layers")


def run(data: Path, *args: str) -> Result:
    return CliRunner().invoke(main, [*args, "--key", key_path(data, "Ann", "analyst"), "--data", str(data)])


def kobo_export(folder: Path) -> Path:
    """A KoBoToolbox CSV export (`;`) and, beside it, its bulk attachments download."""
    folder.mkdir()
    rows = [
        KOBO_HEADER,
        kobo_row("5a1c2b3d-0000-4000-8000-000000000001", "church", "1717219200000.jpg", "validation_status_approved", 1),
        kobo_row("5a1c2b3d-0000-4000-8000-000000000002", "cemetery", "1717219200000.jpg", "", 2),
        kobo_row("5a1c2b3d-0000-4000-8000-000000000003", "church", "", "validation_status_on_hold", 3),
    ]
    (folder / "heritage_form_-_all_versions_-_False_-_2024-06-01.csv").write_text(
        "".join(";".join(f'"{v}"' for v in row) + "\n" for row in rows), encoding="utf-8"
    )
    # Two submissions' photos share a file name (phones name them by the time): their folders tell them apart.
    for uuid, content in (("5a1c2b3d-0000-4000-8000-000000000001", PHOTO), ("5a1c2b3d-0000-4000-8000-000000000002", OTHER_PHOTO)):
        shot = folder / "attachments" / "monitor1" / "attachments" / "aBcD" / uuid / "1717219200000.jpg"
        shot.parent.mkdir(parents=True)
        shot.write_bytes(content)
    return folder / "heritage_form_-_all_versions_-_False_-_2024-06-01.csv"


def test_a_kobo_export_imported_twice_adds_nothing_the_second_time_and_its_photos_are_hashed_evidence(
    data: Path, tmp_path: Path
) -> None:
    export = kobo_export(tmp_path / "kobo")
    first = run(data, "observe", "import", str(export))
    assert first.exit_code == 0, first.output
    assert len(first.stdout.split()) == 3
    records = read_log(data / "observations.jsonl")
    church = records[0]
    assert church["form"] == {
        "tool": "kobotoolbox",
        "submission_id": "5a1c2b3d-0000-4000-8000-000000000001",
        "submitted_at": "2024-06-01T05:21:00",
        "review_state": "approved",
    }
    assert records[1]["form"]["review_state"] == "not validated" and records[2]["form"]["review_state"] == "on hold"
    digest = hashlib.sha256(PHOTO).hexdigest()
    assert church["evidence"] == [{"file": f"evidence/{digest}.jpg", "sha256": digest, "name": "1717219200000.jpg"}]
    assert records[1]["evidence"][0]["sha256"] == hashlib.sha256(OTHER_PHOTO).hexdigest()
    assert (data / "evidence" / f"{digest}.jpg").read_bytes() == PHOTO
    assert church["observer"] == "Field Monitor" and church["analyst"] == "Ann" and church["signature"]
    assert verify_log(data / "observations.jsonl", data, evidence_root=data).ok
    log_before = (data / "observations.jsonl").read_bytes()
    second = run(data, "observe", "import", str(export))
    assert second.exit_code == 0, second.output
    assert second.stdout == ""
    assert "skipped submission 5a1c2b3d-0000-4000-8000-000000000001: already imported" in second.stderr
    assert "imported 0 observation(s)" in second.stderr and "skipped 3 already imported" in second.stderr
    assert (data / "observations.jsonl").read_bytes() == log_before


def test_a_kobo_photo_missing_from_the_attachments_is_named_and_nothing_is_written(data: Path, tmp_path: Path) -> None:
    export = kobo_export(tmp_path / "kobo")
    next((tmp_path / "kobo" / "attachments").rglob("*.jpg")).unlink()
    result = run(data, "observe", "import", str(export))
    assert result.exit_code == 1
    assert "field 'photo': attachment '1717219200000.jpg' not found" in result.stderr
    assert not (data / "observations.jsonl").exists() and not (data / "evidence").exists()


def odk_zip(path: Path) -> Path:
    """An ODK Central 'all data and media' ZIP: the submissions, a repeat group of photos, and media/."""
    main_csv = (
        "SubmissionDate,observation-site_id,observation-status,observation-observed_on,observation-analyst,"
        "observation-note,SET-OF-photos,meta-instanceID,KEY,SubmitterID,SubmitterName,AttachmentsPresent,"
        "AttachmentsExpected,Status,ReviewState,DeviceID,Edits,FormVersion\n"
        "2024-06-02T10:00:00.000Z,church,destroyed,2024-06-01,Field Monitor,Razed,"
        "uuid:0f1e2d3c-1111-4222-8333-444455556666/photos,uuid:0f1e2d3c-1111-4222-8333-444455556666,"
        "uuid:0f1e2d3c-1111-4222-8333-444455556666,7,monitor,2,2,,approved,collect:XyZ,0,2024060101\n"
        "2024-06-02T11:00:00.000Z,cemetery,unknown,2024-06-01,Field Monitor,Could not reach,"
        "uuid:9a8b7c6d-1111-4222-8333-444455556666/photos,uuid:9a8b7c6d-1111-4222-8333-444455556666,"
        "uuid:9a8b7c6d-1111-4222-8333-444455556666,7,monitor,0,0,,,collect:XyZ,0,2024060101\n"
    )
    repeat_csv = (
        "photo,caption,PARENT_KEY,KEY,SET-OF-photos\n"
        "1717322400001.jpg,north wall,uuid:0f1e2d3c-1111-4222-8333-444455556666,"
        "uuid:0f1e2d3c-1111-4222-8333-444455556666/photos[1],uuid:0f1e2d3c-1111-4222-8333-444455556666/photos\n"
        "1717322400002.jpg,apse,uuid:0f1e2d3c-1111-4222-8333-444455556666,"
        "uuid:0f1e2d3c-1111-4222-8333-444455556666/photos[2],uuid:0f1e2d3c-1111-4222-8333-444455556666/photos\n"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("heritage_form.csv", main_csv)
        archive.writestr("heritage_form-photos.csv", repeat_csv)
        archive.writestr("media/1717322400001.jpg", PHOTO)
        archive.writestr("media/1717322400002.jpg", OTHER_PHOTO)
    return path


def test_an_odk_central_zip_with_a_repeat_group_of_photos(data: Path, tmp_path: Path) -> None:
    export = odk_zip(tmp_path / "heritage_form.zip")
    result = run(data, "observe", "import", str(export), "--ignore-column", "caption")
    assert result.exit_code == 0, result.output
    church, cemetery = read_log(data / "observations.jsonl")
    assert church["form"] == {
        "tool": "odk",
        "submission_id": "0f1e2d3c-1111-4222-8333-444455556666",
        "submitted_at": "2024-06-02T10:00:00.000Z",
        "review_state": "approved",
    }
    assert cemetery["form"]["review_state"] == "received"
    assert [e["name"] for e in church["evidence"]] == ["1717322400001.jpg", "1717322400002.jpg"]
    assert [e["sha256"] for e in church["evidence"]] == [hashlib.sha256(p).hexdigest() for p in (PHOTO, OTHER_PHOTO)]
    assert cemetery["evidence"] == []
    assert verify_log(data / "observations.jsonl", data, evidence_root=data).ok
    again = run(data, "observe", "import", str(export), "--ignore-column", "caption")
    assert again.exit_code == 0 and "skipped 2 already imported" in again.stderr


def test_a_zip_member_that_names_a_path_out_of_the_export_is_never_written_there(data: Path, tmp_path: Path) -> None:
    export = odk_zip(tmp_path / "heritage_form.zip")
    with zipfile.ZipFile(export, "a") as archive:
        archive.writestr("../../outside.jpg", b"planted")
    result = run(data, "observe", "import", str(export), "--ignore-column", "caption")
    assert result.exit_code == 0, result.output
    assert not (tmp_path.parent / "outside.jpg").exists() and not (tmp_path / "outside.jpg").exists()
    assert sorted(p.name for p in (data / "evidence").iterdir()) == sorted(
        f"{hashlib.sha256(p).hexdigest()}.jpg" for p in (PHOTO, OTHER_PHOTO)
    )


def test_kobo_tables_zipped_with_a_repeat_group_of_photos(data: Path, tmp_path: Path) -> None:
    """KoBoToolbox's repeat table names its submission in `_submission__uuid`; its photos are that submission's evidence."""
    uuid = "5a1c2b3d-0000-4000-8000-00000000000a"
    main_rows = [KOBO_HEADER, kobo_row(uuid, "church", "", "validation_status_approved", 1)]
    repeat = (
        "photos/photo;photos/photo_URL;_index;_parent_table_name;_parent_index;_submission__id;_submission__uuid\n"
        f"1717219200123.jpg;https://kf.kobotoolbox.org/media/x;1;heritage_form;1;1001;{uuid}\n"
    )
    export = tmp_path / "kobo.zip"
    with zipfile.ZipFile(export, "w") as archive:
        archive.writestr("heritage_form.csv", "".join(";".join(f'"{v}"' for v in row) + "\n" for row in main_rows))
        archive.writestr("photos.csv", repeat)
        archive.writestr(f"attachments/monitor1/attachments/aBcD/{uuid}/1717219200123.jpg", PHOTO)
    result = run(data, "observe", "import", str(export))
    assert result.exit_code == 0, result.output
    (record,) = read_log(data / "observations.jsonl")
    assert record["form"]["submission_id"] == uuid
    assert [e["sha256"] for e in record["evidence"] if "sha256" in e] == [hashlib.sha256(PHOTO).hexdigest()]
