"""The HTTP contracts as API clients read them: schemathesis generates requests from ingest's and
render's OpenAPI documents, served by the running services, sends them over real HTTP and checks
every answer against the same documents. Bounds and checks: tests/e2e/schemathesis.toml.

schemathesis runs through its own command line, the way a developer runs it against `make run`:
it runs every phase (examples, coverage, fuzzing, stateful) and reports each distinct failure once,
with a curl command that reproduces it. (Its pytest loader for schemas from fixtures,
`schemathesis.pytest.from_fixture`, fails under pytest 9.2: it sets `Function._nodeid`, which
pytest no longer has.)"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from support.published import publish_seed_and_corpus
from support.system import RunningSystem

pytestmark = pytest.mark.e2e

HERE = Path(__file__).resolve().parent  # schemathesis.toml and the hooks module
SCHEMATHESIS = str(Path(sys.executable).with_name("schemathesis"))


def schemathesis_run(
    spec_url: str, base_url: str, workdir: Path, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            SCHEMATHESIS,
            "--config-file",
            str(HERE / "schemathesis.toml"),
            "run",
            spec_url,
            "--url",
            base_url,
        ],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=workdir,  # what schemathesis and Hypothesis write stays out of the tree
        env={
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")])),
            "NO_COLOR": "1",
            "COLUMNS": "120",
            **(extra_env or {}),
        },
    )


def test_ingest_answers_as_its_openapi_says(system: RunningSystem, tmp_path: Path) -> None:
    signed = {"SCHEMATHESIS_HOOKS": "ingest_signing", "NEWSROOM_VAR": str(system.var_dir)}
    run = schemathesis_run(f"{system.ingest_url}/openapi.json", system.ingest_url, tmp_path, signed)
    assert run.returncode == 0, run.stdout + run.stderr


def test_render_answers_as_its_openapi_says(
    system: RunningSystem, corpus_dir: Path, tmp_path: Path
) -> None:
    publish_seed_and_corpus(system, corpus_dir)  # lists, feeds and pages with real content
    run = schemathesis_run(f"{system.render_url}/openapi.json", system.render_url, tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr


def test_enrich_answers_as_its_openapi_says(system: RunningSystem, tmp_path: Path) -> None:
    run = schemathesis_run(f"{system.enrich_url}/openapi.json", system.enrich_url, tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
