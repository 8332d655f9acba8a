"""KML for Google Earth and other globe viewers: placemarks styled by status, balloons escaped, unlocated listed.

Written with the standard library's ElementTree rather than GDAL's KML
driver, which cannot give each placemark a style. What a viewer renders as
HTML (the `<description>` balloon) is built here from a few fields, each
HTML-escaped, so a name or note holding markup shows as text; every other
field goes to ExtendedData as text, and each style's balloon shows only the
description (Google Earth's default balloon would lay ExtendedData out as HTML). A feature no source locates is left out
of the placemarks and listed by name in the document's description.
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING, Any
from xml.etree.ElementTree import Element, SubElement, tostring

from geo.schema import STATUS_COLOURS

if TYPE_CHECKING:
    from collections.abc import Iterable

    import geopandas as gpd
    from shapely.geometry.base import BaseGeometry

KML_NS = "http://www.opengis.net/kml/2.2"
SUMMARY: tuple[str, ...] = ("type", "settlement", "status", "status_date", "verdict", "published_by", "kind", "event_date")
"""Fields summarised in a placemark's balloon, where the layer has them."""

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
"""Characters XML 1.0 cannot hold; they are replaced, so a hostile name cannot make the file unreadable."""


def _text(value: object) -> str:
    return _NOT_XML.sub("\ufffd", str(value))


def _kml_colour(hex_rgb: str, alpha: str = "ff") -> str:
    """KML's aabbggrr from #rrggbb."""
    red, green, blue = hex_rgb[1:3], hex_rgb[3:5], hex_rgb[5:7]
    return f"{alpha}{blue}{green}{red}".lower()


def _coordinates(coords: Iterable[Any]) -> str:
    return " ".join(f"{x!r},{y!r}" for x, y, *_ in coords)


def _geometry(parent: Element, geometry: BaseGeometry) -> None:
    kind = geometry.geom_type
    if kind == "Point":
        SubElement(SubElement(parent, "Point"), "coordinates").text = _coordinates(geometry.coords)
    elif kind == "LineString":
        SubElement(SubElement(parent, "LineString"), "coordinates").text = _coordinates(geometry.coords)
    elif kind == "Polygon":
        polygon = SubElement(parent, "Polygon")
        ring = SubElement(SubElement(polygon, "outerBoundaryIs"), "LinearRing")
        SubElement(ring, "coordinates").text = _coordinates(geometry.exterior.coords)  # type: ignore[attr-defined]
        for interior in geometry.interiors:  # type: ignore[attr-defined]
            inner = SubElement(SubElement(polygon, "innerBoundaryIs"), "LinearRing")
            SubElement(inner, "coordinates").text = _coordinates(interior.coords)
    else:  # Multi* and collections
        multi = SubElement(parent, "MultiGeometry")
        for part in geometry.geoms:  # type: ignore[attr-defined]
            _geometry(multi, part)


def _balloon_style(style: Element) -> None:
    # Google Earth's default balloon lays out the ExtendedData values as HTML; this one shows only the
    # description, which `balloon` builds escaped.
    SubElement(SubElement(style, "BalloonStyle"), "text").text = "$[description]"


def _styles(document: Element, by_status: bool) -> None:
    _balloon_style(SubElement(document, "Style", id="plain"))
    for status, colour in STATUS_COLOURS.items() if by_status else ():
        style = SubElement(document, "Style", id=f"status-{status}")
        _balloon_style(style)
        icon = SubElement(style, "IconStyle")
        SubElement(icon, "color").text = _kml_colour(colour)
        SubElement(icon, "scale").text = "1.1"
        line = SubElement(style, "LineStyle")
        SubElement(line, "color").text = _kml_colour(colour)
        SubElement(line, "width").text = "3"
        SubElement(SubElement(style, "PolyStyle"), "color").text = _kml_colour(colour, "66")


def balloon(values: dict[str, str]) -> str:
    """The placemark balloon: `SUMMARY` fields, each escaped for HTML, one per line."""
    shown = [f"{html.escape(name)}: {html.escape(values[name])}" for name in SUMMARY if values.get(name)]
    return "<br>".join(shown)


def kml_document(frame: gpd.GeoDataFrame, title: str, text_of: Any) -> bytes:
    """The KML of `frame` (one Placemark per located row), `text_of(value)` turning a cell into its text."""
    root = Element("kml", xmlns=KML_NS)
    document = SubElement(root, "Document")
    SubElement(document, "name").text = _text(title)
    styled = "status" in frame.columns
    _styles(document, styled)
    properties = [c for c in frame.columns if c != "geometry"]
    unlocated: list[str] = []
    for record, geometry in zip(frame[properties].to_dict("records"), frame.geometry):
        values = {name: text_of(record[name]) for name in properties}
        if geometry is None or geometry.is_empty:
            unlocated.append(values.get("name") or values.get("id") or "")
            continue
        placemark = SubElement(document, "Placemark")
        SubElement(placemark, "name").text = _text(values.get("name") or values.get("id") or "")
        description = balloon(values)
        if description:
            SubElement(placemark, "description").text = _text(description)
        status = values.get("status")
        SubElement(placemark, "styleUrl").text = f"#status-{status}" if styled and status in STATUS_COLOURS else "#plain"
        data = SubElement(placemark, "ExtendedData")
        for name in properties:
            if values[name]:
                entry = SubElement(data, "Data", name=_text(name))
                SubElement(entry, "value").text = _text(values[name])
        _geometry(placemark, geometry)
    if unlocated:
        # KML wants the description before the styles and placemarks.
        note = Element("description")
        note.text = _text("Not located by any source, so not drawn: " + "; ".join(html.escape(n) for n in sorted(unlocated)))
        document.insert(1, note)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(root, encoding="unicode").encode("utf-8") + b"\n"
