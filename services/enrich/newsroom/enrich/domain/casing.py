"""Capitals as typography, put back into ordinary case before the model reads a field.

Agencies send headlines and slugs in capitals ("UK BREAK-UP 'NOT INCONCEIVABLE', FIRST MINISTER
WARNS AHEAD OF BREXIT TALKS"); a model trained on ordinary case reads every capitalised word
as a name. A shouted field is given the spelling each word has elsewhere in the article where
it is not at a sentence's start ("UK", "Brexit" from the body), else lower case, with the
first word capitalised. Only the model sees this text: offsets stay valid because every word
keeps its length, and mentions keep the wire's own spelling."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
# Enough letters and words to tell typography from an acronym or a short label.
_MIN_LETTERS = 12
_MIN_WORDS = 3
_UPPER_SHARE = 0.9
_SENTENCE_START = re.compile(r"(?:^|[.!?:]\s+|\n\s*)[\"'“‘«(]*$")


# Typography shows in the first lines; a long text is judged by them (counting is per character).
_SAMPLE = 400


def shouted(text: str) -> bool:
    """Mostly capitals, over enough words that they cannot all be acronyms."""
    sample = text[:_SAMPLE]
    upper, lower = sum(map(str.isupper, sample)), sum(map(str.islower, sample))
    if upper + lower < _MIN_LETTERS or upper < _UPPER_SHARE * (upper + lower):
        return False
    return len(_WORD.findall(sample)) >= _MIN_WORDS


def spellings(texts: Iterable[str]) -> dict[str, str]:
    """Each word's most frequent spelling with a capital, away from a sentence's start."""
    seen: dict[str, Counter[str]] = {}
    for text in texts:
        for match in _WORD.finditer(text):
            word = match.group()
            if word.islower() or _SENTENCE_START.search(
                text[max(0, match.start() - 4) : match.start()]
            ):
                continue
            seen.setdefault(word.casefold(), Counter())[word] += 1
    return {key: counts.most_common(1)[0][0] for key, counts in seen.items()}


def for_model(text: str, known: dict[str, str]) -> str:
    """`text` in ordinary case if it is shouted (see the module doc), else unchanged."""
    if not shouted(text):
        return text
    first = True

    def respell(match: re.Match[str]) -> str:
        nonlocal first
        word = match.group()
        form = known.get(word.casefold()) or word.lower()
        at_start = first or bool(
            _SENTENCE_START.search(text[max(0, match.start() - 4) : match.start()])
        )
        first = False
        if at_start:
            form = form[:1].upper() + form[1:]
        return form if len(form) == len(word) else word

    return _WORD.sub(respell, text)
