"""Who owns a story and on what terms, its keywords and genres, from every format that says so.

Expectations read from the corpus files (copyright holder, notice in the item's language,
usage terms, keyword lists, genres), not from running the parser."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsroom.ingest.domain.formats import parse_wire_items
from newsroom.shared.article import Article, Rights


def parsed(corpus_dir: Path, name: str) -> Article:
    [article] = parse_wire_items((corpus_dir / name).read_bytes(), None, source="wire")
    return article


@pytest.mark.parametrize(
    ("name", "rights"),
    [
        ("newsml-g2/tag_reuters.com_2014_newsml_KBN0FL0NN_version_5",
         Rights(holder="Thomson Reuters", notice="(c) Copyright Thomson Reuters 2014. Click For "
                "Restrictions - http://about.reuters.com/fulllegal.asp")),
        # dpa states holder, notice and terms in German and English: the item is German.
        ("newsml-g2/dpa.xml",
         Rights(holder="Deutsche Presse-Agentur GmbH",
                notice="Copyright 2022, dpa (www.dpa.de). Alle Rechte vorbehalten",
                usage_terms="Nutzung nur nach schriftlicher Vereinbarung mit dpa")),
        ("ninjs/ninjs1.json",
         Rights(holder="Australian Associated Press", notice="Copyright", usage_terms="Usage")),
        ("ninjs/iptc-3.1-005_complex_text_article.json",
         Rights(notice="Copyright 2013 The News Agency, www.tna.org - all rights reserved.")),
        ("nitf/pa3.xml", Rights(holder="Press Association", notice="© 2016 Press Association")),
        ("ninjs/ninjs_embargoed.json", None),
    ],
)  # fmt: skip
def test_rights_as_the_wire_states_them(corpus_dir: Path, name: str, rights: Rights | None) -> None:
    assert parsed(corpus_dir, name).rights == rights


@pytest.mark.parametrize(
    ("name", "keywords", "genres"),
    [
        ("newsml-g2/dpa.xml", ["Champions League", "Frankfurt", "London"], ["Extra"]),
        ("nitf/nitf-fishing.xml", ["fishing", "lures", "tides"], []),
        ("ninjs/ninjs1.json", [], ["Article (news)"]),
        ("newsml-g2/stt1.xml", [], ["Pääjuttu", "Loppuversio"]),
    ],
)
def test_keywords_and_genres(
    corpus_dir: Path, name: str, keywords: list[str], genres: list[str]
) -> None:
    article = parsed(corpus_dir, name)
    assert (article.keywords, article.genres) == (keywords, genres)


def test_ap_usage_terms_sent_as_a_list_are_one_statement() -> None:
    body = (
        b'{"uri": "urn:ap:1", "versioncreated": "2021-09-20T09:00:00Z", "headline": "H", '
        b'"body_text": "Text.", "copyrightnotice": "Copyright 2019 The Associated Press.", '
        b'"usageterms": ["Editorial use only.", "Other uses need clearance."], '
        b'"keywords": ["Space", " space ", "Space", ""]}'
    )
    [article] = parse_wire_items(body, "application/json", source="ap")
    assert article.rights == Rights(
        notice="Copyright 2019 The Associated Press.",
        usage_terms="Editorial use only. Other uses need clearance.",
    )
    assert article.keywords == ["Space", "space"]


def test_a_feed_copyright_covers_its_entries_unless_an_entry_says_otherwise() -> None:
    body = b"""<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Wire</title><id>urn:feed</id><updated>2021-09-20T09:00:00Z</updated>
  <rights>(c) 2021 Example Wire</rights>
  <entry><id>urn:e1</id><title>One</title><updated>2021-09-20T09:00:00Z</updated>
    <content type="text">First story.</content></entry>
  <entry><id>urn:e2</id><title>Two</title><updated>2021-09-20T09:05:00Z</updated>
    <rights>Pool copy, free to use</rights><content type="text">Second story.</content></entry>
</feed>"""
    first, second = parse_wire_items(body, "application/atom+xml", source="feed")
    assert first.rights == Rights(notice="(c) 2021 Example Wire")
    assert second.rights == Rights(notice="Pool copy, free to use")
