"""Render's problem details on the shared module (newsroom.shared.problems): what each of its
problem types means, and how a problem is answered: RFC 9457 application/problem+json, or,
to a browser asking for a page, a short HTML page."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI, Request, Response
from fastapi.responses import HTMLResponse

from newsroom.render.adapters.metrics import FAILURES, PAGES_RENDERED
from newsroom.render.entrypoints.rendering import render
from newsroom.shared.problems import PROBLEM_CONTENT_TYPE, Problem
from newsroom.shared.problems.fastapi import install_problem_handlers, problem_response


class NotReady(Problem):
    status = 503
    slug = "not-ready"
    title = "Not ready"


# What a reader of each problem `type` URI ({PUBLIC_BASE_URL}/problems/{slug}) learns there
# (the framework's own, not-found, method-not-allowed and invalid-request, come with the
# shared module).
PROBLEM_DESCRIPTIONS: dict[str, str] = {
    "article-not-found": "No published story here: it does not exist, is held by an embargo, "
    "or has not arrived yet (on purpose, these look alike).",
    "article-withdrawn": "The source withdrew (killed) this story; it must not be shown or "
    "kept. `ednote` carries the source's note when there is one.",
    "entity-not-found": "No published story names this entity.",
    "sitemap-not-found": "No sitemap file here: the sitemap index (/sitemap.xml) lists the "
    "files there are.",
    "invalid-cursor": "The `after` or `before` cursor is not one this list gave in its links "
    "(or both were given); start again from the list's first page.",
    "internal-error": "Render failed to produce the page; retrying later may work.",
    "not-ready": "Redis or the read model database is unreachable; `checks` says which.",
}

INTERNAL_ERROR_DETAIL = "The page could not be produced."


def _quality(accept: str, media_type: str) -> float:
    best = 0.0
    major = media_type.split("/")[0]
    for part in accept.split(","):
        fields = [f.strip() for f in part.split(";")]
        kind = fields[0].lower()
        q = 1.0
        for param in fields[1:]:
            if param.startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        if kind in (media_type, f"{major}/*"):
            best = max(best, q + 0.001)  # specific beats wildcard at equal q
        elif kind == "*/*":
            best = max(best, q)
    return best


def prefers_html(accept: str | None) -> bool:
    """A browser asking for a page: text/html strictly preferred over JSON."""
    if not accept:
        return False
    html = _quality(accept, "text/html")
    json_q = max(_quality(accept, "application/json"), _quality(accept, PROBLEM_CONTENT_TYPE))
    return html > json_q


def is_page(path: str) -> bool:
    """Whether `path` is (or would be) a page for readers, rather than a document for programs."""
    return not (
        path.startswith("/api/")
        or path.endswith((".xml", ".atom", ".json", ".txt"))
        or path in {"/healthz", "/readyz", "/metrics"}
    )


def _answer(public_base_url: str) -> Callable[[Request, Problem], Response]:
    def answer(request: Request, problem: Problem) -> Response:
        if is_page(request.url.path) and prefers_html(request.headers.get("accept")):
            template = "gone.html" if problem.status == 410 else "error.html"
            body = render(
                template,
                {
                    "base_url": "",
                    "title": problem.title,
                    "detail": problem.detail,
                    "ednote": problem.extensions.get("ednote"),
                },
            )
            return HTMLResponse(body, status_code=problem.status, headers=problem.headers or None)
        return problem_response(problem, base_url=public_base_url, instance=request.url.path)

    return answer


def _observe(request: Request, problem: Problem) -> None:
    # Labelled by the route's first path segment, and only for a route that matched: a scan of
    # made-up URLs must not create a time series each.
    route = request.scope.get("route")
    template: str = getattr(route, "path", "")
    page = (template.split("/")[1] or "front") if template else "unmatched"
    PAGES_RENDERED.labels(page, str(problem.status)).inc()
    if problem.status >= 500 and not isinstance(problem, NotReady):
        FAILURES.labels("http").inc()


def install(app: FastAPI, public_base_url: str) -> None:
    """Every error of `app` as a problem (FastAPI's own included), `GET /problems/{slug}`."""
    install_problem_handlers(
        app,
        public_base_url=public_base_url,
        descriptions=PROBLEM_DESCRIPTIONS,
        internal_error_detail=INTERNAL_ERROR_DETAIL,
        observe=_observe,
        respond=_answer(public_base_url),
    )
