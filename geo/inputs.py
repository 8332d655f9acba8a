"""Loading everything a build needs from `data/layers/`, once (the I/O edge)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geo import imagery, observations
from geo.coverage import MonitorTotal, read_monitor_totals
from geo.errors import LayerError
from geo.layers import read_layer, read_table
from geo.validate import validate_layers

if TYPE_CHECKING:
    import geopandas as gpd

    from geo.errors import Problem


@dataclass(frozen=True)
class Inputs:
    """The layers, the monitors' log and the imagery catalog of one data folder."""

    data_dir: Path
    communities: gpd.GeoDataFrame
    sites: gpd.GeoDataFrame
    routes: gpd.GeoDataFrame
    places: gpd.GeoDataFrame
    log: list[dict[str, Any]]
    items: list[dict[str, Any]]
    timeline: list[dict[str, str]]
    monitor_totals: tuple[MonitorTotal, ...] = ()
    """The monitors' published totals (`monitor_counts.csv`), which the map sets the inventory beside."""


def load_inputs(data_dir: str | Path) -> Inputs:
    """Read every layer of `data_dir`; call `geo.validate.validate_layers` first."""
    data_dir = Path(data_dir)
    timeline = read_table(data_dir / "timeline.csv")
    return Inputs(
        data_dir=data_dir,
        communities=read_layer(data_dir, "communities"),
        sites=read_layer(data_dir, "heritage_sites"),
        routes=read_layer(data_dir, "routes"),
        places=read_layer(data_dir, "places"),
        log=observations.read_log(data_dir / "observations.jsonl"),
        items=imagery.read_catalog(data_dir / "imagery.json"),
        timeline=timeline,
        monitor_totals=tuple(read_monitor_totals(data_dir / "monitor_counts.csv")),
    )


def validated_inputs(data_dir: str | Path) -> tuple[Inputs, list[Problem]]:
    """The inputs of `data_dir` and their warnings; LayerError naming the first error, if any."""
    problems = validate_layers(data_dir)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise LayerError(*errors, hint="run heritage-map validate to list them" if len(errors) > 1 else "")
    return load_inputs(data_dir), [p for p in problems if p.severity == "warning"]
