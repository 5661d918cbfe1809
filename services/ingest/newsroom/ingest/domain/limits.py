"""How long the identifiers ingest stores may be: what the inbox columns hold (see
adapters/database.py), checked before anything is written, so that an over-long value is a
4xx the partner can act on rather than a database error answered 500 on every retry."""

from __future__ import annotations

# inbox_deliveries.delivery_id, inbox_items.delivery_id: String(200).
MAX_DELIVERY_ID_CHARS = 200
# inbox_items.version: String(200).
MAX_VERSION_CHARS = 200
# The uri columns are TEXT; the bound keeps ids, logs and URLs built from it reasonable.
MAX_URI_CHARS = 1000
