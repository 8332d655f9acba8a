"""What every public output says about itself: the title, what the map shows, and whom it credits.

One place for the maps, the site and embed pages, the picture export and the
data exports, so a credit is never given in one and forgotten in another.
"""

from __future__ import annotations

TITLE = "Nagorno-Karabakh heritage map"
ABOUT = (
    "Armenian communities of Nagorno-Karabakh in August 2023, the Lachin corridor routes, "
    "and heritage sites with the status documented by monitors. Each status is backed by a cited "
    "observation with evidence and says what the evidence is: imagery here (a before/after satellite pair this map "
    "holds covers the site), imagery analysis by the monitor (its published finding compared satellite images), or "
    "reported (press, officials, photographs, video, testimony). "
    "Points marked approximate stand for a settlement, not the site."
)
DATA_CREDITS: list[dict[str, str]] = [
    {
        "text": "Heritage statuses: Caucasus Heritage Watch (Cornell University / Purdue University)",
        "url": "https://caucasusheritage.cornell.edu/",
    },
    {"text": "Heritage alerts: Monument Watch", "url": "https://monumentwatch.org/"},
    {
        "text": (
            "Places, coordinates and populations: Wikipedia contributors (CC BY-SA 4.0) "
            "and the 2005 NKR census as tabulated by pop-stat.mashke.org"
        ),
        "url": "http://pop-stat.mashke.org/nkr-census.htm",
    },
    {"text": "Every source of every feature: data/SOURCES.md", "url": "data/SOURCES.md"},
]
INVENTORY_MONITORS = frozenset({"Caucasus Heritage Watch (CHW)", "Monument Watch (YSU)"})
"""The monitors whose own totals the map sets its inventory beside (officials' and press figures stay in SOURCES.md)."""
TILE_CREDITS = {
    "osm": {"text": "Basemap © OpenStreetMap contributors (ODbL)", "url": "https://www.openstreetmap.org/copyright"},
    "satellite": {
        "text": "Satellite basemap © Esri, Maxar, Earthstar Geographics and the GIS User Community",
        "url": "https://www.esri.com/",
    },
}
CREDIT_LINE = (
    "Nagorno-Karabakh heritage map. Statuses: Caucasus Heritage Watch, Monument Watch and the sources cited; "
    "places: Wikipedia contributors (CC BY-SA); basemap © OpenStreetMap contributors."
)
"""The line under an embedded map or site story."""
