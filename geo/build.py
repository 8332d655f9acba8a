"""`heritage-map build`: load, validate, join, render, write (the I/O edge).

The same inputs give the same bytes: element ids are ordinal, keys sorted,
and no timestamp but the data's as-of date is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geo import links
from geo._canonical import sha256_file
from geo._gc import collector_paused
from geo.anchor import Anchor, public_anchor
from geo.assets import Mode, copy_assets
from geo.chips import write_site_chips
from geo.export import write_package, write_tables
from geo.inputs import Inputs, validated_inputs
from geo.layers import read_text
from geo.maps import TITLE, anchor_text, as_of_label, overview_map, public_view
from geo.pages import Chips, EmbedTarget, embed_index, embed_page, site_page, timeline_map
from geo.render import Tiles, page_html
from geo.sitestatus import site_history

if TYPE_CHECKING:
    import folium

    from geo.join import SiteImagery
    from geo.validate import Problem

MANIFEST = "MANIFEST.sha256"


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote, and the warnings it carried on past."""

    written: list[Path]
    warnings: list[Problem]


def build_maps(
    data_dir: str | Path,
    out_dir: str | Path,
    tiles: Tiles = "osm",
    self_contained: bool = True,
    base_url: str | None = None,
) -> BuildResult:
    """Validate `data_dir` and write the maps into `out_dir`; raise LayerError on invalid data.

    `base_url`, when given, must be the absolute http(s) address of the published folder (LinkError otherwise);
    without it, embed snippets point relative to `embed/`.
    """
    embed_base = links.base_url(base_url) if base_url is not None else "../"
    data_dir, out_dir = Path(data_dir), Path(out_dir)
    inputs, warnings = validated_inputs(data_dir)
    mode: Mode = "inline" if self_contained else "link"
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    needed: list[str] = []

    def publish(relative: str, fmap: folium.Map, page_mode: Mode) -> None:
        prefix = "../" * relative.count("/")
        text, assets = page_html(fmap, page_mode, prefix)
        written.append(_write(out_dir / relative, text))
        needed.extend(a for a in assets if a not in needed)

    # The join and the two whole-data maps allocate millions of small acyclic
    # objects; the site pages below build folium trees (cycles) one by one.
    with collector_paused():
        sites, imagery, histories = public_view(inputs)
        data_as_of = as_of_label(inputs)
        anchor = public_anchor(inputs.log)
        publish("index.html", overview_map(inputs, sites, tiles), mode)
        publish("timeline.html", timeline_map(inputs, sites, tiles), mode)
    targets = [
        EmbedTarget("overview", f"{TITLE}: overview", "index.html"),
        EmbedTarget("timeline", f"{TITLE}: timeline", "timeline.html"),
    ]
    for row, site in zip(sites.itertuples(index=False), sites.to_dict("records")):
        chips = site_chips(row, imagery.get(row.id), data_dir, out_dir)
        # Site pages share one copy of the scripts under assets/: inlining them
        # would repeat ~0.2 MB per site.
        history = site_history(histories.get(row.id))
        publish(
            f"sites/{site['id']}.html", site_page(site, history, sites, data_as_of, tiles, chips, anchor_text(inputs)), "link"
        )
        targets.append(EmbedTarget(f"site-{site['id']}", f"{site['name']}: heritage site story", f"sites/{site['id']}.html"))
    for target in targets:
        written.append(_write(out_dir / "embed" / f"{target.name}.html", embed_page(target, embed_base)))
    written.append(_write(out_dir / "embed" / "index.html", embed_index(targets)))

    copy_assets(needed, out_dir)
    written.extend(write_public_data(inputs, data_dir, out_dir / "data"))
    written.append(write_manifest(out_dir, anchor))
    return BuildResult(written=written, warnings=warnings)


def site_chips(site_row: Any, site_imagery: SiteImagery | None, data_dir: Path, out_dir: Path) -> Chips | None:
    """Before/after chips for a site whose pair has local rasters; None otherwise."""
    if site_imagery is None or not site_imagery.before or not site_imagery.after:
        return None
    written = write_site_chips(site_row, site_imagery.before, site_imagery.after, data_dir, out_dir)
    if written is None:
        return None
    # The story page lives in sites/, so its images are relative to that folder.
    return Chips(
        before=written.before_png.removeprefix("sites/"),
        after=written.after_png.removeprefix("sites/"),
        px=written.grid.width,
        score=written.score,
    )


def write_public_data(inputs: Inputs, data_dir: Path, folder: Path) -> list[Path]:
    """`data/`: the public GeoJSON and CSV behind the maps, the timeline and SOURCES.md."""
    written = write_tables(inputs, folder, "geojson", "public") + write_tables(inputs, folder, "csv", "public")
    written.append(write_package(inputs, folder, written))
    for name in ("timeline.csv", "SOURCES.md"):
        if (data_dir / name).exists():
            # A regular file of the folder only: a planted link would publish the file it points at.
            written.append(_write(folder / name, read_text(data_dir / name)))
    return written


def write_manifest(out_dir: Path, anchor: Anchor | None = None) -> Path:
    """`MANIFEST.sha256`: every published file, checkable with `sha256sum -c`, and the published log's anchor.

    Only the published files, and the anchor of the log as published
    (`geo.anchor.public_anchor`, a `#` line `sha256sum -c` skips): a hash of
    the whole log (or of the catalog) would change with every internal record
    and say that one was added. `heritage-map verify --against` reads the line.
    """
    lines = [anchor.manifest_line()] if anchor is not None else []
    for path in sorted(p for p in out_dir.rglob("*") if p.is_file() and p.name != MANIFEST):
        lines.append(f"{sha256_file(path)}  {path.relative_to(out_dir).as_posix()}")
    return _write(out_dir / MANIFEST, "\n".join(lines) + "\n")


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")
    return path
