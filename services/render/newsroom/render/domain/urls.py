"""Which addresses from the wire may be handed on: to a reader's browser, to a crawler in
structured data, to an API client. Wire items carry whatever their sender wrote: `javascript:`
links, addresses inside the sender's network (`http://localhost:5000/…`), or megabytes of text
in one field."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

MAX_URL = 2000  # characters: what browsers, crawlers and CDNs reliably accept

# Names that never leave the network they are used in (RFC 6761, RFC 6762, RFC 8375, and the
# usual private suffixes).
_PRIVATE_SUFFIXES = (
    ".localhost",
    ".local",
    ".internal",
    ".intranet",
    ".lan",
    ".home.arpa",
    ".corp",
    ".example",
    ".invalid",
    ".test",
)


def web_url(url: str | None, *, relative: bool = True) -> str | None:
    """`url` when it is an http(s) address or (if `relative`) a path on this site (`/…`, not
    `//host`), else None: never a `javascript:`, `data:` or other scheme a browser would run or
    embed."""
    if not url or len(url) > MAX_URL:
        return None
    url = url.strip()
    if url.startswith("/") and not url.startswith("//"):
        return url if relative else None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url


def public_url(url: str | None, base_url: str) -> str | None:
    """An absolute address anyone on the internet can fetch, for structured data: a path on
    this site made absolute with `base_url`, or an http(s) address on a public host (not
    `localhost`, a private or reserved IP address, a single-label or private-use name)."""
    url = web_url(url)
    if url is None:
        return None
    if url.startswith("/"):
        return base_url.rstrip("/") + url
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    try:
        return url if ipaddress.ip_address(host).is_global else None
    except ValueError:
        pass  # a name, not an address
    if "." not in host or host == "localhost" or host.endswith(_PRIVATE_SUFFIXES):
        return None
    return url
