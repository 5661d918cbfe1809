"""`newsroom-ingest`: serve (migrations first), migrate, asyncapi."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from newsroom.shared.settings import IngestSettings


def _serve(settings: IngestSettings) -> int:
    import uvicorn

    from newsroom.ingest.adapters.migrate import run_migrations
    from newsroom.ingest.bootstrap import create_app
    from newsroom.shared.logging import configure_logging

    configure_logging("ingest", settings.log_level, settings.log_format)
    run_migrations(settings.database_url)
    uvicorn.run(
        create_app(settings),
        host=settings.http_host,
        port=settings.http_port,
        # Our JSON logging is configured above; uvicorn must not replace it.
        log_config=None,
        proxy_headers=True,
    )
    return 0


def _migrate(settings: IngestSettings) -> int:
    from newsroom.ingest.adapters.migrate import run_migrations
    from newsroom.shared.logging import configure_logging

    configure_logging("ingest", settings.log_level, settings.log_format)
    run_migrations(settings.database_url)
    return 0


def _asyncapi(_: IngestSettings) -> int:
    from newsroom.ingest.adapters.publisher import asyncapi_document

    sys.stdout.write(asyncapi_document())
    return 0


COMMANDS = {
    "serve": (_serve, "run the webhook HTTP service on HTTP_HOST:HTTP_PORT (migrates first)"),
    "migrate": (_migrate, "upgrade the inbox database at DATABASE_URL to the latest schema"),
    "asyncapi": (_asyncapi, "print the AsyncAPI 3.0 JSON of the events ingest publishes"),
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="newsroom-ingest",
        description="Newsroom ingest. Configured by environment variables (REDIS_URL, "
        "DATABASE_URL, HTTP_HOST, HTTP_PORT, NEWSROOM_SOURCES, …).",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for name, (_, help_text) in COMMANDS.items():
        commands.add_parser(name, help=help_text)
    args = parser.parse_args(argv)
    handler, _ = COMMANDS[args.command]
    return handler(IngestSettings())


if __name__ == "__main__":
    raise SystemExit(main())
