"""Entity and timex scores of enrich beside plain spaCy on the same gold documents.

    uv run python services/enrich/bench/eval_entities.py [GOLD.jsonl]

Runs `plain_spacy.py` (the pinned model's labels, nothing else) and `newsroom-enrich extract
--jsonl` over the gold texts, scores both with the shared `score.py`, and prints the two
entity strict F1s (PER+ORG+LOC micro) and enrich's TIMEX3 value F1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SHARED = Path(os.environ.get("NEWSROOM_SHARED", HERE.parents[2].parent / "shared"))


MICRO = "micro"


def score(gold: Path, pred: Path) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(suffix=".json") as metrics:
        subprocess.run(  # noqa: S603 (fixed argv, no shell)
            [
                sys.executable,
                str(SHARED / "eval/score.py"),
                str(gold),
                str(pred),
                "--json",
                metrics.name,
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        loaded: dict[str, Any] = json.loads(Path(metrics.name).read_text())
        return loaded


def main() -> None:
    gold = Path(sys.argv[1]) if len(sys.argv) > 1 else SHARED / "eval/meantime-dev.jsonl"
    docs = "".join(
        json.dumps({k: d[k] for k in ("id", "text", "dateline")}) + "\n"
        for d in map(json.loads, gold.read_text(encoding="utf-8").splitlines())
    )
    with tempfile.TemporaryDirectory() as tmp:
        plain, enrich = Path(tmp) / "plain.jsonl", Path(tmp) / "enrich.jsonl"
        for command, out in (
            ([sys.executable, str(HERE / "plain_spacy.py")], plain),
            (
                [sys.executable, "-m", "newsroom.enrich.entrypoints.cli", "extract", "--jsonl"],
                enrich,
            ),
        ):
            out.write_text(
                subprocess.run(  # noqa: S603 (fixed argv, no shell)
                    command, input=docs, capture_output=True, text=True, check=True
                ).stdout
            )
        plain_scores, enrich_scores = score(gold, plain), score(gold, enrich)
    plain_f1 = plain_scores["entities"][MICRO]["strict"]["f1"]
    enrich_f1 = enrich_scores["entities"][MICRO]["strict"]["f1"]
    summary = {
        "entity_strict_f1_plain_spacy": round(plain_f1, 3),
        "entity_strict_f1_enrich": round(enrich_f1, 3),
        "difference_points": round(100 * (enrich_f1 - plain_f1), 1),
        "timex_value_f1_enrich": round(enrich_scores["timex"]["value"]["f1"], 3),
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
