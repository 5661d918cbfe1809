"""What the HTTP routes reach through `request.app.state.site` (bootstrap sets it)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from newsroom.render.application.read_article import ArticleDocuments
from newsroom.render.application.read_lists import ListPages
from newsroom.render.application.read_pages import PageReads
from newsroom.render.domain.views import Publisher
from newsroom.render.entrypoints.article_html import ArticlePageRenderer
from newsroom.render.entrypoints.kept import KeptPages


@dataclass(frozen=True)
class Site:
    public_base_url: str  # without a trailing slash
    publisher: Publisher  # in every article's structured data
    pages: PageReads
    lists: ListPages  # list pages kept once built
    articles: ArticleDocuments
    readiness: Callable[[], Awaitable[dict[str, str]]]  # check name -> "ok" or why not
    kept: KeptPages  # pages answered from memory while the read model is unchanged
    article_pages: ArticlePageRenderer  # builds a story's page not stored by this build


async def _site(request: Request) -> Site:
    # async: FastAPI would run a plain function in its thread pool, a hop per request.
    site: Site = request.app.state.site
    return site


SiteDependency = Annotated[Site, Depends(_site)]
