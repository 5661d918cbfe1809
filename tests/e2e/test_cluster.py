"""The system on a Redis Cluster (REDIS_CLUSTER=true, STREAM_SHARDS=6, 3 masters with a replica
each): the seed story's life as on one Redis, its events in its article's shard on that shard's
master; and a master SIGKILLed mid-load, its replica promoted, after which every accepted story
is served at its final version with its entities, and listed once."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from faststream.redis.parser.binary import BinaryMessageFormatV1

from newsroom.cli.local_sources import DEMO_SOURCE, secret_for
from newsroom.ingest.domain.signatures import sign_standard_webhook
from newsroom.shared.ids import article_id
from newsroom.shared.streams import StreamShards
from support.cluster import LocalRedisCluster
from support.system import RunningSystem, poll

pytestmark = pytest.mark.e2e

STREAMS = StreamShards(6)
PERESILD = "/entities/person/yulia-peresild"


def get(system: RunningSystem, path: str) -> httpx.Response:
    return httpx.get(f"{system.render_url}{path}", timeout=5)


def page_url_of(sent_stdout: str, system: RunningSystem) -> str:
    return next(word for word in sent_stdout.split() if word.startswith(system.render_url))


def test_seed_story_lifecycle_on_a_cluster(
    cluster_system: RunningSystem, redis_cluster: LocalRedisCluster, corpus_dir: Path
) -> None:
    seed = corpus_dir / "seed"
    first = cluster_system.send(seed / "space-race-2.v1.ninjs.json")
    assert first.stdout.startswith("202 "), first.stdout
    url = page_url_of(first.stdout, cluster_system)
    slug_path = url.removeprefix(cluster_system.render_url)
    poll(lambda: get(cluster_system, PERESILD), lambda r: slug_path in r.text)

    correction = cluster_system.send(seed / "space-race-2.v2.ninjs.json")
    assert correction.stdout.startswith("202 "), correction.stdout
    poll(lambda: httpx.get(url, timeout=5), lambda r: "Baikonur" in r.text)

    kill = cluster_system.send(seed / "space-race-2.v3-kill.ninjs.json")
    assert kill.stdout.startswith("202 "), kill.stdout
    browser = {"accept": "text/html"}
    gone = poll(lambda: httpx.get(url, headers=browser, timeout=5), lambda r: r.status_code == 410)
    assert "This story has been withdrawn" in gone.text
    assert slug_path not in get(cluster_system, PERESILD).text

    # Its three events, in order, in its shard's articles stream, on that shard's master.
    story = article_id(DEMO_SOURCE, "urn:newsroom:example:space-race-2")
    stream = STREAMS.articles_of(story)
    enriched = STREAMS.enriched_of(story)
    assert redis_cluster.master_of(enriched) == redis_cluster.master_of(stream)
    with redis_cluster.client(redis_cluster.master_of(stream)) as master:
        assert master.xlen(stream) == 3
        # Two versions enriched (the kill has nothing to enrich; the correction's enrichment may
        # land after the kill was projected); an entry reclaimed from a busy worker may be
        # enriched twice, under the same event id.
        ids = poll(
            lambda: {message_id(fields) for _, fields in master.xrange(enriched)},
            lambda found: len(found) == 2,
        )
    assert len(ids) == 2


def message_id(fields: dict[bytes, bytes]) -> str:
    _, headers = BinaryMessageFormatV1.parse(fields[b"__data__"])
    return str(headers["message_id"])


def story(number: int, version: int, template: dict[str, Any]) -> bytes:
    """A story of its own (uri), at `version`: the seed's text, so the same entities."""
    wire = dict(template)
    wire["uri"] = f"urn:newsroom:test:cluster-{number}"
    wire["version"] = str(version)
    wire["headline"] = f"Story {number}, version {version}: {template['headline']}"
    wire["versioncreated"] = f"2021-09-20T{9 + version:02d}:00:00Z"
    wire.pop("associations", None)
    return json.dumps(wire).encode()


def post(client: httpx.Client, system: RunningSystem, secret: str, body: bytes) -> None:
    headers = sign_standard_webhook(secret, f"msg_{uuid.uuid4().hex}", int(time.time()), body)
    headers["content-type"] = "application/json"
    response = client.post(
        f"{system.ingest_url}/v1/sources/{DEMO_SOURCE}/items", content=body, headers=headers
    )
    assert response.status_code == 202, response.text


def test_every_accepted_story_survives_a_master_failover(
    cluster_system: RunningSystem, redis_cluster: LocalRedisCluster, corpus_dir: Path
) -> None:
    template = json.loads((corpus_dir / "seed" / "space-race-2.v1.ninjs.json").read_bytes())
    secret = secret_for(cluster_system.var_dir, DEMO_SOURCE)
    assert secret
    stories = range(24)
    final = {n: 2 if n % 2 == 0 else 1 for n in stories}  # even stories get a second version
    ids = {n: article_id(DEMO_SOURCE, f"urn:newsroom:test:cluster-{n}") for n in stories}
    # A master that holds some of the stories' shards.
    victim = redis_cluster.master_of(STREAMS.articles_of(ids[0]))

    with httpx.Client(timeout=30) as client:
        for n in stories[:12]:
            post(client, cluster_system, secret, story(n, 1, template))
        promoted = redis_cluster.kill_master(victim)  # mid-load: the relay and consumers busy
        for n in stories[12:]:
            post(client, cluster_system, secret, story(n, 1, template))
        for n in stories:
            if final[n] == 2:
                post(client, cluster_system, secret, story(n, 2, template))
    assert promoted != victim

    def served(n: int) -> bool:
        response = get(cluster_system, f"/api/articles/{ids[n]}")
        if response.status_code != 200:
            return False
        document = response.json()
        return document["version"] == str(final[n]) and bool(document["entities"])

    for n in stories:
        assert poll(lambda n=n: served(n), bool, timeout=180), n
    listed = get(cluster_system, "/api/articles?per_page=100").json()["items"]
    listed_ids = [item["article_id"] for item in listed]
    assert len(listed_ids) == len(set(listed_ids))  # none listed twice
    assert set(ids.values()) <= set(listed_ids)
    # The shards the dead master held live on its replica now, with the stories' events.
    with redis_cluster.client(promoted) as master:
        keys = {key.decode() for key in master.keys("newsroom:{*")}
    assert STREAMS.articles_of(ids[0]) in keys
