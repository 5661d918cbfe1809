"""A relay batch is bounded in bytes (bodies may be megabytes) but never empty."""

from __future__ import annotations

from newsroom.shared.outbox import PendingEvent, within_bytes


def event(n: int, size: int) -> PendingEvent:
    return PendingEvent(n, f"e{n}", "newsroom:articles:0", "c", {"n": n}, size)


def test_a_relay_batch_is_bounded_in_bytes_but_never_empty() -> None:
    pending = [event(n, 1000) for n in range(10)]
    assert [e.outbox_id for e in within_bytes(pending, max_bytes=3500)] == [0, 1, 2]
    assert [e.outbox_id for e in within_bytes([event(0, 10_000)], max_bytes=100)] == [0]
