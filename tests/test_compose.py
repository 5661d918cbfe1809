"""docker-compose.yml cannot be run here (no Docker engine), so check what compose would do:
the file is valid compose, and every command and variable it gives a service exists in that
service's code."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from pydantic_settings import BaseSettings

from newsroom.shared.settings import (
    ArchiveSettings,
    EnrichSettings,
    IngestSettings,
    RenderSettings,
)

REPO = Path(__file__).resolve().parents[1]
SETTINGS: dict[str, type[BaseSettings]] = {
    "ingest": IngestSettings,
    "enrich": EnrichSettings,
    "render": RenderSettings,
    "archive": ArchiveSettings,
}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    return loaded


def test_compose_file_is_valid_against_the_compose_spec(compose: dict[str, Any]) -> None:
    schema = json.loads((REPO.parent / "shared" / "schemas" / "compose-spec.json").read_text())
    jsonschema.validate(compose, schema)


@pytest.mark.parametrize("service", sorted(SETTINGS))
def test_service_command_is_an_installed_console_script(
    compose: dict[str, Any], service: str
) -> None:
    command = compose["services"][service]["command"]
    pyproject = tomllib.loads((REPO / "services" / service / "pyproject.toml").read_text())
    assert command[0] in pyproject["project"]["scripts"]
    script = Path(sys.executable).with_name(command[0])
    result = subprocess.run(
        [str(script), *command[1:], "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("service", sorted(SETTINGS))
def test_every_environment_variable_is_a_setting_of_the_service(
    compose: dict[str, Any], service: str
) -> None:
    environment = compose["services"][service]["environment"]
    known = {name.upper() for name in SETTINGS[service].model_fields}
    unknown = set(environment) - known
    assert not unknown, f"{service} is given variables its settings never read: {sorted(unknown)}"


@pytest.mark.parametrize("service", sorted(SETTINGS))
def test_dockerfile_runs_the_same_command_as_compose(compose: dict[str, Any], service: str) -> None:
    definition = compose["services"][service]
    dockerfile = REPO / definition["build"]["dockerfile"]
    cmd = re.search(r"^CMD (\[.*\])$", dockerfile.read_text(), re.MULTILINE)
    assert cmd is not None
    assert json.loads(cmd.group(1)) == definition["command"]


def test_enrich_runs_replicated_and_every_service_waits_for_healthy_dependencies(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    assert services["enrich"]["deploy"]["replicas"] >= 2
    for name in SETTINGS:
        assert services[name]["depends_on"]["redis"]["condition"] == "service_healthy"
        assert "healthcheck" in services[name]
    assert "--appendonly" in services["redis"]["command"]
