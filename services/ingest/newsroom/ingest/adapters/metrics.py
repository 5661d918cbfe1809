"""Prometheus metrics of the ingest service (default registry, served on /metrics)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

from newsroom.shared.outbox import OutboxMetrics

ITEMS_ACCEPTED = Counter(
    "newsroom_ingest_items_accepted_total",
    "Wire items recorded in the inbox, by source and outcome (received, updated, withdrawn)",
    ["source", "outcome"],
)
ITEMS_DUPLICATE = Counter(
    "newsroom_ingest_items_duplicate_total",
    "Wire items answered as duplicates, by source and reason (version, webhook-id)",
    ["source", "reason"],
)
REQUESTS_REFUSED = Counter(
    "newsroom_ingest_requests_refused_total",
    "Deliveries refused, by source and reason (the problem type)",
    ["source", "reason"],
)
REQUEST_LATENCY = Histogram(
    "newsroom_ingest_request_duration_seconds",
    "HTTP request latency, by route template, method and status",
    ["route", "method", "status"],
)
OUTBOX_BACKLOG = Gauge(
    "newsroom_ingest_outbox_backlog",
    "Events recorded in the inbox and not yet appended to Redis",
)
REDIS_REACHABLE = Gauge(
    "newsroom_ingest_redis_reachable",
    "1 when Redis answered the last probe (each /readyz and /metrics), 0 otherwise; while it is "
    "0 deliveries are still accepted and wait in the outbox",
)
EVENTS_RELAYED = Counter(
    "newsroom_ingest_events_relayed_total", "Events appended to Redis by the outbox relay"
)
RELAY_FAILURES = Counter(
    "newsroom_ingest_relay_failures_total", "Relay rounds that failed (Redis unreachable, …)"
)
OUTBOX_PARKED = Counter(
    "newsroom_ingest_outbox_parked_total",
    "Outbox rows that could not be decoded, moved to outbox_parked instead of blocking the relay",
)
RELAY_METRICS = OutboxMetrics(
    relayed=EVENTS_RELAYED, failures=RELAY_FAILURES, backlog=OUTBOX_BACKLOG, parked=OUTBOX_PARKED
)
