"""Places linked to GeoNames features, chosen among namesakes by the story's own context."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from newsroom.enrich.adapters.gazetteer import GeonamesGazetteer, gazetteer
from newsroom.enrich.adapters.nlp import Enricher
from newsroom.enrich.domain.enrichment import ArticleTexts
from newsroom.enrich.domain.places import GazetteerEntry, PlaceToLink, link_places

PARIS_FR = GazetteerEntry(2988507, "Paris", "city", "FR", 2_138_551, 48.85, 2.35)
PARIS_TX = GazetteerEntry(4717560, "Paris", "city", "US", 24_782, 33.66, -95.56)
TEXAS = GazetteerEntry(4736286, "Texas", "region", "US", 0, None, None)
FRANCE = GazetteerEntry(3017382, "France", "country", "FR", 66_987_244, 46.0, 2.0)
TUSCANY_AB = GazetteerEntry(6170682, "Tuscany", "city", "CA", 19_700, 51.1, -114.2)


class Fake:
    def __init__(self, *entries: GazetteerEntry) -> None:
        self.entries = entries

    def lookup(self, name: str) -> Sequence[GazetteerEntry]:
        return [e for e in self.entries if e.name == name]

    def country(self, iso: str) -> GazetteerEntry | None:
        return next((e for e in self.entries if e.kind == "country" and e.country == iso), None)

    def feature(self, geonames_id: int) -> GazetteerEntry | None:
        return next((e for e in self.entries if e.geonames_id == geonames_id), None)


FAKE = Fake(PARIS_FR, PARIS_TX, TEXAS, FRANCE, TUSCANY_AB)


def linked(names: list[str], dateline: str | None = None, **ids: list[str]) -> dict[str, int]:
    places = [PlaceToLink(n, n, ids.get(n, [])) for n in names]
    return {k: v.geonames_id for k, v in link_places(places, dateline, FAKE).items()}


def test_the_most_populous_namesake_without_context() -> None:
    assert linked(["Paris"]) == {"Paris": PARIS_FR.geonames_id}


def test_the_storys_other_places_decide() -> None:
    assert linked(["Paris", "Texas"])["Paris"] == PARIS_TX.geonames_id


def test_the_dateline_decides() -> None:
    assert linked(["Paris"], dateline="Texas")["Paris"] == PARIS_TX.geonames_id


def test_the_wires_country_code_decides() -> None:
    assert linked(["Paris"], Paris=["iso3166-1a2:US"])["Paris"] == PARIS_TX.geonames_id


def test_a_small_town_abroad_is_not_linked_to_a_story_elsewhere() -> None:
    assert linked(["Tuscany", "France"]) == {"France": FRANCE.geonames_id}


@pytest.fixture(scope="module")
def geonames() -> GeonamesGazetteer:
    return gazetteer()


@pytest.mark.parametrize(
    ("name", "geonames_id", "kind"),
    [
        ("London", 2643743, "city"),  # not London, Ontario
        ("Germany", 2921044, "country"),
        ("Deutschland", 2921044, "country"),  # other languages' names
        ("U.S.", 6252001, "country"),
        ("UK", 2635167, "country"),
        ("München", 2867714, "city"),
        ("Georgia", 614540, "country"),  # the country before the US state
        ("Europe", 6255148, "continent"),
    ],
)
def test_the_packaged_gazetteer(
    geonames: GeonamesGazetteer, name: str, geonames_id: int, kind: str
) -> None:
    best = link_places([PlaceToLink(name, name)], None, geonames)[name]
    assert (best.geonames_id, best.kind) == (geonames_id, kind)
    assert best.latitude is not None
    assert best.longitude is not None


def test_codes_match_only_in_capitals(geonames: GeonamesGazetteer) -> None:
    assert geonames.lookup("US")
    assert not geonames.lookup("us")


def test_places_of_a_wire_story_on_the_map(
    enricher: Enricher, corpus_texts: Callable[..., ArticleTexts]
) -> None:
    """IPTC's Concordia story: Italy by its ISO code (with coordinates), Tuscany not the
    Calgary suburb, "Grossetto" (misspelt) not guessed."""
    result = enricher.enrich(corpus_texts("ninjs/iptc-2.2-005_complex_text_article.json"))
    places = {e.name: e for e in result.entities if e.type == "place"}
    italy = places["Italy"]
    assert italy.geonames_id == 3175395
    assert "https://sws.geonames.org/3175395/" in italy.same_as
    assert "http://cvx.iptc.org/iso3166-1a2/it" in italy.same_as
    assert (round(italy.latitude or 0), round(italy.longitude or 0)) == (43, 13)
    assert places["Tuscany"].geonames_id is None
    assert places["Grossetto"].geonames_id is None
