"""A field longer than the model should read at once, cut into pieces and put back together.

spaCy refuses a text over its `max_length` (1,000,000 characters), and its memory grows with
the length of the documents in a batch, so a story of any length is read in pieces of at most
`PIECE_CHARS`: cut at the last paragraph break before the limit, else the last sentence end,
else the last space (a hard cut only inside one 'word' that long). A name or a sentence never
runs across a paragraph break (the pipeline ends sentences at line breaks anyway), so the
pieces' readings, their offsets moved back into the field, are the field's reading."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

# About 800 words: most news stories are one piece. The model's memory grows with the
# characters in a batch (measured on 1 MB of news, batches of 16: pieces of 20,000 characters
# peak at 1.25 GB, of 5,000 at 410 MB), so this bounds a worker whatever the story's length.
# The cut is nearly free: on 200,000 characters read whole and in pieces, 10 of 5,252 entity
# spans differ, all at a piece's edge (the model sees a few tokens of context either side).
PIECE_CHARS: Final = 5_000
_PARAGRAPH = re.compile(r"\n\s*\n")
_LINE = re.compile(r"\n")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)\]]*\s")
_SPACE = re.compile(r"\s")


# What is read of one field at most: about 170,000 words, two hundred pieces, a hundred times
# an ordinary story. The whole of a 9 MB body took 19 minutes on this 2-core machine under
# load (a worker's batch blocked that long, and the entry reclaimed by the other worker after
# its idle time and read twice); its first million characters, about a minute. The event
# keeps only the first mentions of each entity anyway; what is lost past this point is the
# count of later mentions and entities named only there.
READ_CHARS: Final = 1_000_000


def read_part(text: str, limit: int = READ_CHARS) -> str:
    """`text`, or its beginning up to its last paragraph break (else line, sentence, space)
    within `limit` characters: offsets into the part are offsets into the field."""
    if len(text) <= limit:
        return text
    return text[: _cut(text, 0, limit)]


def piece_ranges(text: str, limit: int = PIECE_CHARS) -> list[tuple[int, int]]:
    """(start, end) ranges covering `text` in order, each at most `limit` long."""
    if limit < 1:
        raise ValueError("a piece holds at least one character")
    ranges: list[tuple[int, int]] = []
    start = 0
    while len(text) - start > limit:
        end = _cut(text, start, start + limit)
        ranges.append((start, end))
        start = end
    if start < len(text) or not ranges:
        ranges.append((start, len(text)))
    return ranges


def _cut(text: str, start: int, limit: int) -> int:
    """The end of the piece that starts at `start`: after the last boundary before `limit`,
    preferring paragraphs, then lines, then sentences, then spaces; never an empty piece."""
    window = text[start:limit]
    for boundary in (_PARAGRAPH, _LINE, _SENTENCE_END, _SPACE):
        ends = [match.end() for match in boundary.finditer(window)]
        if ends and ends[-1] > 0:
            return start + ends[-1]
    return limit


def shifted(ranges: Sequence[tuple[int, int]], offset: int) -> list[tuple[int, int]]:
    return [(start + offset, end + offset) for start, end in ranges]
