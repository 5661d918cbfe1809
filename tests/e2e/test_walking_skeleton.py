"""A signed wire item becomes a served page: ingest → Redis → enrich → render, run by `newsroom up`."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import httpx
import pytest

from support.system import RunningSystem, poll

pytestmark = pytest.mark.e2e


def test_seed_story_is_posted_enriched_and_served(system: RunningSystem, corpus_dir: Path) -> None:
    seed = corpus_dir / "seed" / "space-race-2.v1.ninjs.json"
    sent = system.send(seed)
    assert sent.returncode == 0, sent.stdout + sent.stderr
    assert sent.stdout.startswith("202 ")
    page_url = next(word for word in sent.stdout.split() if word.startswith(system.render_url))

    page = poll(lambda: httpx.get(page_url, timeout=5), lambda r: r.status_code == 200)
    assert "text/html" in page.headers["content-type"]
    assert "Space Race 2" in page.text
    assert "Yulia Peresild" in page.text  # from the body

    again = system.send(seed)  # the same item again is a duplicate, not a new version
    assert again.stdout.startswith("200 "), again.stdout


def test_api_lists_entities_of_the_seed_story(system: RunningSystem, corpus_dir: Path) -> None:
    seed = corpus_dir / "seed" / "space-race-2.v1.ninjs.json"
    body = seed.read_bytes()
    from newsroom.cli.local_sources import secret_for
    from newsroom.ingest.domain.signatures import sign_standard_webhook

    secret = secret_for(system.var_dir, "demo")
    assert secret is not None
    headers = sign_standard_webhook(secret, "msg_e2e_api", int(time.time()), body)
    headers["content-type"] = "application/json"
    answer = httpx.post(f"{system.ingest_url}/v1/sources/demo/items", content=body, headers=headers)
    assert answer.status_code == 202, answer.text
    accepted = answer.json()
    assert accepted["links"]["api"] == f"{system.render_url}/api/articles/{accepted['article_id']}"

    article = poll(
        lambda: httpx.get(accepted["links"]["api"], timeout=5),
        lambda r: r.status_code == 200 and r.json().get("entities"),
    ).json()
    assert article["headline"].startswith("Space Race 2")
    assert article["version"] == accepted["version"]
    names = {entity["name"] for entity in article["entities"]}
    assert {"Yulia Peresild", "Klim Shipenko", "NASA"} <= names


def test_ctrl_c_stops_every_process(system: RunningSystem) -> None:
    pids = system.service_pids()
    assert set(pids) == {"ingest", "enrich", "enrich-2", "render"}
    system.process.send_signal(signal.SIGINT)
    system.process.wait(timeout=30)

    def alive(pid: int) -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True

    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in pids.values()) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [name for name, pid in pids.items() if alive(pid)]
    for url in (system.ingest_url, system.render_url):
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{url}/healthz", timeout=2)
