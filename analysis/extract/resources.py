"""Loading the data files of ``analysis/resources/`` (gazetteers, titles, rules, taxonomy).

Everything here is data-driven and cached per process; components and the extractor call
:func:`get_resources` and never hard-code names.
"""
from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from analysis import config


def norm(s: str) -> str:
    """Comparison key for names: NFKC, curly quotes straightened, case-folded, spaces squeezed."""
    s = unicodedata.normalize("NFKC", s).replace("’", "'").replace("‘", "'")
    return " ".join(s.casefold().split())


def load_json(name: str, base: Path | None = None) -> Any:
    """Read one JSON data file from ``analysis/resources`` (or ``base``)."""
    return json.loads(((base or config.RESOURCES) / name).read_text(encoding="utf-8"))


@dataclass
class Gazetteer:
    """Every name the rules know, keyed by :func:`norm` of the surface form.

    ``names`` maps a surface key to ``(kind, canonical name, ISO3 or None, label)`` where
    kind is country|demonym|place|organization|person and label the spaCy label to give it.
    """

    countries: dict[str, dict[str, Any]] = field(default_factory=dict)
    names: dict[str, tuple[str, str, str | None, str]] = field(default_factory=dict)
    surfaces: list[tuple[str, str]] = field(default_factory=list)  # (surface, key)
    case_sensitive: set[str] = field(default_factory=set)
    officials: dict[str, dict[str, Any]] = field(default_factory=dict)
    places: dict[str, str] = field(default_factory=dict)  # canonical place -> ISO3
    orgs: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(self, surface: str, kind: str, name: str, country: str | None, label: str,
            exact: bool = False) -> None:
        surface = surface.strip()
        if not surface:
            return
        key = norm(surface)
        # First writer wins, in the order countries > places > organizations > people.
        if key not in self.names:
            self.names[key] = (kind, name, country, label)
        self.surfaces.append((surface, key))
        if exact:
            self.case_sensitive.add(surface)

    def lookup(self, text: str) -> tuple[str, str, str | None, str] | None:
        """The gazetteer entry for a surface form, or None."""
        return self.names.get(norm(text))

    def country_name(self, iso3: str | None) -> str | None:
        """Display name of a country code."""
        if not iso3:
            return None
        c = self.countries.get(iso3)
        return c["name"] if c else None


def _is_acronym(s: str) -> bool:
    letters = [c for c in s if c.isalpha()]
    return len(s) <= 6 and bool(letters) and sum(c.isupper() for c in letters) >= len(letters) - 1


def build_gazetteer(base: Path | None = None) -> Gazetteer:
    """Assemble the gazetteer from countries.json, places.json, organizations.json and
    officials.json (in that priority order)."""
    g = Gazetteer()
    countries = load_json("countries.json", base)
    g.countries = countries
    for code, c in countries.items():
        for s in [c["name"], *c["aliases"]]:
            if s.lower().startswith("the "):
                s = s[4:]  # "the Netherlands": the article is no part of the name
            g.add(s, "country", c["name"], code, "GPE", exact=_is_acronym(s))
        for s in c.get("demonyms", []):
            g.add(s, "demonym", c["name"], code, "NORP")
    for code, names in load_json("places.json", base).items():
        if code.startswith("_"):
            continue
        for entry in names:
            surface, _, canonical = entry.partition("=")
            canonical = canonical or surface
            g.places.setdefault(canonical, code)
            g.add(surface, "place", canonical, code, "GPE")
    for org in load_json("organizations.json", base)["organizations"]:
        g.orgs[org["name"]] = org
        g.add(org["name"], "organization", org["name"], org.get("country"), "ORG")
        for a in org.get("aliases", []):
            g.add(a, "organization", org["name"], org.get("country"), "ORG", exact=_is_acronym(a))
    for person in load_json("officials.json", base)["people"]:
        g.officials[person["name"]] = person
        for s in [person["name"], *person.get("aliases", [])]:
            if len(s.split()) >= 2:  # a bare surname is never enough to name an official
                g.add(s, "person", person["name"], person["country"], "PERSON")
    return g


@dataclass
class Resources:
    """All rule data, loaded once per process."""

    gazetteer: Gazetteer
    titles: dict[str, Any]
    events: dict[str, Any]
    topics: dict[str, Any]
    stoplist: dict[str, Any]
    never: set[str]
    honorifics: list[list[str]]  # token sequences, longest first, lower-case
    honorific_first: dict[str, list[list[str]]] = field(default_factory=dict)
    honorific_last: dict[str, list[list[str]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for h in self.honorifics:
            self.honorific_first.setdefault(h[0], []).append(h)
            self.honorific_last.setdefault(h[-1], []).append(h)


def honorific_len(res: Resources, doc: Any, i: int, end: int | None = None) -> int:
    """Number of tokens of an honorific ("H.E.", "Prime Minister", "Khalifa") starting at
    token ``i`` of ``doc`` and ending before ``end`` (0 when there is none)."""
    end = len(doc) if end is None else end
    if i >= end:
        return 0
    cands = res.honorific_first.get(norm(doc[i].text))
    if not cands:
        return 0
    for h in cands:  # longest first
        n = len(h)
        if i + n <= end and all(norm(doc[i + k].text) == h[k] for k in range(1, n)):
            return n
    return 0


def honorific_len_before(res: Resources, doc: Any, k: int) -> int:
    """Number of tokens of an honorific that ends at token ``k`` (0 when there is none)."""
    if k < 0:
        return 0
    cands = res.honorific_last.get(norm(doc[k].text))
    for h in cands or ():
        n = len(h)
        s = k - n + 1
        if s >= 0 and all(norm(doc[s + j].text) == h[j] for j in range(n - 1)):
            return n
    return 0


@lru_cache(maxsize=4)
def get_resources(base: str | None = None) -> Resources:
    """Load every data file (``base`` overrides the resources folder, for tests)."""
    b = Path(base) if base else None
    titles = load_json("titles.json", b)
    stop = load_json("stoplist.json", b)
    hon = sorted({tuple(norm(h).split()) for h in titles["honorifics"]}, key=len, reverse=True)
    return Resources(
        gazetteer=build_gazetteer(b),
        titles=titles,
        events=load_json("events.json", b),
        topics=load_json("topics.json", b),
        stoplist=stop,
        never={norm(s) for s in stop["never_entities"]},
        honorifics=[list(h) for h in hon],
    )


def role_on(person: dict[str, Any], date: str | None) -> list[dict[str, Any]]:
    """The gazetteer roles of an official held on ``date`` (YYYY-MM-DD); all roles when the
    date is unknown. Partial dates (YYYY or YYYY-MM) in the facts count as the whole period."""
    if not date:
        return list(person.get("roles", []))
    out = []
    for r in person.get("roles", []):
        start, end = r.get("start") or "", r.get("end") or "9999"
        if start <= date and (date <= end or date.startswith(end)):
            out.append(r)
    return out
