"""`heritage-map build`: validate the layers, then write the maps."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from geo.cli._options import data_option, out_option

if TYPE_CHECKING:
    from pathlib import Path


@click.command(name="build")
@data_option
@out_option
@click.option(
    "--tiles",
    type=click.Choice(["osm", "satellite", "none"]),
    default="osm",
    show_default=True,
    help="Basemap shown first; 'none' makes the maps use no network at all.",
)
@click.option(
    "--self-contained/--no-self-contained",
    default=True,
    show_default=True,
    help="Inline every script and stylesheet into index.html and timeline.html, or link them from OUT/assets/ "
    "(site pages always share OUT/assets/). Either way nothing needs the network but basemap tiles.",
)
@click.option(
    "--base-url",
    default=None,
    help="Absolute http(s) address the maps folder is published at, used in the embed snippets (default: relative to embed/).",
)
@click.option(
    "--full",
    is_flag=True,
    help="Render and write every file, ignoring what the last build into OUT left (OUT.build-state.json, beside OUT).",
)
def command(data_dir: Path, out_dir: Path, tiles: str, self_contained: bool, base_url: str | None, full: bool) -> None:
    """Validate the layers and write the maps (index.html and the rest) into OUT.

    A file is rewritten only when its bytes change; when only new records were
    appended to the log, only the pages they concern are rendered.

    Example: heritage-map build --data data/layers --out maps --tiles none
    """
    from geo.build import build_maps  # folium, geopandas: loaded only when a build runs

    result = build_maps(data_dir, out_dir, tiles=tiles, self_contained=self_contained, base_url=base_url, full=full)  # type: ignore[arg-type]
    if result.warnings:
        click.echo(f"{len(result.warnings)} warnings (run heritage-map validate to list them)", err=True)
    for path in result.written:
        click.echo(str(path))
    how = "only the pages new log records concern were rendered" if result.incremental else "every page was rendered"
    click.echo(f"{len(result.written)} files written, {result.unchanged} unchanged ({how})", err=True)
