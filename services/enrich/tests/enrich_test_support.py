"""Helpers of the enrich tests: article events, stream readers, worker processes.

Importable by name: this folder is on pytest's pythonpath (the root pyproject)."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from faststream.redis import RedisBroker

from newsroom.enrich.domain.enrichment import ArticleTexts, EnrichmentResult
from newsroom.shared.article import Article
from newsroom.shared.events import (
    ArticleReceived,
    ArticleReceivedData,
    ArticleWithdrawn,
    ArticleWithdrawnData,
    EnrichedEntity,
)
from newsroom.shared.ids import article_event_id, article_id, article_slug
from newsroom.shared.streams import articles_stream, enriched_stream
from support.streams import stream_messages

SEED = "seed/space-race-2.v1.ninjs.json"


def html_to_text(html: str) -> str:
    """Paragraphs on their own lines, tags dropped: the plain text ingest derives."""
    text = re.sub(r"</p>\s*<p[^>]*>", "\n\n", html)
    return re.sub(r"<[^>]+>", "", text).strip()


def make_received(number: int, headline: str, body: str) -> ArticleReceived:
    """An ArticleReceived for a test article `number`, shaped as ingest writes it."""
    uri = f"urn:newsroom:test:{number}"
    ident = article_id("test", uri)
    when = datetime(2021, 9, 20, 9, 0, tzinfo=UTC)
    article = Article(
        source="test",
        uri=uri,
        version="1",
        versioncreated=when,
        firstcreated=when,
        headline=headline,
        body_text=body,
    )
    return ArticleReceived.create(
        id=article_event_id("test", uri, "1"),
        source="urn:newsroom:ingest",
        subject=ident,
        correlationid=f"delivery-{number}",
        data=ArticleReceivedData(
            article_id=ident, slug=article_slug(headline, ident), article=article
        ),
    )


def make_withdrawn(received: ArticleReceived, version: str, event_id: str) -> ArticleWithdrawn:
    """The kill of a test article, as ingest writes it."""
    return ArticleWithdrawn.create(
        id=event_id,
        source="urn:newsroom:ingest",
        subject=received.subject,
        correlationid=f"delivery-{event_id}",
        data=ArticleWithdrawnData(
            article_id=received.subject,
            slug=received.data.slug,
            source="test",
            uri=received.data.article.uri,
            version=version,
            versioncreated=datetime(2021, 9, 22, tzinfo=UTC),
        ),
    )


ENTITY = EnrichedEntity(
    id="person/ada-lovelace",
    name="Ada Lovelace",
    type="person",
    mentions=[],
    mention_count=0,
    salience=1.0,
)


class RecordingEnrich:
    """The NLP, faked: records the texts it is given and finds ENTITY in each."""

    def __init__(self) -> None:
        self.seen: list[ArticleTexts] = []

    async def __call__(self, texts: ArticleTexts) -> EnrichmentResult:
        self.seen.append(texts)
        return EnrichmentResult(entities=[ENTITY], mentions=[], timexes=[], timeline=[])


def publish(redis_url: str, bodies: list[dict[str, Any]]) -> None:
    """XADDs bodies to the articles stream through FastStream, as ingest does."""

    async def run() -> None:
        broker = RedisBroker(redis_url)
        await broker.connect()
        try:
            for body in bodies:
                await broker.publish(
                    body, stream=articles_stream(), headers={"message_id": str(body.get("id"))}
                )
        finally:
            await broker.stop()

    asyncio.run(run())


def read_enriched(redis_url: str) -> list[dict[str, Any]]:
    return [body for body, _ in stream_messages(redis_url, enriched_stream())]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(condition: Callable[[], bool], timeout: float = 60.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


class EnrichProcess:
    """One `newsroom-enrich serve` worker process."""

    def __init__(self, redis_url: str, port: int, tmp: Path, **env: str) -> None:
        self.port = port
        self.log_path = tmp / f"enrich-{port}.log"
        self.env = {
            **os.environ,
            "REDIS_URL": redis_url,
            "HTTP_PORT": str(port),
            "LOG_LEVEL": "INFO",
            **env,
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> EnrichProcess:
        for attempt in range(1, 4):
            log = self.log_path.open("ab")
            self.process = subprocess.Popen(
                [sys.executable, "-m", "newsroom.enrich.entrypoints.cli", "serve"],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            try:
                wait_for(self.ready, timeout=90, what=f"enrich worker on {self.port} ready")
                return self
            except AssertionError:
                in_use = "address already in use" in self.log_path.read_text().lower()
                if attempt == 3 or not in_use:
                    raise
                # The port was taken between choosing it and binding it: another one.
                self.kill()
                self.port = free_port()
                self.env["HTTP_PORT"] = str(self.port)
                self.log_path = self.log_path.with_name(f"enrich-{self.port}.log")
        raise AssertionError("unreachable")

    def ready(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise AssertionError(f"worker exited: {self.log_path.read_text()[-3000:]}")
        try:
            return httpx.get(f"http://127.0.0.1:{self.port}/readyz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def consumer(self) -> str:
        body: dict[str, Any] = httpx.get(f"http://127.0.0.1:{self.port}/readyz", timeout=2).json()
        return str(body["details"]["consumer"])

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=40)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
