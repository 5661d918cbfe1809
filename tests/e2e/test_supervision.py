"""`newsroom up` keeps the system running when a service dies: the dead process is started
again with backoff, the output says so, and the others never stop."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import httpx
import pytest

from support.signed import post_signed
from support.system import RunningSystem, poll, wait_ready

pytestmark = pytest.mark.e2e


def test_a_killed_worker_is_restarted_and_posts_still_succeed(
    system: RunningSystem, corpus_dir: Path
) -> None:
    before = system.service_pids()
    # The worker and its shell: what an OOM kill or a crash leaves.
    os.killpg(before["enrich"], signal.SIGKILL)

    restarted = poll(
        lambda: system.service_pids(),
        lambda pids: pids["enrich"] != before["enrich"],
        timeout=60,
    )
    output = "".join(system.output)
    assert "enrich exited (rc=" in output
    assert "restarting in 1 s (restart 1)" in output
    assert system.process.poll() is None, "newsroom up stopped"
    wait_ready(system.enrich_url, system.process)
    # Nothing else was stopped or restarted.
    assert {name: restarted[name] for name in ("ingest", "render", "enrich-2")} == {
        name: before[name] for name in ("ingest", "render", "enrich-2")
    }

    # A burst of posts while enrich is back: every one accepted, the story enriched.
    seed = (corpus_dir / "seed" / "space-race-2.v1.ninjs.json").read_bytes()
    answers = [post_signed(system, seed) for _ in range(20)]
    assert [answer.status_code for answer in answers] == [202] + [200] * 19
    api = answers[0].json()["links"]["api"]
    enriched = poll(
        lambda: httpx.get(api, timeout=5),
        lambda r: r.status_code == 200 and r.json().get("entities"),
        timeout=120,
    )
    assert enriched.json()["headline"].startswith("Space Race 2")
