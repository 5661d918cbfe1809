"""Webhook signatures: published vectors, rotation, tolerance, raw bytes, malformed headers."""

from __future__ import annotations

import pytest

from newsroom.ingest.domain.signatures import (
    SignatureRefused,
    StaleTimestamp,
    hex_hmac_signature,
    sign_github,
    sign_standard_webhook,
    sign_superdesk,
    standard_webhooks_signature,
    verify_signature,
)
from newsroom.shared.webhooks import SignatureScheme

VECTOR_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
VECTOR_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
VECTOR_TIMESTAMP = 1614265330
VECTOR_BODY = b'{"test": 2432232314}'
VECTOR_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
OTHER_SECRET = "whsec_dGhlIG90aGVyIHNlY3JldCBvZiB0aGlzIHNvdXJjZQ=="


def verify_standard(
    headers: dict[str, str],
    body: bytes = VECTOR_BODY,
    *,
    secrets: list[str] | None = None,
    now: float = VECTOR_TIMESTAMP,
    tolerance: int = 300,
) -> str | None:
    return verify_signature(
        scheme=SignatureScheme.STANDARD_WEBHOOKS,
        secrets=secrets or [VECTOR_SECRET],
        headers=headers,
        body=body,
        now=now,
        tolerance_seconds=tolerance,
    ).delivery_id


def vector_headers(signature: str = VECTOR_SIGNATURE) -> dict[str, str]:
    return {
        "webhook-id": VECTOR_ID,
        "webhook-timestamp": str(VECTOR_TIMESTAMP),
        "webhook-signature": signature,
    }


def test_standard_webhooks_published_vector_is_produced() -> None:
    assert (
        standard_webhooks_signature(VECTOR_SECRET, VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY)
        == VECTOR_SIGNATURE
    )
    assert sign_standard_webhook(VECTOR_SECRET, VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY) == (
        vector_headers()
    )


def test_standard_webhooks_published_vector_verifies_and_yields_the_delivery_id() -> None:
    assert verify_standard(vector_headers()) == VECTOR_ID


def test_header_names_are_case_insensitive() -> None:
    headers = {name.title(): value for name, value in vector_headers().items()}
    assert verify_standard(headers) == VECTOR_ID


def test_any_listed_signature_may_match() -> None:
    signatures = f"v1a,bm90IGVkMjU1MTk= v1,Zm9yZ2VkIHNpZ25hdHVyZQ== {VECTOR_SIGNATURE}"
    assert verify_standard(vector_headers(signatures)) == VECTOR_ID


@pytest.mark.parametrize(
    "body",
    [b'{"test": 2432232315}', b'{"test":2432232314}', VECTOR_BODY + b"\n"],
    ids=["changed-value", "reserialised", "trailing-newline"],
)
def test_a_body_not_byte_identical_is_refused(body: bytes) -> None:
    with pytest.raises(SignatureRefused):
        verify_standard(vector_headers(), body)


def test_a_signature_with_a_wrong_secret_is_refused() -> None:
    forged = standard_webhooks_signature(OTHER_SECRET, VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY)
    with pytest.raises(SignatureRefused):
        verify_standard(vector_headers(forged))


def test_rotation_accepts_the_old_and_the_new_secret() -> None:
    for signing_secret in (VECTOR_SECRET, OTHER_SECRET):
        headers = sign_standard_webhook(signing_secret, "msg_1", VECTOR_TIMESTAMP, VECTOR_BODY)
        assert verify_standard(headers, secrets=[OTHER_SECRET, VECTOR_SECRET]) == "msg_1"


@pytest.mark.parametrize("offset", [-301, 301, -86_400])
def test_timestamp_outside_the_tolerance_is_refused(offset: int) -> None:
    with pytest.raises(StaleTimestamp) as refused:
        verify_standard(vector_headers(), now=VECTOR_TIMESTAMP - offset)
    assert refused.value.status == 401


@pytest.mark.parametrize("offset", [-300, 0, 300])
def test_timestamp_inside_the_tolerance_is_accepted(offset: int) -> None:
    assert verify_standard(vector_headers(), now=VECTOR_TIMESTAMP + offset) == VECTOR_ID


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"webhook-id": VECTOR_ID, "webhook-timestamp": str(VECTOR_TIMESTAMP)},
        {**vector_headers(), "webhook-timestamp": "yesterday"},
        {**vector_headers(), "webhook-timestamp": "1614265330.5"},
        # str.isdigit() says yes to these; int() raises on the first, accepts the second.
        {**vector_headers(), "webhook-timestamp": "\u00b2"},
        {**vector_headers(), "webhook-timestamp": "\u0661\u0666\u0661\u0664"},
        # More digits than int() converts by default (4300).
        {**vector_headers(), "webhook-timestamp": "9" * 5000},
        vector_headers("v1,not base64 at all!!"),
        vector_headers("v1,"),
        vector_headers("g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="),
        vector_headers("v1,ünïcödé"),
    ],
    ids=[
        "no-headers",
        "no-signature",
        "words-timestamp",
        "fractional-timestamp",
        "superscript-timestamp",
        "arabic-indic-timestamp",
        "huge-timestamp",
        "bad-base64",
        "empty-signature",
        "no-version-prefix",
        "non-ascii",
    ],
)
def test_malformed_headers_are_refused_not_crashed_on(headers: dict[str, str]) -> None:
    with pytest.raises(SignatureRefused):
        verify_standard(headers)


def test_iso_8859_1_bytes_are_verified_as_sent() -> None:
    body = '<?xml version="1.0" encoding="ISO-8859-1"?><nitf><p>Café £5</p></nitf>'.encode(
        "iso-8859-1"
    )
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    headers = sign_standard_webhook(VECTOR_SECRET, "msg_latin1", VECTOR_TIMESTAMP, body)
    assert verify_standard(headers, body) == "msg_latin1"


def test_github_published_vector() -> None:
    signature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    assert hex_hmac_signature("It's a Secret to Everybody", b"Hello, World!", "sha256") == (
        signature
    )
    delivery = verify_signature(
        scheme=SignatureScheme.GITHUB_SHA256,
        secrets=["It's a Secret to Everybody"],
        headers={"X-Hub-Signature-256": signature, "X-GitHub-Delivery": "72d3162e"},
        body=b"Hello, World!",
        now=0,
        tolerance_seconds=300,
    )
    assert delivery.delivery_id == "72d3162e"


@pytest.mark.parametrize(
    ("scheme", "sign", "header"),
    [
        (SignatureScheme.SUPERDESK_SHA1, sign_superdesk, "x-superdesk-signature"),
        (SignatureScheme.GITHUB_SHA256, sign_github, "x-hub-signature-256"),
    ],
)
def test_hex_hmac_schemes_accept_rotated_secrets_and_refuse_forgeries(
    scheme: SignatureScheme, sign: object, header: str
) -> None:
    assert callable(sign)
    body = b'{"guid": "tag:example.com,2024:1"}'

    def verify(headers: dict[str, str]) -> None:
        verify_signature(
            scheme=scheme,
            secrets=["new-secret", "old-secret"],
            headers=headers,
            body=body,
            now=0,
            tolerance_seconds=300,
        )

    verify(sign("old-secret", body))
    verify(sign("new-secret", body))
    for forged in (sign("not-a-secret", body), {header: "sha1=00"}, {}):
        with pytest.raises(SignatureRefused):
            verify(forged)


def test_superdesk_signature_is_hex_hmac_sha1_of_the_body() -> None:
    # HMAC-SHA1(key="key", "The quick brown fox jumps over the lazy dog"), the RFC 2104 example.
    assert sign_superdesk("key", b"The quick brown fox jumps over the lazy dog") == {
        "x-superdesk-signature": "sha1=de7c9b85b8b78aa6bc8a7a36f70a90701c9db4d9"
    }
