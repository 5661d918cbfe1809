"""`newsroom-archive`: serve the archive, print the status figures.

newsroom-archive serve
newsroom-archive status
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence

import typer

from newsroom.shared import cli

app = typer.Typer(
    help="Newsroom archive: the event store behind the streams, and their trimming.",
    no_args_is_help=True,
    add_completion=False,
)


@app.command()
def serve() -> None:
    """Run the archive consumers and the trimmer, with /healthz, /readyz, /metrics."""
    import uvicorn

    from newsroom.shared.settings import ArchiveSettings

    settings = ArchiveSettings()
    uvicorn.run(
        "newsroom.archive.bootstrap:create_app",
        factory=True,
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,  # our JSON logging, configured by the app
        timeout_graceful_shutdown=30,
    )


@app.command()
def status() -> None:
    """Per stream: length, memory, the archive's high-water mark, each group's lag and
    pending entries; the outbox backlog and the dead letters (REDIS_URL, DATABASE_URL,
    INGEST_DATABASE_URL)."""
    from newsroom.archive.entrypoints.status_report import print_status
    from newsroom.shared.settings import ArchiveSettings

    raise typer.Exit(asyncio.run(print_status(ArchiveSettings())))


def main(argv: Sequence[str] | None = None) -> int:
    return cli.run(app, argv, prog_name="newsroom-archive")


if __name__ == "__main__":
    sys.exit(main())
