"""Render's Prometheus metrics (the default registry, served on /metrics)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

EVENTS_APPLIED = Counter(
    "newsroom_render_events_applied_total",
    "Events handled by the projector",
    ["type", "outcome"],  # outcome: applied, duplicate
)
PAGES_RENDERED = Counter(
    "newsroom_render_pages_rendered_total", "Pages and documents rendered", ["page", "status"]
)
ARTICLE_PAGES = Counter(
    "newsroom_render_article_pages_total",
    "Article pages served, by where their bytes came from: stored by the projector, or built "
    "on request (a page stored by another build, or a story projected before pages were stored)",
    ["source"],
)
FAILURES = Counter(
    "newsroom_render_failures_total", "Failures while projecting or publishing", ["stage"]
)
PAGE_CHANGES = Counter("newsroom_render_page_changes_total", "PageChanged events published")
APPLY_SECONDS = Histogram("newsroom_render_apply_seconds", "Time to apply one batch of events")
PAGE_CHANGES_PARKED = Counter(
    "newsroom_render_page_changes_parked_total",
    "Page outbox rows that could not be decoded, moved to page_outbox_parked",
)
PAGES_BUILT = Counter(
    "newsroom_render_page_builder_pages_total",
    "Article pages the page builder stored (stories without a page of this build)",
)
MAINTENANCE_FAILURES = Counter(
    "newsroom_render_maintenance_failures_total",
    "Rounds of render's background loops (maintenance, page builder) that failed",
    ["error"],
)
