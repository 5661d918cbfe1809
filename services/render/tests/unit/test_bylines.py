"""Bylines as the wire writes them, read as authors: the page's "By …" and JSON-LD `author`."""

from __future__ import annotations

import pytest

from newsroom.render.domain.bylines import Author, parse_byline


@pytest.mark.parametrize(
    ("byline", "authors", "text"),
    [
        ("By Henning Gloystein", [Author("Henning Gloystein")], "Henning Gloystein"),
        (
            "Paulo Santalucia and Frances d'Emilio",
            [Author("Paulo Santalucia"), Author("Frances d'Emilio")],
            "Paulo Santalucia and Frances d'Emilio",
        ),
        ("Reuters staff", [Author("Reuters", "Organization")], "Reuters staff"),
        (
            "By Benjamin Wright, Press Association",
            [Author("Benjamin Wright", affiliation="Press Association")],
            "Benjamin Wright, Press Association",
        ),
        (
            "By Meredith Jameson, Staff Reporter",
            [Author("Meredith Jameson", job_title="Staff Reporter")],
            "Meredith Jameson, Staff Reporter",
        ),
        ("By Staff Reporter, BusinessDesk", [Author("BusinessDesk", "Organization")], None),
        (
            "By John Smith, Chief Economics Correspondent, Reuters",
            [
                Author(
                    "John Smith", affiliation="Reuters", job_title="Chief Economics Correspondent"
                )
            ],
            "John Smith, Chief Economics Correspondent, Reuters",
        ),
        (
            "Ann Lee, Bo Park and Cy Diaz, AP",
            [Author(n, affiliation="AP") for n in ("Ann Lee", "Bo Park", "Cy Diaz")],
            "Ann Lee, Bo Park and Cy Diaz, AP",
        ),
        ("Jane Doe / AFP", [Author("Jane Doe", affiliation="AFP")], "Jane Doe, AFP"),
        ("A3576/_Maurizio Gambarini", [Author("Maurizio Gambarini")], "Maurizio Gambarini"),
        (
            "Photograph by Pea, available at https://bit.ly/3Najj58",
            [Author("Pea")],
            "Pea",
        ),
        (
            "Reporting by Henning Gloystein; Editing by Tom Hogue",
            [Author("Henning Gloystein")],
            "Henning Gloystein",
        ),
        ("By: Jane Doe & John Roe", [Author("Jane Doe"), Author("John Roe")], None),
        ("Byron Smith", [Author("Byron Smith")], "Byron Smith"),  # "By" only as a word
    ],
)
def test_a_byline_names_one_author_per_person_without_the_by(byline, authors, text):
    parsed = parse_byline(byline)
    assert parsed is not None
    assert list(parsed.authors) == authors
    if text is not None:
        assert parsed.text == text
    assert not parsed.text.lower().startswith("by ")


@pytest.mark.parametrize("byline", [None, "", "By", "By Staff Reporter", "https://example.org"])
def test_a_byline_that_names_nobody_is_none(byline):
    assert parse_byline(byline) is None


def test_a_byline_of_megabytes_names_a_bounded_number_of_bounded_names():
    parsed = parse_byline(
        "By " + " and ".join(f"Writer {chr(65 + i % 26)}x" for i in range(100_000))
    )
    assert parsed is not None
    assert 0 < len(parsed.authors) <= 20
    assert all(len(author.name) <= 200 for author in parsed.authors)
