"""Which way a clause looks in time, from the words around a temporal expression.

No parser: the nearest tense cue to the left within the sentence decides (the verb that governs a
time adverbial usually precedes it: "was delivered on Tuesday", "will launch in October"); when
there is none, the nearest to the right ("On Wednesday, Apple introduced …")."""

from __future__ import annotations

import re
from typing import Final

from newsroom.enrich.domain.timeline.calendar import Tense

_WINDOW_LEFT: Final = 10
_WINDOW_RIGHT: Final = 6
_LONGEST_SENTENCE: Final = 1000

_WORD = re.compile(r"[A-Za-z]+(?:['’][a-z]+)?")
_SENTENCE_BREAK = re.compile(r"[.!?;]\s+(?=[A-Z“\"‘'])|\n")

# Phrases first: "set to", "going to" say future whatever tense their auxiliary has.
_FUTURE_PHRASES: Final = (
    ("set", "to"), ("going", "to"), ("due", "to"), ("scheduled", "to"), ("scheduled", "for"),
    ("slated", "to"), ("slated", "for"), ("expected", "to"), ("expected", "in"), ("plans", "to"),
    ("plan", "to"), ("planned", "for"), ("planning", "to"), ("intends", "to"), ("aims", "to"),
    ("is", "to"), ("are", "to"), ("to", "be"), ("hopes", "to"), ("due", "in"), ("due", "on"), ("due", "for"),
)  # fmt: skip
_FUTURE_WORDS: Final = frozenset(
    {"will", "won't", "won’t", "shall", "'ll", "’ll", "upcoming", "forthcoming", "gonna", "plans"}
)
_PAST_WORDS: Final = frozenset(
    {
        "was", "were", "had", "did", "ago", "said", "told", "made", "took", "came", "went",
        "began", "begun", "won", "lost", "sold", "bought", "saw", "gave", "got", "left", "met",
        "found", "held", "led", "paid", "rose", "fell", "grew", "built", "brought", "spent",
        "sent", "wrote", "spoke", "stood", "thought", "felt", "kept", "became", "chose", "flew",
        "broke", "struck", "fought", "caught", "sought", "drew", "drove", "wore", "ran", "knew",
        "hadn't", "didn't", "wasn't", "weren't", "overtook", "undertook", "withdrew",
    }
)  # fmt: skip
# Words ending in -ed that are not past verbs, and -ed words that announce a future.
_NOT_PAST_ED: Final = frozenset(
    {
        "need", "speed", "red", "bed", "seed", "feed", "breed", "bleed", "proceed", "exceed",
        "succeed", "indeed", "embed", "hundred", "united", "deed", "heed", "reed", "weed",
        "shed", "greed", "creed", "steed", "tweed", "sled", "bred",
        "scheduled", "planned", "expected", "slated", "intended", "anticipated", "proposed",
        "based", "limited", "related", "detailed", "advanced", "renewed", "skilled", "dedicated",
    }
)  # fmt: skip
_MODALS: Final = frozenset({"should", "could", "might", "would"})
_PRESENT_BE: Final = frozenset({"is", "are", "am", "isn't", "aren't"})
_PASSIVE_AUXILIARIES: Final = frozenset({"be", "been", "being"})


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def _cue(words: list[str], index: int) -> Tense:
    word = words[index]
    following = words[index + 1] if index + 1 < len(words) else ""
    if (word, following) in _FUTURE_PHRASES or word in _FUTURE_WORDS:
        return "future"
    if word.endswith(("'ll", "’ll")):
        return "future"
    if word in _MODALS and following not in ("have", "not"):
        # "should pick up in the third quarter", "would close in December": ahead of the
        # dateline; "should have", "would not have" look back. ("may" is also the month.)
        return "future"
    if word in _PRESENT_BE:
        return "present"
    is_past_form = word in _PAST_WORDS or (
        len(word) > 3 and word.endswith("ed") and word not in _NOT_PAST_ED
    )
    if not is_past_form:
        return None
    # A participle after "be" ("will be delayed", "to be held") says nothing of tense.
    previous = words[index - 1] if index > 0 else ""
    return None if previous in _PASSIVE_AUXILIARIES else "past"


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Offsets of the sentence around text[start:end] (a cheap splitter: punctuation, newline)."""
    # Look back a bounded stretch: the cost stays per expression, not per article length.
    sentence_start = max(0, start - _LONGEST_SENTENCE)
    for match in _SENTENCE_BREAK.finditer(text, sentence_start, start):
        sentence_start = match.end()
    after = _SENTENCE_BREAK.search(text, end)
    return sentence_start, after.start() + 1 if after else len(text)


def tense_at(text: str, start: int, end: int) -> Tense:
    """One of "past", "future" or None (no cue) for the clause around text[start:end]."""
    sentence_start, sentence_end = sentence_bounds(text, start, end)
    left = _words(text[sentence_start:start])[-_WINDOW_LEFT:]
    for index in range(len(left) - 1, -1, -1):
        found = _cue(left, index)
        if found:
            return found
    right = _words(text[end:sentence_end])[:_WINDOW_RIGHT]
    for index in range(len(right)):
        found = _cue(right, index)
        if found:
            return found
    return None
