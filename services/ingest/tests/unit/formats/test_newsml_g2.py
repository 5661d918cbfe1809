"""NewsML-G2 messages and items, with and without namespaces."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from newsroom.ingest.domain.errors import UnusableItem
from newsroom.ingest.domain.formats import parse_wire_items
from newsroom.shared.article import Article, Embargo, PubStatus

G2 = "http://iptc.org/std/nar/2006-10-01/"


def item_xml(
    *,
    guid: str = "urn:test:g2:1",
    version: str = "3",
    item_class: str = "ninat:text",
    meta_extra: str = "",
    content_meta: str = "<headline>Ferry strike ends</headline><urgency>4</urgency>",
    content: str = (
        '<inlineXML contenttype="application/xhtml+xml"><html xmlns="http://www.w3.org/1999/xhtml">'
        "<head><title/></head><body><p>Ferries sail again.</p><p>Second paragraph.</p></body>"
        "</html></inlineXML>"
    ),
    version_created: str = "2024-05-02T09:30:00Z",
) -> str:
    return (
        f'<newsItem guid="{guid}" version="{version}" standard="NewsML-G2" xml:lang="en">'
        f'<itemMeta><itemClass qcode="{item_class}"/>'
        f"<versionCreated>{version_created}</versionCreated>"
        f"<firstCreated>2024-05-02T08:00:00Z</firstCreated>"
        f'<pubStatus qcode="stat:usable"/>{meta_extra}</itemMeta>'
        f"<contentMeta>{content_meta}</contentMeta>"
        f"<contentSet>{content}</contentSet></newsItem>"
    )


def message(*items: str, prefix: str = "") -> bytes:
    body = f'<newsMessage xmlns="{G2}"><header><sent>2024-05-02T09:31:00Z</sent></header><itemSet>{"".join(items)}</itemSet></newsMessage>'
    return body.encode()


def parse(body: bytes, **kwargs: object) -> list[Article]:
    return parse_wire_items(body, "application/xml", source="test", **kwargs)  # type: ignore[arg-type]


def test_bare_news_item_with_default_namespace() -> None:
    [article] = parse(
        f'<?xml version="1.0"?>{item_xml()}'.replace(
            "<newsItem ", f'<newsItem xmlns="{G2}" ', 1
        ).encode()
    )
    assert article.uri == "urn:test:g2:1"
    assert article.version == "3"
    assert article.versioncreated == datetime(2024, 5, 2, 9, 30, tzinfo=UTC)
    assert article.firstcreated == datetime(2024, 5, 2, 8, tzinfo=UTC)
    assert article.pubstatus is PubStatus.USABLE
    assert article.headline == "Ferry strike ends"
    assert article.urgency == 4
    assert article.language == "en"
    assert article.body_html == "<p>Ferries sail again.</p><p>Second paragraph.</p>"
    assert article.body_text == "Ferries sail again.\n\nSecond paragraph."


def test_prefixed_namespaces_read_the_same() -> None:
    plain = parse(message(item_xml()))
    prefixed_body = (
        f'<g:newsMessage xmlns:g="{G2}" xmlns:h="http://www.w3.org/1999/xhtml"><g:itemSet>'
        '<g:newsItem guid="urn:test:g2:1" version="3"><g:itemMeta><g:itemClass qcode="icls:text"/>'
        "<g:versionCreated>2024-05-02T09:30:00Z</g:versionCreated>"
        "<g:firstCreated>2024-05-02T08:00:00Z</g:firstCreated>"
        '<g:pubStatus qcode="stat:usable"/></g:itemMeta><g:contentMeta>'
        '<g:language tag="en"/><g:headline>Ferry strike ends</g:headline><g:urgency>4</g:urgency></g:contentMeta>'
        '<g:contentSet><g:inlineXML contenttype="application/xhtml+xml"><h:html><h:body>'
        "<h:p>Ferries sail again.</h:p><h:p>Second paragraph.</h:p></h:body></h:html>"
        "</g:inlineXML></g:contentSet></g:newsItem></g:itemSet></g:newsMessage>"
    ).encode()
    prefixed = parse(prefixed_body)
    assert prefixed == plain


def test_no_namespace_at_all_reads_the_same() -> None:
    body = f"<newsMessage><itemSet>{item_xml()}</itemSet></newsMessage>".encode()
    [article] = parse(body)
    assert article.headline == "Ferry strike ends"
    assert article.body_text == "Ferries sail again.\n\nSecond paragraph."


def test_empty_embargoed_element_means_held_with_unknown_time() -> None:
    [article] = parse(message(item_xml(meta_extra="<embargoed></embargoed>")))
    assert article.embargo == Embargo(until=None)


def test_embargoed_with_a_time() -> None:
    [article] = parse(
        message(item_xml(meta_extra="<embargoed>2024-05-03T00:01:00+01:00</embargoed>"))
    )
    assert article.embargo is not None
    assert article.embargo.until == datetime(2024, 5, 2, 23, 1, tzinfo=UTC)


def test_canceled_item_without_text_is_a_kill() -> None:
    body = message(
        item_xml(
            content='<inlineXML contenttype="application/xhtml+xml"><html><body><p/></body></html></inlineXML>'
        )
    ).replace(b"stat:usable", b"stat:canceled")
    [article] = parse(body)
    assert article.pubstatus is PubStatus.CANCELED
    assert article.body_text == ""


@pytest.mark.parametrize(
    ("signal", "expected"),
    [("sig:correction", "correction"), ("sig:update", "update"), ("edStat:C", "correction")],
)
def test_signals_are_normalised(signal: str, expected: str) -> None:
    [article] = parse(message(item_xml(meta_extra=f'<signal qcode="{signal}"/>')))
    assert expected in article.signals


def test_ednote_located_by_dateline_and_subjects() -> None:
    content_meta = (
        '<located qcode="geo:1"><name>Bergen</name></located>'
        "<by>By Kari Nordmann</by><dateline>BERGEN, May 2</dateline>"
        '<subject qcode="medtop:04000000"><name>economy</name></subject>'
        "<headline>Ferry strike ends</headline>"
        '<description role="drol:summary">Talks succeed overnight.</description>'
    )
    [article] = parse(
        message(
            item_xml(
                meta_extra="<edNote>Corrects spelling of union name</edNote>",
                content_meta=content_meta,
            )
        )
    )
    assert article.ednote == "Corrects spelling of union name"
    assert article.place == "Bergen"
    assert article.dateline == "BERGEN, May 2"
    assert article.byline == "By Kari Nordmann"
    assert article.standfirst == "Talks succeed overnight."
    assert [(s.code, s.name, s.scheme) for s in article.subjects] == [
        ("medtop:04000000", "economy", "medtop")
    ]


def test_naive_times_are_read_in_the_default_timezone() -> None:
    [article] = parse(
        message(item_xml(version_created="2024-01-15 12:35:40")),
        default_timezone="Pacific/Auckland",
    )
    assert article.versioncreated.utcoffset() == timedelta(hours=13)


def test_inline_nitf_body_fills_headline_and_byline() -> None:
    nitf = (
        '<inlineXML contenttype="application/nitf+xml"><nitf xmlns="http://iptc.org/std/NITF/2006-10-18/">'
        "<body><body.head><hedline><hl1>From NITF</hl1></hedline>"
        "<byline>By <person>Ola</person> <byttl>Staff</byttl></byline></body.head>"
        "<body.content><p>NITF paragraph.</p></body.content></body></nitf></inlineXML>"
    )
    [article] = parse(message(item_xml(content_meta="", content=nitf)))
    assert article.headline == "From NITF"
    assert article.byline == "By Ola, Staff"
    assert article.body_text == "NITF paragraph."


def test_inline_data_with_html_in_cdata() -> None:
    data = '<inlineData contenttype="text/plain"><![CDATA[<p>(AGENCY) - Rome, text.</p>]]></inlineData>'
    [article] = parse(message(item_xml(content=data)))
    assert article.body_html == "<p>(AGENCY) - Rome, text.</p>"


def test_byte_order_mark_is_accepted() -> None:
    [article] = parse(b"\xef\xbb\xbf" + message(item_xml()))
    assert article.uri == "urn:test:g2:1"


def test_message_with_several_text_items_yields_each() -> None:
    articles = parse(message(item_xml(guid="urn:a"), item_xml(guid="urn:b")))
    assert [a.uri for a in articles] == ["urn:a", "urn:b"]


def test_package_and_picture_items_are_skipped_and_the_picture_attached() -> None:
    package = '<packageItem guid="urn:pkg" version="1"><itemMeta><itemClass qcode="ninat:composite"/></itemMeta></packageItem>'
    picture = item_xml(
        guid="urn:pic",
        item_class="ninat:picture",
        content_meta='<description role="drol:caption">Ferry at dawn</description><creditline>Photo Desk</creditline>',
        content=(
            '<remoteContent href="https://img.test/thumb.jpg" rendition="rnd:thumbnail" width="100"/>'
            '<remoteContent href="https://img.test/hi.jpg" rendition="rnd:highRes" width="4000" contenttype="image/jpeg"/>'
        ),
    )
    [article] = parse(message(package, item_xml(), picture))
    assert article.uri == "urn:test:g2:1"
    [attached] = article.pictures
    assert attached.href == "https://img.test/hi.jpg"
    assert attached.caption == "Ferry at dawn"
    assert attached.credit == "Photo Desk"


def test_message_with_no_text_item_is_refused_saying_why() -> None:
    package = '<packageItem guid="urn:pkg" version="1"/>'
    with pytest.raises(UnusableItem) as refused:
        parse(message(package))
    assert refused.value.status == 422
    assert "packageItem" in refused.value.detail
    assert refused.value.pointer == "/newsMessage/itemSet/packageItem[1]"


def test_one_unusable_text_item_refuses_the_whole_message() -> None:
    broken = item_xml(guid="urn:b", content_meta="")  # no headline
    with pytest.raises(UnusableItem) as refused:
        parse(message(item_xml(guid="urn:a"), broken))
    assert refused.value.pointer == "/newsMessage/itemSet/newsItem[2]/contentMeta/headline"


def test_item_with_only_a_comment_for_body_is_refused() -> None:
    empty = '<inlineXML contenttype="application/nitf+xml"><!-- placeholder --></inlineXML>'
    with pytest.raises(UnusableItem) as refused:
        parse(message(item_xml(content=empty)))
    assert refused.value.pointer == "/newsMessage/itemSet/newsItem[1]/contentSet"


def test_g2_fragment_is_refused_as_unusable() -> None:
    with pytest.raises(UnusableItem) as refused:
        parse(b"<contentSet><inlineXML><p>x</p></inlineXML></contentSet>")
    assert refused.value.pointer == "/contentSet"


def test_slugline_is_kept() -> None:
    content_meta = "<slugline>FERRY-STRIKE</slugline><headline>Ferry strike ends</headline>"
    [article] = parse(message(item_xml(content_meta=content_meta)))
    assert article.slugline == "FERRY-STRIKE"
