"""Component ``chancery_entities``: one canonical entity per real thing, and junk control.

For every entity span it decides the canonical name, kind (person, country, organization,
place) and country:

- gazetteer spans carry their identity (``Khalil Haqqani`` -> ``Khalil Rahman Haqqani``;
  ``Afghan`` -> the country Afghanistan; ``Kabul`` -> a place in AFG);
- person names lose honorifics and a possessive ending; within the article a short form
  resolves to the one longer name it is part of ("Sadiq" -> "Mohammad Sadiq"), and stays
  unresolved when two people share it ("Haqqani" with Sirajuddin and Khalil Rahman Haqqani);
- junk never becomes an entity: the stoplist (site furniture), title-case phrases with a verb
  ("Pakistan Reaffirms Commitment"), unknown short all-caps strings as places ("AI").

Results: ``doc._.chancery["mentions"]`` = list of ``[span, name or None]`` (turned into
``(start, end, label, name)`` tuples by ``chancery_events``, so docs serialise) and
``doc._.chancery["entities"]`` = name -> record with kind, country, aliases and roles.
"""
from __future__ import annotations

from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span

from analysis import model
from analysis.extract.gazetteer import parse_entity_id
from analysis.extract.resources import Resources, get_resources, honorific_len, honorific_len_before, norm
from analysis.extract.titles import state

ENTITY_LABELS = {"PERSON", "GPE", "LOC", "FAC", "ORG", "NORP"}
#: Countries whose names put the family name first ("Xi Jinping" is "Xi" on second mention).
FAMILY_NAME_FIRST = {"CHN", "TWN", "KOR", "PRK", "VNM", "JPN", "HKG", "MAC", "KHM", "HUN"}
POSSESSIVE_ENDINGS = ("'s", "’s", "'", "’")


class EntityResolver:
    """See the module docstring."""

    def __init__(self, nlp: Language, resources: Resources | None = None) -> None:
        self.res = resources or get_resources()
        stop = self.res.stoplist
        self.headline_verbs = {w.lower() for w in stop["headline_verbs"]}
        self.not_person = {w.lower() for w in stop["not_person_words"]}
        self.min_chars = int(stop.get("min_chars", 2))
        #: titles that do not support reading a bare surname as a state official
        self.non_political = {norm(t) for t in self.res.titles.get("non_political_titles", [])}
        t = self.res.titles
        self.home_office = {w.lower() for w in t.get("home_office_words", [])}
        self.abroad_office = {w.lower() for w in t.get("abroad_office_words", [])}
        self.dateline_abroad_ok = {w.lower() for w in t.get("dateline_abroad_ok", [])}
        staff = t.get("dateline_state_staff", {})
        self.staff_offices = {norm(w) for w in staff.get("offices", [])}
        self.staff_nouns = {norm(w) for w in staff.get("staff", [])}
        self.staff_state_words = {w.lower() for w in staff.get("state_words", [])}
        ev = self.res.events
        self.travel_words = {f.lower() for v in t.get("home_office_travel_verbs", [])
                             for f in ev["visit"]["verbs"].get(v, {}).get("forms", [])}
        self.travel_words |= {w.lower() for w in ev["visit"].get("nouns", [])}

    # -- name helpers ----------------------------------------------------------------------
    def strip_name(self, span: Span) -> tuple[str, int]:
        """The name without leading honorifics or a possessive ending, and how many leading
        tokens were honorifics."""
        doc = span.doc
        i = span.start
        while i < span.end - 1:
            n = honorific_len(self.res, doc, i, span.end - 1)
            if not n:
                break
            i += n
        end = span.end
        if end - i > 1 and doc[end - 1].text in POSSESSIVE_ENDINGS:
            end -= 1
        text = doc[i:end].text
        for p in POSSESSIVE_ENDINGS[:2]:
            text = text.removesuffix(p)
        return " ".join(text.split()), i - span.start

    def is_junk(self, span: Span, name: str) -> bool:
        """True for strings that must never become entities (see the module docstring)."""
        key = norm(name)
        if key in self.res.never or len(key) < self.min_chars or not any(c.isalpha() for c in key):
            return True
        words = name.split()
        if len(words) >= 2 and all(w[:1].isupper() for w in words if w[:1].isalpha()):
            if any(w.lower() in self.headline_verbs for w in words[1:]):
                return True
            if span.doc.has_annotation("TAG") and any(
                    t.pos_ in ("VERB", "AUX") and t.tag_ in ("VBZ", "VBD", "VBP")
                    for t in span[1:]):
                return True
        if span.label_ in ("GPE", "LOC") and name.isupper() and len(name) <= 4:
            return True  # unknown acronym as a place: "AI", "CEO"
        return bool(span.label_ == "PERSON" and any(w.lower() in self.not_person for w in words))

    # -- main ------------------------------------------------------------------------------
    def _propagate_surnames(self, doc: Doc) -> None:
        """A capitalised word the NER missed that is the surname of exactly one person named
        in full elsewhere in the article becomes a PERSON mention ("Musharraf visits ...")."""
        last: dict[str, set[str]] = {}
        covered = set()
        for e in doc.ents:
            covered.update(range(e.start, e.end))
            if e.label_ == "PERSON" and len(e) >= 2:
                last.setdefault(e[-1].text.upper(), set()).add(e.text)
                parsed = parse_entity_id(e.id_)
                skip = self.strip_name(e)[1]  # "Foreign Minister Wang Yi": the name is "Wang Yi"
                if parsed and parsed[2] in FAMILY_NAME_FIRST and skip < len(e) - 1:  # "Wang" for Wang Yi
                    last.setdefault(e[skip].text.upper(), set()).add(e.text)
        if not last:
            return
        new = []
        for t in doc:
            if t.i not in covered and t.is_alpha and t.text[0].isupper() \
                    and len(last.get(t.text.upper(), ())) == 1:
                if t.i > 0 and t.nbor(-1).is_title and t.nbor(-1).i not in covered \
                        and t.nbor(-1).is_sent_start is not True and t.i > 0 and \
                        not t.nbor(-1).is_punct and t.nbor(-1).lower_ not in self.headline_verbs:
                    continue  # part of a longer unknown name
                new.append(Span(doc, t.i, t.i + 1, label="PERSON"))
        if new:
            doc.set_ents(list(doc.ents) + new)

    @staticmethod
    def _extend_known_names(doc: Doc) -> None:
        """A capitalised word right before a PERSON that the NER left out, when the two make a
        full name of the actor dictionary ("Pranab" + "Mukherjee" opening a sentence); never a
        title or honorific ("Chancellor")."""
        from analysis.extract.actors import get_actors, key

        res = get_resources()
        titles = {w.lower() for t in res.titles["titles"] + res.titles["honorifics"]
                  for w in t.split()}
        full = get_actors().full
        ents = list(doc.ents)
        changed = False
        taken = {t for e in ents for t in range(e.start, e.end)}
        for k, e in enumerate(ents):
            i = e.start - 1
            if e.label_ != "PERSON" or i < 0 or i in taken:
                continue
            t = doc[i]
            if t.is_alpha and t.text[:1].isupper() and not t.is_upper \
                    and t.lower_ not in titles and key(f"{t.text} {e.text}") in full:
                ents[k] = Span(doc, i, e.end, label="PERSON")
                changed = True
        if changed:
            doc.set_ents(ents)

    def __call__(self, doc: Doc) -> Doc:
        self._extend_known_names(doc)
        self._propagate_surnames(doc)
        gaz = self.res.gazetteer
        st = state(doc)
        entities: dict[str, dict[str, Any]] = {}
        pending: list[tuple[Span, str, int]] = []  # unresolved person-like spans
        mentions: list[list[Any]] = []

        def add(name: str, kind: str, country: str | None) -> dict[str, Any]:
            rec = entities.get(name)
            if rec is None:
                rec = entities[name] = {"name": name, "kind": kind, "country": country,
                                        "aliases": [], "roles": []}
            elif rec["country"] is None and country:
                rec["country"] = country
            return rec

        def alias(rec: dict[str, Any], surface: str) -> None:
            if surface != rec["name"] and surface not in rec["aliases"]:
                rec["aliases"].append(surface)

        for e in doc.ents:
            if e.label_ not in ENTITY_LABELS:
                mentions.append([e, None])
                continue
            parsed = parse_entity_id(e.id_)
            if parsed is None:
                name, _ = self.strip_name(e) if e.label_ == "PERSON" else (e.text, 0)
                if e.label_ != "PERSON":
                    name = name[4:] if name.lower().startswith("the ") else name
                    for p in POSSESSIVE_ENDINGS[:2]:
                        name = name.removesuffix(p)
                hit = gaz.lookup(name)
                if hit and not (hit[0] == model.PERSON and e.label_ != "PERSON"):
                    parsed = (hit[0], hit[1], hit[2])
            if parsed is not None:
                kind, name, country = parsed
                if kind == "demonym":  # a gazetteer kind: "Afghan" names the country
                    kind = model.COUNTRY
                rec = add(name, kind, country)
                stripped, _ = self.strip_name(e) if kind == model.PERSON else (e.text, 0)
                if kind in (model.PERSON, model.ORGANIZATION):
                    alias(rec, stripped)
                    if kind == model.PERSON:
                        self._honorific_alias(doc, e, rec)
                mentions.append([e, name])
                continue
            name = " ".join(name.split())
            if self.is_junk(e, name):
                mentions.append([e, None])
                continue
            if e.label_ in ("PERSON", "GPE", "ORG") and (e.label_ == "PERSON" or len(name.split()) == 1):
                pending.append((e, name, len(mentions)))
                mentions.append([e, None])
                continue
            if e.label_ == "NORP":
                mentions.append([e, None])
                continue
            kind = model.ORGANIZATION if e.label_ == "ORG" else model.PLACE
            add(name, kind, None)
            mentions.append([e, name])

        self._resolve_people(doc, pending, mentions, entities, add, alias)
        self._attach_roles(doc, st.get("roles", []), mentions, entities)
        self._known_people(doc, entities, mentions)
        for rec in entities.values():  # "Arafat's adviser X": Arafat's country
            owner = entities.get(rec.pop("patron", None) or "")
            if owner and not rec["country"] and not rec.get("international") and owner["country"]:
                rec["country"] = owner["country"]
                for role in rec["roles"]:
                    role["country"] = role["country"] or owner["country"]
        st["mentions"] = mentions
        st["entities"] = entities
        return doc

    def _honorific_alias(self, doc: Doc, e: Span, rec: dict[str, Any]) -> None:
        """Record "Ambassador Sadiq" when an honorific stands right before the name."""
        stripped, _ = self.strip_name(e)
        surface = e.text
        for p in POSSESSIVE_ENDINGS[:2]:
            surface = surface.removesuffix(p)
        surface = " ".join(surface.split())
        if surface != stripped and surface != rec["name"] and surface not in rec["aliases"]:
            rec["aliases"].append(surface)
        k = e.start - 1
        n = honorific_len_before(self.res, doc, k)  # one honorific unit only
        k -= n
        if k + 1 < e.start:
            stripped, _ = self.strip_name(e)
            surface = " ".join(f"{doc[k + 1:e.start].text} {stripped}".split())
            if surface != rec["name"] and surface not in rec["aliases"]:
                rec["aliases"].append(surface)

    def _resolve_people(self, doc, pending, mentions, entities, add, alias) -> None:
        """Full names first; then short forms that match exactly one longer person name."""
        people = {n for n, r in entities.items() if r["kind"] == model.PERSON}
        full = [(e, n, i) for e, n, i in pending if e.label_ == "PERSON" and len(n.split()) >= 2]
        for e, name, i in full:
            people.add(name)
        # longer names first, so that a short full form written before the longest one ("John
        # Smith" ... "John Henry Smith") finds it among the entities
        for e, name, i in sorted(pending, key=lambda p: -len(p[1].split())
                                  if p[0].label_ == "PERSON" and len(p[1].split()) >= 2 else 0):
            toks = name.split()
            if e.label_ == "PERSON" and len(toks) >= 2:
                cands = [p for p in people if p != name and _is_short_form(toks, p.split())]
                if len(cands) == 1 and cands[0] in entities:
                    target = cands[0]
                else:
                    target = name
            else:
                cands = [p for p in people if _is_short_form(toks, p.split())]
                if not cands and len(toks) == 1:
                    # family name first ("Xi", "Li" for Li Qiang) or an Arabic given name
                    # ("Sheikh Abdullah" for Abdullah bin Zayed Al Nahyan)
                    cands = [p for p in people if p.split()[0] == toks[0] and len(p.split()) >= 2
                             and (entities.get(p, {}).get("country") in FAMILY_NAME_FIRST
                                  or any(w in ("bin", "ibn", "bint") for w in p.split()))]
                if len(cands) > 1:
                    continue  # ambiguous: left unresolved rather than guessed
                if not cands:
                    if e.label_ == "PERSON":
                        target = name
                    else:  # an unknown one-word place or organisation
                        add(name, model.ORGANIZATION if e.label_ == "ORG" else model.PLACE, None)
                        mentions[i][1] = name
                        continue
                else:
                    target = cands[0]
            rec = add(target, model.PERSON, None)
            alias(rec, name)
            self._honorific_alias(doc, e, rec)
            mentions[i][1] = target

    @staticmethod
    def _countries_near(doc: Doc, mentions: list[list[Any]], names: set[str]) -> dict[str, set[str]]:
        """For each person of ``names``: the countries named by a country name or nationality
        word in a sentence that mentions them."""
        if not doc.has_annotation("SENT_START"):
            return {}
        by_sent: dict[int, set[str]] = {}
        for e, _ in mentions:
            parsed = parse_entity_id(e.id_)
            if parsed and parsed[0] in ("country", "demonym") and parsed[2]:
                by_sent.setdefault(e.sent.start, set()).add(parsed[2])
        out: dict[str, set[str]] = {}
        for e, name in mentions:
            if name in names:
                out.setdefault(name, set()).update(by_sent.get(e.sent.start, ()))
        return out

    def _known_people(self, doc: Doc, entities: dict[str, dict[str, Any]],
                      mentions: list[list[Any]] | None = None) -> None:
        """People the text does not place get their country (and, without a title in the
        text, their role) from the actor dictionary on the article's date
        (:mod:`analysis.extract.actors`)."""
        # an international official serves no state: no country from the dictionary or the story
        for r in entities.values():
            if r.get("country") or r.get("international"):
                r.pop("fallback", None)
        people = [r for r in entities.values() if r["kind"] == model.PERSON and not r["country"]
                  and not r.get("international")]
        if not people:
            return
        from analysis.extract.actors import get_actors

        actors = get_actors()
        date = getattr(doc._, "published", None)
        named = {r["country"] for r in entities.values()
                 if r["kind"] in (model.COUNTRY, model.PLACE) and r["country"]}
        near = self._countries_near(doc, mentions or [], {r["name"] for r in people})
        for rec in people:
            titled = any(r["title"] and norm(r["title"]) not in self.non_political for r in rec["roles"])
            forms = [rec["name"]] + [a for a in rec["aliases"] if len(a.split()) > len(rec["name"].split())]
            match = next((m for m in (actors.resolve(f, date, titled=titled, countries_named=named,
                                                     countries_near=near.get(rec["name"], set()))
                                      for f in forms) if m), None)
            fallback = rec.pop("fallback", None)
            if match is None:
                self._home_office(doc, rec, named, mentions or [], near.get(rec["name"], set()))
                if not rec["country"] and fallback:
                    rec["country"] = fallback
                    for role in rec["roles"]:
                        role["country"] = role["country"] or fallback
                continue
            rec["country"] = match.country
            for role in rec["roles"]:
                role["country"] = role["country"] or match.country
            if not rec["roles"] and match.role:
                rec["roles"].append(dict(match.role))

    def _home_office(self, doc: Doc, rec: dict[str, Any], named: set[str],
                     mentions: list[list[Any]], near: set[str] = frozenset()) -> None:
        """A person holding an office at home ("minister", "governor", "senator"; not "foreign
        minister", "ambassador") in an article that names one country only, with no sentence
        naming them telling of travel, holds it in that country: a reader takes "minister Jane
        Roe" in a story on Norway's budget for a Norwegian minister.

        Under a dateline ("WARSAW 1996-12-06", "KABUL (Reuters) -") wire copy names a visiting
        official with their nationality, so an office held at home without one (a foreign
        minister too: ``dateline_abroad_ok``) is the dateline country's, unless the sentences
        naming the person name other countries and not that one."""
        words = [set(norm(r["title"]).replace("-", " ").split()) for r in rec["roles"] if r["title"]]
        if not any(w & self.home_office for w in words):
            # under a dateline, a state body's staff ("presidential spokesman X", "police
            # spokesman Y") or a speaker or judge (titles.json dateline_state_staff)
            if len(named) == 1 or not self._state_staff(doc, rec, mentions):
                return
        if len(named) == 1:
            if any(w & self.abroad_office for w in words):
                return
            country = next(iter(named))
        else:
            country = self._dateline_country(doc)
            if not country or any(w & (self.abroad_office - self.dateline_abroad_ok) for w in words) \
                    or near and country not in near:
                return
        for e, name in mentions:
            if name == rec["name"] and self._travels(e):
                return
        rec["country"] = country
        for role in rec["roles"]:
            role["country"] = role["country"] or country

    def _state_staff(self, doc: Doc, rec: dict[str, Any], mentions: list[list[Any]]) -> bool:
        """Whether the text gives the person a ``dateline_state_staff`` title: one of its
        ``offices`` ("speaker", "judge"), or one of its ``staff`` nouns ("spokesman") with a
        ``state_words`` word among the three words before it ("presidential", "police",
        "opposition"), never a firm's spokesman."""
        spans = {(m[0].start, m[0].end) for m in mentions if m[1] == rec["name"]}
        for r in state(doc).get("roles", []):
            if not r.get("title") or not r.get("title_span") or tuple(r["person"]) not in spans:
                continue
            title = norm(r["title"])
            if title in self.staff_offices:
                return True
            start = r["title_span"][0]
            if title in self.staff_nouns and any(
                    t.lower_ in self.staff_state_words for t in doc[max(0, start - 3):start]):
                return True
        return False

    def _dateline_country(self, doc: Doc) -> str | None:
        """The country of the article's dateline: a place in capitals and a date on a line of
        its own ("PRAGUE 1996-12-06") or a paragraph opening with a place and a dash ("KABUL
        (Reuters) -"), among the body's first lines."""
        from analysis.extract.gazetteer import dated_line

        st = state(doc)
        offset = st.get("offset", 0) or 0
        first = next((t.i for t in doc if t.idx >= offset), 0) if offset else 0
        line = dated_line(doc, first)
        if line:
            return line[4]
        for s in [s for s, _ in st.get("datelines", []) if s >= first][:1]:
            ent = next((e for e in doc.ents if e.start == s), None)
            parsed = parse_entity_id(ent.id_) if ent is not None else None
            if parsed and parsed[0] in ("place", "country") and parsed[2]:
                return parsed[2]
        return None

    def _travels(self, e: Span) -> bool:
        """Whether the sentence of mention ``e`` may tell of that person's travel: a travel word
        the name depends on ("Minister X arrived"), or one owned by a possessive pronoun or the
        name ("during his visit"); without a parse, any travel word in the sentence."""
        doc = e.doc
        sent = e.sent if doc.has_annotation("SENT_START") else doc[:]
        words = [t for t in sent if t.lower_ in self.travel_words]
        if not words:
            return False
        if not doc.has_annotation("DEP"):
            return True
        ancestors = {a.i for a in e.root.ancestors} | {e.root.i}
        for w in words:
            if w.i in ancestors or any(c.dep_ == "poss" and (c.i in range(e.start, e.end) or
                                                             c.lower_ in ("his", "her"))
                                       for c in w.children):
                return True
        return False

    @staticmethod
    def _attach_roles(doc, roles, mentions, entities) -> None:
        by_span = {(m[0].start, m[0].end): m[1] for m in mentions if m[1]}
        sents = {s.start: s for s in doc.sents} if doc.has_annotation("SENT_START") else {}
        for r in roles:
            name = by_span.get(r["person"])
            if not name or name not in entities:
                continue
            rec = entities[name]
            if r.get("intl"):  # "UN High Commissioner X": an international official
                rec["international"] = True
            if r["title"] is None and r.get("patron"):  # "Arafat's adviser X": the adviser
                owner = by_span.get(r["patron"])  # takes Arafat's country if nothing else
                if owner and owner != name:  # gives one (_known_people)
                    rec.setdefault("patron", owner)
                continue
            if r["title"] is None and r.get("weak"):  # "Labour MP X": unless the dictionary
                rec.setdefault("fallback", r["country"])  # knows X (_known_people)
                continue
            if r["title"] is None:  # a country only: "Britain's Tony Blair"
                rec["country"] = rec["country"] or r["country"]
                continue
            sent = sents.get(r["sent_start"])
            evidence = sent.text.strip() if sent is not None else doc.text.strip()
            rec["roles"].append({"title": r["title"], "country": r["country"],
                                 "evidence": evidence,
                                 "at": sent.start_char if sent is not None else 0})
            if rec["country"] is None and r["country"]:
                rec["country"] = r["country"]
        body = state(doc).get("offset", 0)  # a headline analysed before the body
        for rec in entities.values():
            seen, kept = set(), []
            # body evidence first, then in text order
            for role in sorted(rec["roles"], key=lambda r: (r.pop("at") < body, 0)):
                if role["country"] is None:
                    role["country"] = rec["country"]
                key = (norm(role["title"]), role["country"])
                if key not in seen:
                    seen.add(key)
                    kept.append(role)
            rec["roles"] = kept


def _is_short_form(short: list[str], full: list[str]) -> bool:
    """"Sadiq" / "Mohammad Sadiq" -> True; "Khalil Haqqani" / "Khalil Rahman Haqqani" -> True
    (same first and last token, in order); "Haqqani" / "Sirajuddin Haqqani" -> True."""
    if len(short) >= len(full):
        return False
    if len(short) == 1:
        return short[0] == full[-1]
    if full[: len(short)] == short and len(short) >= 3:
        return True  # "Abdullah bin Zayed" / "Abdullah bin Zayed Al Nahyan"
    if short[0] != full[0] or short[-1] != full[-1]:
        return False
    it = iter(full)
    return all(tok in it for tok in short)


@Language.factory("chancery_entities")
def make_entities(nlp: Language, name: str) -> EntityResolver:
    """Factory for :class:`EntityResolver` with the default resources."""
    return EntityResolver(nlp)
