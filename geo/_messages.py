"""Every interface string of the code, found with Babel, and the catalogs kept in step with it.

`python -m geo._messages update` extracts the strings, merges them into each language's catalog
(`geo/locale/<lang>/LC_MESSAGES/messages.po`: a new string comes in untranslated, a string the code no longer has
goes) and writes the browser's JSON catalogs (`geo/static/i18n/<lang>.js`). `python -m geo._messages check` says
what is missing, stale or untranslated, as tests/test_i18n.py does. Where strings are:

- the scripts (`geo/static/*.js`): `t("...")` and `HeritageMap.t("...")`, `tn("singular", "plural", n)`;
- the page templates (`geo/templates/*.html`): `{{ _("...") }}`, `{% trans %}...{% endtrans %}`, and
  `{{ _attr("aria-label", "...") }}` for text in an attribute, `{{ _text("...") }}` for a `<title>`'s;
- Python (`geo/*.py`): `N_("...")` where a string that reaches a page is defined.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geo.i18n import DOMAIN, LANGUAGES, TRANSLATIONS, catalog_path, catalog_script, read_catalog

if TYPE_CHECKING:
    from collections.abc import Iterator

    from babel.messages.catalog import Catalog

PACKAGE = Path(__file__).parent
STATIC_CATALOGS = PACKAGE / "static" / "i18n"
SCRIPT_KEYWORDS: dict[str, Any] = {"t": None, "tn": (1, 2)}
TEMPLATE_KEYWORDS: dict[str, Any] = {"_": None, "gettext": None, "ngettext": (1, 2), "_attr": (2,), "_text": None}
PYTHON_KEYWORDS: dict[str, Any] = {"N_": None}
LANGUAGE_NAMES = {"hy": "Armenian", "ru": "Russian"}
CATALOG_DATE = datetime(2026, 12, 5, tzinfo=UTC)
HEADER = """\
# {language} catalog of the Nagorno-Karabakh heritage map's interface.
# The message ids are the English of the code (python -m geo._messages update merges them in).
# Terms that carry findings (statuses, evidence levels, kinds of heritage, the story's words) follow how monitors
# and the press publish them: each says where in a `#. source:` line, and docs/glossary.md lists them all.
# Every other string was translated for this project and is to be reviewed by a native speaker
# (`#. translated for this project, to be reviewed by a native speaker`)."""


def _sources() -> Iterator[tuple[str, Path, dict[str, Any]]]:
    """Each file that may hold interface strings: its extraction method, path and keywords."""
    for path in sorted((PACKAGE / "static").glob("*.js")):
        yield "javascript", path, SCRIPT_KEYWORDS
    for path in sorted((PACKAGE / "templates").glob("*.html")):
        yield "jinja2", path, TEMPLATE_KEYWORDS
    for path in sorted(PACKAGE.glob("*.py")):
        yield "python", path, PYTHON_KEYWORDS


def extract() -> Catalog:
    """The catalog template: every interface string of the code, with the files it is in."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_file

    template = Catalog(domain=DOMAIN, project="heritage-map", charset="utf-8")
    for method, path, keywords in _sources():
        options = {"extensions": "jinja2.ext.i18n", "trimmed": "false"} if method == "jinja2" else {}
        found = extract_from_file(method, str(path), keywords=keywords, comment_tags=("TRANSLATORS:",), options=options)
        for _line, msgid, comments, _context in found:
            if not (msgid[0] if isinstance(msgid, tuple) else msgid):
                continue
            relative = path.relative_to(PACKAGE.parent).as_posix()
            existing = template.get(msgid[0] if isinstance(msgid, tuple) else msgid)
            if existing is not None:
                if (relative, None) not in existing.locations:
                    existing.locations.append((relative, None))  # type: ignore[arg-type]  # Babel's own shape
                continue
            template.add(msgid, locations=[(relative, None)], auto_comments=comments)  # type: ignore[list-item]
    return template


def merged(lang: str, template: Catalog) -> Catalog:
    """`lang`'s catalog with the template's messages: translations, flags and comments (the `#. source:` lines of
    the terms) carried over, new messages untranslated, messages the code no longer has dropped.
    """
    from babel.messages.catalog import Catalog

    old = read_catalog(lang) if catalog_path(lang).exists() else Catalog(locale=lang, domain=DOMAIN)
    new = Catalog(
        locale=lang,
        domain=DOMAIN,
        header_comment=HEADER.format(language=LANGUAGE_NAMES[lang]),
        project="heritage-map",
        version="",
        msgid_bugs_address="",
        creation_date=CATALOG_DATE,  # fixed, so an update that changes no message changes no byte
        revision_date=CATALOG_DATE,
        last_translator="",
        language_team="",
        charset="utf-8",
        fuzzy=False,
    )
    for entry in template:
        if not entry.id:
            continue
        before = old.get(entry.id)
        if before is not None and isinstance(before.id, tuple) == isinstance(entry.id, tuple):
            new.add(
                entry.id,
                string=before.string,
                locations=entry.locations,
                flags=before.flags,
                auto_comments=before.auto_comments,
                user_comments=before.user_comments,
            )
        else:
            new.add(entry.id, string=("",) * new.num_plurals if isinstance(entry.id, tuple) else "", locations=entry.locations)
    return new


def problems(template: Catalog | None = None) -> list[str]:
    """What keeps the catalogs from matching the code: a string missing from a catalog or untranslated, a
    catalog entry the code no longer has, a browser catalog not generated from its .po file.
    """
    template = template or extract()
    wanted = {entry.id if isinstance(entry.id, str) else entry.id[0] for entry in template if entry.id}
    found: list[str] = []
    for lang in TRANSLATIONS:
        catalog = read_catalog(lang)
        held = {entry.id if isinstance(entry.id, str) else entry.id[0]: entry for entry in catalog if entry.id}
        found += [f"{lang}: missing from {catalog_path(lang).name}: {msgid!r}" for msgid in sorted(wanted - set(held))]
        found += [f"{lang}: no longer in the code: {msgid!r}" for msgid in sorted(set(held) - wanted)]
        for msgid in sorted(wanted & set(held)):
            entry = held[msgid]
            strings = entry.string if isinstance(entry.string, (tuple, list)) else (entry.string,)
            if entry.fuzzy or not all(strings):
                found.append(f"{lang}: untranslated{' (fuzzy)' if entry.fuzzy else ''}: {msgid!r}")
        script = STATIC_CATALOGS / f"{lang}.js"
        if not script.exists() or script.read_text(encoding="utf-8") != catalog_script(lang):
            found.append(f"{lang}: {script.relative_to(PACKAGE.parent)} is not generated from the catalog")
    return found


def update() -> None:
    """Merge the code's strings into every catalog and write the browser's catalogs."""
    from babel.messages.pofile import write_po

    template = extract()
    for lang in TRANSLATIONS:
        catalog = merged(lang, template)
        path = catalog_path(lang)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            write_po(handle, catalog, width=1000, include_lineno=False, sort_output=False)  # a source's address on one line
        read_catalog.cache_clear()
    STATIC_CATALOGS.mkdir(exist_ok=True)
    for lang in TRANSLATIONS:
        (STATIC_CATALOGS / f"{lang}.js").write_text(catalog_script(lang), encoding="utf-8")


def main(argv: list[str]) -> int:
    """`update` or `check` (the default): exit 1 when the catalogs do not match the code."""
    if argv[1:] == ["update"]:
        update()
    found = problems()
    for line in found:
        print(line)
    print(f"{len(found)} problem(s) in the catalogs of {', '.join(LANGUAGES[1:])}" if found else "catalogs match the code")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
