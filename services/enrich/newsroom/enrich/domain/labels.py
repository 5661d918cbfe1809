"""spaCy's labels (OntoNotes for English, WikiNER for French) → Newsroom's entity types.

Labels missing here (DATE, TIME, CARDINAL, ORDINAL, QUANTITY, MONEY, PERCENT) are numbers, ages,
amounts and times: never entities. Dates and times reach the timeline through the normaliser."""

from __future__ import annotations

from typing import Final

from newsroom.shared.events.enrichment import EntityType

SPACY_LABELS: Final[dict[str, EntityType]] = {
    "PERSON": "person",
    # The WikiNER scheme of the French (and other news_sm) models.
    "PER": "person",
    "MISC": "other",
    "ORG": "organisation",
    "GPE": "place",
    "LOC": "place",
    "FAC": "place",
    "NORP": "nationality",
    "EVENT": "event",
    "WORK_OF_ART": "work",
    "PRODUCT": "product",
    "LAW": "work",
    "LANGUAGE": "other",
}

# Labels whose spans are hints for the timeline normaliser.
TEMPORAL_LABELS: Final[frozenset[str]] = frozenset({"DATE", "TIME"})
