"""Events written by enrich to the enriched stream."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, BeforeValidator, Field

from newsroom.shared.events.envelope import Envelope
from newsroom.shared.events.upcasting import upcast_current

TextField = Literal["headline", "standfirst", "body"]
EntityType = Literal[
    "person", "organisation", "place", "event", "work", "nationality", "product", "other", "topic"
]
# Who found the entity: the model in the text, the wire's metadata, or both (merged by name).
EntityOrigin = Literal["text", "wire", "both"]
# How the language that chose the pipeline was decided.
LanguageSource = Literal["wire", "detected", "requested", "default"]


class EntityMention(BaseModel):
    """One mention; offsets index the plain text of `field` (code points, end exclusive)."""

    field: TextField
    start: int
    end: int
    text: str


class EnrichedEntity(BaseModel):
    """A canonical entity: every mention of one thing in the article, merged."""

    id: str = Field(description="type + normalised name, stable across articles: person/elon-musk")
    name: str
    type: EntityType
    mentions: list[EntityMention]
    mention_count: int
    salience: float
    # Added after v1, all optional with defaults: older events read as "found in the text,
    # no external ids, not on the map".
    origin: EntityOrigin = "text"
    same_as: list[str] = Field(
        default_factory=list,
        description="external URIs of the same thing: Wikidata, IPTC Media Topics, GeoNames",
    )
    geonames_id: int | None = Field(default=None, description="places: the GeoNames feature")
    latitude: float | None = None
    longitude: float | None = None


class TimelineEntry(BaseModel):
    """A date or time the article speaks of, resolved against its dateline (TIMEX3)."""

    value: str = Field(description="TIMEX3 value, e.g. 2021-10-05, 2021-10, 2021")
    type: Literal["DATE", "TIME"]
    granularity: Literal["year", "season", "quarter", "month", "week", "day", "time"]
    # Added after v1 with a default: older events read as "the whole period".
    mod: Literal["START", "MID", "END"] | None = Field(
        default=None, description="TIMEX3 MOD: early (START), mid (MID) or late (END) in the period"
    )
    text: str
    field: TextField
    start: int
    end: int
    sentence: str
    entity_ids: list[str] = Field(default_factory=list)


class ArticleEnrichedData(BaseModel):
    article_id: str
    version: str
    versioncreated: AwareDatetime
    model: str
    entities: list[EnrichedEntity]
    timeline: list[TimelineEntry]
    # Added after v1 with defaults: older events were enriched as English by the English model.
    language: str | None = Field(
        default=None, description="primary language subtag the pipeline ran for: en, fr, de…"
    )
    language_source: LanguageSource | None = None
    ner: bool = Field(
        default=True,
        description="False when no named-entity model exists for the language: the entities "
        "are then only those the wire named",
    )


class ArticleEnriched(Envelope[ArticleEnrichedData]):
    """Entities and timeline of one article version."""

    TYPE: ClassVar[str] = "newsroom.article.enriched.v1"
    type: Literal["newsroom.article.enriched.v1"] = "newsroom.article.enriched.v1"


# What a consumer of the enriched stream declares: older versions are upcast first.
EnrichedEvent = Annotated[ArticleEnriched, BeforeValidator(upcast_current)]
