"""`heritage-map coverage`: how complete the data is, as counts and a list of unlocated features."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from geo.cli._options import data_option
from geo.coverage import Coverage, coverage_from_dir

if TYPE_CHECKING:
    from pathlib import Path


def format_coverage(report: Coverage) -> str:
    """The plain-text report printed on stdout."""

    def counts(values: dict[str, int]) -> str:
        return ", ".join(f"{key} {value}" for key, value in values.items())

    c = report.communities
    lines = [
        (
            f"communities: {c.counted.count} of the {c.report_total} of the 2024 report counted (a source places "
            f"Armenian residents there in 2023): {c.counted.located} located, {c.counted.unlocated} not located"
        ),
        (
            f"  held in 2023, not counted ({c.doubted.count}, {c.doubted.located} located; {c.reasons_text()}): "
            + "; ".join(f"{item.name} [{item.id}]" for item in report.communities_in_doubt)
        ),
        (
            f"  part of a counted community ({c.parts.count}): "
            + "; ".join(f"{item.name} [{item.id}]" for item in report.community_parts)
        ),
        f"  not identified: {c.unidentified} of {c.report_total}",
        f"  settlements lost in 2020, context ({c.lost.count}): {c.lost.located} located, not counted",
        f"heritage sites: {report.sites_total}",
        f"  by status: {counts(report.sites_by_status)}",
        f"  by coord_precision: {counts(report.sites_by_precision)}",
        (
            f"  evidence: imagery here {report.imagery_here}, imagery analysis by the monitor {report.monitor_imagery}, "
            f"reported {report.reported}"
            + (f"; {report.withheld} status(es) withheld for want of evidence" if report.withheld else "")
        ),
        f"unlocated features: {len(report.unlocated)}",
    ]
    layers = dict.fromkeys(item.layer for item in report.unlocated)
    for layer in layers:
        names = [f"{item.name} [{item.id}]" for item in report.unlocated if item.layer == layer]
        lines.append(f"  {layer} ({len(names)}): " + "; ".join(names))
    if report.monitor_totals:
        lines.append(f"inventory beside the monitors' published totals: this map holds {report.sites_total} heritage sites")
        for t in report.monitor_totals:
            short = t.monitor.split(" (")[0]
            here = (report.sites_by_monitor or {}).get(short, 0)
            lines.append(f"  {t.monitor} ({t.as_of}): {t.claim} [{t.url}]; here: {here} site(s) with a status it published")
    return "\n".join(lines)


@click.command(name="coverage")
@data_option
def command(data_dir: Path) -> None:
    """Count communities counted of 107, site statuses and unlocated features.

    Example: heritage-map coverage --data data/layers
    """
    click.echo(format_coverage(coverage_from_dir(data_dir)))
