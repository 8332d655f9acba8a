"""`heritage-map coverage`: not built yet (see the open issue)."""

from __future__ import annotations

import click


@click.group(name="coverage", hidden=True)
def command() -> None:
    """Not built yet."""
