from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from newsroom.shared.article import Article, version_order_key
from newsroom.shared.events import (
    ArticleReceived,
    ArticleReceivedData,
    ArticleWithdrawn,
    UnknownEventType,
    decode_event,
    decode_event_json,
    upcast,
)
from newsroom.shared.ids import article_event_id, article_id, article_slug, derived_event_id

WHEN = datetime(2021, 9, 20, 12, 0, tzinfo=UTC)


def received(version: str = "1") -> ArticleReceived:
    article = Article(
        source="demo",
        uri="urn:story",
        version=version,
        versioncreated=WHEN,
        headline="Space Race 2",
    )
    aid = article_id("demo", "urn:story")
    return ArticleReceived.create(
        id=article_event_id("demo", "urn:story", version),
        source="/sources/demo",
        subject=aid,
        correlationid="msg_1",
        data=ArticleReceivedData(
            article_id=aid, slug=article_slug("Space Race 2", aid), article=article
        ),
    )


def test_same_delivery_yields_same_ids_and_different_versions_do_not() -> None:
    assert article_id("demo", "urn:a") == article_id("demo", "urn:a")
    assert article_id("demo", "urn:a") != article_id("other", "urn:a")
    assert article_event_id("demo", "urn:a", "1") != article_event_id("demo", "urn:a", "2")
    # Parts are separated, so shifting characters between them changes the id.
    assert article_event_id("demo", "urn:a1", "2") != article_event_id("demo", "urn:a", "12")
    assert derived_event_id("enriched", "e1") == derived_event_id("enriched", "e1")


def test_slug_is_readable_and_unique_per_article() -> None:
    a, b = article_id("demo", "urn:a"), article_id("demo", "urn:b")
    assert article_slug("Space Race 2: Russia’s crew!", a).startswith("space-race-2-russias-crew-")
    assert article_slug("Same", a) != article_slug("Same", b)


def test_envelope_round_trips_through_a_stream_body_as_the_same_typed_event() -> None:
    event = received()
    decoded = decode_event(event.to_message())
    assert isinstance(decoded, ArticleReceived)
    assert decoded == event
    assert decoded.type == "newsroom.article.received.v1"
    assert event.to_message()["specversion"] == "1.0"


def test_unknown_type_and_broken_shape_are_refused() -> None:
    with pytest.raises(UnknownEventType):
        decode_event({"type": "newsroom.article.exploded.v1"})
    body = received().to_message()
    del body["data"]["article"]["headline"]
    with pytest.raises(ValidationError):
        decode_event(body)


def test_upcasters_chain_old_versions_to_the_current_shape() -> None:
    def v0_to_v1(body: dict[str, Any]) -> dict[str, Any]:
        return {
            **body,
            "type": "newsroom.article.withdrawn.v1",
            "data": {**body["data"], "ednote": None},
        }

    old = {"type": "newsroom.article.withdrawn.v0", "data": {"uri": "urn:x"}}
    assert upcast(old, {"newsroom.article.withdrawn.v0": v0_to_v1}) == {
        "type": "newsroom.article.withdrawn.v1",
        "data": {"uri": "urn:x", "ednote": None},
    }
    # A current body passes through untouched.
    assert upcast({"type": ArticleWithdrawn.TYPE}) == {"type": ArticleWithdrawn.TYPE}


def test_versions_order_by_wire_clock_then_numeric_version() -> None:
    later = datetime(2021, 9, 21, tzinfo=UTC)
    # Reuters' opaque numbers: the later clock wins even with a smaller number.
    assert version_order_key(later, "978556838") > version_order_key(WHEN, "1542761538")
    assert version_order_key(WHEN, "10") > version_order_key(WHEN, "9")


def test_consumers_of_the_articles_stream_read_old_versions_through_the_upcasters(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pydantic import TypeAdapter

    from newsroom.shared.events import ArticleEvent
    from newsroom.shared.events.upcasting import UPCASTERS

    event = received()
    old = {**event.to_message(), "type": "newsroom.article.received.v0"}
    monkeypatch.setitem(
        UPCASTERS, "newsroom.article.received.v0", lambda b: {**b, "type": ArticleReceived.TYPE}
    )
    assert TypeAdapter(ArticleEvent).validate_python(old) == event


def test_a_body_decoded_from_its_json_text_is_the_event_decode_event_gives() -> None:
    event = received()
    text = json.dumps(event.to_message())
    for known_type in (None, ArticleReceived.TYPE):
        decoded = decode_event_json(text, known_type)
        assert isinstance(decoded, ArticleReceived)
        assert decoded == decode_event(json.loads(text)) == event
    assert decode_event_json(text.encode(), ArticleReceived.TYPE) == event


def test_decoding_json_text_with_a_wrong_or_unknown_type_is_refused() -> None:
    text = json.dumps(received().to_message())
    # The archive's type column disagreeing with the body never yields the wrong class.
    with pytest.raises(ValidationError):
        decode_event_json(text, ArticleWithdrawn.TYPE)
    with pytest.raises(UnknownEventType):
        decode_event_json(json.dumps({"type": "newsroom.article.exploded.v1"}), None)
    with pytest.raises(UnknownEventType):
        decode_event_json(
            json.dumps({"type": "newsroom.article.exploded.v1"}), "newsroom.article.exploded.v1"
        )


def test_json_text_of_an_old_version_goes_through_the_upcasters(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from newsroom.shared.events.upcasting import UPCASTERS

    event = received()
    old_type = "newsroom.article.received.v0"
    old = json.dumps({**event.to_message(), "type": old_type})
    # Registered after the module was imported: looked up at decode time.
    monkeypatch.setitem(UPCASTERS, old_type, lambda b: {**b, "type": ArticleReceived.TYPE})
    assert decode_event_json(old, old_type) == event
    assert decode_event_json(old, None) == event


def test_version_that_only_looks_numeric_still_orders_without_crashing() -> None:
    assert version_order_key(WHEN, "²") < version_order_key(WHEN, "1")
    assert version_order_key(WHEN, "v2") == (WHEN, -1, "v2")
