"""Measurements, not tests (no timing assertions belong in tests): how fast hostile XML is
refused and how fast real wire files parse.

    uv run python services/ingest/tests/unit/formats/measure_formats.py [CORPUS_DIR]
"""

from __future__ import annotations

import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path

from newsroom.ingest.domain.errors import MalformedBody, WireItemRefused
from newsroom.ingest.domain.formats import parse_wire_items


def billion_laughs(depth: int = 10, width: int = 10) -> bytes:
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * width}">' for i in range(1, depth)
    ]
    return (
        f'<?xml version="1.0"?><!DOCTYPE newsMessage [{"".join(entities)}]>'
        f"<newsMessage>&lol{depth - 1};</newsMessage>"
    ).encode()


def quadratic_blowup() -> bytes:
    big = "A" * 100_000
    return (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "{big}">]><rss>'
        + "&a;" * 100_000
        + "</rss>"
    ).encode()


def measure_hostile() -> None:
    for name, body in (
        ("billion laughs (10^10 expansion)", billion_laughs()),
        ("quadratic blowup (10^10 chars)", quadratic_blowup()),
    ):
        tracemalloc.start()
        started = time.perf_counter()
        outcome = "accepted (!)"
        try:
            parse_wire_items(body, "application/xml", source="measure")
        except MalformedBody:
            outcome = "400 MalformedBody"
        elapsed_ms = (time.perf_counter() - started) * 1000
        peak_kib = tracemalloc.get_traced_memory()[1] / 1024
        tracemalloc.stop()
        rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"{name}: {len(body)} bytes -> {outcome} in {elapsed_ms:.2f} ms; "
            f"peak Python allocation {peak_kib:.0f} KiB; process max RSS {rss_mib:.0f} MiB"
        )


def measure_corpus(corpus: Path, rounds: int = 50) -> None:
    files = [
        (path, path.read_bytes())
        for folder in ("seed", "ninjs", "newsml-g2", "nitf", "rss-atom")
        for path in sorted((corpus / folder).iterdir())
        if path.is_file() and not path.name.startswith("LICENSE")
    ]
    parsed = 0
    started = time.perf_counter()
    for _ in range(rounds):
        for _path, body in files:
            try:
                parsed += len(parse_wire_items(body, None, source="measure"))
            except WireItemRefused:  # refusals are part of the corpus
                continue
    elapsed = time.perf_counter() - started
    calls = rounds * len(files)
    print(
        f"corpus: {calls} bodies ({len(files)} files x {rounds}) in {elapsed:.2f} s -> "
        f"{calls / elapsed:.0f} bodies/s, {parsed / elapsed:.0f} articles/s (one core)"
    )


if __name__ == "__main__":
    measure_hostile()
    default = Path(__file__).resolve().parents[6] / "shared" / "corpus"
    corpus = Path(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("NEWSROOM_CORPUS", default))
    measure_corpus(corpus)
