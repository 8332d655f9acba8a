"""What every public output says about itself: the title, what the map shows, and whom it credits.

One place for the maps, the site and embed pages, the picture export and the
data exports, so a credit is never given in one and forgotten in another.
"""

from __future__ import annotations

from geo.i18n import N_, IsoDate, Message, message

TITLE = N_("Nagorno-Karabakh heritage map")
ABOUT = N_(
    "Armenian communities of Nagorno-Karabakh in August 2023, the Lachin corridor routes, "
    "and heritage sites with the status documented by monitors. Each status is backed by a cited "
    "observation with evidence and says what the evidence is: imagery here (a before/after satellite pair this map "
    "holds covers the site), imagery analysis by the monitor (its published finding compared satellite images), or "
    "reported (press, officials, photographs, video, testimony). "
    "Points marked approximate stand for a settlement, not the site."
)
DATA_CREDITS: list[dict[str, str]] = [
    {
        "text": N_("Heritage statuses: Caucasus Heritage Watch (Cornell University / Purdue University)"),
        "url": "https://caucasusheritage.cornell.edu/",
    },
    {"text": N_("Heritage alerts: Monument Watch"), "url": "https://monumentwatch.org/"},
    {
        "text": N_("Places, coordinates and populations: Wikipedia contributors (CC BY-SA 4.0)"),
        "url": "https://www.wikipedia.org/",
    },
    {
        "text": N_("Populations: also the 2005 NKR census as tabulated by pop-stat.mashke.org"),
        "url": "http://pop-stat.mashke.org/nkr-census.htm",
    },
    {"text": N_("Every source of every feature: data/SOURCES.md"), "url": "data/SOURCES.md"},
]
INVENTORY_MONITORS = frozenset({"Caucasus Heritage Watch (CHW)", "Monument Watch (YSU)"})
"""The monitors whose own totals the map sets its inventory beside (officials' and press figures stay in SOURCES.md)."""
BORDERS_SOURCE = {
    "text": N_(
        "Borders and country names: Natural Earth 1:10m Admin 0 – Countries 4.1.0 (public domain), "
        "as TopoJSON from the npm package world-atlas 2.0.2"
    ),
    "url": "https://www.naturalearthdata.com/downloads/10m-cultural-vectors/10m-admin-0-countries/",
}
"""The source of the geography layer (`geo.context`), credited wherever it is drawn."""
TILE_CREDITS = {
    "osm": {"text": N_("Basemap © OpenStreetMap contributors (ODbL)"), "url": "https://www.openstreetmap.org/copyright"},
    "satellite": {
        "text": N_("Satellite basemap © Esri, Maxar, Earthstar Geographics and the GIS User Community"),
        "url": "https://www.esri.com/",
    },
}
DEK = N_(
    "Armenian communities in August 2023, the Lachin corridor, and heritage sites monitors found destroyed, "
    "damaged or threatened, each with its evidence."
)
"""The one line under the overview's title."""
TIMELINE_TITLE = N_("Timeline · {title}")
TIMELINE_DEK = N_("The blockade, the exodus and the heritage sites' documented statuses, as they stood on the day you choose.")
"""The one line under the timeline's title."""
SITE_DESCRIPTION = "{status}, {when}. Evidence: {evidence}. {about}."
"""What a link to a site's story previews (its description and OpenGraph tags): the status and its evidence."""
SITE_DESCRIPTION_UNKNOWN = "Status unknown: {reason}. {about}."
"""The preview of a site's story when no status is shown, and why."""

CREDIT_SOURCES = N_(
    "Statuses: Caucasus Heritage Watch, Monument Watch and the sources cited; "
    "places: Wikipedia contributors (CC BY-SA); borders: Natural Earth."
)
"""Whom an embed or a site page credits when the build draws no basemap (`--tiles none`)."""
CREDIT_SOURCES_BASEMAP = N_(
    "Statuses: Caucasus Heritage Watch, Monument Watch and the sources cited; "
    "places: Wikipedia contributors (CC BY-SA); borders: Natural Earth; basemap: {basemap}."
)
"""Whom an embed or a site page credits, naming the basemap the build shows first."""
BASEMAP_NAMES = {
    "osm": N_("© OpenStreetMap contributors"),
    "satellite": N_(
        "© Esri, Maxar, Earthstar Geographics and the GIS User Community (overview map: © OpenStreetMap contributors)"
    ),
}
CREDIT_LINE = N_("{title}, data as of {as_of}. {sources}")
"""The line under an embedded map or site story: the title, the data's date and whom it credits."""


def credit_sources(tiles: str) -> str:
    """Whom a page credits for a build drawing `tiles` (`osm`, `satellite` or `none`)."""
    if tiles in BASEMAP_NAMES:
        return CREDIT_SOURCES_BASEMAP.format(basemap=BASEMAP_NAMES[tiles])
    return CREDIT_SOURCES


def credit_sources_message(tiles: str) -> Message:
    """`credit_sources` as a message, translated where it is shown."""
    if tiles in BASEMAP_NAMES:
        return message(CREDIT_SOURCES_BASEMAP, basemap=message(BASEMAP_NAMES[tiles]))
    return message(CREDIT_SOURCES)


def credit_line(tiles: str, as_of: str) -> str:
    """The credit line of an embed for a build drawing `tiles`, with the data's date `as_of`."""
    return str(credit_message(tiles, as_of))


def credit_message(tiles: str, as_of: str | None) -> Message:
    """`credit_line` as a message: the date (an ISO date, or the embed page's placeholder for it) is a value."""
    date: object = IsoDate(as_of) if as_of and as_of[:1].isdigit() else (as_of or message(NO_DATE))
    return message(CREDIT_LINE, title=message(TITLE), as_of=date, sources=credit_sources_message(tiles))


AS_OF = "Data as of {as_of}."
NO_DATE = N_("not stated")
"""What stands for the as-of date of a log with no dated public evidence."""
