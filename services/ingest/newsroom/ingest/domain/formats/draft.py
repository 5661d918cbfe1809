"""What every format parser fills in, and the one place that decides whether it is usable.

Parsers read their format into an `ArticleDraft`; `ArticleDraft.finish` applies the rules a
wire partner can rely on whatever the format: an item needs an identifier and a timestamp;
a live (not canceled) text item needs a headline and some text; a kill needs neither, because
it must still take the story down."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime

from pydantic import ValidationError

from newsroom.ingest.domain.errors import UnusableItem
from newsroom.ingest.domain.formats.dates import iso_utc
from newsroom.ingest.domain.formats.html import html_to_text, sanitise_html, text_to_html
from newsroom.ingest.domain.limits import MAX_URI_CHARS, MAX_VERSION_CHARS
from newsroom.shared import publishable
from newsroom.shared.article import (
    Article,
    Embargo,
    Picture,
    PubStatus,
    Rights,
    Subject,
    WireEntity,
)

_PUBSTATUS_WORDS = {
    "usable": PubStatus.USABLE,
    "withheld": PubStatus.WITHHELD,
    "canceled": PubStatus.CANCELED,
    "cancelled": PubStatus.CANCELED,  # British spelling, seen in Superdesk and PA output
    "cancel": PubStatus.CANCELED,
    "kill": PubStatus.CANCELED,
    "killed": PubStatus.CANCELED,
}


def pubstatus_from_wire(value: str | None) -> PubStatus | None:
    """`usable`, `stat:usable`, `http://cv.iptc.org/newscodes/pubstatusg2/canceled`, …;
    None when the word is not one we know (the caller keeps its default)."""
    if not value:
        return None
    word = value.strip().rsplit("/", 1)[-1].rsplit(":", 1)[-1].lower()
    return _PUBSTATUS_WORDS.get(word)


def urgency_from_wire(value: object) -> int | None:
    """IPTC urgency 1 (highest) … 9; anything else is dropped rather than refused."""
    if isinstance(value, bool):
        return None
    try:
        number = int(str(value).strip()) if value is not None else None
    except ValueError:
        return None
    return number if number is not None and 1 <= number <= 9 else None


# Characters XML 1.0 cannot carry, not even as references: left in an article they make every
# XML document built from it (render's Atom feed) unreadable. Vertical tab and form feed are
# whitespace, so they become spaces; the other C0 controls, lone surrogates (JSON "\ud800")
# and the non-characters U+FFFE/U+FFFF go.
_NOT_XML_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_NOT_XML_REPLACEMENTS: dict[int, str | None] = {
    **{code: None for code in range(0x20) if chr(code) not in "\t\n\r"},
    0x0B: " ",
    0x0C: " ",
    **{code: None for code in range(0xD800, 0xE000)},
    0xFFFE: None,
    0xFFFF: None,
}


def xml_safe(text: str) -> str:
    """`text` without the characters XML 1.0 forbids (see `_NOT_XML_CHARACTERS`)."""
    # The search runs in C and almost never finds anything; translate is slow per character.
    if _NOT_XML_CHARACTERS.search(text) is None:
        return text
    return text.translate(_NOT_XML_REPLACEMENTS)


def _xml_safe_or_none(text: str | None) -> str | None:
    return None if text is None else xml_safe(text)


@dataclass(frozen=True)
class Pointers:
    """Where, in this format, the partner should look for each field a refusal may name."""

    uri: str
    versioncreated: str
    headline: str
    body: str
    type: str = "type"
    version: str = "version"
    firstcreated: str = "firstcreated"
    embargo: str = "embargoed"
    slugline: str = "slugline"
    pictures: str = "associations"
    # The item itself (a JSON pointer in ninjs): other fields are named under it.
    item: str = ""

    def of(self, field: str) -> str:
        """The wire's pointer for `field`, a JSON pointer into the article (or the draft)."""
        named = {
            "/uri": self.uri,
            "/version": self.version,
            "/versioncreated": self.versioncreated,
            "/firstcreated": self.firstcreated,
            "/embargo": self.embargo,
            "/headline": self.headline,
            "/body_html": self.body,
            "/body_text": self.body,
            "/slugline": self.slugline,
            "/pictures": self.pictures,
        }
        top = "/" + field.split("/")[1] if field.count("/") else field
        return named.get(top, f"{self.item}{field}")


@dataclass
class ArticleDraft:
    source: str
    pointers: Pointers
    # When ingest received the item: the timestamp of an item that carries none.
    received_at: datetime | None = None
    uri: str | None = None
    version: str | None = None
    versioncreated: datetime | None = None
    firstcreated: datetime | None = None
    pubstatus: PubStatus = PubStatus.USABLE
    embargo: Embargo | None = None
    urgency: int | None = None
    language: str | None = None
    headline: str | None = None
    standfirst: str | None = None
    byline: str | None = None
    slugline: str | None = None
    dateline: str | None = None
    place: str | None = None
    # Raw wire HTML and text; sanitised/derived in `finish`.
    body_html: str | None = None
    body_text: str | None = None
    subjects: list[Subject] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    genres: list[str] = field(default_factory=list)
    rights_holder: str | None = None
    rights_notice: str | None = None
    usage_terms: str | None = None
    pictures: list[Picture] = field(default_factory=list)
    ednote: str | None = None
    signals: list[str] = field(default_factory=list)
    # The people, organisations, places and topics the wire names itself, with their ids.
    entities: list[WireEntity] = field(default_factory=list)
    # Set by parsers for items that are not text stories (picture, video, event, package):
    # the reason they are refused. Such items are refused even when they carry a caption as
    # `body_text` (Superdesk does), because a caption is not a story.
    non_text_reason: str | None = None
    # Why a text item has no text, when the format can say more than "no body" (an AP Media
    # API item whose story is only in a rendition to download), and where.
    no_text_reason: str | None = None
    no_text_pointer: str | None = None

    def finish(self) -> Article:
        pointers = self.pointers
        # Before anything reads the text: broken Unicode is refused, not silently dropped.
        for where, text in self._strings():
            problem = publishable.text_problem(text)
            if problem is not None:
                raise UnusableItem(problem, pointer=pointers.of(where))
        uri = (self.uri or "").strip()
        if not uri:
            raise UnusableItem("the item has no identifier", pointer=pointers.uri)
        if len(uri) > MAX_URI_CHARS:
            raise UnusableItem(
                f"the identifier is {len(uri)} characters long; at most {MAX_URI_CHARS} are "
                "accepted",
                pointer=pointers.uri,
            )
        if self.non_text_reason:
            raise UnusableItem(self.non_text_reason, pointer=pointers.type)
        versioncreated = self.versioncreated or self.firstcreated
        # No timestamp at all (Superdesk accepts such items too): the versions are ordered by
        # when ingest received them.
        stamped_on_arrival = versioncreated is None and self.received_at is not None
        versioncreated = versioncreated or self.received_at
        if versioncreated is None:
            raise UnusableItem(
                "the item has no version timestamp (versioncreated), so its versions cannot "
                "be ordered",
                pointer=pointers.versioncreated,
            )
        # Before the version is derived from a timestamp (which converts it to UTC).
        for where, moment in (
            ("/versioncreated", self.versioncreated),
            ("/firstcreated", self.firstcreated),
            ("/embargo", self.embargo.until if self.embargo else None),
        ):
            problem = publishable.moment_problem(moment) if moment is not None else None
            if problem is not None:
                raise UnusableItem(problem, pointer=pointers.of(where))
        canceled = self.pubstatus is PubStatus.CANCELED
        # Stripped before parsing (raw in JSON) and after (HTML character references).
        raw_html = xml_safe(self.body_html or "")
        safe_html = xml_safe(sanitise_html(raw_html)) if raw_html else ""
        text = xml_safe(self.body_text or "").strip() or xml_safe(html_to_text(safe_html))
        if not safe_html and text:
            safe_html = text_to_html(text)
        headline = " ".join(xml_safe(self.headline or "").split())
        if not canceled:
            if not headline:
                raise UnusableItem("the item has no headline", pointer=pointers.headline)
            if not text:
                raise UnusableItem(
                    self.no_text_reason or "the text item has no body text",
                    pointer=self.no_text_pointer or pointers.body,
                )
        # No version on the wire: the timestamp stands in, so distinct versions stay distinct
        # and a redelivery of the same version maps to the same event id.
        # Stamped on arrival, a re-send of the same text must stay the same version (a duplicate),
        # so the text names it, not the arrival time.
        version = (self.version or "").strip() or (
            self._text_version(headline, text) if stamped_on_arrival else iso_utc(versioncreated)
        )
        if len(version) > MAX_VERSION_CHARS:
            raise UnusableItem(
                f"the version is {len(version)} characters long; at most {MAX_VERSION_CHARS} "
                "are accepted",
                pointer=pointers.version,
            )
        try:
            article = Article(
                source=self.source,
                uri=uri,
                version=version,
                versioncreated=versioncreated,
                firstcreated=self.firstcreated,
                pubstatus=self.pubstatus,
                embargo=self.embargo,
                urgency=self.urgency,
                language=_clean(self.language),
                headline=headline,
                standfirst=_clean(self.standfirst),
                byline=_clean(self.byline),
                slugline=_clean(self.slugline),
                dateline=_clean(self.dateline),
                place=_clean(self.place),
                body_html=safe_html,
                body_text=text,
                subjects=[_xml_safe_subject(subject) for subject in self.subjects],
                keywords=_distinct(self.keywords),
                genres=_distinct(self.genres),
                rights=self._rights(),
                # A picture whose link a browser would run (javascript:, data:) is dropped: the
                # story stands without it.
                pictures=[
                    _xml_safe_picture(picture)
                    for picture in self.pictures
                    if publishable.is_safe_link(picture.href)
                ],
                ednote=_clean(self.ednote),
                signals=list(dict.fromkeys(self.signals)),
                entities=[e for e in map(_xml_safe_entity, self.entities) if e is not None],
            )
        except ValidationError as exc:  # defensive: every field was checked above
            raise UnusableItem(f"the item does not make a valid article: {exc}") from exc
        for violation in publishable.violations(article):
            raise UnusableItem(violation.reason, pointer=pointers.of(violation.pointer))
        return article

    def _text_version(self, headline: str, text: str) -> str:
        digest = hashlib.sha256(
            "\x1f".join([self.pubstatus.value, headline, text]).encode()
        ).hexdigest()
        return f"text-{digest[:16]}"

    def _strings(self) -> list[tuple[str, str]]:
        """Every string the wire gave, with its field's pointer (as if in the article)."""
        found: list[tuple[str, str]] = []
        for name in self.__dataclass_fields__:
            if name != "pointers":
                found.extend(publishable.strings(getattr(self, name), f"/{name}"))
        return found

    def _rights(self) -> Rights | None:
        holder, notice = _clean(self.rights_holder), _clean(self.rights_notice)
        usage_terms = _clean(self.usage_terms)
        if holder is None and notice is None and usage_terms is None:
            return None
        return Rights(holder=holder, notice=notice, usage_terms=usage_terms)


def _distinct(values: list[str]) -> list[str]:
    """Cleaned, empty ones dropped, each once, in the wire's order."""
    return list(dict.fromkeys(v for v in (_clean(value) for value in values) if v))


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    collapsed = " ".join(xml_safe(value).split())
    return collapsed or None


def _xml_safe_subject(subject: Subject) -> Subject:
    return subject.model_copy(
        update={"name": _xml_safe_or_none(subject.name), "code": _xml_safe_or_none(subject.code)}
    )


def _xml_safe_entity(entity: WireEntity) -> WireEntity | None:
    name = _clean(entity.name)
    if name is None:
        return None
    return entity.model_copy(update={"name": name, "ids": [xml_safe(i) for i in entity.ids]})


def _xml_safe_picture(picture: Picture) -> Picture:
    return picture.model_copy(
        update={
            "caption": _xml_safe_or_none(picture.caption),
            "credit": _xml_safe_or_none(picture.credit),
        }
    )
