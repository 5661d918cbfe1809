"""Pages by the book, checked by the standard tools on real content: axe-core in real Chromium
finds no accessibility violation, and the Nu Html Checker (vnu.jar) finds no HTML error."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import sync_playwright

from support.browser import (
    AXE_SCRIPT,
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    PHONE,
    VNU_JAR,
    installed,
)
from support.published import Published, publish_seed_and_corpus
from support.system import RunningSystem

pytestmark = pytest.mark.e2e

ENTITY = "/entities/person/yulia-peresild"  # named by the seed story


def reader_pages(system: RunningSystem, published: Published) -> dict[str, str]:
    """The pages issue 9 names, by what they are: front, an article, an entity, the timeline."""
    return {
        "front": f"{system.render_url}/",
        "article": published.seed_page,
        "entity": f"{system.render_url}{ENTITY}",
        "timeline": f"{system.render_url}/timeline",
    }


def test_axe_finds_no_accessibility_violation(system: RunningSystem, corpus_dir: Path) -> None:
    published = publish_seed_and_corpus(system, corpus_dir)
    axe = installed(AXE_SCRIPT)
    findings: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for screen, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
                page = browser.new_page(viewport=viewport)
                for name, url in reader_pages(system, published).items():
                    response = page.goto(url)
                    assert response is not None, (name, url)
                    assert response.ok, (name, url, response.status)
                    page.add_script_tag(path=str(axe))
                    # axe's default rule set: WCAG 2.x A/AA and best practices.
                    results: dict[str, Any] = page.evaluate("() => axe.run()")
                    findings += [
                        f"{name} ({screen}) {url}: {violation['id']} [{violation['impact']}] "
                        f"{json.dumps([node['target'] for node in violation['nodes']])} "
                        f"— {violation['help']}"
                        for violation in results["violations"]
                    ]
                page.close()
        finally:
            browser.close()
    assert not findings, "axe-core violations:\n" + "\n".join(findings)


def test_nu_html_checker_finds_no_error(
    system: RunningSystem, corpus_dir: Path, tmp_path: Path
) -> None:
    """Every page a reader or crawler can reach, error pages included, as served."""
    published = publish_seed_and_corpus(system, corpus_dir)
    java = shutil.which("java")
    assert java, "java is missing: run scripts/setup --test (installs a headless JRE)"
    vnu = installed(VNU_JAR)
    documents = served_html(system, published)
    errors = nu_html_errors(java, vnu, documents, tmp_path)
    assert not errors, f"Nu Html Checker errors on {len(documents)} pages:\n" + "\n".join(errors)


def nu_html_errors(java: str, vnu: Path, documents: dict[str, bytes], workdir: Path) -> list[str]:
    """What vnu.jar reports as errors in `documents` (URL → HTML), one line each, by page URL."""
    url_of: dict[str, str] = {}  # file name → the page's URL
    for index, (url, body) in enumerate(documents.items()):
        path = workdir / f"page-{index:03d}.html"
        path.write_bytes(body)
        url_of[path.name] = url
    checked = subprocess.run(
        [java, "-jar", str(vnu), "--format", "json", "--stdout", *sorted(workdir.glob("*.html"))],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert checked.stdout.strip(), f"vnu.jar printed no report: {checked.stderr}"
    return [
        f"{url_of.get(message.get('url', '').rsplit('/', 1)[-1], message.get('url'))}"
        f" line {message.get('lastLine')}: {message['message']}"
        f" — {message.get('extract', '').strip()!r}"
        for message in json.loads(checked.stdout)["messages"]
        # "error", or "non-document-error" when vnu could not read a file; "info" are warnings.
        if message["type"] != "info"
    ]


def served_html(system: RunningSystem, published: Published) -> dict[str, bytes]:
    """URL → HTML as render serves it to a browser: front, timeline, every visible story,
    every entity page, and the error pages (404, 405, 410)."""
    browser = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    with httpx.Client(base_url=system.render_url, headers=browser, timeout=10) as client:
        entities: list[dict[str, Any]] = []
        following: str | None = "/api/entities?per_page=100"
        while following is not None:  # every page of the list, by its next links
            document = client.get(following).json()
            entities += document["items"]
            following = document["links"]["next"]
        urls = [
            f"{system.render_url}/",
            f"{system.render_url}/timeline",
            *published.pages,
            *(f"{system.render_url}{item['links']['page']}" for item in entities),
        ]
        documents: dict[str, bytes] = {}
        for url in urls:
            answer = client.get(url)
            assert answer.status_code == 200, (url, answer.status_code)
            documents[url] = answer.content
        errors = [
            ("GET", f"{system.render_url}/no-such-page", 404),
            ("GET", f"{system.render_url}/articles/no-such-story", 404),
            ("GET", f"{system.render_url}/entities/person/no-such-person", 404),
            ("POST", f"{system.render_url}/", 405),
            ("GET", published.withdrawn_page, 410),
        ]
        for method, url, status in errors:
            answer = client.request(method, url)
            assert answer.status_code == status, (method, url, answer.status_code)
            assert answer.headers["content-type"].startswith("text/html"), (url, answer.headers)
            documents[f"{method} {url} ({status})"] = answer.content
    return documents
