"""What every format parser fills in, and the one place that decides whether it is usable.

Parsers read their format into an `ArticleDraft`; `ArticleDraft.finish` applies the rules a
wire partner can rely on whatever the format: an item needs an identifier and a timestamp;
a live (not canceled) text item needs a headline and some text; a kill needs neither, because
it must still take the story down."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from pydantic import ValidationError

from newsroom.ingest.domain.errors import UnusableItem
from newsroom.ingest.domain.formats.dates import iso_utc
from newsroom.ingest.domain.formats.html import html_to_text, sanitise_html, text_to_html
from newsroom.shared.article import Article, Embargo, Picture, PubStatus, Subject

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


@dataclass(frozen=True)
class Pointers:
    """Where, in this format, the partner should look for each required field."""

    uri: str
    versioncreated: str
    headline: str
    body: str
    type: str = "type"


@dataclass
class ArticleDraft:
    source: str
    pointers: Pointers
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
    dateline: str | None = None
    place: str | None = None
    # Raw wire HTML and text; sanitised/derived in `finish`.
    body_html: str | None = None
    body_text: str | None = None
    subjects: list[Subject] = field(default_factory=list)
    pictures: list[Picture] = field(default_factory=list)
    ednote: str | None = None
    signals: list[str] = field(default_factory=list)
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
        uri = (self.uri or "").strip()
        if not uri:
            raise UnusableItem("the item has no identifier", pointer=pointers.uri)
        if self.non_text_reason:
            raise UnusableItem(self.non_text_reason, pointer=pointers.type)
        versioncreated = self.versioncreated or self.firstcreated
        if versioncreated is None:
            raise UnusableItem(
                "the item has no version timestamp (versioncreated), so its versions cannot "
                "be ordered",
                pointer=pointers.versioncreated,
            )
        canceled = self.pubstatus is PubStatus.CANCELED
        safe_html = sanitise_html(self.body_html) if self.body_html else ""
        text = (self.body_text or "").strip() or html_to_text(safe_html)
        if not safe_html and text:
            safe_html = text_to_html(text)
        headline = " ".join((self.headline or "").split())
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
        version = (self.version or "").strip() or iso_utc(versioncreated)
        try:
            return Article(
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
                dateline=_clean(self.dateline),
                place=_clean(self.place),
                body_html=safe_html,
                body_text=text,
                subjects=self.subjects,
                pictures=self.pictures,
                ednote=_clean(self.ednote),
                signals=list(dict.fromkeys(self.signals)),
            )
        except ValidationError as exc:  # defensive: every field was checked above
            raise UnusableItem(f"the item does not make a valid article: {exc}") from exc


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    collapsed = " ".join(value.split())
    return collapsed or None
