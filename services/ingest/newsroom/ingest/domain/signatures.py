"""Webhook signature verification over the raw bytes of a delivery (pure, no I/O).

Three schemes, chosen per source in settings:

- Standard Webhooks v1 (default): `webhook-id`, `webhook-timestamp`, `webhook-signature`
  (space-separated `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`), secrets `whsec_<base64>`,
  timestamp within ±tolerance.
- Superdesk HTTP Push: `x-superdesk-signature: sha1=<hex HMAC-SHA1(body)>`.
- GitHub style: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(body)>`.

We own this instead of using the `standardwebhooks` package because it decodes the body as
UTF-8 (ISO-8859-1 NITF bodies must be verified as the bytes that were signed) and raises on
malformed headers instead of refusing the delivery.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from newsroom.ingest.domain.errors import WireItemRefused
from newsroom.shared.webhooks import SignatureScheme

STANDARD_WEBHOOKS_SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, not a secret)

# ASCII digits only: str.isdigit() also says yes to "²" (int() raises) and to other scripts'
# digits; 15 digits is far beyond any Unix time and well inside what int() converts.
_UNIX_SECONDS = re.compile(r"[0-9]{1,15}")


class SignatureRefused(WireItemRefused):
    """The delivery cannot be trusted: unknown source, missing or bad signature, stale timestamp."""

    status = 401
    slug = "invalid-signature"
    title = "Signature verification failed"


class UnknownSource(SignatureRefused):
    slug = "unknown-source"
    title = "Unknown source"


class StaleTimestamp(SignatureRefused):
    slug = "stale-timestamp"
    title = "Webhook timestamp outside the tolerance"


@dataclass(frozen=True)
class VerifiedDelivery:
    """What a verified signature tells us about the delivery: its id when the scheme has one
    (the idempotency key of Standard Webhooks, GitHub's delivery GUID)."""

    delivery_id: str | None
    # The header it came from, to name it when the id is refused.
    delivery_id_header: str | None = None


def _header(headers: Mapping[str, str], name: str) -> str | None:
    # HTTP header names are case-insensitive; Starlette's Headers already are, plain dicts are not.
    value = headers.get(name)
    if value is None:
        lowered = name.lower()
        for key, candidate in headers.items():
            if key.lower() == lowered:
                return candidate
    return value


def standard_webhooks_key(secret: str) -> bytes:
    """The HMAC key of a `whsec_<base64>` secret (the base64-decoded bytes, as the reference
    library does). A secret without the prefix is taken as base64 as well."""
    encoded = secret.removeprefix(STANDARD_WEBHOOKS_SECRET_PREFIX)
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("a Standard Webhooks secret must be whsec_ followed by base64") from exc


def standard_webhooks_signature(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """`v1,<base64>` for one secret."""
    signed = msg_id.encode() + b"." + str(timestamp).encode() + b"." + body
    digest = hmac.new(standard_webhooks_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def sign_standard_webhook(secret: str, msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The three headers a sender attaches to a Standard Webhooks delivery."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": standard_webhooks_signature(secret, msg_id, timestamp, body),
    }


def hex_hmac_signature(secret: str, body: bytes, algorithm: str) -> str:
    """`<algorithm>=<hex HMAC(secret, body)>` (Superdesk `sha1=…`, GitHub `sha256=…`)."""
    digest = hmac.new(secret.encode("utf-8"), body, getattr(hashlib, algorithm)).hexdigest()
    return f"{algorithm}={digest}"


def sign_superdesk(secret: str, body: bytes) -> dict[str, str]:
    return {"x-superdesk-signature": hex_hmac_signature(secret, body, "sha1")}


def sign_github(secret: str, body: bytes) -> dict[str, str]:
    return {"x-hub-signature-256": hex_hmac_signature(secret, body, "sha256")}


def verify_signature(
    *,
    scheme: SignatureScheme,
    secrets: Sequence[str],
    headers: Mapping[str, str],
    body: bytes,
    now: float,
    tolerance_seconds: int,
) -> VerifiedDelivery:
    """Accept the delivery if any configured secret produced any of its signatures; raise
    SignatureRefused (or StaleTimestamp) otherwise."""
    if scheme is SignatureScheme.STANDARD_WEBHOOKS:
        return _verify_standard_webhooks(secrets, headers, body, now, tolerance_seconds)
    if scheme is SignatureScheme.SUPERDESK_SHA1:
        _verify_hex_hmac(secrets, _header(headers, "x-superdesk-signature"), body, "sha1")
        return VerifiedDelivery(delivery_id=None)
    if scheme is SignatureScheme.GITHUB_SHA256:
        _verify_hex_hmac(secrets, _header(headers, "x-hub-signature-256"), body, "sha256")
        return VerifiedDelivery(
            delivery_id=_header(headers, "x-github-delivery"),
            delivery_id_header="x-github-delivery",
        )
    raise SignatureRefused(f"unsupported signature scheme {scheme!r}")


def check_signature_headers(
    *, scheme: SignatureScheme, headers: Mapping[str, str], now: float, tolerance_seconds: int
) -> None:
    """What can be refused before the body is read: a signature header missing, and (Standard
    Webhooks) a malformed or stale timestamp. An unauthenticated sender then costs no body."""
    if scheme is SignatureScheme.STANDARD_WEBHOOKS:
        _standard_webhooks_headers(headers, now, tolerance_seconds)
        return
    name = "x-superdesk-signature" if scheme is SignatureScheme.SUPERDESK_SHA1 else None
    name = name or ("x-hub-signature-256" if scheme is SignatureScheme.GITHUB_SHA256 else None)
    if name is None:
        raise SignatureRefused(f"unsupported signature scheme {scheme!r}")
    if not _header(headers, name):
        raise SignatureRefused(f"missing {name} header", pointer=f"header:{name}")


def _standard_webhooks_headers(
    headers: Mapping[str, str], now: float, tolerance_seconds: int
) -> tuple[str, int, str]:
    """(webhook-id, timestamp, webhook-signature), present and the timestamp fresh."""
    msg_id = _header(headers, "webhook-id")
    raw_timestamp = _header(headers, "webhook-timestamp")
    raw_signatures = _header(headers, "webhook-signature")
    if not msg_id or not raw_timestamp or not raw_signatures:
        missing = [
            name
            for name, value in (
                ("webhook-id", msg_id),
                ("webhook-timestamp", raw_timestamp),
                ("webhook-signature", raw_signatures),
            )
            if not value
        ]
        raise SignatureRefused(
            f"missing {', '.join(missing)} header", pointer=f"header:{missing[0]}"
        )
    if _UNIX_SECONDS.fullmatch(raw_timestamp) is None:
        raise SignatureRefused(
            "webhook-timestamp must be integer Unix seconds", pointer="header:webhook-timestamp"
        )
    timestamp = int(raw_timestamp)
    if abs(now - timestamp) > tolerance_seconds:
        raise StaleTimestamp(
            f"webhook-timestamp {timestamp} is more than {tolerance_seconds} s away from the "
            f"receiver's clock ({int(now)})",
            pointer="header:webhook-timestamp",
        )
    return msg_id, timestamp, raw_signatures


def _verify_standard_webhooks(
    secrets: Sequence[str],
    headers: Mapping[str, str],
    body: bytes,
    now: float,
    tolerance_seconds: int,
) -> VerifiedDelivery:
    msg_id, timestamp, raw_signatures = _standard_webhooks_headers(headers, now, tolerance_seconds)
    offered = [
        candidate.partition(",")[2].encode("ascii", errors="replace")
        for candidate in raw_signatures.split()
        if candidate.startswith("v1,")
    ]
    for secret in secrets:
        expected = standard_webhooks_signature(secret, msg_id, timestamp, body)
        expected_bytes = expected.partition(",")[2].encode("ascii")
        # Compare against every offered signature without stopping early on a match, so the
        # time taken does not depend on which one matched.
        if any([hmac.compare_digest(expected_bytes, signature) for signature in offered]):
            return VerifiedDelivery(delivery_id=msg_id, delivery_id_header="webhook-id")
    raise SignatureRefused(
        "no webhook-signature matches the body with any secret of this source",
        pointer="header:webhook-signature",
    )


def _verify_hex_hmac(
    secrets: Sequence[str], header_value: str | None, body: bytes, algorithm: str
) -> None:
    header_name = "x-superdesk-signature" if algorithm == "sha1" else "x-hub-signature-256"
    if not header_value:
        raise SignatureRefused(f"missing {header_name} header", pointer=f"header:{header_name}")
    offered = header_value.strip().encode("ascii", errors="replace")
    matches = [
        hmac.compare_digest(hex_hmac_signature(secret, body, algorithm).encode("ascii"), offered)
        for secret in secrets
    ]
    if not any(matches):
        raise SignatureRefused(
            f"{header_name} does not match the body with any secret of this source",
            pointer=f"header:{header_name}",
        )
