"""Property: any delivery order, with duplicates, ends in the same projection as in-order delivery."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsroom.render.domain.projection import apply

SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def histories(seed):
    """Event histories of two stories: the seed story's life (v1, v2 correction, kill, with
    enrichments) and a second story whose later version changes its headline."""
    v1, v2 = seed.v1(), seed.v2()
    story = [v1, seed.enriched(v1), v2, seed.enriched(v2), seed.kill()]
    other = seed.embargoed_article.model_copy(update={"embargo": None})
    first = seed.received(other)
    later = seed.received(
        other.model_copy(
            update={
                "version": "3",
                "versioncreated": other.versioncreated + timedelta(hours=2),
                "headline": "Back again",
            }
        )
    )
    return [*story, first, seed.enriched(first), later]


def deliveries(history):
    """A permutation of the history with some events delivered more than once."""
    return st.lists(st.sampled_from(history), max_size=len(history)).flatmap(
        lambda extra: st.permutations(history + extra)
    )


def project(events):
    states = {}
    for event in events:
        article_id = event.data.article_id
        states[article_id] = apply(states.get(article_id), event)
    return {article_id: state.model_dump_json() for article_id, state in states.items()}


@given(data=st.data())
@SETTINGS
def test_any_order_with_duplicates_projects_like_in_order_delivery(seed, data):
    history = histories(seed)
    expected = project(history)
    delivered = data.draw(deliveries(history))
    assert project(delivered) == expected


@given(data=st.data())
@SETTINGS
def test_any_prefix_order_agrees_on_what_readers_see(seed, data):
    """Not only the final state: after any subset of events, the view is that of the subset."""
    history = histories(seed)
    subset = data.draw(st.lists(st.sampled_from(history), unique_by=lambda e: e.id))
    shuffled = data.draw(st.permutations(subset))
    in_order = [event for event in history if event in subset]
    assert project(shuffled) == project(in_order)
