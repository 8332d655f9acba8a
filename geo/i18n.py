"""The interface's languages: English (the source text), Armenian and Russian.

One set of pages switches language in the browser (docs/ARCHITECTURE.md, "One set of pages in three
languages"). The source of truth is one gettext catalog per language, `geo/locale/<lang>/LC_MESSAGES/messages.po`,
whose message ids are the English strings of the code: `t("...")` in the scripts, `_()` and `{% trans %}` in the
templates, `N_("...")` in Python (`geo._messages` extracts them with Babel). From each catalog the browser gets a JSON
catalog, `geo/static/i18n/<lang>.js` (`catalog_script`, written by `python -m geo._messages update`), which every
page loads with `geo/static/i18n.js`.

A server-rendered page (a site's story, an embed page) is written once, in English, with each interface string
marked (`page_gettext`, `message_markup`, `attribute`): the marker says which message it is and wraps each value
put into it, so `i18n.js` can put the translation in its place and keep the values (a name, a link, a date) as they
were rendered. Values are never markup: they are escaped here, and the script moves their nodes, never their text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

if TYPE_CHECKING:
    from collections.abc import Mapping

    from babel.messages.catalog import Catalog

SOURCE_LANGUAGE = "en"
TRANSLATIONS = ("hy", "ru")
LANGUAGES = (SOURCE_LANGUAGE, *TRANSLATIONS)
"""The interface's languages, the source first; the switch lists them in this order."""
LOCALE = Path(__file__).parent / "locale"
DOMAIN = "messages"


def N_(text: str) -> str:  # gettext's own name for a string marked for extraction only
    """Mark `text` for the catalogs where it is defined; it is translated where it is shown (in the browser)."""
    return text


class IsoDate(str):
    """A date as the sources give it (`YYYY`, `YYYY-MM`, `YYYY-MM-DD` or an interval `A/B`), put into a message: the
    page formats it for the reader's language (English keeps it as written).
    """

    __slots__ = ()


class English(str):
    """A value from the data put into a message (a name, a monitor's own words): the English the sources give it,
    marked `lang="en"` on the page whatever the page's language, and never looked up in a catalog.
    """

    __slots__ = ()


@dataclass(frozen=True)
class Message:
    """Interface text with `{name}` placeholders and their values, translated where it is shown.

    Python never joins a translated fragment to another: a sentence that carries values travels as its English
    text and its values (a value may be a `Message` itself, or an `IsoDate`), and the page puts them into the
    reader's language (`as_json` for the scripts, `message_markup` for a template).
    """

    text: str
    values: tuple[tuple[str, Any], ...] = ()

    def __str__(self) -> str:
        """The English sentence."""
        return self.text.format(**{name: _text(value) for name, value in self.values}) if self.values else self.text

    def as_json(self) -> dict[str, Any]:
        """What a page's JSON block carries: `HeritageMap.t` takes it as it takes a string (`{"date": ...}` is a
        date to format, `{"msg": ...}` a message within).
        """
        if not self.values:
            return {"msg": self.text}
        return {"msg": self.text, "args": {name: _json_value(value) for name, value in self.values}}


LIST_SEPARATOR = "; "
"""Between the items of a list put into a message (a list of messages is a list, not a sentence)."""


def _text(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return LIST_SEPARATOR.join(_text(item) for item in value)
    return str(value)


def _json_value(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_json_value(item) for item in value]
    if isinstance(value, Message):
        return value.as_json()
    if isinstance(value, IsoDate):
        return {"date": str(value)}
    if isinstance(value, English):
        return {"en": str(value)}
    return value


def to_json(value: Any) -> Any:
    """`value` for a page's JSON block: each `Message` within (in a dict, a list or alone) as `Message.as_json`."""
    if isinstance(value, Message):
        return value.as_json()
    if isinstance(value, dict):
        return {key: to_json(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(item) for item in value]
    return value


def english(value: Any) -> Any:
    """A page's JSON value in English: each message object (`Message.as_json`) as its English text."""
    if isinstance(value, dict) and isinstance(value.get("msg"), str) and set(value) <= {"msg", "args"}:
        args = {name: _english_value(item) for name, item in (value.get("args") or {}).items()}
        return value["msg"].format(**args) if args else value["msg"]
    if isinstance(value, dict) and set(value) in ({"date"}, {"en"}):
        return next(iter(value.values()))
    if isinstance(value, list):
        return [english(item) for item in value]
    if isinstance(value, dict):
        return {key: english(item) for key, item in value.items()}
    return value


def _english_value(value: Any) -> Any:
    return LIST_SEPARATOR.join(str(english(item)) for item in value) if isinstance(value, list) else english(value)


def message(text: str, **values: Any) -> Message:
    """`text` with its placeholders' values (`text` is written `N_("...")` where it is defined)."""
    return Message(text, tuple(sorted(values.items())))


def catalog_path(lang: str) -> Path:
    """The gettext catalog of one language."""
    return LOCALE / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=len(TRANSLATIONS))
def read_catalog(lang: str) -> Catalog:
    """The catalog of `lang` as Babel reads it."""
    from babel.messages.pofile import read_po

    with catalog_path(lang).open("rb") as handle:
        return read_po(handle, locale=lang, domain=DOMAIN)


def browser_catalog(lang: str) -> dict[str, str | list[str]]:
    """What the scripts look a message up in: each translated message id (the singular's, for a plural) and its
    translation (a list of forms for a plural, in the catalog's order). Untranslated and fuzzy messages are left out,
    so the page shows the English rather than an unchecked guess.
    """
    entries: dict[str, str | list[str]] = {}
    for entry in read_catalog(lang):
        if not entry.id or entry.fuzzy:
            continue
        if isinstance(entry.id, (tuple, list)):
            forms = [str(form or "") for form in (entry.string if isinstance(entry.string, (tuple, list)) else [entry.string])]
            if all(forms):
                entries[str(entry.id[0])] = forms
        elif entry.string:
            entries[str(entry.id)] = str(entry.string)
    return dict(sorted(entries.items()))


_SCRIPT_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def catalog_script(lang: str) -> str:
    """`geo/static/i18n/<lang>.js`: the JSON catalog of `lang`, added to the one `window.HeritageMap` namespace.

    Escaped so it can be inlined in a `<script>` element (a self-contained map carries every catalog).
    """
    text = json.dumps(browser_catalog(lang), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for char, escaped in _SCRIPT_ESCAPES.items():
        text = text.replace(char, escaped)
    return (
        f"/* The {lang} catalog of the maps' interface, generated from geo/locale/{lang}/LC_MESSAGES/{DOMAIN}.po by\n"
        " * `python -m geo._messages update`: edit the .po file, never this one. */\n"
        '(function (ns) { "use strict"; ns.catalogs = ns.catalogs || {}; '
        f"ns.catalogs[{json.dumps(lang)}] = {text}; }})(window.HeritageMap = window.HeritageMap || {{}});\n"
    )


# Markers of the server-rendered pages, read by geo/static/i18n.js.
_PERCENT_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
_BRACE_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_PLAIN = re.compile(r"[^<>&%{}]*")


def _key(msgid: str) -> str:
    """The marker's `data-t` attribute: empty when the English text itself is the key (no markup, no placeholder)."""
    if _PLAIN.fullmatch(msgid):
        return "data-t"
    return f'data-t="{escape(msgid)}"'


@lru_cache(maxsize=4096)
def page_gettext(msgid: str) -> str:
    """Jinja's `gettext` for the pages (newstyle: Jinja then fills `%(name)s` with escaped values): the English text
    in a marker whose `data-t` names the message, each placeholder in a `data-p` span so its value survives the
    translation. The `%` of the key are doubled, as Jinja formats the whole marker.
    """
    body = _PERCENT_PLACEHOLDER.sub(r'<span data-p="\1">%(\1)s</span>', msgid)
    return f"<span {_key(msgid).replace('%', '%%')}>{body}</span>"


def page_ngettext(singular: str, plural: str, count: int) -> str:
    """Jinja's `ngettext` for the pages: the English form for `count`, marked with the singular's id and the count,
    from which the script picks the translation's form.
    """
    body = _PERCENT_PLACEHOLDER.sub(r'<span data-p="\1">%(\1)s</span>', singular if count == 1 else plural)
    key = f'data-t="{escape(singular)}"'.replace("%", "%%")
    return f'<span {key} data-n="{int(count)}">{body}</span>'


def message_markup(msg: Message | str | None) -> Markup:
    """A `Message` (or a plain message id) in a page, marked as `page_gettext` marks a template's strings."""
    if msg is None:
        return Markup("")
    try:
        return _cached_markup(msg)  # a build marks the same labels and credits on 100,000 pages
    except TypeError:  # a value that cannot be hashed (a list): marked each time
        return _message_markup(msg)


@lru_cache(maxsize=8192)
def _cached_markup(msg: Message | str) -> Markup:
    return _message_markup(msg)


def _message_markup(msg: Message | str) -> Markup:
    if isinstance(msg, str):
        msg = Message(msg)
    values: Mapping[str, Any] = dict(msg.values)
    parts = _BRACE_PLACEHOLDER.split(msg.text)  # text, name, text, name, ..., text
    body = "".join(
        str(escape(part)) if i % 2 == 0 else f'<span data-p="{part}">{_value_markup(values.get(part, ""))}</span>'
        for i, part in enumerate(parts)
    )
    return Markup(f"<span {_key(msg.text)}>{body}</span>")


def _value_markup(value: Any) -> Markup:
    """A value in a message: a message within marked in turn, a date as a `<time>` the page formats, else text."""
    if isinstance(value, (list, tuple)):
        return Markup(LIST_SEPARATOR).join(_value_markup(item) for item in value)
    if isinstance(value, Message):
        return message_markup(value)
    if isinstance(value, IsoDate):
        return Markup(f'<time datetime="{escape(value)}">{escape(value)}</time>')
    if isinstance(value, English):
        return Markup(f'<bdi lang="en">{escape(value)}</bdi>')
    return escape(value)


def _attribute_values(values: Mapping[str, Any]) -> str:
    """An attribute's values as JSON: text, or a message (a `Message`, or marked text from `message_markup`)."""
    found = {k: v.as_json() if isinstance(v, Message) else _plain_text(v) for k, v in values.items()}
    return json.dumps(found, ensure_ascii=False)


_TAGS = re.compile(r"<[^>]*>")


def _plain_text(value: Any) -> Any:
    """A value for an attribute: marked text (`message_markup`) as the message it marks, anything else as text."""
    if isinstance(value, Markup):
        key = re.match(r'<span data-t(?:="([^"]*)")?>', str(value))
        text = _TAGS.sub("", str(value))
        if key:
            return {"msg": Markup(key.group(1)).unescape() if key.group(1) else Markup(text).unescape()}
        return Markup(text).unescape()
    return str(value)


def text_marker(msgid: str, /, **values: Any) -> Markup:
    """The markers of an element whose text cannot hold markup (a `<title>`): the script sets its text."""
    parts = [f'data-ta data-t-text="{escape(msgid)}"']
    if values:
        parts.append(f'data-v-text="{escape(_attribute_values(values))}"')
    return Markup(" ".join(parts))


def attribute(name: str, msgid: str, /, **values: Any) -> Markup:
    """An attribute whose value is interface text (see `_attribute`); one without values is made once per build."""
    return _attribute(name, msgid, **values) if values else _constant_attribute(name, msgid)


@lru_cache(maxsize=1024)
def _constant_attribute(name: str, msgid: str) -> Markup:
    return _attribute(name, msgid)


def _attribute(name: str, msgid: str, /, **values: Any) -> Markup:
    """An attribute whose value is interface text (`aria-label`, `alt`, `data-label`...), in English, with what the
    script needs to translate it: `data-ta` marks the element, `data-t-<name>` holds the message id (a template's
    `%(name)s` placeholders) and `data-v-<name>` its values as JSON.
    """
    english = msgid % {k: str(v) for k, v in values.items()} if values else msgid
    # Without values the attribute's own English is the message id: the marker names it and does not repeat it.
    key = f'data-t-{name}="{escape(msgid)}"' if values else f"data-t-{name}"
    parts = [f'{name}="{escape(english)}"', f"data-ta {key}"]
    if values:
        parts.append(f'data-v-{name}="{escape(_attribute_values(values))}"')
    return Markup(" ".join(parts))
