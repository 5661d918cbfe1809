"""What readers saw wrong, fixed: the front page shows the time it is ordered by; the
timeline reads in the order of the periods it names (a week before the days after its
Monday, not after them as a string); TIMEX values are written as text."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest

from render_test_support import synthetic_story

pytestmark = pytest.mark.integration


async def test_the_front_page_shows_the_time_it_is_ordered_by(render_service, seed):
    # The older story was revised after the newer one was published.
    older = synthetic_story(seed.v1_article, 0, revised_after=timedelta(hours=10))
    newer = synthetic_story(seed.v1_article, 60)
    await render_service.runtime.projection.project.apply([*older, *newer])
    async with httpx.AsyncClient(base_url=render_service.base_url) as client:
        front = (await client.get("/")).text
    ids = re.findall(r'data-article-id="([^"]+)"', front)
    assert ids == [newer[0].data.article_id, older[0].data.article_id]
    shown = re.findall(r'<p class="meta"><time datetime="([^"]+)"', front)
    assert shown == [
        newer[0].data.article.firstcreated.isoformat(),
        older[0].data.article.firstcreated.isoformat(),
    ]
    assert shown == sorted(shown, reverse=True)


async def test_the_timeline_reads_in_the_order_of_periods_in_words(render_service, seed):
    story = synthetic_story(
        seed.v1_article,
        0,
        dates=[("2017-07-03", "day"), ("2017-W26-WE", "week"), ("2017-W26", "week")],
    )
    await render_service.runtime.projection.project.apply(list(story))
    async with httpx.AsyncClient(base_url=render_service.base_url) as client:
        for path in ("/timeline", "/timeline/2017", "/timeline/2017/06", "/timeline/2017/07"):
            page = (await client.get(path)).text
            assert "-W" not in re.sub(r'data-value="[^"]*"', "", page), path
            assert "WE" not in page.replace('-WE"', '"'), path
        whole = (await client.get("/timeline")).text
    values = re.findall(r'data-value="([^"]+)"', whole)
    assert values == ["2017-W26", "2017-W26-WE", "2017-07-03"]
    assert "Week of 26 Jun 2017" in whole
    assert "Weekend of 1 Jul 2017" in whole
