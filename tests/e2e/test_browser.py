"""A reader in real headless Chromium: front page → the seed story → an entity page."""

from __future__ import annotations

import os
import time
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import sync_playwright

from support.browser import CHROMIUM, CHROMIUM_ARGS, PHONE
from support.system import RunningSystem

pytestmark = pytest.mark.e2e

ARTIFACTS = Path(os.environ.get("NEWSROOM_TEST_ARTIFACTS", "test-artifacts"))


def test_reader_follows_the_story_to_an_entity_page(
    system: RunningSystem, corpus_dir: Path
) -> None:
    sent = system.send(corpus_dir / "seed" / "space-race-2.v1.ninjs.json")
    assert sent.stdout.startswith("202 "), sent.stdout
    page_url = next(w for w in sent.stdout.split() if w.startswith(system.render_url))
    # Wait until the enriched version is projected, so the body links its entities.
    deadline = time.monotonic() + 60
    while "/entities/person/yulia-peresild" not in httpx.get(page_url, timeout=5).text:
        assert time.monotonic() < deadline, "the story was never shown with entity links"
        time.sleep(0.3)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=PHONE)
            page.goto(system.render_url + "/")
            page.screenshot(path=str(ARTIFACTS / "1-front-page.png"), full_page=True)
            page.get_by_role("link", name="Space Race 2").first.click()
            page.wait_for_url("**/articles/**")
            assert "Space Race 2" in page.title()
            page.screenshot(path=str(ARTIFACTS / "2-article.png"), full_page=True)

            page.get_by_role("link", name="Yulia Peresild").first.click()
            page.wait_for_url("**/entities/person/yulia-peresild")
            page.screenshot(path=str(ARTIFACTS / "3-entity.png"), full_page=True)
            heading = page.get_by_role("heading", level=1)
            assert "Yulia Peresild" in heading.inner_text()
            assert page.get_by_role("link", name="Space Race 2").count() >= 1
        finally:
            browser.close()
