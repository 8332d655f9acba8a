"""`heritage-map validate`: not built yet."""

from __future__ import annotations

import click


@click.group(name="validate", hidden=True)
def command() -> None:
    """Not built yet."""
