"""Prometheus metrics of the enrich service (default registry, served on /metrics)."""

from __future__ import annotations

from prometheus_client import Counter

ARTICLES_ENRICHED = Counter(
    "newsroom_articles_enriched_total", "ArticleEnriched events published", ["model"]
)
