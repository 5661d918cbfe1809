"""Events written by render to the pages stream, for caches and CDNs to purge."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import BaseModel

from newsroom.shared.events.envelope import Envelope


class PageChangedData(BaseModel):
    url: str
    reason: str
    article_id: str | None = None
    article_version: str | None = None


class PageChanged(Envelope[PageChangedData]):
    TYPE: ClassVar[str] = "newsroom.page.changed.v1"
    type: Literal["newsroom.page.changed.v1"] = "newsroom.page.changed.v1"
