"""Writing CSV files that a spreadsheet opens as data, never as formulas.

Every CSV this package writes (exports, the maps' `data/` folder, `imagery
gaps --csv`) goes through `write_rows`. A spreadsheet runs a cell that starts
with `=`, `+`, `-` or `@` (and, in some, a tab or carriage return) as a
formula: a site name such as `=HYPERLINK("https://evil.example", "click")`
would run in a journalist's copy of Excel or LibreOffice. Following OWASP's
rule for CSV injection, such a text cell is written with a leading `'`, which
spreadsheets show as text and hide; numbers (`-12.5`) are left as they are.
The data dictionary of each export says so.
"""

from __future__ import annotations

import csv
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from pathlib import Path

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""First characters a spreadsheet may read as the start of a formula (OWASP, CSV injection)."""

_NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def safe_cell(value: object) -> str:
    """`value` as CSV text, with `'` before text that a spreadsheet would run as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_TRIGGERS) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def write_rows(path: Path, columns: Sequence[str], rows: Iterable[Sequence[object]], *, bom: bool = False) -> Path:
    """Write a UTF-8 CSV (RFC 4180 line ends) of `columns` and `rows`, every cell through `safe_cell`.

    `bom` writes a byte-order mark first, so spreadsheets that guess the encoding read UTF-8.
    """
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([safe_cell(column) for column in columns])
        writer.writerows([safe_cell(value) for value in row] for row in rows)
    return path
