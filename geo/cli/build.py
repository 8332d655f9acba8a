"""`heritage-map build`: not built yet."""

from __future__ import annotations

import click


@click.group(name="build", hidden=True)
def command() -> None:
    """Not built yet."""
