"""Appending a relay batch to the streams of a Redis Cluster: each shard's events in one
MULTI/EXEC on the master of their slot, then WAIT for its replicas.

FastStream's RedisClusterBroker ignores `pipeline=` and would publish event by event
(ag2ai/faststream#3044), and WAIT counts the replicas that have the writes *of the connection
it runs on*, which a pooled pipeline gives back before one could ask. So each slot's batch is
written here on one connection of the slot's master, in one round trip: MULTI, the XADDs
(FastStream's binary message format, as consumers expect), EXEC, WAIT. A shard's streams share
a slot (`streams.shard_tag`), so a relay batch is one transaction per shard.

An event counts as published only once WAIT confirmed `min_replicas` replicas: an event Redis
acknowledged but no replica had yet is lost if its master dies before replicating it, and a
replica promoted then would not have it. Such a batch stays in the outbox and goes out again
(consumers drop repeated event ids)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Sequence
from typing import Any

import structlog
from faststream.redis.parser.binary import BinaryMessageFormatV1
from redis.asyncio import RedisCluster
from redis.asyncio.cluster import ClusterNode
from redis.crc import key_slot
from redis.exceptions import MovedError, ResponseError

from newsroom.shared.outbox.relay import PartlyPublished, PendingEvent

log = structlog.get_logger(__name__)

# FastStream's stream entry field for the encoded message.
DATA_FIELD = "__data__"
# How long WAIT blocks for the replicas; well below the client's socket timeout.
WAIT_TIMEOUT_MS = 2_000
# How long a master's replica count is trusted before it is asked again: a replica that joins
# is waited for from then on.
REPLICA_COUNT_TTL_SECONDS = 30.0


class NotReplicated(Exception):
    """WAIT timed out before enough replicas had the batch."""


class ClusterOutboxPublisher:
    """`min_replicas` None: 1 when the slot's master has a replica, 0 when it has none."""

    def __init__(
        self,
        client: RedisCluster,
        *,
        maxlen: int | None = None,
        min_replicas: int | None = None,
        wait_timeout_ms: int = WAIT_TIMEOUT_MS,
    ) -> None:
        self.client = client
        self.maxlen = maxlen
        self.min_replicas = min_replicas
        self.wait_timeout_ms = wait_timeout_ms
        # Per master (by name): its connected replicas, and when it said so.
        self._replicas: dict[str, tuple[int, float]] = {}

    async def publish(self, events: Sequence[PendingEvent]) -> None:
        if not events:
            return
        await self.client.initialize()  # the slot map, once
        by_slot: dict[int, list[PendingEvent]] = {}
        for event in events:
            by_slot.setdefault(key_slot(event.stream.encode()), []).append(event)
        appended: list[PendingEvent] = []
        first_error: Exception | None = None
        for slot, batch in by_slot.items():
            # Slots are independent: one failing (its master just died) leaves the others'
            # events published, and its own in the outbox, in order.
            try:
                appended.extend(await self._publish_slot(slot, batch))
            except PartlyPublished as partly:
                appended.extend(partly.appended)
                first_error = first_error or partly.cause
            except Exception as exc:
                first_error = first_error or exc
        if first_error is not None:
            if not appended:
                raise first_error
            raise PartlyPublished(sorted(appended, key=lambda e: e.outbox_id), first_error)

    async def _publish_slot(self, slot: int, batch: list[PendingEvent]) -> list[PendingEvent]:
        node = self.client.nodes_manager.get_node_from_slot(slot)
        min_replicas = await self._min_replicas(node)
        commands: list[tuple[Any, ...]] = [("MULTI",)]
        for event in batch:
            payload = await BinaryMessageFormatV1.encode(
                message=event.message,
                reply_to=None,
                headers={"message_id": event.event_id},
                correlation_id=event.correlation_id,
            )
            bound = () if self.maxlen is None else ("MAXLEN", "~", self.maxlen)
            commands.append(("XADD", event.stream, *bound, "*", DATA_FIELD, payload))
        commands.append(("EXEC",))
        if min_replicas:
            commands.append(("WAIT", min_replicas, self.wait_timeout_ms))
        replies = await self._round_trip(node, commands)
        for reply in replies:
            if isinstance(reply, MovedError):
                # The slot has another master (a failover): learn the new layout for the
                # next round; this batch goes out again then.
                await self.client.nodes_manager.initialize()
                raise reply
        executed = replies[len(batch) + 1]
        if isinstance(executed, Exception):
            raise executed  # EXECABORT: a command was refused while queuing; none applied
        results: list[Any] = list(executed)
        appended: list[PendingEvent] = []
        failed_streams: set[str] = set()
        first_error: Exception | None = None
        for event, result in zip(batch, results, strict=True):
            if isinstance(result, Exception):
                # Refused inside EXEC (a key of the wrong type): later events of that stream
                # were too, so its order holds (as in RedisOutboxPublisher).
                failed_streams.add(event.stream)
                first_error = first_error or result
            elif event.stream not in failed_streams:
                appended.append(event)
        if min_replicas:
            acknowledged = replies[-1]
            if isinstance(acknowledged, Exception):
                raise acknowledged
            if int(acknowledged) < min_replicas:
                raise NotReplicated(
                    f"{acknowledged} of {min_replicas} replicas of {node.name} confirmed "
                    f"{len(batch)} events within {self.wait_timeout_ms} ms"
                )
        if first_error is not None:
            raise PartlyPublished(appended, first_error)
        return appended

    async def _min_replicas(self, node: ClusterNode) -> int:
        """1 when `node` has a replica. Asked of the master itself (INFO replication), not read
        from the client's slot map: CLUSTER SLOTS leaves out a replica whose replication offset
        is still 0 (a cluster with no writes yet), and the map is loaded once, so a relay
        started on a fresh cluster would never WAIT."""
        if self.min_replicas is not None:
            return self.min_replicas
        known = self._replicas.get(node.name)
        if known is None or time.monotonic() - known[1] > REPLICA_COUNT_TTL_SECONDS:
            info = await node.execute_command("INFO", "replication")
            replicas = int(info.get("connected_slaves", 0)) if isinstance(info, dict) else 0
            known = (replicas, time.monotonic())
            self._replicas[node.name] = known
        return 1 if known[0] > 0 else 0

    async def _round_trip(self, node: ClusterNode, commands: list[tuple[Any, ...]]) -> list[Any]:
        """Every command sent at once on one connection of `node`, every reply read (an error
        reply as its exception, so the connection stays in step). A connection that failed is
        dropped, and the slot map refreshed: the node may be gone."""
        connection = node.acquire_connection()
        try:
            await connection.send_packed_command(connection.pack_commands(commands))
            replies: list[Any] = []
            for _ in commands:
                try:
                    replies.append(await connection.read_response())
                except ResponseError as exc:
                    replies.append(exc)
            return replies
        except Exception:
            await connection.disconnect()
            self._replicas.pop(node.name, None)
            with contextlib.suppress(Exception):
                await self.client.nodes_manager.initialize()
            raise
        except BaseException:  # cancelled mid-way: the replies would be read by another
            await connection.disconnect()
            raise
        finally:
            node.release(connection)
