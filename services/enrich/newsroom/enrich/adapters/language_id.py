"""Language identification with py3langid, whose model ships inside its PyPI package.

Why py3langid (a maintained fork of langid.py): a naive Bayes model over byte n-grams for 97
languages, 4.5 MB in the wheel, numpy only (spaCy brings it already); about 0.2 ms for an
article and about 30 MB resident. lingua-language-detector is more accurate on a few words,
but its models for all languages take about 1 GB resident and 2 ms a text, and an article is
never a few words; fastText-based identifiers fetch their model from the network."""

from __future__ import annotations

from functools import cache

from newsroom.enrich.domain.language import LanguageScores

# Enough text to identify a language; more costs time and says nothing new.
SAMPLE_CHARS = 1000


class LanguageIdentifier:
    """Probabilities of the languages a text may be in (normalised, best first)."""

    def __init__(self) -> None:
        from py3langid.langid import MODEL_FILE
        from py3langid.langid import LanguageIdentifier as Model

        self._model = Model.from_model_file(MODEL_FILE, norm_probs=True)

    def scores(self, text: str) -> LanguageScores | None:
        sample = text[:SAMPLE_CHARS]
        if not any(ch.isalpha() for ch in sample):
            return None
        ranked = [(str(code), float(p)) for code, p in self._model.rank(sample)[:5]]
        return LanguageScores(ranked)


@cache
def language_identifier() -> LanguageIdentifier:
    """One identifier per process (loading the model takes about a second)."""
    return LanguageIdentifier()
