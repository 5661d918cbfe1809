"""Why a reader gets no page; each class declares its HTTP status, problem type and title
(entrypoints.problems answers them as RFC 9457 problem details)."""

from __future__ import annotations

from typing import Any


class Problem(Exception):
    """Base: `status`, `problem` (the last segment of the problem+json `type` URI), `title`,
    and `description` (what `GET /problems/{problem}` says about the type; None: no page)."""

    status: int = 500
    problem: str = "internal-error"
    title: str = "Internal error"
    description: str | None = None

    def __init__(self, detail: str | None = None, **extensions: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail
        self.extensions = extensions


class StoryNotFound(Problem):
    status = 404
    problem = "article-not-found"
    title = "No such story"
    description = (
        "No published story here: it does not exist, is held by an embargo, "
        "or has not arrived yet (on purpose, these look alike)."
    )


class StoryWithdrawn(Problem):
    status = 410
    problem = "article-withdrawn"
    title = "Story withdrawn"
    description = (
        "The source withdrew (killed) this story; it must not be shown or "
        "kept. `ednote` carries the source's note when there is one."
    )


class EntityNotFound(Problem):
    status = 404
    problem = "entity-not-found"
    title = "No such entity"
    description = "No published story names this entity."
