"""A story's page as readers get it (`/articles/{slug}`), rendered from its projection alone:
by the route when a page must be built, and by the projector when it saves the story, which
stores the page with it (adapters.orm.ArticlePageRow) so a request serves it without building
it. A page is a pure function of the story, the publisher, the public base URL and the code and
templates that render it; `build` names the last three, and a stored page is served only by a
process whose build is the same (after a deploy that changes how pages look, or with another
base URL, pages are built on request until the stories are projected again or replayed)."""

from __future__ import annotations

import hashlib
import sys
from functools import cache
from importlib import metadata
from pathlib import Path

from newsroom.render.application.ports import RenderedPage
from newsroom.render.domain.projection import ArticleState
from newsroom.render.domain.views import Publisher, article_page
from newsroom.render.entrypoints.page_forms import etag_of, gzip_form
from newsroom.render.entrypoints.rendering import article_context, render
from newsroom.shared import article as canonical_article
from newsroom.shared.settings import RenderSettings

RENDER_PACKAGE = Path(__file__).resolve().parent.parent
# What a page's bytes depend on besides the story and the settings: the domain's page model,
# the templates and their filters, this module, the canonical article they read, and the
# libraries that sanitise, escape and render.
SOURCES = (
    RENDER_PACKAGE / "domain",
    RENDER_PACKAGE / "templates",
    RENDER_PACKAGE / "entrypoints" / "rendering.py",
    RENDER_PACKAGE / "entrypoints" / "page_forms.py",  # the ETag and gzip form stored with it
    Path(__file__).resolve(),
    Path(canonical_article.__file__ or "").resolve(),
)
LIBRARIES = ("jinja2", "markupsafe", "nh3", "pydantic")


@cache
def code_fingerprint() -> str:
    """A digest of the sources and library versions pages are rendered with (read once)."""
    digest = hashlib.sha256(sys.version.encode())
    for library in LIBRARIES:
        digest.update(f"{library}={metadata.version(library)}\n".encode())
    for source in SOURCES:
        files = sorted(source.rglob("*")) if source.is_dir() else [source]
        for path in files:
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.name.encode())
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


class ArticlePageRenderer:
    """Renders story pages for one site (application.ports.ArticlePages)."""

    def __init__(self, public_base_url: str, publisher: Publisher) -> None:
        self.base_url = public_base_url.rstrip("/")
        self.publisher = publisher
        settings = f"{self.base_url}\n{publisher.name}\n{publisher.logo_url}\n"
        self.build = hashlib.sha256((code_fingerprint() + settings).encode()).hexdigest()[:32]

    @staticmethod
    def stored_form(html: bytes) -> RenderedPage:
        return RenderedPage(html, etag_of(html), gzip_form(html))

    def __call__(self, state: ArticleState) -> bytes | None:
        """The story's page (None: it has no current version to show)."""
        page = article_page(state, self.publisher)
        if page is None:
            return None
        return render("article.html", article_context(page, self.base_url)).encode()


def publisher_of(name: str, logo_url: str | None, public_base_url: str) -> Publisher:
    """The site's publisher from the settings (the logo defaults to the site's own)."""
    logo = logo_url or f"{public_base_url.rstrip('/')}/static/logo.svg"
    return Publisher(name=name, logo_url=logo)


def article_pages_for(settings: RenderSettings) -> ArticlePageRenderer:
    """The renderer of the site `settings` describe (the server's and the projector's)."""
    return ArticlePageRenderer(
        settings.public_base_url,
        publisher_of(
            settings.publisher_name, settings.publisher_logo_url, settings.public_base_url
        ),
    )
