"""Golden ids: every id is stored everywhere (streams, inboxes, read models, page URLs), so the
same input must give these very values in every release. A change here is a migration of every
store, not a refactoring."""

from __future__ import annotations

from newsroom.shared.ids import article_event_id, article_id, article_slug, derived_event_id

SOURCE = "reuters"
URI = "tag:reuters.com,2021:newsml_L1N2QM0XY"


def test_article_id_is_pinned() -> None:
    assert article_id(SOURCE, URI) == "3832c9cb-6bf3-536d-bca6-44435d488cb7"


def test_article_event_id_is_pinned() -> None:
    assert article_event_id(SOURCE, URI, "3") == "b4e3603f-88ca-57c0-a183-f0839b55882f"


def test_derived_event_id_is_pinned() -> None:
    cause = "b4e3603f-88ca-57c0-a183-f0839b55882f"
    assert derived_event_id("enriched", cause) == "83563fdf-3af8-5031-ae5c-296c52f83652"


def test_article_slug_is_pinned() -> None:
    the_id = "3832c9cb-6bf3-536d-bca6-44435d488cb7"
    headline = "Space Race 2: Russia gets the go-ahead to shoot the first film in orbit"
    assert article_slug(headline, the_id) == (
        "space-race-2-russia-gets-the-go-ahead-to-shoot-the-first-film-in-orbit-3832c9cb"
    )
    assert article_slug("!!!", the_id) == "story-3832c9cb"


def test_parts_are_kept_apart() -> None:
    assert article_id("a", "bc") == "8f95f614-2ff0-5daa-b92c-897c2a3475e6"
    assert article_id("ab", "c") == "d6f852bc-8627-59b5-9c3e-941b676ac4ff"
