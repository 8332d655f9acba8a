"""Public text says what the sources say, never how they were researched (docs/coding-rules.md, "Public text").

Every public output is scanned for the words of research process: the committed build in `maps/` (the pages'
JSON blocks and visible text, and `maps/data/`), a public export (CSV and KML), and the public fields of
`data/layers/`. `tests/test_committed_maps.py` keeps `maps/` equal to a fresh build, so scanning it scans the build.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any

import pytest

from geo import citations
from geo.dictionary import PUBLIC_EXCLUDED
from geo.export import export_data
from geo.inputs import load_inputs
from tests.test_data_layers import LAYERS_DIR, REPO, load_derive

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

MAPS = REPO / "maps"

MARKERS = re.compile(
    r"""mirror | clone | kiwix | prox(?:y|ies|ied) | read\ via | read\ on\ a | \bissue\ \#?\d | searched | the\ brief
    | recorded\ as | not\ found\ in | compiler | \bstored\b | excerpt | needs\ a\ second\ source | candidate\ row
    | \bsnapshot\b | \brule\ \d""",
    re.IGNORECASE | re.VERBOSE,
)
"""Research process: which copy was read and how, what was searched, issue numbers, the brief, the compiler."""

ALLOWED: dict[str, str] = {
    "Mirror-Spectator": (
        "The Armenian Mirror-Spectator, a newspaper cited as a source and named in published_by and in notes: "
        "its name, not a mirror site."
    ),
    "mirrorspectator.com": "The same newspaper's site, the text of a link to one of its articles (the address is the link's).",
}
"""Phrases in which a marker word is part of a fact, each with why."""

NOT_SCANNED: dict[str, str] = {
    "SOURCES.md": (
        "the sources-and-method document: how the data was compiled, which copies values were read on and what was "
        "searched is its subject; every feature's own text in it is the public text"
    ),
    "assets": "code and vendored libraries (Leaflet's source says 'proxy'), no data",
}
"""Outputs left out of the scan, each with why."""

URL = re.compile(r"https?://\S+")


def research_talk(text: str) -> list[str]:
    """The research markers in `text`, its addresses and the allowed phrases aside."""
    text = URL.sub(" ", text)
    for phrase in ALLOWED:
        text = text.replace(phrase, " ")
    return MARKERS.findall(text)


def strings(value: Any, skip: frozenset[str] = frozenset()) -> Iterator[str]:
    """Every string in a JSON value, except under the keys in `skip`."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in skip:
                yield from strings(item, skip)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item, skip)


class PageText(HTMLParser):
    """A page's visible text, the addresses its links lead to, and the contents of its JSON blocks (scripts and
    styles aside). A link shows its site's name; the address it cites is in its href, and is scanned too."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.blocks: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._in = "json" if dict(attrs).get("type") == "application/json" else "code"
        elif tag == "a" and (href := dict(attrs).get("href")):
            self.text.append(f" {href} ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "json":
            self.blocks.append(data)
        elif self._in is None:
            self.text.append(data)


def page_values(path: Path) -> Iterator[str]:
    parser = PageText()
    parser.feed(path.read_text(encoding="utf-8"))
    yield " ".join(parser.text)
    for block in parser.blocks:
        yield from strings(json.loads(block))


def file_values(path: Path) -> Iterator[str]:
    if path.suffix == ".html":
        yield from page_values(path)
    elif path.suffix in (".json", ".geojson"):
        yield from strings(json.loads(path.read_text(encoding="utf-8")))
    elif path.suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            yield from (cell for row in csv.DictReader(handle) for cell in row.values())
    else:
        yield path.read_text(encoding="utf-8")


def findings(files: list[Path]) -> list[str]:
    """Research words in the values of `files`, and addresses of copies (a copy is never cited, `read_via` aside)."""
    marked = load_inputs(LAYERS_DIR).cited_copies
    found = []
    for path in files:
        for value in file_values(path):
            if markers := research_talk(value):
                found.append(f"{path.name}: {markers} in {value[:160]!r}")
            copies = [u for u in URL.findall(value) if u not in marked and citations.canonical(u).is_copy]
            found.extend(f"{path.name}: the copy {u}" for u in copies)
    return found


def test_the_markers_catch_research_notes_and_spare_the_facts() -> None:
    assert research_talk("fr-wiki mirror gives 55,151 (2015 est.)") == ["mirror"]
    assert research_talk("a further search of stored web copies found none either (issue 3)") == ["stored", "issue 3"]
    assert research_talk("Copies replaced: soft.lk clone -> en.wikipedia Kanach_Zham") == ["clone"]
    assert research_talk("Wikipedia infobox figure (not found in a primary report)") == ["not found in"]
    assert research_talk("longitude recorded as east; needs a second source") == ["recorded as", "needs a second source"]
    assert research_talk("Monument Watch (via Panorama.am / Mirror-Spectator)") == []
    assert research_talk("https://mirrorspectator.com/2024/03/07/x and https://kiwix.example/wiki") == []


def test_the_scan_reads_a_pages_text_and_json_blocks_and_finds_copies(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><style>.proxy{}</style><script>var proxy = 1;</script>"
        '<script type="application/json">{"note": "coords read via a Kiwix snapshot"}</script></head>'
        "<body><p>Hit by missiles (the compiler's reading)</p>"
        '<a href="https://en.m.wikipedia.org/wiki/Shushi">Shushi</a></body></html>',
        encoding="utf-8",
    )
    data = tmp_path / "data.csv"
    data.write_text("id,note,source\nx,fine,https://en.m.wikipedia.org/wiki/Shushi\n", encoding="utf-8")
    found = findings([page, data])
    assert found[0].startswith("page.html: ['compiler']")
    assert found[1] == "page.html: the copy https://en.m.wikipedia.org/wiki/Shushi"  # a link's address, behind its text
    assert "['read via', 'Kiwix', 'snapshot']" in found[2]
    assert found[3:] == ["data.csv: the copy https://en.m.wikipedia.org/wiki/Shushi"]


def test_the_public_fields_of_the_layers_carry_no_research_notes() -> None:
    found = []
    for layer in ("communities", "heritage_sites", "routes", "places"):
        for feature in json.loads((LAYERS_DIR / f"{layer}.geojson").read_text(encoding="utf-8"))["features"]:
            props = feature["properties"]
            for value in strings(props, PUBLIC_EXCLUDED):
                if markers := research_talk(value):
                    found.append(f"{layer} {props['id']}: {markers} in {value[:160]!r}")
    for line in (LAYERS_DIR / "observations.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        for value in strings(record, PUBLIC_EXCLUDED):
            if markers := research_talk(value):
                found.append(f"{record['id']}: {markers} in {value[:160]!r}")
    with (LAYERS_DIR / "timeline.csv").open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            for key, value in row.items():
                if key not in PUBLIC_EXCLUDED and (markers := research_talk(value)):
                    found.append(f"timeline.csv line {line} {key}: {markers} in {value[:160]!r}")
    assert found == []


def test_the_committed_maps_carry_no_research_notes() -> None:
    files = [
        path
        for path in sorted(MAPS.rglob("*"))
        if path.is_file()
        and path.suffix in (".html", ".json", ".geojson", ".csv", ".md")
        and not NOT_SCANNED.keys() & {path.name, *path.relative_to(MAPS).parts}
    ]
    assert {p.name for p in files} >= {
        "index.html",
        "timeline.html",
        "timeline.csv",
        "nk014.html",
        "observations.csv",
        "datapackage.json",
    }
    assert findings(files) == []


@pytest.mark.parametrize("fmt", ["csv", "kml"])
def test_a_public_export_carries_no_research_notes(fmt: str, tmp_path: Path) -> None:
    written = export_data(LAYERS_DIR, tmp_path, fmt, "public")
    assert len(written) >= 5
    assert findings([p for p in written if p.suffix != ".kml"]) == []
    kml = [p for p in written if p.suffix == ".kml"]
    found = [f"{p.name}: {m}" for p in kml if (m := research_talk(re.sub(r"<[^>]+>", " ", p.read_text(encoding="utf-8"))))]
    assert found == []


def test_every_research_note_has_its_public_text_written_beside_it() -> None:
    derive = load_derive()
    reference = REPO / "data" / "reference"
    table = derive.read_public_text(reference)
    notes = derive.research_notes(*derive.research_layers(reference))
    assert list(table) == list(notes)
    assert all(table[key].research_note == note for key, note in notes.items())
    # The rewritten public text of a correction says what changed, on what evidence; the reasoning stays behind.
    corrected = table[("observations", "obs-nk014-2", "note")]
    assert "Kiwix" in corrected.research_note and "Kiwix" not in corrected.text
    assert corrected.text.startswith("Re-checked on 2026-12-05: damaged, not threatened as first recorded: BBC News Russian")


def test_a_changed_research_note_stops_the_derivation_until_its_public_text_is_checked(tmp_path: Path) -> None:
    derive = load_derive()
    reference = tmp_path / "reference"
    shutil.copytree(REPO / "data" / "reference", reference)
    path = reference / "communities_martuni.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("Also Gatsi.", "Also Gatsi or Hatsi."), encoding="utf-8")
    with pytest.raises(derive.LayerError, match=r"communities hatsi note: the research note changed since its public text"):
        derive.main(reference, tmp_path / "out")
