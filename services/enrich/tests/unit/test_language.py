"""Which language an article is read in: the wire's, checked against the text."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsroom.enrich.adapters.language_id import language_identifier
from newsroom.enrich.domain.language import (
    LanguageChoice,
    LanguageScores,
    choose_language,
    primary_language,
)
from newsroom.ingest.domain.formats import parse_wire_items

LONG = 400


@pytest.mark.parametrize(
    ("tag", "primary"),
    [("fi-FI", "fi"), ("en_US", "en"), ("no", "nb"), ("NB", "nb"), ("deu", "de"), ("", None),
     ("x-klingon-1", None), (None, None)],
)  # fmt: skip
def test_primary_language_of_a_tag(tag: str | None, primary: str | None) -> None:
    assert primary_language(tag) == primary


def test_the_wire_declares_and_the_text_agrees() -> None:
    scores = LanguageScores([("de", 0.99), ("nl", 0.01)])
    assert choose_language("de", scores, LONG) == LanguageChoice("de", "wire")


def test_a_close_language_does_not_overrule_the_wire() -> None:
    # Bokmål text that the identifier calls Danish with some doubt stays Norwegian.
    scores = LanguageScores([("da", 0.9), ("no", 0.08)])
    assert choose_language("nb", scores, LONG) == LanguageChoice("nb", "wire")


def test_long_text_in_another_language_overrules_a_wrong_label() -> None:
    scores = LanguageScores([("en", 0.999), ("it", 0.0001)])
    assert choose_language("it-IT", scores, LONG) == LanguageChoice("en", "detected")


def test_short_text_never_overrules_the_wire() -> None:
    scores = LanguageScores([("en", 0.999), ("fr", 0.0001)])
    assert choose_language("fr", scores, 40) == LanguageChoice("fr", "wire")


def test_a_requested_language_is_not_second_guessed() -> None:
    scores = LanguageScores([("en", 1.0)])
    assert choose_language("fr", scores, LONG, requested=True) == LanguageChoice("fr", "requested")


def test_no_declared_language_takes_a_sure_identification_else_the_default() -> None:
    assert choose_language(None, LanguageScores([("fi", 0.97)]), LONG) == LanguageChoice(
        "fi", "detected"
    )
    assert choose_language(None, LanguageScores([("af", 0.6)]), 60) == LanguageChoice(
        "en", "default"
    )
    assert choose_language(None, None, 0) == LanguageChoice("en", "default")


@pytest.mark.parametrize(
    ("name", "language", "source"),
    [
        ("newsml-g2/dpa.xml", "de", "wire"),
        ("newsml-g2/stt1.xml", "fi", "wire"),
        ("newsml-g2/TT_newsmlg2_sample.xml", "sv", "wire"),
        # ANSA's English service labels English copy "it".
        ("newsml-g2/ansa-newsmlg2-text.xml", "en", "detected"),
        # NRK's feed declares nothing; two lines of Bokmål.
        ("rss-atom/nrk-rss.xml", "nb", "detected"),
        # PA's NITF declares nothing.
        ("nitf/pa3.xml", "en", "detected"),
        # Labelled French, three words of English: too little text to overrule the wire.
        ("ninjs/ninjs1.json", "fr", "wire"),
    ],
)
def test_corpus_items_are_read_in_their_language(
    corpus_dir: Path, name: str, language: str, source: str
) -> None:
    article = parse_wire_items(
        (corpus_dir / name).read_bytes(), None, source="t", default_timezone="UTC"
    )[0]
    text = "\n".join(t for t in (article.headline, article.standfirst, article.body_text) if t)
    choice = choose_language(article.language, language_identifier().scores(text), len(text))
    assert choice == LanguageChoice(language, source)  # type: ignore[arg-type]
