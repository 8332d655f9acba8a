"""Derive the default layers of `data/layers/` from the sourced CSVs of `data/reference/`.

Run `.venv/bin/python data/derive_layers.py` from the repository root. The
same inputs always give the same bytes, so a diff of `data/layers/` shows only
what a change to the reference actually changed.

Every value is copied from a reference row together with its source URL.
Where a row has no coordinate the feature keeps `"geometry": null` and says in
`unlocated_note` why. A later source can add a coordinate through
`found_coordinates.csv`, `gaps_communities.csv` or `gaps_heritage.csv`.

The free text the derivation makes from the reference is the compiler's research
notes; what the layers and the log carry is the public text written for each note
in `public_text.csv` (`with_public_text`; docs/coding-rules.md, "Public text").
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pystac

from geo import citations
from geo import timeline as story
from geo._canonical import GENESIS, canonical_json, record_hash
from geo.errors import LayerError
from geo.schema import BASES, COORD_PRECISIONS, STATUSES
from geo.schema import SITE_TYPES as TYPE_VOCABULARY

HERE = Path(__file__).resolve().parent
TRANSCRIBED_AT = "2026-12-05T00:00:00Z"
"""When the published findings were re-transcribed into the log with canonical citations (the same for every
record). The first transcription, of 2026-11-21, is kept verbatim as `data/reference/observations_2026-11-21.jsonl`."""
SUPERSEDED_LOG = "observations_2026-11-21.jsonl"
VERIFICATION = "verification"
ADDED_SITE_PREFIX = "nk1"
"""A candidate row `cand-NN` that holds becomes site `nk1NN`: the id says which row of the candidates it was."""

COMMUNITY_FILES = (
    "communities_askeran_stepanakert_shushi.csv",
    "communities_askeran_stepanakert_shushi_lost2020.csv",
    "communities_martakert.csv",
    "communities_martuni.csv",
    "communities_supplement.csv",
)
HERITAGE_FILES = ("heritage_sites.csv", "heritage_sites_supplement.csv")

# --- communities ------------------------------------------------------------

PART_OF = {
    # settlement id: (community id, the reference's words saying so)
    "kyatuk": ("askeran", "part of the Askeran urban community (fr.wikipedia, Askeran region)"),
    "dahraz": ("sarnaghbyur", "part of the Sarnaghbyur community (en.wikipedia, Sarnaghbyur)"),
    "aranzamin": ("vardadzor", "attached to the Vardadzor community (it.wikipedia, Vardadzor)"),
    "skhtorashen": ("karmir-shuka", "a settlement within the Karmir Shuka community (en.wikipedia)"),
}
"""Settlements a source places inside another community: they do not count toward 107."""

NOT_A_107_COMMUNITY = {
    "aknaberd": "Shahumyan Province under the NKR, not one of the 107",
    "charektar": "Shahumyan Province under the NKR, not one of the 107",
}

EXCLUDED_COMMUNITIES = {
    "paravatumb": "listed only in the 2004 Rediscovering Armenia village list for Martuni; no source gives its "
    "community status or whether it was held after 2020, so it has no held_until and is left out of the layer",
}

COMMUNITY_COORD_NOTES = {
    "norshen": ("approximate", "the only source gives arc-minute precision (39°48′N 47°00′E)"),
    "aygestan": ("settlement", "en-wiki value; ru-wiki mirror gives 39°52′00″N 46°45′00″E, about 2 km away"),
    "chartar": ("settlement", "en-wiki mirror value; ru and it wikis differ by 1-2 km"),
    "taghavard": ("settlement", "en-wiki value for the village; ru and it wikis differ by 1-2 km"),
    "drmbon": ("settlement", "en-wiki value; ru-wiki mirrors are about 0.6 km off"),
    "verin-horatagh": ("settlement", "from a Russian Wikipedia mirror only; no second source seen"),
    "nor-ghazanchi": ("settlement", "from a Russian Wikipedia mirror (Syrkhavend) only"),
    "mataghis": ("settlement", "en and it wikis agree; another en-wiki copy gives 40.33139, 46.72944"),
}

PROVINCE_METHOD = {
    "Askeran": "Wikipedia and its mirrors (en, then it and ru), then armeniapedia map tags",
    "Shushi": "Wikipedia and its mirrors (en, then it and ru, hy infobox), then armeniapedia map tags",
    "Stepanakert (city)": "Wikipedia and its mirrors",
    "Martakert": "the village's own page on English Wikipedia, its mirrors and Kiwix snapshots, then ru, hy, fr "
    "and it Wikipedia mirrors",
    "Martuni": "Wikipedia infoboxes in en, ru, hy, fr, it and de, read through mirrors, and the Rediscovering Armenia guidebook",
}
LATER_SEARCH = "a further search of stored web copies for the held settlements found none either (issue 3)"

COMMUNITY_UNLOCATED = {
    "khnkavan": "No coordinate was found in the search that identified the community (reconciliation_107.md)",
    "chldran": "A point was read only on a machine-translated copy of a Wikipedia article whose page could not be "
    "identified (listed in cited_copies.csv); it is not used until that page is found",
}
"""Rows searched differently from the rest of their province."""

W_LONGITUDE = re.compile(r"°W")
PART_OF_NOTE = re.compile(r"^part of ([a-z0-9][a-z0-9_-]*):")
NO_COORDS_PREFIX = re.compile(r"^NO SOURCED COORDS FOUND(?: \([^)]*\))?;\s*")

# --- heritage sites ---------------------------------------------------------

SITE_TYPES = {
    "church": "church",
    "church (cathedral)": "church",
    "church (ruin/foundations)": "church",
    "church (basilica)": "church",
    "monastery": "monastery",
    "monastery (basilica)": "monastery",
    "cemetery": "cemetery",
    "cemetery / memorial": "cemetery",
    "memorial": "memorial",
    "memorial (spring monument)": "memorial",
    "memorial / khachkar": "memorial",
    "monument": "monument",
    "khachkars / church ruin": "khachkar",
    "bridge": "bridge",
    "village / settlement": "village",
    "school ruin with spolia": "civic",
    "public building": "civic",
    "historic urban quarter": "other",
    "archaeological site / museum": "archaeological",
    "mosque": "mosque",
}
"""The reference's free-text types mapped onto the schema's vocabulary; the original stays in type_detail."""

SITE_PRECISION = {
    "nk008": "approximate",
    "nk043": "approximate",
    **{
        site: "settlement"
        for site in (
            "nk010",
            "nk012",
            "nk013",
            "nk014",
            "nk015",
            "nk017",
            "nk018",
            "nk019",
            "nk023",
            "nk025",
            "nk033",
            "nk035",
            "nk038",
            "nk040",
            "nk046",
        )
    },
}
"""Rows whose reference point stands for the village, town or square, not the object (their summary says so)."""

COORD_SENTENCE = re.compile(r"Coordinates (?:=|are|:)(?:[^.]|\.(?=\d))*\.?")

CHW = "Caucasus Heritage Watch"
PUBLISHED_BY = {
    "nk001": "media reports (Azatutyun, Armenpress, Caucasian Knot); Wikipedia",
    "nk002": CHW,
    "nk003": CHW,
    "nk004": CHW,
    "nk005": CHW,
    "nk006": CHW,
    "nk007": CHW,
    "nk008": "News.am (Artsakh ministry statement, aerial images)",
    "nk009": "Monument Watch",
    "nk010": CHW,
    "nk011": "azeriwarcrimes.org (advocacy source)",
    "nk012": CHW,
    "nk013": CHW,
    "nk014": CHW,
    "nk015": CHW,
    "nk016": CHW,
    "nk017": "Karabakh Records (via Public Radio of Armenia)",
    "nk018": CHW,
    "nk019": CHW,
    "nk020": "Monument Watch",
    "nk021": CHW,
    "nk022": "media reports (Abaka News, OCP Society, Hyetert)",
    "nk023": "Monument Watch",
    "nk024": "Monument Watch",
    "nk025": CHW,
    "nk026": CHW,
    "nk027": "no condition assessment (Wikipedia, PanARMENIAN, News.am, Monument Watch)",
    "nk028": "no condition assessment (Mediamax, Wikipedia)",
    "nk029": "no condition assessment (PanARMENIAN, Asbarez, Monument Watch, News.am)",
    "nk030": "conflicting reports (Western Armenia TV citing the LUYS Foundation; christianophobie.fr)",
    "nk031": "Monument Watch",
    "nk032": "Monument Watch",
    "nk033": "Artsakh State Service for Protection of the Historical Environment (via Public Radio of Armenia)",
    "nk034": "Monument Watch",
    "nk035": CHW,
    "nk036": CHW,
    "nk037": CHW,
    "nk038": CHW,
    "nk039": CHW,
    "nk040": "Armenian MoESCS Research Center (via Public Radio of Armenia)",
    "nk041": CHW,
    "nk042": CHW,
    "nk043": "Artsakh parliament statement (via intellinews, Mirror-Spectator)",
    "nk044": "Artsakh heritage council and parliament statements (via Panorama, Hyetert, Mirror-Spectator)",
    "nk045": "Monument Watch",
    "nk046": "S. Shahverdyan, former Artsakh culture minister (via Mirror-Spectator, Massis Post)",
    "nk047": "Mirror-Spectator (video of Nov 2025)",
    "nk048": "EVN Report photograph by K. Krivosheev (via Mirror-Spectator)",
    "aygek_mosque": CHW,
}
"""Who published each finding, as the reference's event summary says."""

SITE_UNLOCATED = {
    "nk007": "CHW gives only its site code SH.005-0 in the Shushi region; no name or coordinates in the "
    "report excerpts read, and it may duplicate another Shushi cemetery",
    "nk036": "no coordinates in CHW (?p=1669, 'Garababa, Zangilan') or Monument Watch ('21 km N of Kovsakan', "
    "Kashatagh); the two disagree on the district",
    "nk037": "CHW code LN.177-0 'near Vazgenashen/Hajisamly': Vazgenashen is in Martuni and Hajisamly in Lachin, "
    "so not even the settlement can be chosen",
    "nk039": "no coordinates for the school or for Chragh/Chirag village in the sources read (CHW ?p=1630, "
    "Public Radio of Armenia)",
    "nk042": "CHW Report #7 names only 'Ghuze T'agh cemetery near Aknaghbyur'; Aknaghbyur (Askeran) itself has "
    "no sourced coordinate",
    "aygek_mosque": "no coordinates in the CHW finding as reported (301.am, The California Courier) nor in the "
    "ombudsman's statement",
}

# --- routes -----------------------------------------------------------------


@dataclass(frozen=True)
class RouteFacts:
    """What the route texts (routes.md and the URLs the reference gives for them) state."""

    kind: str
    active_from: str
    active_to: str | None
    sources: tuple[str, ...]
    note: str


ROUTES = {
    "r1_old_lachin_highway": RouteFacts(
        "corridor",
        "2020-11-10",
        "2022-08-30",
        (
            "https://arminfo.info/full_news.php?id=86593&lang=3",
            "https://massispost.com/2022/08/starting-august-30-artsakh-armenia-connection-to-be-carried-out-through-new-road-bypassing-lachin/",
            "https://news.am/eng/news/752212.html",
            "https://kiwix.lema.org/wikipedia_en_all_mini_2024-02/A/Lachin_corridor",
            "https://en.armradio.am/2022/12/13/goris-stepanakert-road-artsakhs-lifeline-blocked-for-13-hours/",
        ),
        "The Lachin corridor road under the 10 Nov 2020 statement, until traffic moved to the bypass at 20:00 on 30 Aug 2022.",
    ),
    "r2_bypass_2022": RouteFacts(
        "bypass",
        "2022-08-30",
        "2023-03-31",
        (
            "https://massispost.com/2022/08/starting-august-30-artsakh-armenia-connection-to-be-carried-out-through-new-road-bypassing-lachin/",
            "https://interfax.com/newsroom/top-stories/82136/",
            "https://armenianclub.com/2022/08/23/civilnet-three-days-left-till-armenia-hands-over-lachin-and-aghavno-to-azerbaijan/amp",
            "https://turan.az/en/politics/armenians-cautiously-follow-the-construction-of-a-new-road-to-karabakh",
            "https://news.am/eng/news/752212.html",
        ),
        "Kanach Tala - Mets Shen - Hin Shen - Hakari bridge, then a temporary 4.5-4.7 km section joining the "
        "Aghavno-Tegh road about 3 km from Aghavno; closed between Aghavno and Tegh on 30 Mar 2023.",
    ),
    "r3_kornidzor_route_2023": RouteFacts(
        "corridor",
        "2023-04-01",
        None,
        (
            "https://news.am/eng/news/752212.html",
            "https://news.am/eng/news/755850.html",
            "https://asbarez.com/azerbaijani-forces-block-goris-stepanakert-highway/",
            "https://menafn.com/1107080993/More-People-Of-Armenian-Origin-Leave-Azerbaijans-Karabakh-Photo",
            "https://news.am/eng/news/784308.html",
        ),
        "From 1 Apr 2023 via the Tegh-Kornidzor road; Azerbaijani checkpoint at the Hakari bridge from "
        "23 Apr 2023; the road of the Sept-Oct 2023 exodus. End of use not stated in the sources.",
    ),
    "r4_goris_vayk_onward": RouteFacts(
        "evacuation",
        "2023-09",
        None,
        ("https://zona.media/translate/2023/09/29/karabakh",),
        "Goris and Vayk had refugee registration centres (Mediazona). The Yerevan end is not drawn: no coordinate was looked up.",
    ),
    "r5_aghdam_road": RouteFacts(
        "road",
        "2023-09-18",
        None,
        (
            "https://turan.az/en/politics/the-icrc-delivered-humanitarian-aid-to-karabakh-armenians-through-lachin-and-aghdam-769453",
            "https://horizonweekly.ca/en/russian-aid-to-be-delivered-to-nagorno-karabakh-through-askeran-lachin-corridor-to-be-opened-for-humanitarian-goods/",
        ),
        "Aid route only (ICRC, 18 Sep 2023; Russian Red Cross via Askeran). No source shows evacuees using it.",
    ),
    "r6_martakert_convoy": RouteFacts(
        "evacuation",
        "2023-09-24",
        "2023-09-24",
        ("https://azatutyun.am/amp/32608277.html",),
        "Martakert's population left for Stepanakert in a convoy of about 1,000 vehicles on the night of "
        "24 Sep 2023; the road path is not sourced, so the line is a straight link.",
    ),
}

# --- places -----------------------------------------------------------------

PLACE_PRECISION = {
    "stepanakert_airport": ("site", None),
    "blockade_site_shusha_dashalty": (
        "approximate",
        "the location chosen by the Wikipedia article's infobox, not a surveyed position",
    ),
    "lachin_corridor_label": ("approximate", "the Lachin corridor article's coordinate; a label anchor only"),
    "kornidzor": ("settlement", "village coordinate, not the humanitarian station or the border post"),
    "goris_reception": ("settlement", "town coordinate, not the reception centre"),
    "vayk_reception": ("settlement", "town coordinate, not the registration centre"),
    "berkadzor_fuel_depot": ("settlement", "Berkadzor village coordinate, not the depot"),
}
"""Places whose point is not simply the centre of the town or village they name."""

TOWN_NOTE = "the point is the settlement's centre as a Wikipedia infobox (or a mirror of it) gives it"

PLACE_UNLOCATED = {
    "hakari_bridge_checkpoint": "no coordinate in any stored source; they place it at the Hakari bridge (about 140 m "
    "long, at km 22 of the 32-km road, about 10 km south of Lachin town in a straight line, visible from Kornidzor)",
    "russian_pk_base": "no coordinate for the base itself; sources say only 'the location of the peacekeeping "
    "contingent' near the airport, and that the command post was in Stepanakert (Nov 2020); not put on the "
    "airport point",
    "parliament_stepanakert": "no coordinate; sources say only 'central square of the capital' (heritage site nk043 "
    "uses the Renaissance Square point, marked approximate)",
}

# --- output -----------------------------------------------------------------

GEOJSON_LAYERS = ("communities", "heritage_sites", "routes", "places")


def read_rows(path: Path) -> list[dict[str, str]]:
    """The rows of a reference CSV, values stripped; an empty cell stays ''."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]


def split_urls(text: str) -> list[str]:
    """The URLs of a reference list cell (separated by ' ; ' or ' | '), in order, without repeats."""
    urls = [part.strip() for part in re.split(r" [;|] ", text) if part.strip()]
    return list(dict.fromkeys(urls))


# --- citations --------------------------------------------------------------


@dataclass(frozen=True)
class Citations:
    """Where each citation was read (`read_via.csv`), originals found by hand and copies kept as the citation.

    Every reference citation is the canonical page; `cite` checks that, so a copy's address added to the
    reference later fails the derivation instead of reaching a layer.
    """

    read_via: dict[tuple[str, str], list[dict[str, Any]]]
    originals: dict[str, str]
    copies: dict[str, dict[str, str]]

    def cite(self, url: str, where: str) -> tuple[str, dict[str, Any] | None]:
        """(the address to cite, the read-via entry when `url` is a copy whose page is known)."""
        found = citations.canonical(url, self.originals)
        if not found.is_copy or url in self.copies:
            return url, None
        if found.url is None:
            raise LayerError(
                f"{where}: {url!r} is {found.describe()} whose original is not known; fix: cite the original page "
                "(record the copy in read_via.csv), or list the copy in cited_copies.csv"
            )
        return found.url, via_entry(found.url, url, found.snapshot)

    def entries(self, file: str, fid: str) -> list[dict[str, Any]]:
        return list(self.read_via.get((file, fid), []))


def via_entry(url: str, copy: str, snapshot: str | None) -> dict[str, Any]:
    """One `read_via` item: the page cited, the copy it was read on, and the copy's snapshot date when known."""
    entry: dict[str, Any] = {"url": url, "copy": copy}
    if snapshot:
        entry["snapshot"] = snapshot
    return entry


def citation_tables(reference_dir: Path) -> Citations:
    read_via: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in read_rows(reference_dir / "read_via.csv"):
        entry = via_entry(row["url"], row["read_via"], row["snapshot"] or None)
        if entry not in read_via[(row["file"], row["id"])]:
            read_via[(row["file"], row["id"])].append(entry)
    originals = {row["copy"]: row["original"] for row in read_rows(reference_dir / "citation_originals.csv")}
    copies = {row["url"]: row for row in read_rows(reference_dir / "cited_copies.csv")}
    return Citations(dict(read_via), originals, copies)


def attach_read_via(features: list[dict[str, Any]], cites: Citations, files: tuple[str, ...]) -> list[dict[str, Any]]:
    """Give each feature `read_via`: the copies its citations were read on, from the rows of `files` with its id."""
    for f in features:
        props = f["properties"]
        fid = props["id"]
        entries = [e for name in files for key in dict.fromkeys((fid, fid.upper())) for e in cites.entries(name, key)]
        cited = set(props.get("sources") or ()) | {props.get("coord_source")}
        unique = {json.dumps(e, sort_keys=True): e for e in entries if e["url"] in cited}
        if unique:
            props["read_via"] = list(unique.values())
    return features


def integer(text: str) -> int | None:
    return int(text) if text else None


def point(lat: float, lon: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [lon, lat]}


def feature(geometry: dict[str, Any] | None, properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "geometry": geometry, "properties": properties}


@dataclass(frozen=True)
class FoundPoint:
    """A coordinate found after the reference was compiled, with its own source."""

    lat: float | None
    lon: float | None
    precision: str
    source: str
    note: str
    name_az: str | None
    origin: str
    part_of: str | None = None
    """For a row without lat/lon: the community the source places the settlement in."""
    note_sources: tuple[str, ...] = ()
    """Pages the note mentions (their addresses are kept here, not in the note's text)."""


def found_points(reference_dir: Path) -> dict[tuple[str, str], FoundPoint]:
    """Later coordinates keyed by (layer, lowercase id); found_coordinates.csv wins over the gaps files."""
    found: dict[tuple[str, str], FoundPoint] = {}
    gaps_c = reference_dir / "gaps_communities.csv"
    for row in read_rows(gaps_c) if gaps_c.exists() else []:
        found[("communities", row["id"].lower())] = FoundPoint(
            float(row["lat"]),
            float(row["lon"]),
            "settlement",
            row["coord_source_url"],
            row["note"],
            row["name_az"] or None,
            gaps_c.name,
        )
    gaps_h = reference_dir / "gaps_heritage.csv"
    for row in read_rows(gaps_h) if gaps_h.exists() else []:
        found[("heritage_sites", row["id"].lower())] = FoundPoint(
            float(row["lat"]),
            float(row["lon"]),
            row["coord_precision"],
            row["coord_source_url"],
            row["note"],
            None,
            gaps_h.name,
            note_sources=tuple(split_urls(row.get("note_sources", ""))),
        )
    later = reference_dir / "found_coordinates.csv"
    for index, row in enumerate(read_rows(later) if later.exists() else [], start=2):
        layer, fid = row.get("layer", ""), row.get("id", "").lower()
        if layer not in ("communities", "heritage_sites"):
            raise LayerError(f"{later}: line {index}: field 'layer' is {layer!r}; fix: use communities or heritage_sites")
        if row.get("coord_precision") not in COORD_PRECISIONS:
            raise LayerError(
                f"{later}: line {index}: {fid}: field 'coord_precision' is {row.get('coord_precision')!r}; "
                f"fix: use one of {', '.join(COORD_PRECISIONS)}"
            )
        if not row.get("coord_source_url"):
            raise LayerError(
                f"{later}: line {index}: {fid}: field 'coord_source_url' is empty; fix: cite the page the point came from"
            )
        part_of = PART_OF_NOTE.match(row.get("note", ""))
        if (
            not row.get("lat")
            and not row.get("lon")
            and layer == "communities"
            and part_of
            and row["coord_precision"] == "community"
        ):
            found[(layer, fid)] = FoundPoint(
                None,
                None,
                "community",
                row["coord_source_url"],
                row.get("note", ""),
                row.get("name_az") or None,
                later.name,
                part_of.group(1),
            )
            continue
        try:
            lat, lon = float(row["lat"]), float(row["lon"])
        except (KeyError, TypeError, ValueError):
            raise LayerError(
                f"{later}: line {index}: {fid}: lat/lon {row.get('lat')!r}, {row.get('lon')!r} are not "
                "numbers; fix: give decimal degrees, or leave both empty with coord_precision community "
                "and a note starting 'part of <community id>:'"
            ) from None
        found[(layer, fid)] = FoundPoint(
            lat,
            lon,
            row["coord_precision"],
            row["coord_source_url"],
            row.get("note", ""),
            row.get("name_az") or None,
            later.name,
            note_sources=tuple(split_urls(row.get("note_sources", ""))),
        )
    return found


RESIDENT_FINDINGS = {"residents-2023": "sourced", "exodus-2023": "sourced", "doubt": "in doubt", "not-found": "not found"}
"""`communities_2023.csv` findings: a source places Armenian residents there in 2023 (living there, or leaving in the
September 2023 exodus), a source casts doubt on it, or no source was found."""


@dataclass(frozen=True)
class Residents:
    """Whether a source places Armenian residents in a community in 2023, and which."""

    state: str
    sources: tuple[str, ...]
    via: tuple[dict[str, Any], ...]


RESIDENT_FILES = ("communities_2023.csv", "communities_2023_second.csv")
"""The two research passes looking for a 2023 source per community (the second aimed at the first's gaps)."""


def residents_2023(reference_dir: Path, cites: Citations) -> dict[str, Residents]:
    rows: dict[str, list[dict[str, str]]] = defaultdict(list)
    for name in RESIDENT_FILES:
        path = reference_dir / VERIFICATION / name
        for row in read_rows(path) if path.exists() else []:
            if row["finding"] not in RESIDENT_FINDINGS:
                raise LayerError(
                    f"{path}: {row['id']}: field 'finding' is {row['finding']!r}; fix: use one of {sorted(RESIDENT_FINDINGS)}"
                )
            rows[row["id"]].append(row)
    found = {}
    for fid, checks in rows.items():
        states = {RESIDENT_FINDINGS[c["finding"]] for c in checks}
        state = next(s for s in ("sourced", "in doubt", "not found") if s in states)
        sourced = [c for c in checks if RESIDENT_FINDINGS[c["finding"]] == "sourced" and c["url"]]
        urls = tuple(dict.fromkeys(cites.cite(c["url"], f"communities_2023.csv: {fid}")[0] for c in sourced))
        via = tuple(via_entry(c["url"], c["read_via"], None) for c in sourced if c["read_via"])
        found[fid] = Residents(state, urls, via)
    return found


def community_features(
    reference_dir: Path, found: dict[tuple[str, str], FoundPoint], residents: dict[str, Residents] | None = None
) -> list[dict[str, Any]]:
    """One Point (or null) feature per reference settlement, in file order."""
    rows = [row for name in COMMUNITY_FILES for row in read_rows(reference_dir / name)]
    points = {
        row["id"]: (float(row["lat"]), float(row["lon"]), row["coord_source_url"], row["name_hy_translit"])
        for row in rows
        if row["lat"] and row["lon"]
    }
    names = {row["id"]: row["name_hy_translit"] for row in rows}
    for (layer, fid), later in found.items():
        if layer == "communities" and later.lat is not None and later.lon is not None and fid in names:
            points[fid] = (later.lat, later.lon, later.source, names[fid])
    return [community_feature(row, points, found, residents or {}) for row in rows if row["id"] not in EXCLUDED_COMMUNITIES]


def community_part_of(fid: str, later: FoundPoint | None) -> tuple[str, str] | None:
    """The community a settlement belongs to and the words saying so, from the reference or a later source."""
    known = PART_OF.get(fid)
    if later and later.part_of:
        if known and known[0] != later.part_of:
            raise LayerError(
                f"found_coordinates.csv: {fid}: note says part of {later.part_of!r} but the reference says "
                f"{known[0]!r}; fix: check which community the sources name"
            )
        return later.part_of, f"{later.note} ({citations.label(later.source)})"
    return known


def community_feature(
    row: dict[str, str],
    points: dict[str, tuple[float, float, str, str]],
    found: dict[tuple[str, str], FoundPoint],
    residents: dict[str, Residents],
) -> dict[str, Any]:
    fid = row["id"]
    later = found.get(("communities", fid))
    part_of = community_part_of(fid, later)
    held = row["held_until"] == "2023-09" and part_of is None and fid not in NOT_A_107_COMMUNITY
    resident = residents.get(fid)
    # Counted toward the 107 only where a source places Armenian residents there in 2023 (issue 12).
    counts = held and resident is not None and resident.state == "sourced"
    props: dict[str, Any] = {
        "id": fid,
        "name": row["name_hy_translit"],
        "name_hy": row["name_hy"] or None,
        "name_az": row["name_az"] or None,
        "province": row["province"],
        "population": integer(row["population"]),
        "population_year": integer(row["population_year"]),
        "held_until": row["held_until"],
        "in_aug_2023": row["held_until"] == "2023-09",
        "part_of": part_of[0] if part_of else None,
        "counts_toward_107": counts,
        "note": row["status_note"],
        "sources": split_urls(row["source_url"]),
    }
    if held:
        props["residents_2023"] = resident.state if resident else "not checked"
        if resident and resident.sources:
            props["residents_2023_source"] = list(resident.sources)
            props["sources"].extend(u for u in resident.sources if u not in props["sources"])
    geometry = None
    if later and later.lat is not None and later.lon is not None:
        geometry = point(later.lat, later.lon)
        props.update(
            coord_source=later.source,
            coord_precision=later.precision,
            coord_note=f"found after the reference ({later.origin}): {later.note}",
        )
        props["name_az"] = props["name_az"] or later.name_az
        props["note"] = NO_COORDS_PREFIX.sub("", props["note"])
        props["sources"].extend(u for u in later.note_sources if u not in props["sources"])
    elif row["lat"] and row["lon"]:
        geometry = point(float(row["lat"]), float(row["lon"]))
        precision, note = COMMUNITY_COORD_NOTES.get(fid, ("settlement", None))
        props.update(coord_source=row["coord_source_url"], coord_precision=precision, coord_note=note)
        if W_LONGITUDE.search(row["status_note"]):
            props["coord_warning"] = (
                "the only source seen prints this longitude as °W, a known misprint of that "
                "mirror; recorded as east; needs a second source"
            )
    elif part_of and part_of[0] in points:
        lat, lon, source, parent_name = points[part_of[0]]
        geometry = point(lat, lon)
        props.update(
            coord_source=source,
            coord_precision="community",
            coord_note=f"shown at the point of {parent_name}: {part_of[1]}; no coordinate of its own was found",
        )
        if later and later.source not in props["sources"]:
            props["sources"].append(later.source)
    else:
        props["unlocated_note"] = community_unlocated_note(row)
    if geometry and props["coord_source"] not in props["sources"]:
        props["sources"].append(props["coord_source"])
    return feature(geometry, props)


def community_unlocated_note(row: dict[str, str]) -> str:
    if row["id"] in COMMUNITY_UNLOCATED:
        return COMMUNITY_UNLOCATED[row["id"]]
    method = PROVINCE_METHOD.get(row["province"], "Wikipedia and its mirrors")
    searched = f"No coordinate for {row['name_hy_translit']} in {method}"
    return f"{searched}; {LATER_SEARCH}." if row["held_until"] == "2023-09" else f"{searched}."


def site_rows(reference_dir: Path) -> list[dict[str, str]]:
    rows = []
    for name in HERITAGE_FILES:
        path = reference_dir / name
        if path.exists():
            rows.extend(read_rows(path))
    return rows


def site_feature(row: dict[str, str], found: dict[tuple[str, str], FoundPoint]) -> dict[str, Any]:
    fid = row["id"].lower()
    try:
        site_type = SITE_TYPES[row["type"]]
    except KeyError:
        raise LayerError(
            f"heritage_sites: {row['id']}: field 'type' is {row['type']!r}; fix: add it to SITE_TYPES in data/derive_layers.py"
        ) from None
    props: dict[str, Any] = {
        "id": fid,
        "name": row["name"],
        "name_hy": row["name_hy"] or None,
        "name_az": None,
        "type": site_type,
        "type_detail": row["type"],
        "period": row["period"] or None,
        "settlement": row["settlement"],
        "sources": split_urls(row["evidence_urls"]),
    }
    later = found.get(("heritage_sites", fid))
    geometry = None
    if later and later.lat is not None and later.lon is not None:
        geometry = point(later.lat, later.lon)
        props.update(
            coord_source=later.source,
            coord_precision=later.precision,
            coord_note=f"found after the reference ({later.origin}): {later.note}",
        )
        props["sources"].extend(u for u in later.note_sources if u not in props["sources"])
    elif row["lat"] and row["lon"]:
        geometry = point(float(row["lat"]), float(row["lon"]))
        sentence = COORD_SENTENCE.search(row["event_summary"])
        props.update(
            coord_source=row["coord_source_url"],
            coord_precision=SITE_PRECISION.get(fid, "site"),
            coord_note=sentence.group(0) if sentence else None,
        )
    else:
        props["unlocated_note"] = SITE_UNLOCATED.get(fid, "no coordinates in the sources read")
    if geometry and props["coord_source"] not in props["sources"]:
        props["sources"].append(props["coord_source"])
    return feature(geometry, props)


def candidate_features(verification: Verification, cites: Citations) -> list[dict[str, Any]]:
    """One feature per candidate the verification added (`candidate_sites_*.csv`), with id `nk1NN`.

    A site located only to its settlement shares the settlement's point and says so in `coord_note`.
    """
    features = []
    for candidate, row in sorted(verification.candidates.items()):
        verdict = verification.verdicts.get(candidate)
        if verdict is None or verdict["action"] != "add":
            raise LayerError(
                f"candidate_sites: {candidate}: no verdict 'add' for it; fix: add its verdict, or remove the feature row"
            )
        if row["type"] not in TYPE_VOCABULARY:
            raise LayerError(f"candidate_sites: {candidate}: field 'type' is {row['type']!r}; fix: use one of {TYPE_VOCABULARY}")
        compiled = verification.candidate_rows.get(candidate, {})
        sources = [cites.cite(u, f"verification: {candidate}")[0] for u in split_urls(verdict["evidence"])]
        props: dict[str, Any] = {
            "id": added_site_id(candidate),
            "name": row["name"],
            "name_hy": row["name_hy"] or None,
            "name_az": row["name_az"] or None,
            "name_ru": row["name_ru"] or None,
            "type": row["type"],
            "type_detail": compiled.get("type") or row["type"],
            "period": row["period"] or None,
            "settlement": row["settlement"],
            "sources": sources,
        }
        names = split_urls(row["names_source"])
        if names:
            props["names_sources"] = names
        via = [
            e
            for c in verification.checks.get(candidate, [])
            if c.get("read_via")
            for e in [via_entry(c["url"], c["read_via"], None)]
        ]
        geometry = None
        if row["lat"] and row["lon"]:
            if row["coord_precision"] not in COORD_PRECISIONS:
                raise LayerError(
                    f"candidate_sites: {candidate}: field 'coord_precision' is {row['coord_precision']!r}; "
                    f"fix: use one of {', '.join(COORD_PRECISIONS)}"
                )
            geometry = point(float(row["lat"]), float(row["lon"]))
            coord_source = cites.cite(row["coord_source"], f"candidate_sites: {candidate}: coord_source")[0]
            props.update(coord_source=coord_source, coord_precision=row["coord_precision"])
            if row["coord_precision"] == "settlement":
                props["coord_note"] = (
                    f"located only to its settlement: the point is {row['settlement']}'s, not the site's, "
                    "and other sites there share it"
                )
            if coord_source not in props["sources"]:
                props["sources"].append(coord_source)
            if row["coord_read_via"]:
                via.append(via_entry(coord_source, row["coord_read_via"], None))
        else:
            props["unlocated_note"] = "no source read locates the site or gives a usable point (verification 2026-12)"
        unique = {json.dumps(e, sort_keys=True): e for e in via if e["url"] in props["sources"]}
        if unique:
            props["read_via"] = list(unique.values())
        features.append(feature(geometry, props))
    return features


NAME_LANGUAGES = ("hy", "az", "ru")


def read_names(reference_dir: Path, name: str, key: str) -> dict[str, dict[str, str]]:
    path = reference_dir / VERIFICATION / name
    return {row[key]: row for row in read_rows(path)} if path.exists() else {}


def with_site_names(features: list[dict[str, Any]], names: dict[str, dict[str, str]], cites: Citations) -> list[dict[str, Any]]:
    """Each site's names in Armenian, Azerbaijani and Russian, each with the page that prints it (`name_<lang>_source`),
    and its settlement's (`settlement_<lang>`, `settlement_names_sources`), from `site_names.csv`."""
    for f in features:
        props = f["properties"]
        key = verification_key(props["id"])
        row = names.get(key)
        if row is None:
            continue
        for lang in NAME_LANGUAGES:
            if row[f"name_{lang}"] and row[f"name_{lang}_source"]:
                props[f"name_{lang}"] = row[f"name_{lang}"]
                props[f"name_{lang}_source"] = cites.cite(row[f"name_{lang}_source"], f"site_names.csv: {key}")[0]
        for lang in NAME_LANGUAGES:
            if row[f"settlement_{lang}"]:
                props[f"settlement_{lang}"] = row[f"settlement_{lang}"]
        settlement_sources = [cites.cite(u, f"site_names.csv: {key}")[0] for u in split_urls(row["settlement_names_source"])]
        if settlement_sources:
            props["settlement_names_sources"] = settlement_sources
    return features


def with_community_names(
    features: list[dict[str, Any]], names: dict[str, dict[str, str]], cites: Citations
) -> list[dict[str, Any]]:
    """Each community's Russian name with the page that prints it (`name_ru_source`), from `names_ru.csv`."""
    for f in features:
        props = f["properties"]
        row = names.get(props["id"])
        if row is None or not row["name_ru"] or not row["url"]:
            continue
        props["name_ru"] = row["name_ru"]
        cited, entry = cites.cite(row["url"], f"names_ru.csv: {props['id']}")
        props["name_ru_source"] = cited
        via = entry or (via_entry(cited, row["read_via"], None) if row["read_via"] else None)
        if via:
            known = props.setdefault("read_via", [])
            if via not in known:
                known.append(via)
    return features


def with_resident_via(features: list[dict[str, Any]], residents: dict[str, Residents]) -> list[dict[str, Any]]:
    """Add the copies the 2023 residents' sources were read on to each community's `read_via`."""
    for f in features:
        props = f["properties"]
        resident = residents.get(props["id"])
        if resident and resident.via and props.get("residents_2023_source"):
            known = props.setdefault("read_via", [])
            known.extend(e for e in resident.via if e not in known)
    return features


def with_checks(features: list[dict[str, Any]], verification: Verification, cites: Citations) -> list[dict[str, Any]]:
    """Each site with the day it was last checked and the pages it was checked against (verification CSVs)."""
    for f in features:
        props = f["properties"]
        key = verification_key(props["id"])
        checks = verification.checks.get(key, [])
        if not checks:
            continue
        props["checked_on"] = max(c["checked_on"] for c in checks)
        read = [c["url"] for c in checks if c["finding"] != "not-found"]
        props["checked_against"] = list(dict.fromkeys(cites.cite(u, f"verification: {key}: checked")[0] for u in read))
    return features


def site_features(reference_dir: Path, found: dict[tuple[str, str], FoundPoint]) -> list[dict[str, Any]]:
    """One feature per reference heritage site, in reference order."""
    return [site_feature(row, found) for row in site_rows(reference_dir)]


# --- verification and the log --------------------------------------------------


@dataclass(frozen=True)
class Verification:
    """The December 2026 verification pass (`reference/verification/`): per site, the outcome and every source read."""

    verdicts: dict[str, dict[str, str]]
    checks: dict[str, list[dict[str, str]]]
    candidates: dict[str, dict[str, str]]
    candidate_rows: dict[str, dict[str, str]]

    def checked_on(self, site: str) -> str | None:
        return max((c["checked_on"] for c in self.checks.get(site, [])), default=None)


def read_verification(reference_dir: Path) -> Verification:
    folder = reference_dir / VERIFICATION
    verdicts: dict[str, dict[str, str]] = {}
    checks: dict[str, list[dict[str, str]]] = defaultdict(list)
    candidates: dict[str, dict[str, str]] = {}
    for path in sorted(folder.glob("site_verdicts_*.csv")):
        for row in read_rows(path):
            if row["site_id"] in verdicts:
                raise LayerError(f"{path}: {row['site_id']}: verdict given twice; fix: keep one row per site")
            if row["action"] != "drop" and (row["status"] not in STATUSES or (row["basis"] and row["basis"] not in BASES)):
                raise LayerError(
                    f"{path}: {row['site_id']}: field 'status'/'basis' is {row['status']!r}/{row['basis']!r}; "
                    f"fix: use one of {', '.join(STATUSES)} and one of {', '.join(BASES)}"
                )
            verdicts[row["site_id"]] = row
    for path in sorted(folder.glob("site_checks_*.csv")):
        for row in read_rows(path):
            checks[row["site_id"]].append(row)
    for path in sorted(folder.glob("candidate_sites_*.csv")):
        for row in read_rows(path):
            candidates[row["site_id"]] = row
    source = reference_dir / "heritage_sites_candidates.csv"
    candidate_rows = {f"cand-{n:02d}": row for n, row in enumerate(read_rows(source), start=1)} if source.exists() else {}
    return Verification(verdicts, dict(checks), candidates, candidate_rows)


def verification_key(site: str) -> str:
    """The id the verification CSVs use for a site: `nk107` -> `cand-07`; an original site keeps its id."""
    if site.startswith(ADDED_SITE_PREFIX) and len(site) == len(ADDED_SITE_PREFIX) + 2:
        return "cand-" + site.removeprefix(ADDED_SITE_PREFIX)
    return site


def added_site_id(candidate: str) -> str:
    """`cand-07` -> `nk107`."""
    return ADDED_SITE_PREFIX + candidate.removeprefix("cand-").zfill(2)


def stated_date(text: str) -> str | None:
    """The date of a reference imagery cell `provider; sensor; date` (the date the monitor gives for an image)."""
    if not text:
        return None
    return text.rsplit(";", maxsplit=1)[-1].strip() or None


def moved_addresses(text: str) -> tuple[str, list[str]]:
    """`text` with each address it holds replaced by a short label, and the addresses (they belong in a field)."""
    found = []
    for address in citations.find_addresses(text):
        url = address if re.match(r"https?://", address) else f"https://{address}"
        found.append(url)
        text = text.replace(address, citations.label(url))
    return text, found


def evidence_items(urls: list[str], via: dict[str, dict[str, Any]], cites: Citations, where: str) -> list[dict[str, Any]]:
    """The log's evidence list: each canonical URL, with the copy it was read on when there was one."""
    items = []
    for url in urls:
        cited, entry = cites.cite(url, where)
        item: dict[str, Any] = {"url": cited}
        known = entry or via.get(cited)
        if known:
            item["read_via"] = known["copy"]
            if known.get("snapshot"):
                item["snapshot"] = known["snapshot"]
        items.append(item)
    return items


def checks_via(checks: list[dict[str, str]]) -> dict[str, dict[str, Any]]:
    return {c["url"]: via_entry(c["url"], c["read_via"], None) for c in checks if c.get("read_via")}


def monitor_imagery(before: str | None, after: str | None) -> dict[str, str | None]:
    """The image dates a monitor's published finding gives (the scenes are not held here): `monitor_before`,
    `monitor_after`, each None when the monitor gives none."""
    return {"monitor_before": before or None, "monitor_after": after or None}


def verdict_record(site: str, verdict: dict[str, str], checks: list[dict[str, str]], cites: Citations) -> dict[str, Any]:
    """An observation transcribed from a verdict of the verification pass (a correction or an added site).

    Its `note` is the verdict's reasoning (research notes, with the addresses it mentions as short labels); the log
    publishes the public text written for it instead (`with_public_text`), which names its evidence in words.
    """
    note, _ = moved_addresses(verdict["reason"] + (f" Detail: {verdict['detail']}." if verdict["detail"] else ""))
    checked = max(c["checked_on"] for c in checks) if checks else None
    if checked is None:
        raise LayerError(f"verification: {site}: no site_checks row; fix: record the sources read for the verdict")
    record: dict[str, Any] = {
        "kind": "observation",
        "site_id": site,
        "status": verdict["status"],
        "observed_on": verdict["observed_on"] or None,
        "reported_on": verdict["reported_on"] or None,
        "recorded_at": f"{checked}T00:00:00Z",
        "before_scene": None,
        "after_scene": None,
        "evidence": evidence_items(split_urls(verdict["evidence"]), checks_via(checks), cites, f"verification: {site}"),
        "basis": verdict["basis"] or "reports",
        **monitor_imagery(verdict["monitor_before"] or None, verdict["monitor_after"] or None),
        "analyst": checks[0]["checked_by"],
        "origin": "published",
        "published_by": verdict["published_by"],
        "note": note,
        "visibility": "public",
    }
    return record


def original_record(row: dict[str, str], verdict: dict[str, str] | None, cites: Citations) -> dict[str, Any]:
    """The published finding of a reference row, re-transcribed: the same status and date, canonical citations.

    Where the verification kept the finding, its dates say what they are (the evidence's date in
    `observed_on`, the publication's in `reported_on`); a finding it corrected is transcribed as it was,
    and the correction appended after it says what was wrong.
    """
    site = row["id"].lower()
    before, after = stated_date(row["before_imagery"]), stated_date(row["after_imagery"])
    kept = verdict is not None and verdict["action"] == "keep" and verdict["status"] == row["status"]
    file = "heritage_sites.csv" if row["id"].startswith("NK") else "heritage_sites_supplement.csv"
    via = {e["url"]: e for e in cites.entries(file, row["id"])}
    record: dict[str, Any] = {
        "kind": "observation",
        "id": f"obs-{site}-1",
        "site_id": site,
        "status": row["status"],
        "observed_on": (verdict["observed_on"] or None) if kept and verdict else row["status_as_of"],
        "reported_on": (verdict["reported_on"] or None) if kept and verdict else None,
        "recorded_at": TRANSCRIBED_AT,
        "before_scene": None,
        "after_scene": None,
        "evidence": evidence_items(split_urls(row["evidence_urls"]), via, cites, f"heritage_sites: {row['id']}"),
        "basis": verdict["basis"] if kept and verdict else ("monitor-imagery-analysis" if before or after else "reports"),
        **(
            monitor_imagery(verdict["monitor_before"] or None, verdict["monitor_after"] or None)
            if kept and verdict
            else monitor_imagery(before, after)
        ),
        "analyst": "reference-import",
        "origin": "published",
        "published_by": PUBLISHED_BY[site],
        "note": row["event_summary"],
        "visibility": "public",
    }
    return record


def observation_records(rows: list[dict[str, str]], verification: Verification, cites: Citations) -> list[dict[str, Any]]:
    """The log: each reference finding re-transcribed, then the corrections and the added sites' findings appended.

    A correction names the record it supersedes (`supersedes`) and is recorded on the day of the check. The records
    are chained (`chained`) once their notes are the public text (`with_public_text`).
    """
    records = []
    for row in rows:
        if row["status"] not in STATUSES:
            raise LayerError(
                f"heritage_sites.csv: {row['id']}: field 'status' is {row['status']!r}; fix: use one of {', '.join(STATUSES)}"
            )
        records.append(original_record(row, verification.verdicts.get(row["id"].lower()), cites))
    for row in rows:
        site = row["id"].lower()
        verdict = verification.verdicts.get(site)
        if verdict and verdict["action"] == "correct":
            record = verdict_record(site, verdict, verification.checks.get(site, []), cites)
            records.append({"id": f"obs-{site}-2", **record, "supersedes": f"obs-{site}-1"})
    for candidate, verdict in sorted(verification.verdicts.items()):
        if candidate.startswith("cand-") and verdict["action"] == "add":
            site = added_site_id(candidate)
            record = verdict_record(site, verdict, verification.checks.get(candidate, []), cites)
            records.append({"id": f"obs-{site}-1", **record})
    return records


def chained(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    previous = GENESIS
    for record in records:
        record["prev_hash"] = previous
        record["hash"] = record_hash(record)
        previous = record["hash"]
    return records


def route_features(reference_dir: Path, cites: Citations) -> list[dict[str, Any]]:
    """One LineString per route through its sourced waypoints, in sequence order."""
    waypoints: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in read_rows(reference_dir / "routes_waypoints.csv"):
        waypoints[row["route_id"]].append(row)
    features = []
    for route_id, points in waypoints.items():
        points.sort(key=lambda p: int(p["seq"]))
        fid = route_id.lower()
        facts = ROUTES[fid]
        located = [p for p in points if p["lat"] and p["lon"]]
        sources, via = [], []
        for url in facts.sources:
            cited, entry = cites.cite(url, f"data/derive_layers.py: ROUTES[{fid!r}]")
            sources.append(cited)
            via.extend([entry] if entry else [])
        for p in points:
            via.extend(cites.entries("routes_waypoints.csv", f"{p['route_id']}:{p['seq']}"))
        coord_sources = [p["coord_source_url"] for p in located]
        noted = [url for p in points for url in split_urls(p.get("note_sources", ""))]
        props: dict[str, Any] = {
            "id": fid,
            "name": points[0]["route_name"],
            "kind": facts.kind,
            "active_from": facts.active_from,
            "active_to": facts.active_to,
            "geometry_precision": "waypoints",
            "waypoints": [p["point_name"] for p in points],
            "skipped_waypoints": [p["point_name"] for p in points if not (p["lat"] and p["lon"])],
            "note": facts.note,
            "sources": list(dict.fromkeys([*sources, *coord_sources, *noted])),
        }
        unique = {json.dumps(e, sort_keys=True): e for e in via if e["url"] in props["sources"]}
        if unique:
            props["read_via"] = list(unique.values())
        features.append(
            feature({"type": "LineString", "coordinates": [[float(p["lon"]), float(p["lat"])] for p in located]}, props)
        )
    return features


def place_features(reference_dir: Path) -> list[dict[str, Any]]:
    """One Point (or null) feature per reference place, in file order."""
    features = []
    for row in read_rows(reference_dir / "places.csv"):
        props: dict[str, Any] = {
            "id": row["id"].lower(),
            "name": row["name"],
            "kind": row["kind"],
            "event_date": row["event_date"] or None,
            "note": row["note"],
            "sources": split_urls(row["source_url"]),
        }
        geometry = None
        if row["lat"] and row["lon"]:
            geometry = point(float(row["lat"]), float(row["lon"]))
            precision, note = PLACE_PRECISION.get(props["id"], ("settlement", TOWN_NOTE))
            props.update(coord_source=row["coord_source_url"], coord_precision=precision, coord_note=note)
            if row["coord_source_url"] not in props["sources"]:
                props["sources"].append(row["coord_source_url"])
        else:
            props["unlocated_note"] = PLACE_UNLOCATED.get(props["id"], "no coordinate in the sources read (places.csv)")
        features.append(feature(geometry, props))
    return features


TIMELINE_COLUMNS = story.COLUMNS
"""The layer's columns (`geo.timeline.COLUMNS`); the reference's `correction` and `note` stay in the reference."""


def timeline_rows(reference_dir: Path, cites: Citations, community_ids: set[str]) -> list[dict[str, str]]:
    """The reference timeline as the layer's rows: every source the canonical page (a copy stops the derivation), the
    copies each was read on in `read_via`, and the rows checked against the timeline's rules (`timeline_problems`)."""
    rows = []
    for index, row in enumerate(read_rows(reference_dir / "timeline.csv"), start=2):
        sources = split_urls(row["source_url"])
        for url in sources:
            cited, _ = cites.cite(url, f"timeline.csv: line {index}")
            if cited != url or url in cites.copies:
                raise LayerError(f"timeline.csv: line {index}: {url!r} is a copy; fix: cite {cited} and put the copy in read_via")
        rows.append({**{k: row.get(k, "") for k in TIMELINE_COLUMNS}, "source": " ; ".join(sources)})
    problems = timeline_problems(rows, community_ids)
    if problems:
        raise LayerError(f"timeline.csv: {len(problems)} problem(s): " + "; ".join(problems))
    return rows


def timeline_problems(rows: list[dict[str, str]], community_ids: set[str]) -> list[str]:
    """What the timeline's rules refuse (`geo.timeline.problems`, which validate runs too), rows out of date order,
    and a copy cited as well as read on."""
    problems = [p.message() for p in story.problems(rows, "timeline.csv", community_ids)]
    previous = ""
    for line, row in enumerate(rows, start=2):
        start = row["date"].split("/")[0]
        if start < previous:
            problems.append(f"line {line}: {row['date']} comes after {previous}; fix: keep the rows in date order")
        previous = max(previous, start)
        cited = set(split_urls(row["source"]))
        problems += [f"line {line}: {copy} is cited and read_via both" for copy in split_urls(row["read_via"]) if copy in cited]
    return problems


def timeline_text(rows: list[dict[str, str]]) -> str:
    """The layer's timeline.csv."""
    out = io.StringIO()
    writer = csv.DictWriter(out, TIMELINE_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def dump_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def collection(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


# --- SOURCES.md -------------------------------------------------------------

URL = re.compile(r"https?://[^\s\"'<>),;|]+")

DOMAIN_NOTES = {
    "wikipedia.org": "village, town and site pages: coordinates, populations, names in three scripts, status lines",
    "pop-stat.mashke.org": "the 2005 NKR census table: settlement list, Armenian spelling, de jure population",
    "armenews.com": "the Armenian government's list of settlements passed to Azerbaijan in 2020",
    "caucasusheritage.cornell.edu": "Caucasus Heritage Watch posts: statuses, imagery dates, method",
    "monumentwatch.org": "Monument Watch alerts: statuses and photographic evidence",
    "artsakhpress.am": "interviews with community heads, 2021-23: post-2020 status and population",
    "armenpress.am": "news: visits to communities, statuses, the explosion",
    "realkarabakh.com": "the list of settlements lost in 2020",
    "armeniapedia.org": "the Rediscovering Armenia guidebook and map tags: village lists, coordinates",
    "i63617563617375736865726974616765o636f726e656c6co656475z.oszar.com": (
        "a proxied copy of caucasusheritage.cornell.edu/?p=1630 (CHW story map on Tsar and Chragh)"
    ),
    "war.karabakhrecords.info": "Karabakh Records: site coordinates and satellite comparisons",
    "azeriwarcrimes.org": "before/after photographs and a site coordinate (an advocacy source)",
    "raa-am.org": "Research on Armenian Architecture, The Bridges of Artsakh: the Halivor bridge coordinate",
}


def domain(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def is_wikipedia_copy(url: str) -> bool:
    lowered = url.lower()
    return "wiki" in lowered or "kiwix" in lowered or "wikipedia_en" in lowered


def cited_urls(layers: dict[str, Any]) -> dict[str, Counter]:
    """Every URL the layers cite, grouped by domain, with the layers citing each domain."""
    found: dict[str, Counter] = defaultdict(Counter)
    for name, text in layers.items():
        for url in URL.findall(text):
            found[domain(url)][name] += 1
    return found


def sources_md(texts: dict[str, str], layers: dict[str, list[dict[str, Any]]], reference_dir: Path, misprinted: list[str]) -> str:
    """SOURCES.md: what each cited domain gave, the 107 reconciliation and every remaining gap."""
    lines = [
        "# Sources of the default layers",
        "",
        (
            "Generated by `data/derive_layers.py` from `data/reference/` (read the `.md` beside each CSV there); "
            "do not edit by hand. Every feature lists its `sources`; every located feature names the page its point "
            "came from in `coord_source` and how exact it is in `coord_precision`."
        ),
        "",
        (
            "Licences: text and data from Wikipedia and its mirrors are CC BY-SA (Wikipedia's licence; the mirrors "
            "copy it). For the other sources, only facts (names, dates, figures, statuses, coordinates) are taken, "
            "each with its URL; no licence is stated for them here, and no text is reproduced beyond short notes "
            "written for this project."
        ),
        "",
    ]
    records = [json.loads(line) for line in texts["observations.jsonl"].splitlines()]
    lines += reconciliation_section(layers["communities"], reference_dir)
    lines += evidence_section(layers["heritage_sites"], records)
    lines += log_section(records, reference_dir)
    lines += verification_section(reference_dir)
    lines += monitors_section(layers["heritage_sites"], reference_dir)
    lines += citations_section(reference_dir)
    lines += timeline_section(reference_dir)
    lines += gaps_section(layers, misprinted)
    lines += domain_section(texts, layers)
    return "\n".join(lines).rstrip("\n") + "\n"


def evidence_section(sites: list[dict[str, Any]], records: list[dict[str, Any]]) -> list[str]:
    superseded = {r.get("supersedes") for r in records}
    standing = {r["site_id"]: r for r in records if r["id"] not in superseded}
    levels = Counter(r["basis"] for r in standing.values())
    statuses = Counter(r["status"] for r in standing.values())
    return [
        "## Statuses and their evidence",
        "",
        (
            f"{len(sites)} heritage sites; {sum(v for k, v in statuses.items() if k != 'unknown')} carry a status "
            f"({', '.join(f'{k} {v}' for k, v in sorted(statuses.items()))}), each from a cited observation with "
            "evidence. How each status was decided: `docs/coding-rules.md`."
        ),
        "",
        (
            f"- Imagery analysis by the monitor: {levels['monitor-imagery-analysis']} (the monitor's published finding "
            "says it compared satellite images; the image dates it gives are on the observation as `monitor_before` and "
            "`monitor_after`; "
            "the images are not held here)."
        ),
        f"- Reported (press, officials, photographs, video, testimony): {levels['reports']}.",
        (
            "- Imagery here: 0. No scene is held: the 31 scenes of the first transcription were placeholders "
            "(no footprint, no image, provider unstated) and were removed; their dates are now the monitors' stated "
            "image dates on the observations."
        ),
        (
            "- Dates: `observed_on` is the date of the evidence (or an `A/B` window); `reported_on` the publication. "
            f"{sum(1 for r in standing.values() if not r['observed_on'] and r['reported_on'])} statuses are known only "
            'by their publication date (the map says "reported on ..., change on or before that date"); '
            f"{sum(1 for r in standing.values() if not r['observed_on'] and not r['reported_on'])} have no date "
            "in their sources."
        ),
        "",
    ]


def log_section(records: list[dict[str, Any]], reference_dir: Path) -> list[str]:
    old = (reference_dir / SUPERSEDED_LOG).read_text(encoding="utf-8").splitlines()
    head = json.loads(old[-1])["hash"] if old else None
    corrections = [r for r in records if r.get("supersedes")]
    added = [r for r in records if r["site_id"].startswith(ADDED_SITE_PREFIX)]
    return [
        "## The monitors' log (`observations.jsonl`)",
        "",
        (
            "The default log is a transcription, by the compiler, of monitors' published findings; it has never been "
            "anchored outside this repository. It was re-transcribed on 2026-12-05 with canonical citations (the same "
            "findings; the copies they were read on kept apart in each evidence item's `read_via`)."
        ),
        "",
        (
            f"- The first transcription ({len(old)} records, 2026-11-21, head hash `{head}`) is kept verbatim as "
            f"`data/reference/{SUPERSEDED_LOG}`. It was redone because most of its evidence addresses were copies "
            "(Wikipedia clones, Kiwix and proxy addresses, AMP and mobile views) and its dates did not say whether "
            "they were the evidence's or the publication's."
        ),
        (
            f"- After the {len(old)} re-transcribed findings, {len(corrections)} corrections from the verification are "
            "appended, each naming the record it supersedes (`supersedes`) and recorded on the day of the check; then "
            f"{len(added)} findings of the sites added from the candidates. From now on the log is append-only."
        ),
        "",
    ]


def verification_section(reference_dir: Path) -> list[str]:
    folder = reference_dir / VERIFICATION
    verdicts = [row for path in sorted(folder.glob("site_verdicts_*.csv")) for row in read_rows(path)]
    checks = [row for path in sorted(folder.glob("site_checks_*.csv")) for row in read_rows(path)]
    actions = Counter(v["action"] for v in verdicts)
    lines = [
        "## Verification (December 2026)",
        "",
        (
            f"Every status was re-checked against its own evidence and the latest documentation found "
            f"({len(checks)} sources read; one row per site and source in `data/reference/verification/site_checks_*.csv`, "
            "with who checked, when, the canonical URL, the copy it was read on and a quote; the outcome per site in "
            "`site_verdicts_*.csv`). Each site carries `checked_on` and `checked_against`."
        ),
        "",
        (
            f"- Sites of the first layer: {actions['keep']} kept, {actions['correct']} corrected (a corrected "
            "observation appended to the log)."
        ),
        f"- Candidates: {actions['add']} added (as sites `nk1NN`, NN the candidate row), {actions['drop']} dropped:",
        "",
    ]
    for v in verdicts:
        if v["action"] == "drop":
            reason, _ = moved_addresses(v["reason"])
            lines.append(f"  - `{v['site_id']}`: {reason}")
    lines.append("")
    return lines


MONITORS = ("Caucasus Heritage Watch", "Monument Watch")
"""The monitors whose published totals the inventory is set beside. The reference's other counts (officials of
either side, a diocese's book, an advocacy agency, and rows read only on an aggregator or a forum repost) stay
in `data/reference/monitor_counts.csv`: they are claims, not a monitor's documented total."""


def monitor_totals(reference_dir: Path) -> list[dict[str, str]]:
    """The rows of `monitor_counts.csv` published by a monitor (`MONITORS`)."""
    return [row for row in read_rows(reference_dir / "monitor_counts.csv") if row["monitor"].startswith(MONITORS)]


def monitor_totals_text(reference_dir: Path) -> str:
    rows = monitor_totals(reference_dir)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def monitors_section(sites: list[dict[str, Any]], reference_dir: Path) -> list[str]:
    totals = monitor_totals(reference_dir)
    lines = [
        "## The inventory beside the monitors' published totals",
        "",
        (
            f"This map holds {len(sites)} heritage sites. The monitors' own counts (`monitor_counts.csv`, each with "
            "its source) are larger: it shows part of what they documented, not all of it. Counts published by "
            "officials of either side and by others are kept in `data/reference/monitor_counts.csv`; they are not "
            "monitors' totals and are not set beside the inventory."
        ),
        "",
    ]
    lines += [f"- {t['monitor']} ({t['as_of']}): {t['claim']} ({t['url']})" for t in totals]
    lines.append("")
    return lines


def citations_section(reference_dir: Path) -> list[str]:
    via = read_rows(reference_dir / "read_via.csv")
    originals = read_rows(reference_dir / "citation_originals.csv")
    copies = read_rows(reference_dir / "cited_copies.csv")
    return [
        "## Citations and the copies they were read on",
        "",
        (
            "Every citation is the canonical page: the Wikipedia article in the language edition read (revision links "
            "`?oldid=` kept: they cite the revision read), the monitor's own post, the outlet's own article. "
            f"{len(via)} values were read on copies (Wikipedia clones and machine translations, Kiwix and IPFS "
            "snapshots, proxies, mobile, AMP, print and preview views): `data/reference/read_via.csv` keeps each "
            "copy and its snapshot date, and the layers carry it as `read_via`, never as the citation "
            "(`geo/citations.py` maps a copy to its page)."
        ),
        "",
        f"- Originals of copies found by hand ({len(originals)}): `data/reference/citation_originals.csv`.",
        (
            f"- Copies kept as the citation because their original was not found ({len(copies)}, `cited_copies.csv`; "
            "validate accepts only these):"
        ),
        "",
        *(f"  - {c['url']}: a copy of {c['copy_of']}; {c['searched']}" for c in copies),
        "",
    ]


def timeline_section(reference_dir: Path) -> list[str]:
    rows = read_rows(reference_dir / "timeline.csv")
    kinds = Counter(row["kind"] for row in rows)
    corrected = [row for row in rows if row["correction"]]
    dropped = read_rows(reference_dir / "timeline_dropped.csv")
    return [
        "## The timeline",
        "",
        (
            f"`timeline.csv`: {len(rows)} rows from `data/reference/timeline.csv`, re-checked against "
            "`verification/timeline_facts.csv` (canonical sources, quotes and corrections, December 2026): "
            + ", ".join(f"{kinds[k]} {k}" for k in ("chapter", "event", "arrivals", "departure"))
            + ". Every source is the outlet's own page; the copy a page was read on is in `read_via`, never cited. "
            "Times are local (Armenia and Nagorno-Karabakh, UTC+4). The research notes stay in the reference's "
            "`note` column; the layer carries the event text written for readers."
        ),
        "",
        f"Corrections made on re-checking ({len(corrected)}):",
        "",
        *(f"- {row['date']}: {row['correction']}" for row in corrected),
        "",
        (
            f"Left out because no acceptable source carries them ({len(dropped)}; an acceptable source is a news "
            "organisation's, an official body's or a monitor's own page; aggregators, re-hosted copies and a tertiary "
            "source's editorial choices are not):"
        ),
        "",
        *(
            f"- {row['date']}: {row['fact']}"
            + (f" ({int(row['figure']):,})" if row["figure"] else "")
            + f" ({row['source_url']}): {row['why_left_out']}"
            for row in dropped
        ),
        "",
    ]


def doubt_lines(communities: list[dict[str, Any]]) -> list[str]:
    doubted = [f["properties"] for f in communities if f["properties"].get("residents_2023") not in (None, "sourced")]
    why = {
        "not found": "no 2023 source found",
        "in doubt": "its residents were displaced in March 2022 and no later source places them there",
        "not checked": "not checked",
    }
    return [
        f"- **In doubt, not counted: {len(doubted)}** (held in 2023, but no source read places Armenian residents there "
        "that year): " + "; ".join(f"{p['name']} (`{p['id']}`, {why[p['residents_2023']]})" for p in doubted) + "."
    ]


def reconciliation_section(communities: list[dict[str, Any]], reference_dir: Path) -> list[str]:
    counted = [f["properties"] for f in communities if f["properties"]["counts_toward_107"]]
    per_province = Counter(p["province"] for p in counted)
    located = sum(1 for f in communities if f["properties"]["counts_toward_107"] and f["geometry"])
    expected = {
        "Stepanakert (city)": "1",
        "Askeran": "34 (42 pre-war communities minus 8 lost in 2020)",
        "Shushi": "5 (7 pre-war minus Shushi city and Karin Tak)",
        "Martakert": "about 35 (43 pre-war minus 8 lost)",
        "Martuni": "about 30 (about 35 minus 5 lost)",
    }
    lines = [
        "## Reconciliation with the 107 communities",
        "",
        (
            'The 2024 fact-finding report "Why Are There No Armenians in Nagorno-Karabakh?" (Freedom House et al.) '
            "counts 107 Armenian communities in August 2023. Its list of communities was not found, so the list is "
            "rebuilt settlement by settlement from the reference gazetteers. `counts_toward_107` is true for a "
            "settlement held until September 2023 that no source places inside another community, and where a source "
            "places Armenian residents in 2023 (living there, or leaving in the September 2023 exodus; "
            "`verification/communities_2023.csv`, cited in `residents_2023_source`)."
        ),
        "",
        *doubt_lines(communities),
        "",
        f"- **Identified: {len(counted)} of 107**, {located} of them located.",
        "",
        "| province | identified | located | expected (reference notes) |",
        "|---|---|---|---|",
    ]
    located_per_province = Counter(
        f["properties"]["province"] for f in communities if f["properties"]["counts_toward_107"] and f["geometry"]
    )
    for province in ("Stepanakert (city)", "Askeran", "Shushi", "Martakert", "Martuni"):
        lines.append(
            f"| {province} | {per_province.get(province, 0)} | {located_per_province.get(province, 0)} | {expected[province]} |"
        )
    lines += [
        "",
        "Settlements that are parts of one community (in the layer, `counts_toward_107: false`, `part_of` set):",
        "",
    ]
    names = {f["properties"]["id"]: f["properties"]["name"] for f in communities}
    for settlement, (community, words) in PART_OF.items():
        lines.append(f"- {names[settlement]}, in {names[community]}: {words}.")
    lines += [
        (
            "- Khachen's community includes Urakhach (en.wikipedia) and Ulubab (NKR law of 23 Apr 2003, nankr.am/hy/1078), "
            "and Maghavuz's includes Kmkadzor (fr.wikipedia). None of these "
            "villages has a row of its own."
        ),
        (
            "- Not confirmed either way, so counted as their own community: Verin Sznek (perhaps part of Nerkin "
            "Sznek) and Tsaghkashen (it hosts a branch of the Nerkin Horatagh school)."
        ),
        "- Not counted: " + "; ".join(f"{names[k]} ({v})" for k, v in NOT_A_107_COMMUNITY.items()) + ".",
        "",
        "Still unidentified:",
        "",
        "- Shushi: the seventh pre-war community of the province.",
        (
            "- Martakert: about 4 communities. The province list could not be read past its opening. Hakobkamari is "
            "the former name of Varnkatagh (NKR law of 15 Feb 2000, nankr.am/hy/1077), not a missing community; "
            "Gulatagh was searched for without success."
        ),
        "- Martuni: 1 or 2 communities. The full text of the NKR community law could not be read.",
        "- The expected counts add up to about 105, not 107. The remaining difference is not explained by any source read.",
        "",
    ]
    reconciliation = reference_dir / "reconciliation_107.md"
    if reconciliation.exists():
        lines += [
            (
                f"`data/reference/{reconciliation.name}` gives the sources for this reconciliation: the NKR laws "
                "on communities, the missing Khnkavan (added through `communities_supplement.csv`), and the "
                "official counts that bracket 107."
            ),
            "",
        ]
    return lines


def misprinted_longitudes(communities: list[dict[str, Any]]) -> list[str]:
    """SOURCES.md's lines for the settlements whose only source printed the longitude as "W" (read from the research
    notes, before the public text replaces them): whether a second source has confirmed the point since."""
    lines = []
    for props in (f["properties"] for f in communities):
        if W_LONGITUDE.search(props["note"]):
            state = (
                "needs a second source"
                if props.get("coord_warning")
                else f"confirmed by a second source, {props['coord_source']}"
            )
            lines.append(f"- {props['name']} (`{props['id']}`): {state}")
    return lines


def gaps_section(layers: dict[str, list[dict[str, Any]]], misprinted: list[str]) -> list[str]:
    lines = ["## Remaining gaps", ""]
    titles = {"communities": "Unlocated settlements", "heritage_sites": "Unlocated heritage sites", "places": "Unlocated places"}
    lines += [
        (
            "Each unlocated feature with its public note; what was searched for each is in its research note "
            "(`data/reference/public_text.csv`, `research_note`)."
        ),
        "",
    ]
    for layer, title in titles.items():
        unlocated = [f["properties"] for f in layers[layer] if f["geometry"] is None]
        lines += [f"### {title} ({len(unlocated)})", ""]
        for props in unlocated:
            lines.append(f"- {props['name']} (`{props['id']}`): {props['unlocated_note']}")
        lines.append("")
    lines += ["### Route waypoints without coordinates", ""]
    for props in (f["properties"] for f in layers["routes"]):
        if props["skipped_waypoints"]:
            lines.append(f"- {props['name']}: " + "; ".join(props["skipped_waypoints"]) + " (left out of the line)")
    lines += ["", '### Longitudes printed as "W"', "", *misprinted]
    lines += [
        "",
        "### Shared points",
        "",
        (
            "These features stand at a settlement's (or a neighbouring site's) point rather than their own; each "
            "carries `coord_precision` `settlement`, `community` or `approximate` and a `coord_note`:"
        ),
        "",
        *shared_points(layers),
        "",
        "### Disputed or inferred statuses",
        "",
        (
            "- Parukh: Azerbaijani forces entered it on 24 Mar 2022. Whether Armenians lived there in 2022-23 is not "
            "confirmed, but it is counted, as in the reference."
        ),
        "- Mkhitarishen and Shosh: Azerbaijan claimed both on 9 Nov 2020, but Armenian sources show them held.",
        "- Taghavard: the village was split. Only its lower part stayed Armenian.",
        (
            "- Aknaberd: the government's loss list includes it, but armedia said it would stay Armenian. It is not "
            "counted either way."
        ),
        (
            "- Held status is inferred from absence on the 2020 loss list, not stated by a source, for the settlements "
            'whose `note` says "held status inferred" or "Held status to 2023 inferred".'
        ),
        (
            "- Heritage statuses `unknown`: no condition assessment was found, or the claims conflict (each site's "
            "verdict in `data/reference/verification/` says which)."
        ),
        "- Cemetery SH.005-0 may duplicate one of the other Shushi cemeteries.",
        "",
        "### Other gaps",
        "",
        (
            "- Imagery: no scene is held. The monitors' image dates are on the observations; their providers and "
            "sensors are mostly unstated in what was read."
        ),
        "- Paravatumb (Martuni) is not in the layer: " + EXCLUDED_COMMUNITIES["paravatumb"] + ".",
        "- Routes are straight links between sourced waypoints, not road centrelines.",
        (
            '- CHW\'s survey of Azerbaijani heritage under Armenian control, 1994-2020 (story map "Between the Wars"): '
            "only the sites the candidates named were checked and added; the rest of its site list was not read."
        ),
        "",
    ]
    return lines


def shared_points(layers: dict[str, list[dict[str, Any]]]) -> list[str]:
    lines = []
    for layer, features in layers.items():
        groups: dict[tuple[float, ...], list[str]] = defaultdict(list)
        for f in features:
            if f["geometry"] and f["geometry"]["type"] == "Point":
                groups[tuple(f["geometry"]["coordinates"])].append(f"`{f['properties']['id']}`")
        for (lon, lat), ids in groups.items():
            if len(ids) > 1:
                lines.append(f"- {layer}: {', '.join(ids)} at {lat}, {lon}")
    return lines


NON_WIKIPEDIA_COORD_SOURCES = frozenset({"armeniapedia.org", "war.karabakhrecords.info", "azeriwarcrimes.org", "raa-am.org"})
"""The coordinate sources that are not Wikipedia copies; the reference notes say every other one is."""
KNOWN_MIRRORS = frozenset(
    {
        "soft.lk",
        "everyfhing.explained.today",
        "speed.lescigales.org",
        "ybgg2evrcdz37y2qes23ff3wjqjdn33tthgoagi76vhxytu4mpxiz5qd.onion.jump.black",
    }
)
"""Wikipedia copies cited for facts other than coordinates, named as such in the reference notes."""


def domain_section(texts: dict[str, str], layers: dict[str, list[dict[str, Any]]]) -> list[str]:
    cited = cited_urls(texts)
    all_urls = [url for text in texts.values() for url in URL.findall(text)]
    coord_domains = {
        domain(f["properties"]["coord_source"])
        for features in layers.values()
        for f in features
        if f["properties"].get("coord_source")
    }
    wiki_domains = {domain(url) for url in all_urls if is_wikipedia_copy(url)}
    wiki_domains = (wiki_domains | coord_domains | KNOWN_MIRRORS) - NON_WIKIPEDIA_COORD_SOURCES
    lines = [
        "## Cited domains",
        "",
        "Every domain the layers cite, what was taken from it and where it is cited (layer: number of citations).",
        "",
        "| domain | what was taken | cited in | licence |",
        "|---|---|---|---|",
    ]
    for name in sorted(cited):
        taken = next((v for k, v in DOMAIN_NOTES.items() if name == k or name.endswith("." + k)), None)
        if taken is None:
            taken = (
                "Wikipedia text (copy or mirror): coordinates and facts"
                if name in wiki_domains
                else "facts as cited beside them in the layers"
            )
        licence = "CC BY-SA (Wikipedia)" if name in wiki_domains else "not stated; facts only"
        where = ", ".join(f"{layer}: {count}" for layer, count in sorted(cited[name].items()))
        lines.append(f"| {name} | {taken} | {where} | {licence} |")
    lines.append("")
    return lines


# --- public text ------------------------------------------------------------

PUBLIC_TEXT = "public_text.csv"
PUBLIC_TEXT_FIELDS: dict[str, tuple[str, ...]] = {
    "communities": ("note", "coord_note", "coord_warning", "unlocated_note"),
    "heritage_sites": ("type_detail", "period", "coord_note", "unlocated_note"),
    "routes": ("note",),
    "places": ("note", "coord_note", "unlocated_note"),
    "observations": ("note",),
}
"""The free text a reader sees, by layer (`observations` is the log). What the derivation makes of the reference
there is the compiler's research note (which copy was read, what was searched); the layers carry the public text
written for it in `public_text.csv` instead (docs/coding-rules.md, "Public text")."""

TextKey = tuple[str, str, str]
"""(layer, feature or record id, field)."""


@dataclass(frozen=True)
class PublicText:
    """One row of `public_text.csv`: the research note a field was derived as, and the text a reader is shown
    (empty when the note was only research process)."""

    research_note: str
    text: str


def read_public_text(reference_dir: Path) -> dict[TextKey, PublicText]:
    path = reference_dir / PUBLIC_TEXT
    table: dict[TextKey, PublicText] = {}
    for line, row in enumerate(read_rows(path), start=2):
        key = (row["layer"], row["id"], row["field"])
        if key in table:
            raise LayerError(f"{path}: line {line}: {' '.join(key)} is given twice; fix: keep one row for it")
        table[key] = PublicText(row["research_note"], row["text"])
    return table


def research_notes(layers: dict[str, list[dict[str, Any]]], records: list[dict[str, Any]]) -> dict[TextKey, str]:
    """Every free-text value a reader would see, as derived from the reference, in derivation order."""
    notes: dict[TextKey, str] = {}
    for layer, features in layers.items():
        for f in features:
            props = f["properties"]
            for name in PUBLIC_TEXT_FIELDS[layer]:
                if props.get(name):
                    notes[(layer, props["id"], name)] = props[name].strip()
    for record in records:
        if record.get("note"):
            notes[("observations", record["id"], "note")] = record["note"].strip()
    return notes


def public_text_problems(notes: dict[TextKey, str], table: dict[TextKey, PublicText]) -> list[str]:
    """What keeps the public text from standing in for every research note: a note with no row, a note changed since
    its row was written (its public text may no longer say what the sources say), a row for a field no longer derived."""
    problems = []
    for key, note in notes.items():
        row = table.get(key)
        if row is None:
            problems.append(
                f"{' '.join(key)}: no public text for the research note {note[:80]!r}; fix: add a row with the note as "
                "research_note and, as text, what a reader needs (empty when the note is only research process)"
            )
        elif row.research_note != note:
            problems.append(
                f"{' '.join(key)}: the research note changed since its public text was written; fix: copy the new note "
                "into research_note and check the text against it"
            )
    problems += [
        f"{' '.join(key)}: no such field is derived any more; fix: remove the row" for key in table.keys() - notes.keys()
    ]
    return problems


def with_public_text(
    layers: dict[str, list[dict[str, Any]]], records: list[dict[str, Any]], table: dict[TextKey, PublicText]
) -> None:
    """Replace every research note of `layers` and `records` by its public text (None when that is empty)."""
    problems = public_text_problems(research_notes(layers, records), table)
    if problems:
        raise LayerError(f"{PUBLIC_TEXT}: {len(problems)} problem(s): " + "; ".join(problems))
    for layer, features in layers.items():
        for f in features:
            props = f["properties"]
            for name in PUBLIC_TEXT_FIELDS[layer]:
                if props.get(name):
                    props[name] = table[(layer, props["id"], name)].text or None
    for record in records:
        if record.get("note"):
            record["note"] = table[("observations", record["id"], "note")].text or None


# --- entry point ------------------------------------------------------------


def research_layers(reference_dir: Path) -> tuple[dict[str, list[dict[str, Any]]], list[dict[str, Any]]]:
    """The four layers and the log's records (not yet chained) as derived from the reference, their free text still
    the compiler's research notes."""
    found = found_points(reference_dir)
    rows = site_rows(reference_dir)
    cites = citation_tables(reference_dir)
    verification = read_verification(reference_dir)
    residents = residents_2023(reference_dir, cites)
    extra = ("gaps_communities.csv", "gaps_heritage.csv", "found_coordinates.csv")
    sites = attach_read_via(site_features(reference_dir, found), cites, HERITAGE_FILES + extra)
    layers = {
        "communities": with_community_names(
            with_resident_via(
                attach_read_via(community_features(reference_dir, found, residents), cites, COMMUNITY_FILES + extra), residents
            ),
            read_names(reference_dir, "names_ru.csv", "id"),
            cites,
        ),
        "heritage_sites": with_site_names(
            with_checks(sites + candidate_features(verification, cites), verification, cites),
            read_names(reference_dir, "site_names.csv", "site_id"),
            cites,
        ),
        "routes": route_features(reference_dir, cites),
        "places": attach_read_via(place_features(reference_dir), cites, ("places.csv",)),
    }
    return layers, observation_records(rows, verification, cites)


def derive(reference_dir: Path) -> dict[str, str]:
    """The text of every file of `data/layers/`, keyed by file name."""
    layers, records = research_layers(reference_dir)
    cites = citation_tables(reference_dir)
    misprinted = misprinted_longitudes(layers["communities"])
    with_public_text(layers, records, read_public_text(reference_dir))
    records = chained(records)
    texts = {f"{name}.geojson": dump_json(collection(features)) for name, features in layers.items()}
    texts["observations.jsonl"] = "".join(canonical_json(r).decode("utf-8") + "\n" for r in records)
    # No scene is held: the reference's image dates are the monitors' and now sit on the observations.
    texts["imagery.json"] = dump_json(pystac.ItemCollection([]).to_dict())
    texts["monitor_counts.csv"] = monitor_totals_text(reference_dir)
    texts["cited_copies.csv"] = (reference_dir / "cited_copies.csv").read_text(encoding="utf-8")
    community_ids = {f["properties"]["id"] for f in layers["communities"]}
    texts["timeline.csv"] = timeline_text(timeline_rows(reference_dir, cites, community_ids))
    texts["SOURCES.md"] = sources_md(dict(texts), layers, reference_dir, misprinted)
    return texts


def main(reference_dir: Path = HERE / "reference", out_dir: Path = HERE / "layers") -> list[Path]:
    """Write every layer derived from `reference_dir` into `out_dir`; return the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in derive(Path(reference_dir)).items():
        path = Path(out_dir) / name
        path.write_bytes(text.encode("utf-8"))
        written.append(path)
    return written


if __name__ == "__main__":
    for path in main():
        print(path, file=sys.stderr)
