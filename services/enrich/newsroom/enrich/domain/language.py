"""Which language an article is read in: the one the wire declares, checked against its text.

The pipeline (named-entity model, timeline vocabulary) follows the language, so a wrong label
costs a story its entities: ANSA's English service sends English copy labelled Italian. The
wire's label is kept unless the text is long enough to be sure of its language and the
identifier gives the declared one almost no chance; an item that declares none is read in the
identified language when the identifier is sure of it, else in the default language. An explicit request (`newsroom enrich --language`) is never second-guessed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from newsroom.shared.events.enrichment import LanguageSource

DEFAULT_LANGUAGE: Final = "en"
# Below this many characters a statistical identifier is not sure enough to overrule a wire.
MIN_CHARS_TO_OVERRULE: Final = 200
# The declared language must be this unlikely, and the identified one this likely.
OVERRULE_BELOW: Final = 0.01
OVERRULE_ABOVE: Final = 0.95
# An item that declares nothing is read in the identified language only when the identifier
# is this sure; below it (a few words, a list of names) the default pipeline reads it.
IDENTIFIED_ABOVE: Final = 0.9
# Macrolanguage and three-letter codes → the subtag the pipelines are keyed by; Norwegian
# without a written standard is read as Bokmål, the standard of nearly all news copy.
_ALIASES: Final = {"no": "nb", "nob": "nb", "nno": "nn", "eng": "en", "fra": "fr", "fre": "fr",
                   "deu": "de", "ger": "de", "fin": "fi", "swe": "sv", "dan": "da", "nld": "nl",
                   "dut": "nl", "ita": "it", "spa": "es"}  # fmt: skip


def primary_language(tag: str | None) -> str | None:
    """The primary subtag of a BCP 47 tag, lower case: "fi-FI" → "fi", "en_US" → "en"."""
    if not tag or not tag.strip():
        return None
    primary = tag.strip().replace("_", "-").split("-")[0].lower()
    if not primary.isalpha() or not 2 <= len(primary) <= 3:
        return None
    return _ALIASES.get(primary, primary)


@dataclass(frozen=True)
class LanguageScores:
    """An identifier's probabilities for the text's language, best first."""

    ranked: Sequence[tuple[str, float]]

    @property
    def best(self) -> str | None:
        return self.ranked[0][0] if self.ranked else None

    def probability(self, language: str) -> float:
        return next((p for code, p in self.ranked if code == language), 0.0)


@dataclass(frozen=True)
class LanguageChoice:
    language: str
    source: LanguageSource


def choose_language(
    declared: str | None,
    scores: LanguageScores | None,
    text_length: int,
    *,
    requested: bool = False,
) -> LanguageChoice:
    """The language to read the article in, and how it was decided (see the module doc)."""
    wire = primary_language(declared)
    if wire is not None and requested:
        return LanguageChoice(wire, "requested")
    best = primary_language(scores.best) if scores is not None else None
    if wire is not None:
        if (
            scores is not None
            and best is not None
            and best != wire
            and text_length >= MIN_CHARS_TO_OVERRULE
            and _probability(scores, wire) < OVERRULE_BELOW
            and scores.ranked[0][1] >= OVERRULE_ABOVE
        ):
            return LanguageChoice(best, "detected")
        return LanguageChoice(wire, "wire")
    if best is not None and scores is not None and scores.ranked[0][1] >= IDENTIFIED_ABOVE:
        return LanguageChoice(best, "detected")
    return LanguageChoice(DEFAULT_LANGUAGE, "default")


def _probability(scores: LanguageScores, language: str) -> float:
    """The identifier's probability for `language`, its aliases counted ("no" is "nb")."""
    return sum(p for code, p in scores.ranked if primary_language(code) == language)
