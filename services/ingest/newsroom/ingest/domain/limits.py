"""How long the identifiers ingest stores may be: what the inbox columns hold (see
adapters/database.py), checked before anything is written, so that an over-long value is a
4xx the partner can act on rather than a database error answered 500 on every retry. The uri
and version limits are the publishability contract's (newsroom.shared.publishable)."""

from __future__ import annotations

from newsroom.shared.publishable import MAX_URI_CHARS, MAX_VERSION_CHARS

# inbox_deliveries.delivery_id, inbox_items.delivery_id: String(200).
MAX_DELIVERY_ID_CHARS = 200

__all__ = ["MAX_DELIVERY_ID_CHARS", "MAX_URI_CHARS", "MAX_VERSION_CHARS"]
