"""Every export carries a Frictionless Data Package that the `frictionless` validator accepts."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner
from frictionless import Package

from geo.cli import main
from geo.dictionary import field

if TYPE_CHECKING:
    from pathlib import Path


def export(data_dir: Path, out: Path, *args: str) -> None:
    result = CliRunner().invoke(main, ["export", "--data", str(data_dir), "--out", str(out), *args])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "args", [("--format", "csv"), ("--format", "csv", "--no-bom"), ("--format", "geojson"), ("--format", "kml")]
)
def test_the_package_validates_and_describes_every_file(data_dir: Path, tmp_path: Path, args: tuple[str, ...]) -> None:
    out = tmp_path / "export"
    export(data_dir, out, *args)
    descriptor = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    assert sorted(r["path"] for r in descriptor["resources"]) == sorted(
        p.name for p in out.iterdir() if p.name != "datapackage.json"
    )
    assert descriptor["licenses"][0]["name"] == "CC-BY-SA-4.0"
    report = Package(str(out / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_every_exported_column_of_the_default_data_says_what_it_is(tmp_path: Path) -> None:
    out = tmp_path / "export"
    export(_repo_data(), out, "--format", "csv")
    descriptor = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    undocumented = [
        f"{resource['name']}.{column['name']}"
        for resource in descriptor["resources"]
        for column in resource["schema"]["fields"]
        if field(resource["name"].removesuffix("-csv"), column["name"]) is None
    ]
    assert undocumented == [], "describe these fields in geo/dictionary.py"


def test_the_maps_data_folder_carries_its_package(data_dir: Path, tmp_path: Path) -> None:
    from geo.build import build_maps

    build_maps(data_dir, tmp_path / "maps", tiles="none")
    report = Package(str(tmp_path / "maps" / "data" / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def _repo_data() -> Path:
    from pathlib import Path

    return Path(__file__).resolve().parent.parent / "data" / "layers"
