"""What makes an article publishable: the contract the producer edge (ingest) checks before it
answers 202, so that storage and every consumer can take what it accepted.

Limits are in characters; identifiers are also stored in bounded columns (ingest's inbox)."""

from __future__ import annotations

# The wire's identifier of the item; ids, logs and URLs are built from it.
MAX_URI_CHARS = 1000
# inbox_items.version is String(200).
MAX_VERSION_CHARS = 200
# A headline is a line, however long the wire's: 1000 characters is several paragraphs.
MAX_HEADLINE_CHARS = 1000
MAX_SLUGLINE_CHARS = 200
# What the OpenAPI document generates up to; the body's real bound is the request size.
MAX_BODY_TEXT_CHARS = 100_000
