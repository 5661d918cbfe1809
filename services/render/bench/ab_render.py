"""This checkout's render against another checkout's, on one read model (not a test): whether a
change makes a page type faster, by more than a day's drift of the machine.

    uv run python services/render/bench/ab_render.py --other=/path/to/checkout
        [--stories=10000] [--backend=sqlite|postgresql] [--pairs=8] [--duration=3]
        [--page="article (not in memory)"|"article (not in memory, gzip)"|...]

Builds one read model as render-scale does (an archive, then this checkout's `replay` and
`build-pages`), finds the page type's URLs as render-scale does, then serves the read model with
each checkout's render (the other's own `.venv` and `serve_pages.py`), both on the servers'
CPU, and loads one at a time with render-scale's wrk for `--duration` seconds after two
seconds of warming, alternating the two `--pairs` times. Prints each pair, the medians and
their ratio (the other's over this one's), and the render CPU a request of each.

By render-scale's figures alone, two codes a few per cent apart cannot be told from the
machine's drift between runs (its speed moves from day to day, and a slow minute moved one
size's p99 by up to 1.7x); interleaved on one read model, each pair meets the same minute.
The other checkout must render pages as this one does (the same templates, the same page
build): else its render builds every article page instead of serving the stored one, and the
comparison stops, said so."""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import bench_render_scale as scale
import httpx
from bench_render import start_redis

PAIRS = 8
WARM_S = 2


def stored_and_built(base: str) -> tuple[float, float]:
    """How many article pages render served as stored and as built so far (its metrics)."""
    metrics = httpx.get(base + "/metrics", timeout=60).text
    figures = {"stored": 0.0, "built": 0.0}
    for line in metrics.splitlines():
        for source in figures:
            if line.startswith(f'newsroom_render_article_pages_total{{source="{source}"}}'):
                figures[source] = float(line.rsplit(" ", 1)[1])
    return figures["stored"], figures["built"]


def load(
    server: scale.Server, url: str, paths: list[str], args: argparse.Namespace, workdir: Path
) -> tuple[float, float]:
    """(requests/s, render's CPU µs a request) of one load of `server`, after warming it (the
    other server's load went through the OS's and the database's caches meanwhile)."""
    encoding = "gzip" if args.page in scale.GZIP_PAGES else ""
    scale.wrk(server.base, paths, WARM_S, workdir, encoding)
    if args.backend == "postgresql":
        scale.database_off_the_servers_cpu(url, args.admin_dsn)
    before = scale.cpu_seconds(server.process.pid) or 0.0
    started = time.monotonic()
    _, _, rps = scale.wrk(server.base, paths, args.duration, workdir, encoding)
    wall = time.monotonic() - started
    used = (scale.cpu_seconds(server.process.pid) or 0.0) - before
    return rps, 1e6 * used / (rps * wall)


def compare(args: argparse.Namespace, url: str, workdir: Path) -> None:
    this, other = Path(scale.__file__).resolve().parents[3], args.other.resolve()
    if other == this:
        raise SystemExit("--other is this checkout: nothing to compare")
    # Both up throughout, loaded one at a time (an idle server costs the other nothing).
    servers = {root: scale.Server("render", url, checkout=root) for root in (this, other)}
    try:
        with httpx.Client(base_url=servers[this].base, timeout=60) as client:
            types = scale.page_paths(client)
        if args.page not in types:
            raise SystemExit(f"no page type {args.page!r} (known: {', '.join(map(repr, types))})")
        paths = types[args.page]
        figures: dict[Path, list[tuple[float, float]]] = {this: [], other: []}
        for pair in range(1, args.pairs + 1):
            # Who goes first alternates: a drift within the pair falls on each alike.
            order = (this, other) if pair % 2 else (other, this)
            for root in order:
                figures[root].append(load(servers[root], url, paths, args, workdir))
            (a, a_cpu), (b, b_cpu) = figures[this][-1], figures[other][-1]
            scale.say(
                f"pair {pair}: this {a:,.0f} req/s ({a_cpu:.0f} us), other {b:,.0f} req/s "
                f"({b_cpu:.0f} us): {b / a:.3f}x"
            )
        for root, server in servers.items():
            _, built = stored_and_built(server.base)
            if built and args.page in (scale.UNCACHED, scale.UNCACHED_GZIP):
                raise SystemExit(
                    f"{root}: render built {built:.0f} article pages instead of serving the "
                    "stored ones (another page build?): no comparison"
                )
    finally:
        for server in servers.values():
            server.stop()
    rates = {root: statistics.median(rps for rps, _ in loads) for root, loads in figures.items()}
    cpu = {root: statistics.median(us for _, us in loads) for root, loads in figures.items()}
    wins = sum(b > a for (a, _), (b, _) in zip(figures[this], figures[other], strict=True))
    scale.say(
        f"{args.page}, {args.stories:,} stories on "
        f"{args.backend}: this {rates[this]:,.0f} req/s ({cpu[this]:.0f} us a request), other "
        f"{rates[other]:,.0f} req/s ({cpu[other]:.0f} us): {rates[other] / rates[this]:.3f}x, "
        f"the other higher in {wins} of {args.pairs} pairs"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--other", type=Path, required=True, help="the other checkout's root")
    parser.add_argument("--stories", type=int, default=10_000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--pairs", type=int, default=PAIRS)
    parser.add_argument("--duration", type=int, default=3, help="seconds of one load")
    parser.add_argument("--page", default=scale.UNCACHED, help="a page type of render-scale")
    args = parser.parse_args()
    args.batch, args.admin_dsn = None, scale.ADMIN_DSN
    if not (args.other / ".venv/bin/python").exists():
        parser.error(f"{args.other} has no .venv (run its scripts/setup first)")
    with tempfile.TemporaryDirectory(prefix="render-ab-") as directory:
        workdir = Path(directory)
        redis, redis_url = start_redis(workdir)
        names = [f"bench_render_ab_{uuid.uuid4().hex[:8]}" for _ in ("model", "archive")]
        try:
            if args.backend == "sqlite":
                url, archive_url = (f"sqlite+aiosqlite:///{workdir / f'{n}.db'}" for n in names)
            else:
                url, archive_url = (
                    asyncio.run(scale.create_database(n, args.admin_dsn)) for n in names
                )
            scale.build_read_model(args.backend, args.stories, url, archive_url, args, redis_url)
            scale.drop(args.backend, names[1], workdir, args.admin_dsn)
            compare(args, url, workdir)
        finally:
            for name in names:
                scale.drop(args.backend, name, workdir, args.admin_dsn)
            redis.terminate()
            redis.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
