"""The world's officials: people of the Phoenix/PETRARCH2 actor dictionary (``actors.json``).

A person the text names but does not place ("Secretary of State Colin Powell", "Prime Minister
Tony Blair") gets the country and sector the dictionary gives them on the article's date.

Rules (unknown is better than wrong):

- a name of two or more words resolves through the person's name or one of their aliases,
  compared without accents, case or full stops ("Jose Maria Aznar" = "José María Aznar");
- when several people share the name, the one in office on the article's date wins (George W.
  Bush over his father in 2004); if still more than one country remains, nothing is given;
- a full name matches when the person held a dated code on the article's date, or the text
  supports it (a title attached to the name, or the person's country named in the article);
- a one-word alias the dictionary lists ("Bush", "Karzai", "Putin") resolves when the people
  it names (in office on the date, when the article has one) share one country and the text
  gives the person a title or names that country;
- any other bare surname ("Blair") resolves only when exactly one person with that surname
  was in office on the date (when the article has one) *and* the text gives them a title
  ("Prime Minister Blair"), or when the dictionary gives that surname to nobody else and a
  sentence naming the person names their country ("Mr Powell says the US ..."); a country
  named elsewhere in the article is not enough;
- a full name or alias with middle initials matches without them ("Leonid D. Kuchma");
- a name matches approximately, only with support from the text: through the full form of
  its given name (``given_name_forms.json``: "Geoff Hoon" for Geoffrey Hoon) with a title or
  the person's country named, and without the dictionary name's middle names ("William
  Hague" for William Jefferson Hague) with the person's country named in the article;
- a code open at its end holds only up to the dictionaries' horizon (2015), so a namesake in
  a 2019 story is not taken for an official of 2008; after the horizon a person whose
  non-elite code was still open then may still hold it, and matches only with a title or their
  country named in the text (Narendra Modi in 2019); a bare surname so matched must also be
  the dictionary's only one, or have their country named in a sentence naming them;
- the country is the code's first three letters (ISO 3166-1 alpha-3); the role is the sector
  in force on the date (government, military, ...), with the dictionary entry as its evidence;
- people of ``actors_statedept.json`` (leaders the US State Department's records name with
  their office, country and dates, and Phoenix lacks) and of the team's hand-kept
  ``actors_curated.json`` (British and US office-holders and politicians of the early 2000s) join the
  index under the same rules, but match only on an article date inside one of their codes (for
  the records, a year either side of the dates they show): their role is the title the records
  or the list give.

Credit: Phoenix/PETRARCH2 dictionaries, openeventdata/petrarch2, MIT License, Copyright (c)
2014 Open Event Data Alliance (the license text is in ``actors.json``); US Department of State,
Office of the Historian (HistoryAtState/visits and travels; public domain and CC0).
"""
from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from analysis import config

SOURCE = "Phoenix actor dictionary (openeventdata/petrarch2, MIT)"
#: The dictionaries were last revised in 2014-15: a role open at its end ("[GBRGOV >080801]")
#: is known to hold only up to here.
HORIZON = "2015-12-31"
#: People beside the Phoenix dictionary, matched only on an article date inside one of their
#: codes: leaders the US State Department's records name (generated) and the team's own list
#: (hand-kept; a code may carry the office's title as a fifth field).
EXTRA_FILES = ("actors_statedept.json", "actors_curated.json")


def key(name: str) -> str:
    """Comparison key: accents, case, full stops and hyphens dropped, spaces squeezed."""
    s = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    s = s.replace(".", " ").replace("-", " ").replace("'", "").lower()
    return " ".join(s.split())


def without_initials(k: str) -> str:
    """A key without its middle initials ("leonid d kuchma" -> "leonid kuchma"): the first
    and last words stay, so "J Smith" keeps its initial."""
    words = k.split()
    if len(words) < 3:
        return k
    return " ".join([words[0]] + [w for w in words[1:-1] if len(w) > 1] + [words[-1]])


@dataclass(frozen=True)
class Match:
    """A resolved person: their dictionary name, country on the date, and the role then."""

    name: str
    country: str
    role: dict[str, Any] | None


class Actors:
    """Index over ``actors.json`` (see the module docstring)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.people: list[dict[str, Any]] = data["people"]
        self.sectors: dict[str, str] = data.get("sectors", {})
        #: state bodies, parties and armed groups of one country ("White House" -> USA)
        self.bodies: dict[str, str] = {key(k): v for k, v in data.get("bodies", {}).items()}
        self.full: dict[str, list[int]] = {}  # full names and aliases of two or more words
        self.alias: dict[str, list[int]] = {}  # one-word aliases the dictionary lists ("Bush")
        self.surname: dict[str, list[int]] = {}  # last words of full names
        #: first and last words of names of three or more ("william hague" for William
        #: Jefferson Hague): matched only with support from the text
        self.first_last: dict[str, list[int]] = {}
        #: short given names -> their full forms ("geoff" -> ["geoffrey"])
        self.given_forms: dict[str, list[str]] = {
            key(k): [key(v) for v in vs] for k, vs in data.get("given_forms", {}).items()}
        for i, p in enumerate(self.people):
            for form in [p["name"], *p.get("aliases", [])]:
                words = key(form).split()
                if len(words) >= 3:
                    fl = f"{words[0]} {words[-1]}"
                    if i not in self.first_last.setdefault(fl, []):
                        self.first_last[fl].append(i)
            for form in [p["name"], *p.get("aliases", [])]:
                for k in {key(form), without_initials(key(form))}:
                    if not k:
                        continue
                    index = self.full if " " in k else self.alias
                    if i not in index.setdefault(k, []):
                        index[k].append(i)
            words = key(p["name"]).split()
            if len(words) >= 2 and i not in self.surname.setdefault(words[-1], []):
                self.surname[words[-1]].append(i)

    # -- dates -----------------------------------------------------------------------------
    @staticmethod
    def _covers(code: list[Any], date: str) -> bool:
        start, end = code[2], code[3]
        return (start is not None or end is not None) and (start or "") <= date <= (end or HORIZON)

    def in_office(self, i: int, date: str | None) -> bool:
        """Whether person ``i`` held a dated code on ``date``."""
        return bool(date) and any(self._covers(c, date) for c in self.people[i]["codes"])

    def maybe_in_office(self, i: int, date: str | None) -> bool:
        """After the dictionaries' horizon: whether person ``i`` held a code that was still
        open when they were revised (Narendra Modi, "[INDGOV >20140526]", in a 2019 story).
        Such a person may still hold it; the text has to support the match."""
        return bool(date) and date > HORIZON and any(
            c[2] is not None and c[3] is None and c[1] != "ELI" for c in self.people[i]["codes"])

    def country(self, i: int, date: str | None) -> str | None:
        """The person's country on ``date``: the one country of every code, else the one of the
        codes in force then; None when that is not a single country."""
        codes = self.people[i]["codes"]
        every = {c[0] for c in codes}
        if len(every) == 1:
            return next(iter(every))
        if date:
            now = {c[0] for c in codes if self._covers(c, date)}
            if len(now) == 1:
                return next(iter(now))
        return None

    def role(self, i: int, date: str | None) -> dict[str, Any] | None:
        """The sector in force on ``date`` as a role, with the dictionary entry as evidence."""
        if not date:
            return None
        p = self.people[i]
        now = [c for c in p["codes"] if self._covers(c, date)]
        for c in sorted(now, key=lambda c: c[1] != "GOV"):  # government first
            title = self.sectors.get(c[1] or "")
            if title:
                span = f"{c[2] or '…'} to {c[3] or '…'}"
                if len(c) > 5:  # a code from EXTRA_FILES: its title and its source
                    return {"title": c[4] or title, "country": c[0],
                            "source": "statedept" if c[5].startswith("US Department") else "curated",
                            "evidence": f"{c[5]}: {p['name']}, {c[4] or title}, {c[0]} {span}"}
                return {"title": title, "country": c[0], "source": "phoenix",
                        "evidence": f"{SOURCE}: {p['name']}, {c[0]}{c[1]} {span}"}
        return None

    # -- resolution ------------------------------------------------------------------------
    def resolve(self, name: str, date: str | None, *, titled: bool = False,
                countries_named: frozenset[str] | set[str] = frozenset(),
                countries_near: frozenset[str] | set[str] = frozenset()) -> Match | None:
        """The person ``name`` (as the article writes it, honorifics stripped) names, or None.

        ``titled``: the text attaches a title to the name; ``countries_named``: the ISO3 codes
        of the countries the article names; ``countries_near``: those of the countries named
        by a country name or nationality word in a sentence that names the person."""
        k = key(name)
        if not k:
            return None
        single = " " not in k
        listed = single and k in self.alias
        if single:
            cands = list(self.alias[k] if listed else self.surname.get(k, []))
        approximate = middle = False  # matched without middle names or by a given name's full form
        if not single:
            cands = list(self.full.get(k) or self.full.get(without_initials(k), []))
            if not cands:
                cands, approximate = self._approximate(k), True
                middle = not any(i in self.full.get(" ".join([f, *k.split()[1:]]), [])
                                 for f in self.given_forms.get(k.split()[0], []) for i in cands)
        if not cands:
            return None
        # people beside the dictionary (EXTRA_FILES) are known only inside their dates (an
        # undated article takes them as it takes the dictionary's people)
        cands = [i for i in cands if not self.people[i].get("dated_only") or not date
                 or self.in_office(i, date)]
        if not cands:
            return None
        every = list(cands)  # everyone the dictionary knows by this name, at any date
        later = False  # matched only as possibly still in office after the horizon
        if date:
            now = [i for i in cands if self.in_office(i, date)]
            if not now and date > HORIZON:
                now = [i for i in cands if self.maybe_in_office(i, date)]
                later = bool(now)
            if single or now:
                cands = now
        if not cands:
            return None
        found = {self.country(i, date) for i in cands}
        if len(found) != 1 or None in found:
            return None
        country = next(iter(found))
        supported = titled or country in countries_named
        # a full form of the given name ("Geoff" -> "Geoffrey Hoon") needs a title or the
        # country named; a name matched without its middle names, the country named
        if approximate and not (country in countries_named if middle else supported):
            return None
        if later and not (supported and (not single or len(every) == 1
                                         or country in countries_near)):
            return None
        if single:
            # a one-word alias the dictionary lists needs a title or the person's country in
            # the text; a bare surname needs one person and a title, or a surname the
            # dictionary gives to nobody else and the person's country named in a sentence
            # that names them ("Mr Powell says that while the US recognises ...")
            if not (titled or listed and country in countries_named
                    or not listed and len(every) == 1 and country in countries_near):
                return None
            if not listed and len(cands) != 1:
                return None
        elif not (supported or any(self.in_office(i, date) for i in cands) or not date):
            return None
        i = cands[0]
        return Match(self.people[i]["name"], country,
                     self.role(i, date) if len(cands) == 1 else None)


    def _approximate(self, k: str) -> list[int]:
        """People a two-or-more-word key names only approximately: its first and last words
        as those of a longer dictionary name ("william hague"), or its first word's full form
        ("geoff hoon" -> "geoffrey hoon")."""
        words = k.split()
        found: list[int] = []
        for first in [words[0], *self.given_forms.get(words[0], [])]:
            alt = " ".join([first, *words[1:]])
            hits = self.full.get(alt, []) if first != words[0] else []
            if len(words) == 2:
                hits = hits + self.first_last.get(alt, [])
            found += [i for i in hits if i not in found]
        return found


def merge_extra(people: list[dict[str, Any]], extra: list[dict[str, Any]]) -> None:
    """Add the people of an EXTRA_FILES list to the dictionary's ``people`` (in place). Each
    code becomes ``[country, sector, start, end, title, source]``. A person the dictionary has
    already (the same name or alias, without middle initials, or the same first and last
    words, of the same country) takes the extra codes, so a bare surname still names one
    person; an ambiguous one is left out; anyone else joins, known only inside their dates
    (``dated_only``)."""
    def forms(p: dict[str, Any]) -> set[str]:
        out = set()
        for form in [p["name"], *p.get("aliases", [])]:
            k = without_initials(key(form))
            words = k.split()
            if len(words) >= 2:
                out |= {k, f"{words[0]} {words[-1]}"}
        return out

    index: dict[str, set[int]] = {}
    for i, p in enumerate(people):
        for f in forms(p):
            index.setdefault(f, set()).add(i)
    for q in extra:
        codes = [[*c[:4], c[4] if len(c) > 4 else q.get("title"), q.get("source", "")] for c in q["codes"]]
        countries = {c[0] for c in codes}
        hits = {i for f in forms(q) for i in index.get(f, ())
                if countries & {c[0] for c in people[i]["codes"]}}
        if len(hits) == 1:
            people[next(iter(hits))]["codes"] = people[next(iter(hits))]["codes"] + codes
        elif not hits:
            people.append({"name": q["name"], "aliases": q.get("aliases", []), "codes": codes,
                           "dated_only": True})


@lru_cache(maxsize=2)
def get_actors(path: str | None = None) -> Actors:
    """The actor index, loaded once per process (``path`` overrides the data file)."""
    p = Path(path) if path else config.RESOURCES / "actors.json"
    data = json.loads(p.read_text(encoding="utf-8"))
    for name in EXTRA_FILES:
        extra = p.with_name(name)
        if extra.exists():
            merge_extra(data["people"], json.loads(extra.read_text(encoding="utf-8"))["people"])
    forms = p.with_name("given_name_forms.json")
    if forms.exists():
        data["given_forms"] = json.loads(forms.read_text(encoding="utf-8"))["forms"]
    return Actors(data)
