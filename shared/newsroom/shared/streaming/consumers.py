"""The consumer recipe, the same in every service: one Redis connection policy, one broker
with one middleware order, a main and a reclaim subscriber per group, groups prepared before
subscribing and watched while consuming.

- Timeouts: a half-open connection must fail (and be retried) rather than hang a worker or a
  relay; the socket timeout is well above the longest blocking read (polling intervals are at
  most a second).
- Middlewares, outermost first: Prometheus (it counts every message, dead-lettered ones
  included), the log context (the event's ids on every line below), dead letters (they decide
  retry or park from the handler's own error).
- Each group has a main subscriber (`max_records` entries per read, handled concurrently) and
  a reclaim subscriber in the same group (XAUTOCLAIM of entries idle for `reclaim_idle_ms`,
  one at a time) running the same handler, so a dead consumer's pending entries are processed
  by another. A failed entry is not acknowledged: it stays pending until it succeeds or the
  dead-letter budget parks it."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any, cast

from faststream import AckPolicy
from faststream.redis import RedisBroker, RedisClusterBroker, RedisRouter, StreamSub
from faststream.redis.prometheus import RedisPrometheusMiddleware
from prometheus_client import REGISTRY
from redis.asyncio import Redis, RedisCluster

from newsroom.shared.streaming.background import BackgroundLoop
from newsroom.shared.streaming.dead_letters import dead_letter_middleware
from newsroom.shared.streaming.group_recovery import recreate_group_on_loss
from newsroom.shared.streaming.groups import prepare_groups
from newsroom.shared.streaming.lag import watch_lag
from newsroom.shared.streaming.log_context import LogContextMiddleware
from newsroom.shared.streams import ConsumerGroup

REDIS_SOCKET_TIMEOUT_SECONDS = 10.0
REDIS_CONNECT_TIMEOUT_SECONDS = 5.0
# In-flight handlers get this long to finish on shutdown (below an orchestrator's usual 30 s
# grace period); what does not finish stays pending and is reclaimed.
GRACEFUL_TIMEOUT_SECONDS = 20.0


def create_redis_client(redis_url: str, *, cluster: bool = False) -> Redis:
    """A Redis client with the connection policy of the brokers (for groups, lag, pipelines:
    FastStream's own connection is private). With `cluster`, a redis-py RedisCluster that
    finds every node from the one `redis_url` names and routes each command to the master of
    its key's slot (typed as the single-node client whose commands it offers: every command
    the services send names one key, or one slot)."""
    if cluster:
        client: Any = RedisCluster.from_url(
            redis_url,
            socket_timeout=REDIS_SOCKET_TIMEOUT_SECONDS,
            socket_connect_timeout=REDIS_CONNECT_TIMEOUT_SECONDS,
        )
        return cast(Redis, client)
    return Redis.from_url(
        redis_url,
        socket_timeout=REDIS_SOCKET_TIMEOUT_SECONDS,
        socket_connect_timeout=REDIS_CONNECT_TIMEOUT_SECONDS,
    )


def create_broker(
    redis_url: str,
    *,
    service: str,
    max_deliveries: int | None = None,
    routers: Sequence[RedisRouter] = (),
    cluster: bool = False,
) -> RedisBroker:
    """The service's RedisBroker with its routers included. A consuming service passes its
    dead-letter budget (`max_deliveries`) and gets the consumer middlewares; a broker that only
    publishes (ingest's relay) has none to run. With `cluster`, FastStream's
    RedisClusterBroker (its stream subscribers read one key each, so one per shard stream; it
    ignores `pipeline=`: see `outbox.redis_publisher`)."""
    middlewares: tuple[Any, ...] = ()
    if max_deliveries is not None:
        middlewares = (
            RedisPrometheusMiddleware(registry=REGISTRY, app_name=f"newsroom-{service}"),
            LogContextMiddleware,
            dead_letter_middleware(max_deliveries),
        )
    broker_class = RedisClusterBroker if cluster else RedisBroker
    broker = broker_class(
        redis_url,
        socket_timeout=REDIS_SOCKET_TIMEOUT_SECONDS,
        socket_connect_timeout=REDIS_CONNECT_TIMEOUT_SECONDS,
        graceful_timeout=GRACEFUL_TIMEOUT_SECONDS,
        # Through stdlib logging, so the service's JSON handler renders it; the per-message
        # "Received/Processed" lines are debug: the handlers log what matters.
        logger=logging.getLogger(f"newsroom.{service}.broker"),
        log_level=logging.DEBUG,
        middlewares=middlewares,
    )
    for router in routers:
        broker.include_router(router)
    return broker


def subscribe_with_reclaim(
    router: RedisRouter,
    handler: Callable[..., Awaitable[Any]],
    group: ConsumerGroup,
    *,
    consumer: str,
    max_records: int,
    polling_interval_ms: int,
    reclaim_idle_ms: int,
    title: str,
    description: str,
    reclaim_polling_interval_ms: int | None = None,
) -> None:
    """Registers `handler` twice in `group`: the main subscriber under `consumer`, and the
    reclaim subscriber under `{consumer}-reclaim` (AsyncAPI titles `title` and
    `{title}.reclaim`). Both recreate the group if Redis loses it (`group_recovery`)."""
    main = router.subscriber(
        stream=StreamSub(
            group.stream,
            group=group.group,
            consumer=consumer,
            max_records=max_records,
            polling_interval=polling_interval_ms,
        ),
        # As many messages handled at once as one read brings.
        max_workers=max_records,
        ack_policy=AckPolicy.REJECT_ON_ERROR,
        title=title,
        description=description,
    )
    main(handler)
    _subscribe_reclaim(
        router,
        handler,
        group,
        main,
        consumer=consumer,
        polling_interval_ms=reclaim_polling_interval_ms or polling_interval_ms,
        reclaim_idle_ms=reclaim_idle_ms,
        title=title,
        description=description,
    )


def subscribe_batches_with_reclaim(
    router: RedisRouter,
    batch_handler: Callable[..., Awaitable[Any]],
    entry_handler: Callable[..., Awaitable[Any]],
    group: ConsumerGroup,
    *,
    consumer: str,
    max_records: int,
    polling_interval_ms: int,
    reclaim_idle_ms: int,
    title: str,
    description: str,
) -> None:
    """As `subscribe_with_reclaim`, but the main subscriber reads up to `max_records` entries
    and hands them to `batch_handler` as one batch (a `RedisBatchStreamMessage`), acknowledged
    together once it returns; a batch that fails stays pending as a whole. The reclaim
    subscriber (FastStream's XAUTOCLAIM reads one entry at a time) runs `entry_handler` per
    entry, under the dead-letter middleware's retry budget: the dead-letter middleware does not
    see into batches, so `batch_handler` parks its own poison entries."""
    main = router.subscriber(
        stream=StreamSub(
            group.stream,
            group=group.group,
            consumer=consumer,
            batch=True,
            max_records=max_records,
            polling_interval=polling_interval_ms,
        ),
        ack_policy=AckPolicy.REJECT_ON_ERROR,
        parser=_parse_batch_keeping_raw_entries,
        title=title,
        description=description,
    )
    main(batch_handler)
    _subscribe_reclaim(
        router,
        entry_handler,
        group,
        main,
        consumer=consumer,
        polling_interval_ms=polling_interval_ms,
        reclaim_idle_ms=reclaim_idle_ms,
        title=title,
        description=description,
    )


async def _parse_batch_keeping_raw_entries(
    raw: Any, original_parser: Callable[[Any], Awaitable[Any]]
) -> Any:
    """FastStream's batch parser decodes every entry's body into one JSON list, and one
    non-UTF-8 body fails the whole batch before the handler runs (so it would never be acked,
    nor dead-lettered). The batch handler reads the raw entries (`raw_message["data"]`)
    itself: the parser gets placeholder bodies, and the message keeps the raw entries."""
    placeholders = {**raw, "data": [{b"__data__": b"null"} for _ in raw["data"]]}
    message = await original_parser(placeholders)
    message.raw_message = raw
    return message


def _subscribe_reclaim(
    router: RedisRouter,
    handler: Callable[..., Awaitable[Any]],
    group: ConsumerGroup,
    main: Any,
    *,
    consumer: str,
    polling_interval_ms: int,
    reclaim_idle_ms: int,
    title: str,
    description: str,
) -> None:
    reclaim = router.subscriber(
        stream=StreamSub(
            group.stream,
            group=group.group,
            consumer=f"{consumer}-reclaim",
            # XAUTOCLAIM only (count 1): this subscriber never reads new entries.
            min_idle_time=reclaim_idle_ms,
            max_records=1,
            polling_interval=polling_interval_ms,
        ),
        ack_policy=AckPolicy.REJECT_ON_ERROR,
        title=f"{title}.reclaim",
        description=f"{description} Entries another consumer left pending longer than "
        "the reclaim idle time.",
    )
    reclaim(handler)
    for subscriber in (main, reclaim):
        recreate_group_on_loss(subscriber, group)


@contextlib.asynccontextmanager
async def consumer_groups(
    redis: Redis,
    groups: Sequence[ConsumerGroup],
    *,
    lag_every: float = 5.0,
    shards: int | None = None,
) -> AsyncIterator[None]:
    """Before the broker subscribes: the shard count checked against the one the streams were
    written with (when `shards` is given: `ShardCountMismatch`), the groups prepared (created
    at 0, stale consumers pruned, waiting for a Redis that is still starting). Until exit:
    their lag and pending counts refreshed as Prometheus gauges."""
    await prepare_groups(redis, groups, shards=shards)
    watcher = BackgroundLoop(
        "consumer-lag", lambda stopping: watch_lag(redis, list(groups), stopping, lag_every)
    )
    try:
        yield
    finally:
        await watcher.stop()
