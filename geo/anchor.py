"""Anchors: a log's record count and head hash kept outside the file, and the check that a log still holds them.

Why: whoever can write the log can cut its tail (no link breaks) or rewrite
it and recompute every hash (every link holds again). Only a hash kept
elsewhere, from before, tells. Two anchors:

- the **log anchor** (`log_anchor`): the count and head hash of the whole log,
  internal records included. `verify` and `build` print it; keep it where the
  team keeps evidence (a commit message, a signed e-mail). It is never written
  into a published file: the head hash changes with every internal record, so
  publishing it would say when internal work was done.
- the **public anchor** (`public_anchor`): the count and head hash of the log
  as it is published (`geo.observations.public_log`, each record's canonical
  JSON chained the way the log is). `build` writes it into `MANIFEST.sha256`
  (a `#` line, which `sha256sum -c` skips) and every page's footer. It covers
  everything a reader was shown, and reveals nothing the maps do not.

`check_anchor` proves that every record an anchor covered is still present and
unchanged: the anchored count of records (or published records) ends in the
anchored hash. A log merged since (`geo.logmerge`) is checked through each copy
its merge records rebuild, so an anchor published from either copy still
holds. When it fails it says how: fewer records than the anchor covered (a cut
tail), or a different hash at the anchored place (rewritten and re-chained).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from geo._canonical import GENESIS, canonical_json
from geo.errors import ObservationError, Problem
from geo.i18n import N_, English, Message, message
from geo.logmerge import sides
from geo.observations import public_log

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

Scope = Literal["log", "public"]
MANIFEST_PREFIX = "# heritage-map public log anchor:"
_LINE = re.compile(r"#\s*heritage-map (public )?log anchor:\s*records=(\d+)\s+head=([0-9a-f]{64})\s*$")
_GIVEN = re.compile(r"(public:)?(?:(\d+):)?([0-9a-f]{64})")


@dataclass(frozen=True)
class Anchor:
    """How many records (of the whole log, or as published) an anchor covers, and their head hash."""

    scope: Scope
    records: int | None
    head: str

    def __str__(self) -> str:
        what = "published records" if self.scope == "public" else "records"
        count = f"{self.records} {what}, " if self.records is not None else ""
        return f"{count}head {self.head}"

    def manifest_line(self) -> str:
        """The anchor as the `#` line of `MANIFEST.sha256`."""
        return f"{MANIFEST_PREFIX} records={self.records} head={self.head}"

    def given(self) -> str:
        """The anchor as `verify --against` takes it by hand: `COUNT:HEAD`, or `public:COUNT:HEAD` for the published view."""
        return f"{'public:' if self.scope == 'public' else ''}{self.records}:{self.head}"


def public_heads(records: Sequence[Mapping[str, Any]]) -> list[str]:
    """The chain over the published view of `records`: the hash after each published record."""
    return chain_heads(public_log(records))


def chain_heads(published: Iterable[Mapping[str, Any]]) -> list[str]:
    """The chain over records already in their published form (`geo.observations.public_log`)."""
    heads, previous = [], GENESIS
    for shown in published:
        previous = hashlib.sha256(previous.encode("ascii") + canonical_json(shown)).hexdigest()
        heads.append(previous)
    return heads


def log_anchor(records: Sequence[Mapping[str, Any]]) -> Anchor:
    """The whole log's count and head hash (keep it; never publish it)."""
    return Anchor("log", len(records), str(records[-1].get("hash")) if records else GENESIS)


def public_anchor(records: Sequence[Mapping[str, Any]]) -> Anchor:
    """The published view's count and head hash (what `MANIFEST.sha256` and the page footers carry)."""
    return published_anchor(public_log(records))


def published_anchor(published: Iterable[Mapping[str, Any]]) -> Anchor:
    """`public_anchor` of records already in their published form (`geo.observations.public_log`)."""
    heads = chain_heads(published)
    return Anchor("public", len(heads), heads[-1] if heads else GENESIS)


def read_anchor(given: str) -> Anchor:
    """An anchor from `verify --against`: a `MANIFEST.sha256` (its anchor line), `COUNT:HEAD`, `public:COUNT:HEAD`, or a hash."""
    text = given.strip()
    match = _GIVEN.fullmatch(text)
    if match:
        scope: Scope = "public" if match.group(1) else "log"
        return Anchor(scope, int(match.group(2)) if match.group(2) else None, match.group(3))
    path = Path(text)
    if not path.is_file():
        raise ObservationError(
            Problem(
                file=given,
                found="neither a file nor a head hash",
                fix="give maps/MANIFEST.sha256, or COUNT:HEAD (or HEAD) as `verify` printed it",
            )
        )
    from geo._files import read_regular

    for line in read_regular(path, 64 << 20).decode("utf-8", "replace").splitlines():
        found = _LINE.match(line.strip())
        if found:
            return Anchor("public" if found.group(1) else "log", int(found.group(2)), found.group(3))
    raise ObservationError(
        Problem(
            file=str(path), found="no heritage-map log anchor line", fix="give a MANIFEST.sha256 written by heritage-map build"
        )
    )


def _holds(records: Sequence[Mapping[str, Any]], anchor: Anchor) -> bool:
    if anchor.scope == "public":
        heads = public_heads(records)
        count = anchor.records or 0
        return (count == 0 and anchor.head == GENESIS) or (0 < count <= len(heads) and heads[count - 1] == anchor.head)
    if anchor.records is None:
        return any(r.get("hash") == anchor.head for r in records)
    count = anchor.records
    return (count == 0 and anchor.head == GENESIS) or (
        0 < count <= len(records) and records[count - 1].get("hash") == anchor.head
    )


def covers(records: Sequence[Mapping[str, Any]], anchor: Anchor, seen: set[str] | None = None) -> bool:
    """Whether `records`, or a copy one of its merge records rebuilds, holds the anchored records unchanged."""
    seen = set() if seen is None else seen
    if _holds(records, anchor):
        return True
    for at, record in enumerate(records):
        if record.get("kind") != "merge":
            continue
        for side in sides(records, at):
            head = str(side[-1].get("hash"))
            if head not in seen:
                seen.add(head)
                if covers(side, anchor, seen):
                    return True
    return False


def check_anchor(records: Sequence[Mapping[str, Any]], anchor: Anchor) -> Problem | None:
    """None when every record `anchor` covered is still in `records`, unchanged; else what happened, on one line."""
    if covers(records, anchor):
        return None
    merged = any(r.get("kind") == "merge" for r in records)
    fix = "restore the log from a copy that holds the anchored records (a backup, the git history)"
    if anchor.scope == "public":
        held, what = len(public_heads(records)), "published records"
    else:
        held, what = len(records), "records"
    if anchor.records is None:
        found = f"no record has the anchored head hash {anchor.head[:12]}...: records were cut or rewritten"
    elif held < anchor.records:
        found = (
            f"the log holds {held} {what}; the anchor covered {anchor.records}: "
            f"the last {anchor.records - held} were cut (or the log was rewritten shorter)"
        )
    else:
        found = (
            f"{what[:-1]} {anchor.records} does not end in the anchored head hash {anchor.head[:12]}...: "
            "records up to it were changed and the log re-chained"
        )
    if merged:
        found += " (no copy its merge records rebuild holds them either)"
    return Problem(kind="anchor", feature=str(anchor), found=found, fix=fix)


ANCHOR_TEXT = N_(
    "Log anchor: {records} published records, head {head} (check a copy of the monitors' log against it: {command})."
)
VERIFY_COMMAND = "heritage-map verify --against MANIFEST.sha256"


def anchor_message(anchor: Anchor) -> Message:
    """What every page says of the published log's anchor (`public_anchor`), for a reader to check a copy against."""
    return message(ANCHOR_TEXT, records=anchor.records, head=English(anchor.head), command=English(VERIFY_COMMAND))


def anchor_text(anchor: Anchor) -> str:
    """`anchor_message` in English."""
    return str(anchor_message(anchor))
