"""`heritage-map log merge`: join two copies of the monitors' log (or of the keyring) that diverged.

A thin layer over `geo.logmerge`; also git's merge driver for these files
(README, "Merging logs with git").
"""

from __future__ import annotations

from pathlib import Path

import click

from geo import logmerge
from geo.cli._options import data_option


@click.group(name="log")
def command() -> None:
    """Merge two copies of the monitors' log (or keyring) that diverged; a git merge driver.

    Example: heritage-map log merge ../colleague/data/layers/observations.jsonl
    """


@command.command(name="merge")
@click.argument("other", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option(
    "--into",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The copy to merge into, rewritten in place [default: DATA/observations.jsonl; git passes %A].",
)
@data_option
def merge(other: Path, into: Path | None, data_dir: Path) -> None:
    """Merge OTHER into this copy: every record of both once, each copy's order kept, signatures intact.

    The result is the same whichever copy runs it; a `merge` record says what
    each copy held, so anchors published from either still verify.

    \b
    Examples:
      heritage-map log merge ../colleague/data/layers/observations.jsonl
      heritage-map log merge OTHER/keyring.jsonl --into data/layers/keyring.jsonl
    As git's merge driver (README): driver = heritage-map log merge %B --into %A
    """
    target = into if into is not None else data_dir / "observations.jsonl"
    result = logmerge.merge_files(target, other)
    click.echo(
        f"merged {other} into {target}: {result.records} records ({result.added} new from {other.name}, "
        f"{result.kept} kept){'; a merge record notes both copies' if result.merge_record else ''}",
        err=True,
    )
