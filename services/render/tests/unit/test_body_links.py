"""Entity mentions become links in the sanitised body, and nothing unsafe survives."""

from __future__ import annotations

from newsroom.render.domain.body import link_entities, sanitise
from newsroom.shared.events import EnrichedEntity, EntityMention


def entity(entity_id, name, *mentions, field="body"):
    return EnrichedEntity(
        id=entity_id,
        name=name,
        type=entity_id.split("/")[0],
        mention_count=len(mentions),
        salience=0.5,
        mentions=[EntityMention(field=field, start=s, end=e, text=t) for s, e, t in mentions],
    )


def test_mentions_are_linked_to_entity_pages_with_the_slash_kept(seed):
    article = seed.v1_article
    text = article.body_text
    start = text.index("Yulia Peresild")
    html = link_entities(
        article.body_html,
        text,
        [entity("person/yulia-peresild", "Yulia Peresild", (start, start + 14, "Yulia Peresild"))],
    )
    assert (
        '<a class="entity-link" href="/entities/person/yulia-peresild" data-entity-id="person/yulia-peresild"'
        in html
    )
    assert ">Yulia Peresild</a>" in html
    assert html.count("entity-link") == 1


def test_offsets_into_plain_text_land_on_the_same_words_in_html():
    html = "<p>First <b>para</b> with Klim Shipenko.</p>\n<p>Then   Peresild &amp; Roscosmos.</p>"
    text = "First para with Klim Shipenko.\n\nThen Peresild & Roscosmos."
    mentions = [
        entity("person/klim-shipenko", "Klim Shipenko", (16, 29, "Klim Shipenko")),
        entity("organisation/roscosmos", "Roscosmos", (48, 57, "Roscosmos")),
    ]
    linked = link_entities(html, text, mentions)
    assert ">Klim Shipenko</a>" in linked
    assert '&amp; <a class="entity-link" href="/entities/organisation/roscosmos"' in linked
    assert "<b>para</b>" in linked


def test_a_mention_whose_text_does_not_match_is_left_unlinked():
    html = "<p>Elon Musk spoke.</p>"
    linked = link_entities(
        html, "Elon Musk spoke.", [entity("person/tom-cruise", "Tom Cruise", (0, 9, "Tom Cruise"))]
    )
    assert "entity-link" not in linked
    assert "Elon Musk spoke." in linked


def test_a_mention_crossing_a_tag_or_inside_a_link_is_not_linked():
    html = '<p>Elon <i>Musk</i> and <a href="https://x.test/">NASA</a>.</p>'
    text = "Elon Musk and NASA."
    linked = link_entities(
        html,
        text,
        [
            entity("person/elon-musk", "Elon Musk", (0, 9, "Elon Musk")),
            entity("organisation/nasa", "NASA", (14, 18, "NASA")),
        ],
    )
    assert "entity-link" not in linked
    assert '<a href="https://x.test/"' in linked


def test_unsafe_markup_never_survives_even_if_ingest_missed_it():
    html = (
        '<p onclick="steal()">Hi <script>alert(1)</script><a href="javascript:alert(1)">x</a></p>'
    )
    linked = link_entities(html, "Hi x", [])
    assert "onclick" not in linked
    assert "<script" not in linked
    assert "javascript:" not in linked


def test_entity_names_are_escaped_in_link_attributes():
    linked = link_entities(
        "<p>Bobby Tables</p>",
        "Bobby Tables",
        [entity('person/x"><script>', '"><script>alert(1)</script>', (0, 12, "Bobby Tables"))],
    )
    assert "<script>" not in linked


def test_the_sanitiser_drops_scripts_handlers_and_script_urls_and_keeps_our_link():
    html = sanitise(
        '<p>x<script>alert(1)</script><style>p{}</style><img src="a.png" onerror="alert(1)">'
        '<a href="javascript:alert(1)" onclick="alert(1)">j</a>'
        '<a class="entity-link" href="/entities/person/a" data-entity-id="person/a">A</a></p>'
    )
    assert "alert" not in html
    assert "p{}" not in html
    assert "javascript:" not in html
    assert '<img src="a.png">' in html
    assert '<a class="entity-link" href="/entities/person/a" data-entity-id="person/a"' in html


def test_mentions_are_found_around_escaped_text_and_quoted_angle_brackets():
    html = '<p title="a > b">Tom &amp; Jerry met&nbsp;Elon Musk &lt;here&gt;.</p>'
    text = "Tom & Jerry met\u00a0Elon Musk <here>."
    linked = link_entities(
        html, text, [entity("person/elon-musk", "Elon Musk", (16, 25, "Elon Musk"))]
    )
    assert linked == (
        '<p title="a &gt; b">Tom &amp; Jerry met&nbsp;<a class="entity-link" '
        'href="/entities/person/elon-musk" data-entity-id="person/elon-musk" title="Elon Musk"'
        ' rel="noopener noreferrer">Elon Musk</a> &lt;here&gt;.</p>'
    )
