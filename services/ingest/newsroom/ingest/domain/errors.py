"""Why a wire item is refused; each declares its HTTP status, problem type slug and title (the
shared problem-details module answers them as RFC 9457 problem+json)."""

from __future__ import annotations

from newsroom.shared.problems import Problem


class WireItemRefused(Problem):
    """Base: a refusal the partner can act on; `pointer` names the field or header to look at,
    when there is one."""

    status = 400
    slug = "bad-request"
    title = "Bad request"


class UnsupportedFormat(WireItemRefused):
    status = 415
    slug = "unsupported-format"
    title = "Unsupported wire format"


class MalformedBody(WireItemRefused):
    """Not well-formed JSON or XML (including forbidden DTDs and entities)."""

    status = 400
    slug = "malformed-body"
    title = "Malformed body"


class UnusableItem(WireItemRefused):
    """Well-formed, but no usable article: no identifier, no text for a text item, …"""

    status = 422
    slug = "unusable-item"
    title = "No usable article in the item"
