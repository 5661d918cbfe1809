"""The `newsroom` command."""

from __future__ import annotations

import os
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
) -> None:
    """Run ingest, enrich and render (and Redis if none answers) with every log here."""
    from newsroom.cli.up import Ports, run_system

    raise typer.Exit(run_system(var, redis_url, Ports(ingest_port, render_port, enrich_port)))


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
