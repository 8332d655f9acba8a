"""ISO 8601 dates as the sources give them: a day, a month, a year, or an interval.

Sources often state only a month ("2021-05") or a year; those stay partial
rather than being padded to an invented day.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


@lru_cache(maxsize=8192)
def parse_partial(text: str) -> date:
    """The first day `text` covers ("2021-05" gives 2021-05-01); ValueError if not ISO 8601.

    Cached: a log of 100,000 observations repeats a few thousand dates.
    """
    match = _PARTIAL.match(text)
    if not match:
        raise ValueError(f"{text!r} is not an ISO 8601 date (YYYY, YYYY-MM or YYYY-MM-DD)")
    year, month, day = (int(part) if part else 1 for part in match.groups())
    return date(year, month, day)


def parse_iso(value: object) -> tuple[date, date | None]:
    """Start (and end, for an `A/B` interval) of an ISO 8601 date value; ValueError if not one.

    An integer is read as a year, so `population_year: 2015` is a date too.
    """
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(text, str):
        raise ValueError(f"{value!r} is not an ISO 8601 date")
    if "/" in text:
        start_text, _, end_text = text.partition("/")
        start, end = parse_partial(start_text), parse_partial(end_text)
        if end < start:
            raise ValueError(f"{text!r} ends before it starts")
        return start, end
    return parse_partial(text), None
