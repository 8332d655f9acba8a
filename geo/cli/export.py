"""`heritage-map export`: not built yet (see the open issue)."""

from __future__ import annotations

import click


@click.group(name="export", hidden=True)
def command() -> None:
    """Not built yet."""
