"""Runs each service's benchmark script in turn; each prints its figures beside its baseline.

uv run python -m bench              # all
uv run python -m bench ingest       # one
uv run python -m bench render-scale --million --sizes=10000   # options go to each script
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCHMARKS = {
    "ingest": REPO / "services/ingest/bench/bench_ingest.py",
    "enrich": REPO / "services/enrich/bench/bench_enrich.py",
    "render": REPO / "services/render/bench/bench_render.py",
    "archive": REPO / "services/archive/bench/bench_archive.py",
    "render-scale": REPO / "services/render/bench/bench_render_scale.py",
    "cluster": REPO / "bench/bench_cluster.py",
}


def main(arguments: list[str]) -> int:
    names = [a for a in arguments if not a.startswith("--")]
    options = [a for a in arguments if a.startswith("--")]
    unknown = [name for name in names if name not in BENCHMARKS]
    if unknown:
        # Also what an option's value standing apart looks like (`--sizes 10000`).
        print(
            f"no benchmark named {', '.join(unknown)} (known: {', '.join(BENCHMARKS)}); "
            "give an option's value with '=': --sizes=10000,100000",
            file=sys.stderr,
        )
        return 2
    failed = []
    for name in names or list(BENCHMARKS):
        script = BENCHMARKS[name]
        print(f"\n=== {name}: {script.relative_to(REPO)}", flush=True)
        started = time.monotonic()
        code = subprocess.call([sys.executable, str(script), *options], cwd=REPO)  # noqa: S603
        print(f"=== {name}: exit {code} after {time.monotonic() - started:.0f} s", flush=True)
        if code:
            failed.append(name)
    if failed:
        print(f"benchmarks failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
