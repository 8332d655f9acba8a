"""`heritage-map imagery add|import|gaps|changes`: the satellite-imagery catalog and what it shows.

A thin shell over `geo.imagery`, `geo.join` and `geo.chips`: data on stdout,
messages on stderr, exit 1 on invalid data (and on import conflicts).
"""

from __future__ import annotations

import json
import re
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import click

from geo import chips, imagery, join
from geo.cli._options import data_option
from geo.csvfile import write_rows
from geo.dataset import open_dataset
from geo.errors import ImageryError

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

CATALOG = "imagery.json"


def _days(ctx: click.Context, param: click.Parameter, value: str) -> int:
    match = re.fullmatch(r"(\d+)d?", value.strip())
    if not match:
        raise click.BadParameter(f"{value!r} is not a number of days; write it like 180d")
    return int(match.group(1))


def _today(ctx: click.Context, param: click.Parameter, value: str | None) -> date:
    if value is None:
        return datetime.now(UTC).date()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; write it like 2024-06-30") from None


def _table(headers: Sequence[str], rows: Iterable[Sequence[Any]], stream: TextIO) -> None:
    """Rows as aligned columns, `-` for unknown values."""
    cells = [[str(h) for h in headers]] + [["-" if v is None else str(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    stream.writelines("  ".join(value.ljust(width) for value, width in zip(row, widths)).rstrip() + "\n" for row in cells)


@click.group(name="imagery")
def command() -> None:
    """Catalog satellite scenes and ask what they show of each site.

    \b
    Example: heritage-map imagery gaps --older-than 180d
    """


@command.command(name="add")
@click.argument("scene", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--date", "date_text", help="Acquisition date (YYYY-MM-DD, or YYYY-MM-DDTHH:MM:SSZ) when the file states none.")
@click.option("--provider", help="Who produced the imagery (e.g. Maxar, Planet Labs).")
@click.option("--constellation", help="Satellite constellation (e.g. worldview, planetscope).")
@click.option("--platform", help="Satellite (e.g. WV03).")
@click.option(
    "--license", "license_", help="Licence of the imagery: an SPDX id (e.g. CC-BY-4.0), or 'other' for a provider's own terms."
)
@click.option("--id", "item_id", help="Item id (default: the file name, lower case).")
@data_option
def add(
    scene: Path,
    date_text: str | None,
    provider: str | None,
    constellation: str | None,
    platform: str | None,
    license_: str | None,
    item_id: str | None,
    data_dir: Path,
) -> None:
    """Add a GeoTIFF scene to the catalog: footprint, resolution, date and SHA-256 from the file.

    \b
    Example: heritage-map imagery add scenes/wv3_2023-10-05.tif --provider Maxar --license other
    """
    stated: dict[str, Any] = {"constellation": constellation, "platform": platform, "license": license_}
    if provider:
        stated["providers"] = [{"name": provider, "roles": ["producer"]}]
    catalog = data_dir / CATALOG
    item = imagery.add_scene(
        catalog, scene, date=date_text, item_id=item_id, stated={k: v for k, v in stated.items() if v is not None}
    )
    props = item["properties"]
    when = props.get("datetime") or f"{props['start_datetime']}/{props['end_datetime']}"
    click.echo(json.dumps(item, indent=2, sort_keys=True, ensure_ascii=False))
    click.echo(
        f"added {item['id']!r} to {catalog}: {when} ({props['heritage:datetime_source']}), "
        f"{props['gsd']} m, {props['proj:code'] or 'custom CRS'}",
        err=True,
    )


@command.command(name="import")
@click.argument("source", type=click.Path(path_type=Path, dir_okay=False))
@data_option
def import_(source: Path, data_dir: Path) -> None:
    """Merge a provider's STAC ItemCollection or Catalog by id; conflicts are reported, never overwritten.

    Exits 1 when any item conflicts (the others are still added).

    \b
    Example: heritage-map imagery import delivery/catalog.json
    """
    catalog = data_dir / CATALOG
    result = imagery.import_catalog(catalog, source)
    for item_id in result.added:
        click.echo(item_id)
    for conflict in result.conflicts:
        click.echo(f"conflict: {conflict}", err=True)
    click.echo(
        f"{catalog}: {len(result.added)} added, {len(result.unchanged)} already present, {len(result.conflicts)} conflicts",
        err=True,
    )
    if result.conflicts:
        raise ImageryError(
            f"{source}: {len(result.conflicts)} items conflict with {catalog}; "
            "fix: rename them in the source, or resolve by hand and import again"
        )


GAP_HEADERS = ("site_id", "name", "newest_scene", "newest_date", "age_days", "coverage")


@command.command(name="gaps")
@click.option(
    "--older-than",
    "older_than",
    default="180d",
    show_default=True,
    callback=_days,
    help="Flag sites whose newest covering scene is older than this many days (e.g. 180d).",
)
@click.option("--today", "today", callback=_today, help="Count ages from this date (default: today, UTC).")
@click.option(
    "--csv", "csv_path", type=click.Path(path_type=Path, dir_okay=False), help="Also write the table as CSV to this file."
)
@data_option
def gaps(older_than: int, today: date, csv_path: Path | None, data_dir: Path) -> None:
    """List sites with no covering scene newer than N days, or none at all: what to task next.

    \b
    Example: heritage-map imagery gaps --older-than 180d --csv gaps.csv
    """
    dataset = open_dataset(data_dir)  # validated: an item dated 9999 or a world-wide footprint must not hide a site
    sites = dataset.inputs.sites
    found = dataset.joined.gaps(sites, today, older_than)
    rows = [(g.site_id, g.name, g.newest_scene, g.newest_date, g.age_days, g.coverage) for g in found]
    _table(GAP_HEADERS, rows, sys.stdout)
    if csv_path:
        write_rows(csv_path, GAP_HEADERS, rows)
    click.echo(f"{len(found)} of {len(sites)} sites have no covering scene in the {older_than} days to {today}", err=True)


CHANGE_HEADERS = ("rank", "site_id", "score", "before", "after", "pair")


@command.command(name="changes")
@click.option("--limit", type=click.IntRange(min=1), help="Show only the top N sites.")
@click.option(
    "--radius",
    "radius_m",
    type=click.FloatRange(min=1),
    default=chips.RADIUS_M,
    show_default=True,
    help="Ground distance around each site compared, in metres.",
)
@click.option(
    "--csv", "csv_path", type=click.Path(path_type=Path, dir_okay=False), help="Also write the ranking as CSV to this file."
)
@data_option
def changes(limit: int | None, radius_m: float, csv_path: Path | None, data_dir: Path) -> None:
    """Rank sites by the change between their before and after rasters: a proposal for review, never a status.

    The pair is the latest observation's when both rasters are local, else the
    site's newest local scene and the local scene before it.

    \b
    Example: heritage-map imagery changes --limit 20
    """
    dataset = open_dataset(data_dir)
    sites = dataset.inputs.sites
    items_by_id = {item["id"]: item for item in dataset.inputs.items}
    joined = join.latest_imagery(dataset.joined, sites["id"].tolist(), dataset.inputs.observations())
    scored = []
    candidates = [
        (site, pair)
        for site in sites.itertuples(index=False)
        if (pair := chips.local_pair(joined.get(site.id), items_by_id, data_dir))
    ]
    with click.progressbar(candidates, label="scoring sites", file=sys.stderr) as bar:
        for site, (before, after, origin) in bar:
            found = chips.site_change(site, before, after, data_dir, radius_m=radius_m)
            scored.append((site.id, found[3] if found else None, before["id"], after["id"], origin))
    scored.sort(key=lambda row: (row[1] is None, -(row[1] or 0.0), row[0]))
    rows = [(rank, *row) for rank, row in enumerate(scored[:limit] if limit else scored, start=1)]
    _table(CHANGE_HEADERS, rows, sys.stdout)
    if csv_path:
        write_rows(csv_path, CHANGE_HEADERS, rows)
    click.echo(
        f"{len(scored)} of {len(sites)} sites have a local before/after pair; "
        "a high score proposes a site for review, a monitor decides",
        err=True,
    )
