"""`newsroom-render`: serve, migrate, replay, asyncapi."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from faststream.specification import AsyncAPI

from newsroom.shared.logging import configure_logging
from newsroom.shared.settings import RenderSettings

app = typer.Typer(
    help="Newsroom render: pages, feeds and JSON projected from the event log.",
    no_args_is_help=True,
    add_completion=False,
)


def _settings() -> RenderSettings:
    return RenderSettings()


@app.command()
def serve() -> None:
    """Migrate the read model, then serve pages and consume the streams."""
    import uvicorn

    from newsroom.render.bootstrap import RenderRuntime, build_app

    settings = _settings()
    configure_logging("render", settings.log_level, settings.log_format)
    asyncio.run(_migrate(settings.database_url))
    runtime = RenderRuntime(settings)
    uvicorn.run(
        build_app(runtime),
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        proxy_headers=True,
        timeout_graceful_shutdown=25,
    )


async def _migrate(url: str) -> None:
    from newsroom.render.adapters.database import create_engine as make
    from newsroom.render.adapters.migrate import migrate as run

    engine = make(url)
    try:
        await run(engine)
    finally:
        await engine.dispose()


@app.command("migrate")
def migrate_command() -> None:
    """Bring the read model's schema to the newest Alembic migration."""
    settings = _settings()
    configure_logging("render", settings.log_level, settings.log_format)
    asyncio.run(_migrate(settings.database_url))
    typer.echo("read model migrated")


@app.command()
def replay(
    database_url: Annotated[
        str | None, typer.Option(help="Target database (default: DATABASE_URL).")
    ] = None,
    replace: Annotated[bool, typer.Option(help="Drop a non-empty target first.")] = False,
    batch: Annotated[int, typer.Option(min=1, max=10_000)] = 500,
) -> None:
    """Rebuild the read model from stream id 0 into a fresh database (no NLP runs)."""
    settings = _settings()
    configure_logging("render", "WARNING", settings.log_format)
    code = asyncio.run(_replay(settings, database_url or settings.database_url, replace, batch))
    raise typer.Exit(code)


async def _replay(settings: RenderSettings, url: str, replace: bool, batch: int) -> int:
    from redis.asyncio import Redis
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from newsroom.render.adapters.database import create_engine, session_factory
    from newsroom.render.adapters.migrate import drop_all, is_empty, migrate
    from newsroom.render.replay import replay as run_replay
    from newsroom.render.replay import replay_streams, total_entries
    from newsroom.render.service import Projector

    engine = create_engine(url)
    redis = Redis.from_url(settings.redis_url)
    try:
        if not await is_empty(engine):
            if not replace:
                typer.echo(
                    f"{url} already holds a read model; pass --replace to rebuild it", err=True
                )
                return 2
            await drop_all(engine)
        await migrate(engine)
        projector = Projector(
            session_factory(engine), public_base_url=settings.public_base_url, emit_pages=False
        )
        total = await total_entries(redis, replay_streams())
        with Progress(
            TextColumn("replay"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=None,
            transient=False,
        ) as progress:
            task = progress.add_task("replay", total=total)
            stats = await run_replay(
                redis, projector, batch=batch, progress=lambda n: progress.advance(task, n)
            )
        typer.echo(
            f"replayed {stats.entries} entries: {stats.applied} applied, "
            f"{stats.duplicates} duplicates, {stats.skipped} skipped"
        )
        return 0
    finally:
        await redis.aclose()
        await engine.dispose()


def asyncapi_document() -> str:
    """The AsyncAPI 3.0 document of render's streams, byte-for-byte stable across runs."""
    from newsroom.render.adapters.database import create_engine, session_factory
    from newsroom.render.entrypoints.consumers import build_broker
    from newsroom.render.service import Projector

    settings = RenderSettings()
    projector = Projector(
        session_factory(create_engine("sqlite+aiosqlite:///:memory:")),
        public_base_url=settings.public_base_url,
    )
    broker, _ = build_broker(
        # A fixed consumer name and server: the document describes the contract, not a process.
        redis_url="redis://localhost:6379",
        projector=projector,
        consumer="render-{process}",
        max_deliveries=settings.max_deliveries,
        reclaim_idle_ms=settings.reclaim_idle_ms,
    )
    spec = AsyncAPI(
        broker,
        title="Newsroom render",
        version="1.0.0",
        description="Render consumes articles and enrichments, and announces changed pages.",
        schema_version="3.0.0",
    )
    document = json.loads(spec.to_specification().to_json())
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


@app.command()
def asyncapi(
    out: Annotated[Path | None, typer.Option(help="Write to a file instead of stdout.")] = None,
) -> None:
    """Print the AsyncAPI 3.0 JSON of render's event contracts."""
    document = asyncapi_document()
    if out is None:
        sys.stdout.write(document)
    else:
        out.write_text(document)


def main() -> None:
    app()
