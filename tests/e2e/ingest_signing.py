"""A schemathesis hook (SCHEMATHESIS_HOOKS=ingest_signing) that signs generated deliveries as a wire
partner does, with the Standard Webhooks secret of the development source `demo` (schemathesis.toml
sends them to `demo`), so they reach ingest's parsing instead of all stopping at the signature
check; a bad signature's 401 is covered by ingest's own tests. NEWSROOM_VAR names `newsroom up`'s
--var folder, where the secret is kept."""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path
from typing import Any

import requests
import schemathesis

from newsroom.cli.local_sources import DEMO_SOURCE, secret_for
from newsroom.ingest.domain.signatures import sign_standard_webhook


class StandardWebhooksSigning(requests.auth.AuthBase):
    """Signs the body exactly as sent: requests applies auth after it has encoded the body."""

    def __init__(self, secret: str) -> None:
        self.secret = secret

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        body = request.body or b""
        body = body.encode() if isinstance(body, str) else body
        request.headers.update(
            sign_standard_webhook(self.secret, f"msg_{uuid.uuid4().hex}", int(time.time()), body)
        )
        return request


_secret = secret_for(Path(os.environ["NEWSROOM_VAR"]), DEMO_SOURCE)
assert _secret, f"no {DEMO_SOURCE} source under {os.environ['NEWSROOM_VAR']}"
SIGNING = StandardWebhooksSigning(_secret)


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    kwargs["auth"] = SIGNING
