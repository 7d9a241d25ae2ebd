"""Component ``chancery_titles``: link a person to a title and a country.

Titles come from ``analysis/resources/titles.json`` and are found with a spaCy ``Matcher``
(optional modifiers such as *Acting*, *Deputy*, *Caretaker* + a title such as *Minister of
Interior*), optionally followed by a qualifier (*for Afghanistan*, *in Kabul*). A title is linked
to the PERSON entity it stands next to:

- before the name, possibly through a comma, other titles and honorifics:
  "Pakistan’s Special Representative for Afghanistan, Ambassador Mohammad Sadiq";
  "Afghan Acting Foreign Minister H.E. Amir Khan Muttaqi";
- after the name, as an apposition: "Khalifa Sirajuddin Haqqani, Acting Minister of Interior for
  Afghanistan".

The country of a title is the possessive or adjective in front of it ("Pakistan’s",
"Afghan"), or for minister-type titles the *for/of COUNTRY* qualifier. Results are stored in
``doc._.chancery["roles"]`` as dicts ``{person: (start, end), title, country, sent_start}``.
"""
from __future__ import annotations

import threading
from typing import Any

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from analysis.extract.gazetteer import parse_entity_id
from analysis.extract.resources import Resources, get_resources, honorific_len, norm

POSSESSIVE = {"'s", "’s", "'", "’"}
NAME_PARTICLES = {"al", "el", "bin", "ibn", "de", "van", "von", "-", "ul", "ud", "ur"}
APPOS_SKIP = {",", "the", "—", "-", "–"}


def ensure_extensions() -> None:
    """Register ``doc._.chancery`` (results of our components) and ``doc._.published``."""
    if not Doc.has_extension("chancery"):
        Doc.set_extension("chancery", default=None)
    if not Doc.has_extension("published"):
        Doc.set_extension("published", default=None)


def state(doc: Doc) -> dict[str, Any]:
    """The per-document results dict, created on first use."""
    ensure_extensions()
    if doc._.chancery is None:
        doc._.chancery = {}
    return doc._.chancery


class TitleLinker:
    """See the module docstring."""

    def __init__(self, nlp: Language, resources: Resources | None = None) -> None:
        ensure_extensions()
        self._lock = threading.Lock()
        self.res = resources or get_resources()
        t = self.res.titles
        # Core titles with a PhraseMatcher (fast); modifiers are taken in by walking left.
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.mods = {m.lower() for m in t["modifiers"]}
        forms = set()
        for title in t["titles"]:
            forms |= {title, title.replace("’", "'"), title.replace("'", "’")}
        self.matcher.add("TITLE", [nlp.make_doc(f) for f in sorted(forms)])
        self.quals = {q.lower() for q in t["qualifier_preps"]}
        self.qual_in_title = {norm(q) for q in t["qualifier_in_title"]}
        self.honorifics = self.res.honorifics
        self.hon_titles = {norm(h) for h in t["honorific_titles"]}
        stop = self.res.stoplist
        self.stop_words = {w.lower() for w in stop["headline_verbs"] + stop["not_person_words"]}
        self.not_nationality = {w.lower() for w in t.get("not_nationality", [])}
        self.generic_titles = {norm(w) for w in t.get("generic_titles", [])}
        self.state_bodies = [norm(w).split() for w in t.get("state_bodies", [])]
        self.state_titles = {norm(k): v for k, v in t.get("state_titles", {}).items()}
        self.intl_nouns = {w.lower() for w in t.get("intl_role_nouns", [])}
        self.party_words: dict[str, dict[str, Any]] = t.get("party_words", {})
        self.party_members = {w.lower() for w in t.get("party_member_nouns", [])}
        self.member_of = {w.lower() for w in t.get("member_of_nouns", [])}
        self.member_bodies = {w.lower() for w in t.get("member_of_bodies", [])}
        self.member_preps = {w.lower() for w in t.get("member_of_preps", ["of"])}
        self.patron_nouns = {w.lower() for w in t.get("patron_nouns", [])}
        self._named: set[str] = set()
        self._party_hit = False
        self._patron: tuple[int, int] | None = None

    # -- helpers ---------------------------------------------------------------------------
    def honorific_len(self, doc: Doc, i: int) -> int:
        """Number of tokens of an honorific starting at token ``i`` (0 if none)."""
        return honorific_len(self.res, doc, i)

    @staticmethod
    def _ent_index(doc: Doc) -> list[Span | None]:
        idx: list[Span | None] = [None] * len(doc)
        for e in doc.ents:
            for t in range(e.start, e.end):
                idx[t] = e
        return idx

    @staticmethod
    def _country_of(ent: Span | None) -> str | None:
        if ent is None:
            return None
        parsed = parse_entity_id(ent.id_)
        if parsed and parsed[0] in ("country", "demonym"):
            return parsed[2]
        return None

    def _left_country(self, doc: Doc, start: int, ents: list[Span | None]) -> str | None:
        """Country written just before a title: "Pakistan’s", "Afghan", "the Afghan"."""
        i = start - 1
        if i >= 0 and doc[i].text in POSSESSIVE:
            i -= 1
        if i >= 0 and ents[i] is not None:
            return self._country_of(ents[i]) or self._body_country(ents[i])
        return None

    @staticmethod
    def _left_international(doc: Doc, start: int, ents: list[Span | None]) -> bool:
        """Whether an international organisation of the gazetteer stands right before a title
        ("UN High Commissioner", "the EU's trade commissioner"): its holder serves no state."""
        i = start - 1
        if i >= 0 and doc[i].text in POSSESSIVE:
            i -= 1
        parsed = parse_entity_id(ents[i].id_) if i >= 0 and ents[i] is not None else None
        return bool(parsed and parsed[0] == "organization" and not parsed[2])

    def _body_country(self, ent: Span | None) -> str | None:
        """The country of a state body the text names: a national organisation of the
        gazetteer ("Taliban"); a state body, party or armed group of one country in the actor
        dictionary ("White House", "Knesset", "FBI"); an ORG whose words start with a country or
        nationality and contain a word of ``state_bodies`` ("US Treasury", "UK Patent Office",
        "Indian Foreign Ministry"). A firm named after a country ("British Airways") gives
        nothing."""
        if ent is None or ent.label_ not in ("ORG", "FAC"):
            return None
        spelled = self._spelled_out(ent)
        if spelled is not None:  # "Japan's Fiscal Review Board ... FRB": not the US's FRB
            return self._left_country(ent.doc, spelled.start, self._ent_index(ent.doc)) \
                or self._body_country(spelled)
        parsed = parse_entity_id(ent.id_)
        if parsed and parsed[0] == "organization" and parsed[2]:
            return parsed[2]  # a national organisation of the gazetteer ("Taliban spokesman")
        from analysis.extract.actors import get_actors, key

        text = ent.text
        text = text[4:] if text.lower().startswith("the ") else text
        for p in POSSESSIVE:
            text = text.removesuffix(p)
        body = get_actors().bodies.get(key(text))
        if body:  # a state body, party or armed group of the actor dictionary ("White House")
            return body
        if ent.label_ != "ORG":
            return None
        words = [norm(t.text) for t in ent]
        if not any(words[k:k + len(b)] == b for b in self.state_bodies for k in range(len(words))):
            return None
        gaz = self.res.gazetteer
        for n in (3, 2, 1):
            hit = gaz.lookup(" ".join(t.text for t in ent[:n])) if len(ent) > n else None
            if hit and hit[0] in ("country", "demonym") and hit[2]:
                return hit[2]
        if "of" in words[:-1]:  # "Bank of England", "Ministry of Defence of Ukraine"
            hit = gaz.lookup(" ".join(t.text for t in ent[len(words) - words[::-1].index("of"):]))
            if hit and hit[0] == "country" and hit[2]:
                return hit[2]
        return None

    @staticmethod
    def _spelled_out(ent: Span) -> Span | None:
        """For an acronym ("EPA"), the organisation the article writes out whose capitalised
        words' initials spell it ("Fiscal Review Board"): the acronym stands for that one,
        whatever the gazetteer's or the actor dictionary's body of those letters is; None when
        the article spells out nothing."""
        text = ent.text
        if not (2 <= len(text) <= 6 and text.isalpha() and text.isupper()):
            return None
        for e in ent.doc.ents:
            words = [t.text for t in e if t.text[:1].isupper() and t.is_alpha]
            if e.label_ == "ORG" and e.start != ent.start and len(words) == len(text) \
                    and "".join(w[0] for w in words) == text and len(e) >= len(text):
                return e
        return None

    def _title_spans(self, doc: Doc, ents: list[Span | None]) -> list[dict[str, Any]]:
        spans = [doc[s:e] for s, e in self._matches]
        out = []
        for sp in spans:
            # A title inside a PERSON/ORG name ("President Bush" is fine, but not
            # "Ministry of Foreign Affairs") is not a role.
            if any(ents[t] is not None and ents[t].label_ in ("ORG", "PERSON", "WORK_OF_ART")
                   and not (ents[t].start >= sp.start and ents[t].end <= sp.end)
                   for t in range(sp.start, sp.end)):
                continue  # an ORG wholly inside the title ("Secretary of State") is a mislabel
            end = sp.end
            title_text = sp.text
            country = self._left_country(doc, sp.start, ents)
            base = norm(doc[sp.start:sp.end].text)
            in_title = any(base.endswith(q) for q in self.qual_in_title)
            if end + 1 < len(doc) and doc[end].lower_ in self.quals and ents[end + 1] is not None:
                q_ent = ents[end + 1]
                parsed = parse_entity_id(q_ent.id_)
                if parsed and parsed[0] in ("country", "place", "demonym"):
                    if in_title:
                        title_text = doc[sp.start:q_ent.end].text
                    elif country is None and parsed[0] == "country":
                        country = parsed[2]
                    end = q_ent.end
            if end + 1 < len(doc) and doc[end].lower_ in self.quals and end == sp.end:
                # "Czech ambassador to the United Nations, NAME": an organisation (or a place
                # after "the") qualifying the title, then the name after a comma
                q = end + 2 if doc[end + 1].lower_ == "the" and ents[end + 1] is None else end + 1
                q_ent = ents[q] if q < len(doc) else None
                if q_ent is not None and q_ent.start == q and q_ent.label_ in ("ORG", "GPE") \
                        and q_ent.end < len(doc) and doc[q_ent.end].text == ",":
                    end = q_ent.end
            # "Taoiseach": only Ireland's; "Shadow Home Secretary": only Britain's
            country = country or self.state_titles.get(base) or self.state_titles.get(
                norm(" ".join(w.text for w in sp if w.lower_ not in self.mods)))
            out.append({"start": sp.start, "end": end, "title_end": sp.end,
                        "title": " ".join(title_text.split()), "country": country,
                        "intl": country is None and self._left_international(doc, sp.start, ents)})
        return out

    def title_matches(self, doc: Doc) -> list[tuple[int, int]]:
        """(start, end) of every title, with its modifiers ("Acting", "Deputy"), longest
        first where they overlap."""
        spans = []
        for _, s, e in self.matcher(doc):
            while s > 0 and doc[s - 1].lower_ in self.mods:
                s -= 1
            spans.append(doc[s:e])
        return [(sp.start, sp.end) for sp in filter_spans(spans)]

    def _names_after_titles(self, doc: Doc, ents: list[Span | None]) -> None:
        """"Pakistani President General Pervez Musharraf": capitalised words right after a
        title (and honorifics) that the NER missed become a PERSON entity."""
        new = []
        tagged = doc.has_annotation("TAG")
        relabel = []
        for s, e in self._matches:
            i = e
            while i < len(doc) and ents[i] is None:
                n = self.honorific_len(doc, i)
                if not n:
                    break
                i += n
            if i < len(doc) and ents[i] is not None and ents[i].start == i and \
                    ents[i].label_ in ("GPE", "ORG", "NORP", "LOC") and not ents[i].id_ and \
                    all(t.is_title for t in ents[i]):
                relabel.append(ents[i])  # "President Thabo Mbeki" tagged GPE
                continue
            j = i
            while j < len(doc) and j - i < 4 and ents[j] is None:
                t = doc[j]
                if t.is_title and t.is_alpha and (not tagged or t.pos_ == "PROPN") \
                        and t.lower_ not in self.stop_words or t.lower_ in NAME_PARTICLES and j + 1 < len(doc) and j > i:
                    j += 1
                else:
                    break
            while j > i and not doc[j - 1].is_title:
                j -= 1
            if j > i and (j - i >= 2 or e - s >= 1) and (j >= len(doc) or ents[j] is None
                                                         or ents[j].label_ != "PERSON"):
                if j - i == 1 and doc[i].text in self.res.gazetteer.names:
                    continue
                new.append(Span(doc, i, j, label="PERSON"))
        if relabel:
            ids = {(r.start, r.end) for r in relabel}
            doc.set_ents([Span(doc, x.start, x.end, label="PERSON") if (x.start, x.end) in ids
                          else x for x in doc.ents])
        if new:
            doc.set_ents(filter_spans(list(doc.ents) + new))

    def __call__(self, doc: Doc) -> Doc:
        # per-document state lives on the instance while it runs: one document at a time
        with self._lock:
            return self._call(doc)

    def _call(self, doc: Doc) -> Doc:
        self._matches = self.title_matches(doc)
        self._named = set()  # the countries the article names (countries, nationalities, places)
        for e in doc.ents:
            parsed = parse_entity_id(e.id_)
            if parsed and parsed[0] in ("country", "demonym", "place") and parsed[2]:
                self._named.add(parsed[2])
        inside = [e for e in doc.ents if e.label_ in ("ORG", "WORK_OF_ART", "FAC", "LAW", "PERSON")
                  and not e.id_ and any(s <= e.start and e.end <= t for s, t in self._matches)]
        if inside:  # "Special Representative" tagged ORG, or "Foreign" of "Foreign Minister" tagged
            # PERSON, is a title, not a name
            drop = {(e.start, e.end) for e in inside}
            doc.set_ents([e for e in doc.ents if (e.start, e.end) not in drop])
        self._names_after_titles(doc, self._ent_index(doc))
        ents = self._ent_index(doc)
        titles = self._title_spans(doc, ents)
        by_start = {t["start"]: t for t in titles}
        roles: list[dict[str, Any]] = []
        linked: set[int] = set()
        for t in titles:
            if t["start"] in linked:
                continue
            chain = [t]
            i = t["end"]
            # walk right over ", <title>", honorifics and titles up to a PERSON
            while i < len(doc):
                if doc[i].text in APPOS_SKIP:
                    i += 1
                    continue
                if i in by_start:
                    chain.append(by_start[i])
                    linked.add(i)
                    i = by_start[i]["end"]
                    continue
                n = self.honorific_len(doc, i)
                if n and not (ents[i] is not None and ents[i].label_ == "PERSON"):
                    i += n
                    continue
                break
            person = ents[i] if i < len(doc) else None
            if person is not None and person.label_ == "PERSON" and i == person.start \
                    and doc[t["end"]:i].text.count(",") <= 2:
                country = next((c["country"] for c in chain if c["country"]), None)
                for c in chain:
                    roles.append(self._role(doc, person, c["title"], c["country"] or country,
                                            (c["start"], c["title_end"]), c["intl"] and not country))
                continue
            # apposition after the name: "NAME, [the] [Country's] TITLE"
            j = t["start"] - 1
            while j >= 0 and (self._country_of(ents[j]) or doc[j].text in POSSESSIVE
                              or doc[j].lower_ == "the"):
                j = ents[j].start - 1 if ents[j] is not None else j - 1
            if j >= 1 and doc[j].text == "," and ents[j - 1] is not None \
                    and ents[j - 1].label_ == "PERSON":
                roles.append(self._role(doc, ents[j - 1], t["title"], t["country"],
                                        (t["start"], t["title_end"]), t["intl"]))
        # honorific titles right before a person: "Ambassador Mohammad Sadiq"
        for e in doc.ents:
            if e.label_ != "PERSON":
                continue
            k = e.start - 1
            if k >= 0 and norm(doc[k].text) in self.hon_titles and not any(
                    r["person"] == (e.start, e.end) and norm(r["title"]).endswith(norm(doc[k].text))
                    for r in roles):
                roles.append(self._role(doc, e, doc[k].text, self._left_country(doc, k, ents)))
        # a country possessive right before a name: "Britain's Tony Blair"
        for e in doc.ents:
            if e.label_ == "PERSON" and e.start >= 2 and doc[e.start - 1].text in POSSESSIVE:
                c = self._country_of(ents[e.start - 2])
                if c:
                    roles.append(self._role(doc, e, None, c))
        # an international organisation right before a name, or before the noun that leads
        # to it: "UN High Commissioner for Refugees Ruud Lubbers", "IMF chief Rodrigo Rato"
        for e in doc.ents:
            if e.label_ != "PERSON":
                continue
            i = e.start - 1
            while i >= 0 and e.start - i <= 2 and ents[i] is None and doc[i].lower_ in self.intl_nouns:
                i -= 1
            if i >= 0 and ents[i] is not None and ents[i].end == i + 1 \
                    and self._left_international(doc, i + 1, ents):
                roles.append(self._role(doc, e, None, None, None, True))
        self._title_coreference(titles, roles)
        self._described_coreference(doc, ents, roles)
        self._sole_person_description(doc, titles, roles)
        placed = {r["person"] for r in roles if r["country"]}
        for e in doc.ents:
            if e.label_ == "PERSON" and (e.start, e.end) not in placed:
                self._party_hit = False
                self._patron = None
                c = self._phrase_country(doc, e, ents)
                if not c and self._patron:
                    role = self._role(doc, e, None, None)
                    role["patron"] = self._patron
                    roles.append(role)
                if c:
                    role = self._role(doc, e, None, c)
                    # a shared party name's home yields to the actor dictionary
                    role["weak"] = self._party_hit
                    roles.append(role)
        state(doc)["roles"] = roles
        return doc

    def _title_coreference(self, titles: list[dict[str, Any]], roles: list[dict[str, Any]]) -> None:
        """A title the text ties to a country once ("Austria's interior minister said ...")
        gives that country to a person holding the same title without one ("Interior Minister
        Wolfgang Peschorn"), when every title the article ties to a country is tied to that
        one country (in a story with a US and a Ukrainian president, "President Trump" gets
        nothing from it)."""
        tied: dict[str, set[str]] = {}
        for t in titles:
            if t["country"]:
                tied.setdefault(norm(t["title"]), set()).add(t["country"])
        if len(set().union(*tied.values()) if tied else ()) != 1:
            return
        for r in roles:
            if r["title"] and not r["country"] and norm(r["title"]) not in self.generic_titles:
                found = tied.get(norm(r["title"]), set())
                if len(found) == 1:
                    r["country"] = next(iter(found))

    def _described_coreference(self, doc: Doc, ents: list[Span | None],
                               roles: list[dict[str, Any]]) -> None:
        """"The Canadian general said ... General NAME told reporters": a definite
        description, "the" + a nationality word or country + an honorific used as a noun, names
        the one person the article writes with that honorific; they take its country (weakly:
        the actor dictionary wins), when every such description is tied to that one country."""
        # (not a title every state has: "the Cuban president" may be someone never named)
        single = {h[0] for h in self.honorifics if len(h) == 1} - self.generic_titles
        tied: dict[str, set[str]] = {}
        for t in doc:
            if t.pos_ != "NOUN" or ents[t.i] is not None or t.lower_ not in single \
                    or not any(c.dep_ == "det" and c.lower_ == "the" for c in t.children):
                continue
            for c in t.children:
                country = self._country_of(ents[c.i]) if c.dep_ in ("amod", "compound", "poss") else None
                if country:
                    tied.setdefault(t.lower_, set()).add(country)
        if len(set().union(*tied.values()) if tied else ()) != 1:
            return
        for word, countries in tied.items():
            holders = [e for e in doc.ents if e.label_ == "PERSON" and any(
                norm(x.text) == word for x in doc[max(0, e.start - 1):e.end - 1])]
            if len({e[-1].lower_ for e in holders}) != 1:
                continue
            for e in holders:
                role = self._role(doc, e, None, next(iter(countries)))
                role["weak"] = True
                roles.append(role)

    def _sole_person_description(self, doc: Doc, titles: list[dict[str, Any]],
                                 roles: list[dict[str, Any]]) -> None:
        """"Ailing Arafat Arrives in Paris" over "a jet carrying the Palestinian leader landed":
        in an article naming one person only, a title tied to a country that no name follows
        describes that person, who takes its country (weakly: the actor dictionary wins), when
        every such title is tied to that one country and the headline names the person and the
        lead sentence holds the titles, or the headline holds the titles and the body names
        the person."""
        offset = state(doc).get("offset", 0) or 0
        if not offset:
            return  # the headline names, the lead sentence describes (or the other way round)
        people = [e for e in doc.ents if e.label_ == "PERSON"]
        if not people or len({e[-1].lower_ for e in people}) != 1:
            return
        linked = {r["title_span"] for r in roles if r.get("title_span")}
        free = [t for t in titles if t["country"] and not t["intl"]
                and (t["start"], t["title_end"]) not in linked]
        if len({t["country"] for t in free}) != 1 or any(r["country"] for r in roles):
            return
        sents = [sn for sn in doc.sents if sn.end_char > offset] if doc.has_annotation("SENT_START") else []
        lead = sents[0] if sents else None
        head = lambda i: doc[i].idx < offset  # noqa: E731
        in_head = [e for e in people if head(e.start)]
        if in_head and not any(lead is not None and lead.start <= t["start"] < lead.end for t in free):
            return  # named in the headline: described in the lead sentence
        if not in_head and not any(head(t["start"]) for t in free):
            return  # named in the body: described in the headline
        free = {t["country"] for t in free}
        for e in people:
            role = self._role(doc, e, None, next(iter(free)))
            role["weak"] = True
            roles.append(role)

    def _phrase_country(self, doc: Doc, person: Span, ents: list[Span | None]) -> str | None:
        """The country the person's own noun phrase states, the way a reader takes it:

        - a nationality word or a country (possessive or not) among the words right before the
          name: "UK entrepreneur Richard Branson", "Arsenal's Brazilian midfielder Edu",
          "former British government minister Michael Heseltine", "Sweden's Minister of
          Justice, Gunnar Strömmer";
        - "of COUNTRY" or "of" a state body right after the name: "Nicolas Sarkozy of France",
          "Jeremy Philpott of the UK Patent Office"; a country in brackets, as squad lists
          write it: "B O'Driscoll (Ireland, capt)";
        - an apposition that starts with one: "Edu, the Brazilian midfielder".

        Not a nationality: a country before a word that names a side's staff ("Australia
        coach Eddie Jones") or a location ("UK-based analyst"); see ``not_nationality`` in
        titles.json."""
        stop = self.not_nationality
        i = person.start - 1
        if i >= 0 and doc[i].text == "," and any(
                e <= i <= e + 3 and all(t.lower_ == "of" or t.pos_ in ("PROPN", "NOUN")
                                        for t in doc[e:i])
                for _, e in self._matches):
            i -= 1  # "Sweden's Minister of Justice, NAME"
        elif i >= 1 and doc[i].text == "," and doc[i - 1].tag_ == "NN" and ents[i - 1] is None and (
                    person.root.dep_ == "appos" and person.root.head.i == i - 1
                    or person.end < len(doc) and doc[person.end].text == ","):
            i -= 1  # "Peru's state patent official, NAME, said", "a Slovak politician, NAME,"
        seen = 0
        while i >= 0 and seen < 8:
            t = doc[i]
            ent = ents[i]
            party = self._party(doc, i, ent, person)
            if party is not None:
                if party:
                    return party
                i = (ent.start if ent is not None else i) - 1  # a shared name: read on
                seen += 1
                continue
            if ent is not None:
                if ent.label_ == "PERSON":
                    self._patron_of(doc, ent, person, ents)
                    return None
                c = self._country_of(ent) or self._body_country(ent)
                nxt = doc[ent.end] if ent.end < len(doc) else None
                if c and not (nxt is not None and (nxt.text in ("-", "–") or nxt.lower_ in stop)):
                    # a nationality word names the person ("alongside Swedish artist X"); a
                    # country does so when it qualifies the words before the name, not as the
                    # object of a preposition ("in Britain, chief executive X")
                    # ("the granddaughter of Italy's dictator X": a possessive owns the phrase)
                    before = doc[ent.start - 1] if ent.start else None
                    parsed = parse_entity_id(ent.id_)
                    if before is None or before.pos_ != "ADP" or before.text in POSSESSIVE \
                            or (parsed and parsed[0] == "demonym") \
                            or (nxt is not None and nxt.text in POSSESSIVE):
                        return c
                    return None
                if c:
                    return None
                i = ent.start - 1
                seen += 1
                continue
            if t.text in POSSESSIVE or t.lower_ in ("the", "a", "an", "former", "then", "ex", "-"):
                i -= 1
                continue
            if t.pos_ == "CCONJ" and 0 < i < person.start - 1 and doc[i - 1].pos_ == "NOUN" \
                    and doc[i + 1].pos_ == "NOUN":
                i -= 1  # "British backpacker and lawyer NAME"
                continue
            if t.is_punct or t.is_space or t.pos_ in ("VERB", "AUX", "ADP", "PRON", "CCONJ", "SCONJ",
                                                     "NUM") and t.lower_ != "of":
                break
            if t.lower_ in stop:
                return None
            i -= 1
            seen += 1
        # after the name: "of COUNTRY", "of the UK Patent Office", "(COUNTRY)" as in squad
        # lists ("B O'Driscoll (Ireland, capt)"), ", the COUNTRY ... ,"
        j = person.end
        if j + 1 < len(doc) and doc[j].lower_ == "of":
            k = j + 2 if doc[j + 1].lower_ == "the" and j + 2 < len(doc) else j + 1
            ent = ents[k] if ents[j + 1] is None else ents[j + 1]
            if ent is not None and ent.start in (j + 1, k):
                parsed = parse_entity_id(ent.id_)
                if parsed and parsed[0] == "country" and ent.start == j + 1:
                    return parsed[2]
                after = doc[ent.end] if ent.end < len(doc) else None
                if parsed and parsed[0] == "country" and ent.start == k and (
                        after is None or after.is_punct or after.pos_ in ("VERB", "AUX", "CCONJ")):
                    return parsed[2]  # "NAME of the Ivory Coast, its foreign minister"
                if ent.start == k and self._body_country(ent):
                    return self._body_country(ent)
        if j + 2 < len(doc) and doc[j].text == "(" and ents[j + 1] is not None \
                and ents[j + 1].start == j + 1 and ents[j + 1].end < len(doc) \
                and doc[ents[j + 1].end].text in (")", ","):
            parsed = parse_entity_id(ents[j + 1].id_)
            if parsed and parsed[0] == "country":
                return parsed[2]
        if j < len(doc) and doc[j].text == ",":
            k = j + 1
            while k < len(doc) and k < j + 10:
                if doc[k].lower_ in ("the", "a", "an", "former"):
                    k += 1
                elif doc[k].like_num and [t.lower_ for t in doc[k + 1:k + 5]] == ["-", "year", "-", "old"]:
                    k += 5  # "X, a 69-year-old former Lebanese army general"
                else:
                    break
            party = self._party_after(doc, k, ents)  # "X, the Labour MP for Norwich, said"
            if party:
                return party
            if k < len(doc) and ents[k] is not None and ents[k].start == k:
                # "X, the British ambassador"; a national body: "Y, the White House spokesman"
                c = self._country_of(ents[k]) or self._body_country(ents[k])
                nxt = doc[ents[k].end] if ents[k].end < len(doc) else None
                if c and nxt is not None and nxt.pos_ in ("NOUN", "ADJ", "PROPN") \
                        and nxt.lower_ not in stop and ents[nxt.i] is None:
                    return c
            c = self._member_of(doc, k, ents)  # "X, a member of the Russian parliament"
            if c:
                return c
        return self._demonym_apposition(person, ents)

    def _patron_of(self, doc: Doc, owner: Span, person: Span, ents: list[Span | None]) -> None:
        """"Arafat's adviser NAME", "the minister's spokesman NAME": a person's possessive, then
        a staff noun (``patron_nouns``; up to two modifiers before it) right before the name:
        the name serves the possessor (``self._patron``, its span), whose country it takes
        when nothing else gives one (see ``chancery_entities``)."""
        k = owner.end
        if k >= len(doc) or doc[k].text not in POSSESSIVE:
            return
        words = doc[k + 1:person.start]
        if not 1 <= len(words) <= 3 or words[-1].lower_ not in self.patron_nouns or any(
                ents[t.i] is not None or t.pos_ not in ("NOUN", "ADJ") for t in words):
            return
        self._patron = (owner.start, owner.end)

    def _member_of(self, doc: Doc, k: int, ents: list[Span | None]) -> str | None:
        """An apposition "a [board] member of [the] COUNTRY's central bank" / "head of the
        DEMONYM delegation": a ``member_of_nouns`` word (among the apposition's first words, no
        name among them) before "of" and a country or nationality word that owns or qualifies
        one of its bodies (``member_of_bodies``) gives that country."""
        for m in range(k, min(k + 4, len(doc) - 2)):
            t = doc[m]
            if ents[m] is not None or t.pos_ not in ("NOUN", "ADJ", "PROPN"):
                return None
            if t.lower_ in self.member_of and doc[m + 1].lower_ in self.member_preps:
                n = m + 3 if doc[m + 2].lower_ == "the" else m + 2
                while n < len(doc) and n < m + 5 and ents[n] is None and doc[n].pos_ == "ADJ":
                    n += 1  # "chairman of the powerful US Senate committee"
                ent = ents[n] if n < len(doc) else None
                if ent is None or ent.start != n:
                    return None
                c = self._country_of(ent)
                if c is None and ent.label_ == "ORG":  # "chairman of the US Senate Banking Committee"
                    return self._body_country(ent)
                j = ent.end + 1 if ent.end < len(doc) and doc[ent.end].text in POSSESSIVE else ent.end
                # what the country owns or qualifies must be one of its bodies ("Germany's
                # central bank", "the Russian parliament"), not "UK equities"
                if c and any(t.lower_ in self.member_bodies for t in doc[j:j + 3]):
                    return c
                return None
        return None

    def _demonym_apposition(self, person: Span, ents: list[Span | None]) -> str | None:
        """"The four Britons, A, B, C and D", "the Briton, A": a name in apposition (or a
        conjunct of one) to a nationality word used as a noun, with an article or a number,
        takes its country (a list, "Germans, A and B", does not)."""
        doc = person.doc
        r = person.root
        for _ in range(6):
            if r.dep_ != "conj" or r.head.i == r.i or r.head.i < person.start and (
                    ents[r.head.i] is not None and ents[r.head.i].label_ != "PERSON"):
                break
            r = r.head
        if r.dep_ == "conj" and r.head.i < person.start:
            head = r.head  # the parser's "Britons, A, B and C" as one coordination
            ent = ents[head.i]
            if ent is None or ent.end >= len(doc) or doc[ent.end].text != ",":
                return None
        elif r.dep_ == "appos" and r.head.i < person.start:
            head = r.head
            ent = ents[head.i]
        else:
            return None
        if head.pos_ not in ("NOUN", "PROPN") or ent is None or not any(
                c.dep_ in ("det", "nummod") for c in head.children):
            return None  # "the four Britons, A, B", "the Briton, A"; not a list "Germans, A and B"
        parsed = parse_entity_id(ent.id_)
        if parsed and parsed[0] == "demonym":
            return parsed[2]
        if ent.label_ == "NORP" and ent.text.endswith("s"):  # a plural the gazetteer lacks: "Kenyans"
            hit = self.res.gazetteer.lookup(ent.text[:-1])
            return hit[2] if hit and hit[0] == "demonym" else None
        return None

    def _party_after(self, doc: Doc, k: int, ents: list[Span | None]) -> str | None:
        """The home state of a shared party name opening an apposition after a name, before
        a member noun ("X, the Labour MP for Norwich North, said"): as ``_party`` ("" or None
        when it places nobody)."""
        if k >= len(doc):
            return None
        ent = ents[k] if ents[k] is not None and ents[k].start == k else None
        if ents[k] is not None and ent is None or ent is not None and ent.id_:
            return None
        end = ent.end if ent is not None else k + 1
        entry = self.party_words.get(doc[k:end].text)
        if entry is None or end >= len(doc) or doc[end].lower_ not in self.party_members:
            return None
        return self._party_home(entry)

    def _party(self, doc: Doc, i: int, ent: Span | None, person: Span) -> str | None:
        """The state of a shared party name at token ``i`` (``ent``: its entity, if any) that
        stands before a member noun, a possessive or the name itself ("Labour MP X", "Tory
        leader Y", "Labour's Z"): the party's home state when the article names none of the
        others that have one, "" when it names one (the word places nobody), None when the
        word is no such party name here (titles.json ``party_words``)."""
        start, end = (ent.start, ent.end) if ent is not None else (i, i + 1)
        if ent is not None and ent.id_:
            return None
        entry = self.party_words.get(doc[start:end].text)
        if entry is None or end > person.start:
            return None
        nxt = doc[end]
        if not (end == person.start or nxt.text in POSSESSIVE or nxt.lower_ in self.party_members):
            return None
        if start > 0 and doc[start - 1].is_title and doc[start - 1].lower_ not in ("the", "a", "an") \
                and not doc[start - 1].is_sent_start:
            return None  # inside a longer name ("Progressive Conservative", "Jamaica Labour")
        return self._party_home(entry)

    def _party_home(self, entry: dict[str, Any]) -> str:
        """A shared party name's home state, or "" when the article names another state that
        has a party of that name (the word then places nobody)."""
        if self._named & set(entry.get("also", [])):
            return ""
        self._party_hit = True
        return entry["home"]

    @staticmethod
    def _role(doc: Doc, person: Span, title: str | None, country: str | None,
              title_span: tuple[int, int] | None = None, intl: bool = False) -> dict[str, Any]:
        """A role record; ``intl``: the title is an international organisation's."""
        sent_start = person.sent.start if doc.has_annotation("SENT_START") else 0
        return {"person": (person.start, person.end), "title": title, "country": country,
                "sent_start": sent_start, "title_span": title_span, "intl": intl}


@Language.factory("chancery_titles")
def make_titles(nlp: Language, name: str) -> TitleLinker:
    """Factory for :class:`TitleLinker` with the default resources."""
    return TitleLinker(nlp)
