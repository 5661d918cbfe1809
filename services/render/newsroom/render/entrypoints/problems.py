"""RFC 9457 problem details for every HTTP error (application/problem+json)."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse

PROBLEM_JSON = "application/problem+json"

# What a reader of each problem `type` URI ({PUBLIC_BASE_URL}/problems/{name}) learns there.
PROBLEM_DESCRIPTIONS: dict[str, str] = {
    "article-not-found": "No published story here: it does not exist, is held by an embargo, "
    "or has not arrived yet (on purpose, these look alike).",
    "article-withdrawn": "The source withdrew (killed) this story; it must not be shown or "
    "kept. `ednote` carries the source's note when there is one.",
    "entity-not-found": "No published story names this entity.",
    "not-found": "Nothing at this URL.",
    "method-not-allowed": "This URL does not accept this method.",
    "invalid-request": "The request's parameters are invalid; `errors` names them.",
    "internal-error": "Render failed to produce the page; retrying later may work.",
    "not-ready": "Redis or the read model database is unreachable; `checks` says which.",
}


def problem_type(base_url: str, name: str) -> str:
    return f"{base_url.rstrip('/')}/problems/{name}"


class Problem(Exception):
    """Raised by routes; answered as problem+json (or a friendly page for browsers)."""

    def __init__(
        self, status: int, name: str, title: str, detail: str | None = None, **extensions: Any
    ) -> None:
        super().__init__(title)
        self.status = status
        self.name = name
        self.title = title
        self.detail = detail
        self.extensions = extensions


def problem_response(problem: Problem, base_url: str, instance: str | None = None) -> JSONResponse:
    body: dict[str, Any] = {
        "type": problem_type(base_url, problem.name),
        "title": problem.title,
        "status": problem.status,
    }
    if problem.detail:
        body["detail"] = problem.detail
    if instance:
        body["instance"] = instance
    body.update(problem.extensions)
    return JSONResponse(body, status_code=problem.status, media_type=PROBLEM_JSON)


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
    json_q = max(_quality(accept, "application/json"), _quality(accept, PROBLEM_JSON))
    return html > json_q
