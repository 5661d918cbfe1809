"""Losing Redis loses nothing: FLUSHALL on a running system's own redis-server in the middle of
a load. The services recreate their groups without a restart, ingest re-publishes what the
archive lacks or some consumer may not have had, enrich enriches again what it must; then
every story accepted before and after is served at its final version with its entities, and
none is listed twice."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from support.system import RunningSystem, poll, wait_ready

pytestmark = pytest.mark.e2e

SEED = "seed/space-race-2.v1.ninjs.json"
# Two enrich workers on a shared 2-core machine, and everything re-published once.
SERVED_WITHIN = 300.0


def story(seed: dict[str, Any], folder: Path, number: int, version: int) -> Path:
    """The seed story as another article (its own uri) at `version`."""
    item = {
        **seed,
        "uri": f"urn:newsroom:test:redis-loss:{number}",
        "version": str(version),
        "versioncreated": f"2021-09-20T{9 + version:02d}:00:00Z",
        "headline": f"Story {number} version {version}: {seed['headline']}",
    }
    path = folder / f"story-{number}-v{version}.json"
    path.write_text(json.dumps(item))
    return path


def send(system: RunningSystem, files: list[Path]) -> None:
    sent = system.send(*files)
    accepted = [line for line in sent.stdout.splitlines() if line.startswith("202 ")]
    assert len(accepted) == len(files), sent.stdout + sent.stderr


def served(render_url: str) -> dict[str, list[tuple[str, str | None, int]]]:
    """Per headline number: (version, enriched version, entities) of each listed copy."""
    by_story: dict[str, list[tuple[str, str | None, int]]] = {}
    with httpx.Client(base_url=render_url, timeout=10) as client:
        listing = client.get("/api/articles", params={"per_page": 100}).json()
        for item in listing["items"]:
            article = client.get(item["links"]["api"]).json()
            enrichment = article.get("enrichment") or {}
            number = article["headline"].split()[1]
            by_story.setdefault(number, []).append(
                (item["version"], enrichment.get("version"), len(article.get("entities") or []))
            )
    return by_story


def test_flushall_mid_load_loses_no_story(
    system: RunningSystem, corpus_dir: Path, tmp_path: Path
) -> None:
    wait_ready(system.archive_url, system.process)
    seed = json.loads((corpus_dir / SEED).read_text(encoding="utf-8"))
    folder = tmp_path / "stories"
    folder.mkdir()

    send(system, [story(seed, folder, n, 1) for n in range(8)])
    client = redis.Redis.from_url(system.redis_url)
    try:
        client.flushall()  # the system's own redis-server, while it works through those
    finally:
        client.close()
    # Corrections of stories accepted before the loss, and new stories after it.
    send(system, [story(seed, folder, n, 2) for n in range(4)])
    send(system, [story(seed, folder, n, 1) for n in range(8, 12)])

    final = {str(n): "2" if n < 4 else "1" for n in range(12)}

    def complete(by_story: dict[str, list[tuple[str, str | None, int]]]) -> bool:
        return set(by_story) == set(final) and all(
            copies == [(final[n], final[n], copies[0][2])] and copies[0][2] > 0
            for n, copies in by_story.items()
        )

    by_story = poll(lambda: served(system.render_url), complete, SERVED_WITHIN)
    for number, copies in by_story.items():
        assert len(copies) == 1, f"story {number} listed {len(copies)} times"
    log = "".join(system.output)
    assert "consumer_group_recreated" in log
    assert "lost_events_republished" in log
