"""Loading everything a data folder holds, once: the I/O edge of every command that reads the data.

Each file is read and parsed once. Validation (`geo.validate`) checks what was
loaded here, and the join, the maps, the pages and the exports read the same
objects; nothing reads a layer file a second time. A file that cannot be read
does not stop the load: its reason is kept in `Inputs.problems`, so
validation reports it with everything else.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geo import imagery, observations
from geo._gc import collector_paused
from geo.errors import HeritageMapError, Problem
from geo.layers import frame_from_collection, layer_path, read_json, read_table
from geo.schema import LAYERS

if TYPE_CHECKING:
    import geopandas as gpd

LOG = "observations.jsonl"
CATALOG = "imagery.json"
TIMELINE = "timeline.csv"
MONITOR_TOTALS = "monitor_counts.csv"
CITED_COPIES = "cited_copies.csv"


@dataclass(frozen=True)
class MonitorTotal:
    """A monitor's own published count of the sites it documents (`monitor_counts.csv`), with its source."""

    monitor: str
    claim: str
    as_of: str
    url: str


@dataclass(frozen=True)
class Inputs:
    """The layers, the monitors' log, the imagery catalog and the timeline of one data folder, as read.

    `collections` holds each layer's parsed JSON (what validation checks,
    feature by feature); the frames are built from it. `problems` says why a
    file could not be read (its frame, log or catalog is then empty).
    """

    data_dir: Path
    collections: dict[str, Any]
    communities: gpd.GeoDataFrame
    sites: gpd.GeoDataFrame
    routes: gpd.GeoDataFrame
    places: gpd.GeoDataFrame
    log: list[dict[str, Any]]
    items: list[dict[str, Any]]
    timeline: list[dict[str, str]]
    monitor_totals: tuple[MonitorTotal, ...] = ()
    """The monitors' published totals (`monitor_counts.csv`), which the map sets the inventory beside."""
    cited_copies: frozenset[str] = frozenset()
    """Copies kept as the citation because their original was not found (`cited_copies.csv`, column `url`)."""
    problems: tuple[Problem, ...] = ()

    @property
    def log_path(self) -> Path:
        """The monitors' log of the folder."""
        return self.data_dir / LOG

    @property
    def catalog_path(self) -> Path:
        """The imagery catalog of the folder."""
        return self.data_dir / CATALOG

    def frame(self, layer: str) -> gpd.GeoDataFrame:
        """The frame of layer `layer` (a key of `geo.schema.LAYERS`)."""
        frames = {"communities": self.communities, "heritage_sites": self.sites, "routes": self.routes, "places": self.places}
        return frames[layer]

    def observations(self) -> list[dict[str, Any]]:
        """The log's observation records (reviews left out), in log order."""
        return [record for record in self.log if record.get("kind") == "observation"]


def folder_problem(data_dir: str | Path) -> Problem | None:
    """Why `data_dir` is not a data folder (missing, not a folder, or holding none of the layers), or None."""
    folder = Path(data_dir)
    names = ", ".join(schema.filename for schema in LAYERS.values())
    fix = f"pass --data the folder that holds {names} (default data/layers, relative to where the command runs)"
    if not folder.is_dir():
        return Problem(file=str(folder), found="not a folder" if folder.exists() else "folder not found", fix=fix)
    if not any((folder / schema.filename).is_file() for schema in LAYERS.values()):
        return Problem(file=str(folder), found="holds none of the layers", fix=fix)
    return None


def load_inputs(data_dir: str | Path) -> Inputs:
    """Read every file of `data_dir` once; what cannot be read is in `Inputs.problems`.

    A folder that is missing, or holds none of the layers, is one problem
    naming the folder. Parsing runs with the cyclic collector paused: the
    parsed JSON of 100,000 features is millions of objects without a cycle,
    which the collector would otherwise walk again and again (1.9 s instead of
    0.36 s for the sites' JSON alone, measured).
    """
    data_dir = Path(data_dir)
    problems: list[Problem] = []
    if (problem := folder_problem(data_dir)) is not None:
        problems.append(problem)
    with collector_paused():
        collections: dict[str, Any] = {}
        frames: dict[str, gpd.GeoDataFrame] = {}
        for name in LAYERS:
            try:
                collections[name] = read_json(layer_path(data_dir, name)) if problem is None else None
            except HeritageMapError as error:
                problems.extend(error.problems)
                collections[name] = None
            frames[name] = frame_from_collection(collections[name])
        log = _read(lambda: observations.read_log(data_dir / LOG), problems) or []
        items = _read(lambda: imagery.read_catalog(data_dir / CATALOG), problems) or []
        # read_table: a regular file of the folder only; a malformed CSV is a problem, not a traceback.
        timeline = _read(lambda: read_table(data_dir / TIMELINE), problems) or []
        totals = tuple(
            MonitorTotal(*(row.get(key) or "" for key in ("monitor", "claim", "as_of", "url")))
            for row in _read(lambda: read_table(data_dir / MONITOR_TOTALS), problems) or []
        )
        copies = frozenset(
            row["url"] for row in _read(lambda: read_table(data_dir / CITED_COPIES), problems) or [] if row.get("url")
        )
    return Inputs(
        data_dir=data_dir,
        collections=collections,
        communities=frames["communities"],
        sites=frames["heritage_sites"],
        routes=frames["routes"],
        places=frames["places"],
        log=log,
        items=items,
        timeline=timeline,
        monitor_totals=totals,
        cited_copies=copies,
        problems=tuple(problems),
    )


def _read(read: Any, problems: list[Problem]) -> Any:
    try:
        return read()
    except HeritageMapError as error:
        problems.extend(error.problems)
        return None
