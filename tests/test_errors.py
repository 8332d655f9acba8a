"""One problem type, printed one way; one error hierarchy whose errors reach the user as one line."""

from __future__ import annotations

import subprocess
import sys
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner

from geo.cli import COMMANDS, main
from geo.errors import AssetError, HeritageMapError, ImageryError, LayerError, Problem

if TYPE_CHECKING:
    from pathlib import Path


def test_a_problem_prints_every_part_it_has_in_one_order() -> None:
    problem = Problem(
        file="layers/heritage_sites.geojson",
        feature="nk001",
        field="type",
        found="'castle'",
        expected="one of church, monastery",
        fix="use a type of the vocabulary",
    )
    assert str(problem) == (
        "error: layers/heritage_sites.geojson: feature 'nk001': field 'type': 'castle' (expected one of church, monastery); "
        "fix: use a type of the vocabulary"
    )
    assert Problem(file="log.jsonl", line=3, kind="record", feature="obs-1", found="x", fix="y").message() == (
        "log.jsonl: line 3: record 'obs-1': x; fix: y"
    )
    assert Problem(file="f.geojson", index=4, field="type", found="not a Feature", fix="z").message() == (
        "f.geojson: feature #4: field 'type': not a Feature; fix: z"
    )
    assert Problem(found="empty", field="analyst", fix="name them", severity="warning").message() == (
        "field 'analyst': empty; fix: name them"
    )


def test_a_problem_is_placed_without_rebuilding_its_message() -> None:
    bare = Problem(field="site_id", found="'x' is unknown", fix="use a site id")
    placed = bare.at({"file": "rows.csv", "line": 7})
    assert placed.message() == "rows.csv: line 7: field 'site_id': 'x' is unknown; fix: use a site id"
    assert (placed.found, placed.fix) == (bare.found, bare.fix)


def test_an_error_shows_its_first_problem_and_counts_the_rest() -> None:
    first = Problem(file="a.geojson", found="one", fix="f1")
    error = LayerError(first, Problem(file="b.geojson", found="two", fix="f2"), hint="run heritage-map validate to list them")
    assert str(error) == "a.geojson: one; fix: f1 (and 1 more); run heritage-map validate to list them"
    assert error.problem is first and len(error.problems) == 2
    assert isinstance(error, ValueError) and isinstance(error, HeritageMapError)
    plain = ImageryError("the catalog is locked")
    assert str(plain) == "the catalog is locked" and plain.problems == () and plain.problem is None


def test_every_error_class_is_in_the_hierarchy() -> None:
    assert issubclass(AssetError, HeritageMapError) and issubclass(AssetError, RuntimeError)


@pytest.mark.parametrize("command", ["validate", "build", "coverage"])
def test_a_wrong_data_folder_is_named_with_the_fix(command: str, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder"
    result = CliRunner().invoke(main, [command, "--data", str(missing)])
    assert result.exit_code == 1
    line = f"{missing}: folder not found; fix: pass --data the folder that holds communities.geojson"
    assert line in result.stderr and len(result.stderr.strip().splitlines()) <= 2 and "Traceback" not in result.stderr
    assert "(file)" not in result.stderr


def test_a_folder_without_layers_is_named(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["build", "--data", str(tmp_path), "--out", str(tmp_path / "maps")])
    assert result.exit_code == 1
    assert result.stderr == (
        f"heritage-map: error: {tmp_path}: holds none of the layers; fix: pass --data the folder that holds "
        "communities.geojson, heritage_sites.geojson, routes.geojson, places.geojson "
        "(default data/layers, relative to where the command runs)\n"
    )


def test_help_lists_each_command_with_its_own_summary() -> None:
    for name, (_, summary) in COMMANDS.items():
        command = main.get_command(None, name)  # type: ignore[arg-type]
        assert command is not None and command.help is not None
        assert command.help.split("\n\n")[0].replace("\n", " ") == summary, name
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0 and all(name in result.output for name in COMMANDS)


HEAVY = ("folium", "geopandas", "rasterio", "shapely", "pandas", "pystac", "branca")


@pytest.mark.parametrize(
    "code",
    [
        "import geo, geo.dates, geo.errors",
        "import sys\nfrom geo.cli import main\nsys.argv = ['heritage-map', '--help']\ntry: main()\nexcept SystemExit: pass",
        "import geo.cli.verify",
    ],
)
def test_importing_the_package_or_asking_for_help_loads_no_heavy_library(code: str) -> None:
    probe = f"{code}\nimport sys\nprint('loaded:' + ','.join(m for m in {HEAVY!r} if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.splitlines()[-1] == "loaded:"
