"""A field longer than the model reads at once, in pieces: where it is cut."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsroom.enrich.domain.pieces import piece_ranges, read_part


@given(st.text(alphabet=st.sampled_from("ab .\n"), max_size=400), st.integers(1, 60))
def test_pieces_cover_the_text_in_order_each_within_the_limit(text: str, limit: int) -> None:
    ranges = piece_ranges(text, limit)
    assert "".join(text[start:end] for start, end in ranges) == text
    assert all(0 < end - start <= limit for start, end in ranges if text)
    assert [start for start, _ in ranges[1:]] == [end for _, end in ranges[:-1]]


def test_a_piece_ends_at_a_paragraph_rather_than_a_sentence_or_a_word() -> None:
    text = "First paragraph. Still first.\n\nSecond one. It goes on and on."
    [(_, first_end), _] = piece_ranges(text, 50)
    assert text[:first_end] == "First paragraph. Still first.\n\n"


def test_without_a_paragraph_a_piece_ends_at_a_sentence_then_at_a_space() -> None:
    text = "Tom Cruise flew. Yulia Peresild stayed in Moscow for the film."
    assert text[slice(*piece_ranges(text, 30)[0])] == "Tom Cruise flew. "
    words = "Klim Shipenko Yulia Peresild"
    assert words[slice(*piece_ranges(words, 17)[0])] == "Klim Shipenko "
    assert piece_ranges("x" * 25, 10) == [(0, 10), (10, 20), (20, 25)]


def test_a_short_text_is_one_piece() -> None:
    assert piece_ranges("Short story.", 5_000) == [(0, 12)]
    assert piece_ranges("", 5_000) == [(0, 0)]
    with pytest.raises(ValueError, match="at least one character"):
        piece_ranges("text", 0)


def test_a_field_is_read_up_to_a_piece_boundary_within_the_limit() -> None:
    paragraph = "Tom Cruise flew to Moscow. " * 20 + "\n\n"
    text = paragraph * 10
    part = read_part(text, limit=len(paragraph) * 3 + 5)
    assert part == paragraph * 3
    assert read_part("A short story.", limit=100) == "A short story."
