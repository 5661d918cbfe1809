"""A list page's response: built by the route's `build` or taken from the list cache
(application.read_lists), with ETag, Last-Modified and the Link header of its neighbours."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request, Response

from newsroom.render.application.ports import BuiltPage
from newsroom.render.entrypoints.caching import cached_response
from newsroom.render.entrypoints.kept import Keep
from newsroom.render.entrypoints.paging import link_header
from newsroom.render.entrypoints.site import Site


async def list_response(
    request: Request,
    site: Site,
    footprint: str,
    media_type: str,
    build: Callable[[], Awaitable[BuiltPage]],
    *,
    keep: Keep,
    variant: str = "",
) -> Response:
    """`footprint`: the path PageChanged names for this page; `variant`: what else than the
    URL the page depends on (the day, for a feed whose deleted entries age out); `keep`: how
    the page may be answered from memory next time (entrypoints.kept)."""
    query = request.url.query
    url = request.url.path + (f"?{query}" if query else "") + (f"#{variant}" if variant else "")
    page = await site.lists.page(footprint, url, build)
    links = link_header(page.links, site.public_base_url)
    return cached_response(request, page.body, media_type, page.modified, headers=links, keep=keep)
