"""A story's life as readers see it: first version, correction, kill; and an embargoed copy."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from newsroom.shared.ids import article_id
from support.system import RunningSystem, poll

pytestmark = pytest.mark.e2e

PERESILD = "/entities/person/yulia-peresild"
ROSCOSMOS = "/entities/organisation/roscosmos"


def get(system: RunningSystem, path: str) -> httpx.Response:
    return httpx.get(f"{system.render_url}{path}", timeout=5)


def page_url_of(sent_stdout: str, system: RunningSystem) -> str:
    return next(word for word in sent_stdout.split() if word.startswith(system.render_url))


def test_first_version_then_correction_then_kill(system: RunningSystem, corpus_dir: Path) -> None:
    seed = corpus_dir / "seed"
    first = system.send(seed / "space-race-2.v1.ninjs.json")
    assert first.stdout.startswith("202 "), first.stdout
    url = page_url_of(first.stdout, system)
    slug_path = url.removeprefix(system.render_url)

    page = poll(lambda: httpx.get(url, timeout=5), lambda r: r.status_code == 200)
    assert "Baikonur" not in page.text
    assert "Corrected" not in page.text
    for entity_page in (PERESILD, ROSCOSMOS):
        listed = poll(lambda p=entity_page: get(system, p), lambda r: slug_path in r.text)
        assert listed.status_code == 200

    correction = system.send(seed / "space-race-2.v2.ninjs.json")
    assert correction.stdout.startswith("202 "), correction.stdout
    page = poll(lambda: httpx.get(url, timeout=5), lambda r: "Baikonur" in r.text)
    assert "Corrected" in page.text
    assert "Corrects to add the launch site." in page.text  # the editor's note

    kill = system.send(seed / "space-race-2.v3-kill.ninjs.json")
    assert kill.stdout.startswith("202 "), kill.stdout
    browser = {"accept": "text/html"}
    gone = poll(lambda: httpx.get(url, headers=browser, timeout=5), lambda r: r.status_code == 410)
    assert "This story has been withdrawn" in gone.text
    assert "go ahead to shoot the first film" not in gone.text  # nothing of the story is left
    for path in (PERESILD, ROSCOSMOS, "/", "/feed.atom", "/timeline", "/sitemap.xml"):
        assert slug_path not in get(system, path).text, path


def test_embargoed_copy_is_visible_nowhere(system: RunningSystem, corpus_dir: Path) -> None:
    sent = system.send(corpus_dir / "seed" / "space-race-2.embargoed.ninjs.json")
    assert sent.stdout.startswith("202 "), sent.stdout
    url = page_url_of(sent.stdout, system)
    slug_path = url.removeprefix(system.render_url)
    # Something unrelated that is visible, so we know render has caught up with the stream.
    control = system.send(corpus_dir / "seed" / "space-race-2.v1.ninjs.json")
    control_url = page_url_of(control.stdout, system)
    poll(lambda: httpx.get(control_url, timeout=5), lambda r: r.status_code == 200)
    poll(
        lambda: get(system, PERESILD),
        lambda r: control_url.removeprefix(system.render_url) in r.text,
    )

    assert httpx.get(url, timeout=5).status_code == 404
    hidden_id = article_id("demo", "urn:newsroom:example:space-race-2-embargoed")
    assert get(system, f"/api/articles/{hidden_id}").status_code == 404
    for path in (PERESILD, ROSCOSMOS, "/", "/feed.atom", "/timeline", "/sitemap.xml"):
        assert slug_path not in get(system, path).text, path
    for path in ("/api/articles", "/api/entities/person/yulia-peresild"):
        assert hidden_id not in get(system, path).text, path
