"""`newsroom-render`: serve, migrate, replay, build-pages, asyncapi."""

from __future__ import annotations

import asyncio
import gc
import json
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from faststream.specification import AsyncAPI
from rich.progress import Progress, TaskID

from newsroom.shared import cli
from newsroom.shared.logging import configure_logging
from newsroom.shared.settings import RenderSettings

if TYPE_CHECKING:
    from newsroom.render.entrypoints.page_builder import PageBuildWorkers
    from newsroom.render.entrypoints.replay_workers import ReplayWorkers

PROGRESS_LINE_S = 30.0

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

    from newsroom.render.bootstrap import RenderRuntime, build_app, migrate_read_model
    from newsroom.render.entrypoints.startup_heap import freeze_startup_heap

    settings = _settings()
    configure_logging("render", settings.log_level, settings.log_format)
    asyncio.run(migrate_read_model(settings.database_url))
    runtime = RenderRuntime(settings)
    served = build_app(runtime)
    freeze_startup_heap()
    uvicorn.run(
        served,
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        proxy_headers=True,
        timeout_graceful_shutdown=25,
    )


@app.command("migrate")
def migrate_command() -> None:
    """Bring the read model's schema to the newest Alembic migration."""
    from newsroom.render.bootstrap import migrate_read_model

    settings = _settings()
    configure_logging("render", settings.log_level, settings.log_format)
    asyncio.run(migrate_read_model(settings.database_url))
    typer.echo("read model migrated")


@app.command()
def replay(
    database_url: Annotated[
        str,
        typer.Option(
            help="Target database: a new one, never the live DATABASE_URL (see the README's "
            "cut-over steps)."
        ),
    ],
    replace: Annotated[bool, typer.Option(help="Drop a non-empty target first.")] = False,
    # 2,000 events a transaction: a quarter of the commits (and WAL checkpoints) of 500, 7-13 %
    # less wall time on 10k stories (SQLite); about 60 MB more at the peak, flat after.
    batch: Annotated[int, typer.Option(min=1, max=10_000)] = 2000,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=64,
            help="Worker processes, each replaying a share of the articles (default: the CPU "
            "count, at most 8).",
        ),
    ] = None,
) -> None:
    """Rebuild the read model from stream id 0 into a fresh database (no NLP runs). It
    stores no article pages: `build-pages` does, or the render service in the background."""
    settings = _settings()
    configure_logging("render", "WARNING", settings.log_format)
    if same_database(database_url, settings.database_url):
        # --replace would drop the read model a running render is serving and writing.
        typer.echo(
            f"refusing to replay into DATABASE_URL ({settings.database_url}), the live read "
            "model: replay into a new database, then point DATABASE_URL at it (README, "
            "'Rebuilding the read model')",
            err=True,
        )
        raise typer.Exit(2)
    from newsroom.render.entrypoints.partition_workers import default_workers
    from newsroom.render.entrypoints.replay_workers import replay_workers

    with (
        collector_for_replay(),
        replay_workers(
            settings, database_url, batch=batch, workers=workers or default_workers()
        ) as pool,
    ):
        code = asyncio.run(_replay(settings, database_url, replace, pool))
    raise typer.Exit(code)


@contextmanager
def collector_for_replay() -> Iterator[None]:
    """The cyclic collector tuned for a replay, restored after. A replay keeps few objects for
    long (a batch, the projector's caches) but allocates millions, and the default thresholds
    (700, 10, 10) run a collection every 700 allocations and walk the whole heap every 70,000,
    start-up's modules and all. Frozen start-up objects are never walked again, and young
    collections only once a million more tracked objects are alive than at the last one (the
    count is net of those freed) leave a replay to reference counting, which frees all it
    drops: a decoded batch (a few hundred thousand live objects) no longer sets one off each
    time the collector is resumed after decoding (log_decoding.collector_paused). Measured
    (render-scale, SQLite, 20k stories): 2,342 -> 2,842 events per CPU second with young
    collections every 50,000; then a million: 11-12 % fewer CPU seconds (20k stories, two
    workers: 13.1-14.4 -> 11.8-12.8 s), the same peak RSS (251 MB)."""
    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(1_000_000, 50, 1000)
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


def same_database(a: str, b: str) -> bool:
    """Whether two database URLs name the same database (SQLite: the same file)."""
    from sqlalchemy.engine import make_url

    first, second = make_url(a), make_url(b)
    if first.get_backend_name() == second.get_backend_name() == "sqlite":
        if first.database in (None, "", ":memory:") or second.database in (None, "", ":memory:"):
            return False  # each in-memory database is its own
        return Path(first.database or "").resolve() == Path(second.database or "").resolve()
    return (
        first.get_backend_name(),
        first.host or "localhost",
        first.port,
        first.database,
    ) == (second.get_backend_name(), second.host or "localhost", second.port, second.database)


async def _replay(settings: RenderSettings, url: str, replace: bool, workers: ReplayWorkers) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn

    from newsroom.render.adapters.migrate import drop_all, is_empty, migrate
    from newsroom.render.application.ports import IncompleteLog
    from newsroom.render.bootstrap import replay_sources
    from newsroom.render.entrypoints.partition_workers import PartitionFailed
    from newsroom.render.entrypoints.replay_workers import bulk_replay

    async with replay_sources(settings, url) as (event_log, database):
        try:
            # Before touching the target: a refused replay leaves it as it was.
            await event_log.require_complete()
        except IncompleteLog as exc:
            typer.echo(str(exc), err=True)
            return 3
        if not await is_empty(database.engine):
            if not replace:
                typer.echo(
                    f"{url} already holds a read model; pass --replace to rebuild it", err=True
                )
                return 2
            await drop_all(database.engine)
        await migrate(database.engine)
        total = await event_log.total_entries()
        with Progress(
            TextColumn("replay"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=None,
            transient=False,
        ) as progress:
            task = progress.add_task("replay", total=total)
            try:
                stats = await bulk_replay(
                    database.engine, workers, ProgressReport(progress, task, total, "replay")
                )
            except IncompleteLog as exc:  # trimmed between the check and the read
                typer.echo(str(exc), err=True)
                return 3
            except PartitionFailed as exc:
                typer.echo(
                    f"{exc}\nthe replay is incomplete: run it again with --replace", err=True
                )
                return 1
        typer.echo(
            f"replayed {stats.entries} entries: {stats.applied} applied, "
            f"{stats.duplicates} duplicates, {stats.skipped} skipped"
        )
        return 0


class ProgressReport:
    """Advances the progress bar; where it is not drawn (output to a file or a job's log), a
    line with the count and the rate every PROGRESS_LINE_S seconds instead."""

    def __init__(
        self, progress: Progress, task: TaskID, total: int, name: str, unit: str = "entries"
    ) -> None:
        self.progress, self.task, self.total = progress, task, total
        self.name, self.unit = name, unit
        self.lines = not progress.console.is_terminal
        self.done = 0
        self.started = self.last_line = time.monotonic()

    def __call__(self, entries: int) -> None:
        self.progress.advance(self.task, entries)
        self.done += entries
        now = time.monotonic()
        if self.lines and now - self.last_line >= PROGRESS_LINE_S:
            self.last_line = now
            typer.echo(
                f"{self.name}: {self.done:,} / {self.total:,} {self.unit} after "
                f"{now - self.started:.0f} s ({self.done / (now - self.started):,.0f} {self.unit}/s)"
            )


@app.command("build-pages")
def build_pages_command(
    database_url: Annotated[
        str | None,
        typer.Option(help="The read model (default: DATABASE_URL, the live one)."),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=64,
            help="Worker processes, each rendering a share of the stories (default: the CPU "
            "count, at most 8).",
        ),
    ] = None,
) -> None:
    """Store the page of every listed story that has none of this build: after a replay
    (which stores none) or a deploy that changed how pages look. Safe on a live read model:
    a story saved meanwhile keeps the page its projector stored. The read model is first
    brought to this build's schema (as `serve` does): a deploy's pages may need it."""
    settings = _settings()
    configure_logging("render", "WARNING", settings.log_format)
    from newsroom.render.bootstrap import migrate_read_model
    from newsroom.render.entrypoints.page_builder import page_build_workers
    from newsroom.render.entrypoints.partition_workers import default_workers

    url = database_url or settings.database_url
    asyncio.run(migrate_read_model(url))
    with page_build_workers(settings, url, workers=workers or default_workers()) as pool:
        code = asyncio.run(_build_pages(settings, url, pool))
    raise typer.Exit(code)


async def _build_pages(settings: RenderSettings, url: str, workers: PageBuildWorkers) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn

    from newsroom.render.entrypoints.page_builder import pages_waiting, settle_pages
    from newsroom.render.entrypoints.partition_workers import PartitionFailed

    total = await pages_waiting(settings, url)
    with Progress(
        TextColumn("pages"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()
    ) as progress:
        task = progress.add_task("pages", total=total)
        try:
            stats = await workers.run(ProgressReport(progress, task, total, "pages", "stories"))
        except PartitionFailed as exc:
            typer.echo(f"{exc}\nthe stories left are built on request; run it again", err=True)
            return 1
    typer.echo(f"stored {stats.stored} pages ({stats.stories} stories had none of this build)")
    if stats.stored:
        await settle_pages(url)
    return 0


def asyncapi_document() -> str:
    """The AsyncAPI 3.0 document of render's streams, byte-for-byte stable across runs."""
    from newsroom.render.bootstrap import contract_broker

    spec = AsyncAPI(
        contract_broker(RenderSettings()),
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


def main(argv: Sequence[str] | None = None) -> int:
    return cli.run(app, argv, prog_name="newsroom-render")


if __name__ == "__main__":
    sys.exit(main())
