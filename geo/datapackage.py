"""`datapackage.json`: a Frictionless Data Package describing the files of an export.

Beside every export, so a data desk knows what each table and field is, its
type, the licence and the sources, and a validator (`frictionless validate
datapackage.json`) can check the files against it. Field meanings come from
`geo.dictionary`; the descriptor is written here and checked with the
`frictionless` package in the tests.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from geo._canonical import sha256_file
from geo.csvfile import FORMULA_TRIGGERS
from geo.dictionary import field

if TYPE_CHECKING:
    from pathlib import Path

LICENCE = {
    "name": "CC-BY-SA-4.0",
    "title": "Creative Commons Attribution-ShareAlike 4.0",
    "path": "https://creativecommons.org/licenses/by-sa/4.0/",
}
"""The tables carry coordinates and populations from Wikipedia (CC BY-SA 4.0), so the whole package shares alike."""

SOURCES = [
    {
        "title": "Caucasus Heritage Watch (Cornell University and Purdue University)",
        "path": "https://caucasusheritage.cornell.edu/",
    },
    {"title": "Monument Watch", "path": "https://monumentwatch.org/"},
    {"title": "Wikipedia contributors", "path": "https://www.wikipedia.org/"},
    {"title": "The outlets cited on each feature and record (the sources column)"},
]

MEDIA = {
    "csv": ("text/csv", "tabular-data-resource"),
    "geojson": ("application/geo+json", "data-resource"),
    "kml": ("application/vnd.google-earth.kml+xml", "data-resource"),
    "gpkg": ("application/geopackage+sqlite3", "data-resource"),
}

FORMULA_NOTE = (
    "Text cells that begin with " + ", ".join(repr(c) for c in FORMULA_TRIGGERS) + " are written with a leading ' "
    "so that spreadsheets show them as text rather than run them as formulas (OWASP's rule against CSV "
    "injection); remove that first character to recover the value."
)


def resource(path: Path, table: str, columns: list[str] | None, *, bom: bool) -> dict[str, Any]:
    """The descriptor of one exported file; a CSV carries its table schema from `geo.dictionary`."""
    fmt = path.suffix.lstrip(".")
    mediatype, profile = MEDIA[fmt]
    described: dict[str, Any] = {
        "name": f"{table}-{fmt}",
        "path": path.name,
        "profile": profile,
        "format": fmt,
        "mediatype": mediatype,
        "bytes": path.stat().st_size,
        "hash": f"sha256:{sha256_file(path)}",
    }
    if fmt == "csv" and columns is not None:
        described["encoding"] = "utf-8-sig" if bom else "utf-8"
        described["schema"] = {"fields": [_field(table, name) for name in columns], "missingValues": [""]}
        described["description"] = FORMULA_NOTE
    return described


def _field(table: str, name: str) -> dict[str, Any]:
    entry = field(table, name)
    if entry is None:
        return {"name": name, "type": "string"}
    described: dict[str, Any] = {"name": name, "type": entry.type, "description": entry.description}
    if entry.type == "boolean":
        described |= {"trueValues": ["true"], "falseValues": ["false"]}
    return described


def descriptor(resources: list[dict[str, Any]], title: str, data_as_of: str | None) -> dict[str, Any]:
    """The package descriptor of an export's `resources`."""
    description = "Tables behind the Nagorno-Karabakh heritage map" + (f"; data as of {data_as_of}." if data_as_of else ".")
    return {
        "profile": "data-package",
        "name": "nagorno-karabakh-heritage-map",
        "title": title,
        "description": description,
        "licenses": [LICENCE],
        "sources": SOURCES,
        "resources": resources,
    }


def write_descriptor(folder: Path, package: dict[str, Any]) -> Path:
    """`datapackage.json` in `folder` (sorted keys, so the same export gives the same bytes)."""
    path = folder / "datapackage.json"
    path.write_text(json.dumps(package, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
