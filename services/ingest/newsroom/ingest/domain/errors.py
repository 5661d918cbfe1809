"""Why a wire item is refused; each maps to one HTTP status and one problem type."""

from __future__ import annotations


class WireItemRefused(Exception):
    """Base: `status` and `problem` (a short slug used in the problem+json `type` URI)."""

    status: int = 400
    problem: str = "bad-request"
    title: str = "Bad request"

    def __init__(self, detail: str, *, pointer: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        # JSON pointer / field name the partner should look at, when there is one.
        self.pointer = pointer


class UnsupportedFormat(WireItemRefused):
    status = 415
    problem = "unsupported-format"
    title = "Unsupported wire format"


class MalformedBody(WireItemRefused):
    """Not well-formed JSON or XML (including forbidden DTDs and entities)."""

    status = 400
    problem = "malformed-body"
    title = "Malformed body"


class UnusableItem(WireItemRefused):
    """Well-formed, but no usable article: no identifier, no text for a text item, …"""

    status = 422
    problem = "unusable-item"
    title = "No usable article in the item"
