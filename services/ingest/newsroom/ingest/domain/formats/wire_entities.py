"""The people, organisations, places and topics a wire names itself, with the ids it gives.

Every format names them its own way (ninjs `people`/`subjects` with `uri` or `scheme`+`code`,
NewsML-G2 typed `subject`s with `qcode` and `sameAs`, NITF `person`/`org`/`location`); this
module holds what they share: turning a wire's identifier into a URI where its scheme has one,
and a G2 concept type into Newsroom's entity type."""

from __future__ import annotations

import re
from collections.abc import Iterable

from newsroom.shared.article import WireEntity, WireEntityType

# Schemes (as G2 qcode prefixes, lower case) whose codes have a public URI.
_SCHEME_URIS = {
    "medtop": "http://cv.iptc.org/newscodes/mediatopic/",
    "subj": "http://cv.iptc.org/newscodes/subjectcode/",
    "iptc-subjectcode": "http://cv.iptc.org/newscodes/subjectcode/",
    "wikidata": "http://www.wikidata.org/entity/",
    "wd": "http://www.wikidata.org/entity/",
    "geonames": "https://sws.geonames.org/",
    "gn": "https://sws.geonames.org/",
}
# IPTC's two subject vocabularies: their concepts are topics of a story, not things in it.
IPTC_TOPIC_PREFIXES = (
    "http://cv.iptc.org/newscodes/mediatopic/",
    "http://cv.iptc.org/newscodes/subjectcode/",
)
# Superdesk's ninjs sends IPTC Subject Codes as bare eight-digit codes without a scheme.
_BARE_SUBJECT_CODE = re.compile(r"^\d{8}$")
# G2 concept natures (cpnat) → entity types.
_CONCEPT_TYPES: dict[str, WireEntityType] = {
    "person": "person",
    "organisation": "organisation",
    "organization": "organisation",
    "geoarea": "place",
    "poi": "place",
    "event": "event",
    "object": "other",
}


def wire_id(code: str | None, scheme: str | None = None) -> str | None:
    """One identifier as a URI where the scheme has one, else `scheme:code` as sent.

    `medtop:20001065` → the IPTC Media Topic URI; `wikidata:Q183` → the Wikidata entity URI;
    a ninjs 1.x `scheme` URI + `code` → their concatenation; a URI stays as it is."""
    code = (code or "").strip()
    if not code:
        return None
    if code.startswith(("http://", "https://")):
        return code
    if scheme and scheme.startswith(("http://", "https://")):
        return scheme if scheme.endswith(code) else scheme.rstrip("/") + "/" + code
    if scheme is None and _BARE_SUBJECT_CODE.match(code):
        return _SCHEME_URIS["subj"] + code
    prefix, separator, local = code.partition(":")
    if separator and local:
        base = _SCHEME_URIS.get(prefix.lower())
        if base is not None:
            return base + local + ("/" if base.endswith("geonames.org/") else "")
        return code
    base = _SCHEME_URIS.get((scheme or "").lower())
    if base is not None:
        return base + code
    return f"{scheme}:{code}" if scheme else code


def is_iptc_topic(ids: Iterable[str]) -> bool:
    return any(i.startswith(IPTC_TOPIC_PREFIXES) for i in ids)


def concept_type(type_code: str | None) -> WireEntityType | None:
    """`cpnat:person` → person, `cpnat:geoArea` → place, …; None for natures that are not
    named things (`cpnat:abstract`: a subject, which is a topic only in IPTC's vocabularies)."""
    if not type_code:
        return None
    nature = type_code.rsplit(":", 1)[-1].rsplit("/", 1)[-1].lower()
    return _CONCEPT_TYPES.get(nature)


def distinct_entities(entities: Iterable[WireEntity]) -> list[WireEntity]:
    """One entry per (type, name), ids merged in the wire's order."""
    merged: dict[tuple[str, str], WireEntity] = {}
    for entity in entities:
        key = (entity.type, " ".join(entity.name.split()).casefold())
        known = merged.get(key)
        if known is None:
            merged[key] = entity
            continue
        ids = list(dict.fromkeys([*known.ids, *entity.ids]))
        merged[key] = known.model_copy(
            update={
                "ids": ids,
                "latitude": known.latitude if known.latitude is not None else entity.latitude,
                "longitude": known.longitude if known.longitude is not None else entity.longitude,
            }
        )
    return list(merged.values())
