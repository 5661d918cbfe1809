"""NewsML-G2: a `newsMessage` carrying one or more items, or a bare `newsItem`.

Read with or without namespaces (see `xml.py`). Per text `newsItem`:
`@guid` (identity), `@version`, `itemMeta/versionCreated`, `firstCreated`, `pubStatus/@qcode`,
`embargoed` (a date, or EMPTY meaning "embargoed, time unknown": held), `edNote`, `signal`
(`sig:update`, `sig:correction`; Reuters `edStat:C` correction, `edStat:U` update),
`contentMeta/urgency`, `headline`, `slugline`, `by`, `located`, `dateline`, `description`,
`subject`, `language`; the body is the first `contentSet` rendition that holds text:
inline XHTML, inline NITF, or `inlineData` (plain text, or HTML in a CDATA as ANSA sends).
Timestamps without an offset (STT, scoop) are read in the source's `default_timezone`.

Messages and non-text items — decided as a wire partner expects a receiver of text to behave:
- a message is taken whole: every text item in it becomes an article; if any text item is
  unusable, the whole message is refused (422 naming the item and field), so the partner
  resends it fixed rather than losing one story silently;
- `packageItem`s (which only reference other items) and picture/graphic/video/audio items in a
  message are skipped; when the message carries exactly one text item, its pictures are
  attached to that story (TT sends a story, its picture and a package tying them together);
- a message with no text item, a bare `packageItem` or a bare picture item is refused with
  422 saying so."""

from __future__ import annotations

import re
from copy import deepcopy
from dataclasses import dataclass
from datetime import datetime

from lxml import etree
from lxml import html as lxml_html

from newsroom.ingest.domain.errors import UnusableItem
from newsroom.ingest.domain.formats.dates import item_timestamp
from newsroom.ingest.domain.formats.draft import (
    ArticleDraft,
    Pointers,
    pubstatus_from_wire,
    urgency_from_wire,
)
from newsroom.ingest.domain.formats.html import looks_like_html
from newsroom.ingest.domain.formats.nitf import read_nitf_story
from newsroom.ingest.domain.formats.wire_entities import (
    concept_type,
    distinct_entities,
    is_iptc_topic,
    wire_id,
)
from newsroom.ingest.domain.formats.xml import (
    attribute,
    child,
    children,
    inner_markup,
    local_name,
    text_of,
)
from newsroom.shared.article import Article, Embargo, Picture, Subject, WireEntity

_MEDIA_CLASSES = frozenset({"picture", "photo", "graphic", "video", "audio", "image"})
# Signals that mean something to Newsroom, in its own words; other qcodes are kept as sent.
_SIGNAL_WORDS = {
    "sig:correction": "correction",
    "sig:update": "update",
    "edstat:c": "correction",  # Reuters editorial status: Correction
    "edstat:u": "update",  # Reuters editorial status: Update
}
# A Reuters dateline element holds a timestamp, not a place: "2014-07-16 15:53:10 GMT+00:00".
_TIMESTAMP_LIKE = re.compile(r"^\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class _Located:
    item: etree._Element
    path: str  # pointer prefix, e.g. /newsMessage/itemSet/newsItem[2]


def parse_newsml_g2(
    root: etree._Element,
    body: bytes,
    *,
    source: str,
    default_timezone: str,
    received_at: datetime | None = None,
) -> list[Article]:
    name = local_name(root)
    items = _message_items(root) if name == "newsMessage" else [_Located(root, f"/{name}")]
    text_items: list[_Located] = []
    pictures: list[Picture] = []
    skipped: list[str] = []
    for located in items:
        reason = _not_text_reason(located.item)
        if reason is None:
            text_items.append(located)
            continue
        skipped.append(f"{located.path}: {reason}")
        pictures.extend(_item_pictures(located.item))
    if not text_items:
        first = items[0].path if items else f"/{name}"
        detail = "; ".join(skipped) if skipped else "the message's itemSet is empty"
        raise UnusableItem(
            f"no text item to publish ({detail}); Newsroom publishes text stories",
            pointer=first,
        )
    articles = [
        _article(located, source=source, default_timezone=default_timezone, received_at=received_at)
        for located in text_items
    ]
    if len(articles) == 1 and pictures:
        articles[0] = articles[0].model_copy(
            update={"pictures": [*articles[0].pictures, *pictures]}
        )
    return articles


def _message_items(message: etree._Element) -> list[_Located]:
    located: list[_Located] = []
    counts: dict[str, int] = {}
    for item_set in children(message, "itemSet"):
        for item in item_set:
            kind = local_name(item)
            if not kind:
                continue
            counts[kind] = counts.get(kind, 0) + 1
            located.append(_Located(item, f"/newsMessage/itemSet/{kind}[{counts[kind]}]"))
    return located


def _item_class(item: etree._Element) -> str:
    qcode = attribute(child(item, "itemMeta", "itemClass"), "qcode") or ""
    return qcode.rsplit(":", 1)[-1].rsplit("/", 1)[-1].lower()


def _not_text_reason(item: etree._Element) -> str | None:
    kind = local_name(item)
    if kind == "packageItem":
        return "a packageItem only references other items and carries no text"
    if kind in {"conceptItem", "knowledgeItem", "planningItem"}:
        return f"a {kind} describes concepts or planning, not a news story"
    if kind != "newsItem":
        return f"<{kind}> is not a NewsML-G2 item"
    item_class = _item_class(item)
    if item_class in _MEDIA_CLASSES:
        return f"a {item_class} item carries no story text"
    return None


def _item_pictures(item: etree._Element) -> list[Picture]:
    """A picture newsItem → the picture a story page can show (best rendition)."""
    if _item_class(item) not in {"picture", "photo", "graphic", "image"}:
        return []
    contents = [
        rc
        for rc in _content_set(item)
        if local_name(rc) == "remoteContent" and attribute(rc, "href")
    ]
    if not contents:
        return []

    def rank(rc: etree._Element) -> tuple[int, int]:
        rendition = (attribute(rc, "rendition") or "").lower()
        return ("highres" in rendition or "original" in rendition, _int(attribute(rc, "width")))

    best = max(contents, key=rank)
    meta = child(item, "contentMeta")
    return [
        Picture(
            href=attribute(best, "href") or "",
            caption=_description(meta, ("caption",)) or text_of(child(meta, "headline")),
            credit=text_of(child(meta, "creditline")) or text_of(child(meta, "by")),
            mimetype=attribute(best, "contenttype"),
            width=_int(attribute(best, "width")) or None,
            height=_int(attribute(best, "height")) or None,
        )
    ]


def _int(value: str | None) -> int:
    try:
        return int(value) if value else 0
    except ValueError:
        return 0


def _content_set(item: etree._Element) -> list[etree._Element]:
    content_set = child(item, "contentSet")
    return [] if content_set is None else [e for e in content_set if local_name(e)]


def _article(
    located: _Located, *, source: str, default_timezone: str, received_at: datetime | None
) -> Article:
    item, at = located.item, located.path
    meta = child(item, "itemMeta")
    content_meta = child(item, "contentMeta")

    def when(element: etree._Element | None, path: str) -> datetime | None:
        return item_timestamp(text_of(element), default_timezone, f"{at}/{path}")

    draft = ArticleDraft(
        source=source,
        pointers=Pointers(
            uri=f"{at}/@guid",
            versioncreated=f"{at}/itemMeta/versionCreated",
            headline=f"{at}/contentMeta/headline",
            body=f"{at}/contentSet",
            type=f"{at}/itemMeta/itemClass",
            version=f"{at}/@version",
        ),
        received_at=received_at,
    )
    draft.uri = attribute(item, "guid")
    draft.version = attribute(item, "version")
    draft.versioncreated = when(child(meta, "versionCreated"), "itemMeta/versionCreated")
    draft.firstcreated = when(child(meta, "firstCreated"), "itemMeta/firstCreated")
    status = pubstatus_from_wire(attribute(child(meta, "pubStatus"), "qcode"))
    if status is not None:
        draft.pubstatus = status
    embargoed = child(meta, "embargoed")
    if embargoed is not None:
        # An empty <embargoed/> means "embargoed, time unknown": hold the story.
        draft.embargo = Embargo(until=when(embargoed, "itemMeta/embargoed"))
    draft.ednote = _ednote(meta)
    draft.signals = _signals(meta)
    draft.urgency = urgency_from_wire(text_of(child(content_meta, "urgency")))
    language = attribute(child(content_meta, "language"), "tag") or _inherited_lang(item)
    draft.language = language
    draft.headline = _headline(content_meta)
    draft.standfirst = _description(content_meta, ("summary", "abstract", "synopsis"))
    draft.byline = text_of(child(content_meta, "by"))
    draft.slugline = text_of(child(content_meta, "slugline"))
    place = _located_name(child(content_meta, "located"))
    dateline = text_of(child(content_meta, "dateline"))
    if dateline and _TIMESTAMP_LIKE.match(dateline):
        dateline = None
    draft.dateline = dateline or place
    draft.place = place
    draft.subjects = _subjects(content_meta)
    draft.entities = _entities(item, content_meta)
    if content_meta is not None:
        draft.keywords = [k for k in map(text_of, children(content_meta, "keyword")) if k]
        draft.genres = [g for g in map(_concept_name, children(content_meta, "genre")) if g]
    rights = child(item, "rightsInfo")
    draft.rights_holder = _concept_name(child(rights, "copyrightHolder"))
    draft.rights_notice = _in_language(rights, "copyrightNotice", language)
    draft.usage_terms = _in_language(rights, "usageTerms", language)
    _read_body(item, draft)
    return draft.finish()


def _headline(content_meta: etree._Element | None) -> str | None:
    if content_meta is None:
        return None
    headlines = children(content_meta, "headline")
    main = [
        h for h in headlines if not attribute(h, "role") or "main" in (attribute(h, "role") or "")
    ]
    for headline in [*main, *headlines]:
        text = text_of(headline)
        if text:
            return text
    return None


def _description(content_meta: etree._Element | None, roles: tuple[str, ...]) -> str | None:
    if content_meta is None:
        return None
    for description in children(content_meta, "description"):
        role = (attribute(description, "role") or "").lower()
        if any(r in role for r in roles):
            text = text_of(description)
            if text:
                return text
    return None


def _located_name(located: etree._Element | None) -> str | None:
    if located is None:
        return None
    return text_of(child(located, "name")) or attribute(located, "literal")


def _ednote(meta: etree._Element | None) -> str | None:
    """The editor's note for receiving editors: notes marked non-public (dpa's contacts) are
    left out; dpa's HTML notepad and closing line are internal housekeeping, so when notes
    with an explicit editorial role exist, those are used."""
    if meta is None:
        return None
    notes = [
        n
        for n in children(meta, "edNote")
        if "nonpublic" not in (attribute(n, "pubconstraint") or "").lower()
    ]
    editorial = [n for n in notes if "editorialnote" in (attribute(n, "role") or "").lower()]
    chosen = editorial or [n for n in notes if not attribute(n, "role")] or notes[:1]
    texts = [t for t in map(text_of, chosen) if t]
    return " ".join(texts) or None


def _signals(meta: etree._Element | None) -> list[str]:
    if meta is None:
        return []
    found: list[str] = []
    for signal in children(meta, "signal"):
        qcode = attribute(signal, "qcode")
        if qcode:
            found.append(_SIGNAL_WORDS.get(qcode.lower(), qcode))
    return found


def _concept_name(concept: etree._Element | None) -> str | None:
    """A G2 concept's name: its <name>, else @literal, else the qcode."""
    return (
        text_of(child(concept, "name"))
        or attribute(concept, "literal")
        or attribute(concept, "qcode")
    )


def _in_language(parent: etree._Element | None, name: str, language: str | None) -> str | None:
    """The text of the `name` child in the item's language (dpa sends German and English),
    else in English, else the first."""
    if parent is None:
        return None
    candidates = [(attribute(element, "lang") or "", element) for element in children(parent, name)]
    wanted = ((language or "").lower()[:2], "en")
    for prefix in wanted:
        for lang, element in candidates:
            if prefix and lang.lower().startswith(prefix):
                return text_of(element)
    return text_of(candidates[0][1]) if candidates else None


def _subjects(content_meta: etree._Element | None) -> list[Subject]:
    if content_meta is None:
        return []
    subjects: list[Subject] = []
    for subject in children(content_meta, "subject"):
        qcode = attribute(subject, "qcode")
        name = text_of(child(subject, "name")) or attribute(subject, "literal")
        if not (qcode or name):
            continue
        scheme = qcode.split(":", 1)[0] if qcode and ":" in qcode else None
        subjects.append(Subject(name=name, code=qcode, scheme=scheme))
    return subjects


def _inherited_lang(element: etree._Element | None) -> str | None:
    """`xml:lang` of the item or the nearest element around it that states one (scoop puts a
    plain `lang` on the newsMessage)."""
    while element is not None:
        lang = attribute(element, "lang")
        if lang:
            return lang
        element = element.getparent()
    return None


# contentMeta children that name a thing directly (besides typed `subject`s).
_NAMED_ELEMENTS = {"person": "person", "organisation": "organisation", "location": "place"}


def _entities(item: etree._Element, content_meta: etree._Element | None) -> list[WireEntity]:
    """Typed subjects (`cpnat:person`, `cpnat:organisation`, `cpnat:geoArea`, `cpnat:poi`,
    `cpnat:event`) and IPTC topic subjects, with their qcode and `sameAs` ids; a POI's position
    from the item's `assert` for it."""
    if content_meta is None:
        return []
    asserted = _asserted_places(item)
    found: list[WireEntity] = []
    for element in content_meta:
        kind = local_name(element)
        if kind == "subject":
            entity_type = concept_type(attribute(element, "type"))
        elif kind in _NAMED_ELEMENTS:
            entity_type = _NAMED_ELEMENTS[kind]  # type: ignore[assignment]
        else:
            continue
        about = asserted.get(attribute(element, "literal") or attribute(element, "qcode") or "")
        name = (about.name if about else None) or _display_name(element)
        ids = [
            i
            for i in (
                wire_id(attribute(element, "qcode") or attribute(element, "uri")),
                *(
                    wire_id(attribute(same, "qcode") or attribute(same, "uri"))
                    for same in children(element, "sameAs")
                ),
            )
            if i
        ]
        if entity_type is None and is_iptc_topic(ids):
            entity_type = "topic"
        if entity_type is None or not name:
            continue
        found.append(
            WireEntity(
                name=name,
                type=entity_type,
                ids=ids,
                latitude=about.latitude if about else None,
                longitude=about.longitude if about else None,
            )
        )
    return distinct_entities(found)


def _display_name(concept: etree._Element) -> str | None:
    """A concept's display name (not its short or mnemonic one), else any name, else
    @literal."""
    names = children(concept, "name")
    for name in names:
        role = (attribute(name, "role") or "").lower()
        if not role or role.endswith(("display", "full")):
            text = text_of(name)
            if text:
                return text
    return next((t for t in map(text_of, names) if t), None)


@dataclass(frozen=True)
class _Asserted:
    """What an item's `assert` says about a POI: its display name and position."""

    name: str | None
    latitude: float | None
    longitude: float | None


def _asserted_places(item: etree._Element) -> dict[str, _Asserted]:
    """`assert/@literal` (or @qcode) → its POIDetails: the address's display line (dpa's
    subject names add the address to it) and the position."""
    found: dict[str, _Asserted] = {}
    for assertion in children(item, "assert"):
        details = child(assertion, "POIDetails")
        key = attribute(assertion, "literal") or attribute(assertion, "qcode")
        if details is None or not key:
            continue
        address = child(details, "address")
        display = next(
            (
                text_of(line)
                for line in children(address if address is not None else details, "line")
                if (attribute(line, "role") or "").lower().endswith("display")
            ),
            None,
        )
        position = child(details, "position")
        latitude: float | None = None
        longitude: float | None = None
        try:
            latitude = float(attribute(position, "latitude") or "")
            longitude = float(attribute(position, "longitude") or "")
        except ValueError:
            latitude = longitude = None
        found[key] = _Asserted(display, latitude, longitude)
    return found


def _read_body(item: etree._Element, draft: ArticleDraft) -> None:
    """The first rendition in contentSet that holds text fills the body; an inline NITF
    also fills what the G2 metadata left empty (headline, byline, abstract, dateline)."""
    for content in _content_set(item):
        kind = local_name(content)
        content_type = (attribute(content, "contenttype") or "").lower()
        if kind == "inlineXML":
            nitf = next((e for e in content if local_name(e) == "nitf"), None)
            if nitf is not None:
                story = read_nitf_story(nitf)
                if story.body_html and text_of(_fragment(story.body_html)):
                    draft.body_html = story.body_html
                    draft.headline = draft.headline or story.headline
                    draft.byline = draft.byline or story.byline
                    draft.standfirst = draft.standfirst or story.standfirst
                    draft.dateline = draft.dateline or story.dateline
                    draft.pictures = [*draft.pictures, *story.pictures]
                    draft.entities = distinct_entities([*draft.entities, *story.entities])
                    draft.language = draft.language or story.language
                    return
                continue
            markup = _xhtml_body(content, draft.headline)
            if markup and text_of(_fragment(markup)):
                draft.body_html = markup
                return
        elif kind == "inlineData":
            data = (content.text or "").strip()
            if not data:
                continue
            if "html" in content_type or looks_like_html(data):
                draft.body_html = data
            else:
                draft.body_text = data
            return


def _xhtml_body(inline: etree._Element, headline: str | None) -> str | None:
    """Inline XHTML/HTML: the `<body>`'s content (or the inline element's, when a producer
    sends bare paragraphs), without the page furniture some wires add around the story
    (a `<header>` with slugline lists, an `<h1>` repeating the headline)."""
    html = next((e for e in inline if local_name(e) == "html"), None)
    container = child(html, "body") if html is not None else inline
    if container is None:
        return None
    copy = deepcopy(container)
    for element in list(copy.iter()):
        name = local_name(element)
        if name in {"header", "head", "title"} or (
            name == "h1" and headline and text_of(element) == " ".join(headline.split())
        ):
            parent = element.getparent()
            if parent is not None:
                parent.remove(element)
    return inner_markup(copy)


def _fragment(markup: str) -> etree._Element:
    return lxml_html.fragment_fromstring(markup, create_parent="div")
