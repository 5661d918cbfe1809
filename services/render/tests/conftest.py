"""Render's test helpers: events of the seed story built with newsroom.shared.events.

The ninjs is parsed here on purpose (not with ingest's parser): render's tests must not
depend on another service."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from newsroom.render.adapters.migrate import migrate
from newsroom.render.adapters.unit_of_work import UnitOfWorkRunner
from newsroom.render.bootstrap import migrate_read_model, open_read_model
from newsroom.shared.article import Article, Embargo, Picture, PubStatus, Subject
from newsroom.shared.events import (
    ArticleEnriched,
    ArticleEnrichedData,
    ArticleReceived,
    ArticleReceivedData,
    ArticleUpdated,
    ArticleUpdatedData,
    ArticleWithdrawn,
    ArticleWithdrawnData,
    EnrichedEntity,
    EntityMention,
    TimelineEntry,
)
from newsroom.shared.ids import article_event_id, article_id, article_slug, derived_event_id
from support import polling

SOURCE = "demo"


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "p":
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return "".join(parser.parts).strip()


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def article_from_ninjs(item: dict[str, Any], source: str = SOURCE) -> Article:
    body_html = item.get("body_html", "")
    pictures = [
        Picture(
            href=assoc.get("uri", ""),
            caption=assoc.get("description_text"),
            credit=assoc.get("copyrightnotice"),
        )
        for assoc in (item.get("associations") or {}).values()
        if assoc.get("type") == "picture"
    ]
    embargo = None
    if "embargoed" in item:
        embargo = Embargo(until=parse_time(item["embargoed"]) if item["embargoed"] else None)
    return Article(
        source=source,
        uri=item["uri"],
        version=str(item["version"]),
        versioncreated=parse_time(item["versioncreated"]),
        firstcreated=parse_time(item["firstcreated"]) if item.get("firstcreated") else None,
        pubstatus=PubStatus(item.get("pubstatus", "usable")),
        embargo=embargo,
        urgency=item.get("urgency"),
        language=item.get("language"),
        headline=item["headline"],
        standfirst=item.get("description_text"),
        byline=item.get("byline"),
        body_html=body_html,
        body_text=html_text(body_html),
        subjects=[Subject(name=s.get("name")) for s in item.get("subject", [])],
        pictures=pictures,
        ednote=item.get("ednote"),
    )


# Who the seed story names, and how (enrich's real output is tested in enrich; render needs
# realistic events with true offsets).
SEED_ENTITIES: list[tuple[str, str, str, list[str]]] = [
    ("person/yulia-peresild", "Yulia Peresild", "person", ["Yulia Peresild", "Peresild"]),
    ("person/klim-shipenko", "Klim Shipenko", "person", ["Klim Shipenko"]),
    ("person/elon-musk", "Elon Musk", "person", ["Elon Musk"]),
    ("person/tom-cruise", "Tom Cruise", "person", ["Tom Cruise"]),
    ("organisation/roscosmos", "Roscosmos", "organisation", ["Roscosmos"]),
    ("organisation/nasa", "NASA", "organisation", ["NASA"]),
    ("place/moscow", "Moscow", "place", ["Moscow"]),
]
SEED_TIMEX: list[tuple[str, str, str]] = [
    ("October 5", "2021-10-05", "day"),
    ("next month", "2021-10", "month"),
    ("on Thursday", "2021-09-16", "day"),
    ("earlier this year", "2021", "year"),
    ("2017", "2017", "year"),
]


def _sentence(text: str, offset: int) -> str:
    starts = [0] + [m.end() for m in re.finditer(r"(?<=[.!?])[”\"]?\s+", text) if m.end() <= offset]
    start = starts[-1]
    end = re.search(r"[.!?][”\"]?(\s|$)", text[offset:])
    return text[start : offset + end.end() if end else len(text)].strip()


def entities_of(
    article: Article, specs: list[tuple[str, str, str, list[str]]] = SEED_ENTITIES
) -> list[EnrichedEntity]:
    fields = {
        "headline": article.headline,
        "standfirst": article.standfirst or "",
        "body": article.body_text,
    }
    entities = []
    for entity_id, name, kind, forms in specs:
        mentions: list[EntityMention] = []
        taken: list[tuple[str, int, int]] = []
        for form in (
            forms
        ):  # longer forms first, so "Peresild" inside "Yulia Peresild" is not a second mention
            for field_name, text in fields.items():
                for match in re.finditer(re.escape(form), text):
                    span = (field_name, match.start(), match.end())
                    if any(f == field_name and s <= span[1] < e for f, s, e in taken):
                        continue
                    taken.append(span)
                    mentions.append(
                        EntityMention(
                            field=field_name, start=match.start(), end=match.end(), text=form
                        )
                    )
        if mentions:
            mentions.sort(key=lambda m: (m.field, m.start))
            entities.append(
                EnrichedEntity(
                    id=entity_id,
                    name=name,
                    type=kind,
                    mentions=mentions,
                    mention_count=len(mentions),
                    salience=len(mentions) / 10,
                )
            )
    return entities


def timeline_of(article: Article, entities: list[EnrichedEntity]) -> list[TimelineEntry]:
    entries = []
    for text, value, granularity in SEED_TIMEX:
        found = article.body_text.find(text)
        if found < 0:
            continue
        sentence = _sentence(article.body_text, found)
        named = [
            e.id
            for e in entities
            if any(m.field == "body" and m.text in sentence for m in e.mentions)
        ]
        entries.append(
            TimelineEntry(
                value=value,
                type="DATE",
                granularity=granularity,
                text=text,
                field="body",
                start=found,
                end=found + len(text),
                sentence=sentence,
                entity_ids=named,
            )
        )
    return entries


class SeedStory:
    """The seed story's versions as the events ingest and enrich would publish."""

    def __init__(self, corpus_dir: Path) -> None:
        seed = corpus_dir / "seed"
        self.items = {
            name: json.loads((seed / f"space-race-2.{name}.ninjs.json").read_text())
            for name in ("v1", "v2", "v3-kill", "embargoed")
        }
        self.v1_article = article_from_ninjs(self.items["v1"])
        self.v2_article = article_from_ninjs(self.items["v2"])
        self.embargoed_article = article_from_ninjs(self.items["embargoed"])
        self.article_id = article_id(SOURCE, self.v1_article.uri)
        self.slug = article_slug(self.v1_article.headline, self.article_id)

    def _id(self, article: Article) -> str:
        return article_event_id(SOURCE, article.uri, article.version)

    def received(
        self, article: Article | None = None, *, time: datetime | None = None
    ) -> ArticleReceived:
        article = article or self.v1_article
        aid = article_id(SOURCE, article.uri)
        return ArticleReceived.create(
            id=self._id(article),
            source=f"/newsroom/ingest/{SOURCE}",
            subject=aid,
            time=time or article.versioncreated,
            correlationid=f"delivery-{article.version}",
            data=ArticleReceivedData(
                article_id=aid, slug=article_slug(article.headline, aid), article=article
            ),
        )

    def v1(self) -> ArticleReceived:
        return self.received(self.v1_article)

    def v2(self) -> ArticleUpdated:
        article = self.v2_article
        return ArticleUpdated.create(
            id=self._id(article),
            source=f"/newsroom/ingest/{SOURCE}",
            subject=self.article_id,
            time=article.versioncreated,
            correlationid="delivery-2",
            data=ArticleUpdatedData(
                article_id=self.article_id, slug=self.slug, article=article, is_correction=True
            ),
        )

    def kill(self) -> ArticleWithdrawn:
        item = self.items["v3-kill"]
        return ArticleWithdrawn.create(
            id=article_event_id(SOURCE, item["uri"], item["version"]),
            source=f"/newsroom/ingest/{SOURCE}",
            subject=self.article_id,
            time=parse_time(item["versioncreated"]),
            correlationid="delivery-3",
            data=ArticleWithdrawnData(
                article_id=self.article_id,
                slug=self.slug,
                source=SOURCE,
                uri=item["uri"],
                version=item["version"],
                versioncreated=parse_time(item["versioncreated"]),
                ednote=item.get("ednote"),
            ),
        )

    def embargoed(self, until: datetime | None = None, *, unknown: bool = False) -> ArticleReceived:
        article = self.embargoed_article
        if until is not None or unknown:
            article = article.model_copy(
                update={"embargo": Embargo(until=None if unknown else until)}
            )
        return self.received(article)

    def enriched(self, cause: ArticleReceived | ArticleUpdated) -> ArticleEnriched:
        article = cause.data.article
        entities = entities_of(article)
        return ArticleEnriched.create(
            id=derived_event_id("enriched", cause.id),
            source="/newsroom/enrich",
            subject=cause.data.article_id,
            time=article.versioncreated,
            correlationid=cause.correlationid,
            causationid=cause.id,
            data=ArticleEnrichedData(
                article_id=cause.data.article_id,
                version=article.version,
                versioncreated=article.versioncreated,
                model="test-model",
                entities=entities,
                timeline=timeline_of(article, entities),
            ),
        )

    def history(self) -> list[Any]:
        """Every event of the story, in the order the newsroom would produce them."""
        v1, v2 = self.v1(), self.v2()
        return [v1, self.enriched(v1), v2, self.enriched(v2), self.kill()]


@pytest.fixture
def seed(corpus_dir: Path) -> SeedStory:
    return SeedStory(corpus_dir)


@pytest.fixture
async def sqlite_read_model(tmp_path: Path) -> AsyncIterator[UnitOfWorkRunner]:
    """A migrated SQLite read model, opened as the service opens it."""
    runner = open_read_model(f"sqlite+aiosqlite:///{tmp_path / 'render.db'}")
    await migrate(runner.engine)
    yield runner
    await runner.dispose()


@pytest.fixture
def sessions(sqlite_read_model: UnitOfWorkRunner) -> Any:
    """ORM sessions on that read model, for a test to look or write behind render's back."""
    return sqlite_read_model.sessions


class Clock:
    """A clock tests can move: embargoes lift when it passes their time."""

    def __init__(self, now: datetime | None = None) -> None:
        from datetime import UTC

        self.current = now or datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.current


class RunningRender:
    def __init__(self, base_url: str, runtime: Any, clock: Clock, app: Any) -> None:
        self.base_url = base_url  # where it listens
        self.runtime = runtime
        self.clock = clock
        self.app_site = app.state.site  # what its routes use (entrypoints.site.Site)


@asynccontextmanager
async def running_render(
    redis_url: str,
    database_url: str,
    *,
    public_base_url: str | None = None,
    page_cache_size: int = 1024,
    sitemap_urls: int = 50_000,
    page_build_lease_s: float = 30.0,
) -> AsyncIterator[RunningRender]:
    """The render service over real HTTP (uvicorn), real Redis and the given database. Its
    socket is bound to port 0 before the service is built: the port it reports is its own (a
    port found free and released first could be taken meanwhile)."""
    import asyncio
    import socket

    import uvicorn

    from newsroom.render.bootstrap import RenderRuntime, build_app
    from newsroom.shared.settings import RenderSettings

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    port = int(listener.getsockname()[1])
    base_url = f"http://127.0.0.1:{port}"
    await migrate_read_model(database_url)
    settings = RenderSettings(
        redis_url=redis_url,
        database_url=database_url,
        http_port=port,
        public_base_url=public_base_url or base_url,
        reclaim_idle_ms=2000,
        sitemap_urls=sitemap_urls,
        page_build_lease_s=page_build_lease_s,
    )
    clock = Clock()
    runtime = RenderRuntime(settings, clock=clock, maintenance_every=0.2)
    app = build_app(runtime, page_cache_size=page_cache_size)
    server = uvicorn.Server(uvicorn.Config(app, log_config=None))
    task = asyncio.create_task(server.serve(sockets=[listener]))
    try:
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.02)
        yield RunningRender(base_url, runtime, clock, app)
    finally:
        server.should_exit = True
        await task
        listener.close()


@pytest.fixture
async def render_service(redis_url: str, tmp_path: Path) -> AsyncIterator[RunningRender]:
    async with running_render(
        redis_url, f"sqlite+aiosqlite:///{tmp_path / 'render.db'}"
    ) as service:
        yield service


@pytest.fixture
async def publisher(redis_url: str) -> AsyncIterator[Any]:
    """Publishes events to their streams the way ingest and enrich do (FastStream binary format)."""
    from faststream.redis import RedisBroker

    from newsroom.shared.streams import articles_stream, enriched_stream

    broker = RedisBroker(redis_url)
    await broker.connect()

    async def publish(*events: Any) -> None:
        for event in events:
            stream = enriched_stream() if event.type == ArticleEnriched.TYPE else articles_stream()
            await broker.publish(
                event.to_message(),
                stream=stream,
                headers={"message_id": event.id},
                correlation_id=event.correlationid,
            )

    yield publish
    await broker.stop()


@pytest.fixture
def eventually() -> Any:
    return polling.eventually


@pytest.fixture
def start_render() -> Any:
    """`async with start_render(redis_url, database_url) as service:` runs a render service."""
    return running_render
