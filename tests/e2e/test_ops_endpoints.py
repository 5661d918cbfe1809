"""The operations endpoints every service shares: one /readyz shape (newsroom.shared.readiness)
across ingest, render and both enrich workers, and enrich's OpenAPI document for them."""

from __future__ import annotations

import httpx
import pytest

from support.system import RunningSystem

pytestmark = pytest.mark.e2e


def test_every_service_answers_readyz_in_one_shape(system: RunningSystem) -> None:
    urls = {
        "ingest": system.ingest_url,
        "render": system.render_url,
        "enrich": system.enrich_url,
        "enrich-2": system.second_enrich_url,
    }
    checks = {}
    for name, url in urls.items():
        ready = httpx.get(f"{url}/readyz", timeout=10)
        assert ready.status_code == 200, (name, ready.text)
        document = ready.json()
        assert set(document) <= {"status", "checks", "details"}, (name, document)
        assert document["status"] == "ready"
        assert set(document["checks"].values()) == {"ok"}, (name, document)
        checks[name] = set(document["checks"])
    assert checks == {
        "ingest": {"database"},
        "render": {"redis", "database"},
        "enrich": {"redis", "model"},
        "enrich-2": {"redis", "model"},
    }


def test_enrich_serves_the_openapi_document_of_its_ops_endpoints(system: RunningSystem) -> None:
    document = httpx.get(f"{system.enrich_url}/openapi.json", timeout=10).json()
    assert document["openapi"].startswith("3.")
    assert {"/healthz", "/readyz", "/metrics"} <= set(document["paths"])
    readyz = document["paths"]["/readyz"]["get"]["responses"]
    assert set(readyz) == {"200", "503"}
    assert "application/problem+json" in readyz["503"]["content"]
