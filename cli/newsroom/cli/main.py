"""The `newsroom` command."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import httpx
import typer

from newsroom.cli.local_sources import DEMO_SOURCE, secret_for

app = typer.Typer(
    help="Newsroom: run, feed and inspect the whole pipeline locally.", no_args_is_help=True
)

VarDir = Annotated[
    Path, typer.Option("--var", help="Where local data lives (SQLite, Redis, secrets).")
]
DEFAULT_REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


@app.command()
def up(
    var: VarDir = Path("var"),
    redis_url: Annotated[
        str, typer.Option(help="Redis to use; started locally if none answers.")
    ] = DEFAULT_REDIS_URL,
    ingest_port: int = 8001,
    render_port: int = 8002,
    enrich_port: int = 8003,
    archive_port: int = 8005,
    redis_cluster: Annotated[
        bool,
        typer.Option(
            "--redis-cluster",
            help="Run on a local Redis Cluster (3 masters + 3 replicas, ports 7000-7005, "
            "data under VAR/redis-cluster), the streams in STREAM_SHARDS (6) shards.",
        ),
    ] = False,
) -> None:
    """Run ingest, enrich, render and the archive (and Redis if none answers) with every log
    here."""
    from newsroom.cli.up import Ports, run_system

    ports = Ports(ingest_port, render_port, enrich_port, archive_port)
    raise typer.Exit(run_system(var, redis_url, ports, redis_cluster=redis_cluster))


@app.command()
def send(
    files: Annotated[list[Path], typer.Argument(exists=True, dir_okay=False, readable=True)],
    source: str = DEMO_SOURCE,
    ingest_url: Annotated[
        str, typer.Option(envvar="NEWSROOM_INGEST_URL")
    ] = "http://127.0.0.1:8001",
    secret: Annotated[
        str | None, typer.Option(envvar="NEWSROOM_SECRET", help="Defaults to the local source's.")
    ] = None,
    var: VarDir = Path("var"),
) -> None:
    """Sign and post wire files to the running ingest; prints each file's status and page URL."""
    from newsroom.cli.send import send_file

    secret = secret or secret_for(var, source)
    if secret is None:
        typer.echo(
            f"No secret for source {source!r}: run `newsroom up` first or pass --secret.", err=True
        )
        raise typer.Exit(2)
    failures = 0
    with httpx.Client(timeout=30.0) as client:
        for path in files:
            try:
                result = send_file(client, ingest_url, source, secret, path)
            except httpx.HTTPError as exc:
                typer.echo(f"{path}: cannot reach ingest at {ingest_url}: {exc}", err=True)
                raise typer.Exit(3) from exc
            failures += result.status >= 400
            typer.echo(f"{result.status} {path}  {result.summary}")
    raise typer.Exit(1 if failures else 0)


@app.command("dead-letters")
def dead_letters(
    redis_url: Annotated[str, typer.Option()] = DEFAULT_REDIS_URL,
    redis_cluster: Annotated[
        bool,
        typer.Option(
            "--redis-cluster",
            envvar="REDIS_CLUSTER",
            help="REDIS_URL names a node of a Redis Cluster (as the services' REDIS_CLUSTER).",
        ),
    ] = False,
    count: int = 20,
    show: Annotated[
        str | None,
        typer.Option(help="Print this dead letter whole: its event and the traceback."),
    ] = None,
    requeue: Annotated[
        list[str] | None,
        typer.Option(help="Publish this dead letter's event again, then drop it (repeatable)."),
    ] = None,
    requeue_all: Annotated[
        bool, typer.Option("--requeue-all", help="Requeue every dead letter, oldest first.")
    ] = False,
) -> None:
    """List the newest dead letters (events no consumer could process) with their reasons,
    from every shard's streams; inspect one; requeue them on the streams they came from."""
    from newsroom.cli import dead_letters as letters

    try:
        if show is not None:
            typer.echo(
                asyncio.run(letters.dead_letter(redis_url, show, cluster=redis_cluster)).details()
            )
            return
        if requeue or requeue_all:
            sent = asyncio.run(
                letters.requeue(redis_url, None if requeue_all else requeue, cluster=redis_cluster)
            )
            for letter in sent:
                typer.echo(f"requeued {letter.id} on {letter.fields['stream']}")
            if not sent:
                typer.echo("no dead letters")
            return
    except LookupError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    found = asyncio.run(letters.list_dead_letters(redis_url, count, cluster=redis_cluster))
    if not found:
        typer.echo("no dead letters")
    for letter in found:
        typer.echo(letter.summary())


@app.command()
def status(
    var: VarDir = Path("var"),
    redis_url: Annotated[str, typer.Option()] = DEFAULT_REDIS_URL,
    archive_database_url: Annotated[
        str | None,
        typer.Option(envvar="ARCHIVE_DATABASE_URL", help="Default: the archive in --var."),
    ] = None,
    ingest_database_url: Annotated[
        str | None,
        typer.Option(envvar="INGEST_DATABASE_URL", help="Default: ingest's database in --var."),
    ] = None,
) -> None:
    """Per stream: length, memory, the archive's high-water mark, each group's lag and
    pending entries; Redis's memory, the outbox backlog and the dead letters."""
    from newsroom.archive.entrypoints.status_report import print_status
    from newsroom.shared.settings import ArchiveSettings

    folder = var.resolve()
    settings = ArchiveSettings(
        redis_url=redis_url,
        database_url=archive_database_url or f"sqlite+aiosqlite:///{folder}/archive.db",
        ingest_database_url=ingest_database_url or f"sqlite+aiosqlite:///{folder}/ingest.db",
    )
    raise typer.Exit(asyncio.run(print_status(settings)))


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def replay(ctx: typer.Context, var: VarDir = Path("var")) -> None:
    """Rebuild render's read model from the archive, then the streams' tails (see
    `newsroom-render replay --help`)."""
    script = Path(sys.executable).with_name("newsroom-render")
    env = dict(os.environ)
    archive = var / "archive.db"
    if "ARCHIVE_DATABASE_URL" not in env and archive.exists():
        # The archive `newsroom up` keeps: the head of a trimmed log is only there.
        env["ARCHIVE_DATABASE_URL"] = f"sqlite+aiosqlite:///{archive.resolve()}"
    raise typer.Exit(subprocess.call([str(script), "replay", *ctx.args], env=env))  # noqa: S603


@app.command()
def enrich(
    file: Annotated[Path | None, typer.Argument(exists=True, dir_okay=False)] = None,
    dateline: Annotated[
        str | None, typer.Option(help="YYYY-MM-DD; defaults to a wire item's own firstcreated.")
    ] = None,
    jsonl: Annotated[
        bool, typer.Option(help='Read {"id","text","dateline"} lines on stdin, write results.')
    ] = False,
    language: Annotated[
        str | None,
        typer.Option(
            help="BCP 47 language to read it in (e.g. fr, de); default: the item's own, "
            "else identified from the text."
        ),
    ] = None,
) -> None:
    """Entities and timeline of a wire item (any accepted format) or plain text, as JSON."""
    from newsroom.enrich.entrypoints.cli import requested_language

    requested = requested_language(language)
    if jsonl:
        from newsroom.enrich.application.enrich_offline import enrich_jsonl
        from newsroom.enrich.bootstrap import batch_processes, offline_enricher

        enrich_jsonl(sys.stdin, sys.stdout, offline_enricher(None, batch_processes()), requested)
        return
    if file is None:
        typer.echo("Give a FILE, or --jsonl with documents on stdin.", err=True)
        raise typer.Exit(2)
    from newsroom.cli.enrich import enrich_file

    try:
        results = enrich_file(file, date.fromisoformat(dateline) if dateline else None, requested)
    except ValueError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    typer.echo(
        json.dumps(results[0] if len(results) == 1 else results, indent=2, ensure_ascii=False)
    )
