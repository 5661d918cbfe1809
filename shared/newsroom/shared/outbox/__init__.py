"""One transactional outbox for every service that announces its changes: the tables (each
service puts them in its own metadata), appending in the caller's transaction, the relay to
Redis and its publisher.

Needs the `sql` extra: `newsroom-shared[sql]`."""

from newsroom.shared.outbox.cluster_publisher import ClusterOutboxPublisher, NotReplicated
from newsroom.shared.outbox.redis_publisher import RedisOutboxPublisher
from newsroom.shared.outbox.relay import (
    MAX_BATCH_BYTES,
    OutboxMetrics,
    OutboxPublisher,
    OutboxRelay,
    PartlyPublished,
    PendingEvent,
    advisory_lock_key,
    decode_json_object,
    within_bytes,
)
from newsroom.shared.outbox.tables import OutboxTables, OutgoingEvent

__all__ = [
    "MAX_BATCH_BYTES",
    "ClusterOutboxPublisher",
    "NotReplicated",
    "OutboxMetrics",
    "OutboxPublisher",
    "OutboxRelay",
    "OutboxTables",
    "OutgoingEvent",
    "PartlyPublished",
    "PendingEvent",
    "RedisOutboxPublisher",
    "advisory_lock_key",
    "decode_json_object",
    "within_bytes",
]
