"""`newsroom enrich`: what an editor or an evaluator runs, with no service up."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

NEWSROOM = str(Path(sys.executable).with_name("newsroom"))


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [NEWSROOM, "enrich", *args], input=stdin, capture_output=True, text=True, timeout=300
    )


def test_wire_item_is_enriched_against_its_own_dateline(corpus_dir: Path) -> None:
    result = run(str(corpus_dir / "seed" / "space-race-2.v1.ninjs.json"))
    assert result.returncode == 0, result.stderr
    story = json.loads(result.stdout)
    assert story["dateline"] == "2021-09-20"
    ids = {entity["id"] for entity in story["canonical_entities"]}
    assert {"person/yulia-peresild", "person/klim-shipenko", "organisation/roscosmos"} <= ids
    values = {entry["value"] for entry in story["timeline"]}
    assert values == {"2021-10-05", "2021-10", "2021-09-16", "2021", "2017"}


def test_plain_text_needs_a_dateline_and_offsets_index_the_text(tmp_path: Path) -> None:
    text = "Angela Merkel met Emmanuel Macron in Paris on Monday. Merkel left on Tuesday."
    path = tmp_path / "note.txt"
    path.write_text(text)
    assert run(str(path)).returncode == 2
    result = run("--dateline", "2019-03-20", str(path))
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    for mention in found["entities"] + found["timexes"]:
        assert text[mention["start"] : mention["end"]] == mention["text"]
    assert {"2019-03-18", "2019-03-19"} <= {t["value"] for t in found["timexes"]}


def test_jsonl_writes_one_line_per_document_in_order() -> None:
    docs = [
        {"id": "a", "text": "Airbus delivered its first A380 in 2007.", "dateline": "2008-01-02"},
        {
            "id": "b",
            "text": "Apple said on Tuesday it sold a million iPhones.",
            "dateline": "2007-07-05",
        },
    ]
    result = run("--jsonl", stdin="".join(json.dumps(d) + "\n" for d in docs))
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["id"] for line in lines] == ["a", "b"]
    assert any(t["value"] == "2007" for t in lines[0]["timexes"])
    assert any(t["value"] == "2007-07-03" for t in lines[1]["timexes"])


def test_a_wire_item_is_read_in_its_own_language_unless_one_is_asked_for(
    corpus_dir: Path,
) -> None:
    item = str(corpus_dir / "newsml-g2" / "dpa.xml")  # dpa: German, no entity model
    own = run(item)
    assert own.returncode == 0, own.stderr
    german = json.loads(own.stdout)
    assert (german["language"], german["language_source"], german["ner"]) == ("de", "wire", False)
    assert all(e["origin"] == "wire" for e in german["canonical_entities"])

    asked = run("--language", "en", item)
    assert asked.returncode == 0, asked.stderr
    english = json.loads(asked.stdout)
    assert (english["language"], english["language_source"], english["ner"]) == (
        "en",
        "requested",
        True,
    )


def test_a_language_that_is_no_language_tag_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_text("Angela Merkel met Emmanuel Macron in Paris on Monday.")
    result = run("--language", "not a language", "--dateline", "2019-03-20", str(path))
    assert result.returncode == 2
    assert "--language" in result.stderr
