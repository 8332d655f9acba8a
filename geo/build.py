"""`heritage-map build`: load, validate, join, render, write (the I/O edge).

The same inputs give the same bytes: element ids are ordinal, keys sorted,
and no timestamp but the data's as-of date is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import folium

from geo.assets import Mode, copy_assets, localize
from geo.errors import LayerError
from geo.inputs import load_inputs
from geo.maps import overview_map
from geo.render import Tiles, fix_element_ids
from geo.validate import Problem, validate_layers


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


def build_maps(data_dir: str | Path, out_dir: str | Path, tiles: Tiles = "osm", self_contained: bool = True) -> BuildResult:
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

    text, assets = page_html(overview_map(inputs, tiles), mode)
    written.append(_write(out_dir / "index.html", text))
    needed.extend(a for a in assets if a not in needed)

    if mode == "link":
        copy_assets(needed, out_dir)
    return BuildResult(written=written, warnings=[p for p in problems if p.severity == "warning"])


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")
    return path
