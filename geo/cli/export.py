"""`heritage-map export`: the data as GeoJSON, CSV, GeoPackage or KML, or the map as a PNG."""

from __future__ import annotations

from pathlib import Path

import click

from geo.cli._options import data_option
from geo.export import FORMATS, PROFILES, TABLES, export_data
from geo.i18n import LANGUAGES


@click.command(name="export")
@data_option
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("exports"),
    show_default=True,
    help="Folder the exported files are written to (never inside --data).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    required=True,
    help="geojson, csv or kml: one file per layer; gpkg: one heritage-map.gpkg; png: map.png of the overview map.",
)
@click.option(
    "--profile",
    type=click.Choice(PROFILES),
    default="public",
    show_default=True,
    help="public: what the maps publish; internal: observations.csv also holds internal records and analysts' contacts.",
)
@click.option(
    "--layer",
    "layers",
    type=click.Choice(TABLES),
    multiple=True,
    help="A layer to export (repeatable); default: all of them. Not used by png.",
)
@click.option(
    "--bom/--no-bom",
    default=True,
    show_default=True,
    help="Start CSV files with a UTF-8 byte-order mark, so spreadsheets read Armenian and Azerbaijani names right.",
)
@click.option("--width", type=click.IntRange(200, 8000), default=1200, show_default=True, help="PNG width in pixels.")
@click.option("--height", type=click.IntRange(200, 8000), default=800, show_default=True, help="PNG height in pixels.")
@click.option(
    "--scale",
    type=click.IntRange(1, 4),
    default=1,
    show_default=True,
    help="Device pixels per CSS pixel of the PNG: 2 for print (a 1200×800 map becomes 2400×1600 pixels).",
)
@click.option(
    "--tiles",
    type=click.Choice(["osm", "satellite", "none"]),
    default="osm",
    show_default=True,
    help="PNG basemap; 'none' draws the map with no network at all.",
)
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    default="en",
    show_default=True,
    help="PNG language: en, hy (Armenian) or ru (Russian), as the maps' switch shows them.",
)
def command(
    data_dir: Path,
    out_dir: Path,
    fmt: str,
    profile: str,
    layers: tuple[str, ...],
    bom: bool,
    width: int,
    height: int,
    scale: int,
    tiles: str,
    lang: str,
) -> None:
    """Export the layers and the monitors' log, or a picture of the map, into OUT.

    The heritage sites carry their public status, date, verdict and publisher.
    The public profile's observations.csv holds only public records, without
    contacts; a PNG always shows the public map, with its credit line.

    \b
    Examples:
      heritage-map export --format csv --out exports
      heritage-map export --format png --width 640 --height 400 --tiles none
      heritage-map export --format png --lang hy
    """
    if fmt == "png":
        from geo.picture import export_picture  # the map code, only for a picture

        written = [export_picture(data_dir, out_dir, width, height, tiles, scale, lang)]  # type: ignore[arg-type]
    else:
        written = export_data(data_dir, out_dir, fmt, profile, layers or TABLES, bom=bom)  # type: ignore[arg-type]
    for path in written:
        click.echo(str(path))
