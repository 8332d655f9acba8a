"""`heritage-map build`: load, validate, join, render, write (the I/O edge).

The same inputs give the same bytes: element ids are ordinal, keys sorted,
and no timestamp but the data's as-of date is written.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import folium

from geo.assets import Mode, copy_assets, localize
from geo.errors import LayerError
from geo.inputs import load_inputs
from geo._canonical import sha256_file
from geo.maps import TITLE, as_of, overview_map, public_sites
from geo.pages import EmbedTarget, embed_index, embed_page, site_page, timeline_map
from geo.render import Tiles, fix_element_ids
from geo.validate import Problem, validate_layers


MANIFEST = "MANIFEST.sha256"
INPUT_SUFFIXES = (".geojson", ".json", ".jsonl", ".csv")


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote, and the warnings it carried on past."""

    written: list[Path]
    warnings: list[Problem]


def page_html(fmap: folium.Map, mode: Mode = "inline", prefix: str = "") -> tuple[str, list[str]]:
    """The page's HTML with every asset local, and the asset paths it needs."""
    figure = fmap.get_root()
    assets = localize(figure, mode, prefix)
    fix_element_ids(fmap)
    text = figure.render()
    text = text.replace("<html>", '<html lang="en">', 1)
    return "\n".join(line.rstrip() for line in text.splitlines()) + "\n", assets


def build_maps(
    data_dir: str | Path, out_dir: str | Path, tiles: Tiles = "osm", self_contained: bool = True, base_url: str = "../"
) -> BuildResult:
    """Validate `data_dir` and write the maps into `out_dir`; raise LayerError on invalid data."""
    data_dir, out_dir = Path(data_dir), Path(out_dir)
    problems = validate_layers(data_dir)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        more = f" (and {len(errors) - 1} more; run heritage-map validate)" if len(errors) > 1 else ""
        raise LayerError(f"{errors[0].file}: {errors[0].feature}: field '{errors[0].field}': {errors[0].found}; fix: {errors[0].fix}{more}")
    inputs = load_inputs(data_dir)
    mode: Mode = "inline" if self_contained else "link"
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    needed: list[str] = []

    sites = public_sites(inputs)
    data_as_of = as_of(inputs)

    def publish(relative: str, fmap: folium.Map) -> None:
        prefix = "../" * relative.count("/")
        text, assets = page_html(fmap, mode, prefix)
        written.append(_write(out_dir / relative, text))
        needed.extend(a for a in assets if a not in needed)

    publish("index.html", overview_map(inputs, tiles))
    publish("timeline.html", timeline_map(inputs, sites, tiles))
    targets = [EmbedTarget("overview", f"{TITLE}: overview", "index.html"), EmbedTarget("timeline", f"{TITLE}: timeline", "timeline.html")]
    for site in sites.to_dict("records"):
        publish(f"sites/{site['id']}.html", site_page(site, sites, data_as_of, tiles))
        targets.append(EmbedTarget(f"site-{site['id']}", f"{site['name']}: heritage site story", f"sites/{site['id']}.html"))
    for target in targets:
        written.append(_write(out_dir / "embed" / f"{target.name}.html", embed_page(target, base_url)))
    written.append(_write(out_dir / "embed" / "index.html", embed_index(targets)))

    if mode == "link":
        copy_assets(needed, out_dir)
    written.append(write_manifest(out_dir, data_dir))
    return BuildResult(written=written, warnings=[p for p in problems if p.severity == "warning"])


def write_manifest(out_dir: Path, data_dir: Path) -> Path:
    """`MANIFEST.sha256`: every output and every input layer, checkable with `sha256sum -c`."""
    lines = []
    for path in sorted(p for p in out_dir.rglob("*") if p.is_file() and p.name != MANIFEST):
        lines.append(f"{sha256_file(path)}  {path.relative_to(out_dir).as_posix()}")
    for path in sorted(p for p in data_dir.iterdir() if p.is_file() and p.suffix in INPUT_SUFFIXES):
        lines.append(f"{sha256_file(path)}  {Path(os.path.relpath(path, out_dir)).as_posix()}")
    return _write(out_dir / MANIFEST, "\n".join(lines) + "\n")


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")
    return path
