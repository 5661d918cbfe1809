"""Refusals decided by ingest itself, beside the parsers' (domain/errors.py)."""

from __future__ import annotations

from newsroom.ingest.domain.errors import WireItemRefused


class BodyTooLarge(WireItemRefused):
    status = 413
    slug = "body-too-large"
    title = "Body too large"


class InvalidContentLength(WireItemRefused):
    status = 400
    slug = "invalid-content-length"
    title = "Invalid Content-Length"


class DeliveryIdReused(WireItemRefused):
    """A webhook id seen before with another body: a sender reusing an id for new content
    would otherwise be answered "duplicate" and its content never recorded."""

    status = 409
    slug = "delivery-id-reused"
    title = "Delivery id reused with another body"


class DeliveryIdTooLong(WireItemRefused):
    """A delivery id (webhook-id, X-GitHub-Delivery) longer than the inbox remembers."""

    status = 400
    slug = "delivery-id-too-long"
    title = "Delivery id too long"


class BodyTimeout(WireItemRefused):
    """The body did not arrive within the deadline: a slow sender does not hold a connection."""

    status = 408
    slug = "body-timeout"
    title = "Body not received in time"


class Busy(WireItemRefused):
    """Too many body bytes in flight across deliveries: retry after `Retry-After`."""

    status = 503
    slug = "busy"
    title = "Busy: too many deliveries being read"
