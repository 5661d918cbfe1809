"""Every file in the wire corpus: accepted with what a careful reader of the file expects,
or refused with the specific reason a wire partner would agree with.

The expectations below were written by reading each corpus file, not by running the parser.
A file added to the corpus fails `test_every_corpus_file_has_an_expectation` until someone
reads it and adds its row.

Source time zones: where a wire sends times without an offset, the row names the zone the
source would be configured with (STT: Helsinki, BusinessDesk: Auckland, BBC: London)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pytest

from newsroom.ingest.domain.errors import WireItemRefused
from newsroom.ingest.domain.formats import parse_wire_items
from newsroom.shared.article import Article, PubStatus, version_order_key

HELD = "held"  # embargoed, time unknown


@dataclass(frozen=True)
class Story:
    uri: str
    version: str
    versioncreated: str  # ISO 8601 with offset, as the file says it (or as the zone reads it)
    headline: str
    pubstatus: PubStatus = PubStatus.USABLE
    embargo: str | None = None  # ISO time, HELD, or None
    # A few more things a reader checks where the file is about them.
    ednote: str | None = None
    signals: tuple[str, ...] = ()
    body_contains: str | None = None


@dataclass(frozen=True)
class Accepted:
    stories: tuple[Story, ...]
    timezone: str = "UTC"


@dataclass(frozen=True)
class Refused:
    status: int
    pointer: str | None
    because: str  # a phrase the reason must contain
    extra: tuple[str, ...] = field(default=())


def accepted(*stories: Story, timezone: str = "UTC") -> Accepted:
    return Accepted(stories, timezone)


CAPTAIN = "Captain of wrecked cruise ship on trial in Italy"
DELL = (
    "Dell Redefines Workstation Computing Boundaries with Smallest Tower and Most Powerful "
    "Rack Workstations"
)
SIMPLE = "http://ninjs.example.com/newsitems/20130709simp123"
MEDIUM = "http://ninjs.example.com/newsitems/20130709med123"
COMPLEX = "http://ninjs.example.com/newsitems/20130709cplx456"
BUSINESSWIRE = "http://www.businesswire.com/news/home/20130515006361/en"
SPACE = "urn:newsroom:example:space-race-2"
SPACE_HEADLINE = "Space Race 2: Russia gets the go ahead to shoot the first film in orbit"
REUTERS_FLOOD = "tag:reuters.com,0000:newsml_L1N14N0FF"
FLOOD_HEADLINE = "CORRECTED-S. Illinois battles flooding as Mississippi River builds downstream"

# IPTC's examples carry no version: the version time stands in for it.
simple_1037 = Story(SIMPLE, "2013-07-09T10:37:00Z", "2013-07-09T10:37:00+00:00", CAPTAIN)
medium_1037 = Story(MEDIUM, "2013-07-09T10:37:00Z", "2013-07-09T10:37:00+00:00", CAPTAIN)
complex_1039 = Story(COMPLEX, "2013-07-09T10:39:00Z", "2013-07-09T10:39:00+00:00", CAPTAIN)
dell = Story(BUSINESSWIRE, "1", "2013-05-16T04:01:00+00:00", DELL)
no_version_time = Refused(422, "/versioncreated", "no version timestamp")
picture_only = Refused(422, "/type", "picture item is not a text story")

EXPECTED: dict[str, Accepted | Refused] = {
    # --- seed: our reference story --------------------------------------------------------
    "seed/space-race-2.v1.ninjs.json": accepted(
        Story(SPACE, "1", "2021-09-20T09:00:00+00:00", SPACE_HEADLINE, body_contains="Peresild")
    ),
    "seed/space-race-2.v2.ninjs.json": accepted(
        Story(
            SPACE,
            "2",
            "2021-09-20T15:30:00+00:00",
            SPACE_HEADLINE,
            ednote="Corrects to add the launch site.",
            body_contains="Baikonur Cosmodrome",
        )
    ),
    "seed/space-race-2.v3-kill.ninjs.json": accepted(
        Story(
            SPACE,
            "3",
            "2021-09-21T08:00:00+00:00",
            "KILL: Space Race 2",
            pubstatus=PubStatus.CANCELED,
            ednote="Withdrawn. Please delete this story from all systems.",
        )
    ),
    "seed/space-race-2.embargoed.ninjs.json": accepted(
        Story(
            "urn:newsroom:example:space-race-2-embargoed",
            "1",
            "2021-09-20T09:00:00+00:00",
            SPACE_HEADLINE,
            embargo="2031-01-01T00:00:00+00:00",
        )
    ),
    # The story as scraped from a web page: plain text, no wire format at all.
    "seed/space-race-2.scraped.txt": Refused(415, None, "neither JSON nor XML"),
    # --- ninjs ------------------------------------------------------------------------------
    # AP Media API metadata: the story is only in the NITF/ANPA renditions to download.
    "ninjs/ap_media_text_item.json": Refused(
        422, "/data/item/renditions/nitf", "only in the text rendition"
    ),
    "ninjs/bbc-ninjs-text-test.json": accepted(
        Story(
            "https://www.example.com//12345",
            "2018-05-28T15:40:08Z",
            "2018-05-28T16:40:08+01:00",
            "advisory",
        ),
        timezone="Europe/London",
    ),
    "ninjs/iptc-1.6-001_simple_example.json": accepted(simple_1037),
    "ninjs/iptc-1.6-002_renditions_example.json": no_version_time,
    "ninjs/iptc-1.6-003_associations_example.json": accepted(dell),
    "ninjs/iptc-1.6-004_simple_text_article.json": accepted(simple_1037),
    "ninjs/iptc-1.6-005_complex_text_article.json": accepted(medium_1037),
    "ninjs/iptc-1.6-006_photo_only.json": picture_only,
    "ninjs/iptc-1.6-007_multimedia.json": accepted(complex_1039),
    "ninjs/iptc-2.2-001_simple_example.json": accepted(simple_1037),
    "ninjs/iptc-2.2-002_renditions_example.json": no_version_time,
    "ninjs/iptc-2.2-003_associations_example.json": accepted(dell),
    "ninjs/iptc-2.2-004_simple_text_article.json": accepted(simple_1037),
    "ninjs/iptc-2.2-005_complex_text_article.json": accepted(medium_1037),
    "ninjs/iptc-2.2-006_photo_only.json": picture_only,
    "ninjs/iptc-2.2-007_multimedia.json": accepted(complex_1039),
    "ninjs/iptc-3.1-001_simple_example.json": accepted(simple_1037),
    "ninjs/iptc-3.1-002_renditions_example.json": no_version_time,
    "ninjs/iptc-3.1-003_associations_example.json": accepted(dell),
    "ninjs/iptc-3.1-004_simple_text_article.json": accepted(simple_1037),
    "ninjs/iptc-3.1-005_complex_text_article.json": accepted(medium_1037),
    "ninjs/iptc-3.1-006_photo_only.json": picture_only,
    "ninjs/iptc-3.1-007_multimedia.json": accepted(complex_1039),
    # A planning event, not a story.
    "ninjs/iptc-3.1-008_event.json": Refused(422, "/type", "event item describes no news story"),
    "ninjs/ninjs1.json": accepted(
        Story(
            "urn:newsml:localhost:2017-08-24T14:37:19.783611:c044162e-7f40-4d04-b700-49b6a66e652c",
            "2",
            "2017-08-24T04:38:34+00:00",
            "headline",
            ednote="ed note",
        )
    ),
    "ninjs/ninjs2.json": accepted(
        Story(
            "tag:localhost:2017:7ca07622-3b19-4d61-8daf-18500412d46b",
            "4",
            "2017-08-24T01:58:40+00:00",
            "Oil prices edge up on first drop in US drilling in months",
        )
    ),
    # Superdesk picture item (its body_text is a caption).
    "ninjs/ninjs3.json": picture_only,
    "ninjs/ninjsExMediumText1.json": accepted(medium_1037),
    "ninjs/ninjsExSimpleText1.json": accepted(simple_1037),
    "ninjs/ninjs_embargoed.json": accepted(
        Story(
            "fd8e441b-a698-4411-9246-7d5de21cced9",
            "11",
            "2022-06-26T23:54:25+00:00",
            "Trouble is brewing for the future of beer",
            embargo="2022-06-29T02:30:00+00:00",
        )
    ),
    # --- NewsML-G2 ---------------------------------------------------------------------------
    # IPTC's listing 1: full metadata, but the inline body is only a comment.
    "newsml-g2/LISTING_1_A_NewsML-G2_News_Item.xml": Refused(
        422, "/newsItem/contentSet", "no body text"
    ),
    # A package of four placeholder newsItems ("....."), with no metadata at all.
    "newsml-g2/LISTING_24_News_Message_conveying_a_complete_News_Package.xml": Refused(
        422, "/newsMessage/itemSet/newsItem[1]/itemMeta/versionCreated", "no version timestamp"
    ),
    # Only a <contentSet>: a piece of an item, with no guid or version.
    "newsml-g2/LISTING_25_An_NITF_marked-up_article_conveyed_in_inlineXML.xml": Refused(
        422, "/contentSet", "fragment of a NewsML-G2 item"
    ),
    "newsml-g2/LISTING_2_NewsML-G2_Text_Document.xml": accepted(
        Story(
            "urn:newsml:acmenews.com:20161121:US-FINANCE-FED",
            "11",
            "2018-11-21T16:25:32-05:00",
            'Fed to halt QE to avert "bubble"',
            body_contains="Et, sent luptat luptat",
        )
    ),
    # Package + text item + picture item: the text item is the story.
    "newsml-g2/TT_newsmlg2_sample.xml": accepted(
        Story(
            "http://tt.se/media/text/210919-janguillou-879f202b",
            "1",
            "2021-09-19T20:57:43+02:00",
            'Jan Guillou skriver på ny "Hamilton"-bok',
            body_contains="pensionärsäventyr",
        )
    ),
    "newsml-g2/ansa-newsmlg2-text.xml": accepted(
        Story(
            "tag:ansa.it,2017-10-11:40e5fb1034e7e2b21942ea09718fc85a",
            "1",
            "2017-10-11T10:41:00+01:00",
            "Catalan independence declaration unacceptable - Alfano",
            body_contains="Carles Puigdemont",
        )
    ),
    "newsml-g2/dpa.xml": accepted(
        Story(
            "urn:newsml:dpa.com:20090101:221011-930-4303",
            "1",
            "2022-10-11T11:14:42+02:00",
            "Eintracht in London: Hintereggers Tränen und Attacke auf Reporter",
        )
    ),
    # BOM, empty <embargoed/> (held), naive "2016-01-12 12:35:40" from a NZ desk,
    # headline only in the inline NITF's <title>.
    "newsml-g2/scoop.xml": accepted(
        Story(
            "BD-20160112123540",
            "3",
            "2016-01-12T12:35:40+13:00",
            "Dick Smith receivers install Don Grover as acting CEO as Abboud quits; "
            "retailer put up for sale",
            embargo=HELD,
            body_contains="Don Grover",
        ),
        timezone="Pacific/Auckland",
    ),
    "newsml-g2/stt1.xml": accepted(
        Story(
            "urn:newsml:stt.fi::102736761",
            "2",
            "2019-04-15T13:49:15+03:00",
            "Mikko Moilanen siirtyy Revenion toimitusjohtajaksi",
            signals=("update",),
            ednote="lopusta",
        ),
        timezone="Europe/Helsinki",
    ),
    "newsml-g2/tag_reuters.com_2014_newsml_KBN0FL0NN_version_5": accepted(
        Story(
            "tag_reuters.com_2014_newsml_KBN0FL0NN",
            "5",
            "2014-07-16T15:53:10+00:00",
            "Confident Assad launches new term in stronger position",
            ednote="This is editorial note.",
            signals=("update",),
        )
    ),
    # Reuters: a correction, then the kill of the same story (opaque version numbers).
    "newsml-g2/tag_reuters.com_2016_newsml_L1N14N0FF_version_978556838": accepted(
        Story(
            REUTERS_FLOOD,
            "978556838",
            "2016-01-04T15:43:34+00:00",
            FLOOD_HEADLINE,
            signals=("correction",),
            body_contains="corrects last paragraph",
        )
    ),
    "newsml-g2/tag_reuters.com_2016_newsml_L1N14N0FF_version_1542761538": accepted(
        Story(
            REUTERS_FLOOD,
            "1542761538",
            "2016-01-04T16:34:45+00:00",
            FLOOD_HEADLINE,
            pubstatus=PubStatus.CANCELED,
        )
    ),
    # --- NITF ----------------------------------------------------------------------------
    "nitf/nitf-fishing.xml": accepted(
        Story(
            "iptc.321656141.b",
            "1",  # du-key version
            "2002-02-25T14:30:00-05:00",
            "Weather and Tide Updates for Norfolk",
            pubstatus=PubStatus.CANCELED,
            ednote="Today begins an expanded format of this popular column.",
        )
    ),
    "nitf/pa3.xml": accepted(
        Story(
            "4a82e12e-6b39-47eb-8e59-2c616a7e32a4HHH-13-1",
            "2016-09-08T12:24:46Z",
            "2016-09-08T13:24:46+01:00",
            "UK BREAK-UP 'NOT INCONCEIVABLE', FIRST MINISTER WARNS AHEAD OF BREXIT TALKS",
            embargo="2016-09-09T00:01:00+01:00",
            body_contains="The UK risks breaking up",
        )
    ),
    # --- feeds ---------------------------------------------------------------------------
    "rss-atom/nrk-rss.xml": accepted(
        Story(
            "1.13362571",
            "2017-02-06T09:51:00Z",
            "2017-02-06T10:51:00+01:00",
            "Stanset ikke for fotgjenger",
            body_contains="anmeldt",
        )
    ),
    "rss-atom/wenn.xml": accepted(
        Story(
            "urn:feed-wenn-com:newsfeedarticle:2:2222:1",
            "2015-01-30T00:33:06Z",
            "2015-01-30T00:33:06+00:00",
            "Suge Knight involved in fatal hit and run incident",
        ),
        Story(
            "urn:feed-wenn-com:newsfeedarticle:2:2222:3",
            "2015-01-29T21:58:32Z",
            "2015-01-29T21:58:32+00:00",
            "Jagged Edge singer Kyle Norman arrested over domestic assault",
        ),
    ),
}

FOLDERS = ("seed", "ninjs", "newsml-g2", "nitf", "rss-atom")


def corpus_files(corpus: Path) -> list[str]:
    return sorted(
        str(path.relative_to(corpus))
        for folder in FOLDERS
        for path in (corpus / folder).iterdir()
        if path.is_file() and not path.name.startswith("LICENSE")
    )


def content_type_for(name: str) -> str:
    """What `newsroom send` declares: by extension; Reuters files have none and are XML."""
    if name.endswith(".json"):
        return "application/json"
    if name.endswith(".txt"):
        return "text/plain"
    return "application/xml"


def test_every_corpus_file_has_an_expectation(corpus_dir: Path) -> None:
    assert corpus_files(corpus_dir) == sorted(EXPECTED)


def parse_file(corpus_dir: Path, name: str, content_type: str | None) -> list[Article]:
    expected = EXPECTED[name]
    timezone = expected.timezone if isinstance(expected, Accepted) else "UTC"
    body = (corpus_dir / name).read_bytes()
    return parse_wire_items(body, content_type, source="corpus", default_timezone=timezone)


@pytest.mark.parametrize("declared", [True, False], ids=["declared", "sniffed"])
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_file(corpus_dir: Path, name: str, declared: bool) -> None:
    expected = EXPECTED[name]
    content_type = content_type_for(name) if declared else None
    if isinstance(expected, Refused):
        with pytest.raises(WireItemRefused) as refused:
            parse_file(corpus_dir, name, content_type)
        assert refused.value.status == expected.status, refused.value.detail
        assert refused.value.pointer == expected.pointer
        assert expected.because in refused.value.detail
        return
    articles = parse_file(corpus_dir, name, content_type)
    assert len(articles) == len(expected.stories)
    for article, story in zip(articles, expected.stories, strict=True):
        assert article.source == "corpus"
        assert article.uri == story.uri
        assert article.version == story.version
        assert article.versioncreated == datetime.fromisoformat(story.versioncreated)
        assert (
            article.versioncreated.utcoffset()
            == datetime.fromisoformat(story.versioncreated).utcoffset()
        )
        assert article.pubstatus is story.pubstatus
        if story.embargo is None:
            assert article.embargo is None
        elif story.embargo == HELD:
            assert article.embargo is not None
            assert article.embargo.until is None
        else:
            assert article.embargo is not None
            assert article.embargo.until == datetime.fromisoformat(story.embargo)
        assert article.headline == story.headline
        if story.ednote is not None:
            assert article.ednote == story.ednote
        for signal in story.signals:
            assert signal in article.signals
        if story.body_contains is not None:
            assert story.body_contains in article.body_text
        if story.pubstatus is PubStatus.USABLE:
            assert article.body_text.strip(), "a usable story has text"
            assert "<script" not in article.body_html.lower()


def only(corpus_dir: Path, name: str) -> Article:
    [article] = parse_file(corpus_dir, name, content_type_for(name))
    return article


def test_reuters_kill_orders_after_its_correction(corpus_dir: Path) -> None:
    """Reuters version numbers are opaque (978556838, then 1542761538 for the kill); the
    order comes from versionCreated."""
    correction = only(
        corpus_dir, "newsml-g2/tag_reuters.com_2016_newsml_L1N14N0FF_version_978556838"
    )
    kill = only(corpus_dir, "newsml-g2/tag_reuters.com_2016_newsml_L1N14N0FF_version_1542761538")
    assert correction.uri == kill.uri
    assert version_order_key(kill.versioncreated, kill.version) > version_order_key(
        correction.versioncreated, correction.version
    )
    assert kill.pubstatus is PubStatus.CANCELED


def test_seed_versions_are_one_story_in_order(corpus_dir: Path) -> None:
    v1, v2, v3 = (
        only(corpus_dir, f"seed/space-race-2.{suffix}.ninjs.json")
        for suffix in ("v1", "v2", "v3-kill")
    )
    assert v1.uri == v2.uri == v3.uri
    keys = [version_order_key(a.versioncreated, a.version) for a in (v1, v2, v3)]
    assert keys == sorted(keys)
    assert "Baikonur" not in v1.body_text
    assert v1.pictures[0].caption == "International Space Station"
    assert v1.pictures[0].credit == "Courtesy of NASA/Roscosmos, via Wikimedia Commons"
