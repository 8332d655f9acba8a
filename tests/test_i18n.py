"""The catalogs (geo/locale/<lang>/LC_MESSAGES/messages.po and the browser's geo/static/i18n/<lang>.js) against the
code: every interface string translated in Armenian and Russian, nothing stale, a translation never carrying markup
or placeholders its English does not, each word that carries a finding citing where its translation comes from,
and the markers of the server-rendered pages escaping what they mark.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog

from geo import _messages
from geo.context import COUNTRY_NAMES, region_countries
from geo.i18n import (
    TRANSLATIONS,
    English,
    IsoDate,
    attribute,
    browser_catalog,
    catalog_script,
    english,
    message,
    message_markup,
    page_gettext,
    read_catalog,
    to_json,
)

STATIC = Path(_messages.__file__).parent / "static"
SCRIPT_CALL = re.compile(r'\b(?:t|tn)\(\s*"((?:[^"\\]|\\.)*)"')
COMMENTS = re.compile(r"/\*.*?\*/|(?<![:\\])//[^\n]*", re.S)
TERMS = re.compile(
    r"\b(?:[Dd]estroyed|[Dd]amaged|[Tt]hreatened|[Ii]ntact|[Bb]lockade|[Oo]ffensive|[Ee]xodus|Lachin corridor|displaced|"
    r"imagery here|imagery analysis by the monitor|Nagorno-Karabakh|[Cc]ommunit(?:y|ies))\b"
    r"|^(?:church|monastery|cemetery|khachkar|bridge|memorial|village|archaeological site|mosque|monument|Unknown|unknown)$"
)
"""English that carries a finding (docs/glossary.md): a status, an evidence level, a kind of heritage, the story's
words. Its entry in each catalog cites where the translation is taken from."""


def entries(lang: str) -> dict[str, object]:
    return {entry.id if isinstance(entry.id, str) else entry.id[0]: entry for entry in read_catalog(lang) if entry.id}


def test_the_catalogs_hold_every_string_of_the_code_translated_and_nothing_else() -> None:
    assert _messages.problems() == []


def test_a_stale_or_missing_string_is_found() -> None:
    template = Catalog()
    template.add("A string the catalogs do not have")
    found = _messages.problems(template)
    for lang in TRANSLATIONS:
        assert f"{lang}: missing from messages.po: 'A string the catalogs do not have'" in found
        assert f"{lang}: no longer in the code: 'Destroyed'" in found  # every entry the template lacks is stale


def test_the_extraction_finds_every_string_the_scripts_translate() -> None:
    # Babel's JavaScript extractor skips a call nested in another's arguments: every literal t("...") must be found.
    extracted = {entry.id if isinstance(entry.id, str) else entry.id[0] for entry in _messages.extract() if entry.id}
    for path in sorted(STATIC.glob("*.js")):
        code = COMMENTS.sub("", path.read_text(encoding="utf-8"))
        literals = {json.loads(f'"{found}"') for found in SCRIPT_CALL.findall(code)}
        assert literals - extracted == set(), f'{path.name}: write each t("...") outside another call\'s arguments'


def test_the_browser_catalogs_are_generated_from_the_po_files() -> None:
    for lang in TRANSLATIONS:
        assert (STATIC / "i18n" / f"{lang}.js").read_text(encoding="utf-8") == catalog_script(lang)
        shown = browser_catalog(lang)
        assert shown["Destroyed"] == {"hy": "Ավերված", "ru": "Разрушен"}[lang]
        assert isinstance(shown["{count} result"], list) and len(shown["{count} result"]) == (3 if lang == "ru" else 2)
        assert "</script" not in catalog_script(lang).lower()


@pytest.mark.parametrize("lang", TRANSLATIONS)
def test_a_translation_carries_the_placeholders_and_markup_of_its_english_and_no_more(lang: str) -> None:
    # A server-rendered page puts a translation in as markup (geo/static/i18n.js translateMarker): its tags must be
    # the English's own, and its placeholders the values the page has.
    for msgid, entry in entries(lang).items():
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)  # type: ignore[attr-defined]
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)  # type: ignore[attr-defined]
        wanted_tags = sorted(re.findall(r"<[^>]+>", ids[0]))
        wanted_places = set(re.findall(r"\{\w+\}|%\(\w+\)s", " ".join(ids)))
        for string in strings:
            assert sorted(re.findall(r"<[^>]+>", string)) == wanted_tags, (lang, msgid, string)
            assert set(re.findall(r"\{\w+\}|%\(\w+\)s", string)) <= wanted_places, (lang, msgid, string)
            assert "<script" not in string.lower() and "javascript:" not in string.lower()


@pytest.mark.parametrize("lang", TRANSLATIONS)
def test_each_word_that_carries_a_finding_cites_its_source_and_every_other_says_it_awaits_review(lang: str) -> None:
    for msgid, entry in entries(lang).items():
        comments = entry.auto_comments  # type: ignore[attr-defined]
        sources = [c for c in comments if c.startswith("source: ")]
        if TERMS.search(msgid):
            assert sources, f"{lang}: {msgid!r} carries a finding: cite its source (#. source: <url>)"
            assert all(re.match(r"source: https?://\S+ \(", c) for c in sources), (msgid, sources)
        else:
            assert sources or "translated for this project, to be reviewed by a native speaker" in comments, msgid


def test_the_countries_named_on_the_map_are_in_the_catalogs() -> None:
    assert sorted(COUNTRY_NAMES) == sorted(region_countries()["name"])


def test_a_marked_string_escapes_its_values_and_keeps_them_apart() -> None:
    hostile = '<img src=x onerror=alert(1)> "quoted" & {name}'
    marked = message_markup(message("{name} ({what})", name=English(hostile), what=message("heritage site")))
    assert "<img" not in marked and "&lt;img src=x onerror=alert(1)&gt;" in marked
    assert marked.startswith('<span data-t="{name} ({what})"><span data-p="name"><bdi lang="en">')
    assert '<span data-p="what"><span data-t>heritage site</span></span>' in marked
    dated = message_markup(message("observed {date}", date=IsoDate("2024-04-04")))
    assert '<time datetime="2024-04-04">2024-04-04</time>' in dated
    assert (
        page_gettext("Published by %(publisher)s.")
        == '<span data-t="Published by %%(publisher)s.">Published by <span data-p="publisher">%(publisher)s</span>.</span>'
    )
    label = attribute("alt", "Before: %(date)s image of %(name)s", date="2024", name=hostile)
    assert "<img" not in label and 'data-t-alt="Before: %(date)s image of %(name)s"' in label


def test_a_message_travels_to_the_page_as_json_and_reads_back_in_english() -> None:
    sent = message("{name} ({what})", name=English("Village C"), what=message("settlement lost in 2020"))
    assert to_json(sent) == {
        "msg": "{name} ({what})",
        "args": {"name": {"en": "Village C"}, "what": {"msg": "settlement lost in 2020"}},
    }
    assert english(to_json([sent])) == [str(sent)] == ["Village C (settlement lost in 2020)"]
