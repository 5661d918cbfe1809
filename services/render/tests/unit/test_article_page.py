"""The article page as crawlers and readers get it: schema.org NewsArticle (publisher, authors,
image, language, sameAs), valid `<time datetime>` values, the byline, the language, and what
the page says when no entity model exists for the story's language."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from newsroom.render.domain.html_time import is_valid_datetime
from newsroom.render.domain.projection import apply
from newsroom.render.domain.views import Publisher, article_page, json_ld
from newsroom.render.entrypoints.rendering import article_context, render
from newsroom.shared.article import Picture
from newsroom.shared.events import EnrichedEntity, TimelineEntry

BASE = "https://news.example"
PUBLISHER = Publisher("Example News", "https://news.example/static/logo.svg")


def page_of(seed: Any, enriched: Any = None, **article_fields: Any) -> Any:
    article = seed.v1_article.model_copy(update=article_fields)
    received = seed.received(article)
    state = apply(None, received)
    if enriched is not None:
        state = apply(state, enriched(seed.enriched(received)))
    page = article_page(state, PUBLISHER)
    assert page is not None
    return page


def html_of(page: Any) -> str:
    return render("article.html", article_context(page, BASE))


def structured_data(html: str) -> dict[str, Any]:
    [script] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    data: dict[str, Any] = json.loads(script)
    return data


def with_data(**changes: Any) -> Any:
    """An enrichment event with `changes` to its data."""

    def change(event: Any) -> Any:
        return event.model_copy(update={"data": event.data.model_copy(update=changes)})

    return change


def test_the_publisher_is_an_organization_with_a_logo(seed):
    data = json_ld(page_of(seed), BASE)
    assert data["publisher"] == {
        "@type": "Organization",
        "name": "Example News",
        "url": "https://news.example/",
        "logo": {"@type": "ImageObject", "url": "https://news.example/static/logo.svg"},
    }


@pytest.mark.parametrize(
    ("byline", "authors", "shown"),
    [
        (
            "By Henning Gloystein",
            [{"@type": "Person", "name": "Henning Gloystein"}],
            "By Henning Gloystein ·",
        ),
        (
            "Paulo Santalucia and Frances d'Emilio",
            [
                {"@type": "Person", "name": "Paulo Santalucia"},
                {"@type": "Person", "name": "Frances d'Emilio"},
            ],
            "By Paulo Santalucia and Frances d&#39;Emilio ·",
        ),
        ("Reuters staff", [{"@type": "Organization", "name": "Reuters"}], "By Reuters staff ·"),
        (
            "By Benjamin Wright, Press Association",
            [
                {
                    "@type": "Person",
                    "name": "Benjamin Wright",
                    "affiliation": {"@type": "Organization", "name": "Press Association"},
                }
            ],
            "By Benjamin Wright, Press Association ·",
        ),
    ],
)
def test_authors_are_the_people_the_byline_names_and_the_page_says_by_once(
    seed, byline, authors, shown
):
    page = page_of(seed, byline=byline)
    html = html_of(page)
    assert structured_data(html)["author"] == authors
    assert shown in html
    assert "By By" not in html


@pytest.mark.parametrize(
    ("href", "image"),
    [
        ("https://upload.example.org/iss.jpg", "https://upload.example.org/iss.jpg"),
        ("/media/iss.jpg", "https://news.example/media/iss.jpg"),
        ("http://localhost:5000/iss.jpg", None),  # inside the sender's network
        ("javascript:alert(1)", None),
        ("urn:newsroom:example:space-race-2:image", None),
    ],
)
def test_the_image_is_only_ever_an_absolute_public_address(seed, href, image):
    page = page_of(seed, pictures=[Picture(href=href, caption="The station")])
    html = html_of(page)
    data = structured_data(html)
    if image is None:
        assert "image" not in data
        assert 'property="og:image"' not in html
    else:
        assert data["image"] == [image]
        assert f'<meta property="og:image" content="{image}">' in html
    assert "javascript:" not in html


def test_every_time_element_holds_a_valid_html_value(seed):
    weekend = TimelineEntry(
        value="2017-W26-WE",
        type="DATE",
        granularity="week",
        text="that weekend",
        field="body",
        start=0,
        end=4,
        sentence="That weekend, they met.",
    )
    season = weekend.model_copy(update={"value": "2021-SU", "granularity": "season"})
    unknown = weekend.model_copy(update={"value": "XXXX-10-05", "granularity": "day"})
    page = page_of(seed, with_data(timeline=[weekend, season, unknown]))
    html = html_of(page)
    values = re.findall(r'<time datetime="([^"]*)"', html)
    assert "2017-W26" in values
    assert [value for value in values if not is_valid_datetime(value)] == []
    assert "XXXX" not in " ".join(values)  # shown with its label only


def test_the_language_is_the_enrichments_else_the_wires(seed):
    wire_only = page_of(seed, language="en_GB")
    assert '<html lang="en-GB">' in html_of(wire_only)
    assert json_ld(wire_only, BASE)["inLanguage"] == "en-GB"

    detected = page_of(seed, with_data(language="fr"), language=None)
    assert '<html lang="fr">' in html_of(detected)
    assert json_ld(detected, BASE)["inLanguage"] == "fr"

    unusable = page_of(seed, language="English")
    assert '<html lang="en">' in html_of(unusable)  # the site's default
    assert "inLanguage" not in json_ld(unusable, BASE)


def test_without_an_entity_model_the_page_says_whose_entities_it_shows(seed):
    html = html_of(page_of(seed, with_data(language="fi", ner=False)))
    assert (
        "No automatic entity recognition for this language; the people, places and topics "
        "shown are those the wire named."
    ) in html
    nothing = html_of(page_of(seed, with_data(language="fi", ner=False, entities=[])))
    assert "the wire named no people, places or topics" in nothing
    assert 'id="entities-notice"' not in html_of(page_of(seed, with_data(language="en")))


def test_same_as_links_are_in_the_structured_data_and_on_the_page(seed):
    def with_same_as(entity: EnrichedEntity) -> EnrichedEntity:
        if entity.id != "person/yulia-peresild":
            return entity
        return entity.model_copy(
            update={
                "same_as": [
                    "https://www.wikidata.org/wiki/Q4232874",
                    "javascript:alert(1)",
                    "http://localhost:5000/people/1",
                ]
            }
        )

    v1 = seed.v1()
    enriched = seed.enriched(v1)
    entities = [with_same_as(entity) for entity in enriched.data.entities]
    page = page_of(seed, with_data(entities=entities))
    html = html_of(page)
    [yulia] = [
        thing for thing in structured_data(html)["about"] if thing["name"] == "Yulia Peresild"
    ]
    assert yulia["sameAs"] == ["https://www.wikidata.org/wiki/Q4232874"]
    assert (
        '<a class="same-as" rel="external" href="https://www.wikidata.org/wiki/Q4232874" '
        'aria-label="Yulia Peresild on Wikidata">Wikidata</a>'
    ) in html
    assert "javascript:" not in html


def test_every_article_page_has_a_description(seed):
    with_standfirst = html_of(page_of(seed))
    assert (
        '<meta name="description" content="A film crew helmed by Klim Shipenko' in with_standfirst
    )
    without = html_of(page_of(seed, standfirst=None))
    [description] = re.findall(r'<meta name="description" content="([^"]*)"', without)
    assert description
    assert seed.v1_article.body_text.startswith(description[:40])
    assert len(description) <= 300
