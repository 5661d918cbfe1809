"""Events written by ingest to the articles stream."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, BeforeValidator, Field

from newsroom.shared.article import Article
from newsroom.shared.events.envelope import Envelope
from newsroom.shared.events.upcasting import upcast_current


class ArticleReceivedData(BaseModel):
    article_id: str
    slug: str
    article: Article
    # Ingest's count of the copies it recorded of this article, this one included (added after
    # v1; None on older events). It orders two copies of one version whatever the clocks of the
    # ingest processes that recorded them.
    sequence: int | None = None


class ArticleUpdatedData(BaseModel):
    article_id: str
    slug: str
    article: Article
    is_correction: bool = False
    # Ingest's count of the copies it recorded of this article, this one included (added after
    # v1; None on older events). It orders two copies of one version whatever the clocks of the
    # ingest processes that recorded them.
    sequence: int | None = None


class ArticleWithdrawnData(BaseModel):
    """A kill: the story must come down everywhere."""

    article_id: str
    slug: str
    source: str
    uri: str
    version: str
    versioncreated: AwareDatetime
    ednote: str | None = None
    # Ingest's count of the copies it recorded of this article, this one included (added after
    # v1; None on older events). It orders two copies of one version whatever the clocks of the
    # ingest processes that recorded them.
    sequence: int | None = None


class ArticleReceived(Envelope[ArticleReceivedData]):
    """The first version of an article seen by Newsroom."""

    TYPE: ClassVar[str] = "newsroom.article.received.v1"
    type: Literal["newsroom.article.received.v1"] = "newsroom.article.received.v1"


class ArticleUpdated(Envelope[ArticleUpdatedData]):
    """A later version of an article (a correction when the wire says so)."""

    TYPE: ClassVar[str] = "newsroom.article.updated.v1"
    type: Literal["newsroom.article.updated.v1"] = "newsroom.article.updated.v1"


class ArticleWithdrawn(Envelope[ArticleWithdrawnData]):
    TYPE: ClassVar[str] = "newsroom.article.withdrawn.v1"
    type: Literal["newsroom.article.withdrawn.v1"] = "newsroom.article.withdrawn.v1"


# What a consumer of the articles stream declares: older versions are upcast first.
# (The upcaster wraps the tagged union: pydantic must see the new `type` before it picks a member.)
ArticleEvent = Annotated[
    Annotated[ArticleReceived | ArticleUpdated | ArticleWithdrawn, Field(discriminator="type")],
    BeforeValidator(upcast_current),
]
