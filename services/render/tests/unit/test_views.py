"""What readers see: version history, notices, JSON-LD, timeline labels and grouping."""

from __future__ import annotations

from newsroom.render.domain.projection import apply
from newsroom.render.domain.text import timex_label
from newsroom.render.domain.views import Publisher, article_page, json_ld
from newsroom.render.entrypoints.rendering import (
    DatedItem,
    article_context,
    render,
    timeline_context,
)
from newsroom.shared.article import Rights

PUBLISHER = Publisher("Example News", "https://news.example/static/logo.svg")


def test_version_history_says_when_each_version_came_and_what_changed(seed):
    v1, v2 = seed.v1(), seed.v2()
    page = article_page(apply(apply(apply(None, v1), v2), seed.enriched(v2)), PUBLISHER)
    first, second = page.versions
    assert (first.label, second.label) == ("First published", "Corrected")
    assert second.ednote == "Corrects to add the launch site."
    assert any("Baikonur Cosmodrome" in sentence for sentence in second.added)
    assert any(
        "scheduled to begin October 5, the green light" in sentence for sentence in second.removed
    )
    assert [n.label for n in page.notices] == ["Corrected"]


def test_article_page_carries_standfirst_picture_credit_and_schema_org(seed):
    v1 = seed.v1()
    page = article_page(apply(apply(None, v1), seed.enriched(v1)), PUBLISHER)
    assert page.standfirst.startswith("A film crew helmed by Klim Shipenko")
    assert page.picture.caption == "International Space Station"
    assert page.picture.credit == "Courtesy of NASA/Roscosmos, via Wikimedia Commons"
    data = json_ld(page, "https://news.example")
    assert data["@type"] == "NewsArticle"
    assert data["url"] == f"https://news.example/articles/{seed.slug}"
    assert {
        "name": "Yulia Peresild",
        "@type": "Person",
        "url": "https://news.example/entities/person/yulia-peresild",
    } in data["about"]
    assert [item.value for item in page.timeline] == sorted(item.value for item in page.timeline)


def test_timex_values_read_like_a_newspaper():
    assert timex_label("2021-10-05", "day") == "5 Oct 2021"
    assert timex_label("2021-10", "month") == "Oct 2021"
    assert timex_label("2021", "year") == "2021"
    assert timex_label("2021-SU", "season") == "Summer 2021"
    assert timex_label("2011", "year", "MID") == "Mid-2011"
    assert timex_label("2021-10", "month", "START") == "Early Oct 2021"
    assert timex_label("2009", "year", "END") == "Late 2009"


def test_weeks_and_decades_read_as_text_not_timex() -> None:
    assert timex_label("2017-W26", "week") == "Week of 26 Jun 2017"
    assert timex_label("2017-W26-WE", "week") == "Weekend of 1 Jul 2017"
    assert timex_label("201", "year") == "2010s"
    for label in (timex_label("2017-W26-WE", "week"), timex_label("2017-W26", "week")):
        assert "-W" not in label
        assert "WE" not in label


def test_timeline_groups_entries_by_year_month_and_day():
    def item(value):
        return DatedItem(
            value=value, label=value, text="t", sentence="s", slug="a", headline="h", entities=[]
        )

    # in the order the timeline query reads them: by the start of the period each names
    links = {"self": "/timeline", "next": None, "prev": None}
    context = timeline_context(
        [item("2017"), item("2021"), item("2021-10"), item("2021-10-05")], "", links
    )
    years = context["years"]
    assert [y.key for y in years] == ["2017", "2021"]
    year_2021 = years[1]
    assert [e.value for e in year_2021.entries] == ["2021"]
    (october,) = year_2021.months
    assert [e.value for e in october.entries] == ["2021-10"]
    assert [d.key for d in october.days] == ["2021-10-05"]


def test_article_page_states_the_wire_rights_and_keywords_escaped(seed):
    article = seed.v1_article.model_copy(
        update={
            "rights": Rights(
                holder="Example Wire",
                notice="(c) 2021 Example Wire <all rights reserved>",
                usage_terms="Editorial use only.",
            ),
            "keywords": ["Space", "Film"],
            "genres": ["Feature"],
        }
    )
    page = article_page(apply(None, seed.received(article)), PUBLISHER)
    html = render("article.html", article_context(page, "https://news.example"))
    assert (
        '<p class="rights" id="rights">(c) 2021 Example Wire &lt;all rights reserved&gt; '
        '<span class="usage-terms">Editorial use only.</span></p>'
    ) in html
    data = json_ld(page, "https://news.example")
    assert data["copyrightHolder"] == {"@type": "Organization", "name": "Example Wire"}
    assert data["copyrightNotice"] == "(c) 2021 Example Wire <all rights reserved>"
    assert data["usageInfo"] == "Editorial use only."
    assert (data["keywords"], data["genre"]) == (["Space", "Film"], ["Feature"])


def test_a_page_without_stated_rights_says_nothing_about_them(seed):
    page = article_page(apply(None, seed.v1()), PUBLISHER)
    assert 'id="rights"' not in render("article.html", article_context(page, "https://x"))
    assert "copyrightHolder" not in json_ld(page, "https://x")
