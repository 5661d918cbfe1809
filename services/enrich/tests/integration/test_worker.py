"""The enrich worker over a real (private) Redis, run as real processes."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
import redis

from enrich_test_support import EnrichProcess, publish, read_enriched, wait_for
from newsroom.shared.events import ArticleReceived
from newsroom.shared.ids import derived_event_id
from newsroom.shared.streams import DEAD_LETTERS_STREAM, ENRICH_ARTICLES, enriched_stream

pytestmark = pytest.mark.integration

Workers = Callable[..., EnrichProcess]
SeedEvents = Callable[[int], list[ArticleReceived]]


def enriched_count(redis_url: str) -> int:
    client = redis.Redis.from_url(redis_url)
    try:
        return int(client.xlen(enriched_stream()))
    finally:
        client.close()


def xreadgroup_calls(redis_url: str) -> int:
    client = redis.Redis.from_url(redis_url)
    try:
        stats = client.info("commandstats")
    finally:
        client.close()
    return int(stats.get("cmdstat_xreadgroup", {}).get("calls", 0))


def test_articles_published_before_the_first_start_are_enriched(
    redis_url: str, enrich_workers: Workers, seed_events: SeedEvents
) -> None:
    events = seed_events(3)
    publish(redis_url, [e.to_message() for e in events])  # no stream, no group yet

    enrich_workers(redis_url)
    wait_for(lambda: enriched_count(redis_url) >= 3, what="3 enrichments")

    enriched = {body["causationid"]: body for body in read_enriched(redis_url)}
    assert set(enriched) == {e.id for e in events}
    for event in events:
        body = enriched[event.id]
        assert body["type"] == "newsroom.article.enriched.v1"
        assert body["id"] == derived_event_id("enriched", event.id)
        assert body["subject"] == event.data.article_id
        assert body["correlationid"] == event.correlationid
        assert body["data"]["version"] == "1"
        ids = {entity["id"] for entity in body["data"]["entities"]}
        assert {"person/yulia-peresild", "organisation/roscosmos", "place/moscow"} <= ids


def test_a_restart_neither_loses_nor_spins(
    redis_url: str, enrich_workers: Workers, seed_events: SeedEvents
) -> None:
    events = seed_events(4)
    worker = enrich_workers(redis_url)
    publish(redis_url, [e.to_message() for e in events[:2]])
    wait_for(lambda: enriched_count(redis_url) >= 2, what="first two enrichments")
    worker.stop()  # SIGTERM: a graceful shutdown leaves nothing pending
    # uvicorn re-raises the signal after its clean shutdown, so the status is SIGTERM's.
    assert "Application shutdown complete" in worker.log_path.read_text()
    client = redis.Redis.from_url(redis_url)
    try:
        assert client.xpending(ENRICH_ARTICLES.stream, ENRICH_ARTICLES.group)["pending"] == 0
    finally:
        client.close()

    publish(redis_url, [e.to_message() for e in events[2:]])  # while no worker runs
    enrich_workers(redis_url)
    wait_for(lambda: enriched_count(redis_url) >= 4, what="all four enrichments")
    assert {b["causationid"] for b in read_enriched(redis_url)} == {e.id for e in events}

    # Idle now: a group read from id 0 would spin at thousands of XREADGROUP a second; a
    # blocking read from ">" makes a few (polling interval 500 ms).
    before = xreadgroup_calls(redis_url)
    time.sleep(3)
    calls = xreadgroup_calls(redis_url) - before
    assert calls < 30, f"{calls} XREADGROUP calls in 3 idle seconds"
    assert enriched_count(redis_url) == 4


def test_a_poison_event_is_dead_lettered_and_the_next_ones_processed(
    redis_url: str, enrich_workers: Workers, seed_events: SeedEvents
) -> None:
    good_before, good_after = seed_events(2)
    poison = {"specversion": "1.0", "type": "newsroom.article.received.v1", "id": "poison-1"}
    publish(redis_url, [good_before.to_message(), poison, good_after.to_message()])

    enrich_workers(redis_url, MAX_DELIVERIES="3")
    wait_for(lambda: enriched_count(redis_url) >= 2, what="the two good events")

    client = redis.Redis.from_url(redis_url, decode_responses=True)
    try:
        wait_for(lambda: client.xlen(DEAD_LETTERS_STREAM) >= 1, what="a dead letter")
        [(_, letter)] = client.xrange(DEAD_LETTERS_STREAM)
        pending = client.xpending(ENRICH_ARTICLES.stream, ENRICH_ARTICLES.group)["pending"]
    finally:
        client.close()
    assert letter["group"] == ENRICH_ARTICLES.group
    assert letter["error_type"] == "ValidationError"
    assert "data" in letter["reason"]  # names the missing field
    assert '"poison-1"' in letter["event"]
    assert {b["causationid"] for b in read_enriched(redis_url)} == {good_before.id, good_after.id}
    assert pending == 0


def test_a_killed_workers_pending_entries_are_processed_by_the_other(
    redis_url: str, enrich_workers: Workers, seed_events: SeedEvents
) -> None:
    env = {"RECLAIM_IDLE_MS": "1500", "ENRICH_BATCH_SIZE": "8"}
    victim = enrich_workers(redis_url, **env)
    survivor = enrich_workers(redis_url, **env)
    victim_name = victim.consumer()
    events = seed_events(60)
    publish(redis_url, [e.to_message() for e in events])

    client = redis.Redis.from_url(redis_url, decode_responses=True)
    try:

        def victim_has_pending() -> bool:
            consumers = client.xinfo_consumers(ENRICH_ARTICLES.stream, ENRICH_ARTICLES.group)
            return any(c["name"] == victim_name and c["pending"] > 0 for c in consumers)

        wait_for(victim_has_pending, what="the victim holding pending entries")
        victim.kill()  # SIGKILL mid-batch: no ack, no graceful shutdown
        consumers = client.xinfo_consumers(ENRICH_ARTICLES.stream, ENRICH_ARTICLES.group)
        orphaned = next(c["pending"] for c in consumers if c["name"] == victim_name)
        assert orphaned > 0

        def all_enriched() -> bool:
            return {b["causationid"] for b in read_enriched(redis_url)} == {e.id for e in events}

        wait_for(all_enriched, timeout=120, what="every article enriched")
        wait_for(
            lambda: client.xpending(ENRICH_ARTICLES.stream, ENRICH_ARTICLES.group)["pending"] == 0,
            what="no pending entries left",
        )
    finally:
        client.close()
    assert survivor.ready()

    # At-least-once delivery may publish an enrichment twice; its id is the same both times.
    ids_by_cause: dict[str, set[str]] = {}
    for body in read_enriched(redis_url):
        ids_by_cause.setdefault(body["causationid"], set()).add(body["id"])
    assert all(len(ids) == 1 for ids in ids_by_cause.values())
    assert {next(iter(ids)) for ids in ids_by_cause.values()} == {
        derived_event_id("enriched", e.id) for e in events
    }
