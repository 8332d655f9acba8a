"""`heritage-map verify`: not built yet (see the open issue)."""

from __future__ import annotations

import click


@click.group(name="verify", hidden=True)
def command() -> None:
    """Not built yet."""
