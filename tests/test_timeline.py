"""`geo.timeline`, `geo.outlets` and the timeline's rules in `heritage-map validate` and the published copy."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from click.testing import CliRunner

from geo.cli import main
from geo.outlets import OUTLETS, outlet_name
from geo.timeline import PUBLIC_COLUMNS, Chapter, chapters, departures, problems, read_rows
from tests.layers import STORY_TIMELINE, write_layers

if TYPE_CHECKING:
    from pathlib import Path


def table(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_chapters_run_from_their_start_row_to_their_end_or_the_next_chapters_start() -> None:
    rows = read_rows(table(STORY_TIMELINE))
    assert chapters(rows, ("2023-11-01", "2024-04-04")) == [
        Chapter("blockade", "2022-12-12", "2023-09-19", ("2023-04-23",)),
        Chapter("offensive", "2023-09-19", "2023-09-20"),
        Chapter("exodus", "2023-09-24", "2023-10-01"),
        Chapter("destruction", "2023-11-01", "2024-04-04"),
    ]
    assert chapters(rows)[0].days() == 282
    # Without its end row, the last chapter lasts its first day only; without rows there is no chapter.
    assert chapters([r for r in rows if r.boundary != "end"])[-1] == Chapter("exodus", "2023-09-24", "2023-09-24")
    assert chapters([]) == []


def test_a_row_shows_on_its_first_day_or_an_intervals_last_and_departures_name_communities() -> None:
    rows = read_rows(table(STORY_TIMELINE))
    assert [(r.date, r.day) for r in rows if r.date in ("2021-07", "2023-09-24/2023-09-30")] == [
        ("2021-07", "2021-07-01"),
        ("2023-09-24/2023-09-30", "2023-09-30"),
    ]
    first = rows[1]
    assert (first.kind, first.chapter, first.boundary, first.time) == ("chapter", "blockade", "start", "about 10:30")
    assert first.sources == ("https://www.azatutyun.am/a/1.html", "https://news.am/eng/news/2.html")
    assert departures(rows) == {"village-b": "2023-09-24"}
    # A row written before kinds existed is an event.
    assert read_rows(table("date,event,source\n2023-09-19,Offensive,https://example.org/t\n"))[0].kind == "event"


def test_every_problem_of_a_timeline_is_found_at_once_with_its_line_and_fix() -> None:
    text = (
        "date,time,kind,chapter,boundary,communities,event,figure,unit,source\n"
        "2023-13-01,25:00,story,,,,Bad date,,,https://example.org/1\n"
        "2023-09-19,,chapter,war,middle,,Bad chapter,,,https://example.org/2\n"
        "2023-09-20,,event,offensive,,x,Chapter on an event,12 people,,https://example.org/3\n"
        "2023-09-24,18:00,arrivals,,,,Arrivals,500,people,https://example.org/4\n"
        "2023-09-25,06:00,arrivals,,,,Arrivals,400,people,https://example.org/5\n"
        "2023-09-26,,arrivals,,,,Arrivals,,people,https://example.org/6\n"
        "2023-09-27,,departure,,,nowhere,Left,,,https://example.org/7\n"
    )
    found = [(p.line, p.field) for p in problems(table(text), "timeline.csv", ["village-b"])]
    assert found == [
        (2, "date"),
        (2, "kind"),
        (2, "time"),
        (3, "chapter"),
        (3, "boundary"),
        (4, "chapter"),
        (4, "figure"),
        (4, "communities"),
        (4, "communities"),
        (6, "figure"),
        (7, "figure"),
        (8, "communities"),
    ]
    falling = next(p for p in problems(table(text), "timeline.csv") if p.line == 6)
    assert falling.message() == (
        "timeline.csv: line 6: field 'figure': '400' (expected at least 500 (line 5)); "
        "fix: arrival counts are cumulative: keep the rows in time order"
    )
    assert problems(table(STORY_TIMELINE), "timeline.csv", ["town-a", "village-b"]) == []


def test_validate_names_a_bad_timeline_row(tmp_path: Path) -> None:
    data = write_layers(tmp_path / "layers")
    bad = STORY_TIMELINE.replace("village-b,Village B leaves", "village-z,Village Z leaves")
    (data / "timeline.csv").write_text(bad, encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "--data", str(data)])
    assert result.exit_code == 1
    assert (
        "timeline.csv: line 9: field 'communities': 'village-z' (expected ids of the communities layer); fix: use the "
        "layer's ids" in result.output
    )


def test_a_source_is_named_by_its_outlet_from_the_host() -> None:
    assert outlet_name("https://www.azatutyun.am/a/32608277.html") == "Azatutyun (RFE/RL)"
    assert outlet_name("https://news.am/eng/news/783649.html") == "NEWS.am"
    assert outlet_name("https://en.armradio.am/2023/09/19/x/") == "Public Radio of Armenia"
    # A host the table does not name is shown as itself, which still says where the link goes.
    assert outlet_name("https://www.example.org/a") == "example.org"
    assert outlet_name("not a link") == "not a link"
    assert list(OUTLETS) == sorted(OUTLETS) and not any(host.startswith("www.") for host in OUTLETS)


def test_every_outlet_the_default_timeline_cites_is_named() -> None:
    from tests.test_data_layers import read_timeline_rows

    unnamed = {url for row in read_timeline_rows() for url in row.sources if outlet_name(url) not in OUTLETS.values()}
    assert unnamed == set()


def test_the_published_timeline_leaves_out_the_copies_a_page_was_read_on(tmp_path: Path) -> None:
    data = write_layers(tmp_path / "layers")
    (data / "timeline.csv").write_text(STORY_TIMELINE, encoding="utf-8")
    from geo.build import build_maps

    build_maps(data, tmp_path / "maps", tiles="none")
    published = (tmp_path / "maps" / "data" / "timeline.csv").read_text(encoding="utf-8-sig")
    rows = table(published)
    assert tuple(rows[0]) == PUBLIC_COLUMNS and "read_via" not in published and "amp/9.html" not in published
    assert len(rows) == len(table(STORY_TIMELINE))
    package = (tmp_path / "maps" / "data" / "datapackage.json").read_text(encoding="utf-8")
    assert '"name": "timeline-csv"' in package and "cumulative count of people from Nagorno-Karabakh" in package
