"""Places on the map: a place entity linked to its GeoNames feature, chosen among namesakes.

Candidates come from a gazetteer (`Gazetteer`, adapters/gazetteer.py); the choice is made
here, from the story itself:
1. an ISO country code or a GeoNames id the wire gives for the place decides;
2. otherwise the story's countries (the places in it that are countries, the countries the
   wire names, the dateline's place) are its context: a namesake in one of them wins
   ("Paris" in a story datelined Texas is Paris, Texas);
3. then the kind (a country before a city before a region: "Georgia" alone is the country,
   "Washington" the capital, not the state), then the population ("London" is the one in
   England).
A town outside the story's countries is linked only when it is large enough to be named
without its country (`KNOWN_ABROAD`): "Tuscany" in a story about Italy is not the Calgary
suburb the gazetteer knows by that name. Names the gazetteer does not know stay unlinked;
nothing is guessed from spelling."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

PlaceKind = Literal["country", "region", "continent", "city"]
_KIND_RANK: Mapping[PlaceKind, int] = {"country": 3, "continent": 3, "city": 2, "region": 1}
KNOWN_ABROAD = 100_000
_ISO_ID = re.compile(r"iso3166-1a2[:/]([A-Za-z]{2})$")
_GEONAMES_ID = re.compile(r"^https?://sws\.geonames\.org/(\d+)/?$")


@dataclass(frozen=True, slots=True)
class GazetteerEntry:
    geonames_id: int
    name: str
    kind: PlaceKind
    country: str | None  # ISO 3166-1 alpha-2
    population: int
    latitude: float | None
    longitude: float | None


class Gazetteer(Protocol):
    def lookup(self, name: str) -> Sequence[GazetteerEntry]:
        """Every feature the name (any of its spellings) may refer to."""
        ...

    def country(self, iso: str) -> GazetteerEntry | None: ...

    def feature(self, geonames_id: int) -> GazetteerEntry | None: ...


@dataclass(frozen=True)
class PlaceToLink:
    key: str  # the caller's handle (an entity id)
    name: str
    wire_ids: Sequence[str] = ()


def iso_country(ids: Iterable[str]) -> str | None:
    for identifier in ids:
        match = _ISO_ID.search(identifier)
        if match:
            return match.group(1).upper()
    return None


def _geonames_feature(ids: Iterable[str]) -> int | None:
    for identifier in ids:
        match = _GEONAMES_ID.match(identifier)
        if match:
            return int(match.group(1))
    return None


def _score(entry: GazetteerEntry, context: set[str]) -> tuple[int, int, float]:
    in_context = int(entry.country in context)
    return (in_context, _KIND_RANK[entry.kind], math.log1p(entry.population))


def _by_wire(place: PlaceToLink, gazetteer: Gazetteer) -> GazetteerEntry | None:
    feature = _geonames_feature(place.wire_ids)
    if feature is not None and (entry := gazetteer.feature(feature)) is not None:
        return entry
    iso = iso_country(place.wire_ids)
    if iso is None:
        return None
    # An ISO id names the country itself, or (on a city) the country it lies in.
    country = gazetteer.country(iso)
    in_country = [e for e in gazetteer.lookup(place.name) if e.country == iso]
    if in_country:
        return max(in_country, key=lambda e: _score(e, {iso}))
    return country


def link_places(
    places: Sequence[PlaceToLink], dateline_place: str | None, gazetteer: Gazetteer
) -> dict[str, GazetteerEntry]:
    """The GeoNames feature of each place that has one, keyed by `PlaceToLink.key`."""
    linked: dict[str, GazetteerEntry] = {}
    context: set[str] = set()
    for place in places:
        entry = _by_wire(place, gazetteer)
        if entry is not None:
            linked[place.key] = entry
            if entry.country:
                context.add(entry.country)
    candidates = {p.key: list(gazetteer.lookup(p.name)) for p in places if p.key not in linked}
    for found in candidates.values():
        # A country or region named in the story sets the context (a town does not: it would
        # vouch for itself).
        first = max(found, key=lambda e: _score(e, set()), default=None)
        if first is not None and first.kind in ("country", "region") and first.country:
            context.add(first.country)
    if dateline_place:
        for part in _dateline_parts(dateline_place):
            found = list(gazetteer.lookup(part))
            if found:
                best = max(found, key=lambda e: _score(e, context))
                if best.country:
                    context.add(best.country)
                break
    for key, found in candidates.items():
        if not found:
            continue
        best = max(found, key=lambda e: _score(e, context))
        if (
            best.kind == "city"
            and context
            and best.country not in context
            and best.population < KNOWN_ABROAD
        ):
            continue
        linked[key] = best
    return linked


def _dateline_parts(dateline: str) -> list[str]:
    """ "Newport News, VA" → ["Newport News", "VA"]; "London (dpa) -" → ["London"]."""
    cleaned = re.sub(r"\(.*?\)|[-–—]+\s*$", "", dateline)
    return [p.strip() for p in cleaned.split(",") if p.strip()]
