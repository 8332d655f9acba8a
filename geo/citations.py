"""Citable addresses: the canonical page behind a copy, proxy, mobile, AMP, print or preview address.

A filing or an article can cite only the page itself: the Wikipedia article
in the language edition that was read, the monitor's own post, the outlet's
own article. Values are often read on a copy (a Wikipedia clone, an offline
Kiwix server, a URL-rewriting proxy, a mobile or AMP view). `canonical`
names the page such an address stands for and what kind of copy it was;
the copy is kept apart as where the value was read (`read_via`), never as
the citation.

Decisions (see docs/coding-rules.md, "Citations"):

- Wikipedia revision links (`?oldid=`) are kept: a permanent link to the
  revision that was read is the better citation. They are written in
  MediaWiki's own form, `https://<lang>.wikipedia.org/w/index.php?title=T&oldid=N`.
- Machine-translated scrapers of Wikipedia (`de.qaz.wiki`, `pt.frwiki.wiki`,
  ...) are cited as the edition they translate, since that is where the
  values came from.
- A copy whose address does not name its page (a hash-named scraper, a news
  article re-hosted on another site) has no canonical form here: `canonical`
  returns `url=None`, and the original is looked up by hand (the data keeps a
  table of what was found).
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qs, quote, unquote, urlsplit

# --- the kinds of copy ------------------------------------------------------------------------

MIRROR = "a Wikipedia clone"
TRANSLATION = "a machine-translated copy of Wikipedia"
KIWIX = "an offline Wikipedia (Kiwix) copy"
IPFS = "a Wikipedia snapshot on IPFS"
PROXY = "a URL-rewriting proxy"
HEX_HOST = "a proxy with the host hex-encoded"
TOR = "a Tor gateway"
MOBILE = "a mobile view"
AMP = "an AMP view"
PRINT = "a print view"
PREVIEW = "a CMS preview or edit view"
TRAILING_DOT = "a host with a trailing dot"
HTTP = "plain http where the site serves https"
REHOST = "a copy of another outlet's article"

# --- what is known about hosts ----------------------------------------------------------------


@dataclass(frozen=True)
class Mirror:
    """A host that copies Wikipedia: which edition it copies and where its path puts the title.

    `edition` is a language code, or None when the path or the host names it
    (`{lang}` in `shape`, or a `<lang>.` subdomain). `shape` is a regular
    expression over the path (and `?query`) with groups `title` and optionally `lang`.
    """

    edition: str | None
    shape: str
    kind: str = MIRROR


WIKI = r"/wiki/(?P<title>[^?#]+)"
LANG_TITLE = r"/(?P<lang>[a-z]{2,3})/(?P<title>[^?#]+)"
ROOT_TITLE = r"/(?P<title>[^?#/][^?#]*)"

MIRRORS: dict[str, Mirror] = {
    # English Wikipedia clones: the titles are en-wiki's and the hosts say so.
    "enwikipedia.net": Mirror("en", WIKI),
    "wikiclassic.com": Mirror("en", WIKI),
    "wiki.riteme.site": Mirror("en", WIKI),
    "jmediawiki.org": Mirror("en", WIKI),
    "hessslslslsls.azureedge.net": Mirror("en", WIKI),
    "owiki.org": Mirror("en", WIKI),
    "swiki.se": Mirror("en", WIKI),
    "lmno.pp.ua": Mirror("en", WIKI),
    "hmong.in.th": Mirror("en", WIKI),
    "wikisum.wiki": Mirror("en", WIKI),
    "pinocchiopedia.com": Mirror("en", WIKI),
    "s.cnmilf.com": Mirror("en", WIKI),
    "alphapedia.ru": Mirror("en", WIKI),
    "jablog.org": Mirror("en", r"/(?:wiki|[^/]+)/(?P<title>[^/?#]+)$"),
    "soft.lk": Mirror("en", r"/key/(?P<title>[^?#]+)"),
    "everything.explained.today": Mirror("en", r"/(?:%2F%2F/)?(?P<title>[^/?#]+)/?$"),
    "everyfhing.explained.today": Mirror("en", r"/(?P<title>[^/?#]+)/?$"),
    "piglix.com": Mirror("en", r"/piglix/(?P<title>[^?#]+)"),
    "cryer.org.uk": Mirror("en", ROOT_TITLE),
    "talk.dob.jp": Mirror("en", r"/enwiki/wiki/(?P<title>[^?#]+)"),
    "wiki-gateway.eudic.net": Mirror(None, r"/wikipedia_(?P<lang>[a-z]{2,3})/(?P<title>[^/?#]+?)(?:\.html)?$"),
    "review.clateway.com": Mirror("en", r"/wiki/view_html\.php\?(?P<query>.*)"),
    "wikipedia.bradmurray.com": Mirror("en", r"/w/index\.php\?(?P<query>.*)"),
    "religion.wikia.com": Mirror("en", WIKI),
    # Clones whose path names the edition.
    "kampuspedia.com": Mirror(None, LANG_TITLE),
    "sagapedia.com": Mirror(None, LANG_TITLE),
    "profilpelajar.com": Mirror(None, LANG_TITLE),
    "artikeldigital.com": Mirror(None, LANG_TITLE),
    "wikiland.org": Mirror(None, LANG_TITLE),
    "wikide.org": Mirror(None, LANG_TITLE),
    "gpedia.com": Mirror(None, LANG_TITLE),
    "wikimili.com": Mirror(None, LANG_TITLE),
    "wikiwand.com": Mirror(None, r"/(?P<lang>[a-z]{2,3})/(?:articles/)?(?P<title>[^?#]+)"),
    "wikizero.com": Mirror(None, r"/(?P<lang>[a-zA-Z]{2,3})/(?P<title>[^?#]+)"),
    "wikizero.net": Mirror(None, r"/wiki/(?P<lang>[a-z]{2,3})/(?P<title>[^?#]+)"),
    "wikizero.org": Mirror(None, r"/wiki/(?P<lang>[a-z]{2,3})/(?P<title>[^?#]+)"),
    # Clones of one other edition, the host or the titles' script says which.
    "russianwiki.com": Mirror("ru", WIKI),
    "perceptiode.com": Mirror("ru", ROOT_TITLE),
    "perceptiopt.com": Mirror("ru", ROOT_TITLE),
    "perceptionl.com": Mirror("ru", ROOT_TITLE),
    "az-az.nina.az": Mirror("az", r"/(?P<title>[^/?#]+?)\.html$"),
    "wikipedia.anarim.az": Mirror("az", r"/?\?q=(?P<title>[^&#]+)"),
    "ninos.kiddle.co": Mirror("es", ROOT_TITLE),
    "zhwiki.oracleblog.org": Mirror("zh", WIKI),
    "dnhewrhegkli.shop": Mirror("de", WIKI),
    "fr.wiki.chinapedia.org": Mirror("fr", WIKI),
    "it.teknopedia.teknokrat.ac.id": Mirror("it", r"/w/index\.php\?(?P<query>.*)", PREVIEW),
    # Machine translations: cited as the edition they translate.
    "qaz.wiki": Mirror("en", WIKI, TRANSLATION),
    "qwe.wiki": Mirror("en", WIKI, TRANSLATION),
    "abcdef.wiki": Mirror("en", WIKI, TRANSLATION),
    "wikial.top": Mirror("en", WIKI, TRANSLATION),
    "ewikibg.top": Mirror("en", WIKI, TRANSLATION),
    "frwiki.wiki": Mirror("fr", WIKI, TRANSLATION),
    "wiki7.org": Mirror("ru", WIKI, TRANSLATION),
    # Wikipedia front-ends and snapshots.
    "wikipedia-on-ipfs.org": Mirror(None, WIKI, IPFS),
    "wiki.x.io": Mirror(None, WIKI, PROXY),
}
"""Wikipedia copies by host (a host also matches its subdomains, which may name the edition)."""

PATH_PROXY = re.compile(
    r"^/(?:(?:[^/]+/)*?[^/]*\.cgi/|host-)?(?P<scheme>https?)?[-/]?(?P<host>(?:[a-z0-9-]+\.)+[a-z]{2,})\.?(?P<rest>/.*)?$",
    re.IGNORECASE,
)
"""A proxy that puts the wrapped address in its path: `/https/<host>/...`, `/host-https-<host>/...`, `/x.cgi/<host>/...`
(the script may sit in folders: `/text/x.cgi/<host>/...`)."""

PATH_PROXY_HOSTS = frozenset({"backend.710302.xyz", "workers.dev", "akarinohon.com"})
QUERY_PROXY_HOSTS = frozenset({"retrosearch.org", "wonilvalve.com", "speed.lescigales.org"})

KIWIX_PATH = re.compile(
    r"/(?:content/)?wikipedia_(?P<lang>[a-z]{2,3})_[a-z_]*?(?P<snapshot>\d{4}-\d{2})(?:/A)?/(?P<title>[^?#/][^?#]*)"
)
IPFS_PATH = re.compile(r"/ipfs/(?P<hash>Qm[1-9A-HJ-NP-Za-km-z]{44})/wiki/(?P<title>[^?#]+?)(?:\.html)?$")
IPFS_SNAPSHOTS = {"QmXoypizjW3WknFiJnKLwHCnL72vedxjQkDDP1mXWo6uco": "en"}
"""IPFS Wikipedia snapshots by root hash: the edition each holds (the hash is the English 2017 snapshot)."""

HEX_LABEL = re.compile(r"^i(?P<labels>[0-9a-f]+(?:o[0-9a-f]+)*)z$")
"""oszar.com-style proxies write `caucasusheritage.cornell.edu` as `i<hex>o<hex>o<hex>z`."""

PANGEA_HOSTS = frozenset(
    {"azatutyun.am", "www.azatutyun.am", "rferl.org", "www.rferl.org", "radiosvoboda.org", "svobodnaevropa.bg"}
)
"""RFE/RL's Pangea CMS sites: an AMP page `/amp/<slug>/<id>.html` is the article `/a/<slug>/<id>.html`."""
PANGEA_PREVIEW_SERVICES = {"hy-AM": "www.azatutyun.am"}
"""Pangea CMS previews (`rfe.pangea-cms.com/preview/<service>/...`) by language service: the site they preview."""

MOBILE_HOSTS = {"anfenglishmobile.com": "anfenglish.com"}

REHOSTS: dict[str, str] = {
    "armenianclub.com": "reposts articles of CivilNet and other outlets",
    "lfwp.net": "a proxy of dw.com",
    "hotel-hiddenseer.de": "an unrelated site carrying a news agency's article",
    "ocmedianew.vecto.digital": "a staging copy of oc-media.org",
    "newsstreetlive.com": "a news aggregator",
    "pledgetimes.com": "a news aggregator (machine-rewritten articles)",
    "indonewyork.com": "a news aggregator",
    "warsawpoint.com": "a news aggregator",
    "menafn.com": "a syndication aggregator",
    "civilnet5.rssing.com": "an RSS archive of CivilNet",
    "hyeforum.com": "a forum repost",
    "m.ru24.pro": "a news aggregator",
    "ru24.pro": "a news aggregator",
    "arc.ask3.ru": "a machine-translated scraper of Wikipedia that does not name its page",
    "en-academic.com": "a Wikipedia scraper that names its page by number",
    "hyetert.org": "re-posts other outlets' articles (Asbarez, Panorama.am, NEWS.am, ICC and others)",
    "bolsohays.com": "Turkish translations of other outlets' and monitors' articles",
    "novostink.ru": "re-posts NEWS.am's and other outlets' articles",
    "sardarabad.com.ar": "Spanish translations of agencies' and monitors' articles",
    "armenianreport.com": "re-posts other outlets' articles",
}
"""Copies whose address does not name the original page: the original must be found by hand."""

HTTPS_HOSTS = frozenset({"wikipedia.org", "armeniapedia.org", "explained.today", "wikia.com"})
"""Hosts known to serve https (a host also covers its subdomains): Wikipedia, and hosts this data also cites over
https. Other plain-http addresses are left as they are: whether their site serves https is not known here."""


@dataclass(frozen=True)
class Citation:
    """What an address stands for: the page to cite, the copy it was read on, and what kind of copy.

    `url` is None when the address is a copy whose page it does not name (a
    re-hosted article, a hash-named scraper): the original must be found by hand.
    """

    given: str
    url: str | None
    kinds: tuple[str, ...] = ()
    snapshot: str | None = None

    @property
    def is_copy(self) -> bool:
        """True when `given` is not itself the address to cite."""
        return bool(self.kinds)

    @property
    def read_via(self) -> str | None:
        """The copy's address, when it differs from the citation."""
        return self.given if self.is_copy else None

    def describe(self) -> str:
        """`a Kiwix copy, plain http ...`: what was wrong with the given address, in words."""
        return ", ".join(dict.fromkeys(self.kinds))


# --- parsing helpers --------------------------------------------------------------------------


def _host(netloc_host: str | None) -> str:
    return (netloc_host or "").lower()


def _matches(host: str, known: str) -> bool:
    return host == known or host.endswith("." + known)


def _lookup(host: str, table: dict[str, Mirror]) -> tuple[str, Mirror] | None:
    if table is MIRRORS:  # the one table looked up per address: its answer is kept per host
        return _mirror_of(host)
    for known, value in table.items():
        if _matches(host, known):
            return known, value
    return None


@lru_cache(maxsize=4096)
def _mirror_of(host: str) -> tuple[str, Mirror] | None:
    """`_lookup` in MIRRORS, once per host: a build checks every cited address (290,000 at 100,000 sites), most
    of them on a few hosts, and walking the table per address took 38 s of a 48 s validation (profiled).
    """
    for known, value in MIRRORS.items():
        if _matches(host, known):
            return known, value
    return None


def _subdomain_lang(host: str, known: str) -> str | None:
    prefix = host.removesuffix(known).rstrip(".")
    first = prefix.split(".")[0] if prefix else ""
    return first if re.fullmatch(r"[a-z]{2,3}", first) and first not in ("www",) else None


def wikipedia_url(lang: str, title: str, oldid: str | None = None, diff: str | None = None) -> str:
    """The canonical address of an article (or a revision, or a diff) of Wikipedia in edition `lang`."""
    name = unquote(title).replace(" ", "_").strip("_")
    encoded = quote(name, safe="()_,:'!*-.~/@$;")
    host = f"https://{lang.lower()}.wikipedia.org"
    if oldid or diff:
        parts = [f"title={encoded}"]
        if diff:
            parts.append(f"diff={diff}")
        if oldid:
            parts.append(f"oldid={oldid}")
        return f"{host}/w/index.php?" + "&".join(parts)
    return f"{host}/wiki/{encoded}"


def _query_title(query: str) -> tuple[str | None, str | None, str | None, str | None]:
    """(title, oldid, diff, lang) from a MediaWiki-style query string."""
    values = {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}
    title = values.get("title") or values.get("q")
    return title, values.get("oldid"), values.get("diff"), values.get("lang")


def _strip_mobile_special(title: str) -> str:
    # Special:MobileLanguages/<Title> (in any language: `Berezi:MobileLanguages/...`) is the article's language list.
    return re.sub(r"^[^:/]+:MobileLanguages/", "", unquote(title))


def _wikipedia(host: str, path: str, query: str) -> tuple[str, list[str]] | None:
    """The canonical form of an address on `*.wikipedia.org` itself, and what was wrong with it."""
    match = re.fullmatch(r"(?P<lang>[a-z-]+)(?P<mobile>\.m)?\.wikipedia\.org", host)
    if not match:
        return None
    kinds = [MOBILE] if match["mobile"] else []
    lang = match["lang"]
    params = parse_qs(query, keep_blank_values=True)
    if "printable" in params:
        kinds.append(PRINT)
    if params.get("action", [""])[0] in ("edit", "raw", "history") or "mobileaction" in params:
        kinds.append(PREVIEW)
    title, oldid, diff, _ = _query_title(query)
    if path.startswith("/wiki/") and len(path) > len("/wiki/"):
        title = path.removeprefix("/wiki/")
    if not title:
        return None
    return wikipedia_url(lang, _strip_mobile_special(title), oldid, diff), kinds


def _unwrap_query(query: str) -> str | None:
    """The address a query-string proxy wraps: a `url=`/`q=` value that is a URL, plain or base64."""
    for values in parse_qs(query).values():
        for value in values:
            if re.match(r"https?://", value):
                return value
            try:
                decoded = base64.b64decode(value + "=" * (-len(value) % 4), validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError, ValueError):
                continue
            if re.match(r"https?://", decoded):
                return decoded
    return None


def _unwrap_path(path: str, query: str) -> str | None:
    match = PATH_PROXY.match(path)
    if not match or not match["host"]:
        return None
    rest = match["rest"] or "/"
    return f"{match['scheme'] or 'https'}://{match['host']}{rest}" + (f"?{query}" if query else "")


def _decode_hex_host(host: str) -> str | None:
    label = host.split(".", maxsplit=1)[0]
    match = HEX_LABEL.match(label)
    if not match:
        return None
    try:
        return ".".join(bytes.fromhex(part).decode("ascii") for part in match["labels"].split("o"))
    except (ValueError, UnicodeDecodeError):
        return None


@lru_cache(maxsize=4096)
def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _mirror(host: str, path: str, query: str) -> tuple[str, str] | None:
    """(canonical, kind) for a known Wikipedia copy, or None."""
    found = _lookup(host, MIRRORS)
    if not found:
        return None
    known, mirror = found
    target = path + (f"?{query}" if query else "")
    match = re.fullmatch(mirror.shape, target) or re.match(mirror.shape, target)
    if not match:
        return None
    groups = match.groupdict()
    lang = groups.get("lang") or mirror.edition or _subdomain_lang(host, known)
    oldid = diff = None
    if groups.get("query") is not None:
        title, oldid, diff, query_lang = _query_title(groups["query"])
        lang = query_lang or lang
    else:
        title = groups.get("title")
    if not title or not lang:
        return None
    return wikipedia_url(lang.lower(), _strip_mobile_special(title), oldid, diff), mirror.kind


def canonical(url: str, originals: dict[str, str] | None = None) -> Citation:
    """The page `url` stands for, and what kind of copy `url` is (no kinds: it is the page itself).

    `originals` maps copies whose address does not name their page (re-hosted
    articles, hash-named scrapers) to the originals found by hand. An address
    listed there is a copy whatever its host: an outlet that publishes its own
    articles may also reprint an agency's.
    """
    given = url.strip()
    found = _canonical(given)
    if originals and given in originals and (found.url is None or not found.is_copy):
        return Citation(given, originals[given], found.kinds or (REHOST,), found.snapshot)
    return found


def _canonical(given: str) -> Citation:
    kinds: list[str] = []
    snapshot = None
    current = given
    for _ in range(4):  # a proxy may wrap a mobile view of a proxy; four layers is plenty
        parts = urlsplit(current)
        host = _host(parts.hostname)
        if host.endswith("."):
            kinds.append(TRAILING_DOT)
            host = host.rstrip(".")
        path, query = parts.path or "/", parts.query
        if parts.scheme == "http" and any(_matches(host, h) for h in HTTPS_HOSTS):
            kinds.append(HTTP)
        hex_host = _decode_hex_host(host)
        if hex_host:
            kinds.append(HEX_HOST)
            current = f"https://{hex_host}{path}" + (f"?{query}" if query else "")
            continue
        if ".onion." in host or host.endswith(".onion"):
            kinds.append(TOR)
            title, oldid, diff, lang = _query_title(query)
            if title and lang:
                return Citation(given, wikipedia_url(lang, title, oldid, diff), tuple(kinds))
            return Citation(given, None, tuple(kinds))
        if any(_matches(host, h) for h in QUERY_PROXY_HOSTS) and (inner := _unwrap_query(query)):
            kinds.append(PROXY)
            current = inner
            continue
        if (any(_matches(host, h) for h in PATH_PROXY_HOSTS) or _is_ip(host)) and (inner := _unwrap_path(path, query)):
            if not KIWIX_PATH.search(path):
                kinds.append(PROXY)
                current = inner
                continue
        kiwix = KIWIX_PATH.search(path)
        if kiwix:
            kinds.append(KIWIX)
            return Citation(given, wikipedia_url(kiwix["lang"], kiwix["title"]), tuple(kinds), kiwix["snapshot"])
        ipfs = IPFS_PATH.search(path)
        if ipfs and ipfs["hash"] in IPFS_SNAPSHOTS:
            kinds.append(IPFS)
            return Citation(given, wikipedia_url(IPFS_SNAPSHOTS[ipfs["hash"]], ipfs["title"]), tuple(kinds))
        wiki = _wikipedia(host, path, query)
        if wiki:
            canonical_url, found = wiki
            kinds.extend(found)
            return Citation(given, canonical_url, tuple(kinds), snapshot)
        mirror = _mirror(host, path, query)
        if mirror:
            canonical_url, kind = mirror
            if host.startswith(("m.", "en.m.")) or ".m." in host:
                kinds.append(MOBILE)
            kinds.append(kind)
            return Citation(given, canonical_url, tuple(kinds))
        rehost = next((h for h in REHOSTS if _matches(host, h)), None)
        if rehost:
            kinds.append(REHOST)
            return Citation(given, _known_rehost(host, path), tuple(kinds))
        return _news(given, parts.scheme, host, path, query, kinds)
    return Citation(given, None, tuple(kinds))


def _known_rehost(host: str, path: str) -> str | None:
    """The original of a re-hosted copy whose address keeps the original's path.

    The OC Media staging host serves the same articles at the same paths as
    oc-media.org (seen for "The last bus out of Nagorno-Karabakh").
    """
    if _matches(host, "lfwp.net") and path.startswith("/dw/"):
        return "https://www.dw.com" + path.removeprefix("/dw")
    if host == "ocmedianew.vecto.digital":
        return "https://oc-media.org" + path
    return None


def _news(given: str, scheme: str, host: str, path: str, query: str, kinds: list[str]) -> Citation:
    """Outlets' own addresses: AMP, mobile, print and preview views mapped to the article."""
    if host in MOBILE_HOSTS:
        kinds.append(MOBILE)
        host = MOBILE_HOSTS[host]
    if host == "rfe.pangea-cms.com" and (preview := re.match(r"^/preview/(?P<service>[^/]+)(?P<rest>/.*)$", path)):
        site = PANGEA_PREVIEW_SERVICES.get(preview["service"])
        kinds.append(PREVIEW)
        return Citation(given, f"https://{site}{preview['rest']}" if site else None, tuple(kinds))
    if host in PANGEA_HOSTS and path.startswith("/amp/"):
        kinds.append(AMP)
        path = "/a/" + path.removeprefix("/amp/")
    elif re.search(r"(^|/)amp(/|$)", path):
        kinds.append(AMP)
        path = re.sub(r"/amp(?=/|$)", "", path) or "/"
    if re.search(r"/print/?$", path):
        kinds.append(PRINT)
        path = re.sub(r"/print/?$", "", path)
    elif re.match(r"^/print/", path):
        kinds.append(PRINT)
        path = path.removeprefix("/print")
    if not kinds:
        return Citation(given, given)
    scheme = "https" if HTTP in kinds or scheme == "https" else scheme
    return Citation(given, f"{scheme}://{host}{path}" + (f"?{query}" if query else ""), tuple(kinds))


# --- finding addresses in text ----------------------------------------------------------------

_URL = re.compile(r"https?://[^\s\"'<>|\]\[]+", re.IGNORECASE)
_BARE = re.compile(
    r"(?<![\w@/.-])(?:www\.)?(?:[a-z0-9-]+\.)+(?:org|com|am|net|info|ru|az|eu|edu|today|wiki|io|uk|de|fr|it)(?:/[^\s\"'<>|,;)]*[^\s\"'<>|,;).])",
    re.IGNORECASE,
)


def _trim(url: str) -> str:
    while True:
        trimmed = url.rstrip(".,;:!?")
        while trimmed.endswith(")") and trimmed.count("(") < trimmed.count(")"):
            trimmed = trimmed[:-1]
        if trimmed == url:
            return url
        url = trimmed


def find_urls(text: str) -> list[str]:
    """The http(s) addresses written in `text`, in order (trailing punctuation and unmatched `)` left out)."""
    return [_trim(match) for match in _URL.findall(text or "")]


def find_addresses(text: str) -> list[str]:
    """Addresses in free text, with or without `http(s)://` (`example.org/page`): citations that belong in a field."""
    found = find_urls(text)
    rest = _URL.sub(" ", text or "")
    return found + [_trim(match) for match in _BARE.findall(rest)]


def label(url: str) -> str:
    """A short name for a cited page, for prose that mentions it: `en.wikipedia 'Kanach Zham'`, or the site's host."""
    wiki = re.match(r"https?://([a-z-]+)\.wikipedia\.org/(?:wiki/|w/index\.php\?title=)([^&#]+)", url)
    if wiki:
        return f"{wiki[1]}.wikipedia '{unquote(wiki[2]).replace('_', ' ')}'"
    return (urlsplit(url).hostname or url).removeprefix("www.")


def problem(url: str, originals: dict[str, str] | None = None) -> str | None:
    """Why `url` cannot be a citation, naming the form it should take; None when it can."""
    citation = canonical(url, originals)
    if not citation.is_copy:
        return None
    if citation.url:
        return f"{url!r} is {citation.describe()}; cite {citation.url}"
    return (
        f"{url!r} is {citation.describe()} whose page it does not name; "
        "cite the original page (find it and record the copy in read_via)"
    )
