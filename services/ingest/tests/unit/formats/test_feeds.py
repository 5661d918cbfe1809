"""RSS 2.0 and Atom pushed to the webhook: one article per entry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newsroom.ingest.domain.errors import UnusableItem
from newsroom.ingest.domain.formats import parse_wire_items

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel>
<title>Test wire</title><language>nb</language><link>https://wire.test/</link>
<item><guid isPermaLink="false">id-1</guid><title>First story</title>
<link>https://wire.test/1</link><description>&lt;p&gt;First &lt;b&gt;body&lt;/b&gt;.&lt;/p&gt;</description>
<pubDate>Mon, 06 Feb 2017 10:51:00 +0100</pubDate><category>Sport</category>
<media:content url="https://img.test/1.jpg" medium="image" type="image/jpeg" width="800"/>
</item>
<item><title>Second story</title><link>https://wire.test/2</link>
<description>Second body.</description><pubDate>Mon, 06 Feb 2017 11:00:00 +0100</pubDate></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en"><title>T</title><id>urn:feed</id>
<updated>2024-02-01T10:00:00Z</updated>
<entry><id>urn:entry:1</id><title>Atom story</title><updated>2024-02-01T09:00:00+01:00</updated>
<published>2024-02-01T07:00:00+01:00</published><author><name>Writer</name></author>
<summary>Short.</summary><content type="html">&lt;p&gt;Long body.&lt;/p&gt;</content></entry>
</feed>"""


def test_every_rss_item_becomes_an_article() -> None:
    first, second = parse_wire_items(RSS, "application/rss+xml", source="s")
    assert first.uri == "id-1"  # guid wins
    assert second.uri == "https://wire.test/2"  # no guid: the link
    assert first.headline == "First story"
    assert first.body_text == "First body."
    assert first.versioncreated == datetime(2017, 2, 6, 9, 51, tzinfo=UTC)
    assert first.version == "2017-02-06T09:51:00Z"
    assert first.language == "nb"
    assert [s.name for s in first.subjects] == ["Sport"]
    assert first.pictures[0].href == "https://img.test/1.jpg"


def test_atom_entry() -> None:
    [article] = parse_wire_items(ATOM, "application/atom+xml", source="s")
    assert article.uri == "urn:entry:1"
    assert article.versioncreated == datetime(2024, 2, 1, 8, tzinfo=UTC)
    assert article.firstcreated == datetime(2024, 2, 1, 6, tzinfo=UTC)
    assert article.version == "2024-02-01T08:00:00Z"
    assert article.body_text == "Long body."
    assert article.standfirst == "Short."
    assert article.byline == "Writer"
    assert article.language == "en"


def test_offsetless_feed_date_is_read_in_the_default_timezone() -> None:
    body = ATOM.replace(b"2024-02-01T09:00:00+01:00", b"2024-07-01T09:00:00")
    [article] = parse_wire_items(
        body, "application/xml", source="s", default_timezone="Europe/Oslo"
    )
    assert article.versioncreated.utcoffset() == timedelta(hours=2)


def test_feed_without_entries_is_refused() -> None:
    with pytest.raises(UnusableItem):
        parse_wire_items(
            b'<rss version="2.0"><channel><title>x</title></channel></rss>',
            "application/xml",
            source="s",
        )


def test_entry_without_identifier_is_refused_naming_it() -> None:
    body = b'<rss version="2.0"><channel><item><title>t</title><description>d</description><pubDate>Mon, 06 Feb 2017 10:51:00 +0100</pubDate></item></channel></rss>'
    with pytest.raises(UnusableItem) as refused:
        parse_wire_items(body, "application/xml", source="s")
    assert refused.value.pointer == "/entries/1/id"


def test_the_body_is_parsed_never_opened_as_a_file_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # feedparser opens a str/bytes argument as a path when one exists by that name.
    body = (
        b'<rss version="2.0"><channel><item><guid>id-1</guid><title>From the body</title>'
        b"<description>Body.</description><pubDate>Mon, 06 Feb 2017 10:51:00 +0100</pubDate>"
        b"</item></channel></rss>"
    )
    *folders, name = body.split(b"/")
    directory = tmp_path.joinpath(*(folder.decode() for folder in folders))
    directory.mkdir(parents=True)
    (directory / name.decode()).write_bytes(RSS)  # a file whose path is the body
    monkeypatch.chdir(tmp_path)
    [article] = parse_wire_items(body, "application/rss+xml", source="s")
    assert article.headline == "From the body"


def test_control_characters_never_reach_the_article_text() -> None:
    # Not allowed in XML 1.0: left in, they would make render's Atom feed unreadable. XML
    # cannot carry them raw, but RSS and Atom carry them as references in escaped HTML.
    rss = RSS.replace(b"First &lt;b&gt;body", b"Fi&amp;#1;rst&amp;#7; &lt;b&gt;bo&amp;#x0E;dy")
    first, _ = parse_wire_items(rss, "application/rss+xml", source="s")
    assert first.body_text == "First body."
    assert first.body_html == "<p>First <b>body</b>.</p>"
