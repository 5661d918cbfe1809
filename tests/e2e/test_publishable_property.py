"""202 means publishable, as a property: items generated across each field's value space
(timestamps in any year and offset, any Unicode including lone surrogates, any length, picture
links of any scheme) are sent over real HTTP to a running newsroom, and each answer is one of
two outcomes only: a 4xx, or 202/200 and then the story is served (its page and its JSON), with
nothing dead-lettered anywhere. Never a 5xx, never a 202 that a consumer cannot take."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
import redis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsroom.shared.streams import DEAD_LETTERS_STREAM
from support.signed import ninjs_bytes, post_signed
from support.system import RunningSystem, poll

pytestmark = pytest.mark.e2e

# The extremes the contract refuses and the ones just inside it.
EDGE_TIMESTAMPS = [
    "9999-12-31T23:59:59-23:59",
    "0001-01-01T00:00:00+14:00",
    "9999-12-30T23:59:59+00:00",
    "0001-01-02T00:00:00+00:00",
    "0001-01-01T00:00:00Z",
    "2021-09-20T09:00:00",
]
offsets = st.builds(
    timezone,
    st.timedeltas(min_value=timedelta(hours=-23, minutes=-59), max_value=timedelta(hours=23)),
)
timestamps = st.one_of(
    st.sampled_from(EDGE_TIMESTAMPS),
    st.datetimes(
        min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31), timezones=offsets
    ).map(datetime.isoformat),
)
# Past timestamps only where they hold a story back (an embargo in the future hides it).
past = st.datetimes(
    min_value=datetime(1, 1, 1), max_value=datetime(2020, 1, 1), timezones=offsets
).map(datetime.isoformat)
# Any code point, lone surrogates included, which JSON carries as escapes.
unicode_text = st.text(st.characters(codec=None, categories=None), max_size=40)
texts = st.one_of(
    unicode_text,
    st.just("\ud800"),
    unicode_text.map(lambda text: text + "\udfff"),
    st.integers(190, 1100).map(lambda size: "x" * size),
)
hrefs = st.sampled_from(
    [
        "javascript:alert(document.domain)",
        " JaVaScRiPt:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "https://images.example.com/picture.jpg",
        "urn:newsroom:example:picture",
    ]
)


@st.composite
def items(draw: st.DrawFn) -> dict[str, Any]:
    item: dict[str, Any] = {
        # A unique tail keeps examples apart; the generated head still varies the identifier.
        "uri": draw(texts) + f" {uuid.uuid4()}",
        "headline": draw(st.one_of(st.just("A plain headline"), texts)),
        "body_text": draw(st.one_of(st.just("A plain body."), texts)),
    }
    optional: dict[str, st.SearchStrategy[Any]] = {
        "version": texts,
        "versioncreated": timestamps,
        "firstcreated": timestamps,
        "embargoed": past,
        "slugline": texts,
        "byline": texts,
    }
    for name, values in optional.items():
        if draw(st.booleans()):
            item[name] = draw(values)
    if draw(st.booleans()):
        item["associations"] = {
            "featureimage": {
                "type": "picture",
                "headline": "A picture",
                "renditions": {"original": {"href": draw(hrefs)}},
            }
        }
    return item


def served(response: httpx.Response) -> bool:
    return response.status_code == 200


@settings(
    max_examples=30,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(item=items())
def test_an_accepted_item_is_served(system: RunningSystem, item: dict[str, Any]) -> None:
    answer = post_signed(system, ninjs_bytes(item))
    assert answer.status_code < 500, answer.text
    if answer.status_code >= 400:
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json().get("pointer"), answer.text
        return
    assert answer.status_code in (200, 202), answer.text
    links = answer.json()["links"]
    page = poll(lambda: httpx.get(links["page"], timeout=10), served, timeout=90)
    document = httpx.get(links["api"], timeout=10)
    assert document.status_code == 200, document.text
    for shown in (page.text, document.text):
        lowered = shown.lower()
        assert "javascript:" not in lowered
        assert "vbscript:" not in lowered
        assert "data:text/html" not in lowered
    with redis.Redis.from_url(system.redis_url) as client:
        assert client.xlen(DEAD_LETTERS_STREAM) == 0, client.xrange(DEAD_LETTERS_STREAM)


def test_out_of_range_timestamps_are_refused_with_a_pointer(system: RunningSystem) -> None:
    """The reported cases, each in each timestamp field, with and without a version."""
    for field in ("versioncreated", "firstcreated", "embargoed"):
        for moment in ("9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+14:00"):
            for version in ({"version": "1"}, {}):
                item = {
                    "uri": f"urn:test:{uuid.uuid4()}",
                    "versioncreated": datetime.now(UTC).isoformat(),
                    "headline": "Out of range",
                    "body_text": "Text.",
                    **version,
                    field: moment,
                }
                answer = post_signed(system, ninjs_bytes(item))
                assert answer.status_code == 422, (field, moment, answer.text)
                assert answer.json()["pointer"] == f"/{field}"


def test_lone_surrogates_are_refused_not_dropped(system: RunningSystem) -> None:
    for field in ("uri", "version", "headline", "body_text"):
        item = {
            "uri": f"urn:test:{uuid.uuid4()}",
            "version": "1",
            "versioncreated": "2021-09-20T09:00:00Z",
            "headline": "Headline",
            "body_text": "Text.",
        }
        item[field] = item[field] + "\ud800"
        answer = post_signed(system, ninjs_bytes(item))
        assert answer.status_code == 422, (field, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
        assert "surrogate" in answer.json()["detail"]


def test_a_javascript_picture_link_reaches_no_page_nor_the_api(system: RunningSystem) -> None:
    item = {
        "uri": f"urn:test:{uuid.uuid4()}",
        "versioncreated": "2021-09-20T09:00:00Z",
        "headline": "A story with a booby-trapped picture",
        "body_text": "Text.",
        "associations": {
            "featureimage": {
                "type": "picture",
                "headline": "Caption",
                "renditions": {"original": {"href": "javascript:alert(document.cookie)"}},
            }
        },
    }
    answer = post_signed(system, ninjs_bytes(item))
    assert answer.status_code == 202, answer.text
    links = answer.json()["links"]
    page = poll(lambda: httpx.get(links["page"], timeout=10), served, timeout=90)
    document = httpx.get(links["api"], timeout=10)
    # Dropped at ingest: render never even receives the picture (it would show no link either).
    assert document.json()["article"]["pictures"] == []
    assert "javascript:" not in page.text.lower()
    assert "javascript:" not in document.text.lower()
