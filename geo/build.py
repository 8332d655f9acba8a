"""`heritage-map build`: load, validate and join once, render every page, write them in one pass (the I/O edge).

The flow is top to bottom: `geo.dataset.open_dataset` loads each input file
once, validates it and joins it once; the maps (`geo.maps`), the site and
embed pages (`geo.pages`), the image chips (`geo.chips`) and the data exports
(`geo.export`) are made from that one dataset and return text or bytes; only
this module knows where each output goes, and writes it.

The same inputs give the same bytes: element ids are ordinal, keys sorted,
and no timestamp but the data's own dates are written. From `PARALLEL_SITES` sites
the outputs are made by this process and forked workers (`geo._tasks`), the
same bytes either way.

**Rebuilding.** Beside the output folder, never in it, the build keeps its
state (`<out>.build-state.json`: the code's and every input file's SHA-256,
the build options, the log's length): the log's hash and length change with
every internal record, and nothing published may say that one was added. The
output folder's `MANIFEST.sha256` lists every output's SHA-256. A file is written
only when its bytes differ from those the manifest lists, so an unchanged
page is never touched. When nothing changed but records appended to the
monitors' log (its earlier bytes hash as before, and the code, the options
and every other input are the same), only the pages those records can change
are rendered at all: a site's page shows only that site's records (and the
reviews of them), so the pages of the sites the new records name, the two
maps, the data exports and the manifest. Anything else (an edited layer, a
new scene, a new option, a new version of the code) renders every page and
still writes only those whose bytes changed. `full=True` ignores the state
and writes every file (an output changed by hand, which `sha256sum -c
MANIFEST.sha256` finds, is written again).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from geo import links
from geo._gc import collector_paused
from geo._tasks import run_tasks
from geo.anchor import Anchor, anchor_message
from geo.assets import asset_files
from geo.chips import site_chips
from geo.credits import TITLE
from geo.dataset import Dataset, open_dataset
from geo.export import write_package, write_tables, write_timeline
from geo.i18n import N_, English, message
from geo.keyring import KEYRING
from geo.layers import read_text
from geo.maps import overview_map, timeline_map
from geo.pages import (
    BUILD_INFO,
    EMBED_SCRIPTS,
    Chips,
    EmbedTarget,
    PageLinks,
    SitePages,
    build_info,
    embed_index,
    embed_page,
    site_assets,
)
from geo.payload import script_json
from geo.render import Tiles, page_html
from geo.schema import LAYERS
from geo.sitestatus import site_history

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping

    from geo.errors import Problem

MANIFEST = "MANIFEST.sha256"
STATE = ".build-state.json"
"""The suffix of the build state's file, beside the output folder: `maps` keeps `maps.build-state.json`."""
STATE_FORMAT = 1
INPUT_SUFFIXES = (".geojson", ".json", ".jsonl", ".csv")
LOG = "observations.jsonl"
SITE_PAGE = "sites/{id}.html"
PACKAGE = Path(__file__).parent


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote, how many outputs it left as they were, and the warnings it carried on past."""

    written: list[Path]
    unchanged: int
    warnings: list[Problem]
    incremental: bool = False


def build_maps(
    data_dir: str | Path,
    out_dir: str | Path,
    tiles: Tiles = "osm",
    self_contained: bool = True,
    base_url: str | None = None,
    full: bool = False,
    workers: int | None = None,
) -> BuildResult:
    """Validate `data_dir` and write the maps into `out_dir`; raise LayerError on invalid data.

    `base_url`, when given, must be the absolute http(s) address of the published folder (LinkError otherwise);
    without it, an embed page makes its snippet's addresses absolute against the address it is opened from.
    `workers` is how many processes render the site pages
    (default: one per processor when there are at least `PARALLEL_SITES` sites, else this process alone).

    The cyclic garbage collector is paused for the whole build: the parsed
    inputs and the pages are millions of objects without a cycle, which it
    would otherwise walk again and again (it cost several seconds at 100,000
    sites); reference counting still frees them as the build goes.
    """
    published = links.base_url(base_url) if base_url is not None else None
    with collector_paused():
        dataset = open_dataset(data_dir)
        return publish(dataset, Path(out_dir), tiles, self_contained, published, full, workers)


def publish(
    dataset: Dataset,
    out_dir: Path,
    tiles: Tiles,
    self_contained: bool,
    base_url: str | None,
    full: bool = False,
    workers: int | None = None,
) -> BuildResult:
    """Write every output of a build of `dataset` into `out_dir` (see the module's docstring on rebuilding)."""
    inputs = dataset.inputs
    options = {"tiles": tiles, "self_contained": self_contained, "base_url": base_url}
    state = BuildState.read(out_dir) if not full else None
    current = BuildState.of(inputs.data_dir, options, len(inputs.log))
    previous, missing = state.outputs(out_dir) if state else ({}, 0)
    # Rendering only what new records concern needs every other output still there as the last build left it.
    affected = current.appended_sites(state, inputs.data_dir, inputs.log) if state and not missing else None
    out = Outputs(out_dir, previous, keep_unlisted=affected is not None)
    BuildState.forget(out_dir)  # a build that stops half way leaves no state to trust

    view = dataset.public
    sites = view.sites if affected is None else view.sites[view.sites["id"].isin(affected)]
    chosen = list(site_rows(sites))
    targets = [
        EmbedTarget("overview", f"{TITLE}: overview", "index.html", label=message(EMBED_OVERVIEW, title=message(TITLE))),
        EmbedTarget(
            "timeline",
            f"{TITLE}: timeline",
            "timeline.html",
            min_height=480,
            label=message(EMBED_TIMELINE, title=message(TITLE)),
        ),
        *(site_embed(r) for r in chosen),
    ]
    job = BuildJob(dataset, out_dir, previous, tiles, self_contained, base_url, site_embeds=affected is None)
    tasks: list[Callable[[], TaskResult]] = [
        job.task(job.public_data),
        job.task(job.overview),
        job.task(job.timeline),
        *(job.task(job.site_pages(chosen[start : start + PAGE_CHUNK])) for start in range(0, len(chosen), PAGE_CHUNK)),
    ]
    if affected is None:
        tasks.append(job.task(job.embed_pages(targets)))
    count = workers if workers is not None else (len(os.sched_getaffinity(0)) if len(view.sites) >= PARALLEL_SITES else 1)
    needed: list[str] = []
    for hashes, written, unchanged, assets in run_tasks(tasks, count):
        out.hashes.update(hashes)
        out.written.extend(Path(path) for path in written)
        out.unchanged += unchanged
        needed.extend(a for a in assets or () if a not in needed)
    if affected is None:
        stylesheets, scripts = site_assets(tiles)
        shared = [*needed, *stylesheets, *(s for s in (*scripts, *EMBED_SCRIPTS) if s != BUILD_INFO)]
        for path, source in asset_files(list(dict.fromkeys(shared))).items():
            out.write(f"assets/{path}", source.read_bytes())
    info = script_json(build_info(tiles, view.as_of, anchor_message(view.anchor)))
    out.write(f"assets/{BUILD_INFO}", f"window.HeritageMapBuild = {info};\n")
    out.finish(view.anchor)
    current.write(out_dir)
    return BuildResult(written=out.written, unchanged=out.unchanged, warnings=dataset.warnings, incremental=affected is not None)


PARALLEL_SITES = 2_000
"""Below this many sites a build makes everything in one process: starting others would cost more than it saves."""
PAGE_CHUNK = 2_500
"""Site pages per task: small enough that two processes finish together, large enough that a task costs more than
taking it."""

TaskResult = tuple[dict[str, str], list[str], int, list[str] | None]
"""What one task wrote (each output's SHA-256), the paths it wrote, how many it left unchanged, and the assets a
map it made links."""


@dataclass
class BuildJob:
    """What every task of one build needs; the tasks write through an `Outputs` of their own and report it."""

    dataset: Dataset
    root: Path
    previous: dict[str, str]
    tiles: Tiles
    self_contained: bool
    base_url: str | None
    site_embeds: bool

    def __post_init__(self) -> None:
        pages = f"{self.base_url}{SITE_PAGE.split('{', maxsplit=1)[0]}" if self.base_url else None
        self.pages = SitePages(self.tiles, PageLinks(assets="../assets/", overview="../index.html", base=pages))

    def task(self, write: Callable[[Outputs], list[str] | None]) -> Callable[[], TaskResult]:
        """`write` as a task: run with a fresh `Outputs`, whose record it returns."""

        def run() -> TaskResult:
            out = Outputs(self.root, self.previous)
            assets = write(out)
            return out.hashes, [str(path) for path in out.written], out.unchanged, assets

        return run

    def public_data(self, out: Outputs) -> None:
        """`data/` (`write_public_data`)."""
        write_public_data(out, self.dataset)

    def overview(self, out: Outputs) -> list[str]:
        """`index.html`; the assets it links."""
        fmap = overview_map(
            self.dataset.inputs, self.dataset.public, self.tiles, site_link=SITE_PAGE, timeline_link="timeline.html"
        )
        text, assets = page_html(fmap, "inline" if self.self_contained else "link")
        out.write("index.html", text)
        return assets

    def timeline(self, out: Outputs) -> list[str]:
        """`timeline.html`; the assets it links."""
        fmap = timeline_map(self.dataset.inputs, self.dataset.public, self.tiles, overview_link="index.html")
        text, assets = page_html(fmap, "inline" if self.self_contained else "link")
        out.write("timeline.html", text)
        return assets

    def embed_pages(self, targets: list[EmbedTarget]) -> Callable[[Outputs], None]:
        """The embed pages of the two maps, and `embed/index.html` of every target."""

        def write(out: Outputs) -> None:
            for target in targets[:2]:
                out.write(f"embed/{target.name}.html", embed_page(target, self.base_url, self.tiles))
            out.write("embed/index.html", embed_index(targets))

        return write

    def site_pages(self, sites: list[dict[str, Any]]) -> Callable[[Outputs], None]:
        """The chips, story pages and (unless only log records changed) embed pages of `sites`."""

        def write(out: Outputs) -> None:
            histories = self.dataset.public.histories
            for site in sites:
                site_id = site["id"]
                chips = write_chips(out, self.dataset, site)
                out.write(SITE_PAGE.format(id=site_id), self.pages.render(site, site_history(histories.get(site_id)), chips))
                if self.site_embeds:
                    target = site_embed(site)
                    out.write(f"embed/{target.name}.html", embed_page(target, self.base_url, self.tiles))

        return write


EMBED_OVERVIEW = N_("{title}: overview")
EMBED_TIMELINE = N_("{title}: timeline")
EMBED_SITE = N_("{name}: heritage site story")
"""The embeds' titles (their frame's, their page's)."""
SITE_CARD_HEIGHT = 380
"""The height of a site's embed (its card, `sites/<id>.html?embed=1`) in CSS pixels, at every width."""


def site_embed(site: Mapping[str, Any]) -> EmbedTarget:
    """The embed of a site's story: its card, in a frame of fixed height."""
    return EmbedTarget(
        f"site-{site['id']}",
        f"{site['name']}: heritage site story",
        SITE_PAGE.format(id=site["id"]),
        ratio=None,
        height=SITE_CARD_HEIGHT,
        label=message(EMBED_SITE, name=English(site["name"])),
    )


def site_rows(sites: Any) -> Iterator[dict[str, Any]]:
    """Each site of the public view as a dict of its columns, its shape as `geometry` (read a column at a time:
    pandas' row iterators make an object per cell).
    """
    geometry = sites.geometry.name
    keys = ["geometry" if name == geometry else str(name) for name in sites.columns]
    columns = [list(sites.geometry.values) if name == geometry else sites[name].tolist() for name in sites.columns]
    for values in zip(*columns):
        yield dict(zip(keys, values))


def write_chips(out: Outputs, dataset: Dataset, site: Mapping[str, Any]) -> Chips | None:
    """Write the before/after chips of a site whose pair has local rasters (`sites/<id>/`); None otherwise."""
    imagery = dataset.public.imagery.get(site["id"])
    if imagery is None or not imagery.before or not imagery.after:
        return None
    row = SimpleNamespace(id=site["id"], geometry=site["geometry"])
    made = site_chips(row, imagery.before, imagery.after, dataset.inputs.data_dir)
    if made is None:
        return None
    # The story page lives in sites/, so its images are relative to that folder.
    out.write(f"sites/{made.site_id}/before.png", made.before_png)
    out.write(f"sites/{made.site_id}/after.png", made.after_png)
    return Chips(before=f"{made.site_id}/before.png", after=f"{made.site_id}/after.png", px=made.grid.width, score=made.score)


def write_public_data(out: Outputs, dataset: Dataset) -> None:
    """`data/`: the public GeoJSON and CSV behind the maps (with `datapackage.json`), the timeline and SOURCES.md."""
    with tempfile.TemporaryDirectory(prefix="heritage-map-data-") as scratch:
        folder = Path(scratch)
        # The log goes to observations.csv once, with the CSV tables.
        files = write_tables(dataset, folder, "geojson", "public", tables=LAYERS) + write_tables(dataset, folder, "csv", "public")
        if dataset.inputs.timeline:
            files.append(write_timeline(dataset.inputs, folder))
        files.append(write_package(dataset.inputs, folder, files))
        for path in files:
            out.write(f"data/{path.name}", path.read_bytes())
    if (dataset.inputs.data_dir / "SOURCES.md").exists():
        # A regular file of the folder only: a planted link would publish the file it points at.
        out.write("data/SOURCES.md", read_text(dataset.inputs.data_dir / "SOURCES.md"))


@dataclass
class Outputs:
    """The files of one build: each written only when its bytes differ from those the last build wrote.

    `previous` maps each output (relative path) to its SHA-256 as the last
    manifest listed it. With `keep_unlisted`, outputs this build does not
    produce are kept as they are (an incremental build renders only what can
    have changed); otherwise they are removed as stale (a site removed from
    the data).
    """

    root: Path
    previous: dict[str, str]
    keep_unlisted: bool = False
    hashes: dict[str, str] = field(default_factory=dict)
    written: list[Path] = field(default_factory=list)
    unchanged: int = 0

    def write(self, relative: str, content: str | bytes) -> None:
        """Record the output `relative` and write it if its bytes are new."""
        data = content.encode("utf-8") if isinstance(content, str) else content
        digest = hashlib.sha256(data).hexdigest()
        self.hashes[relative] = digest
        if self.previous.get(relative) == digest:
            self.unchanged += 1
            return
        path = self.root / relative
        try:  # the folder is made only when missing: a stat per file would cost 100,000 calls
            handle = open(path, "wb")
        except FileNotFoundError:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle = open(path, "wb")
        with handle:
            handle.write(data)
        self.written.append(path)

    def finish(self, anchor: Anchor | None = None) -> None:
        """Keep or remove what this build did not produce, then write `MANIFEST.sha256`: every published file, and
        the published log's anchor (`geo.anchor.public_anchor`, on a `#` line `sha256sum -c` skips), which
        `heritage-map verify --against` reads.
        """
        for relative, digest in self.previous.items():
            if relative in self.hashes:
                continue
            if self.keep_unlisted:
                self.hashes[relative] = digest
                self.unchanged += 1
            else:
                (self.root / relative).unlink(missing_ok=True)
        # Only the published files: a hash of the whole log (or of the catalog) would change with every internal
        # record and say that one was added.
        lines = [anchor.manifest_line()] if anchor is not None else []
        lines += [f"{self.hashes[relative]}  {relative}" for relative in sorted(self.hashes)]
        manifest = "\n".join(lines) + "\n"
        (self.root / MANIFEST).write_text(manifest, encoding="utf-8", newline="\n")
        self.written.append(self.root / MANIFEST)


@dataclass(frozen=True)
class BuildState:
    """What a build was made from: the code, the options, every input file's SHA-256 and the log's length."""

    code: str
    options: dict[str, Any]
    inputs: dict[str, str]
    log_records: int
    log_bytes: int

    @classmethod
    def of(cls, data_dir: Path, options: dict[str, Any], log_records: int) -> BuildState:
        """The state of a build of `data_dir` with `options` now."""
        # The keyring says who may sign the log, not what any page shows: a key or an account registered since
        # (as the workspace does on an account's first record) needs no page rendered again.
        inputs = {
            p.name: _sha256_file(p)
            for p in sorted(data_dir.iterdir())
            if p.is_file() and p.suffix in INPUT_SUFFIXES and p.name != KEYRING
        }
        log = data_dir / LOG
        return cls(_code_version(), options, inputs, log_records, log.stat().st_size if log.exists() else 0)

    @staticmethod
    def path(out_dir: Path) -> Path:
        """Where the state of builds into `out_dir` is kept: beside it (`maps` -> `maps.build-state.json`)."""
        folder = out_dir.resolve()
        return folder.with_name(folder.name + STATE)

    @classmethod
    def read(cls, out_dir: Path) -> BuildState | None:
        """The state the last build into `out_dir` left, or None (none, unreadable, or another format)."""
        try:
            saved = json.loads(cls.path(out_dir).read_text(encoding="utf-8"))
            if saved.get("format") != STATE_FORMAT:
                return None
            return cls(saved["code"], saved["options"], saved["inputs"], saved["log_records"], saved["log_bytes"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    @staticmethod
    def forget(out_dir: Path) -> None:
        """Remove the state, so a build that stops half way is followed by a full one."""
        BuildState.path(out_dir).unlink(missing_ok=True)

    def write(self, out_dir: Path) -> None:
        """Leave the state for the next build."""
        body = {"format": STATE_FORMAT, **self.__dict__}
        BuildState.path(out_dir).write_text(json.dumps(body, sort_keys=True, indent=1) + "\n", encoding="utf-8")

    def outputs(self, out_dir: Path) -> tuple[dict[str, str], int]:
        """Each output the last manifest lists that is still there, with its SHA-256; and how many are gone."""
        try:
            lines = (out_dir / MANIFEST).read_text(encoding="utf-8").splitlines()
        except OSError:
            return {}, 1
        present = set(_files(out_dir))
        listed, missing = {}, 0
        for line in lines:
            if line.startswith("#"):
                continue  # the log's anchor, not a file
            digest, _, relative = line.partition("  ")
            if relative.startswith("../"):
                continue  # an input layer, as manifests listed them once
            if relative in present:
                listed[relative] = digest
            else:
                missing += 1
        return listed, missing

    def appended_sites(self, previous: BuildState, data_dir: Path, log: list[dict[str, Any]]) -> set[str] | None:
        """The sites whose pages records appended to the log since `previous` can change; None when more changed.

        None unless the code, the options and every input but the log are as
        they were, and the log's first `previous.log_bytes` bytes hash as its
        whole did then (records were only appended). A record of a kind other
        than an observation or a review of one might change anything: None.
        """
        others = {name: digest for name, digest in self.inputs.items() if name != LOG}
        before = {name: digest for name, digest in previous.inputs.items() if name != LOG}
        if (self.code, self.options, others) != (previous.code, previous.options, before):
            return None
        if self.log_records < previous.log_records or self.log_bytes < previous.log_bytes:
            return None
        with open(data_dir / LOG, "rb") as handle:
            prefix = handle.read(previous.log_bytes)
        if hashlib.sha256(prefix).hexdigest() != previous.inputs.get(LOG, hashlib.sha256(b"").hexdigest()):
            return None
        sites: set[str] = set()
        appended = log[previous.log_records :]
        observed = {str(r.get("id")): str(r.get("site_id")) for r in log if r.get("kind") == "observation"}
        for record in appended:
            if record.get("kind") == "observation":
                sites.add(str(record.get("site_id")))
            elif record.get("kind") == "review" and str(record.get("of")) in observed:
                sites.add(observed[str(record.get("of"))])
            else:
                return None
        return sites


def _files(root: Path) -> Iterator[str]:
    """Every file under `root` (relative, POSIX), listed with `os.scandir` (no stat per file)."""
    stack = [("", str(root))]
    while stack:
        prefix, folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                stack.append((f"{prefix}{entry.name}/", entry.path))
            else:
                yield f"{prefix}{entry.name}"


def _sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _code_version() -> str:
    """SHA-256 over the package's code, templates and static files: a new version of any renders every page."""
    digest = hashlib.sha256()
    for path in sorted(p for p in PACKAGE.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(PACKAGE).as_posix().encode("utf-8"))
        digest.update(path.read_bytes())
    return digest.hexdigest()
