"""The data dictionary: what each exported column means, its type, and the order a reader wants them in.

One table for every export (the CSV columns, the `datapackage.json` beside
them, the README's data section), so a field's meaning is written once. A
field exported without an entry here fails `tests/test_datapackage.py`: a new
field must say what it is before it is published.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    """One column: its Frictionless type and what it holds."""

    type: str
    description: str


LIST = "A list, written in CSV as its items joined with ' ; '."
PARTIAL_DATE = "An ISO 8601 date as the source gives it: YYYY, YYYY-MM, YYYY-MM-DD, or an interval A/B."

COMMON: dict[str, Field] = {
    "id": Field("string", "Stable identifier, unique within its table."),
    "name": Field("string", "Name in English (Latin script), as the sources give it."),
    "name_hy": Field("string", "Name in Armenian, where a source prints it."),
    "name_az": Field("string", "Name in Azerbaijani (Latin script), where a source prints it."),
    "name_ru": Field("string", "Name in Russian, where a source prints it."),
    "names_sources": Field("string", "Sources of the names in other scripts. " + LIST),
    "lat": Field("number", "Latitude, WGS84 degrees; empty when no source locates the feature."),
    "lon": Field("number", "Longitude, WGS84 degrees; empty when no source locates the feature."),
    "geometry_wkt": Field("string", "The geometry as WKT (WGS84 lon/lat) when it is not a point."),
    "coord_precision": Field(
        "string",
        "How the point was obtained: site (the point is at the feature), settlement (the point is its settlement's), "
        "community (the point is the community's it belongs to), approximate.",
    ),
    "coord_source": Field("string", "The page the coordinates come from (canonical address)."),
    "coord_note": Field("string", "Why the point stands where it does, and why it is approximate when it is."),
    "coord_warning": Field("string", "A doubt about the coordinates: why the point may be wrong."),
    "unlocated_note": Field("string", "Why the feature has no location."),
    "note": Field("string", "What the sources say, in brief, and who documented it."),
    "sources": Field("string", "The pages the feature's values come from (canonical addresses). " + LIST),
}

TABLES: dict[str, dict[str, Field]] = {
    "communities": {
        "province": Field("string", "Province (shrjan) of the Nagorno-Karabakh Republic."),
        "population": Field("integer", "Population as the source states it, in population_year."),
        "population_year": Field("year", "The year of the population figure."),
        "held_until": Field("string", "Until when the settlement was held by the Nagorno-Karabakh Republic: 2020-11 or 2023-09."),
        "in_aug_2023": Field("boolean", "Held in August 2023 (one of the settlements of the 107 communities, or part of one)."),
        "counts_toward_107": Field(
            "boolean", "Counted among the 107 communities: held in 2023 and a source places Armenian residents there in 2023."
        ),
        "residents_2023": Field(
            "string",
            "For a settlement held in 2023: sourced (a source places Armenian residents there in 2023), in doubt, "
            "or not found (no such source was found; not counted toward 107).",
        ),
        "residents_2023_source": Field("string", "The source placing Armenian residents there in 2023. " + LIST),
        "name_ru_source": Field("string", "The page that prints the Russian name (canonical address)."),
        "part_of": Field("string", "The id of the community this settlement belongs to, when it is part of another."),
    },
    "heritage_sites": {
        "type": Field(
            "string",
            "Kind of site: church, monastery, cemetery, khachkar, bridge, memorial, monument, village, civic, "
            "archaeological, mosque, other.",
        ),
        "type_detail": Field("string", "The kind in more detail (e.g. church (cathedral))."),
        "period": Field("string", "When it was built or used, as the sources give it."),
        "settlement": Field("string", "The settlement it belongs to, in its Armenian and Azerbaijani names."),
        "status": Field(
            "string",
            "Status shown on the map, from the latest confirmed observation: destroyed, damaged, threatened, intact, unknown.",
        ),
        "status_date": Field("string", "Date of the evidence for the status (the imagery or the visit). " + PARTIAL_DATE),
        "status_reported_on": Field("string", "Date the finding behind the status was published. " + PARTIAL_DATE),
        "verdict": Field(
            "string",
            "What the status rests on: imagery-here (a before/after pair held here), monitor-imagery-analysis "
            "(a monitor's published comparison of satellite images), reported (press, officials, photographs, video, "
            "testimony); imagery-documented in older data.",
        ),
        "published_by": Field("string", "Who published the finding behind the status."),
        "status_when": Field(
            "string",
            "The status's dates in words: observed (a day or a window), or reported on a date with the change on or "
            "before it, or not stated in the sources.",
        ),
        "status_note": Field("string", "Why the status is not shown (a latest observation without evidence)."),
        "monitor_imagery": Field("string", "The before and after image dates the monitor gives (images not held here)."),
        "checked_on": Field("date", "When the status was last re-checked against its sources."),
        "checked_against": Field("string", "The pages the status was re-checked against (canonical addresses). " + LIST),
        "name_hy_source": Field("string", "The page that prints the Armenian name (canonical address)."),
        "name_az_source": Field("string", "The page that prints the Azerbaijani name (canonical address)."),
        "name_ru_source": Field("string", "The page that prints the Russian name (canonical address)."),
        "settlement_hy": Field("string", "The settlement's name in Armenian, where a source prints it."),
        "settlement_az": Field("string", "The settlement's name in Azerbaijani, where a source prints it."),
        "settlement_ru": Field("string", "The settlement's name in Russian, where a source prints it."),
        "settlement_names_sources": Field("string", "The pages that print the settlement's names. " + LIST),
    },
    "routes": {
        "kind": Field("string", "corridor, bypass, road or evacuation."),
        "active_from": Field("string", "When the route came into use. " + PARTIAL_DATE),
        "active_to": Field("string", "When it went out of use. " + PARTIAL_DATE),
        "geometry_precision": Field(
            "string", "waypoints: straight links between sourced waypoints, not a surveyed road centreline."
        ),
        "waypoints": Field("string", "The named waypoints the line passes through, in order. " + LIST),
        "skipped_waypoints": Field("string", "Waypoints the sources name but do not locate. " + LIST),
    },
    "places": {
        "kind": Field("string", "What the place is: checkpoint, blockade site, explosion site, reception centre..."),
        "event_date": Field("string", "When the event at the place happened. " + PARTIAL_DATE),
    },
    "timeline": {
        "date": Field("string", "When it happened. " + PARTIAL_DATE),
        "time": Field("string", "Local time (UTC+4) when the source gives one: HH:MM, about HH:MM, or a part of the day."),
        "kind": Field(
            "string",
            "chapter (a start, end or turn of the blockade, the offensive or the exodus), event, arrivals (a cumulative "
            "count of people from Nagorno-Karabakh who had entered Armenia) or departure (the people of a place left).",
        ),
        "chapter": Field("string", "For a chapter row: blockade, offensive or exodus."),
        "boundary": Field("string", "For a chapter row: start, end or turn (a turning point within the chapter)."),
        "communities": Field("string", "For a departure row: the communities (communities.id) whose people left. " + LIST),
        "event": Field("string", "What happened, as the sources say it."),
        "figure": Field("number", "The number the row reports, in unit."),
        "unit": Field("string", "What figure counts."),
        "source": Field("string", "The pages the row comes from (canonical addresses). " + LIST),
    },
    "observations": {
        "kind": Field("string", "observation (a site's status at a date) or review (a second analyst's decision)."),
        "site_id": Field("string", "The heritage site observed (heritage_sites.id)."),
        "status": Field("string", "The status the evidence shows: destroyed, damaged, threatened, intact, unknown."),
        "observed_on": Field("string", "Date of the evidence (the imagery or the visit), or a window. " + PARTIAL_DATE),
        "reported_on": Field("string", "Date the finding was published. " + PARTIAL_DATE),
        "recorded_at": Field("datetime", "When the record was written to the log (UTC)."),
        "of": Field("string", "For a review: the observation it decides."),
        "decision": Field("string", "For a review: confirm or reject."),
        "origin": Field("string", "published (transcribed from a monitor's or outlet's publication) or monitor (recorded here)."),
        "published_by": Field("string", "Who published the finding."),
        "basis": Field("string", "What the finding rests on: monitor-imagery-analysis or reports."),
        "monitor_before": Field("string", "The before image's date as the monitor gives it. " + PARTIAL_DATE),
        "monitor_after": Field("string", "The after image's date as the monitor gives it. " + PARTIAL_DATE),
        "before_scene": Field("string", "Imagery catalog id of the before scene."),
        "after_scene": Field("string", "Imagery catalog id of the after scene."),
        "evidence": Field("string", "The evidence: web addresses, or files with their SHA-256. " + LIST),
        "supersedes": Field("string", "The earlier observation this one corrects."),
        "note_sources": Field("string", "Pages the note mentions (canonical addresses). " + LIST),
        "visibility": Field("string", "public in every public export."),
    },
}

READER_ORDER: tuple[str, ...] = (
    "id",
    "name",
    "name_hy",
    "name_az",
    "name_ru",
    "kind",
    "site_id",
    "status",
    "status_date",
    "status_reported_on",
    "observed_on",
    "reported_on",
    "verdict",
    "lat",
    "lon",
)
"""The columns a reader looks for first, in this order; the rest follow alphabetically, sources last."""

LAST: tuple[str, ...] = ("sources", "geometry_wkt")

PUBLIC_EXCLUDED: frozenset[str] = frozenset({"hash", "prev_hash", "analyst", "contact", "read_via", "read_on"})
"""Never in a public export: the log's chain hashes (internal traces), analysts' names and contacts, and the
copies a value was read on (how it was read, not what it cites)."""


def field(table: str, name: str) -> Field | None:
    """The dictionary entry of column `name` in `table`, or None when it has none."""
    return TABLES.get(table, {}).get(name) or COMMON.get(name)


def reader_order(columns: list[str]) -> list[str]:
    """`columns` in the order a reader wants them: `READER_ORDER`, the rest sorted, then `LAST`."""
    first = [c for c in READER_ORDER if c in columns]
    last = [c for c in LAST if c in columns]
    rest = sorted(c for c in columns if c not in first and c not in last)
    return first + rest + last
