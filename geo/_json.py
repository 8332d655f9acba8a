"""JSON as the data folder may hold it: bounded nesting, no duplicate keys, finite numbers only.

Why not plain `json.loads`: it recurses once per nesting level, so a file
nested 100,000 deep ends in RecursionError, and one nested 800 deep parses
but crashes whatever walks it later (the build's JSON encoder); it keeps the
last of two equal keys where other readers keep the first, so one file can
say two things; it reads `NaN`, `Infinity` and `1e400` as numbers no map can
place; and it refuses integers of over 4,300 digits with a bare ValueError.
`parse` checks the nesting on the bytes before parsing (a pass of numpy over
the brackets outside strings), then parses with hooks that refuse the rest,
and raises JSONRefused (a ValueError) with one line saying where and why.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

MAX_DEPTH = 64
"""Deepest nesting read (a GeoJSON MultiPolygon in a feature is 7 deep, a log record 3)."""

_KEEP = b'"[]{}'
_OTHER = bytes(b for b in range(256) if b not in _KEEP)

# The shape of a text's numbers: each digit as 0, each e or E as e, + as itself, every other byte a space. A literal
# that may overflow a float shows as an exponent of 3+ digits (e000, e+000) or as 300+ digits in a row. (One
# translate and three finds: a regular expression for the same costs 1.3 s on 33 MB of coordinates; a text read
# as e123 is only checked more slowly.)
_SHAPE = bytes(48 if 48 <= b < 58 else 101 if b in b"eE" else 43 if b == 43 else 32 for b in range(256))
_HUGE_SHAPES = (b"e000", b"e+000", b"0" * 300)
# An escaped surrogate, which may be a lone one: not text, and no encoder can write it back.
_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]")


class JSONRefused(ValueError):
    """JSON that is malformed, nested too deep, or holds a duplicate key or a number that is not finite."""


def too_deep(data: bytes, limit: int = MAX_DEPTH) -> bool:
    """Whether the arrays and objects of the JSON text `data` nest deeper than `limit`.

    Brackets inside strings do not count: escaped backslashes and quotes are
    dropped first, so every `"` left opens or closes a string, and the
    brackets outside strings step the depth up and down. Linear, in C and
    numpy (0.1-0.2 s for 33 MB); a text with fewer opening brackets than the
    limit (one log line) is not scanned at all.
    """
    if data.count(b"[") + data.count(b"{") <= limit:
        return False
    if b"\\" in data:
        data = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    import numpy as np  # here, not at the top: `heritage-map verify` and the log's writers parse lines, never this

    step = np.zeros(256, np.int32)
    step[[ord("["), ord("{")]] = 1
    step[[ord("]"), ord("}")]] = -1
    marks = np.frombuffer(data.translate(None, _OTHER), np.uint8)
    steps = step[marks]
    steps[(np.cumsum(marks == ord('"'), dtype=np.int64) & 1).astype(bool)] = 0
    return bool(np.cumsum(steps).max(initial=0) > limit)


def _refuse_constant(name: str) -> Any:
    raise JSONRefused(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JSONRefused(f"{text[:20]} is too large for a number")
    return value


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        seen: set[str] = set()
        duplicate = next(key for key, _ in pairs if key in seen or seen.add(key))  # type: ignore[func-returns-value]
        raise JSONRefused(f"key {duplicate!r} appears twice in one object (readers disagree on which one counts)")
    return found


_DECODER = json.JSONDecoder(object_pairs_hook=_unique_keys, parse_constant=_refuse_constant)
_CHECKING_DECODER = json.JSONDecoder(object_pairs_hook=_unique_keys, parse_constant=_refuse_constant, parse_float=_finite)


def may_overflow(data: bytes) -> bool:
    """Whether the JSON text `data` may hold a number too large for a float (an exponent of 3+ digits, 300+ digits)."""
    shape = data.translate(_SHAPE)
    return any(pattern in shape for pattern in _HUGE_SHAPES)


def parse(data: bytes) -> Any:
    """The JSON value of the UTF-8 bytes `data`; JSONRefused (one line, where and why) otherwise."""
    # The float hook costs a Python call per number, so it runs only when a literal may overflow.
    value = decode(data, _CHECKING_DECODER if may_overflow(data) else _DECODER)
    if _SURROGATE.search(data):
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as error:
            raise JSONRefused(f"a lone surrogate ({error.object[error.start]!r}) in a string, which is not text") from None
    return value


def decode(data: bytes, decoder: json.JSONDecoder = _DECODER) -> Any:
    """`parse` without the checks for numbers too large and lone surrogates, for a reader that re-encodes anyway.

    The log's reader compares each line with its canonical encoding, which
    refuses both; the two regular-expression scans would cost it a third of
    its time.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise JSONRefused(f"not UTF-8 text ({error.reason} at byte {error.start})") from None
    if too_deep(data):
        raise JSONRefused(f"nested too deep (more than {MAX_DEPTH} levels of arrays or objects)")
    try:
        return decoder.decode(text)
    except json.JSONDecodeError as error:
        raise JSONRefused(f"unreadable JSON at line {error.lineno} column {error.colno} ({error.msg})") from None
    except JSONRefused:
        raise
    except (ValueError, RecursionError) as error:  # an integer of over 4,300 digits
        raise JSONRefused(f"unreadable JSON ({str(error).split(':')[0]})") from None
