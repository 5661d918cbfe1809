"""`newsroom-enrich`: serve the worker, print its AsyncAPI document, or enrich text offline.

newsroom-enrich serve
newsroom-enrich asyncapi
newsroom-enrich extract --dateline 2021-09-20 story.txt
newsroom-enrich extract --jsonl < docs.jsonl > results.jsonl
newsroom-enrich extract --language fr --dateline 2024-03-12 article.txt
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from newsroom.shared import cli

app = typer.Typer(
    help="Newsroom enrich: serve the worker, print its AsyncAPI document, or enrich text offline.",
    no_args_is_help=True,
    add_completion=False,
)


@app.command()
def serve() -> None:
    """Run the worker with /healthz, /readyz, /metrics."""
    import uvicorn

    from newsroom.shared.settings import EnrichSettings

    settings = EnrichSettings()
    uvicorn.run(
        "newsroom.enrich.bootstrap:create_app",
        factory=True,
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,  # our JSON logging, configured by the app
        timeout_graceful_shutdown=30,
    )


@app.command()
def asyncapi() -> None:
    """Print the AsyncAPI 3.0 document."""
    from newsroom.enrich.bootstrap import asyncapi_document

    print(json.dumps(asyncapi_document(), indent=2, sort_keys=True))


@app.command()
def extract(
    file: Annotated[Path | None, typer.Argument(help="a plain-text file")] = None,
    dateline: Annotated[
        str | None, typer.Option(help="YYYY-MM-DD the text's relative dates refer to")
    ] = None,
    jsonl: Annotated[bool, typer.Option(help='read {"id","text","dateline"} lines')] = False,
    model: Annotated[
        str | None, typer.Option(help="spaCy model package (default: settings)")
    ] = None,
    processes: Annotated[
        int | None,
        typer.Option(help="nlp.pipe processes (default: both cores with --jsonl, one for a file)"),
    ] = None,
    language: Annotated[
        str | None,
        typer.Option(help="BCP 47 language to read the text in (e.g. fr, de); default: identified"),
    ] = None,
) -> None:
    """Enrich plain text without Redis."""
    from newsroom.enrich.application.enrich_offline import enrich_jsonl, enrich_text
    from newsroom.enrich.bootstrap import batch_processes, offline_enricher

    requested = requested_language(language)
    if jsonl:
        enricher = offline_enricher(model, processes or batch_processes())
        enrich_jsonl(sys.stdin, sys.stdout, enricher, requested)
        return
    if file is None or dateline is None:
        typer.echo("extract: give --jsonl, or --dateline YYYY-MM-DD FILE", err=True)
        raise typer.Exit(2)
    text = file.read_text(encoding="utf-8")
    result = enrich_text(
        text, date.fromisoformat(dateline), offline_enricher(model, processes or 1), requested
    )
    print(json.dumps(result, indent=2, ensure_ascii=False))


def requested_language(tag: str | None) -> str | None:
    """The primary language subtag of `--language` ("fr-CA" → "fr"); anything that is not a
    language tag is a usage error (exit 2), not a silent fallback to identification."""
    from newsroom.enrich.domain.language import primary_language

    if tag is None:
        return None
    primary = primary_language(tag)
    if primary is None:
        typer.echo(f"--language: {tag!r} is not a BCP 47 language tag (e.g. en, fr, de)", err=True)
        raise typer.Exit(2)
    return primary


def main(argv: Sequence[str] | None = None) -> int:
    return cli.run(app, argv, prog_name="newsroom-enrich")


if __name__ == "__main__":
    sys.exit(main())
