"""RFC 9457 problem details, the same in every service.

A problem is an exception whose class declares its `status`, its `slug` (the last segment of
its `type` URI) and its `title`; an instance carries the `detail`, an optional `pointer` (the
JSON pointer, field or header the client should look at) and any other extension members.
Domain errors subclass `Problem` and stay free of any web framework; the HTTP mapping is in
`newsroom.shared.problems.fastapi` (FastAPI apps) and `newsroom.shared.problems.asgi` (plain
ASGI routes).

Every `type` is `{PUBLIC_BASE_URL}/problems/{slug}`, and that URL describes the problem."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

PROBLEM_CONTENT_TYPE = "application/problem+json"


class Problem(Exception):
    status: int = 500
    slug: str = "internal-error"
    title: str = "Internal error"

    def __init__(self, detail: str, *, pointer: str | None = None, **extensions: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.pointer = pointer
        self.extensions = extensions
        # Response headers that belong to the problem (Allow of a 405, Retry-After, …).
        self.headers: dict[str, str] = {}


class HttpProblem(Problem):
    """A problem whose status, slug and title are known only when it is raised (the framework's
    own errors: no route, wrong method, invalid parameters)."""

    def __init__(
        self,
        status: int,
        slug: str,
        title: str,
        detail: str,
        *,
        pointer: str | None = None,
        headers: Mapping[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail, pointer=pointer, **extensions)
        self.status = status
        self.slug = slug
        self.title = title
        self.headers = dict(headers or {})


def problem_type(base_url: str, slug: str) -> str:
    return f"{base_url.rstrip('/')}/problems/{slug}"


def problem_document(
    problem: Problem, *, base_url: str, instance: str | None = None
) -> dict[str, Any]:
    """The problem+json body; members without a value are left out."""
    members: dict[str, Any] = {
        "type": problem_type(base_url, problem.slug),
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail,
        "instance": instance,
        "pointer": problem.pointer,
        **problem.extensions,
    }
    return {name: value for name, value in members.items() if value is not None}


def problem_description(
    descriptions: dict[str, str], slug: str, *, base_url: str
) -> dict[str, str] | None:
    """What the `type` URI of `slug` answers (None: no such problem type)."""
    description = descriptions.get(slug)
    if description is None:
        return None
    return {"type": problem_type(base_url, slug), "description": description}
