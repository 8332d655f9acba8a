"""A data folder loaded once, validated once and joined once: what every command that publishes or reports reads.

`open_dataset` is the top of the flow: `geo.inputs.load_inputs` reads each
file once, `geo.validate.check` collects every problem and runs the join
(`geo.join.join`) once, and the public view of the sites
(`geo.sitestatus.public_view`) is made from that join when first asked for.
The maps, the site pages, `coverage`, `imagery gaps` and `imagery changes`
and the exports all read the same `Dataset`, so they cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from geo.errors import LayerError
from geo.inputs import load_inputs
from geo.sitestatus import public_view
from geo.validate import check

if TYPE_CHECKING:
    from datetime import date
    from pathlib import Path

    from geo.errors import Problem
    from geo.inputs import Inputs
    from geo.join import Joined
    from geo.sitestatus import PublicView


@dataclass(frozen=True)
class Dataset:
    """Valid inputs, their one join, and the warnings validation carried past."""

    inputs: Inputs
    joined: Joined
    warnings: list[Problem] = field(default_factory=list)

    @cached_property
    def public(self) -> PublicView:
        """Every site as the public outputs show it (`geo.sitestatus.public_view`), made once."""
        return public_view(self.inputs, self.joined)


def open_dataset(data_dir: str | Path, today: date | None = None) -> Dataset:
    """Load, validate and join `data_dir`; LayerError naming the first error (and how many more) when it is invalid."""
    inputs = load_inputs(data_dir)
    problems, joined = check(inputs, today)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise LayerError(*errors, hint="run heritage-map validate to list them" if len(errors) > 1 else "")
    assert joined is not None, "valid sites are always joined"
    return Dataset(inputs, joined, [p for p in problems if p.severity == "warning"])
