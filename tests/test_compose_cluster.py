"""The compose cluster variant (docker-compose.cluster.yml over docker-compose.yml), checked as
compose would merge it: valid compose, six cluster nodes that the cluster-creating `redis`
waits for, and the services pointed at the cluster with variables their settings read."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from newsroom.shared.settings import (
    ArchiveSettings,
    EnrichSettings,
    IngestSettings,
    RenderSettings,
)

REPO = Path(__file__).resolve().parents[1]
SERVICES = {
    "ingest": IngestSettings,
    "enrich": EnrichSettings,
    "render": RenderSettings,
    "archive": ArchiveSettings,
}


def merged(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Compose's merge, for what these files use: mappings merged key by key, anything else
    (a command list, a scalar) replaced."""
    result = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merged(result[key], value)
        else:
            result[key] = value
    return result


@pytest.fixture(scope="module")
def override() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((REPO / "docker-compose.cluster.yml").read_text())
    return loaded


@pytest.fixture(scope="module")
def compose(override: dict[str, Any]) -> dict[str, Any]:
    base = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    return merged(base, override)


def test_the_override_and_the_merged_file_are_valid_compose(
    override: dict[str, Any], compose: dict[str, Any]
) -> None:
    schema = json.loads((REPO.parent / "shared" / "schemas" / "compose-spec.json").read_text())
    jsonschema.validate(override, schema)
    jsonschema.validate(compose, schema)


def test_six_cluster_nodes_and_the_cluster_is_created_before_the_services_start(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    nodes = [f"redis-node-{n}" for n in range(1, 7)]
    for node in nodes:
        assert "--cluster-enabled" in services[node]["command"]
        assert "--appendonly" in services[node]["command"]
    create = services["redis"]
    assert "--cluster create" in " ".join(create["command"])
    assert "--cluster-replicas 1" in " ".join(create["command"])
    assert set(create["depends_on"]) == set(nodes)
    assert "cluster_state:ok" in create["healthcheck"]["test"][1]
    for name in SERVICES:
        assert services[name]["depends_on"]["redis"]["condition"] == "service_healthy"


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_services_use_the_cluster_with_variables_they_read(
    compose: dict[str, Any], service: str
) -> None:
    environment = compose["services"][service]["environment"]
    assert environment["REDIS_CLUSTER"] == "true"
    assert environment["REDIS_URL"] == "redis://redis-node-1:6379"
    assert environment["STREAM_SHARDS"] == "6"
    known = {name.upper() for name in SERVICES[service].model_fields}
    assert set(environment) <= known
