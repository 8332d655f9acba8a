"""Which addresses may become links in a published page: the one rule on the Python side.

A value from the data becomes an `href` only when it is an absolute `https:`
or `http:` URL with a host, or a same-site relative path. Everything else
(`javascript:`, `data:`, `vbscript:`, a protocol-relative `//evil.example/`,
a path starting `/\\`, anything with control characters or white space)
shows as text. `geo/static/heritage.js` applies the same rule in the browser
(`isSafeHref`), and `tests/test_links.py` runs both over one list of cases.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from geo.errors import HeritageMapError

_RELATIVE = re.compile(r"[A-Za-z0-9._~%/#?=&+-]+")
"""Characters of a same-site relative path this package writes (page names, anchors, query strings)."""


class LinkError(HeritageMapError, ValueError):
    """An address given for the published maps (`--base-url`) is not an absolute web address."""


def is_web_url(value: object) -> bool:
    """True for an absolute `http(s)://host/...` address with no white space or control characters."""
    if not isinstance(value, str) or not value.isprintable() or any(c.isspace() for c in value):
        return False
    parts = urlsplit(value)
    return (
        parts.scheme.lower() in ("http", "https") and bool(parts.hostname) and value.lower().startswith(("http://", "https://"))
    )


def is_same_site_path(value: object) -> bool:
    """True for a relative path on the same site: no scheme, not `//host` (protocol-relative), not `/\\`."""
    # The allowed characters hold no ":" (so no scheme) and no "\\"; "//" would name another host.
    return isinstance(value, str) and bool(_RELATIVE.fullmatch(value)) and not value.startswith("//")


def is_safe_href(value: object) -> bool:
    """Whether `value` may be written as a link's `href` (`is_web_url` or `is_same_site_path`)."""
    return is_web_url(value) or is_same_site_path(value)


def base_url(value: str) -> str:
    """`value` as the base address of the published maps (with a trailing `/`), or LinkError saying why not.

    Embeds are pasted into other sites' pages, so the address must be absolute.
    """
    if not is_web_url(value) or urlsplit(value).query or urlsplit(value).fragment:
        raise LinkError(
            f"--base-url {value!r}: not an absolute http(s) address; "
            "fix: give the address the maps folder is published at, e.g. https://example.org/karabakh-maps/"
        )
    return value if value.endswith("/") else value + "/"


_WIKIPEDIA_ARTICLE = re.compile(r"/wiki/(?P<path>[^?#]+)(?:\?.*)?|/w/index\.php\?(?:.*&)?title=(?P<query>[^&]+)(?:&.*)?")


def link_label(value: str) -> str:
    """What a link to `value` shows: the site's name from its host (less `www.`), and a Wikipedia article's title.

    A long address wraps one character per line on a phone, so the address stays behind the link and the text
    names where it leads: `massispost.com`, `en.wikipedia.org: Kanach Zham` (a Wikipedia article's title is
    the last part of its address). Nothing else is shown: no title is guessed from a path. Anything that is
    not a web address is shown as it is. `geo/static/heritage.js` (`linkLabel`) applies the same rule.
    """
    if not is_web_url(value):
        return value
    parts = urlsplit(value)
    host = (parts.hostname or "").removeprefix("www.")
    article = _WIKIPEDIA_ARTICLE.fullmatch(parts.path + (f"?{parts.query}" if parts.query else ""))
    if host.endswith(".wikipedia.org") and article:
        title = unquote(article["path"] or article["query"]).replace("_", " ").strip()
        if title:
            return f"{host}: {title}"
    return host
