"""`newsroom-ingest`: serve (migrations first), migrate, asyncapi."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import typer

from newsroom.shared import cli
from newsroom.shared.settings import IngestSettings

app = typer.Typer(
    help="Newsroom ingest. Configured by environment variables (REDIS_URL, DATABASE_URL, "
    "HTTP_HOST, HTTP_PORT, NEWSROOM_SOURCES, …).",
    no_args_is_help=True,
    add_completion=False,
)


def _migrated() -> IngestSettings:
    """The settings, with logging configured and the inbox schema at its latest revision."""
    from newsroom.ingest.adapters.migrate import run_migrations
    from newsroom.shared.logging import configure_logging

    settings = IngestSettings()
    configure_logging("ingest", settings.log_level, settings.log_format)
    run_migrations(settings.database_url)
    return settings


@app.command()
def serve() -> None:
    """Run the webhook HTTP service on HTTP_HOST:HTTP_PORT (migrates first)."""
    import uvicorn

    from newsroom.ingest.bootstrap import create_app

    settings = _migrated()
    uvicorn.run(
        create_app(settings),
        host=settings.http_host,
        port=settings.http_port,
        # Our JSON logging is configured above; uvicorn must not replace it.
        log_config=None,
        proxy_headers=True,
    )


@app.command()
def migrate() -> None:
    """Upgrade the inbox database at DATABASE_URL to the latest schema."""
    _migrated()


@app.command()
def asyncapi() -> None:
    """Print the AsyncAPI 3.0 JSON of the events ingest publishes."""
    from newsroom.ingest.bootstrap import asyncapi_document

    sys.stdout.write(asyncapi_document())


def main(argv: Sequence[str] | None = None) -> int:
    return cli.run(app, argv, prog_name="newsroom-ingest")


if __name__ == "__main__":
    raise SystemExit(main())
