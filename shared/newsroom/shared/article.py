"""The canonical article: what every wire format is parsed into, and what events carry."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field


class PubStatus(StrEnum):
    USABLE = "usable"
    WITHHELD = "withheld"
    CANCELED = "canceled"


class Picture(BaseModel):
    href: str
    caption: str | None = None
    credit: str | None = None
    mimetype: str | None = None
    width: int | None = None
    height: int | None = None


class Rights(BaseModel):
    """Who owns the story and on what terms it may be used, as the wire states it."""

    holder: str | None = None
    notice: str | None = None
    usage_terms: str | None = None


class Subject(BaseModel):
    name: str | None = None
    code: str | None = None
    scheme: str | None = None


WireEntityType = Literal["person", "organisation", "place", "topic", "event", "other"]


class WireEntity(BaseModel):
    """A person, organisation, place or topic the wire itself names (ninjs `people`/`places`/
    `subjects`, NewsML-G2 typed `subject`s, NITF `person`/`org`/`location`), with the
    identifiers it gives: URIs where the scheme has one (Wikidata, IPTC Media Topics, GeoNames),
    else the wire's `scheme:code` (`iso3166-1a2:DE`, `dpacountry:54`)."""

    name: str
    type: WireEntityType
    ids: list[str] = Field(default_factory=list)
    # Where the wire gives a position (a NewsML-G2 POI, a ninjs place's GeoJSON point).
    latitude: float | None = None
    longitude: float | None = None


class Embargo(BaseModel):
    """`until` None means "embargoed, time unknown": hold the story until a new version lifts it."""

    until: AwareDatetime | None = None


class Article(BaseModel):
    source: str
    uri: str
    # Wire version numbers are opaque (Reuters: 978556838 then 1542761538); order by
    # `versioncreated`, then version.
    version: str
    versioncreated: AwareDatetime
    firstcreated: AwareDatetime | None = None
    pubstatus: PubStatus = PubStatus.USABLE
    embargo: Embargo | None = None
    urgency: int | None = Field(default=None, ge=1, le=9)
    language: str | None = None
    headline: str
    slugline: str | None = None
    standfirst: str | None = None
    byline: str | None = None
    dateline: str | None = None
    place: str | None = None
    body_html: str = ""
    body_text: str = ""
    subjects: list[Subject] = Field(default_factory=list)
    # Added after v1 of the article events, with defaults: older events read as "not stated".
    keywords: list[str] = Field(default_factory=list)
    genres: list[str] = Field(default_factory=list)
    rights: Rights | None = None
    pictures: list[Picture] = Field(default_factory=list)
    ednote: str | None = None
    signals: list[str] = Field(default_factory=list)
    # Added with the wire's own named things; older events read as "the wire named none".
    entities: list[WireEntity] = Field(default_factory=list)

    @property
    def reference_time(self) -> datetime:
        """The moment relative dates in the text are read against."""
        return self.firstcreated or self.versioncreated


def version_order_key(versioncreated: datetime, version: str) -> tuple[datetime, int, str]:
    """Total order of an article's versions: the wire's clock first, then its version
    (numerically when it is a number, as "10" follows "9")."""
    # isascii: "²".isdigit() is True but int("²") raises.
    numeric = version.isascii() and version.isdigit() and len(version) <= 30
    return (versioncreated, int(version) if numeric else -1, version)
