"""`heritage-map validate`: every problem in every layer, at once."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from geo.cli._options import data_option
from geo.text import terminal

if TYPE_CHECKING:
    from pathlib import Path


@click.command(name="validate")
@data_option
def command(data_dir: Path) -> None:
    """Check every layer and list every problem, naming file, feature and field.

    Exit 1 when there is an error; warnings (unlocated features) alone exit 0.

    Example: heritage-map validate --data data/layers
    """
    from geo.validate import validate_layers  # geopandas and shapely: loaded only when validation runs

    problems = validate_layers(data_dir)
    for problem in problems:
        click.echo(terminal(str(problem)), err=True)
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    click.echo(f"{data_dir}: {errors} errors, {warnings} warnings", err=True)
    if errors:
        raise SystemExit(1)
