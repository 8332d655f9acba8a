"""How the settlements of the communities layer reconcile with the 107 communities of the 2024 report.

One place for the numbers every output prints: the overview's layer names and legend, the timeline's legend and
`heritage-map coverage` all read `reconcile` and word it with the sentences below, so they cannot disagree.

The 2024 fact-finding report "Why Are There No Armenians in Nagorno-Karabakh?" counts 107 Armenian communities in
August 2023, but its list was not found (SOURCES.md, "Reconciliation with the 107 communities"). The layer holds
settlements, and says of each whether it was held until September 2023 (`in_aug_2023`), whether it counts toward
the 107 (`counts_toward_107`: a source places Armenian residents there in 2023), whether it is part of another
community (`part_of`) and, for a held settlement that does not count, why (`residents_2023`). Every held settlement
falls in exactly one group: counted, part of a community, or held but not counted; every other settlement is context
(lost in 2020). A layer without `counts_toward_107` counts every held settlement that is neither part of another nor
doubted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import geopandas as gpd

REPORT_TOTAL = 107
"""Armenian communities in August 2023, per the 2024 report "Why Are There No Armenians in Nagorno-Karabakh?"."""

DOUBT_REASONS: dict[str, str] = {
    "not found": "{n} with no 2023 source found",
    "in doubt": "{n} whose residents were displaced in March 2022",
    "not checked": "{n} not checked",
}
"""Why held settlements are not counted, by their `residents_2023`: how many, in words."""

# The words every output uses for these numbers (English; the translator finds them here).
# Layer names are short (a phone shows the layer list beside the map): "N of M mapped" is N located of the M counted.
COUNTED_LAYER = "Communities 2023: {located} of {count} mapped"
COUNTED_LAYER_WITH_PARTS = "Communities 2023: {located} of {count} mapped, and {parts} parts"
DOUBTED_LAYER = "Residents unconfirmed: {located} of {count} mapped"
LOST_LAYER = "Lost in 2020: {located} of {count} mapped"
COUNTED_TEXT = (
    "Communities: the 2024 report counts {report} in August 2023. This map counts {count}, each with a source "
    "placing Armenian residents there in 2023: {located} on the map, {unlocated} not located."
)
DOUBTED_TEXT = (
    "Not counted: {count} settlements held in 2023 that no source places residents in that year ({reasons}), "
    "{located} of them on the map; and {parts} settlements that are part of a counted community."
)
SUMMARY_TEXT = "Communities: {count} of the {report} counted, {located} on the map"
UNIDENTIFIED_TEXT = "Not identified: {count} of the {report}."
LOST_TEXT = "Settlements lost in 2020, shown for context: {count}, {located} of them on the map."
UNLOCATED_TITLE = (
    "Not on the map (no sourced location): {count}: {settlements} settlements, {sites} heritage sites, {places} places"
)
UNLOCATED_LABELS: dict[str, str] = {
    "counted": "community, counted",
    "part": "settlement within a counted community",
    "doubted": "held in 2023, not counted",
    "lost": "settlement lost in 2020",
}
"""How the legend's list of what is not on the map names each kind of settlement."""


@dataclass(frozen=True)
class Group:
    """Settlements of one kind: their ids (layer order) and how many have a location."""

    ids: tuple[str, ...]
    located: int

    @property
    def count(self) -> int:
        """How many settlements the group holds."""
        return len(self.ids)

    @property
    def unlocated(self) -> int:
        """How many have no sourced location."""
        return self.count - self.located


@dataclass(frozen=True)
class Reconciliation:
    """The communities layer set beside the 107 of the 2024 report."""

    counted: Group
    """Held until September 2023, counted toward the 107: a source places Armenian residents there in 2023."""
    parts: Group
    """Held, and part of another community (`part_of`): not counted on their own."""
    doubted: Group
    """Held, not part of another community, and no source places residents there in 2023."""
    lost: Group
    """Lost in 2020 (or not held in August 2023): context, never counted."""
    doubt_reasons: dict[str, int]
    """The doubted settlements by why (`DOUBT_REASONS`)."""
    report_total: int = REPORT_TOTAL

    @property
    def held(self) -> int:
        """Settlements held until September 2023."""
        return self.counted.count + self.parts.count + self.doubted.count

    @property
    def identified(self) -> int:
        """Communities named in the data, counted or not: every held settlement not part of another."""
        return self.counted.count + self.doubted.count

    @property
    def unidentified(self) -> int:
        """Communities of the 107 the data does not name."""
        return max(0, self.report_total - self.identified)

    def group_of(self, settlement: str) -> str:
        """'counted', 'part', 'doubted' or 'lost'."""
        for name, group in (("counted", self.counted), ("part", self.parts), ("doubted", self.doubted)):
            if settlement in group.ids:
                return name
        return "lost"

    def layer_names(self) -> dict[str, str]:
        """The overview's and the timeline's names for the three community layers, each saying what it counts."""
        counted = COUNTED_LAYER_WITH_PARTS if self.parts.count else COUNTED_LAYER
        return {
            "counted": counted.format(located=self.counted.located, count=self.counted.count, parts=self.parts.count),
            "doubted": DOUBTED_LAYER.format(located=self.doubted.located, count=self.doubted.count),
            "lost": LOST_LAYER.format(located=self.lost.located, count=self.lost.count),
        }

    def summary(self) -> str:
        """The reconciliation in one line (the legend's heading over `sentences`)."""
        return SUMMARY_TEXT.format(count=self.counted.count, report=self.report_total, located=self.counted.located)

    def reasons_text(self) -> str:
        """Why the doubted settlements are not counted, in words ("30 with no 2023 source found; 3 whose ...")."""
        return "; ".join(DOUBT_REASONS.get(k, "{n} " + k).format(n=v) for k, v in self.doubt_reasons.items())

    def sentences(self) -> list[str]:
        """The reconciliation in words, as the legends print it and `coverage` prints its numbers."""
        reasons = self.reasons_text()
        return [
            COUNTED_TEXT.format(
                report=self.report_total,
                count=self.counted.count,
                located=self.counted.located,
                unlocated=self.counted.unlocated,
            ),
            DOUBTED_TEXT.format(count=self.doubted.count, reasons=reasons, located=self.doubted.located, parts=self.parts.count),
            UNIDENTIFIED_TEXT.format(count=self.unidentified, report=self.report_total),
            LOST_TEXT.format(count=self.lost.count, located=self.lost.located),
        ]


def reconcile(communities: gpd.GeoDataFrame) -> Reconciliation:
    """Sort every settlement of the communities layer into counted, part, doubted or lost, and count them."""
    columns = communities.columns

    def column(name: str) -> list[object]:
        return communities[name].tolist() if name in columns else [None] * len(communities)

    ids = [str(i) for i in column("id")]
    located = communities.geometry.notna().tolist() if len(communities) else []
    groups: dict[str, list[int]] = {"counted": [], "part": [], "doubted": [], "lost": []}
    reasons: dict[str, int] = {}
    flagged = "counts_toward_107" in columns
    parts, residents_2023 = map(_text, column("part_of")), map(_text, column("residents_2023"))
    for i, (held, counts, part_of, residents) in enumerate(
        zip(column("in_aug_2023"), column("counts_toward_107"), parts, residents_2023)
    ):
        doubted = residents is not None and residents != "sourced"
        if held is not True:
            groups["lost"].append(i)
        elif counts is True or (not flagged and not part_of and not doubted):
            groups["counted"].append(i)
        elif part_of:
            groups["part"].append(i)
        else:
            groups["doubted"].append(i)
            reason = residents or "not checked"
            reasons[reason] = reasons.get(reason, 0) + 1

    def group(name: str) -> Group:
        rows = groups[name]
        return Group(tuple(ids[i] for i in rows), sum(1 for i in rows if located[i]))

    ordered = {k: reasons[k] for k in (*DOUBT_REASONS, *sorted(reasons.keys() - DOUBT_REASONS.keys())) if k in reasons}
    return Reconciliation(group("counted"), group("part"), group("doubted"), group("lost"), ordered)


def _text(value: object) -> str | None:
    """A non-empty string, or None (the frames hold None or NaN where a property is missing)."""
    return value if isinstance(value, str) and value else None
