"""Deliveries signed as a wire partner signs them, with the development source's secret."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import httpx

from newsroom.cli.local_sources import DEMO_SOURCE, secret_for
from newsroom.ingest.domain.signatures import sign_standard_webhook
from support.system import RunningSystem

ITEMS_PATH = f"/v1/sources/{DEMO_SOURCE}/items"


def ninjs_bytes(item: Any) -> bytes:
    """JSON as a sender writes it: lone surrogates travel as escapes ("\\ud800")."""
    return json.dumps(item).encode()


def signed_headers(
    system: RunningSystem, body: bytes, webhook_id: str | None = None
) -> dict[str, str]:
    secret = secret_for(system.var_dir, DEMO_SOURCE)
    assert secret, "newsroom up created no demo source"
    return sign_standard_webhook(
        secret, webhook_id or f"msg_{uuid.uuid4().hex}", int(time.time()), body
    )


def post_signed(
    system: RunningSystem,
    body: bytes,
    *,
    webhook_id: str | None = None,
    content_type: str = "application/json",
    client: httpx.Client | None = None,
) -> httpx.Response:
    headers = {"content-type": content_type, **signed_headers(system, body, webhook_id)}
    url = f"{system.ingest_url}{ITEMS_PATH}"
    if client is not None:
        return client.post(url, content=body, headers=headers)
    return httpx.post(url, content=body, headers=headers, timeout=30)
