"""How a wire partner signs its webhooks: the schemes a source may be configured with (the
settings name one per source; ingest's domain verifies them)."""

from __future__ import annotations

from enum import StrEnum


class SignatureScheme(StrEnum):
    STANDARD_WEBHOOKS = "standard-webhooks"
    SUPERDESK_SHA1 = "superdesk-sha1"
    GITHUB_SHA256 = "github-sha256"
