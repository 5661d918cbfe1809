"""New / update / withdrawal / duplicate, decided from what ingest has recorded."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsroom.ingest.domain.decisions import (
    ArticleHistory,
    Outcome,
    RecordedVersion,
    build_event,
    decide,
    is_correction,
)
from newsroom.shared.article import Article, Embargo, PubStatus, version_order_key
from newsroom.shared.events import ArticleReceived, ArticleUpdated, ArticleWithdrawn
from newsroom.shared.ids import article_event_id, article_id, article_slug

URI = "urn:newsroom:test:story"


def article(
    version: str,
    hour: int,
    *,
    pubstatus: PubStatus = PubStatus.USABLE,
    headline: str = "Crew cleared for orbit",
    ednote: str | None = None,
    signals: list[str] | None = None,
    embargo: Embargo | None = None,
) -> Article:
    return Article(
        source="wire",
        uri=URI,
        version=version,
        versioncreated=datetime(2021, 9, 20, hour, tzinfo=UTC),
        pubstatus=pubstatus,
        headline=headline,
        body_text="Text.",
        ednote=ednote,
        signals=signals or [],
        embargo=embargo,
    )


def record(history: ArticleHistory | None, item: Article) -> ArticleHistory:
    """What the inbox does after a non-duplicate decision."""
    decision = decide("wire", item, history)
    assert decision.outcome is not Outcome.DUPLICATE
    recorded = RecordedVersion(
        item.version,
        item.versioncreated,
        item.pubstatus,
        content_hash=decision.content_hash,
        event_id=decision.event_id,
        embargoed=item.embargo is not None,
    )
    return ArticleHistory(
        article_id=decision.article_id,
        slug=decision.slug,
        versions=[*(history.versions if history else []), recorded],
    )


def test_first_version_is_received_with_deterministic_ids_and_slug() -> None:
    decision = decide("wire", article("1", 9), None)
    expected_id = article_id("wire", URI)
    assert decision.outcome is Outcome.RECEIVED
    assert decision.article_id == expected_id
    assert decision.event_id == article_event_id("wire", URI, "1")
    assert decision.slug == article_slug("Crew cleared for orbit", expected_id)


def test_later_version_is_an_update_keeping_the_first_slug() -> None:
    history = record(None, article("1", 9))
    decision = decide("wire", article("2", 10, headline="A new headline"), history)
    assert decision.outcome is Outcome.UPDATED
    assert decision.slug == history.slug
    assert not decision.is_correction
    assert not decision.superseded


def test_same_version_again_is_a_duplicate() -> None:
    history = record(None, article("1", 9))
    assert decide("wire", article("1", 9), history).outcome is Outcome.DUPLICATE


def test_same_version_killed_without_a_new_number_is_a_withdrawal_with_its_own_id() -> None:
    first = article("1", 9)
    history = record(None, first)
    kill = article("1", 9, pubstatus=PubStatus.CANCELED, ednote="Withdrawn: legal")
    decision = decide("wire", kill, history)
    assert decision.outcome is Outcome.WITHDRAWN
    first_id = article_event_id("wire", URI, "1")
    assert decision.event_id == article_event_id("wire", URI, "1#canceled") != first_id
    # The kill re-sent, even with another note, or a late copy of the story: no more events.
    killed = record(history, kill)
    for late in (
        kill,
        article("1", 9, pubstatus=PubStatus.CANCELED),
        first,
        article("1", 9, headline="Late copy"),
    ):
        again = decide("wire", late, killed)
        assert again.outcome is Outcome.DUPLICATE
    assert decide("wire", first, killed).event_id == first_id


def test_same_version_with_other_content_is_an_update_with_a_deterministic_new_id() -> None:
    history = record(None, article("1", 9, headline="Held story"))
    lifted = article("1", 9, headline="Held story lifted")
    decision = decide("wire", lifted, history)
    assert decision.outcome is Outcome.UPDATED
    assert decision.event_id != article_event_id("wire", URI, "1")
    assert decide("wire", lifted, history).event_id == decision.event_id
    assert decide("wire", lifted, record(history, lifted)).outcome is Outcome.DUPLICATE


HELD = Embargo()  # embargoed, time unknown
TIMED = Embargo(until=datetime(2021, 9, 21, 6, tzinfo=UTC))


@pytest.mark.parametrize("embargo", [HELD, TIMED])
def test_a_held_copy_of_a_version_already_released_is_a_stale_duplicate(embargo: Embargo) -> None:
    # The lifted copy reached ingest first; a late retry of the embargoed copy must not hide
    # the story again: an embargo is lifted, never put back.
    released = record(None, article("1", 9))
    late_held = decide("wire", article("1", 9, embargo=embargo), released)
    assert late_held.outcome is Outcome.DUPLICATE
    assert late_held.event_id == article_event_id("wire", URI, "1")


def test_embargo_changes_before_release_are_still_published() -> None:
    held = record(None, article("1", 9, embargo=HELD))
    timed = decide("wire", article("1", 9, embargo=TIMED), held)
    assert timed.outcome is Outcome.UPDATED  # the wire names the time: news for render
    lifted = article("1", 9)
    assert decide("wire", lifted, record(held, article("1", 9, embargo=TIMED))).outcome is (
        Outcome.UPDATED
    )
    # After release, a held copy of the next version is that version's embargo, not stale.
    released = record(held, lifted)
    assert decide("wire", article("2", 10, embargo=HELD), released).outcome is Outcome.UPDATED


def test_rows_recorded_without_their_embargo_state_do_not_count_as_released() -> None:
    legacy = ArticleHistory(
        article_id=article_id("wire", URI),
        slug="crew-cleared-for-orbit",
        versions=[RecordedVersion("1", datetime(2021, 9, 20, 9, tzinfo=UTC), PubStatus.USABLE,
                                  content_hash="0" * 64)],
    )  # fmt: skip
    assert decide("wire", article("1", 9, embargo=HELD), legacy).outcome is Outcome.UPDATED


def test_rows_recorded_without_a_content_hash_are_compared_by_pubstatus() -> None:
    legacy = ArticleHistory(
        article_id=article_id("wire", URI),
        slug="held-story",
        versions=[RecordedVersion("1", datetime(2021, 9, 20, 9, tzinfo=UTC), PubStatus.USABLE)],
    )
    assert decide("wire", article("1", 9), legacy).outcome is Outcome.DUPLICATE
    kill = article("1", 9, pubstatus=PubStatus.CANCELED)
    assert decide("wire", kill, legacy).outcome is Outcome.WITHDRAWN


def test_kill_is_a_withdrawal_even_as_first_version_seen() -> None:
    decision = decide("wire", article("3", 11, pubstatus=PubStatus.CANCELED), None)
    assert decision.outcome is Outcome.WITHDRAWN


@pytest.mark.parametrize(
    ("ednote", "signals", "expected"),
    [
        ("Corrects to add the launch site.", [], True),
        ("CORRECTION: fixes spelling of name", [], True),
        ("Corrected version", [], True),
        (None, ["sig:correction"], True),
        (None, ["correction"], True),
        ("Adds details", ["sig:update"], False),
        ("Incorrectly dated items elsewhere were withdrawn", [], False),
        (None, [], False),
    ],
)
def test_correction_comes_from_signals_or_the_ednote(
    ednote: str | None, signals: list[str], expected: bool
) -> None:
    item = article("2", 10, ednote=ednote, signals=signals)
    assert is_correction(item) is expected
    history = record(None, article("1", 9))
    assert decide("wire", item, history).is_correction is expected


def test_an_older_version_after_a_newer_one_is_still_published_and_marked_superseded() -> None:
    history = record(None, article("978556838", 12))
    decision = decide("wire", article("1542761538", 8), history)
    assert decision.outcome is Outcome.UPDATED
    assert decision.superseded


def test_events_carry_the_envelope_ingest_promises() -> None:
    item = article("2", 10, ednote="Corrects the date")
    history = record(None, article("1", 9))
    decision = decide("wire", item, history)
    event = build_event(decision, item, source="wire", correlation_id="msg_1")
    assert isinstance(event, ArticleUpdated)
    assert event.id == decision.event_id
    assert event.source == "/sources/wire"
    assert event.subject == decision.article_id
    assert event.correlationid == "msg_1"
    assert event.data.is_correction
    assert event.data.slug == history.slug


def test_a_duplicate_builds_no_event() -> None:
    item = article("1", 9)
    decision = decide("wire", item, record(None, item))
    with pytest.raises(ValueError, match="duplicate"):
        build_event(decision, item, source="wire", correlation_id="c")


SEED_LIKE = [
    article("1", 9),
    article("2", 15, ednote="Corrects to add the launch site."),
    article("3", 20, pubstatus=PubStatus.CANCELED, headline="KILL: Crew cleared"),
]


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_in_any_order_each_version_publishes_once_and_the_newest_event_is_the_kill(
    order: tuple[int, ...],
) -> None:
    history: ArticleHistory | None = None
    events = []
    for index in order:
        item = SEED_LIKE[index]
        decision = decide("wire", item, history)
        events.append(build_event(decision, item, source="wire", correlation_id="c"))
        history = record(history, item)
        # A redelivery of anything seen so far is a duplicate.
        assert decide("wire", SEED_LIKE[order[0]], history).outcome is Outcome.DUPLICATE
    assert len({event.id for event in events}) == 3
    assert isinstance(events[0], ArticleReceived | ArticleWithdrawn)
    assert all(not isinstance(event, ArticleReceived) for event in events[1:])

    def order_key(event: ArticleReceived | ArticleUpdated | ArticleWithdrawn) -> object:
        if isinstance(event, ArticleWithdrawn):
            return version_order_key(event.data.versioncreated, event.data.version)
        return version_order_key(event.data.article.versioncreated, event.data.article.version)

    assert isinstance(max(events, key=order_key), ArticleWithdrawn)
    # The slug is the one of the first version seen, on every event.
    assert {event.data.slug for event in events} == {history.slug if history else ""}


@st.composite
def deliveries(draw: st.DrawFn) -> list[Article]:
    """Versions 1..n of one story (the last maybe a kill), in any order, some sent twice."""
    count = draw(st.integers(min_value=1, max_value=6))
    killed = draw(st.booleans())
    versions = [
        article(
            str(number),
            number,
            pubstatus=PubStatus.CANCELED if killed and number == count else PubStatus.USABLE,
        )
        for number in range(1, count + 1)
    ]
    repeats = draw(st.lists(st.sampled_from(versions), max_size=4))
    return draw(st.permutations(versions + repeats))


@given(deliveries())
def test_any_delivery_order_publishes_each_version_once_and_ends_on_the_newest(
    items: list[Article],
) -> None:
    history: ArticleHistory | None = None
    events = []
    for item in items:
        decision = decide("wire", item, history)
        if decision.outcome is Outcome.DUPLICATE:
            continue
        events.append(build_event(decision, item, source="wire", correlation_id="c"))
        history = record(history, item)
    distinct = {item.version for item in items}
    assert sorted(event.id for event in events) == sorted(
        article_event_id("wire", URI, version) for version in distinct
    )
    assert sum(isinstance(event, ArticleReceived) for event in events) <= 1
    assert not isinstance(events[0], ArticleUpdated)
    assert len({event.data.slug for event in events}) == 1
    newest = max(items, key=lambda item: version_order_key(item.versioncreated, item.version))
    newest_event = max(
        events,
        key=lambda event: (
            version_order_key(event.data.versioncreated, event.data.version)
            if isinstance(event, ArticleWithdrawn)
            else version_order_key(event.data.article.versioncreated, event.data.article.version)
        ),
    )
    assert isinstance(newest_event, ArticleWithdrawn) is (newest.pubstatus is PubStatus.CANCELED)


def test_the_content_hash_ignores_what_readers_never_see_change() -> None:
    from newsroom.ingest.domain.decisions import content_hash
    from newsroom.shared.article import Article

    base = Article(
        source="demo",
        uri="urn:x",
        version="1",
        versioncreated=datetime(2024, 1, 1, tzinfo=UTC),
        headline="Ferry strike ends",
        body_html="<p>Ferries sail.</p>",
        body_text="Ferries sail.",
    )
    reparsed = base.model_copy(update={"body_html": "<p>Ferries  sail.</p>", "slugline": "FERRY"})
    assert content_hash(reparsed) == content_hash(base)
    lifted = base.model_copy(update={"pubstatus": PubStatus.CANCELED})
    assert content_hash(lifted) != content_hash(base)
    assert content_hash(base.model_copy(update={"body_text": "Ferries stay."})) != content_hash(
        base
    )


def test_each_recorded_copy_gets_the_next_number_of_its_article() -> None:
    first = decide("wire", article("1", 9), None)
    assert first.sequence == 1
    history = record(None, article("1", 9))
    assert decide("wire", article("1", 9), history).outcome is Outcome.DUPLICATE
    lifted = decide("wire", article("1", 9, headline="Lifted"), history)
    assert lifted.sequence == 2
    history = record(history, article("1", 9, headline="Lifted"))
    # An older version arriving late is still the next copy recorded.
    late = decide("wire", article("0", 8), history)
    assert (late.sequence, late.superseded) == (3, True)
    event = build_event(late, article("0", 8), source="wire", correlation_id="c")
    assert event.data.sequence == 3
