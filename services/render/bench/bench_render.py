"""Render benchmark (not a test): run `uv run python services/render/bench/bench_render.py`.

Reports, on this machine in one run:
  * events applied per second by the projector, PageChanged included: one transaction per
    event (a lone event's cost), and 50 events per transaction (what the live subscribers'
    group commit does under load, GroupCommit.submit); and end to end through Redis with the
    real subscribers (group commit, PageChanged published);
  * article pages rendered per second by the service (HTTP app in process: query, view,
    template, ETag) beside bare Jinja2 rendering of the same template with the same data,
    as a ratio;
  * the time `newsroom-render replay` takes to rebuild the read model of 10,000 articles
    (20,000 events: every article once received and once enriched).

A private redis-server and SQLite files in a temporary directory; nothing shared is touched.
Sizes can be changed with BENCH_ARTICLES (default 10000) and BENCH_LIVE_EVENTS (default 2000)."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
from faststream.redis.parser.binary import BinaryMessageFormatV1
from redis.asyncio import Redis
from sqlalchemy import func, select

from newsroom.render.adapters.migrate import migrate
from newsroom.render.adapters.orm import AppliedEventRow
from newsroom.render.bootstrap import (
    Projection,
    RenderRuntime,
    build_app,
    migrate_read_model,
    open_read_model,
)
from newsroom.render.domain.views import article_page
from newsroom.render.entrypoints.article_html import article_pages_for
from newsroom.render.entrypoints.rendering import article_context, render
from newsroom.shared.article import Article
from newsroom.shared.events import (
    ArticleEnriched,
    ArticleEnrichedData,
    ArticleReceived,
    ArticleReceivedData,
    EnrichedEntity,
    EntityMention,
    TimelineEntry,
)
from newsroom.shared.ids import article_event_id, article_id, article_slug, derived_event_id
from newsroom.shared.settings import RenderSettings
from newsroom.shared.streams import articles_stream, enriched_stream

REPO = Path(__file__).resolve().parents[3]
CORPUS = Path(os.environ.get("NEWSROOM_CORPUS", REPO.parent / "shared" / "corpus"))
ARTICLES = int(os.environ.get("BENCH_ARTICLES", "10000"))
LIVE_EVENTS = int(os.environ.get("BENCH_LIVE_EVENTS", "2000"))
PAGE_REQUESTS = int(os.environ.get("BENCH_PAGE_REQUESTS", "2000"))
NAMES = [
    ("person/yulia-peresild", "Yulia Peresild", "person"),
    ("person/klim-shipenko", "Klim Shipenko", "person"),
    ("person/elon-musk", "Elon Musk", "person"),
    ("person/tom-cruise", "Tom Cruise", "person"),
    ("organisation/roscosmos", "Roscosmos", "organisation"),
    ("organisation/nasa", "NASA", "organisation"),
    ("place/moscow", "Moscow", "place"),
]


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "p":
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def seed_article() -> Article:
    item = json.loads((CORPUS / "seed" / "space-race-2.v1.ninjs.json").read_text())
    text = _Text()
    text.feed(item["body_html"])
    return Article(
        source="bench",
        uri=item["uri"],
        version="1",
        versioncreated=datetime(2021, 9, 20, 9, tzinfo=UTC),
        firstcreated=datetime(2021, 9, 20, 9, tzinfo=UTC),
        urgency=5,
        language="en",
        headline=item["headline"],
        standfirst=item["description_text"],
        body_html=item["body_html"],
        body_text="".join(text.parts).strip(),
    )


def story_events(base: Article, n: int) -> tuple[ArticleReceived, ArticleEnriched]:
    """The n-th synthetic story: the seed text under its own uri, headline and time."""
    article = base.model_copy(
        update={
            "uri": f"urn:bench:{n}",
            "headline": f"{base.headline} ({n})",
            "versioncreated": base.versioncreated + timedelta(minutes=n),
            "firstcreated": base.versioncreated + timedelta(minutes=n),
            "urgency": 1 + n % 9,
        }
    )
    aid = article_id("bench", article.uri)
    received = ArticleReceived.create(
        id=article_event_id("bench", article.uri, "1"),
        source="/bench",
        subject=aid,
        correlationid=f"bench-{n}",
        time=article.versioncreated,
        data=ArticleReceivedData(
            article_id=aid, slug=article_slug(article.headline, aid), article=article
        ),
    )
    entities = []
    for entity_id, name, kind in NAMES:
        mentions = [
            EntityMention(field="body", start=m.start(), end=m.end(), text=name)
            for m in re.finditer(re.escape(name), article.body_text)
        ]
        if mentions:
            entities.append(
                EnrichedEntity(
                    id=entity_id,
                    name=name,
                    type=kind,
                    mentions=mentions,  # type: ignore[arg-type]
                    mention_count=len(mentions),
                    salience=len(mentions) / 10,
                )
            )
    found = article.body_text.find("October 5")
    timeline = (
        [
            TimelineEntry(
                value="2021-10-05",
                type="DATE",
                granularity="day",
                text="October 5",
                field="body",
                start=found,
                end=found + 9,
                sentence="scheduled to begin October 5",
                entity_ids=[],
            )
        ]
        if found >= 0
        else []
    )
    enriched = ArticleEnriched.create(
        id=derived_event_id("enriched", received.id),
        source="/bench",
        subject=aid,
        correlationid=f"bench-{n}",
        causationid=received.id,
        time=article.versioncreated,
        data=ArticleEnrichedData(
            article_id=aid,
            version="1",
            versioncreated=article.versioncreated,
            model="bench",
            entities=entities,
            timeline=timeline,
        ),
    )
    return received, enriched


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_redis(directory: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    binary = shutil.which("redis-server") or "redis-server"
    process = subprocess.Popen(  # noqa: S603 - our own redis-server, fixed arguments
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(directory),
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.1):
                return process, url
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("redis-server did not start")


async def publish_raw(redis: Redis, events: list[Any]) -> None:
    """XADD in FastStream's binary format, pipelined (the benchmark measures render, not XADD)."""
    for start in range(0, len(events), 1000):
        pipe = redis.pipeline(transaction=False)
        for event in events[start : start + 1000]:
            stream = enriched_stream() if event.type == ArticleEnriched.TYPE else articles_stream()
            data = await BinaryMessageFormatV1.encode(
                message=event.to_message(),
                reply_to=None,
                headers={"message_id": event.id},
                correlation_id=event.correlationid,
            )
            pipe.xadd(stream, {"__data__": data})
        await pipe.execute()
        if (start // 1000) % 5 == 4:
            say(f"  published {start + 1000} events")


async def bench_projector(workdir: Path, events: list[Any], per_transaction: int) -> float:
    database = open_read_model(f"sqlite+aiosqlite:///{workdir / f'projector-{per_transaction}.db'}")
    await migrate(database.engine)
    # As the service projects: each saved story's page rendered and stored with it.
    site = RenderSettings(public_base_url="http://bench")
    projection = Projection(
        database, public_base_url="http://bench", article_pages=article_pages_for(site)
    )
    started = time.perf_counter()
    for start in range(0, len(events), per_transaction):
        await projection.project.apply(events[start : start + per_transaction])
        done = start + per_transaction
        if done % 500 == 0:
            say(f"  projector: {done}/{len(events)} events")
    elapsed = time.perf_counter() - started
    await database.dispose()
    return len(events) / elapsed


async def bench_end_to_end(workdir: Path, redis_url: str, events: list[Any]) -> float:
    """Events published first, then the real subscribers drain them; time to the last apply."""
    redis = Redis.from_url(redis_url)
    await redis.flushdb()
    await publish_raw(redis, events)
    database_url = f"sqlite+aiosqlite:///{workdir / 'live.db'}"
    await migrate_read_model(database_url)
    runtime = RenderRuntime(
        RenderSettings(redis_url=redis_url, database_url=database_url), maintenance_every=3600
    )
    started = time.perf_counter()
    await runtime.start()
    applied = 0
    while applied < len(events):
        await asyncio.sleep(0.25)
        async with runtime.sessions() as session:
            applied = int(
                await session.scalar(select(func.count()).select_from(AppliedEventRow)) or 0
            )
        say(f"  end to end: {applied}/{len(events)} events applied")
    elapsed = time.perf_counter() - started
    await runtime.stop()
    await redis.aclose()
    return len(events) / elapsed


async def bench_pages(workdir: Path, events: list[Any]) -> tuple[float, float, float]:
    database_url = f"sqlite+aiosqlite:///{workdir / 'pages.db'}"
    database = open_read_model(database_url)
    await migrate(database.engine)
    # No stored pages (no article_pages): every request below builds its page, the cost
    # this figure is about.
    await Projection(database, public_base_url="http://bench", emit_pages=False).project.apply(
        events
    )
    await database.dispose()
    runtime = RenderRuntime(
        RenderSettings(database_url=database_url, public_base_url="http://bench")
    )
    slugs = [e.data.slug for e in events if e.type == ArticleReceived.TYPE]
    rates = []
    # Without the page cache every request renders; with it, unchanged pages are reused.
    for cache_size in (0, 1024):
        app = build_app(runtime, page_cache_size=cache_size, serve_streams=False)  # pages only
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            started = time.perf_counter()
            for i in range(PAGE_REQUESTS):
                response = await client.get(f"/articles/{slugs[i % len(slugs)]}")
                assert response.status_code == 200
                if (i + 1) % 1000 == 0:
                    say(f"  {i + 1}/{PAGE_REQUESTS} pages (cache size {cache_size})")
            rates.append(PAGE_REQUESTS / (time.perf_counter() - started))
    served, served_cached = rates
    # Bare Jinja2: the same template and the same data (page models built beforehand).
    pages = []
    for slug in slugs[: min(len(slugs), PAGE_REQUESTS)]:
        stored = await runtime.read_model.article_by_slug(slug)
        assert stored is not None
        page = article_page(stored.state, app.state.site.publisher)
        assert page is not None
        pages.append(article_context(page, "http://bench"))
    started = time.perf_counter()
    for i in range(PAGE_REQUESTS):
        render("article.html", pages[i % len(pages)])
    bare = PAGE_REQUESTS / (time.perf_counter() - started)
    await runtime.close()
    return served, served_cached, bare


def bench_replay(workdir: Path, redis_url: str) -> float:
    target = f"sqlite+aiosqlite:///{workdir / 'replayed.db'}"
    command = [
        str(Path(sys.executable).with_name("newsroom-render")),
        "replay",
        "--database-url",
        target,
    ]
    env = {**os.environ, "REDIS_URL": redis_url}
    started = time.perf_counter()
    subprocess.run(command, check=True, env=env)  # noqa: S603 - the progress bar prints as it goes
    return time.perf_counter() - started


async def main() -> None:
    base = seed_article()
    with tempfile.TemporaryDirectory(prefix="bench-render-") as tmp:
        workdir = Path(tmp)
        redis_process, redis_url = start_redis(workdir)
        try:
            live_stories = [story_events(base, n) for n in range(LIVE_EVENTS // 2)]
            live_events = [e for pair in live_stories for e in pair]
            say(f"projector, one transaction per event: {len(live_events)} events")
            per_second = await bench_projector(workdir, live_events, 1)
            say(f"projector, 50 events per transaction: {len(live_events)} events")
            grouped = await bench_projector(workdir, live_events, 50)
            say(f"end to end through Redis with the real subscribers: {len(live_events)} events")
            end_to_end = await bench_end_to_end(workdir, redis_url, live_events)
            say(f"pages: {PAGE_REQUESTS} article pages through the app, then bare Jinja2")
            served, served_cached, bare = await bench_pages(workdir, live_events[:400])

            say(f"replay: generating {ARTICLES} articles ({2 * ARTICLES} events)")
            redis = Redis.from_url(redis_url)
            await redis.flushdb()
            events = []
            for n in range(ARTICLES):
                events.extend(story_events(base, n))
                if (n + 1) % 2500 == 0:
                    say(f"  generated {n + 1} articles")
            await publish_raw(redis, events)
            await redis.aclose()
            replay_seconds = bench_replay(workdir, redis_url)
        finally:
            redis_process.terminate()
            redis_process.wait()

    print()
    print("render benchmark (this machine, one run)")
    print(f"  events applied per second, projector (1 event per transaction): {per_second:8.0f}")
    print(f"  events applied per second, projector (50 per transaction):      {grouped:8.0f}")
    print(f"  events applied per second, end to end through Redis:            {end_to_end:8.0f}")
    print(f"  article pages per second, service rendering every request:     {served:8.0f}")
    print(f"  article pages per second, service with its page cache:          {served_cached:8.0f}")
    print(f"  article pages per second, bare Jinja2 (same template and data): {bare:8.0f}")
    print(f"  ratio service rendering / bare Jinja2:                          {served / bare:8.2f}")
    print(
        f"  ratio service cached / bare Jinja2:                             {served_cached / bare:8.2f}"
    )
    print(
        f"  newsroom-render replay of {ARTICLES} articles ({2 * ARTICLES} events): {replay_seconds:6.1f} s"
    )


if __name__ == "__main__":
    asyncio.run(main())
