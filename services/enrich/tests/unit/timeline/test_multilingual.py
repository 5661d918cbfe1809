"""Timelines in the wire's language: calendar expressions read in German, French, Spanish,
Italian, Dutch, Swedish, Norwegian, Danish and Finnish, relative ones against the dateline.

The expected values were written by reading each text (the corpus items' and the sentences
below) with a calendar, not by running the code. Every language has at least five
expressions, among them some that must not be dates."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from newsroom.enrich.domain.timeline import Timex, find_timexes
from newsroom.ingest.domain.formats import parse_wire_items

THURSDAY = date(2024, 3, 14)  # ISO week 2024-W11


def found(text: str, dateline: date, language: str) -> dict[str, str]:
    return {t.text: t.value for t in find_timexes(text, dateline, language=language)}


def corpus_body(corpus_dir: Path, name: str, timezone: str = "UTC") -> tuple[str, date]:
    article = parse_wire_items(
        (corpus_dir / name).read_bytes(), None, source="t", default_timezone=timezone
    )[0]
    return "\n".join([article.headline, article.body_text]), article.reference_time.date()


# (language, text, dateline, expected {surface: value}, surfaces that must not be dates)
WRITTEN = [
    (
        "de",
        "Gestern sagte der Minister, der Vertrag vom 3. Oktober 2023 gelte weiter. Nächste "
        "Woche trifft er seine Amtskollegen, im Mai folgt der Gipfel. Am Morgen kostete das "
        "Ticket 2000 Euro, und beim 2:1 jubelten die Fans.",
        THURSDAY,
        {
            "Gestern": "2024-03-13",
            "3. Oktober 2023": "2023-10-03",
            "Nächste Woche": "2024-W12",
            "Mai": "2024-05",
        },
        ["Morgen", "2000", "2:1"],
    ),
    (
        "fr",
        "Le ministre a déclaré hier que le sommet aura lieu le 21 mars 2024 à Bruxelles. La "
        "semaine prochaine, il rencontrera ses homologues, puis lundi la presse; en mai, le "
        "budget. En 2019 déjà, la mission vers Mars avait été reportée.",
        THURSDAY,
        {
            "hier": "2024-03-13",
            "21 mars 2024": "2024-03-21",
            "La semaine prochaine": "2024-W12",
            "lundi": "2024-03-11",
            "mai": "2024-05",
            "2019": "2019",
        },
        ["Mars"],
    ),
    (
        "es",
        "El acuerdo firmado el 5 de abril de 2023 entra en vigor la próxima semana, dijo ayer el "
        "ministro. En marzo de 2022 ya lo había anunciado; el martes se reunió con el delantero "
        "Mayo, que marcó en la temporada 2018/19.",
        THURSDAY,
        {
            "5 de abril de 2023": "2023-04-05",
            "la próxima semana": "2024-W12",
            "ayer": "2024-03-13",
            "marzo de 2022": "2022-03",
            "martes": "2024-03-12",
        },
        ["Mayo", "2018/19", "2018"],
    ),
    (
        "it",
        "Il decreto del 12 maggio 2023 sarà discusso la settimana prossima, ha detto ieri il "
        "ministro. A giugno arriva il voto; domenica l'attaccante Maggio ha segnato il 3-1, come "
        "nel 2020.",
        THURSDAY,
        {
            "12 maggio 2023": "2023-05-12",
            "settimana prossima": "2024-W12",
            "ieri": "2024-03-13",
            "giugno": "2024-06",
            "domenica": "2024-03-17",
            "2020": "2020",
        },
        ["Maggio", "3-1"],
    ),
    (
        "nl",
        "Het kabinet besloot op 2 februari 2024 tot nieuwe regels, zei de minister gisteren. "
        "Volgende week stemt de Kamer, in april volgt de Senaat. Vorig jaar zong zangeres April "
        "al over de 2:1 van Ajax.",
        THURSDAY,
        {
            "2 februari 2024": "2024-02-02",
            "gisteren": "2024-03-13",
            "Volgende week": "2024-W12",
            "april": "2024-04",
            "Vorig jaar": "2023",
        },
        ["April", "2:1"],
    ),
    (
        "sv",
        "Avtalet från den 3 maj 2023 gäller, sade ministern i går. Förra veckan träffade hon "
        "kollegerna och i fjol reformen; Jan Andersson, 77-årige, läser den elfte boken.",
        THURSDAY,
        {
            "3 maj 2023": "2023-05-03",
            "i går": "2024-03-13",
            "Förra veckan": "2024-W10",
            "i fjol": "2023",
        },
        ["Jan", "77", "elfte"],
    ),
    (
        "nb",
        "Avtalen fra 17. mai 2023 gjelder, sa ministeren i går. Neste uke møter hun kollegene, "
        "mandag kl. 14.00 pressen. I fjor vant Mai Hansen 2:1.",
        THURSDAY,
        {
            "17. mai 2023": "2023-05-17",
            "i går": "2024-03-13",
            "Neste uke": "2024-W12",
            "mandag": "2024-03-11",
            "kl. 14.00": "2024-03-11T14:00",
            "I fjor": "2023",
        },
        ["Mai", "2:1"],
    ),
    (
        "da",
        "Aftalen fra den 5. juni 2023 gælder, sagde ministeren i går. Næste uge mødes de, og "
        "fredag taler Juni Jensen; sidste år endte det 3-1.",
        THURSDAY,
        {
            "5. juni 2023": "2023-06-05",
            "i går": "2024-03-13",
            "Næste uge": "2024-W12",
            "fredag": "2024-03-15",
            "sidste år": "2023",
        },
        ["Juni", "3-1"],
    ),
    (
        "fi",
        "Ministeri kertoi eilen, että sopimus allekirjoitettiin 15. huhtikuuta 2023. Ensi "
        "viikolla hän tapaa kollegansa; tammikuussa ja vuonna 2020 asia oli esillä. Yhtiö osti "
        "59 miljoonalla eurolla.",
        THURSDAY,
        {
            "eilen": "2024-03-13",
            "15. huhtikuuta 2023": "2023-04-15",
            "Ensi viikolla": "2024-W12",
            "tammikuussa": "2024-01",
            "2020": "2020",
        },
        ["59"],
    ),
]


@pytest.mark.parametrize(
    ("language", "text", "dateline", "expected", "not_dates"),
    WRITTEN,
    ids=[case[0] for case in WRITTEN],
)
def test_calendar_expressions_in_the_language(
    language: str, text: str, dateline: date, expected: dict[str, str], not_dates: list[str]
) -> None:
    timexes = found(text, dateline, language)
    assert timexes == expected
    for surface in not_dates:
        assert not any(surface in t for t in timexes), surface


def test_dpa_german_story(corpus_dir: Path) -> None:
    """dpa, Tuesday 11 October 2022: the match is on Wednesday evening at 21.00."""
    text, dateline = corpus_body(corpus_dir, "newsml-g2/dpa.xml")
    assert dateline == date(2022, 10, 11)
    timexes = found(text, dateline, "de")
    assert timexes == {
        "2019": "2019",
        "2022": "2022",
        "Mittwochabend": "2022-10-12",
        "21.00 Uhr": "2022-10-12T21:00",
        "April": "2022-04",  # "Ende April": the semi-final in London last spring
    }
    # A season, two scores, "a week later" (after an event, not the dateline), "in recent years".
    for surface in ("2018/19", "1:1", "2:1", "eine Woche später", "vergangenen Jahren"):
        assert not any(surface in t or t in surface for t in timexes if len(t) > 4), surface


def test_stt_finnish_story(corpus_dir: Path) -> None:
    """STT, Monday 15 April 2019: he starts "by mid-October at the latest"."""
    text, dateline = corpus_body(corpus_dir, "newsml-g2/stt1.xml", "Europe/Helsinki")
    assert dateline == date(2019, 4, 15)
    timexes = found(text, dateline, "fi")
    assert timexes == {"lokakuun": "2019-10"}
    for not_a_date in ("tällä hetkellä", "59", "viimeistään"):
        assert not any(not_a_date in t for t in timexes)


def test_tt_swedish_story(corpus_dir: Path) -> None:
    """TT, Sunday 19 September 2021: the book comes out "in January next year"."""
    text, dateline = corpus_body(corpus_dir, "newsml-g2/TT_newsmlg2_sample.xml")
    assert dateline == date(2021, 9, 19)
    timexes = found(text, dateline, "sv")
    assert timexes == {"januari nästa år": "2022-01"}
    # "Jan" Guillou, the 77-year-old, the eleventh book, "just nu" (right now).
    assert not {"Jan", "77", "elfte", "nu"} & set(timexes)


def test_nrk_norwegian_item_names_no_date(corpus_dir: Path) -> None:
    text, dateline = corpus_body(corpus_dir, "rss-atom/nrk-rss.xml")
    assert found(text, dateline, "nb") == {}


def test_ansa_item_labelled_italian_is_english_text(corpus_dir: Path) -> None:
    """ANSA's English service labels its copy "it"; read as English (as enrich does once the
    identifier overrules the label), its dates are the English rules' to find."""
    text, dateline = corpus_body(corpus_dir, "newsml-g2/ansa-newsmlg2-text.xml")
    timexes = {t.text: t.value for t in find_timexes(text, dateline, language="en")}
    assert timexes["October 11"] == "2017-10-11"
    assert timexes["Tuesday"] == "2017-10-10"


def test_a_language_dateparser_does_not_know_gets_no_timeline() -> None:
    assert find_timexes("2019 gab es", THURSDAY, language="zz") == []


def test_clock_times_take_the_day_named_before_them() -> None:
    timexes: list[Timex] = find_timexes(
        "Am Freitag um 18.30 Uhr beginnt es.", THURSDAY, language="de"
    )
    assert [(t.text, t.value) for t in timexes] == [
        ("Freitag", "2024-03-15"),
        ("um 18.30 Uhr", "2024-03-15T18:30"),
    ]
