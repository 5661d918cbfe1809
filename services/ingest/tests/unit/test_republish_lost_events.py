"""Re-publishing what Redis lost: nothing while the epoch holds; after a change, the accepted
events the archive lacks, the article events after the old epoch's checkpoint, and the
versions whose enrichment may be lost, each once."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

from newsroom.ingest.application.republish_lost_events import RepublishLostEvents
from newsroom.shared.eventstore import ArchivedEvent, EntryId, EventRecord
from newsroom.shared.outbox import OutgoingEvent

ARTICLES, ENRICHED = "articles", "enriched"


def outgoing(event_id: str) -> OutgoingEvent:
    return OutgoingEvent(event_id, ARTICLES, f"delivery-{event_id}", f'{{"id": "{event_id}"}}')


def archived(position: int, event_id: str, entry: int) -> ArchivedEvent:
    return ArchivedEvent(
        position,
        EventRecord(
            event_id=event_id,
            stream=ARTICLES,
            entry_id=EntryId(entry, 0),
            event_type="newsroom.article.received.v1",
            subject="article",
            causation_id=None,
            correlation_id=f"delivery-{event_id}",
            body=f'{{"id": "{event_id}"}}',
        ),
    )


class Accepted:
    def __init__(self, ids: list[str]) -> None:
        self.ids = ids

    async def pages(self, size: int) -> AsyncIterator[list[OutgoingEvent]]:
        for start in range(0, len(self.ids), size):
            yield [outgoing(i) for i in self.ids[start : start + size]]


class Archive:
    """a1..a3 archived at entries 10, 20, 30; a2 without enrichment before the checkpoint."""

    def __init__(self) -> None:
        self.rows = [archived(1, "a1", 10), archived(2, "a2", 20), archived(3, "a3", 30)]

    async def archived_ids(self, event_ids: Sequence[str], *, up_to: int | None = None) -> set[str]:
        return {i for i in event_ids if i in {"a1", "a2", "a3"}}

    async def checkpoints_before(self, epoch: str) -> dict[str, EntryId]:
        return {ARTICLES: EntryId(30, 0), ENRICHED: EntryId(25, 0)}

    async def events_from(
        self, stream: str, entry: EntryId, *, after: int, limit: int
    ) -> list[ArchivedEvent]:
        return [r for r in self.rows if r.record.entry_id >= entry and r.position > after][:limit]

    async def without_derived_event(
        self,
        stream: str,
        event_types: Sequence[str],
        derived_stream: str,
        derived_from: EntryId,
        *,
        after: int,
        limit: int,
    ) -> list[ArchivedEvent]:
        return [r for r in self.rows if r.record.event_id in {"a2", "a3"} and r.position > after]


async def test_nothing_is_republished_while_the_epoch_holds_and_the_rest_once_after() -> None:
    epochs = iter(["one", "one", "two", "two"])
    sent: list[str] = []

    async def republish(events: Sequence[OutgoingEvent]) -> None:
        sent.extend(e.event_id for e in events)

    async def epoch() -> str:
        return next(epochs)

    use_case = RepublishLostEvents(
        Accepted(["a1", "a2", "a3", "n1", "n2"]),
        Archive(),
        republish,
        epoch,
        shards=[(ARTICLES, ENRICHED)],
        batch=2,
    )
    assert await use_case.check() is None  # the first look only remembers the epoch
    assert await use_case.check() is None
    recovery = await use_case.check()
    assert recovery is not None
    # n1, n2: not archived; a3: after the articles checkpoint; a2: its enrichment may be lost.
    assert sent == ["n1", "n2", "a3", "a2"]
    assert (recovery.not_archived, recovery.after_checkpoint, recovery.to_enrich_again) == (2, 1, 1)
    assert await use_case.check() is None
