"""The timeline's rows (`timeline.csv`) as the story reads them: chapters, events, arrivals and departures.

A row is one dated fact with its sources. Its `kind` says what the timeline does with it:

- `chapter`: a boundary of a chapter of the story (`chapter` names it: blockade, offensive or exodus; `boundary`
  says `start`, `end` or `turn`, a turning point within it);
- `event`: something that happened;
- `arrivals`: a cumulative count of the people from Nagorno-Karabakh who had entered Armenia (`figure`), at the
  local time `time` when the source gives one: the timeline's running figure;
- `departure`: the people of a place left; `communities` names the communities layer's ids when the source names
  the communities, so the map fades each at its own date.

A row without a `kind` is an event (a timeline written before kinds existed). Times are local (UTC+4): `HH:MM`,
`about HH:MM`, or `morning`, `afternoon`, `evening` or `night` when that is all the source says. A fifth chapter,
the destruction, is not a row: it runs from the first dated status of a heritage site to the newest evidence.
Everything here is pure: rows in, records and problems out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from geo.dates import parse_iso
from geo.errors import Problem

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

KINDS: tuple[str, ...] = ("chapter", "event", "arrivals", "departure")
STORY_CHAPTERS: tuple[str, ...] = ("blockade", "offensive", "exodus")
"""The chapters the rows mark, in the order they follow each other."""
DESTRUCTION = "destruction"
BOUNDARIES: tuple[str, ...] = ("start", "end", "turn")
COLUMNS: tuple[str, ...] = (
    "date",
    "time",
    "kind",
    "chapter",
    "boundary",
    "communities",
    "event",
    "figure",
    "unit",
    "source",
    "read_via",
)
"""The columns of `timeline.csv`; only `date`, `event` and `source` are required."""
PUBLIC_COLUMNS: tuple[str, ...] = tuple(c for c in COLUMNS if c != "read_via")
"""What the published copy keeps: the copies a page was read on stay in the data folder."""

TIME = re.compile(r"^(?:(?:about )?(?:[01]\d|2[0-3]):[0-5]\d|morning|afternoon|evening|night)$")
FIGURE = re.compile(r"^\d+(?:\.\d+)?$")


@dataclass(frozen=True)
class Row:
    """One row of the timeline."""

    line: int
    date: str
    time: str
    kind: str
    chapter: str
    boundary: str
    communities: tuple[str, ...]
    event: str
    figure: float | None
    unit: str
    sources: tuple[str, ...]

    @property
    def day(self) -> str:
        """The day the timeline shows the row on: its date's first day, or an interval's last (`2021-07` on
        2021-07-01; `2023-09-24/2023-10-03` on 2023-10-03, when what it counts is complete).
        """
        start, end = parse_iso(self.date)
        return (end or start).isoformat()


@dataclass(frozen=True)
class Chapter:
    """A named span of the story: its first and last day, and the days of its turning points."""

    name: str
    start: str
    end: str
    turns: tuple[str, ...] = ()

    def days(self) -> int:
        """How many days it lasts, counting both ends."""
        first, _ = parse_iso(self.start)
        last, _ = parse_iso(self.end)
        return (last - first).days + 1


def split(text: str | None) -> tuple[str, ...]:
    """The items of a list cell (` ; ` between them)."""
    return tuple(part.strip() for part in (text or "").split(";") if part.strip())


def problems(table: Iterable[Mapping[str, str | None]], file: str, community_ids: Iterable[str] = ()) -> list[Problem]:
    """What is wrong with each row of `timeline.csv`, all at once: dates, kinds, chapters, times, figures,
    departures naming no community of the layer, and arrival counts that fall.
    """
    found: list[Problem] = []
    known = set(community_ids)
    previous: tuple[float, int] | None = None
    for line, row in enumerate(table, start=2):

        def problem(field: str, value: str, expected: str, fix: str, line: int = line) -> Problem:
            return Problem(file=file, line=line, field=field, found=repr(value), expected=expected, fix=fix)

        date, kind = (row.get("date") or ""), (row.get("kind") or "event")
        try:
            parse_iso(date)
        except ValueError:
            found.append(problem("date", date, "YYYY, YYYY-MM, YYYY-MM-DD or an interval A/B", "write the date as ISO 8601"))
        if kind not in KINDS:
            found.append(problem("kind", kind, " or ".join(KINDS), "use one of the kinds"))
        chapter, boundary = row.get("chapter") or "", row.get("boundary") or ""
        if kind == "chapter" and chapter not in STORY_CHAPTERS:
            found.append(problem("chapter", chapter, " or ".join(STORY_CHAPTERS), "name the chapter the row marks"))
        if kind == "chapter" and boundary not in BOUNDARIES:
            found.append(problem("boundary", boundary, " or ".join(BOUNDARIES), "say whether it starts, ends or turns it"))
        if kind != "chapter" and (chapter or boundary):
            found.append(problem("chapter", chapter or boundary, "empty", "only chapter rows name a chapter"))
        time = row.get("time") or ""
        if time and not TIME.match(time):
            found.append(problem("time", time, "HH:MM, about HH:MM, morning, afternoon, evening or night", "give the local time"))
        figure = row.get("figure") or ""
        if figure and not FIGURE.match(figure):
            found.append(problem("figure", figure, "a number", "write the number alone; put words in unit or event"))
        if kind == "arrivals" and not figure:
            found.append(problem("figure", figure, "the count", "give the cumulative count of arrivals"))
        communities = split(row.get("communities"))
        if communities and kind != "departure":
            found.append(problem("communities", ";".join(communities), "empty", "only departure rows name communities"))
        if known and (unknown := [c for c in communities if c not in known]):
            found.append(problem("communities", ";".join(unknown), "ids of the communities layer", "use the layer's ids"))
        if kind == "arrivals" and FIGURE.match(figure):
            if previous is not None and float(figure) < previous[0]:
                found.append(
                    problem(
                        "figure",
                        figure,
                        f"at least {previous[0]:g} (line {previous[1]})",
                        "arrival counts are cumulative: keep the rows in time order",
                    )
                )
            previous = (float(figure), line)
    return found


def read_rows(table: Iterable[Mapping[str, str | None]]) -> list[Row]:
    """The rows of a valid timeline (`problems` found none), in file order."""
    return [
        Row(
            line=line,
            date=row.get("date") or "",
            time=row.get("time") or "",
            kind=row.get("kind") or "event",
            chapter=row.get("chapter") or "",
            boundary=row.get("boundary") or "",
            communities=split(row.get("communities")),
            event=row.get("event") or "",
            figure=_number(row.get("figure")),
            unit=row.get("unit") or "",
            sources=split(row.get("source")),
        )
        for line, row in enumerate(table, start=2)
    ]


def chapters(rows: list[Row], destruction: tuple[str, str] | None = None) -> list[Chapter]:
    """The chapters the rows mark, in story order, then the destruction (`destruction`: its first and last day).

    A chapter starts at its earliest `start` row and ends at its latest `end` row; without one, where the next
    chapter starts (the blockade ends as the offensive begins), or on its start day when it is the last.
    """
    starts = {
        name: min((r.day for r in rows if r.chapter == name and r.boundary == "start"), default=None) for name in STORY_CHAPTERS
    }
    found = []
    for position, name in enumerate(STORY_CHAPTERS):
        start = starts[name]
        if start is None:
            continue
        ends = [r.day for r in rows if r.chapter == name and r.boundary == "end"]
        following = [s for s in (starts[n] for n in STORY_CHAPTERS[position + 1 :]) if s is not None]
        end = max(ends) if ends else (following[0] if following else start)
        turns = tuple(sorted({r.day for r in rows if r.chapter == name and r.boundary == "turn"}))
        found.append(Chapter(name, start, max(end, start), turns))
    if destruction is not None:
        found.append(Chapter(DESTRUCTION, *destruction))
    return found


def departures(rows: list[Row]) -> dict[str, str]:
    """Each community a departure row names, and the first day a source says its people left."""
    left: dict[str, str] = {}
    for row in rows:
        if row.kind == "departure":
            for community in row.communities:
                left[community] = min(left.get(community, row.day), row.day)
    return left


def _number(text: str | None) -> float | None:
    return float(text) if text else None
