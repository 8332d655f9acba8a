"""KoBoToolbox and ODK exports as they come: their own column names, submission ids, review states and attachments.

Why a module of its own: a monitor in the field fills in a form on a phone;
the export is what reaches the log. The tools name their columns their own
way (KoBoToolbox joins groups with `/`, ODK Central with `-`), add their own
metadata (`_uuid`, `meta/instanceID`, `KEY`, `_submission_time`,
`SubmissionDate`, `_validation_status`, `ReviewState`, ...), put repeat groups
in files of their own (ODK Central: `Form-repeat.csv` rows whose `PARENT_KEY`
is the submission's `KEY`; KoBoToolbox: rows with `_submission__uuid`), and
ship photos apart (KoBoToolbox's attachments folder
`<user>/attachments/<form>/<submission uuid>/<file>`, ODK Central's
`media/<file>` in its ZIP). This module reads all of that, so an export is
imported without flags, and says which submission each row is, so a second
import of the same export adds nothing.

Layouts: KoBoToolbox, "Exporting and downloading your data" and "Downloading
media attachments" (support.kobotoolbox.org); ODK Central, "Submissions:
downloading as CSV" (docs.getodk.org/central-submissions). Tests write
exports of both shapes (`tests/test_formexport.py`).
"""

from __future__ import annotations

import hashlib
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, TYPE_CHECKING, Any

from geo._files import confined_file, open_regular
from geo.errors import ObservationError, Problem, UnsafeFileError

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

FIELDS: tuple[str, ...] = (
    "site_id",
    "status",
    "observed_on",
    "before_scene",
    "after_scene",
    "evidence",
    "analyst",
    "note",
    "visibility",
    "contact",
)
"""The questions (columns) an import reads, by name; `docs/observations.md` gives their content."""

METADATA = frozenset(
    {
        # KoBoToolbox's own columns and the metadata questions its forms add by default
        "start", "end", "today", "deviceid", "username", "simserial", "subscriberid", "phonenumber", "audit",
        "instanceID", "instanceName", "rootUuid", "deprecatedID", "uuid", "__version__",
        # ODK Central's columns
        "SubmissionDate", "KEY", "PARENT_KEY", "SubmitterID", "SubmitterName", "AttachmentsPresent",
        "AttachmentsExpected", "Status", "ReviewState", "DeviceID", "Edits", "FormVersion",
    }
)  # fmt: skip
"""Form-tool columns recognised and skipped (those that say which submission a row is are read first)."""

MEDIA_QUESTION = re.compile(r"(photo|image|picture|video|audio|media|attachment|file)(_?\w*)", re.IGNORECASE)
"""A question whose answer is an attached file, by its name (a KoBoToolbox column with a `_URL` companion is one too)."""

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
MAX_MEDIA_BYTES = 1 << 30
"""The largest attachment read (1 GiB): a video of a site, not a ZIP bomb."""
MAX_MEDIA_FILES = 100_000
ODK_STATES = {"": "received", "hasIssues": "has issues", "edited": "edited", "approved": "approved", "rejected": "rejected"}


def field_of(column: str) -> str:
    """The question a column holds: its own name, or the last part of a grouped name (`group/q`, `group-q`)."""
    name = column.strip()
    if name in FIELDS or name in METADATA:
        return name
    for separator in ("/", "-"):
        if separator in name:
            last = name.rsplit(separator, 1)[1]
            if last in FIELDS or last in METADATA or last.startswith("_"):
                return last
    return name


@dataclass(frozen=True)
class Columns:
    """What each column of an export's header holds."""

    names: list[str]
    fields: dict[int, str]
    """Column index -> the `FIELDS` name it holds."""
    media: list[int]
    metadata: dict[str, int]
    """Metadata name -> column index (`_uuid`, `instanceID`, `KEY`, `_submission_time`, ...)."""
    unknown: list[str]
    tool: str | None

    @classmethod
    def of(cls, header: list[str], ignore: Iterable[str] = ()) -> Columns:
        """Sort the header's columns into fields, media, metadata and unknown (none of which is dropped silently)."""
        ignored = set(ignore)
        names = [c.strip() for c in header]
        companions = {name[: -len("_URL")] for name in names if name.endswith("_URL")}
        fields: dict[int, str] = {}
        media: list[int] = []
        metadata: dict[str, int] = {}
        unknown: list[str] = []
        for index, name in enumerate(names):
            question = field_of(name)
            if name in ignored or question in ignored:
                continue
            if question in FIELDS and question not in fields.values():
                fields[index] = question
            elif question in METADATA or question.startswith("_") or name.startswith("SET-OF-"):
                metadata.setdefault(question, index)
            elif name.endswith("_URL") and name[: -len("_URL")] in names:
                continue  # KoBoToolbox's download address of a media answer: the file itself is read
            elif name in companions or MEDIA_QUESTION.fullmatch(question):
                media.append(index)
            else:
                unknown.append(name)
        tool = "kobotoolbox" if "_uuid" in metadata else "odk" if ("KEY" in metadata or "SubmissionDate" in metadata) else None
        if tool is None and "instanceID" in metadata:
            tool = "odk"
        return cls(names, fields, media, metadata, unknown, tool)

    def submission(self, row: list[str]) -> dict[str, Any] | None:
        """The form submission a row is: tool, id (without `uuid:`), when it was submitted, its review state."""
        if self.tool is None:
            return None

        def value(*names: str) -> str:
            for name in names:
                index = self.metadata.get(name)
                if index is not None and index < len(row) and row[index].strip():
                    return row[index].strip()
            return ""

        submission_id = value("_uuid", "instanceID", "KEY").removeprefix("uuid:")
        if not submission_id:
            return None
        form: dict[str, Any] = {"tool": self.tool, "submission_id": submission_id}
        if submitted := value("_submission_time", "SubmissionDate"):
            form["submitted_at"] = submitted
        if "_validation_status" in self.metadata:
            state = value("_validation_status")
            form["review_state"] = state.removeprefix("validation_status_").replace("_", " ") or "not validated"
        elif "ReviewState" in self.metadata:
            state = value("ReviewState")
            form["review_state"] = ODK_STATES.get(state, state)
        return form

    def parent(self, row: list[str]) -> str:
        """The submission a repeat-group row belongs to (ODK `PARENT_KEY`, KoBoToolbox `_submission__uuid`)."""
        for name in ("PARENT_KEY", "_submission__uuid"):
            index = self.metadata.get(name)
            if index is not None and index < len(row) and row[index].strip():
                # ODK: `uuid:...` for a top-level repeat, `uuid:.../data/group[1]` below another repeat
                return row[index].strip().split("/", 1)[0].removeprefix("uuid:")
        return ""


# --- attachments ----------------------------------------------------------------------------


@dataclass
class Media:
    """The attachments given with an export (a folder, or a ZIP), found by file name."""

    where: Path
    folder: Path | None = None
    archive: zipfile.ZipFile | None = None
    raw: IO[bytes] | None = None
    by_name: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def open(cls, path: Path) -> Media:
        """The attachments in the folder or ZIP at `path`."""
        media = cls(path)
        if path.is_dir():
            media.folder = path
            for root, _dirs, files in os.walk(path):  # links to folders are not followed
                for name in files:
                    relative = os.path.relpath(os.path.join(root, name), path)
                    media.by_name.setdefault(name, []).append(relative)
        else:
            media.raw = os.fdopen(open_regular(path), "rb")
            media.archive = zipfile.ZipFile(media.raw)
            for info in media.archive.infolist():
                if not info.is_dir():
                    media.by_name.setdefault(PurePosixPath(info.filename).name, []).append(info.filename)
        if sum(len(v) for v in media.by_name.values()) > MAX_MEDIA_FILES:
            raise ObservationError(Problem(file=str(path), found=f"over {MAX_MEDIA_FILES:,} files", fix="split the export"))
        return media

    def find(self, name: str, submission: str) -> tuple[str | None, str | None]:
        """The attachment `name` of `submission` (the one in a folder named for it, when several share the name)."""
        if not name or "/" in name or "\\" in name or name in (".", ".."):
            return None, f"{name!r} is not an attachment's file name"
        found = []
        for candidate in self.by_name.get(name, []):
            folder = PurePosixPath(candidate.replace(os.sep, "/")).parent.name
            # KoBoToolbox files each submission's attachments in a folder named by its _uuid: another's is not ours
            if not (_UUID.fullmatch(folder) and folder != submission):
                found.append(candidate)
        if len(found) > 1:
            found = [f for f in found if submission and submission in PurePosixPath(f.replace(os.sep, "/")).parts[:-1]]
        if len(found) != 1:
            how = "not found" if not found else f"found {len(found)} times"
            return None, f"attachment {name!r} {how} in {self.where}"
        return found[0], None

    def reader(self, member: str) -> IO[bytes]:
        """The bytes of one attachment: a regular file inside the folder, or a ZIP member within the size limit."""
        if self.archive is not None:
            info = self.archive.getinfo(member)
            if info.file_size > MAX_MEDIA_BYTES:
                raise UnsafeFileError(
                    Problem(file=member, found=f"{info.file_size:,} bytes, over {MAX_MEDIA_BYTES:,}", fix="import it apart")
                )
            return self.archive.open(info)
        assert self.folder is not None
        return os.fdopen(open_regular(confined_file(self.folder, member)), "rb")

    def close(self) -> None:
        """Close the ZIP, if one is open."""
        if self.archive is not None:
            self.archive.close()
        if self.raw is not None:
            self.raw.close()


def _extension(name: str) -> str:
    suffix = PurePosixPath(name).suffix.lower().lstrip(".")
    return suffix if suffix.isalnum() and suffix.isascii() and len(suffix) <= 8 else "bin"


@dataclass
class Attachments:
    """Attachments hashed while rows are checked, and copied into `<data>/evidence/` only once every row passed."""

    media: Media | None
    pending: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Stored name (`<sha256>.<ext>`) -> the member to copy it from, and its name in the export."""

    def entry(self, name: str, submission: str) -> tuple[dict[str, str] | None, str | None]:
        """The evidence entry of attachment `name` (`evidence/<sha256>.<ext>`, its SHA-256, its name), or why not."""
        if self.media is None:
            return None, f"attachment {name!r}: no attachments were given with the export"
        member, problem = self.media.find(name, submission)
        if member is None:
            return None, problem
        digest = hashlib.sha256()
        total = 0
        try:
            with self.media.reader(member) as handle:
                while block := handle.read(1 << 20):
                    total += len(block)
                    if total > MAX_MEDIA_BYTES:
                        return None, f"attachment {name!r} is over {MAX_MEDIA_BYTES:,} bytes"
                    digest.update(block)
        except (UnsafeFileError, zipfile.BadZipFile, OSError) as error:
            return None, f"attachment {name!r} cannot be read ({error})"
        stored = f"{digest.hexdigest()}.{_extension(name)}"
        self.pending[stored] = (member, name)
        return {"file": f"evidence/{stored}", "sha256": digest.hexdigest(), "name": name}, None

    def store(self, data_dir: Path) -> None:
        """Copy each hashed attachment to `<data>/evidence/<sha256>.<ext>` (a file already there is the same content)."""
        if self.media is None or not self.pending:
            return
        folder = data_dir / "evidence"
        folder.mkdir(exist_ok=True)
        for stored, (member, _name) in self.pending.items():
            target = folder / stored
            if target.exists():
                continue
            temporary = folder / f".{stored}.{os.getpid()}.part"
            with self.media.reader(member) as source, open(temporary, "xb") as out:
                while block := source.read(1 << 20):
                    out.write(block)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, target)


def media_entries(
    columns: Columns, row: list[str], submission: str, attachments: Attachments
) -> tuple[list[dict[str, str]], list[Problem]]:
    """Evidence entries for the files a row's media questions name, and the attachments that fail."""
    entries, problems = [], []
    for index in columns.media:
        name = row[index].strip() if index < len(row) else ""
        if not name:
            continue
        entry, problem = attachments.entry(name, submission)
        if entry is not None:
            entries.append(entry)
        else:
            fix = "give the attachments folder or ZIP with --media (KoBoToolbox: download the attachments; ODK: the ZIP)"
            problems.append(Problem(field=columns.names[index], found=str(problem), fix=fix))
    return entries, problems


def default_media(export: Path) -> Path | None:
    """The attachments beside a CSV export when none are named: an `attachments` or `media` folder."""
    for name in ("attachments", "media"):
        candidate = export.parent / name
        if candidate.is_dir() and not candidate.is_symlink():
            return candidate
    return None


def group_repeats(repeats: Mapping[str, list[list[dict[str, str]]]]) -> dict[str, list[dict[str, str]]]:
    """Each submission's evidence entries from its repeat-group rows, flattened."""
    return {key: [entry for row in rows for entry in row] for key, rows in repeats.items()}
