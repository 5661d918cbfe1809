"""Two enrich workers share a group; one is SIGKILLed mid-batch. Render's read model must still end
with every article enriched exactly once."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis

from enrich_test_support import (
    EnrichProcess,
    html_to_text,
    make_received,
    publish,
    read_enriched,
    wait_for,
)
from newsroom.shared.events import ArticleEnriched
from newsroom.shared.streams import ENRICH_ARTICLES
from support.servers import free_port

pytestmark = pytest.mark.integration

ARTICLES = 24


class RenderProcess:
    def __init__(self, redis_url: str, tmp: Path) -> None:
        self.port = free_port()
        self.database = tmp / "render.db"
        self.log = (tmp / "render.log").open("ab")
        self.process = subprocess.Popen(
            [str(Path(sys.executable).with_name("newsroom-render")), "serve"],
            env={
                **os.environ,
                "REDIS_URL": redis_url,
                "HTTP_PORT": str(self.port),
                "DATABASE_URL": f"sqlite+aiosqlite:///{self.database}",
            },
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        wait_for(self.ready, timeout=90, what="render ready")

    def ready(self) -> bool:
        try:
            return httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


@pytest.fixture
def render(redis_url: str, tmp_path: Path) -> Iterator[RenderProcess]:
    process = RenderProcess(redis_url, tmp_path)
    yield process
    process.stop()


def test_killed_worker_s_articles_end_enriched_exactly_once_in_the_read_model(
    redis_url: str, tmp_path: Path, corpus_dir: Path, render: RenderProcess
) -> None:
    seed = json.loads((corpus_dir / "seed" / "space-race-2.v1.ninjs.json").read_text())
    body = html_to_text(seed["body_html"])
    events = [make_received(n, f"Story {n}: {seed['headline']}", body) for n in range(ARTICLES)]
    settings = {"RECLAIM_IDLE_MS": "2000", "ENRICH_BATCH_SIZE": "8"}
    doomed = EnrichProcess(redis_url, free_port(), tmp_path, **settings).start()
    survivor = EnrichProcess(redis_url, free_port(), tmp_path, **settings).start()
    doomed_name = doomed.consumer()
    client = redis.Redis.from_url(redis_url)
    try:
        publish(redis_url, [event.to_message() for event in events])

        def doomed_holds_entries() -> bool:
            pending = client.xpending_range(
                ENRICH_ARTICLES.stream,
                ENRICH_ARTICLES.group,
                "-",
                "+",
                100,
                consumername=doomed_name,
            )
            return bool(pending)

        wait_for(doomed_holds_entries, timeout=60, what="the first worker to hold entries")
        doomed.kill()  # SIGKILL: no ack, no graceful shutdown
        # What it held is orphaned: only the reclaim path can bring those entries back.
        assert doomed_holds_entries()

        def all_enriched() -> bool:
            for event in events:
                answer = httpx.get(f"{render.url}/api/articles/{event.subject}", timeout=5)
                if answer.status_code != 200 or not answer.json()["enrichment"]:
                    return False
            return True

        wait_for(all_enriched, timeout=120, what="every article enriched in the read model")
    finally:
        survivor.stop()
        doomed.kill()
        client.close()

    with sqlite3.connect(render.database) as db:
        applied = db.execute(
            "SELECT article_id, COUNT(*) FROM applied_events WHERE event_type = ? GROUP BY article_id",
            (ArticleEnriched.TYPE,),
        ).fetchall()
    assert sorted(applied) == sorted((event.subject, 1) for event in events)
    # Redeliveries may publish an enrichment twice; the copies carry the same id.
    published = read_enriched(redis_url)
    assert len({body["id"] for body in published}) == ARTICLES
    assert len(published) >= ARTICLES
