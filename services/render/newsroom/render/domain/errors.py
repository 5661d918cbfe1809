"""Why a reader gets no page; each class declares its HTTP status, problem type slug and title
(the shared problem-details module answers them as RFC 9457 problem+json)."""

from __future__ import annotations

from newsroom.shared.problems import Problem


class StoryNotFound(Problem):
    status = 404
    slug = "article-not-found"
    title = "No such story"


class StoryWithdrawn(Problem):
    """`ednote` carries the source's note when there is one."""

    status = 410
    slug = "article-withdrawn"
    title = "Story withdrawn"


class EntityNotFound(Problem):
    status = 404
    slug = "entity-not-found"
    title = "No such entity"


class SitemapNotFound(Problem):
    status = 404
    slug = "sitemap-not-found"
    title = "No such sitemap"
