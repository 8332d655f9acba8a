"""What an observation's status rests on, and what its dates say (docs/coding-rules.md).

A status other than `unknown` is recorded and shown only with evidence: at
least one evidence item (a URL or a hashed file) or a before/after scene pair.
An observation's `observed_on` is the date of the evidence (a day, a month, a
year or an `A/B` window); `reported_on` is the date the finding was published.
Where only the publication date is known, `observed_on` is null and the change
happened on or before `reported_on`.

Pure functions over log records (dicts); the log, the join, the map and the
validator share them so the rules live in one place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from geo.dates import parse_iso
from geo.i18n import N_, IsoDate, Message, message
from geo.schema import EVIDENCED_STATUSES

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import date

NO_EVIDENCE = "cites no evidence (no URL, no hashed file, no before/after scene pair)"


def has_evidence(record: Mapping[str, Any]) -> bool:
    """True when the record cites an evidence URL or hashed file, or names both a before and an after scene."""
    for item in record.get("evidence") or ():
        if isinstance(item, dict) and (item.get("url") or (item.get("file") and item.get("sha256"))):
            return True
    return bool(record.get("before_scene") and record.get("after_scene"))


def needs_evidence(record: Mapping[str, Any]) -> bool:
    """True when the record's status may be shown only with evidence and it has none."""
    return record.get("status") in EVIDENCED_STATUSES and not has_evidence(record)


def _start(value: Any) -> date | None:
    if not value:
        return None
    try:
        return parse_iso(value)[0]
    except ValueError:
        return None


def evidence_day(record: Mapping[str, Any]) -> date | None:
    """The first day of the evidence (`observed_on`), else of the publication (`reported_on`); None when neither parses."""
    return _start(record.get("observed_on")) or _start(record.get("reported_on"))


def newest_day(record: Mapping[str, Any]) -> date | None:
    """The last day the record's evidence covers: the end of an `observed_on` window, else `reported_on`."""
    for field in ("observed_on", "reported_on"):
        value = record.get(field)
        if not value:
            continue
        try:
            start, end = parse_iso(value)
        except ValueError:
            continue
        return end or start
    return None


def sort_key(record: Mapping[str, Any]) -> str:
    """Text that sorts records by the date of their evidence (ISO dates sort as text; a window by its start)."""
    return str(record.get("observed_on") or record.get("reported_on") or "")


OBSERVED = N_("observed {date}")
OBSERVED_BETWEEN = N_("observed between {start} and {end}")
OBSERVED_AND_REPORTED = N_("{observed}; reported on {reported}")
REPORTED = N_("reported on {reported}, change on or before that date")
NO_DATE = N_("date not stated in the sources")


def date_message(record: Mapping[str, Any]) -> Message:
    """What a reader is told about when, as a message the page puts in the reader's language (`date_text`)."""
    observed, reported = record.get("observed_on"), record.get("reported_on")
    if observed:
        if "/" in str(observed):
            start, end = str(observed).split("/", 1)
            seen = message(OBSERVED_BETWEEN, start=IsoDate(start), end=IsoDate(end))
        else:
            seen = message(OBSERVED, date=IsoDate(observed))
        return message(OBSERVED_AND_REPORTED, observed=seen, reported=IsoDate(reported)) if reported else seen
    if reported:
        return message(REPORTED, reported=IsoDate(reported))
    return message(NO_DATE)


def date_text(record: Mapping[str, Any]) -> str:
    """What a reader is told about when: `observed 2024-04-04`, `observed between ... and ...`,
    `reported on 2024-05-11, change on or before that date`, or that the sources state no date.
    """
    return str(date_message(record))
