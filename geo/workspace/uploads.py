"""Evidence files uploaded in the browser: size- and type-limited, hashed on arrival, stored by their SHA-256.

A file is judged by its content, never by its name: an "image" is one Pillow
can open and verify as JPEG, PNG, GIF, WebP or TIFF, a PDF starts with
`%PDF-`; anything else is refused. Files are first written to a staging
folder in the state folder and hashed while they are written; only when the
whole observation checks out are they moved to `<data>/evidence/<sha256>.<ext>`
(the same content twice is one file), so a refused form leaves nothing in the
data folder.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import shutil
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

from geo.errors import Problem
from geo.observations import file_name

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

    from django.core.files.uploadedfile import UploadedFile

IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp", "TIFF": "tif"}
PDF_MAGIC = b"%PDF-"
STORED_NAME = re.compile(r"^[0-9a-f]{64}\.(jpg|png|gif|webp|tif|pdf)$")
CONTENT_TYPES = {
    "jpg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "tif": "image/tiff",
    "pdf": "application/pdf",
}
THUMBNAIL_PX = 240
FIELD = "evidence_files"
STAGING = "uploads"


@dataclass(frozen=True)
class Staged:
    """An accepted upload in the staging folder: its name as sent, its SHA-256 and where it will be stored."""

    sent_as: str
    sha256: str
    relative: str
    path: Path


def megabytes(size: int) -> str:
    """A size for a message: `25 MB`, `0.5 MB`."""
    return f"{size / 1024 / 1024:.3g} MB"


def content_kind(path: Path) -> str | None:
    """The stored extension for the file's content (`jpg`, `png`, ..., `pdf`), or None when it is neither."""
    with path.open("rb") as handle:
        if handle.read(len(PDF_MAGIC)) == PDF_MAGIC:
            return "pdf"
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                kind = IMAGE_FORMATS.get(str(image.format))
                image.verify()
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        return None
    return kind


def new_staging(state_dir: Path) -> Path:
    """A fresh staging folder for one form's uploads, under the state folder."""
    folder = state_dir / STAGING / secrets.token_hex(8)
    folder.mkdir(parents=True, mode=0o700)
    return folder


def stage(uploads: Iterable[UploadedFile], staging: Path, limit: int) -> tuple[list[Staged], list[Problem]]:
    """Write each upload to `staging`, hashing it as it arrives; refuse a file over `limit` bytes or of another kind.

    Accepted files are at `staging/evidence/<sha256>.<ext>`, recorded as
    `evidence/<sha256>.<ext>`, the path they will have under the data folder.
    """
    accepted: list[Staged] = []
    problems: list[Problem] = []
    (staging / "evidence").mkdir(parents=True, exist_ok=True)
    for upload in uploads:
        sent_as = file_name(upload.name or "upload")
        if upload.size is not None and upload.size > limit:
            problems.append(
                Problem(
                    field=FIELD,
                    found=f"{sent_as!r} is {megabytes(upload.size)}, over the {megabytes(limit)} limit for one file",
                    fix="send a smaller file, or give a link to it as an evidence URL",
                )
            )
            continue
        digest = hashlib.sha256()
        raw = staging / f"incoming-{secrets.token_hex(8)}"
        with raw.open("wb") as handle:
            for chunk in upload.chunks():
                digest.update(chunk)
                handle.write(chunk)
        kind = content_kind(raw)
        if kind is None:
            raw.unlink()
            problems.append(
                Problem(
                    field=FIELD,
                    found=f"{sent_as!r} is not an image (JPEG, PNG, GIF, WebP, TIFF) or a PDF: its content is neither, "
                    "whatever its name says",
                    fix="send the photo or document itself, in one of those formats",
                )
            )
            continue
        sha = digest.hexdigest()
        relative = f"evidence/{sha}.{kind}"
        os.replace(raw, staging / relative)
        accepted.append(Staged(sent_as, sha, relative, staging / relative))
    return accepted, problems


def keep(staged: Iterable[Staged], data_dir: Path) -> None:
    """Move accepted files into `<data>/evidence/`; a file already there has the same content (same name, same hash)."""
    for item in staged:
        target = data_dir / item.relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            continue
        shutil.copyfile(item.path, target.with_suffix(target.suffix + ".part"))
        os.replace(target.with_suffix(target.suffix + ".part"), target)


def discard(staging: Path) -> None:
    """Remove a staging folder and what is left in it."""
    shutil.rmtree(staging, ignore_errors=True)


def stored_file(data_dir: Path, name: str) -> Path | None:
    """The evidence file `<data>/evidence/<name>` when `name` is a stored name (`<sha256>.<ext>`) and it exists."""
    if not STORED_NAME.match(name):
        return None
    path = data_dir / "evidence" / name
    return path if path.is_file() else None


def thumbnail(source: Path, cache: Path) -> Path | None:
    """A PNG at most `THUMBNAIL_PX` wide and high of the image `source`, made once into `cache`; None for a PDF."""
    if source.suffix == ".pdf":
        return None
    target = cache / (source.stem + ".png")
    if target.exists():
        return target
    from PIL import Image

    cache.mkdir(parents=True, exist_ok=True)
    with Image.open(source) as image:
        image.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))
        partial = target.with_suffix(f".{secrets.token_hex(4)}.part")
        image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB").save(partial, format="PNG")
    os.replace(partial, target)
    return target
