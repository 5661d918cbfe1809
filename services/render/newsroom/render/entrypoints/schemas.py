"""Schemas of render's JSON documents for the OpenAPI document (entrypoints.openapi); the
documents themselves are built by domain.json_views, and tests hold the two together."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from newsroom.render.domain.bounds import MAX_ITEMS, MAX_TEXT
from newsroom.render.domain.projection import ArticleStatus
from newsroom.shared.article import Article, Picture
from newsroom.shared.events import EnrichedEntity, TimelineEntry

BoundedText = Annotated[str, Field(max_length=MAX_TEXT)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WirePicture(Picture):
    model_config = ConfigDict(extra="forbid")

    href: str | None = Field(  # type: ignore[assignment]
        description="An http(s) address or a path on this site; null when the wire's was "
        "neither (a `javascript:` or `data:` address is never handed on)."
    )


def _wire_article() -> type[BaseModel]:
    """The canonical article as the wire gave it, without its body (the document's `body` and
    `body_text` carry it once) and with only web addresses for pictures."""
    fields: dict[str, Any] = {
        name: (field.annotation, field)
        for name, field in Article.model_fields.items()
        if name not in ("body_html", "body_text", "pictures")
    }
    return create_model(
        "WireArticle",
        __config__=ConfigDict(extra="forbid"),
        __doc__=f"The canonical article as the wire gave it, without its body. Every text is "
        f"at most {MAX_TEXT} characters (cut with …), every list at most {MAX_ITEMS} entries.",
        pictures=(list[WirePicture], Field(default_factory=list, max_length=MAX_ITEMS)),
        **fields,
    )


WireArticle = _wire_article()


class EnrichmentSummary(Strict):
    version: str
    model: str
    language: str | None = Field(description="the language the pipeline ran for")
    ner: bool = Field(
        description="false: no entity model for the language; the entities are those the wire named"
    )


class VersionDocument(Strict):
    version: str
    versioncreated: datetime
    arrived_at: datetime
    kind: Literal["received", "updated", "withdrawn"]
    label: str
    ednote: BoundedText | None
    headline_change: list[BoundedText] | None = Field(description="[before, after]")
    added: list[str] = Field(description="sentences the version added")
    removed: list[str] = Field(description="sentences the version removed")


class Withdrawal(Strict):
    version: str
    ednote: BoundedText | None


class ArticleLinks(Strict):
    page: str | None
    api: str


class ArticleDocument(Strict):
    """A story as `GET /api/articles/{article_id}` answers it."""

    article_id: str
    slug: str | None
    status: ArticleStatus
    version: str | None
    versioncreated: datetime | None
    headline: BoundedText | None
    body: str | None = Field(description="the body as sanitised HTML")
    body_text: str | None
    article: WireArticle | None  # type: ignore[valid-type]
    entities: list[EnrichedEntity]
    timeline: list[TimelineEntry]
    enrichment: EnrichmentSummary | None
    versions: list[VersionDocument]
    withdrawn: Withdrawal | None
    links: ArticleLinks


class Readiness(Strict):
    status: Literal["ready"]
    checks: dict[str, str] = Field(description="each dependency and `ok`")
