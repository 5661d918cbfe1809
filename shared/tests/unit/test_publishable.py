"""The publishability contract: what storage and every consumer can take."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from newsroom.shared import publishable
from newsroom.shared.article import Article, Embargo, Picture


def article(**fields: object) -> Article:
    base: dict[str, object] = {
        "source": "s",
        "uri": "u",
        "version": "1",
        "versioncreated": datetime(2021, 9, 20, tzinfo=UTC),
        "headline": "H",
        "body_text": "B",
    }
    return Article.model_validate({**base, **fields})


def test_a_plain_article_is_publishable() -> None:
    assert publishable.violations(article()) == []


@pytest.mark.parametrize(
    "moment",
    [
        datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone(-timedelta(hours=23, minutes=59))),
        datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))),
        datetime(9999, 12, 31, tzinfo=UTC),  # converts, but not to every local time
    ],
)
@pytest.mark.parametrize("field", ["/versioncreated", "/firstcreated", "/embargo/until"])
def test_timestamps_outside_the_range_are_named(moment: datetime, field: str) -> None:
    fields = {
        "/versioncreated": {"versioncreated": moment},
        "/firstcreated": {"firstcreated": moment},
        "/embargo/until": {"embargo": Embargo(until=moment)},
    }[field]
    assert [v.pointer for v in publishable.violations(article(**fields))] == [field]


def test_lone_surrogates_anywhere_are_named() -> None:
    found = publishable.violations(article(uri="u\ud800", byline="\udfff"))
    assert [v.pointer for v in found] == ["/uri", "/byline"]


def test_lengths_are_bounded() -> None:
    found = publishable.violations(article(headline="x" * 1001, slugline="y" * 201))
    assert [v.pointer for v in found] == ["/headline", "/slugline"]


@pytest.mark.parametrize(
    ("href", "safe"),
    [
        ("https://example.com/p.jpg", True),
        ("urn:newsroom:picture", True),
        ("javascript:alert(1)", False),
        (" JavaScript:alert(1)", False),
        ("data:image/png;base64,AAAA", False),
        ("https:///no-host", False),
    ],
)
def test_picture_links_are_web_addresses_or_identifiers(href: str, safe: bool) -> None:
    found = publishable.violations(article(pictures=[Picture(href=href)]))
    assert (found == []) is safe
