"""ninjs (IPTC's news in JSON), every generation, read leniently.

- 1.x: `headline`, `body_html`, `body_text`, pattern properties `headline_*`, `body_*`,
  `description_*`, `subject[]`, `place[]`, associations as an object.
- 2.x: `headlines[]`, `bodies[]`, `descriptions[]` with `role` and `contenttype`, `subjects[]`,
  `places[]`, `by`, associations and renditions as arrays with `name`.
- 3.x: as 2.x in camelCase (`versionCreated`, `contentType`, `embargoedUntil`).
- Real-world output that fails the strict schema (Superdesk: `guid` instead of `uri`,
  `+0000` offsets, extra fields; the British `cancelled`) is accepted: identity is `uri`,
  then `guid`.
- Envelopes: the AP Media API (`{"data": {"item": {...}}}`), search-style results
  (`{"item": [...]}` / `{"items": [...]}`), and a bare JSON array of items.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from newsroom.ingest.domain.errors import MalformedBody, UnusableItem
from newsroom.ingest.domain.formats.dates import item_timestamp
from newsroom.ingest.domain.formats.draft import (
    ArticleDraft,
    Pointers,
    pubstatus_from_wire,
    urgency_from_wire,
)
from newsroom.ingest.domain.formats.html import html_to_text, looks_like_html
from newsroom.ingest.domain.formats.wire_entities import (
    concept_type,
    distinct_entities,
    is_iptc_topic,
    wire_id,
)
from newsroom.shared.article import Article, Embargo, Picture, Subject, WireEntity, WireEntityType

JsonObject = Mapping[str, Any]

# Item types that are not text stories. Newsroom publishes text; pictures travel as
# associations of a text item.
_MEDIA_TYPES = frozenset({"picture", "graphic", "video", "audio"})
_NOT_STORY_TYPES = frozenset({"event", "planning", "package"})
# Rendition names, best first, for the picture URL a page shows.
_PREFERRED_RENDITIONS = ("original", "baseImage", "highres", "hughres", "main", "viewImage")


def parse_ninjs(
    body: bytes, *, source: str, default_timezone: str, received_at: datetime | None = None
) -> list[Article]:
    try:
        document = json.loads(body)
    except (ValueError, RecursionError) as exc:
        # ValueError covers JSONDecodeError, UnicodeDecodeError and over-long integers;
        # RecursionError is pathological nesting. All are the sender's malformed body.
        raise MalformedBody(f"the body is not well-formed JSON: {exc}") from exc
    items = list(_items(document))
    if not items:
        raise UnusableItem("the JSON body holds no ninjs item", pointer="/")
    return [
        _article(
            item, pointer, source=source, default_timezone=default_timezone, received_at=received_at
        )
        for pointer, item in items
    ]


def _items(document: object) -> Iterator[tuple[str, JsonObject]]:
    """Every ninjs item in the document, with the JSON pointer to it."""
    if isinstance(document, list):
        for index, entry in enumerate(document):
            if isinstance(entry, dict):
                yield f"/{index}", entry
        return
    if not isinstance(document, dict):
        return
    data = document.get("data")
    if isinstance(data, dict) and isinstance(data.get("item"), dict):  # AP Media API
        yield "/data/item", data["item"]
        return
    for key in ("item", "items"):
        wrapped = document.get(key)
        if isinstance(wrapped, list) and "uri" not in document and "guid" not in document:
            for index, entry in enumerate(wrapped):
                if isinstance(entry, dict):
                    yield f"/{key}/{index}", entry
            return
        if isinstance(wrapped, dict) and "uri" not in document and "guid" not in document:
            yield f"/{key}", wrapped
            return
    yield "", document


def _get(item: JsonObject, *names: str) -> Any:
    """First present, non-empty value among the spellings a field has had across versions."""
    for name in names:
        value = item.get(name)
        if value not in (None, "", [], {}):
            return value
    return None


def _str(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    return str(value)


def _article(
    item: JsonObject,
    at: str,
    *,
    source: str,
    default_timezone: str,
    received_at: datetime | None,
) -> Article:
    def when(*names: str) -> datetime | None:
        return item_timestamp(_get(item, *names), default_timezone, f"{at}/{names[0]}")

    draft = ArticleDraft(
        source=source,
        pointers=Pointers(
            uri=f"{at}/uri",
            versioncreated=f"{at}/versioncreated",
            headline=f"{at}/headline",
            body=f"{at}/body_html",
            type=f"{at}/type",
            version=f"{at}/version",
            firstcreated=f"{at}/firstcreated",
            embargo=f"{at}/embargoed",
            slugline=f"{at}/slugline",
            pictures=f"{at}/associations",
            item=at,
        ),
        received_at=received_at,
    )
    draft.uri = _str(_get(item, "uri", "guid"))
    draft.version = _str(_get(item, "version"))
    draft.versioncreated = when("versioncreated", "versionCreated")
    draft.firstcreated = when("firstcreated", "firstCreated")
    status = pubstatus_from_wire(_str(_get(item, "pubstatus", "pubStatus")))
    if status is not None:
        draft.pubstatus = status
    flag = _get(item, "embargoed")
    if isinstance(flag, bool):
        # Some producers flag the embargo without a time: hold until a new version lifts it.
        draft.embargo = Embargo(until=None) if flag else None
    else:
        embargo_until = when("embargoed", "embargoedUntil", "embargoeduntil")
        if embargo_until is not None:
            draft.embargo = Embargo(until=embargo_until)
    draft.urgency = urgency_from_wire(_get(item, "urgency"))
    draft.language = _str(_get(item, "language"))
    draft.headline = _headline(item)
    draft.standfirst = _description(item)
    draft.byline = _str(_get(item, "byline", "by"))
    draft.slugline = _str(_get(item, "slugline"))
    draft.dateline = _located(item)
    draft.place = _first_name(_get(item, "place", "places")) or draft.dateline
    draft.body_html, draft.body_text = _bodies(item)
    draft.subjects = _subjects(_get(item, "subject", "subjects"))
    draft.keywords = _texts(_get(item, "keywords"))
    draft.genres = [s.name or s.code or "" for s in _subjects(_get(item, "genre", "genres"))]
    draft.rights_holder = _str(_get(item, "copyrightholder", "copyrightHolder"))
    draft.rights_notice = " ".join(_texts(_get(item, "copyrightnotice", "copyrightNotice")))
    draft.usage_terms = " ".join(_texts(_get(item, "usageterms", "usageTerms")))
    draft.pictures = _pictures(_get(item, "associations"))
    draft.ednote = _str(_get(item, "ednote", "edNote"))
    draft.signals = _signals(_get(item, "signals"))
    draft.entities = _entities(item)
    kind = (_str(_get(item, "type")) or "text").lower()
    for name, rendition in _named(_get(item, "renditions")):
        if str(rendition.get("type") or "").lower() == "text" and _str(rendition.get("href")):
            # AP Media API: the story itself is a download (NITF/ANPA), not in the item.
            draft.no_text_reason = (
                "the item carries no text: its story is only in the text rendition "
                f"{name!r} to download from the wire; push that rendition (NITF) instead"
            )
            draft.no_text_pointer = f"{at}/renditions/{name}"
            break
    if kind in _MEDIA_TYPES:
        draft.non_text_reason = (
            f"a {kind} item is not a text story; Newsroom publishes text and takes pictures "
            "as associations of a text item"
        )
    elif kind in _NOT_STORY_TYPES:
        draft.non_text_reason = f"the {kind} item describes no news story to publish"
    return draft.finish()


def _headline(item: JsonObject) -> str | None:
    headlines = _get(item, "headlines")
    if isinstance(headlines, list):
        return _by_role(headlines, ("main", "", None))
    direct = _str(_get(item, "headline", "headline_main"))
    if direct:
        return direct
    # ninjs 1.x pattern property: headline_<anything>
    return next((str(v) for k, v in item.items() if k.startswith("headline_") and v), None)


def _description(item: JsonObject) -> str | None:
    descriptions = _get(item, "descriptions")
    if isinstance(descriptions, list):
        plain = [d for d in descriptions if isinstance(d, dict) and not _is_html_entry(d)]
        if plain:
            return _by_role(plain, ("summary", "text", "main", "", None))
        return _by_role(descriptions, ("summary", "text", "main", "", None), strip_html=True)
    text = _str(_get(item, "description_text", "description_main", "description_summary"))
    if text:
        return text
    markup = _str(_get(item, "description_html", "description_richtext", "description_xhtml"))
    if markup:
        return html_to_text(markup) or None
    return None


def _by_role(
    entries: list[Any], roles: tuple[str | None, ...], *, strip_html: bool = False
) -> str | None:
    """The value of the entry with the first matching role, else the first entry's."""
    candidates = [e for e in entries if isinstance(e, dict) and _str(e.get("value"))]
    if not candidates:
        return None
    chosen = next(
        (e for role in roles for e in candidates if (e.get("role") or None) == (role or None)),
        candidates[0],
    )
    value = str(chosen["value"])
    if strip_html and looks_like_html(value):
        return html_to_text(value)
    return value


def _is_html_entry(entry: Mapping[str, Any]) -> bool:
    content_type = str(entry.get("contenttype") or entry.get("contentType") or "").lower()
    if content_type:
        return "html" in content_type
    return looks_like_html(str(entry.get("value") or ""))


def _bodies(item: JsonObject) -> tuple[str | None, str | None]:
    """(HTML body, plain body) as sent, across generations."""
    bodies = _get(item, "bodies")
    if isinstance(bodies, list):
        entries = [b for b in bodies if isinstance(b, dict) and _str(b.get("value"))]
        html_entries = [b for b in entries if _is_html_entry(b)]
        text_entries = [b for b in entries if not _is_html_entry(b)]
        roles = ("main", "text", "richtext", "", None)
        return (
            _by_role(html_entries, roles) if html_entries else None,
            _by_role(text_entries, roles) if text_entries else None,
        )
    markup = _str(_get(item, "body_html", "body_xhtml", "body_richtext"))
    text = _str(_get(item, "body_text", "body_main"))
    if markup is None and text is None:
        # Any other ninjs 1.x `body_<name>`: HTML if it contains tags.
        for key, value in item.items():
            if key.startswith("body_") and isinstance(value, str) and value.strip():
                if looks_like_html(value):
                    markup = markup or value
                else:
                    text = text or value
    return markup, text


def _located(item: JsonObject) -> str | None:
    located = _get(item, "located")
    if isinstance(located, str):
        return located
    if isinstance(located, dict):  # some producers send {"name": ..., "city": ...}
        return _str(located.get("name") or located.get("city"))
    return None


def _first_name(entries: Any) -> str | None:
    if isinstance(entries, list):
        for entry in entries:
            if isinstance(entry, dict) and _str(entry.get("name")):
                return str(entry["name"])
    return None


def _subjects(entries: Any) -> list[Subject]:
    subjects: list[Subject] = []
    if not isinstance(entries, list):
        return subjects
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        name = _str(entry.get("name") or entry.get("literal"))
        code = _str(entry.get("code") or entry.get("uri") or entry.get("qcode"))
        if name or code:
            subjects.append(Subject(name=name, code=code, scheme=_str(entry.get("scheme"))))
    return subjects


# ninjs 2.x/3.x plural keys and their 1.x singular spellings, with the type they name.
_NAMED_THINGS: tuple[tuple[tuple[str, ...], WireEntityType], ...] = (
    (("people", "person"), "person"),
    (("organisations", "organisation"), "organisation"),
    (("places", "place"), "place"),
    (("events",), "event"),
)


def _entities(item: JsonObject) -> list[WireEntity]:
    """What the item names itself: people, organisations, places, events, and the subjects
    that are IPTC topics (or carry a G2 concept type), with their URIs or codes."""
    found: list[WireEntity] = []
    for keys, entity_type in _NAMED_THINGS:
        for entry in _dicts(_get(item, *keys)):
            entity = _entity(entry, entity_type)
            if entity is not None:
                found.append(entity)
    for entry in _dicts(_get(item, "subjects", "subject")):
        typed = concept_type(_str(entry.get("type")))
        entity = _entity(entry, typed or "topic")
        if entity is not None and (typed is not None or is_iptc_topic(entity.ids)):
            found.append(entity)
    return distinct_entities(found)


def _dicts(value: Any) -> list[JsonObject]:
    return [entry for entry in value if isinstance(entry, dict)] if isinstance(value, list) else []


def _entity(entry: JsonObject, entity_type: WireEntityType) -> WireEntity | None:
    name = _str(entry.get("name") or entry.get("literal"))
    if not name or not name.strip():
        return None
    identifier = wire_id(
        _str(entry.get("uri") or entry.get("code") or entry.get("qcode")), _str(entry.get("scheme"))
    )
    ids = [identifier] if identifier else []
    # ninjs 2.x: `literal` is an identifier "as an alternative to uri" when there is a name.
    literal = _str(entry.get("literal")) if entry.get("name") else None
    if literal:
        ids.insert(0, literal)
    latitude, longitude = _point(entry.get("geojson") or entry.get("geoJSON"))
    return WireEntity(
        name=name,
        type=entity_type,
        ids=ids,
        latitude=latitude,
        longitude=longitude,
    )


def _point(geometry: Any) -> tuple[float | None, float | None]:
    """A GeoJSON Point's (latitude, longitude); GeoJSON writes longitude first."""
    if isinstance(geometry, dict) and geometry.get("type") == "Feature":
        geometry = geometry.get("geometry")
    if not isinstance(geometry, dict) or geometry.get("type") != "Point":
        return None, None
    coordinates = geometry.get("coordinates")
    if (
        isinstance(coordinates, list)
        and len(coordinates) >= 2
        and all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in coordinates[:2])
    ):
        return float(coordinates[1]), float(coordinates[0])
    return None, None


def _texts(value: Any) -> list[str]:
    """A string or a list of strings (AP sends `usageterms` as a list)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(entry) for entry in value if isinstance(entry, (str, int, float))]
    return []


def _signals(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        found: list[str] = []
        for entry in value:
            if isinstance(entry, str):
                found.append(entry)
            elif isinstance(entry, dict) and _str(entry.get("uri") or entry.get("name")):
                found.append(str(entry.get("uri") or entry.get("name")))
        return found
    return []


def _named(collection: Any) -> list[tuple[str, JsonObject]]:
    """1.x keyed objects and 2.x/3.x arrays with `name`, as (name, object) pairs."""
    if isinstance(collection, dict):
        return [(str(k), v) for k, v in collection.items() if isinstance(v, dict)]
    if isinstance(collection, list):
        return [(str(v.get("name") or ""), v) for v in collection if isinstance(v, dict)]
    return []


def _pictures(associations: Any) -> list[Picture]:
    pictures: list[Picture] = []
    for _name, assoc in _named(associations):
        kind = str(assoc.get("type") or "").lower()
        if kind not in {"picture", "graphic"}:
            continue
        rendition = _best_rendition(_named(assoc.get("renditions")))
        href = _str(rendition.get("href")) if rendition else None
        # The seed sends a picture with no renditions: keep its caption and credit, and its
        # identifier where a URL would be, so the page can still credit it.
        href = href or _str(_get(assoc, "uri", "guid"))
        if not href:
            continue
        caption = _description(assoc) or _str(_get(assoc, "headline")) or _headline(assoc)
        credit = _str(
            _get(
                assoc, "creditline", "credit", "byline", "by", "copyrightnotice", "copyrightNotice"
            )
        )
        pictures.append(
            Picture(
                href=href,
                caption=caption,
                credit=credit,
                mimetype=_str(
                    (rendition or {}).get("mimetype")
                    or (rendition or {}).get("contenttype")
                    or (rendition or {}).get("contentType")
                    or assoc.get("mimetype")
                ),
                width=_int((rendition or {}).get("width")),
                height=_int((rendition or {}).get("height")),
            )
        )
    return pictures


def _best_rendition(renditions: list[tuple[str, JsonObject]]) -> JsonObject | None:
    usable = [(name, r) for name, r in renditions if _str(r.get("href"))]
    if not usable:
        return None
    for preferred in _PREFERRED_RENDITIONS:
        for name, rendition in usable:
            if name == preferred:
                return rendition
    return max(usable, key=lambda nr: _int(nr[1].get("width")) or 0)[1]


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None
