"""Capitalised abbreviations that name nothing: units, currencies, time zones, job titles.

Not names of anything in particular, so no document decides them; no name is typed by a list
(the override list that typed SpaceX, Roscosmos, NASA and the ISS for the seed story is gone:
`name_context.py` decides those from the words around them)."""

from __future__ import annotations

from typing import Final

# Capitalised abbreviations the model tags as organisations although they name nothing.
NOT_NAMES: Final[frozenset[str]] = frozenset(
    {
        "tbc", "tba", "tbd", "asap", "faq", "fyi", "eta", "aka", "diy", "ceo", "cfo", "coo",
        "cto", "vip", "am", "pm", "gmt", "utc", "bst", "est", "edt", "pst", "pdt", "cet",
        "usd", "eur", "gbp", "jpy", "chf", "cny", "rub", "inr", "aud", "cad",
        "gb", "mb", "kb", "tb", "ghz", "mhz", "km", "mph", "kg",
    }
)  # fmt: skip
