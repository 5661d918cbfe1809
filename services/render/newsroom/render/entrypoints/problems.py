"""RFC 9457 problem details for every HTTP error (application/problem+json)."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://newsroom.example/problems/"


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


def problem_response(problem: Problem, instance: str | None = None) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + problem.name,
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
