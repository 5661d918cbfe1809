"""What crawlers and browsers ask every site for: `/robots.txt` (pointing at the sitemap), the
icon (`/favicon.ico`; pages link `/static/favicon.svg`), and the static files under `/static`
(the icon and the publisher's logo), with Starlette's StaticFiles (ETag, Last-Modified, 304)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import PlainTextResponse
from starlette.staticfiles import StaticFiles

from newsroom.render.entrypoints.caching import cached_response
from newsroom.render.entrypoints.site import SiteDependency

STATIC_PATH = "/static"
static_files = StaticFiles(packages=[("newsroom.render", "static")])

router = APIRouter()


def robots_txt(public_base_url: str) -> str:
    return f"User-agent: *\nAllow: /\n\nSitemap: {public_base_url}/sitemap.xml\n"


@router.get("/robots.txt", response_class=PlainTextResponse, summary="Rules for crawlers")
async def robots(request: Request, site: SiteDependency) -> Response:
    body = robots_txt(site.public_base_url).encode()
    return cached_response(request, body, "text/plain; charset=utf-8", None)


@router.get("/favicon.ico", include_in_schema=False)
async def favicon(request: Request) -> Response:
    # Where browsers and feed readers look without a <link rel="icon">.
    return await static_files.get_response("favicon.ico", request.scope)
