"""NITF 3.x (the News Industry Text Format), standalone or inline in NewsML-G2.

Identity and status live in `head/docdata`: `doc-id/@id-string` is the item's identifier,
`docdata/@management-status` (usable, embargoed, withheld, canceled) its status,
`date.release/@norm` the embargo time when embargoed, `date.issue/@norm` the version time,
`du-key/@version` the version, `ed-msg/@info` the editor's note. The story is
`body/body.head` (hedline, byline, dateline, abstract) and `body/body.content`.

Encodings: the bytes are handed to the XML parser untouched, so an
`encoding="iso-8859-1"` declaration is honoured. A `<!DOCTYPE nitf SYSTEM "…dtd">` is
allowed and never fetched (see `xml.py`)."""

from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree

from newsroom.ingest.domain.formats.dates import item_timestamp
from newsroom.ingest.domain.formats.draft import (
    ArticleDraft,
    Pointers,
    pubstatus_from_wire,
    urgency_from_wire,
)
from newsroom.ingest.domain.formats.wire_entities import distinct_entities, wire_id
from newsroom.ingest.domain.formats.xml import (
    attribute,
    child,
    children,
    descendants,
    inner_markup,
    local_name,
    text_of,
)
from newsroom.shared.article import (
    Article,
    Embargo,
    Picture,
    PubStatus,
    Subject,
    WireEntity,
    WireEntityType,
)

# NITF block elements → the HTML a page can show; inline semantic tags (person, org,
# location, …) are left for the sanitiser, which keeps their text and drops the tag.
_NITF_TO_HTML = {"hl1": "h2", "hl2": "h3", "block": "div", "bq": "blockquote", "credit": "p"}
_DROPPED = frozenset({"media", "note", "nitf-table-metadata"})
# NITF's markup of named things, in the story and in `docdata/identified-content`.
_NAMED_ELEMENTS: dict[str, WireEntityType] = {
    "person": "person",
    "org": "organisation",
    "location": "place",
    "event": "event",
}
# Metadata of the item, not story names: "By <person>" is the author, the distributor the
# wire, the dateline's location is `place` already.
_NOT_STORY_NAMES = frozenset({"byline", "distributor", "dateline", "media", "note"})


@dataclass
class NitfStory:
    """What `body` says, format-neutral."""

    headline: str | None = None
    standfirst: str | None = None
    byline: str | None = None
    dateline: str | None = None
    place: str | None = None
    body_html: str | None = None
    pictures: list[Picture] = field(default_factory=list)
    entities: list[WireEntity] = field(default_factory=list)
    language: str | None = None


def read_nitf_story(nitf: etree._Element) -> NitfStory:
    story = NitfStory()
    body = child(nitf, "body")
    head = child(body, "body.head")
    story.headline = text_of(child(head, "hedline", "hl1")) or text_of(child(nitf, "head", "title"))
    story.standfirst = text_of(child(head, "abstract"))
    story.byline = _byline(child(head, "byline"))
    dateline = child(head, "dateline")
    story.dateline = text_of(dateline)
    story.place = text_of(child(dateline, "location", "city")) if dateline is not None else None
    content = child(body, "body.content")
    if content is not None:
        story.pictures = [p for p in map(_picture, descendants(content, "media")) if p]
        story.body_html = _content_html(content)
        story.entities = named_things(content)
    story.language = _language(nitf, body, content)
    return story


def _language(
    nitf: etree._Element, body: etree._Element | None, content: etree._Element | None
) -> str | None:
    """`xml:lang` of the document or its body, else a `<meta name="language">` in the head,
    else the language the story's paragraphs declare (a wire may mark only those)."""
    stated = attribute(nitf, "lang") or attribute(body, "lang") or attribute(content, "lang")
    if stated:
        return stated
    head = child(nitf, "head")
    for meta in descendants(head, "meta") if head is not None else []:
        if (attribute(meta, "name") or "").lower() in {"language", "lang", "dc.language"}:
            return attribute(meta, "content")
    if content is not None:
        return next((lang for e in content.iter() if (lang := attribute(e, "lang"))), None)
    return None


def named_things(container: etree._Element) -> list[WireEntity]:
    """`<person>`, `<org>`, `<location>` and `<event>` marked up inside `container`, with
    their `idsrc`/`value` (or `id-string`) codes; not those of bylines and datelines."""
    found: list[WireEntity] = []
    for element in container.iter():
        entity_type = _NAMED_ELEMENTS.get(local_name(element))
        if entity_type is None or _inside(element, _NOT_STORY_NAMES, container):
            continue
        name = text_of(element)
        if not name:
            continue
        code = attribute(element, "value") or attribute(element, "id-string")
        identifier = wire_id(code, attribute(element, "idsrc")) if code else None
        found.append(
            WireEntity(name=name, type=entity_type, ids=[identifier] if identifier else [])
        )
    return distinct_entities(found)


def _inside(element: etree._Element, names: frozenset[str], stop: etree._Element) -> bool:
    parent = element.getparent()
    while parent is not None and parent is not stop:
        if local_name(parent) in names:
            return True
        parent = parent.getparent()
    return False


def _byline(byline: etree._Element | None) -> str | None:
    """`By <person>Alan Karben</person> <byttl>NITF Network News</byttl>` →
    "By Alan Karben, NITF Network News"."""
    if byline is None:
        return None
    title = text_of(child(byline, "byttl"))
    main: list[str] = [byline.text or ""]
    for element in byline:
        if local_name(element) != "byttl":
            main.append(" " + (text_of(element) or "") + " ")
        main.append(element.tail or "")
    name = " ".join("".join(main).split()).rstrip(" ,")
    if name and title:
        return f"{name}, {title}"
    return name or title


def _picture(media: etree._Element) -> Picture | None:
    if (attribute(media, "media-type") or "image") not in {"image", "photo", "graphic"}:
        return None
    references = children(media, "media-reference")
    reference = next((r for r in references if attribute(r, "source")), None)
    if reference is None:
        return None
    return Picture(
        href=attribute(reference, "source") or "",
        caption=text_of(child(media, "media-caption")) or attribute(reference, "alternate-text"),
        credit=text_of(child(media, "media-producer")),
        mimetype=attribute(reference, "mime-type"),
        width=_int(attribute(reference, "width")),
        height=_int(attribute(reference, "height")),
    )


def _content_html(content: etree._Element) -> str:
    copy = deepcopy(content)
    for dropped in [e for e in copy.iter() if local_name(e) in _DROPPED]:
        _remove_keeping_tail(dropped)
    for element in copy.iter():
        renamed = _NITF_TO_HTML.get(local_name(element))
        if renamed:
            element.tag = renamed
    return inner_markup(copy)


def _remove_keeping_tail(element: etree._Element) -> None:
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def parse_nitf(
    root: etree._Element,
    body: bytes,
    *,
    source: str,
    default_timezone: str,
    received_at: datetime | None = None,
) -> list[Article]:
    docdata = child(root, "head", "docdata")
    pointers = Pointers(
        uri="/nitf/head/docdata/doc-id/@id-string",
        versioncreated="/nitf/head/docdata/date.issue/@norm",
        headline="/nitf/body/body.head/hedline",
        body="/nitf/body/body.content",
        type="/nitf",
        version="/nitf/head/docdata/du-key/@version",
    )

    def when(element_name: str) -> datetime | None:
        raw = attribute(child(docdata, element_name), "norm")
        return item_timestamp(raw, default_timezone, f"/nitf/head/docdata/{element_name}/@norm")

    story = read_nitf_story(root)
    draft = ArticleDraft(source=source, pointers=pointers, received_at=received_at)
    draft.uri = attribute(child(docdata, "doc-id"), "id-string")
    draft.version = attribute(child(docdata, "du-key"), "version")
    draft.versioncreated = when("date.issue")
    status_word = attribute(docdata, "management-status")
    if status_word and status_word.lower() == "embargoed":
        # Embargoed with no release time: hold it until a new version lifts the embargo.
        draft.embargo = Embargo(until=when("date.release"))
    else:
        draft.pubstatus = pubstatus_from_wire(status_word) or PubStatus.USABLE
    draft.urgency = urgency_from_wire(attribute(child(docdata, "urgency"), "ed-urg"))
    draft.language = story.language
    draft.headline = story.headline
    draft.standfirst = story.standfirst
    draft.byline = story.byline
    draft.dateline = story.dateline
    draft.place = attribute(child(docdata, "evloc"), "city") or story.place
    draft.body_html = story.body_html
    draft.pictures = story.pictures
    draft.ednote = attribute(child(docdata, "ed-msg"), "info")
    draft.subjects = _subjects(root)
    identified = child(docdata, "identified-content")
    draft.entities = distinct_entities(
        [
            *story.entities,
            *(named_things(identified) if identified is not None else []),
            *(
                WireEntity(name=s.name, type="topic", ids=[i])
                for s in draft.subjects
                if s.name and (i := wire_id(s.code, s.scheme))
            ),
        ]
    )
    draft.keywords = [
        key for key in (attribute(k, "key") for k in descendants(docdata, "keyword")) if key
    ] if docdata is not None else []  # fmt: skip
    copyright_ = child(docdata, "doc.copyright")
    draft.rights_holder = attribute(copyright_, "holder")
    year = attribute(copyright_, "year")
    if draft.rights_holder and year:
        draft.rights_notice = f"© {year} {draft.rights_holder}"
    return [draft.finish()]


def _subjects(root: etree._Element) -> list[Subject]:
    subjects: list[Subject] = []
    head = child(root, "head")
    for subject in descendants(head if head is not None else root, "tobject.subject"):
        code = attribute(subject, "tobject.subject.refnum")
        name = (
            attribute(subject, "tobject.subject.detail")
            or attribute(subject, "tobject.subject.matter")
            or attribute(subject, "tobject.subject.type")
        )
        if code or name:
            subjects.append(Subject(name=name, code=code, scheme="iptc-subjectcode"))
    return subjects
