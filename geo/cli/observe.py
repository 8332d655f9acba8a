"""`heritage-map observe`: not built yet (see the open issue)."""

from __future__ import annotations

import click


@click.group(name="observe", hidden=True)
def command() -> None:
    """Not built yet."""
