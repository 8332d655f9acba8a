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
from urllib.parse import urlsplit

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
