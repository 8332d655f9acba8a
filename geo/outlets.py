"""The name a reader knows a source by, found from its address's host: "Azatutyun (RFE/RL)", not "source".

A link's text is the outlet's name, so a day with two sources shows "BBC News · WION" rather than "source
source". `OUTLETS` names the hosts the default data cites; any other host is shown as itself, without "www."
(`news.example.org`), which still says where the link goes. Names are proper nouns and stay untranslated.
"""

from __future__ import annotations

from urllib.parse import urlsplit

OUTLETS: dict[str, str] = {
    "1lurer.am": "Public TV of Armenia",
    "aapnews.com.au": "AAP",
    "aljazeera.com": "Al Jazeera",
    "alphanews.am": "Alpha News",
    "archive.armlife.am": "ArmLife",
    "arevelk.am": "Arevelk",
    "armenian-genocide.org": "Armenian National Institute",
    "armenpress.am": "Armenpress",
    "arminfo.info": "ArmInfo",
    "artsakh.news": "Artsakh News",
    "artsakhombuds.am": "Artsakh Human Rights Defender",
    "artsakhpress.am": "Artsakhpress",
    "asbarez.com": "Asbarez",
    "azatutyun.am": "Azatutyun (RFE/RL)",
    "azernews.az": "AzerNews",
    "babel.ua": "Babel",
    "bbc.com": "BBC News",
    "caucasusheritage.cornell.edu": "Caucasus Heritage Watch",
    "civilnet.am": "CivilNet",
    "ctvnews.ca": "CTV News",
    "efe.com": "EFE",
    "en.armradio.am": "Public Radio of Armenia",
    "en.azvision.az": "Azvision",
    "en.interfax.com.ua": "Interfax-Ukraine",
    "en.sputniknews.africa": "Sputnik Africa",
    "en.trend.az": "Trend",
    "en.wikipedia.org": "Wikipedia (English)",
    "eng.obozrevatel.com": "Obozrevatel",
    "english.aawsat.com": "Asharq Al-Awsat",
    "english.alarabiya.net": "Al Arabiya",
    "english.almayadeen.net": "Al Mayadeen",
    "factor.am": "Factor.am",
    "i24news.tv": "i24NEWS",
    "icj-cij.org": "International Court of Justice",
    "instituteforhumanrights.org": "Institute for Human Rights",
    "intellinews.com": "bne IntelliNews",
    "interfax.com": "Interfax",
    "investigative.am": "Investigative Committee of Armenia",
    "jam-news.net": "JAMnews",
    "karabakhspace.commonspace.eu": "CommonSpace.eu",
    "massispost.com": "Massis Post",
    "mediamax.am": "Mediamax",
    "meduza.io": "Meduza",
    "mirrorspectator.com": "Armenian Mirror-Spectator",
    "mkam.business-gazeta.ru": "BUSINESS Online",
    "ndtv.com": "NDTV",
    "news.am": "NEWS.am",
    "news.yahoo.com": "Yahoo News (UPI)",
    "oc-media.org": "OC Media",
    "panarmenian.net": "PanARMENIAN.Net",
    "panorama.am": "Panorama.am",
    "politico.eu": "Politico Europe",
    "pravda.com.ua": "Ukrainska Pravda",
    "pravdareport.com": "Pravda.Ru",
    "radiosvoboda.org": "Radio Svoboda (RFE/RL)",
    "rferl.org": "RFE/RL",
    "sakartvelosambebi.ge": "Sakartvelos Ambebi",
    "sardarabad.com.ar": "Sardarabad",
    "sputnikglobe.com": "Sputnik",
    "straitstimes.com": "The Straits Times",
    "taiwannews.com.tw": "Taiwan News",
    "tass.com": "TASS",
    "tbsnews.net": "The Business Standard",
    "theatlasnews.co": "The Atlas News",
    "thesundaily.my": "The Sun Daily",
    "turan.az": "Turan",
    "ua.interfax.com.ua": "Interfax-Ukraine",
    "wionews.com": "WION",
    "zartonkmedia.com": "Zartonk Media",
}
"""Outlet names by host, "www." left off (a host not listed here is shown as itself)."""


def host(url: str) -> str:
    """The host of `url`, lower case, without a leading "www." ('' when it has none)."""
    return (urlsplit(url.strip()).hostname or "").removeprefix("www.")


def outlet_name(url: str) -> str:
    """The outlet's name for a source address: its host's name in `OUTLETS`, else the host, else the text itself."""
    found = host(url)
    return OUTLETS.get(found, found or url.strip())
