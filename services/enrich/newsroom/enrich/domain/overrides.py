"""The small, documented list of corrections to the statistical model.

Each entry fixes a systematic error of `en_core_web_sm` 3.8 that no rule in `canonical.py`
can decide from the text alone. Keys are normalised names (see `canonical.normalise`). Keep it
short: an entry belongs here only when the model mislabels the name in ordinary news prose."""

from __future__ import annotations

from typing import Final

from newsroom.shared.events.enrichment import EntityType

TYPE_OVERRIDES: Final[dict[str, EntityType]] = {
    # Tagged PERSON (camel-case company names read as surnames).
    "spacex": "organisation",
    # Tagged PRODUCT: the Russian space agency.
    "roscosmos": "organisation",
    # Tagged ORG or PERSON depending on context; an agency, never a person.
    "nasa": "organisation",
    # Tagged ORG by majority (the agencies that run it are named beside it); it is a place
    # people travel to, a facility (OntoNotes FAC → place).
    "international space station": "place",
}

# Capitalised abbreviations the model tags as organisations although they name nothing.
NOT_NAMES: Final[frozenset[str]] = frozenset(
    {
        "tbc", "tba", "tbd", "asap", "faq", "fyi", "eta", "aka", "diy", "ceo", "cfo", "coo",
        "cto", "vip", "am", "pm", "gmt", "utc", "bst", "est", "edt", "pst", "pdt", "cet",
        "usd", "eur", "gbp", "jpy", "chf", "cny", "rub", "inr", "aud", "cad",
        "gb", "mb", "kb", "tb", "ghz", "mhz", "km", "mph", "kg",
    }
)  # fmt: skip
