"""The render service over real Redis, SQLite and HTTP: events in, pages and JSON out."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from render_test_support import document_with_entities, events_applied, status_of
from support.polling import eventually

pytestmark = pytest.mark.integration


async def test_seed_story_page_and_api_show_headline_body_and_entities(
    render_service, publisher, seed
):
    v1 = seed.v1()
    await publisher(v1, seed.enriched(v1))
    async with httpx.AsyncClient(base_url=render_service.base_url) as client:
        api = await eventually(
            lambda: document_with_entities(client, f"/api/articles/{seed.article_id}")
        )
        body = api.json()
        assert body["headline"] == seed.v1_article.headline
        assert body["version"] == "1"
        assert body["status"] == "usable"
        assert "first feature film shot in outer space" in body["body"]
        assert {"person/yulia-peresild", "organisation/roscosmos"} <= {
            e["id"] for e in body["entities"]
        }

        page = await client.get(f"/articles/{seed.slug}")
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert "Space Race 2: Russia gets the go ahead" in page.text
        assert "a Russian film crew is set to lift off next month" in page.text
        assert 'class="entity-link" href="/entities/person/yulia-peresild"' in page.text
        assert '"@type":"NewsArticle"' in page.text.replace('": "', '":"')
        assert 'property="og:title"' in page.text


async def test_correction_then_kill_change_the_page_then_take_it_down_everywhere(
    render_service, publisher, seed
):
    v1, v2 = seed.v1(), seed.v2()
    await publisher(v1, seed.enriched(v1))
    async with httpx.AsyncClient(base_url=render_service.base_url) as client:
        await eventually(lambda: document_with_entities(client, f"/api/articles/{seed.article_id}"))
        await publisher(v2, seed.enriched(v2))

        async def corrected() -> httpx.Response | None:
            page = await client.get(f"/articles/{seed.slug}")
            return page if "Baikonur Cosmodrome" in page.text else None

        page = await eventually(corrected)
        assert "notice-corrected" in page.text
        assert "Corrects to add the launch site." in page.text
        assert 'id="version-history"' in page.text

        entity = await client.get("/entities/person/yulia-peresild")
        assert entity.status_code == 200
        assert f"/articles/{seed.slug}" in entity.text
        assert "Yulia Peresild" in entity.text
        roscosmos = await client.get("/api/entities/organisation/roscosmos")
        assert [a["article_id"] for a in roscosmos.json()["articles"]] == [seed.article_id]

        await publisher(seed.kill())
        gone = await eventually(lambda: status_of(client, f"/articles/{seed.slug}", 410))
        assert gone.headers["content-type"].startswith("application/problem+json")
        assert gone.json()["status"] == 410
        browser = await client.get(
            f"/articles/{seed.slug}", headers={"accept": "text/html,*/*;q=0.8"}
        )
        assert browser.status_code == 410
        assert "withdrawn" in browser.text
        api = await client.get(f"/api/articles/{seed.article_id}", headers={"accept": "text/html"})
        assert api.status_code == 410
        assert api.headers["content-type"].startswith("application/problem+json")

        assert (await client.get("/entities/person/yulia-peresild")).status_code == 404
        assert (await client.get("/api/entities/organisation/roscosmos")).status_code == 404
        for path in ("/", "/feed.atom", "/sitemap.xml", "/timeline", "/api/articles"):
            listing = await client.get(path)
            assert listing.status_code == 200
            assert seed.slug not in listing.text, path


async def test_embargoed_story_is_invisible_until_its_time_then_appears_by_itself(
    render_service, publisher, seed
):
    clock = render_service.clock
    until = clock.current + timedelta(hours=1)
    embargoed = seed.embargoed(until)
    held = seed.received(
        seed.v1_article.model_copy(
            update={"uri": "urn:test:held", "embargo": {"until": None}}
        ).model_validate(
            {**seed.v1_article.model_dump(), "uri": "urn:test:held", "embargo": {"until": None}}
        )
    )
    await publisher(embargoed, held, seed.enriched(embargoed))
    aid, slug = embargoed.data.article_id, embargoed.data.slug
    async with httpx.AsyncClient(base_url=render_service.base_url) as client:
        # Wait until render has applied the events (the inbox knows them), then look.
        await eventually(lambda: events_applied(render_service, 3))
        assert (await client.get(f"/articles/{slug}")).status_code == 404
        assert (await client.get(f"/api/articles/{aid}")).status_code == 404
        for path in (
            "/",
            "/feed.atom",
            "/sitemap.xml",
            "/timeline",
            "/entities/person/yulia-peresild",
        ):
            assert slug not in (await client.get(path)).text, path

        clock.current = until + timedelta(seconds=1)
        page = await client.get(f"/articles/{slug}")
        assert page.status_code == 200

        # Lists are kept until their PageChanged: the embargo announcer (every 2 s) publishes
        # it once the lift is due, and the front page then shows the story.
        async def front_page_lists_it() -> bool:
            return slug in (await client.get("/")).text

        await eventually(front_page_lists_it)
        # An embargo of unknown time never lifts by the clock.
        clock.current = until + timedelta(days=3650)
        assert (await client.get(f"/articles/{held.data.slug}")).status_code == 404
        assert held.data.slug not in (await client.get("/")).text


async def test_pages_answer_304_to_a_matching_revalidation(render_service, publisher, seed):
    v1 = seed.v1()
    await publisher(v1, seed.enriched(v1))
    async with httpx.AsyncClient(base_url=render_service.base_url) as client:
        await eventually(lambda: document_with_entities(client, f"/api/articles/{seed.article_id}"))
        for path in (
            f"/articles/{seed.slug}",
            f"/api/articles/{seed.article_id}",
            "/",
            "/feed.atom",
            "/sitemap.xml",
            "/timeline",
            "/entities/person/yulia-peresild",
            "/api/entities/person/yulia-peresild",
        ):
            first = await client.get(path)
            assert first.status_code == 200, path
            etag, modified = first.headers["etag"], first.headers["last-modified"]
            again = await client.get(path, headers={"if-none-match": etag})
            assert again.status_code == 304, path
            assert again.content == b""
            since = await client.get(path, headers={"if-modified-since": modified})
            assert since.status_code == 304, path
            stale = await client.get(path, headers={"if-none-match": '"something-else"'})
            assert stale.status_code == 200, path


async def test_page_changed_names_exactly_the_pages_an_update_touches(
    render_service, publisher, seed, redis_url
):
    from faststream.redis.parser.binary import BinaryMessageFormatV1
    from redis.asyncio import Redis

    from newsroom.shared.events import PageChanged
    from newsroom.shared.streams import pages_stream

    redis = Redis.from_url(redis_url)

    async def urls() -> set[str]:
        entries = await redis.xrange(pages_stream())
        return {
            PageChanged.model_validate_json(
                BinaryMessageFormatV1.parse(fields[b"__data__"])[0]
            ).data.url
            for _, fields in entries
        }

    base = render_service.base_url
    v1 = seed.v1()
    await publisher(v1)
    first = await eventually(urls)
    assert first == {
        f"{base}/articles/{seed.slug}",
        f"{base}/api/articles/{seed.article_id}",
        f"{base}/",
        f"{base}/feed.atom",
        f"{base}/api/articles",
        f"{base}/sitemap.xml",
    }
    await redis.delete(pages_stream())
    await publisher(seed.enriched(v1))
    enriched = await eventually(urls)
    # The enrichment adds entity pages and the timeline; the front page and feed do not change.
    assert f"{base}/articles/{seed.slug}" in enriched
    assert f"{base}/entities/person/yulia-peresild" in enriched
    assert f"{base}/timeline" in enriched
    assert f"{base}/" not in enriched
    assert f"{base}/feed.atom" not in enriched
    await redis.aclose()


async def test_health_readiness_and_metrics(render_service, publisher, seed):
    await publisher(seed.v1())
    async with httpx.AsyncClient(base_url=render_service.base_url) as client:
        assert (await client.get("/healthz")).json() == {"status": "ok"}
        ready = await client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["checks"] == {"redis": "ok", "database": "ok"}
        await eventually(lambda: status_of(client, f"/articles/{seed.slug}", 200))
        metrics = (await client.get("/metrics")).text
        assert (
            'newsroom_render_events_applied_total{outcome="applied",type="newsroom.article.received.v1"}'
            in metrics
        )
        assert "newsroom_render_pages_rendered_total" in metrics
        assert "newsroom_consumer_lag" in metrics
        missing = await client.get("/no/such/page")
        assert missing.status_code == 404
        assert missing.headers["content-type"].startswith("application/problem+json")
        assert missing.json()["type"].endswith("/not-found")
        invalid = await client.get("/api/articles", params={"per_page": 0})
        assert invalid.status_code == 422
        assert invalid.headers["content-type"].startswith("application/problem+json")
        assert invalid.json()["type"].endswith("/invalid-request")
        listed = (await client.get("/api/articles", params={"per_page": 1})).json()
        assert len(listed["items"]) == 1
        assert listed["links"]["next"] is None
        assert listed["items"][0]["links"]["page"] == f"/articles/{seed.slug}"


async def test_events_published_before_render_first_starts_are_projected(
    redis_url, tmp_path, publisher, seed, start_render, eventually
):
    v1 = seed.v1()
    await publisher(v1, seed.enriched(v1))
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'late.db'}"
    async with (
        start_render(redis_url, database_url) as service,
        httpx.AsyncClient(base_url=service.base_url) as client,
    ):
        api = await eventually(
            lambda: document_with_entities(client, f"/api/articles/{seed.article_id}")
        )
        assert api.json()["version"] == "1"
        page = await client.get(f"/articles/{seed.slug}")
        assert 'class="entity-link"' in page.text


async def test_a_poison_event_is_dead_lettered_and_the_stream_moves_on(
    render_service, publisher, seed, redis_url
):
    from faststream.redis import RedisBroker
    from redis.asyncio import Redis

    from newsroom.shared.streams import DEAD_LETTERS_STREAM, articles_stream

    broker = RedisBroker(redis_url)
    await broker.connect()
    await broker.publish(
        {"type": "newsroom.article.received.v1", "id": "broken"}, stream=articles_stream()
    )
    await broker.stop()
    await publisher(seed.v1())
    redis = Redis.from_url(redis_url)
    async with httpx.AsyncClient(base_url=render_service.base_url) as client:
        await eventually(lambda: status_of(client, f"/articles/{seed.slug}", 200))

    async def parked():
        return [
            fields
            for _, fields in await redis.xrange(DEAD_LETTERS_STREAM)
            if fields[b"group"] == b"render"
        ]

    dead = await eventually(parked)
    assert dead[0][b"error_type"] == b"ValidationError"
    assert b'"id": "broken"' in dead[0][b"event"] or b'"id":"broken"' in dead[0][b"event"]
    await redis.aclose()


async def test_an_embargo_lifting_by_the_clock_announces_the_pages_it_opens(
    render_service, publisher, seed, redis_url
):
    from faststream.redis.parser.binary import BinaryMessageFormatV1
    from redis.asyncio import Redis

    from newsroom.shared.events import PageChanged
    from newsroom.shared.streams import pages_stream

    clock = render_service.clock
    until = clock.current + timedelta(hours=1)
    embargoed = seed.embargoed(until)
    await publisher(embargoed)
    await eventually(lambda: events_applied(render_service, 1))
    redis = Redis.from_url(redis_url)

    async def announced():
        entries = await redis.xrange(pages_stream())
        return [
            PageChanged.model_validate_json(
                BinaryMessageFormatV1.parse(fields[b"__data__"])[0]
            ).data
            for _, fields in entries
        ]

    await render_service.runtime.maintain_once()  # a sweep before the embargo time
    assert await announced() == []
    clock.current = until + timedelta(seconds=1)
    changes = await eventually(announced)
    assert {c.url for c in changes} >= {
        f"{render_service.base_url}/articles/{embargoed.data.slug}",
        f"{render_service.base_url}/",
        f"{render_service.base_url}/feed.atom",
    }
    assert {c.reason for c in changes} == {"embargo-lifted"}
    await redis.aclose()
