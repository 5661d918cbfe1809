"""PageChanged names exactly the pages whose content an event changed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from newsroom.render.domain.pages import changed_pages, footprint
from newsroom.render.domain.projection import apply

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def paths(before, after, now=NOW):
    return {
        c.path
        for c in changed_pages(footprint(before, now), footprint(after, now), "r", after.article_id)
    }


def test_first_version_touches_its_page_lists_and_sitemap(seed):
    state = apply(None, seed.v1())
    assert paths(None, state) == {
        f"/articles/{seed.slug}",
        f"/api/articles/{seed.article_id}",
        "/",
        "/feed.atom",
        "/api/articles",
        "/sitemap.xml",
    }


def test_enrichment_touches_the_article_its_entities_and_the_timeline_but_not_the_lists(seed):
    v1 = seed.v1()
    before = apply(None, v1)
    after = apply(before, seed.enriched(v1))
    changed = paths(before, after)
    assert {
        "/timeline",
        "/entities/person/yulia-peresild",
        "/api/entities/organisation/roscosmos",
    } <= changed
    assert f"/articles/{seed.slug}" in changed
    assert "/api/entities" in changed  # the entity list gains its entities
    assert not {"/", "/feed.atom", "/api/articles"} & changed


def test_a_correction_touches_the_entity_pages_whose_sentence_changed_only(seed):
    v1, v2 = seed.v1(), seed.v2()
    before = apply(apply(None, v1), seed.enriched(v1))
    corrected = apply(before, v2)
    # The new version changes the article page and the lists (its time changed).
    assert {f"/articles/{seed.slug}", "/", "/feed.atom"} <= paths(before, corrected)
    enriched = apply(corrected, seed.enriched(v2))
    changed = paths(corrected, enriched)
    # Only the timeline entry of the corrected sentence moved: entities not in it are untouched.
    assert "/timeline" in changed
    assert "/entities/organisation/roscosmos" not in changed
    assert "/" not in changed


def test_a_duplicate_touches_nothing(seed):
    state = apply(None, seed.v1())
    assert paths(state, apply(state, seed.v1())) == set()


def test_a_kill_touches_every_page_the_story_was_on(seed):
    v1 = seed.v1()
    live = apply(apply(None, v1), seed.enriched(v1))
    killed = apply(live, seed.kill())
    changed = paths(live, killed)
    assert {
        f"/articles/{seed.slug}",
        "/",
        "/feed.atom",
        "/sitemap.xml",
        "/timeline",
        "/entities/person/yulia-peresild",
        "/entities/place/moscow",
        "/api/entities",
    } <= changed


def test_a_correction_that_names_the_same_entities_leaves_the_entity_list_alone(seed):
    v1, v2 = seed.v1(), seed.v2()
    corrected = apply(apply(apply(None, v1), seed.enriched(v1)), v2)
    enriched = apply(corrected, seed.enriched(v2))
    # v2 names the same seven entities as v1; only a sentence moved.
    assert "/timeline" in paths(corrected, enriched)
    assert "/api/entities" not in paths(corrected, enriched)


def test_an_embargoed_story_touches_nothing_public_until_it_lifts(seed):
    until = NOW + timedelta(hours=1)
    state = apply(None, seed.embargoed(until))
    assert paths(None, state) == set()
    lifted = changed_pages(
        footprint(state, until - timedelta(seconds=1)),
        footprint(state, until),
        "lift",
        state.article_id,
    )
    assert {c.path for c in lifted} >= {f"/articles/{state.slug}", "/", "/feed.atom"}
