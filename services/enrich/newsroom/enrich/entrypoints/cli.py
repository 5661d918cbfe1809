"""`newsroom-enrich`: serve the worker, print its AsyncAPI document, or enrich text offline.

newsroom-enrich serve
newsroom-enrich asyncapi
newsroom-enrich extract --dateline 2021-09-20 story.txt
newsroom-enrich extract --jsonl < docs.jsonl > results.jsonl
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path


def _serve(_: argparse.Namespace) -> int:
    import uvicorn

    from newsroom.shared.settings import EnrichSettings

    settings = EnrichSettings()
    uvicorn.run(
        "newsroom.enrich.entrypoints.worker:create_app",
        factory=True,
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,  # our JSON logging, configured by the app
        timeout_graceful_shutdown=30,
    )
    return 0


def _asyncapi(_: argparse.Namespace) -> int:
    from newsroom.enrich.entrypoints.worker import asyncapi_document

    print(json.dumps(asyncapi_document(), indent=2, sort_keys=True))
    return 0


def _extract(args: argparse.Namespace) -> int:
    from newsroom.enrich.api import batch_processes, default_enricher, enrich_jsonl, enrich_text

    processes = args.processes or (batch_processes() if args.jsonl else 1)
    enricher = default_enricher(args.model, processes)
    if args.jsonl:
        enrich_jsonl(sys.stdin, sys.stdout, enricher)
        return 0
    if args.file is None or args.dateline is None:
        print("extract: give --jsonl, or --dateline YYYY-MM-DD FILE", file=sys.stderr)
        return 2
    text = Path(args.file).read_text(encoding="utf-8")
    result = enrich_text(text, date.fromisoformat(args.dateline), enricher)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsroom-enrich", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser(
        "serve", help="run the worker with /healthz, /readyz, /metrics"
    ).set_defaults(run=_serve)
    commands.add_parser("asyncapi", help="print the AsyncAPI 3.0 document").set_defaults(
        run=_asyncapi
    )
    extract = commands.add_parser("extract", help="enrich plain text without Redis")
    extract.add_argument("file", nargs="?", help="a plain-text file")
    extract.add_argument("--dateline", help="YYYY-MM-DD the text's relative dates refer to")
    extract.add_argument("--jsonl", action="store_true", help='read {"id","text","dateline"} lines')
    extract.add_argument("--model", default=None, help="spaCy model package (default: settings)")
    extract.add_argument(
        "--processes",
        type=int,
        default=None,
        help="nlp.pipe processes (default: both cores with --jsonl, one for a file)",
    )
    extract.set_defaults(run=_extract)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    code: int = args.run(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
