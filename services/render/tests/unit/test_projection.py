"""The projector: what a story looks like after each kind of event, in any order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from newsroom.render.domain.projection import ArticleStatus, apply
from newsroom.shared.article import PubStatus


def run(events):
    state = None
    for event in events:
        state = apply(state, event)
    return state


def test_first_version_is_usable_with_its_headline_and_slug(seed):
    state = apply(None, seed.v1())
    assert state.status is ArticleStatus.USABLE
    assert state.article.headline == seed.v1_article.headline
    assert state.slug == seed.slug
    assert state.is_visible(datetime.now(UTC))


def test_a_duplicate_event_returns_the_same_state(seed):
    state = apply(None, seed.v1())
    assert apply(state, seed.v1()) is state


def test_an_update_replaces_the_current_version_and_keeps_history(seed):
    state = run([seed.v1(), seed.v2()])
    assert state.current.version == "2"
    assert "Baikonur" in state.article.body_text
    assert [record.version for record in state.history] == ["1", "2"]
    assert state.current.is_correction


def test_an_older_version_arriving_late_does_not_replace_the_newer(seed):
    state = run([seed.v2(), seed.v1()])
    assert state.current.version == "2"
    assert [record.version for record in state.history] == ["1", "2"]


def test_an_enrichment_of_an_older_version_never_overwrites_a_newer_one(seed):
    v1, v2 = seed.v1(), seed.v2()
    state = run([v1, v2, seed.enriched(v2), seed.enriched(v1)])
    assert state.enrichment.version == "2"


def test_a_withdrawal_wins_over_older_versions_in_either_order(seed):
    for events in ([seed.v1(), seed.v2(), seed.kill()], [seed.kill(), seed.v2(), seed.v1()]):
        state = run(events)
        assert state.status is ArticleStatus.WITHDRAWN
        assert not state.is_visible(datetime.now(UTC))
        assert state.withdrawal.ednote.startswith("Withdrawn")


def test_a_version_newer_than_the_withdrawal_reinstates_the_story(seed):
    later = seed.v2_article.model_copy(
        update={
            "version": "4",
            "versioncreated": seed.v2_article.versioncreated + timedelta(days=2),
        }
    )
    state = run([seed.v1(), seed.kill(), seed.received(later)])
    assert state.status is ArticleStatus.USABLE
    assert state.current.version == "4"


def test_an_enrichment_before_its_article_is_kept_but_shows_nothing(seed):
    v1 = seed.v1()
    state = apply(None, seed.enriched(v1))
    assert state.status is ArticleStatus.PENDING
    assert not state.is_visible(datetime.now(UTC))
    state = apply(state, v1)
    assert state.is_visible(datetime.now(UTC))
    assert state.enrichment.version == "1"


def test_an_embargo_hides_the_story_until_its_time_without_any_new_event(seed):
    until = datetime(2030, 1, 1, tzinfo=UTC)
    state = apply(None, seed.embargoed(until))
    assert state.listed
    assert not state.is_visible(until - timedelta(seconds=1))
    assert state.is_visible(until)


def test_an_embargo_with_unknown_time_stays_hidden(seed):
    state = apply(None, seed.embargoed(unknown=True))
    assert state.embargo_held
    assert not state.is_visible(datetime(2100, 1, 1, tzinfo=UTC))


def test_a_withheld_story_is_not_shown(seed):
    withheld = seed.v1_article.model_copy(update={"pubstatus": PubStatus.WITHHELD})
    state = apply(None, seed.received(withheld))
    assert state.status is ArticleStatus.WITHHELD
    assert not state.is_visible(datetime.now(UTC))


def test_stored_json_is_the_same_whatever_the_order(seed):
    events = seed.history()
    forward = run(events)
    backward = run(list(reversed(events)))
    assert forward.model_dump_json() == backward.model_dump_json()


def _update(seed, *, is_correction=None, signals=()):
    """v2 as ingest sends it; `is_correction` None: an event from before ingest decided it."""
    event = seed.v2()
    body = event.to_message()
    body["data"]["article"]["signals"] = list(signals)
    if is_correction is None:
        del body["data"]["is_correction"]
    else:
        body["data"]["is_correction"] = is_correction
    return type(event).model_validate(body)


def test_ingest_decides_what_is_a_correction_whatever_the_signals_say(seed):
    # Ingest saw an ednote saying the story corrects an earlier one: no wire signal needed.
    assert run([seed.v1(), _update(seed, is_correction=True)]).current.is_correction
    # Ingest said no: a signal render would once have read as a correction does not override.
    plain = run([seed.v1(), _update(seed, is_correction=False, signals=["correction"])])
    assert not plain.current.is_correction


def test_an_event_older_than_is_correction_falls_back_to_the_wire_signals(seed):
    old = run([seed.v1(), _update(seed, signals=["correction"])])
    assert old.current.is_correction
    assert not run([seed.v1(), _update(seed)]).current.is_correction


def test_a_canceled_version_is_a_withdrawal_in_the_status_and_the_history(seed):
    from newsroom.render.domain.history import version_changes

    canceled = seed.v2_article.model_copy(update={"pubstatus": PubStatus.CANCELED})
    state = run([seed.v1(), seed.received(canceled)])
    assert state.status is ArticleStatus.WITHDRAWN
    assert [change.label for change in version_changes(state.history)][-1] == "Withdrawn"


def _resent_copies(seed):
    from newsroom.shared.events import ArticleUpdated, ArticleUpdatedData
    from newsroom.shared.ids import article_event_id

    held = seed.embargoed_article
    lifted_article = held.model_copy(
        update={"embargo": None, "headline": held.headline + " (lifted)"}
    )
    first = seed.received(held, time=held.versioncreated)
    # What ingest publishes for the same version number re-sent with other content.
    lifted = ArticleUpdated.create(
        # (This id happens to sort before the held copy's: the order must not rest on ids.)
        id=article_event_id("demo", held.uri, f"{held.version}#lifted"),
        source="/newsroom/ingest/demo",
        subject=first.subject,
        time=held.versioncreated + timedelta(hours=1),
        correlationid="delivery-lift",
        data=ArticleUpdatedData(
            article_id=first.subject, slug=first.data.slug, article=lifted_article
        ),
    )
    return first, lifted


def test_ingest_numbering_orders_two_copies_of_a_version_whatever_the_clocks(seed):
    first, lifted = _resent_copies(seed)
    # Two ingest processes with skewed clocks: the later copy carries an earlier time.
    first = first.model_copy(
        update={"data": first.data.model_copy(update={"sequence": 1}), "time": lifted.time}
    )
    lifted = lifted.model_copy(
        update={
            "data": lifted.data.model_copy(update={"sequence": 2}),
            "time": first.time - timedelta(minutes=5),
        }
    )
    for events in ([first, lifted], [lifted, first]):
        state = run(events)
        assert state.article.embargo is None
        assert state.article.headline.endswith("(lifted)")


def test_a_version_resent_with_its_embargo_lifted_wins_over_the_held_copy_in_either_order(seed):
    first, lifted = _resent_copies(seed)
    for events in ([first, lifted], [lifted, first]):
        state = run(events)
        assert state.article.embargo is None
        assert state.is_visible(datetime.now(UTC))


def test_the_enrichment_shown_is_the_one_made_from_the_copy_shown_in_any_order(seed):
    import itertools

    first, lifted = _resent_copies(seed)
    events = [first, lifted, seed.enriched(first), seed.enriched(lifted)]
    for order in itertools.permutations(events):
        state = run(order)
        assert state.shown_enrichment.cause_event_id == lifted.id


def test_a_copy_with_other_versions_derives_its_own_current_version(seed):
    # The derived properties are computed once per state; a copy with changes must not
    # answer with the original's.
    state = apply(apply(None, seed.v1()), seed.v2())
    assert state.current is not None
    assert state.current.version == seed.v2_article.version
    assert state.status is ArticleStatus.USABLE
    older = state.model_copy(update={"versions": state.history[:1]})
    assert older.current is not None
    assert older.current.version == seed.v1_article.version
    assert older.history == state.history[:1]
    killed = state.model_copy(
        update={"versions": (*state.versions, apply(None, seed.kill()).versions[0])}
    )
    assert killed.status is ArticleStatus.WITHDRAWN
