"""The sentence around an offset (entity pages show the sentence an entity is named in)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from newsroom.render.domain.text import sentence_at, sentences

TEXT = 'Russia gets the go-ahead. Filming begins "on October 5." Who flies?  Nobody knows'


def test_each_offset_gives_the_sentence_it_falls_in():
    assert sentence_at(TEXT, 0) == "Russia gets the go-ahead."
    assert sentence_at(TEXT, TEXT.index("Filming")) == 'Filming begins "on October 5."'
    assert sentence_at(TEXT, TEXT.index("October")) == 'Filming begins "on October 5."'
    assert sentence_at(TEXT, TEXT.index("flies")) == "Who flies?"
    assert sentence_at(TEXT, len(TEXT) - 1) == "Nobody knows"
    # The space after a sentence still belongs to it.
    assert sentence_at(TEXT, TEXT.index(" Filming")) == "Russia gets the go-ahead."


def test_texts_asked_in_turn_answer_for_themselves():
    other = "A first one. A second one."
    assert sentence_at(other, 0) == "A first one."
    assert sentence_at(TEXT, 0) == "Russia gets the go-ahead."
    assert sentence_at(other, len(other) - 1) == "A second one."


@given(
    text=st.text(alphabet=st.sampled_from(list("ab .!?\"')\n")), max_size=60),
    offset=st.integers(-2, 64),
)
def test_the_answer_is_one_of_the_sentences_and_holds_the_offset(text, offset):
    found = sentence_at(text, offset)
    assert found == "" or found in sentences(text)
    if 0 <= offset < len(text) and not text[offset].isspace():
        assert text[offset] in found
