"""Every list is cut into pages of at most 100 items by a cursor: a reader (or a crawler)
following the `next` links sees every item once, in order, and `prev` leads back; the links
are in the Link header, the HTML and the JSON; a bad parameter is a 4xx problem, never a 500.
Stories are projected into the read model of a running service, pages read over HTTP."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from render_test_support import synthetic_story

pytestmark = pytest.mark.integration

STORIES = 230
POPULAR = "person/ada-lovelace"


def _ids(html: str) -> list[str]:
    return re.findall(r'<li class="(?:story-card|entity-article)" data-article-id="([^"]+)"', html)


def _link(response: httpx.Response, rel: str) -> str | None:
    link = response.links.get(rel)
    return str(link["url"]) if link else None


async def _walk(client: httpx.AsyncClient, path: str, rel: str = "next") -> list[httpx.Response]:
    pages = [await client.get(path)]
    while (url := _link(pages[-1], rel)) is not None:
        assert len(pages) < 100, "the links go round in a circle"
        pages.append(await client.get(url))
    return pages


@pytest.fixture
async def archive(render_service: Any, seed: Any) -> list[str]:
    """STORIES stories, one a minute, each naming POPULAR; article ids newest first."""
    events = []
    ids = []
    for n in range(STORIES):
        others = [f"place/town-{n % 7}"]
        received, enriched = synthetic_story(
            seed.v1_article,
            n,
            entity_ids=[POPULAR, *others],
            dates=[(f"2021-09-{1 + n % 28:02d}", "day"), ("2021-W40", "week")],
        )
        events += [received, enriched]
        ids.append(received.data.article_id)
    result = await render_service.runtime.projection.project.apply(events)
    assert result.applied == len(events)
    return ids[::-1]


async def test_the_front_page_walks_every_story_once_newest_first(render_service, archive):
    async with httpx.AsyncClient(base_url=render_service.base_url) as client:
        pages = await _walk(client, "/")
        seen = [i for page in pages for i in _ids(page.text)]
        assert seen == archive
        assert all(len(_ids(page.text)) <= 50 for page in pages)
        assert len(pages) == 5
        second = pages[1].text
        assert re.search(r'<link rel="next" href="[^"]+\?after=', second)
        assert re.search(r'<link rel="prev" href="[^"]+\?before=', second)
        assert re.search(r'<a rel="next" href="/\?after=', second)
        # back again by the prev links, from the last page
        back = await _walk(client, str(pages[-1].url), "prev")
        assert [i for page in reversed(back) for i in _ids(page.text)] == archive
        assert _link(pages[0], "prev") is None


async def test_the_articles_api_pages_carry_links_in_json_and_header(render_service, archive):
    async with httpx.AsyncClient(base_url=render_service.base_url) as client:
        pages = await _walk(client, "/api/articles?per_page=100")
        documents = [page.json() for page in pages]
        assert [len(d["items"]) for d in documents] == [100, 100, 30]
        assert [item["article_id"] for d in documents for item in d["items"]] == archive
        for page, document in zip(pages, documents, strict=True):
            nxt = document["links"]["next"]
            assert (nxt is None) == (_link(page, "next") is None)
            if nxt:
                assert str(_link(page, "next")).endswith(nxt)
        assert documents[1]["links"]["prev"] is not None


async def test_entity_lists_and_pages_are_cut_too(render_service, archive):
    async with httpx.AsyncClient(base_url=render_service.base_url) as client:
        entities = await _walk(client, "/api/entities?per_page=3")
        listed = [item["id"] for page in entities for item in page.json()["items"]]
        assert listed == sorted([POPULAR] + [f"place/town-{i}" for i in range(7)])
        popular = next(
            item for page in entities for item in page.json()["items"] if item["id"] == POPULAR
        )
        assert popular["articles"] == STORIES

        documents = await _walk(client, f"/api/entities/{POPULAR}?per_page=100")
        assert [a["article_id"] for d in documents for a in d.json()["articles"]] == archive
        assert all(d.json()["total_articles"] == STORIES for d in documents)

        html = await _walk(client, f"/entities/{POPULAR}")
        assert [i for page in html for i in _ids(page.text)] == archive
        assert all(len(_ids(page.text)) <= 50 for page in html)
        assert f"{STORIES} stories" in html[0].text


async def test_the_timeline_is_read_by_period_and_in_the_order_of_periods(render_service, archive):
    async with httpx.AsyncClient(base_url=render_service.base_url) as client:
        september = await _walk(client, "/timeline/2021/09")
        values = [v for page in september for v in re.findall(r'data-value="([^"]+)"', page.text)]
        assert len(values) == STORIES  # one dated entry of each story falls in September
        assert values == sorted(values)
        october = await client.get("/timeline/2021/10")
        weeks = re.findall(r'data-value="([^"]+)"', october.text)
        assert weeks == ["2021-W40"] * 100  # week 40 of 2021 starts on 4 October
        assert _link(october, "next") is not None
        assert 'href="/timeline/2021/09"' in october.text  # the month before
        whole = await _walk(client, "/timeline")
        assert sum(len(re.findall(r"data-value=", page.text)) for page in whole) == 2 * STORIES


@pytest.mark.parametrize(
    "query",
    [
        "per_page=0",
        "per_page=101",
        "per_page=99999999999999999999999",
        "after=not*a*cursor",
        "after=bm90LWEtY3Vyc29y",
        "after=WyJ4Il0&before=WyJ4Il0",
        "after=" + "A" * 600,
    ],
)
@pytest.mark.parametrize("path", ["/", "/api/articles", "/api/entities", "/timeline"])
async def test_bad_page_parameters_are_4xx_problems(render_service, path, query):
    async with httpx.AsyncClient(base_url=render_service.base_url) as client:
        response = await client.get(f"{path}?{query}")
        assert response.status_code in (400, 422)
        assert response.headers["content-type"].startswith("application/problem+json")


async def test_timeline_periods_out_of_range_are_4xx(render_service):
    async with httpx.AsyncClient(base_url=render_service.base_url) as client:
        for path in ["/timeline/0", "/timeline/2021/13", "/timeline/99999999999999999999"]:
            response = await client.get(path)
            assert response.status_code == 422, path
