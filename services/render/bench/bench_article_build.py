"""CPU cost of building one article page (not a test):
`uv run python services/render/bench/bench_article_build.py [--stories=N] [--rounds=N] [--profile]`.

What building a story's page costs: what the projector pays for each story it saves (it
stores the page), and what a request pays besides the database step and HTTP when no page of
its build is stored: the stored state JSON decoded, the page model built (body sanitised, entities linked,
history, bylines), the template rendered and encoded. The stories are the scale benchmark's
(scale_archive.Archive), projected with the real projection and stored as the repository
stores them; every round builds every story's page from its stored JSON afresh (no cache
of any kind between rounds: each build starts from the row's text). Prints microseconds of
process CPU per page (best round, and the median), and with --profile the top of a cProfile
of one round."""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import pstats
import statistics
import sys
import time

from scale_archive import Archive

from newsroom.render.domain.projection import apply
from newsroom.render.domain.read_model import StoredArticle
from newsroom.render.domain.views import Publisher, article_page
from newsroom.render.entrypoints.rendering import article_context, render

BASE_URL = "http://127.0.0.1:8002"
PUBLISHER = Publisher("Newsroom", BASE_URL + "/static/logo.svg")


def stored_states(stories: int) -> list[str]:
    """Each story's state JSON as the read model holds it (adapters.repository)."""
    archive = Archive(stories)
    rows = []
    for n in range(stories):
        received, enriched = archive.story(n)
        rows.append(apply(apply(None, received), enriched).model_dump_json())
    return rows


def build(raw_state: str) -> bytes:
    """The route's work on a row (entrypoints.pages.article_representation's `html`)."""
    stored = StoredArticle("a", 1, "usable", True, None, None, raw_state)
    page = article_page(stored.state, PUBLISHER)
    assert page is not None
    return render("article.html", article_context(page, BASE_URL)).encode()


def one_round(rows: list[str]) -> float:
    started = time.process_time()
    for raw in rows:
        build(raw)
    return (time.process_time() - started) / len(rows) * 1e6


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stories", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    rows = stored_states(args.stories)
    # The pages' bytes, so a change that must not alter them can be checked by its digest.
    digest = hashlib.sha256(b"".join(build(raw) for raw in rows)).hexdigest()[:16]
    one_round(rows)  # warm: templates compiled, caches of shared configuration filled
    costs = [one_round(rows) for _ in range(args.rounds)]
    print(
        f"{args.stories} stories x {args.rounds} rounds: best {min(costs):.0f} µs CPU a page, "
        f"median {statistics.median(costs):.0f} µs; pages sha256 {digest}"
    )
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(one_round, rows)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
    return 0


if __name__ == "__main__":
    sys.exit(main())
