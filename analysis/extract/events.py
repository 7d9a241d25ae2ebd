"""Component ``chancery_events``: visits, meetings, statements and attacks, each with the
sentence that shows it.

Trigger and marker words are data (``analysis/resources/events.json``, every key of which is
read: :func:`check_rules` refuses an unknown or a missing one); event kinds, statuses, entity
kinds and CAMEO codes come from :mod:`analysis.model`. Dependency labels and part-of-speech
tags are grammar and stay here. The roles around a trigger come from the dependency parse:

- visit verbs ("visited Kabul", "arrived in Islamabad", "were received ... in Kabul"): the
  traveller is the subject (a person, or a country through "Chinese President ...", or a
  country), the destination the object or the object of the listed preposition;
- visit nouns ("his visit to Afghanistan", "Rice began a trip to Turkey");
- host verbs ("Putin hosted Bush"): CAMEO 043;
- meetings: a meeting word with two named people in the sentence; a meeting during an
  occurred visit inherits its place and date;
- statements: a quotation with a speech verb and its speaker; attacks: an attack word with a
  named target or perpetrator.

Precision first: no visit without a named visitor (person or country) and a destination whose
country is known; a dateline city ("KABUL (Reuters) -") is never a destination; negated
visits are dropped; "will/plans to/is expected to" make it planned, "cancel/postpone" and
phrasal verbs such as "called off"/"put off" (the verb with its particle) cancelled.
Without a dependency parse (``spacy.blank``) a simple adjacency rule stands in.
"""
from __future__ import annotations

import re
import threading
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from analysis import model
from analysis.extract.dates import resolve_date, resolve_month, resolve_period
from analysis.extract.gazetteer import dated_line
from analysis.extract.resources import Resources, get_resources
from analysis.extract.titles import ensure_extensions, state

QUOTE_RE = re.compile(r"[“\"]([^”\"]{15,})[”\"]")
SUBJ = ("nsubj", "nsubjpass")
BLOCK = {"relcl", "acl", "advcl", "ccomp", "prep", "agent"}
#: CAMEO variants of ``analysis/resources/model.json`` the rules use beside the status ones.
DEFAULT, HOSTED, THIRD_LOCATION = "default", "hosted", "third_location"

#: Every key of ``events.json`` this module reads: loading fails on any other key, and on a
#: missing one (:func:`check_rules`). ``_about`` describes the file for people.
TOP_KEYS = frozenset({
    "_about", "visit", "host", "meet", "statement", "attack", "planned_markers",
    "planned_when_words", "planned_when_auxiliaries", "planned_date_words", "cancelled_markers",
    "negation", "visitor_nouns", "visitor_origin_preps", "capital_metonyms", "seat_places", "pronouns", "dateline_followers", "dateline_agency_openers", "negative_polarity_determiners",
    "talks", "agreement", "ceasefire", "parties", "mediation", "background", "undating_preps",
})
#: The keys of each rule object.
RULE_KEYS = {
    "visit": frozenset({"verbs", "nouns", "noun_dest_preps", "noun_agent_preps", "noun_of_preps",
                        "noun_of_destination", "noun_support_verbs", "dobj_modifier_prefixes",
                        "dobj_site_preps", "noun_occasion_preps", "visiting_words",
                        "arrival_complements", "arrival_copulas", "arrival_preps",
                        "speech_place_verbs"}),
    "host": frozenset({"verbs", "place_preps"}),
    "meet": frozenset({"verbs", "nouns", "third_location_words", "present_words", "host_words",
                       "reciprocal_verbs", "participant_preps", "holder_participant_preps",
                       "place_preps", "where_words", "relative_pronouns", "plural_possessives",
                       "not_participant_after", "occasion_preps", "elsewhere_preps",
                       "anaphoric_places", "anaphoric_place_adverbs", "present_phrases",
                       "participation_verbs", "participation_in_verbs", "attendance_nouns",
                       "occasion_part_nouns", "plural_pronouns", "remote_words"}),
    "statement": frozenset({"verbs"}),
    "attack": frozenset({"nouns", "verbs", "target_preps", "perpetrator_preps", "cameo_variants"}),
    "talks": frozenset({"nouns", "round_nouns", "party_nouns"}),
    "agreement": frozenset({"nouns", "verbs"}),
    "ceasefire": frozenset({"nouns", "verbs"}),
    "parties": frozenset({"preps", "place_preps", "leader_verbs", "leader_preps", "member_verbs",
                           "member_window"}),
    "mediation": frozenset({"verbs", "nouns", "agent_preps"}),
    "background": frozenset({"auxiliaries", "words", "governors"}),
}
#: The keys of one visit verb (``visit.verbs.<verb>``); the optional ones may be left out.
VISIT_VERB_KEYS = frozenset({"forms", "dest", "passive_only", "person_only", "origin",
                             "home_origin_dateline", "person_object"})
VISIT_VERB_OPTIONAL = frozenset({"passive_only", "person_only", "origin", "home_origin_dateline",
                                 "person_object"})


class RulesError(ValueError):
    """``events.json`` has a key the code does not read, or lacks one it needs."""


def _check_keys(where: str, obj: Any, keys: frozenset[str], optional: frozenset[str] = frozenset()) -> None:
    if not isinstance(obj, dict):
        raise RulesError(f"events.json: {where} is not an object")
    unknown = sorted(set(obj) - keys)
    if unknown:
        raise RulesError(f"events.json: {where} has keys the extractor does not read: {', '.join(unknown)}")
    missing = sorted(keys - optional - set(obj))
    if missing:
        raise RulesError(f"events.json: {where} lacks {', '.join(missing)}")


def check_rules(ev: dict[str, Any]) -> None:
    """Raise :class:`RulesError` unless ``ev`` (parsed ``events.json``) has exactly the keys of
    :data:`TOP_KEYS`, :data:`RULE_KEYS` and :data:`VISIT_VERB_KEYS`, and its attack words map to
    CAMEO variants the model knows."""
    _check_keys("the file", ev, TOP_KEYS)
    for rule, keys in RULE_KEYS.items():
        _check_keys(rule, ev[rule], keys)
    for verb, spec in ev["visit"]["verbs"].items():
        _check_keys(f"visit.verbs.{verb}", spec, VISIT_VERB_KEYS, VISIT_VERB_OPTIONAL)
    known = model.cameo_variants(model.ATTACK)
    for word, variant in ev["attack"]["cameo_variants"].items():
        if variant not in known:
            raise RulesError(f"events.json: attack.cameo_variants: {word!r} -> {variant!r} is no "
                             f"CAMEO variant of {model.ATTACK!r} in model.json")


def cameo_code(kind: str, variant: str = DEFAULT) -> str:
    """``model.cameo(kind, variant)``, refusing a variant the model does not list (where
    :func:`analysis.model.cameo` would fall back to the kind's default)."""
    if variant not in model.cameo_variants(kind):
        raise model.ModelError(f"model.json: event kind {kind!r} has no CAMEO variant {variant!r}")
    return model.cameo(kind, variant)


class EventExtractor:
    """See the module docstring."""

    def __init__(self, nlp: Language, resources: Resources | None = None) -> None:
        ensure_extensions()
        self._lock = threading.Lock()
        self._res = resources
        ev = (resources or get_resources()).events
        check_rules(ev)
        visit, host, meet, attack = ev["visit"], ev["host"], ev["meet"], ev["attack"]
        self.visit_verbs: dict[str, dict[str, Any]] = {}
        for spec in visit["verbs"].values():
            for form in spec["forms"]:
                self.visit_verbs[form] = spec
        self.visit_nouns = set(visit["nouns"])
        self.noun_preps = set(visit["noun_dest_preps"])
        self.noun_agent_preps = set(visit["noun_agent_preps"])
        self.noun_of_preps = set(visit["noun_of_preps"])
        self.support = set(visit["noun_support_verbs"])
        self.of_dest = set(visit["noun_of_destination"])
        self.dobj_modifiers = tuple(visit["dobj_modifier_prefixes"])
        self.site_preps = set(visit["dobj_site_preps"])
        self.noun_occasion_preps = set(visit["noun_occasion_preps"])
        self.visiting_words = set(visit["visiting_words"])
        self.arrival_complements = set(visit["arrival_complements"])
        self.be_forms, self.be_dest = set(visit["arrival_copulas"]), list(visit["arrival_preps"])
        self.speech_place_verbs = set(visit["speech_place_verbs"])
        self.host_verbs = set(host["verbs"])
        self.host_place_preps = set(host["place_preps"])
        self.meet_words = set(meet["verbs"]) | set(meet["nouns"])
        self.third = set(meet["third_location_words"])
        self.present = set(meet["present_words"])
        self.meet_host_words = set(meet["host_words"])
        self.reciprocal = set(meet["reciprocal_verbs"])
        self.with_preps = set(meet["participant_preps"])
        self.holder_with_preps = set(meet["holder_participant_preps"])
        self.meet_place_preps = set(meet["place_preps"])
        self.where_words = set(meet["where_words"])
        self.remote = set(meet["remote_words"])
        self.relative_pronouns = set(meet["relative_pronouns"])
        self.plural_possessives = set(meet["plural_possessives"])
        self.plural_pronouns = set(meet["plural_pronouns"])
        self.occasion_preps = set(meet["occasion_preps"])
        self.elsewhere_preps = set(meet["elsewhere_preps"])
        self.anaphoric_places = set(meet["anaphoric_places"])
        self.anaphoric_place_adverbs = set(meet["anaphoric_place_adverbs"])
        self.present_phrases = [tuple(p.lower().split()) for p in meet["present_phrases"]]
        self.participation_verbs = set(meet["participation_verbs"])
        self.attendance_nouns = set(meet["attendance_nouns"])
        self.occasion_parts = set(meet["occasion_part_nouns"])
        self.participation_in: dict[str, list[tuple[str, ...]]] = {}
        for phrase in meet["participation_in_verbs"]:
            first, *rest = phrase.lower().split()
            self.participation_in.setdefault(first, []).append(tuple(rest))
        self.not_participant_after = [tuple(p.lower().split()) for p in meet["not_participant_after"]]
        self.say = set(ev["statement"]["verbs"])
        self.attack_nouns = set(attack["nouns"])
        self.attack_verbs = set(attack["verbs"])
        self.perpetrator_preps = set(attack["perpetrator_preps"])
        self.attack_preps = set(attack["target_preps"]) | self.perpetrator_preps
        self.planned = set(ev["planned_markers"])
        self.when_words = set(ev["planned_when_words"])
        self.when_auxiliaries = set(ev["planned_when_auxiliaries"])
        self.planned_date_words = set(ev["planned_date_words"])
        # a one-word marker is compared with a token; a phrasal verb ("called off") is its verb
        # form -> the words that must complete it (see _cancels)
        self.cancelled: set[str] = set()
        self.cancel_phrases: dict[str, list[tuple[str, ...]]] = {}
        for marker in ev["cancelled_markers"]:
            first, *rest = marker.lower().split()
            if rest:
                self.cancel_phrases.setdefault(first, []).append(tuple(rest))
            else:
                self.cancelled.add(first)
        self.cancel_particles = {w for rests in self.cancel_phrases.values() for r in rests for w in r}
        self.negation = set(ev["negation"])
        self.negative_polarity = set(ev["negative_polarity_determiners"])
        self.visitor_nouns = set(ev["visitor_nouns"])
        self.visitor_origin_preps = set(ev["visitor_origin_preps"])
        from analysis import config
        from analysis.extract.nerfix import read_places

        #: capitals that stand for their government ("Washington's top negotiator")
        self.capitals = {n for n, (kind, _) in read_places(config.RESOURCES / "nerfix_places.tsv").items()
                         if kind == "capital"} | set(ev["capital_metonyms"])
        self.pronouns = set(ev["pronouns"])
        self.seats = {k.lower(): tuple(v) for k, v in ev["seat_places"].items()}
        self.dateline_followers = set(ev["dateline_followers"])
        self.dateline_agency = set(ev["dateline_agency_openers"])
        # CAMEO codes from the model (analysis/resources/model.json)
        self.visit_codes = {model.PLANNED: cameo_code(model.VISIT, model.PLANNED),
                            DEFAULT: cameo_code(model.VISIT), HOSTED: cameo_code(model.VISIT, HOSTED)}
        self.meeting_codes = {model.PLANNED: cameo_code(model.MEETING, model.PLANNED),
                              DEFAULT: cameo_code(model.MEETING),
                              THIRD_LOCATION: cameo_code(model.MEETING, THIRD_LOCATION)}
        self.statement_code = cameo_code(model.STATEMENT)
        self.attack_codes = {w: cameo_code(model.ATTACK, v) for w, v in attack["cameo_variants"].items()}
        self.attack_default = cameo_code(model.ATTACK)
        talks, agreement, ceasefire = ev["talks"], ev["agreement"], ev["ceasefire"]
        self.talks_nouns = set(talks["nouns"])
        self.round_nouns = set(talks["round_nouns"])
        self.party_nouns = set(talks["party_nouns"])
        self.agreement_nouns = set(agreement["nouns"])
        self.agreement_verbs = set(agreement["verbs"])
        self.ceasefire_nouns = set(ceasefire["nouns"])
        self.ceasefire_verbs = set(ceasefire["verbs"])
        parties, mediation, background = ev["parties"], ev["mediation"], ev["background"]
        self.party_preps = set(parties["preps"])
        self.party_place_preps = set(parties["place_preps"])
        self.leader_verbs = set(parties["leader_verbs"])
        self.leader_preps = set(parties["leader_preps"])
        self.member_verbs = set(parties["member_verbs"])
        self.member_window = int(parties["member_window"])
        self.mediation_verbs = set(mediation["verbs"])
        self.mediation_nouns = set(mediation["nouns"])
        self.mediation_preps = set(mediation["agent_preps"])
        self.background_aux = set(background["auxiliaries"])
        self.background_words = set(background["words"])
        self.background_governors = set(background["governors"])
        self.undating_preps = set(ev["undating_preps"])
        self.kind_codes = {k: {model.PLANNED: cameo_code(k, model.PLANNED), DEFAULT: cameo_code(k)}
                           for k in (model.TALKS, model.AGREEMENT, model.CEASEFIRE)}

    # -- entity lookups --------------------------------------------------------------------
    def _index(self, doc: Doc) -> None:
        st = state(doc)
        self.ents = st.get("entities", {})
        self.tok: dict[int, tuple[Span, str | None]] = {}
        for span, name in st.get("mentions", []):
            for t in range(span.start, span.end):
                self.tok[t] = (span, name)
        # a title linked to a named person stands for that person ("Special Representative
        # for Afghanistan Mohammad Sadiq held talks")
        for r in st.get("roles", []):
            hit = self.tok.get(r["person"][0])
            if r.get("title_span") and hit and hit[1]:
                for t in range(*r["title_span"]):
                    if t not in self.tok or not self.tok[t][1]:
                        self.tok[t] = hit

    def rec_at(self, tok: Token) -> dict[str, Any] | None:
        hit = self.tok.get(tok.i)
        if hit and hit[1]:
            return self.ents.get(hit[1])
        return None

    def _person_near(self, doc: Doc, before: int, sent_start: int) -> str | None:
        """The last person who was a grammatical subject before token ``before`` (same or the
        previous sentences), else the last person mentioned in the sentence."""
        fallback = None
        clause_subject = None  # a relative clause's subject: the main clause's wins in its sentence
        for i in range(before - 1, max(-1, sent_start - 80), -1):
            if clause_subject and doc[i].sent.start != clause_subject[1]:
                return clause_subject[0]
            rec = self.rec_at(doc[i])
            if rec and rec["kind"] == model.PERSON:
                head = doc[self.tok[i][0].end - 1]
                subj = doc[i] if doc[i].dep_ in SUBJ else head if head.dep_ in SUBJ else None
                if subj is not None and subj.head.dep_ == "relcl":
                    # "A, whom B sent to the talks, met C. He ...": he is A, not B
                    clause_subject = clause_subject or (rec["name"], doc[i].sent.start)
                    continue
                if subj is not None:
                    return rec["name"]
                if fallback is None and i >= sent_start:
                    fallback = rec["name"]
        return clause_subject[0] if clause_subject else fallback

    def actor(self, doc: Doc, tok: Token, sent: Span) -> tuple[str | None, str | None]:
        """(name, country) of the actor a subject/possessor token stands for."""
        if tok.lower_ in self.pronouns:
            before = [self.rec_at(doc[i]) for i in range(sent.start, tok.i)]
            before = [r for r in before if r and r["kind"] == model.PERSON]
            root_subj = [c for c in sent.root.children if c.dep_ in SUBJ]
            if tok.dep_ == "poss" and not before and root_subj:
                rec = self.rec_at(root_subj[0])
                if rec and rec["kind"] == model.PERSON:
                    return rec["name"], rec["country"]
            if tok.dep_ == "poss" and before:
                return before[-1]["name"], before[-1]["country"]
            name = self._person_near(doc, tok.i, sent.start)
            return (name, self.ents[name]["country"]) if name else (None, None)
        rec = self.rec_at(tok)
        if rec and rec["kind"] == model.PERSON:
            return rec["name"], rec["country"]
        if rec and rec["kind"] == model.COUNTRY:
            return rec["name"], rec["country"]
        # a title or a noun: "Pakistan’s Special Representative ..., Ambassador Mohammad Sadiq"
        stack = [(tok, False)]
        while stack:  # "Special Representative ..., Ambassador Mohammad Sadiq, and ..."
            t, owner = stack.pop(0)
            r = self.rec_at(t)
            if r and r["kind"] == model.PERSON:
                if owner:
                    continue  # "the Dalai Lama's envoy arrived": the envoy travelled, not he
                return r["name"], r["country"]
            stack.extend((c, owner or c.dep_ == "poss") for c in t.children
                         if c.dep_ in ("appos", "conj", "compound")
                         or (c.dep_ == "poss" and t.lower_ in self.visitor_nouns))
        holder = self._title_holder(doc, tok)
        if holder:  # "Prime Minister X said ... The prime minister flew to Washington"
            return holder, self.ents[holder]["country"]
        if tok.lower_ in self.visitor_nouns:
            # "a delegation led by Chairman Mahmoud Abbas": its leader travels with it
            leaders = [p for p in self._persons(tok) if self.ents.get(p, {}).get("kind") == model.PERSON]
            if leaders:
                return leaders[0], self.ents[leaders[0]]["country"]
            for c in tok.children:
                r = self.rec_at(c)
                if c.dep_ in ("poss", "amod", "compound", "nmod") and r and r["kind"] in (
                        model.COUNTRY, model.ORGANIZATION):
                    return r["name"], r["country"]
                if c.dep_ == "prep" and c.lower_ in self.visitor_origin_preps:
                    for p in c.children:  # "a delegation from North Korea"
                        r = self.rec_at(p)
                        if p.dep_ == "pobj" and r and r["kind"] == model.COUNTRY:
                            return r["name"], r["country"]
                if c.dep_ == "poss" and r and r["kind"] == model.PLACE and r["country"] \
                        and r["name"] in self.capitals:  # "Washington's top negotiator"
                    gaz = getattr(self._res, "gazetteer", None) or get_resources().gazetteer
                    name = gaz.country_name(r["country"]) or r["country"]
                    self.ents.setdefault(name, {"name": name, "kind": model.COUNTRY,
                                                "country": r["country"], "aliases": [],
                                                "roles": [], "implied": True})  # an entity
                    return name, r["country"]
        return None, None

    def _title_holder(self, doc: Doc, tok: Token) -> str | None:
        """"The prime minister", "the foreign secretary" as a subject: the one person named
        before it in the article whose role has that title (not when two have it, nor when the
        phrase has a country, a name or anything but the article and the title's words)."""
        if tok.lower_ not in self.visitor_nouns or tok.pos_ not in ("NOUN", "PROPN") or self.rec_at(tok):
            return None
        words = []
        for c in tok.children:
            if c.dep_ == "det" and c.lower_ == "the" and c.i < tok.i:
                continue
            if c.dep_ in ("compound", "amod") and c.i < tok.i and not self.rec_at(c) and c.is_alpha:
                words.append(c.lower_)
                continue
            return None
        if not any(c.dep_ == "det" for c in tok.children):
            return None
        phrase = [*words, tok.lower_]
        holders = set()
        for t in range(0, tok.i):
            rec = self.rec_at(doc[t])
            if rec and rec["kind"] == model.PERSON and any(
                    r.get("title") and r["title"].lower().split()[-len(phrase):] == phrase
                    and len(r["title"].split()) <= len(phrase) + 1 for r in rec.get("roles", [])):
                holders.add(rec["name"])
        # anyone the text writes right after those words counts too ("... met Foreign Minister B")
        for span, name in state(doc).get("mentions", []):
            if name and span.start < tok.i and self.ents.get(name, {}).get("kind") == model.PERSON \
                    and ([t.lower_ for t in doc[max(0, span.start - len(phrase)):span.start]] == phrase
                         or [t.lower_ for t in doc[span.start:span.start + len(phrase)]] == phrase):
                holders.add(name)  # the words before the name, or opening its mention
        return next(iter(holders)) if len(holders) == 1 else None

    def place_of(self, tok: Token, dateline: set[int]) -> tuple[str | None, str | None] | None:
        """(place name or None, ISO3) for a token inside a place or country entity."""
        if tok.i in dateline:
            return None
        rec = self.rec_at(tok)
        if rec is None or rec["kind"] not in (model.COUNTRY, model.PLACE):
            return self._seat(tok)
        if rec["kind"] == model.COUNTRY:
            return None, rec["country"]
        if rec["kind"] == model.PLACE and rec["country"]:
            return rec["name"], rec["country"]
        return None

    def _seat(self, tok: Token) -> tuple[str, str] | None:
        """(city, ISO3) of a seat of government or a leader's residence a token heads ("at
        the White House", "at the Kremlin", "in Downing Street": ``seat_places``), else None."""
        if not self.seats or not tok.text[:1].isupper():
            return None
        words = [t for t in tok.subtree if t.i <= tok.i and (t.i == tok.i or t.dep_ in ("compound", "amod"))]
        return self.seats.get(" ".join(t.text for t in words).lower())

    # -- status and dates ------------------------------------------------------------------
    def _cancels(self, t: Token) -> bool:
        """Whether ``t`` is a cancelled marker: a one-word one ("postponed"), or the verb of a
        phrasal one whose other words are its children (its particle wherever it stands:
        "called off the visit", "called the visit off") or the tokens right after it."""
        return t.lower_ in self.cancelled or self._cancel_phrase(t)

    def _cancel_phrase(self, verb: Token) -> bool:
        for rest in self.cancel_phrases.get(verb.lower_, ()):
            kids = {c.lower_ for c in verb.children}
            if all(w in kids for w in rest):
                return True
            if tuple(t.lower_ for t in verb.doc[verb.i + 1:verb.i + 1 + len(rest)]) == rest:
                return True
        return False

    def status(self, trig: Token) -> str | None:
        """occurred | planned | cancelled (the model's statuses), or None when negated; see
        :meth:`status_of`."""
        return self.status_of(trig)[0]

    def status_of(self, trig: Token) -> tuple[str | None, str | None]:
        """(status, the words that decided it or None).

        Only the trigger and the verb that governs it count: "will visit", "plans to visit",
        "is expected to arrive", "an upcoming visit", "will pay a visit"; "cancelled/postponed
        the visit", "called off/put off the trip"; "did not visit" is dropped."""
        doc = trig.doc

        def words(a: Token, b: Token) -> str:
            return doc[min(a.i, b.i):max(a.i, b.i) + 1].text

        gov = trig.head if trig.head.i != trig.i else None
        verbal = trig.pos_ in ("VERB", "AUX")
        for t in (trig, gov):
            if t is not None and self._cancels(t):
                return model.CANCELLED, self._cancel_words(t)
        # "calls off the visit" parsed with "off" as a preposition over the trigger
        if gov is not None and gov.lower_ in self.cancel_particles and gov.head.i != gov.i \
                and self._cancel_phrase(gov.head):
            return model.CANCELLED, words(gov.head, gov)
        carrier = trig if verbal else (gov if gov is not None and trig.dep_ in (
            "dobj", "nsubjpass", "nsubj", "attr") else None)
        if carrier is not None and any(c.dep_ == "neg" for c in carrier.children):
            return None, None
        if not verbal:
            # "no meeting has been set"; "not aware of any meetings between A and B"
            dets = {c.lower_ for c in trig.children if c.dep_ == "det"}
            if dets & self.negation or dets & self.negative_polarity and any(
                    c.dep_ == "neg" or c.lower_ in self.negation
                    for a in list(trig.ancestors)[:4] for c in a.children):
                return None, None
        if not verbal:
            for c in trig.children:
                if c.dep_ in ("amod", "compound") and c.lower_ in self.planned:
                    return model.PLANNED, c.text
        for t in ([trig] if verbal else []) + ([carrier] if carrier is not None and carrier.i != trig.i else []):
            for c in t.children:
                if c.dep_ in ("aux", "auxpass") and c.lower_ in self.planned:
                    return model.PLANNED, words(c, t)
            if t.dep_ in ("xcomp", "ccomp") and t.head.lower_ in self.planned:
                return model.PLANNED, words(t.head, t)
            if t.lower_ in self.planned:
                return model.PLANNED, t.text
        if verbal and trig.dep_ == "advcl" and any(c.dep_ == "advmod" and c.lower_ in self.when_words
                                                   for c in trig.children):
            for c in trig.head.children:
                if c.dep_ == "aux" and c.lower_ in self.when_auxiliaries:
                    return model.PLANNED, words(c, trig.head)  # "... will top the agenda when Zapatero welcomes Chirac"
        if trig.dep_ == "conj" and trig.head.i != trig.i and trig.head.pos_ in ("VERB", "AUX"):
            head = self.status_of(trig.head)
            if head[0] == model.PLANNED:
                return head  # "is to address Congress as well as meeting Bush"
        for e in trig.sent.ents:
            if e.label_ == "DATE" and trig.left_edge.i <= e.start < trig.right_edge.i + 1 and \
                    e[0].lower_ in self.planned_date_words:
                return model.PLANNED, e.text
        return model.default_status(), None

    def _cancel_words(self, t: Token) -> str:
        if t.lower_ in self.cancelled:
            return t.text
        for rest in self.cancel_phrases.get(t.lower_, ()):
            if all(w in {c.lower_ for c in t.children} for w in rest) or \
                    tuple(x.lower_ for x in t.doc[t.i + 1:t.i + 1 + len(rest)]) == rest:
                return " ".join([t.text, *rest])
        return t.text

    # -- background mentions -----------------------------------------------------------------
    def clause_verb(self, trig: Token) -> Token:
        """The trigger if it is a verb, else the first verb above it (the sentence root at most)."""
        t = trig
        while t.pos_ not in ("VERB", "AUX") and t.head.i != t.i:
            t = t.head
        return t

    def is_background(self, trig: Token, depth: int = 0) -> bool:
        """Whether the trigger's clause tells an earlier, completed event: past perfect ("had
        visited", "had been received"), a past tense with a background word ("three months
        later, X made a visit"), a noun trigger governed by a precedence word ("follows the
        visit of X", "after his trip to Y"), a past clause introduced by one ("comes eight days
        after Sharif signed an agreement"), or a clause inside a background one ("made a visit,
        during which he met Sharif")."""
        if not trig.doc.has_annotation("DEP"):
            return False
        v = self.clause_verb(trig)
        past_v = v.tag_ == "VBD"
        if past_v and (any(c.dep_ == "mark" and c.lower_ in self.background_governors for c in v.children)
                       or (v.dep_ in ("pcomp", "pobj") and v.head.lower_ in self.background_governors)):
            return True
        if depth < 2 and v.dep_ in ("relcl", "advcl") and v.head.i != v.i and \
                self.is_background(v.head, depth + 1):
            return True
        verbs = [v] + ([trig] if trig.i != v.i and trig.pos_ in ("VERB", "AUX") else [])
        reported = v.dep_ == "ccomp" and v.head.lower_ in self.say  # "said that X had agreed"
        for x in ([] if reported else verbs):
            auxes = [c for c in x.children if c.dep_ in ("aux", "auxpass")]
            if x.tag_ == "VBN" and any(c.lower_ in self.background_aux for c in auxes):
                return True
        if trig.pos_ not in ("VERB", "AUX"):
            t = trig
            for _ in range(3):  # "the visit", "after the visit", "follows the visit of X"
                if t.head.i == t.i:
                    break
                if t.head.lower_ in self.background_governors and t.dep_ in ("dobj", "pobj", "nsubj"):
                    return True
                if t.dep_ not in ("pobj", "dobj", "conj", "appos"):
                    break
                t = t.head
        past = v.tag_ == "VBD" or any(c.tag_ == "VBD" and c.dep_ in ("aux", "auxpass") for c in v.children)
        if past:
            near = [c for x in verbs for c in x.children if c.dep_ not in ("ccomp", "relcl", "advcl", "conj")]
            near += [g for c in list(near) for g in c.children if c.dep_ in ("advmod", "amod", "npadvmod")]
            near += [g for c in v.children if c.dep_ in SUBJ for g in c.subtree if g.dep_ == "advmod"]
            if trig.pos_ not in ("VERB", "AUX"):
                near += [c for c in trig.children if c.dep_ in ("amod", "advmod")]
            if any(c.lower_ in self.background_words for c in near):
                return True
        return False

    def _undating(self, ent: Span) -> bool:
        """A date introduced by an undating preposition ("his first visit since December"),
        or a modifier of a noun ("the 2023 agreement"): it does not date the event."""
        root = ent.root
        if root.dep_ in ("compound", "amod", "nmod", "poss", "nummod"):
            return True
        return root.dep_ == "pobj" and root.head.lower_ in self.undating_preps or any(
            t.lower_ in self.undating_preps for t in ent[:1])

    def own_dates(self, sent: Span, trig: Token) -> list[Span]:
        """The DATE entities of the trigger's own clause: the first verb above each is the
        trigger or the verb of its clause, or the date heads a "when" clause the trigger's
        clause hangs on ("in May, when he met X"); undating ones left out."""
        v = self.clause_verb(trig)
        heads = {trig.i, v.i}
        if trig.pos_ not in ("VERB", "AUX") and trig.head.i != trig.i:
            heads.add(trig.head.i)
        out = []
        for e in sent.ents:
            if e.label_ != "DATE" or self._undating(e):
                continue
            t = e.root
            first = None
            while t.head.i != t.i:
                t = t.head
                if t.pos_ in ("VERB", "AUX"):
                    first = t
                    break
            if first is not None and first.i in heads:
                out.append(e)
            elif v.dep_ == "relcl" and e.start <= v.head.i < e.end:
                out.append(e)  # "in May, when ... met Muttaqi in Kabul"
        return out

    def date_for(self, doc: Doc, sent: Span, trig: Token | None, prefer: str) -> str | None:
        """The event's own date: a day (``YYYY-MM-DD``), else a month (``YYYY-MM``), else a year
        (``YYYY``) named in the trigger's clause (:meth:`own_dates`), or None. Without a
        trigger (no parse) only a day named anywhere in the sentence counts."""
        published = doc._.published
        if trig is None or not doc.has_annotation("DEP"):
            for e in sent.ents:
                if e.label_ == "DATE":
                    d = resolve_date(e.text, published, prefer)
                    if d:
                        return d
            return None
        dates = self.own_dates(sent, trig)
        v = self.clause_verb(trig)
        if not dates and v.dep_ == "ccomp" and v.head.lower_ in self.say:
            dates = self.own_dates(sent, v.head)  # "announced on Sunday that X had agreed"
        for resolve in (lambda t: resolve_date(t, published, prefer),
                        lambda t: resolve_month(t, published, prefer),
                        lambda t: resolve_period(t, published)):
            for e in dates:
                d = resolve(e.text)
                if d:
                    return d
        return None

    # -- main ------------------------------------------------------------------------------
    def __call__(self, doc: Doc) -> Doc:
        # per-document state lives on the instance while it runs: one document at a time
        with self._lock:
            return self._call(doc)

    def _call(self, doc: Doc) -> Doc:
        self._index(doc)
        self.last_trip: tuple[str, str | None, int] | None = None  # (visitor, country, sentence end)
        st = state(doc)
        dateline = self.dateline(doc)
        st["dateline"] = sorted(dateline)
        self.dateline_place = self._dateline_place(doc, dateline)
        self.lead_sent = None
        if self.dateline_place and dateline:
            after = max(dateline) + 2  # the first word after the dateline's dash
            if self._dated_line and self._dated_line[0] in dateline:
                after = self._dated_line[2]  # the line after "PRAGUE 1996-12-06"
            self.lead_sent = next((sn.start for sn in doc.sents if sn.end > after), None) \
                if doc.has_annotation("SENT_START") and after < len(doc) else None
        events: list[dict[str, Any]] = []
        has_dep = doc.has_annotation("DEP")
        sents = list(doc.sents) if doc.has_annotation("SENT_START") or has_dep else [doc[:]]
        for si, sent in enumerate(sents):
            found: list[dict[str, Any]] = []
            claimed: set[int] = set()
            if has_dep:
                found += self.visits(doc, sent, dateline)
                found += self.attacks(doc, sent)
                found += self.statements(doc, sent)
                kinds = self.talks(doc, sent, dateline) + self.agreements(doc, sent, dateline) + \
                    self.ceasefires(doc, sent, dateline)
                claimed = {doc[ev["_ti"]].i for ev in kinds} | {
                    t.i for ev in kinds for t in sent if t.text == ev["trigger"]}
                found += kinds
                found += self._visits_from_talks(doc, sent, kinds, dateline)
            else:
                found += self.visits_surface(doc, sent, dateline)
            found += self.meetings(doc, sent, dateline, events, claimed)
            if has_dep:
                found += self._met_where_visited(doc, found)
            if has_dep and sent.start == self.lead_sent:
                found += self._dateline_visit(doc, sent, dateline, found)
            if has_dep and not any(ev["kind"] == model.VISIT for ev in found):
                found += self._verbless_visit(doc, sent, dateline)
            if has_dep and not any(ev["kind"] == model.MEETING for ev in found):
                found += self.participations(doc, sent, dateline)
            if has_dep:
                found += self.attendance_visits(doc, sent, dateline, found)
            if has_dep and not any(ev["kind"] in (model.TALKS, model.MEETING) for ev in found):
                self.add_members(doc, sent, si, dateline, events)
            if has_dep and not any(ev["kind"] == model.AGREEMENT for ev in found):
                self.add_signatories(doc, sent, si, dateline, events)
            # a visit inferred from a meeting repeats the trip the sentence tells of already
            told = {(ev["visitor"], ev["destination_country"]) for ev in found
                    if ev["kind"] == model.VISIT and not ev.get("inferred_from")}
            found = [ev for ev in found if not (
                ev["kind"] == model.VISIT and ev.get("inferred_from") == model.MEETING
                and (ev["visitor"], ev["destination_country"]) in told)]
            for ev in found:
                ti = ev.pop("_ti", None)
                if ti is not None and has_dep:
                    if "status_words" not in ev:
                        st_, words = self.status_of(doc[ti])
                        ev["status_words"] = words if st_ == ev["status"] else None
                    ev["background"] = bool(ev["status"] == model.OCCURRED and not ev.get("date")
                                            and self.is_background(doc[ti]))
                ev.setdefault("status_words", None)
                ev.setdefault("background", False)
                if ev["kind"] == model.VISIT:
                    ev["hosts"] = self.visit_hosts(doc, sent, ev) if has_dep else []
                text = sent.text
                lead = len(text) - len(text.lstrip())
                ev.update({"evidence": text.strip(), "sentence_index": si,
                           "start": sent.start_char + lead,
                           "end": sent.start_char + lead + len(text.strip())})
            events += found
        st["events"] = self.merge(events)
        for ev in st["events"]:
            ev.pop("_noun", None)
        # serialisable from here on (nlp.pipe(n_process=2) ships docs between processes):
        # mentions become (start token, end token, label, canonical name or None)
        st["mentions"] = [(sp.start, sp.end, sp.label_, name) for sp, name in st.get("mentions", [])]
        self.tok, self.ents = {}, {}
        return doc

    def dateline(self, doc: Doc) -> set[int]:
        """Token indices of a dateline city at the start of the body (after a headline
        analysed before it) or of a paragraph."""
        out: set[int] = set()
        for s, e in state(doc).get("datelines", []):
            out.update(range(s, e))
        offset = state(doc).get("offset", 0) or 0
        first = next((t.i for t in doc if t.idx >= offset), 0) if offset else 0
        self._dated_line = dated_line(doc, first)
        if self._dated_line:  # "PRAGUE 1996-12-06" on a line of its own
            out.update(range(self._dated_line[0], self._dated_line[1]))
        for e in [e for e in doc.ents if e.start >= first][:2]:
            if e.start - first > 4:
                break
            nxt = doc[e.end].text if e.end < len(doc) else ""
            if e.label_ in ("GPE", "LOC") and (e.text.isupper() or nxt in self.dateline_agency
                                               or self._dated_dateline(doc, e.end)) and \
                    nxt in self.dateline_followers:
                out.update(range(e.start, e.end))
        return out

    @staticmethod
    def _dated_dateline(doc: Doc, i: int) -> bool:
        """", Nov 9 :" after a place at the start: a dateline written in running case
        ("Islamabad, Nov 9 : ..."): a comma, a month and a day, then a colon or a dash."""
        from analysis.extract.dates import _MONTHS

        toks = [t for t in doc[i:i + 6] if not t.is_space]
        if len(toks) < 4 or toks[0].text != ",":
            return False
        k = 1
        if not toks[k].lower_[:3] in _MONTHS or not toks[k].is_alpha:
            return False
        k += 1
        if k < len(toks) and toks[k].text == ".":
            k += 1
        return k + 1 < len(toks) and toks[k].like_num and toks[k + 1].text in (":", "-", "–", "—")

    def _dateline_place(self, doc: Doc, dateline: set[int]) -> tuple[str | None, str] | None:
        """(place, ISO3) of the article's dateline ("BAGHDAD --", "Islamabad, Nov 9 :")."""
        if self._dated_line:  # "PRAGUE 1996-12-06"
            return self._dated_line[3], self._dated_line[4]
        for i in sorted(dateline):
            rec = self.rec_at(doc[i])
            if rec and rec["kind"] == model.PLACE and rec["country"]:
                return rec["name"], rec["country"]
            if rec and rec["kind"] == model.COUNTRY:
                return None, rec["country"]
        return None

    def _here(self, sent: Span, toks: list[Token]) -> tuple[str | None, str] | None:
        """The dateline's place for the sentence right after the dateline, or for a clause
        that says "here": the dateline places the story's people there."""
        if not self.dateline_place:
            return None
        if sent.start == self.lead_sent or any(
                c.lower_ == "here" for t in toks for c in t.children if c.dep_ == "advmod"):
            return self.dateline_place
        return None

    def _dateline_visit(self, doc: Doc, sent: Span, dateline: set[int],
                        found: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """"HANOI, Vietnam (AP) - U.S. Defense Secretary Mark Esper on Wednesday accused China
        ...": the lead sentence under a dateline places its subject there; a named person from
        another country acting there visited it (CAMEO 042, inferred from the dateline). Not
        when the sentence puts the person elsewhere or is about the past or the future."""
        root = sent.root
        if root.pos_ not in ("VERB", "AUX"):
            return []
        subj = [c for c in root.children if c.dep_ == "nsubj"]
        who = self._persons(subj[0]) if subj else []
        place, country = self.dateline_place
        if len(who) != 1 or not self.ents[who[0]]["country"] or self.ents[who[0]]["country"] == country:
            return []
        if any(ev["kind"] == model.VISIT and ev["visitor"] == who[0] for ev in found):
            return []
        if any(p.dep_ == "pobj" and (self.place_of(p, dateline) or (None, country))[1] != country
               for p in sent):
            return []  # "... said in Beijing": not the dateline's place
        if self.status(root) != model.OCCURRED or self.is_background(root):
            return []
        date = self.date_for(doc, sent, root, "past")
        return [self._visit(who[0], self.ents[who[0]]["country"], (place, country), model.OCCURRED,
                            date, inferred_from="dateline", trigger=root.text, _ti=root.i)]

    def _verbless_visit(self, doc: Doc, sent: Span, dateline: set[int]) -> list[dict[str, Any]]:
        """Headline style, a sentence without a verb: "Straw in Tehran for nuclear talks",
        "Blair in surprise Iraq visit": the named person the sentence is about (its root) is
        in the place of its in-phrase (or of a visit noun there), abroad (occurred)."""
        root = sent.root
        if any(t.pos_ in ("VERB", "AUX") for t in sent):
            return []
        rec = self.rec_at(root)
        if not rec or rec["kind"] != model.PERSON or not rec["country"]:
            return []
        dest = None
        for c in root.children:
            if c.dep_ != "prep" or c.lower_ not in self.be_dest:
                continue
            for p in c.subtree:
                if p.dep_ in ("pobj", "compound") and p.i not in dateline:
                    d = self._pobj_place(p, dateline) if p.dep_ == "pobj" else (
                        self.place_of(p, dateline) if p.head.lower_ in self.visit_nouns else None)
                    if d:
                        dest = dest or d
        if dest is None or dest[1] == rec["country"]:
            return []
        return [self._visit(rec["name"], rec["country"], dest, model.OCCURRED,
                            self.date_for(doc, sent, root, "past"), trigger=root.text, _ti=root.i)]

    def _met_where_visited(self, doc: Doc, found: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """"A prepared to head to Brussels to meet with US President B": a meeting that is the
        purpose of a participant's trip (its trigger depends on the travel verb) takes place at
        the trip's destination, so every other participant from another country goes there
        too, with the meeting's status."""
        out: list[dict[str, Any]] = []
        visits = [ev for ev in found if ev["kind"] == model.VISIT and ev.get("_ti") is not None]
        for ev in found:
            if ev["kind"] != model.MEETING or ev["country"] or ev.get("_ti") is None:
                continue
            above = {a.i for a in doc[ev["_ti"]].ancestors}
            trip = next((v for v in visits if v["visitor"] in ev["participants"]
                         and v["_ti"] in above and v["status"] == ev["status"]), None)
            if trip is None:
                continue
            dest = (trip["destination_place"], trip["destination_country"])
            for who in ev["participants"]:
                rec = self.ents.get(who, {})
                if who == trip["visitor"] or rec.get("kind") != model.PERSON or \
                        not rec.get("country") or rec["country"] == dest[1] or any(
                            v["visitor"] == who and v["destination_country"] == dest[1]
                            for v in visits + out):
                    continue
                out.append(self._visit(who, rec["country"], dest, ev["status"], ev["date"],
                                       inferred_from=model.MEETING, trigger=ev["trigger"],
                                       _ti=ev["_ti"]))
        return out

    def _dests(self, trig: Token, spec: list[str], dateline: set[int],
               person_object: bool = False) -> list[tuple]:
        """The destinations a travel verb's object and prepositions name; with
        ``person_object``, a named person with a country as the object ("will visit Pope John
        Paul") is visited in that country (the visitor's own country is dropped by the caller)."""
        toks: list[Token] = []
        for c in trig.children:
            if c.dep_ == "dobj" and "dobj" in spec:
                toks.append(c)
            elif c.dep_ in ("xcomp", "amod") and "dobj" in spec and c.lower_.startswith(self.dobj_modifiers):
                toks.extend(p for p in c.children if p.dep_ == "dobj")  # "visits neighboring Canada"
            elif c.dep_ == "prep" and c.lower_ in spec:
                toks.extend(p for p in c.children if p.dep_ == "pobj")
        out = []
        for t in toks:
            for x in [t, *t.conjuncts]:
                p = self.place_of(x, dateline)
                if p is None and x.dep_ == "pobj":
                    p = self._occasion_place(x, dateline)  # "returned from the summit in X"
                if p:
                    out.append(p)
                elif x.dep_ == "dobj" and self.rec_at(x) is None:
                    p = self._site(x, dateline)
                    if p:
                        out.append(p)  # "visited the construction site ... in Herat"
                elif person_object and x.dep_ == "dobj" and self.rec_at(x) \
                        and self.rec_at(x)["kind"] == model.PERSON:
                    # "will visit Chancellor Kohl in Bonn": the place on the person; "to visit
                    # Pope John Paul": the person's country
                    at = [q for c in x.children if c.dep_ == "prep" and c.lower_ in ("in", "at")
                          for q in c.children if q.dep_ == "pobj"]
                    p = next((d for q in at for d in [self._pobj_place(q, dateline)] if d), None)
                    if p is None and not at and self.rec_at(x)["country"]:
                        p = (None, self.rec_at(x)["country"])
                    if p:
                        out.append(p)
        return out

    def _site(self, obj: Token, dateline: set[int]) -> tuple | None:
        """The place a visited object that is no place stands in: "the site of the pipeline at
        Rabat Sangi in Afghanistan's Herat area" -> Afghanistan (through of-phrases and the
        site prepositions only, never a clause: "the graves of soldiers killed in X" is no)."""
        stack = [obj]
        seen = 0
        while stack and seen < 40:
            t = stack.pop(0)
            seen += 1
            for c in t.children:
                if c.dep_ != "prep":
                    continue
                for p in c.children:
                    if p.dep_ != "pobj":
                        continue
                    if c.lower_ in self.site_preps:
                        for x in [p, *[g for g in p.children if g.dep_ in ("poss", "compound")]]:
                            d = self.place_of(x, dateline)
                            if d:
                                return d
                    if self.rec_at(p) is None:
                        stack.append(p)
        return None

    def _visit(self, visitor, vcountry, dest, status, date, hosted=False, **extra):
        """A visit event; CAMEO: planned, else hosted (043) for a host verb, else a visit."""
        place, country = dest
        variant = model.PLANNED if status == model.PLANNED else (HOSTED if hosted else DEFAULT)
        ev = {"kind": model.VISIT, "visitor": visitor, "visitor_country": vcountry,
              "destination_country": country, "destination_place": place, "date": date,
              "status": status, "cameo": self.visit_codes[variant]}
        ev.update(extra)
        return ev

    def visits(self, doc: Doc, sent: Span, dateline: set[int]) -> list[dict[str, Any]]:
        out = []
        for trig in sent:
            low = trig.lower_
            spec = self.visit_verbs.get(low)
            if low in self.visiting_words and (trig.dep_ == "amod" or trig.dep_ in ("pcomp", "acl") and not any(
                    c.dep_ == "nsubj" for c in trig.children)):
                out += self._visiting(doc, sent, trig, dateline)  # "with visiting X", "visiting X"
            elif spec and trig.pos_ in ("VERB", "AUX", "") and not (
                    spec.get("passive_only") and low in self.host_verbs
                    and not any(c.dep_ == "nsubjpass" for c in trig.children)):
                # (an active host verb that is also a passive visit verb is read as a host's)
                subj_deps = ("nsubjpass",) if spec.get("passive_only") else ("nsubj",)
                subj = sorted((c for c in trig.children if c.dep_ in subj_deps
                               and c.i not in dateline), key=lambda c: abs(trig.i - c.i))
                if not subj and trig.dep_ in ("xcomp", "conj", "advcl") and not spec.get("passive_only"):
                    # "X will meet ... and visit Y"; "X is expected to visit Y" (the subject of
                    # a passive raising verb)
                    subj = [c for c in trig.head.children if c.dep_ == "nsubj" or (
                        c.dep_ == "nsubjpass" and trig.dep_ == "xcomp")]
                    if not subj and trig.dep_ == "xcomp" and trig.head.dep_ == "acomp":
                        # "X is likely to visit Y": the subject of the adjective's verb
                        subj = [c for c in trig.head.head.children if c.dep_ == "nsubj"]
                if not subj and trig.dep_ == "pcomp" and trig.head.dep_ == "prep" \
                        and trig.head.head.pos_ in ("VERB", "AUX") and not spec.get("passive_only"):
                    # "He was in Japan before travelling to China"
                    subj = [c for c in trig.head.head.children if c.dep_ == "nsubj"]
                if trig.dep_ == "relcl":  # "X, who arrived in Chile on Friday, said ..."
                    subj = [trig.head if c.lower_ in self.relative_pronouns else c for c in subj]
                visitor = vc = None
                for cand in subj:
                    visitor, vc = self.actor(doc, cand, sent)
                    if visitor:
                        break
                if not visitor or spec.get("person_only") and \
                        self.ents.get(visitor, {}).get("kind") != model.PERSON:
                    continue
                # every visitor of a coordination: "the French president and the German
                # chancellor visited Moscow"
                travellers = [(visitor, vc)]
                if self.ents.get(visitor, {}).get("kind") == model.PERSON:
                    travellers += [(p, self.ents[p]["country"]) for p in self._persons(cand)
                                   if p != visitor and self.ents.get(p, {}).get("kind") == model.PERSON]
                dests = self._dests(trig, spec["dest"], dateline, spec.get("person_object", False))
                if not dests and not spec.get("person_only") and not spec.get("passive_only"):
                    # "BAGHDAD - Rumsfeld visited US troops in the capital"
                    here = self._here(sent, [trig])
                    dests = [here] if here else []
                if not dests and spec.get("passive_only"):
                    skip = {t.i for t in subj[0].subtree}
                    dests = [p for t in trig.subtree if t.i not in skip and t.dep_ == "pobj"
                             and t.head.lower_ in spec["dest"]
                             for p in [self.place_of(t, dateline)] if p]
                status = self.status(trig)
                if spec.get("home_origin_dateline") and not dests and self.dateline_place \
                        and status == model.OCCURRED and vc and self.dateline_place[1] != vc and any(
                            o[1] == vc for o in self._dests(trig, spec.get("origin", []), dateline)):
                    # "GENEVA ... he had just arrived from Hanoi": from home to the dateline
                    dests = [self.dateline_place]
                # "arrived in Seoul from China", "returned from Moscow": a traveller coming
                # from a foreign place was there
                origins = [] if status != model.OCCURRED else [
                    o for o in self._dests(trig, spec.get("origin", []), dateline)
                    if o[1] not in {d[1] for d in dests}]
                if not (dests or origins) or status is None:
                    continue
                date = self.date_for(doc, sent, trig,
                                     "future" if status == model.PLANNED else "past")
                for visitor, vc in travellers:
                    for d in dests[:4]:  # "will visit Japan, China and South Korea"
                        if vc and d[1] == vc:
                            continue  # a trip at home is not a visit abroad
                        out.append(self._visit(visitor, vc, d, status, date, trigger=trig.text,
                                               _ti=trig.i))
                    for o in origins[:1]:
                        if vc and o[1] != vc:
                            out.append(self._visit(visitor, vc, o, status, date, trigger=trig.text,
                                                   inferred_from="origin", _ti=trig.i))
            elif low in self.visit_nouns and trig.pos_ in ("NOUN", "PROPN"):
                out += self._noun_visit(doc, sent, trig, dateline)
            elif low in self.host_verbs and trig.pos_ == "VERB":
                out += self._host(doc, sent, trig, dateline)
            elif low in self.arrival_complements:
                out += self._due_in(doc, sent, trig, dateline)
            elif (low in self.say or low in self.speech_place_verbs) and trig.pos_ == "VERB":
                out += self._spoke_in(doc, sent, trig, dateline)
        return out

    def _spoke_in(self, doc, sent, trig, dateline) -> list[dict[str, Any]]:
        """"X said in Beijing on Monday ...", "X, speaking in Cairo, urged ...", "X addressed
        parliament in Kabul", "X, speaking at the summit in Brussels": a named person speaking in
        a place of another country (the object of an in/at phrase on the speech verb itself, or
        the place of a meeting or occasion noun that is such an object) was there (CAMEO 042,
        inferred from the statement). The subject is the verb's, or the noun a 'speaking' clause qualifies."""
        if trig.dep_ == "acl" and trig.lower_ in self.speech_place_verbs:
            subj = [trig.head]
        else:
            subj = [c for c in trig.children if c.dep_ == "nsubj"]
        if not subj and trig.dep_ == "advcl" and trig.lower_ in self.speech_place_verbs:
            subj = [c for c in trig.head.children if c.dep_ == "nsubj"]  # "Speaking in X, Y said"
        if not subj:
            return []
        visitor, vc = self.actor(doc, subj[0], sent)
        kind = self.ents.get(visitor or "", {}).get("kind")
        if not visitor or not vc or not (kind == model.PERSON or kind == model.COUNTRY and (
                subj[0].lower_ in self.visitor_nouns)):  # "the Iraqi prime minister said in ..."
            return []
        dest = None
        # the verb's own in/at phrase, or its object's ("addressed the Assembly in New York")
        heads = [trig, *(c for c in trig.children if c.dep_ == "dobj" and not self.rec_at(c))]
        for c in (c for h in heads for c in h.children):
            if c.dep_ == "prep" and c.lower_ in self.meet_place_preps:
                for p in c.children:
                    if p.dep_ != "pobj":
                        continue
                    # "speaking at the EU summit in Brussels", "told a news conference at the
                    # end of a summit in X": the occasion's own place
                    d = self._pobj_place(p, dateline) or self._occasion_place(p, dateline)
                    if d:
                        dest = dest or d
        if dest is None or dest[1] == vc:
            return []
        status = self.status(trig)
        if status not in (model.OCCURRED, model.PLANNED):
            return []
        date = self.date_for(doc, sent, trig, "future" if status == model.PLANNED else "past")
        return [self._visit(visitor, vc, dest, status, date, inferred_from=model.STATEMENT,
                            trigger=trig.text, _ti=trig.i)]

    def _due_in(self, doc, sent, trig, dateline) -> list[dict[str, Any]]:
        """"X is due in Paris next week", "X is expected in Paris on Monday": a named person
        due or expected in a place of another country will visit it (planned). The word is the
        complement of a form of "be" (subject: the verb's) or a passive verb (its passive
        subject); the place is the object of one of the listed prepositions under it."""
        if trig.dep_ == "acomp" and trig.head.lower_ in self.be_forms:
            subj = [c for c in trig.head.children if c.dep_ == "nsubj"]
        elif trig.pos_ == "VERB" and any(c.dep_ == "auxpass" for c in trig.children):
            subj = [c for c in trig.children if c.dep_ == "nsubjpass"]
        else:
            return []
        if not subj:
            return []
        visitor, vc = self.actor(doc, subj[0], sent)
        if not visitor or not vc or self.ents.get(visitor, {}).get("kind") != model.PERSON:
            return []
        dests = [d for d in self._dests(trig, self.be_dest, dateline) if d[1] != vc]
        status = self.status(trig)
        if not dests or status != model.PLANNED:
            return []
        date = self.date_for(doc, sent, trig, "future")
        return [self._visit(visitor, vc, dests[0], status, date, trigger=trig.text, _ti=trig.i)]

    def _visiting(self, doc, sent, trig, dateline) -> list[dict[str, Any]]:
        """"meets with visiting Iraqi Prime Minister Iyad Allawi at UN headquarters in New
        York": the person the adjective qualifies visited the sentence's place abroad (the
        first place of another country in the sentence, else the dateline's)."""
        head = trig.head
        while trig.dep_ == "amod" and head.dep_ == "compound" and head.head.i != head.i:
            head = head.head  # "visiting Iraqi Prime Minister Iyad Allawi": up to the name
        who = self._persons(head) if trig.dep_ == "amod" else [
            p for c in trig.children if c.dep_ == "dobj" for p in self._persons(c)]
        if not who:
            return []
        visitor = who[0]
        vc = self.ents[visitor]["country"]
        if not vc:
            return []
        skip = {t.i for t in head.subtree} if trig.dep_ == "amod" else set()
        dest = None
        for t in sent:
            if t.i in skip or t.dep_ != "pobj" or t.head.lower_ not in self.meet_place_preps:
                continue
            d = self._pobj_place(t, dateline)
            if d and d[1] != vc:
                dest = d
                break
        dest = dest or self.dateline_place
        if not dest or dest[1] == vc:
            return []
        status = self.status(trig.head.head if trig.head.head.pos_ in ("VERB", "AUX") else trig)
        if status is None:
            return []
        date = self.date_for(doc, sent, trig, "future" if status == model.PLANNED else "past")
        return [self._visit(visitor, vc, dest, status, date, trigger=trig.text, _ti=trig.i)]

    def _noun_visit(self, doc, sent, trig, dateline) -> list[dict[str, Any]]:
        visitor = vc = None
        low = trig.lower_
        for c in trig.children:
            if c.dep_ in ("poss", "compound") or (c.dep_ == "amod" and self.rec_at(c)) or (
                    c.dep_ == "nmod" and (self.rec_at(c) or {}).get("kind") == model.PERSON):
                # "Blair's visit", "the Blair visit", headline "Blair in surprise Iraq visit"
                visitor, vc = self.actor(doc, c, sent)
            elif c.dep_ == "prep" and (c.lower_ in self.noun_agent_preps or (
                    c.lower_ in self.noun_of_preps and low not in self.of_dest)):
                for p in c.children:
                    if p.dep_ == "pobj":
                        visitor, vc = self.actor(doc, p, sent)
            if visitor:
                break
        verb = trig.head
        if not visitor and trig.dep_ == "pobj" and verb.lower_ in self.noun_occasion_preps \
                and (self.rec_at(verb.head) or {}).get("kind") == model.PERSON:
            visitor, vc = self.actor(doc, verb.head, sent)  # "X, on a visit to Ankara, said"
        if not visitor and trig.dep_ == "pobj" and verb.lower_ in self.noun_occasion_preps \
                and verb.head.pos_ in ("VERB", "AUX"):
            # "Rumsfeld declared that America was winning the war ... during a visit to Iraq":
            # the trip of the nearest clause up the tree whose subject is a person
            v = verb.head
            for _ in range(3):
                subj = [c for c in v.children if c.dep_ == "nsubj"]
                if subj:
                    visitor, vc = self.actor(doc, subj[0], sent)
                    if self.ents.get(visitor or "", {}).get("kind") == model.PERSON:
                        break
                    visitor = vc = None
                if v.head.i == v.i or v.head.pos_ not in ("VERB", "AUX"):
                    break
                v = v.head
            if not visitor:  # the parse lost the subject: the one person the sentence names
                named = {r["name"] for i in range(sent.start, trig.i)
                         for r in [self.rec_at(doc[i])] if r and r["kind"] == model.PERSON}
                if len(named) == 1:
                    visitor = next(iter(named))
                    vc = self.ents[visitor]["country"]
        if not visitor and trig.dep_ in ("dobj", "pobj") and (
                verb.lower_ in self.support or verb.head.lower_ in self.support
                or self._cancels(verb) or self._cancels(verb.head)):
            v = verb if verb.pos_ in ("VERB", "AUX") else verb.head
            subj = [c for c in v.children if c.dep_ == "nsubj"]
            if subj:
                visitor, vc = self.actor(doc, subj[0], sent)
        if not visitor and trig.dep_ == "dobj" and any(c.dep_ == "nsubj" for c in verb.children):
            # "news crews covered a trip to Africa by X": the parser hangs the noun's "by" on
            # the active verb, which has a subject of its own
            for c in verb.children:
                if c.dep_ == "agent" and c.i > trig.i:
                    for p in c.children:
                        if p.dep_ == "pobj":
                            visitor, vc = self.actor(doc, p, sent)
        if visitor:
            self.last_trip = (visitor, vc, sent.end)
        elif self.last_trip and self.last_trip[2] in (sent.start, sent.end) and any(
                c.dep_ == "det" and c.lower_ == "the" for c in trig.children):
            # "... a trip to Africa by X. The five-day tour of Ghana, Nigeria and ...": the trip
            # the sentence before (or this one) gave an agent
            visitor, vc = self.last_trip[:2]
        if not visitor:
            return []
        dests = []
        for c in trig.children:
            if c.dep_ in ("compound", "amod") and self.rec_at(c) and self.rec_at(c)["name"] != visitor:
                d = self.place_of(c, dateline)
                if d:
                    dests.append(d)
            if c.dep_ == "prep" and (c.lower_ in self.noun_preps or (
                    c.lower_ in self.noun_of_preps and trig.lower_ in self.of_dest)):
                for p in c.children:
                    if p.dep_ == "pobj":
                        for x in [p, *p.conjuncts]:  # "a tour of Ghana, Nigeria and Rwanda"
                            d = self.place_of(x, dateline)
                            if d and d[1] not in {e[1] for e in dests}:
                                dests.append(d)
        status = self.status(trig)
        if not dests or status is None or (vc and dests[0][1] == vc):
            return []
        date = self.date_for(doc, sent, trig,
                             "future" if status == model.PLANNED else "past")
        # one visit per country of a tour; a place at home among them is no visit
        return [self._visit(visitor, vc, d, status, date, trigger=trig.text, _ti=trig.i)
                for d in dests[:6] if not (vc and d[1] == vc)]

    def _host(self, doc, sent, trig, dateline) -> list[dict[str, Any]]:
        subj = [c for c in trig.children if c.dep_ == "nsubj"]
        if not subj and trig.dep_ in ("advcl", "xcomp", "conj"):
            # "The Cuban President stood ... while greeting Venezuelan President X"
            subj = [c for c in trig.head.children if c.dep_ == "nsubj"]
        obj = [c for c in trig.children if c.dep_ == "dobj"]
        if not subj or not obj:
            return []
        host, hc = self.actor(doc, subj[0], sent)
        if not host or not hc:
            return []
        guests: list[tuple[str, str | None]] = []
        guest_rec = self.rec_at(obj[0])
        if guest_rec and guest_rec["kind"] == model.PERSON:
            guests = [(g, self.ents[g]["country"]) for g in
                      [guest_rec["name"]] + [g for g in self._persons(obj[0]) if g != guest_rec["name"]]]
        # a second guest the parser hung on the verb ("hosted A and Pakistan's Deputy Prime
        # Minister and Foreign Minister B": B as an adverbial noun of "hosted")
        guests += [(g, self.ents[g]["country"]) for c in trig.children
                   if c.dep_ == "npadvmod" and c.i > obj[0].i for g in self._persons(c)]
        # unnamed guests standing for their country: "welcomed the French president and the
        # German chancellor" (a visitor noun with a country modifier, and its conjuncts)
        for x in [obj[0], *obj[0].conjuncts]:
            if x.lower_ in self.visitor_nouns and self.rec_at(x) is None and not self._persons(x):
                name, c = self.actor(doc, x, sent)
                if name and self.ents.get(name, {}).get("kind") == model.COUNTRY:
                    guests.append((name, c))
        guests = list(dict.fromkeys((g, c) for g, c in guests if c and c != hc))
        if not guests:
            return []
        place = None
        for c in trig.children:
            if c.dep_ == "prep" and c.lower_ in self.host_place_preps:
                for p in c.children:
                    d = self.place_of(p, dateline)
                    if d and d[1] == hc:
                        place = d[0]
                    elif d:
                        return []  # "greeted B in Brussels": a host abroad hosts no visit
        status = self.status(trig)
        if status is None:
            return []
        date = self.date_for(doc, sent, trig, "future" if status == model.PLANNED else "past")
        return [self._visit(g, c, (place, hc), status, date, hosted=True,
                            host=host, trigger=trig.text, _ti=trig.i) for g, c in guests]

    def visits_surface(self, doc: Doc, sent: Span, dateline: set[int]) -> list[dict[str, Any]]:
        """Without a parse: ACTOR <visit verb> [prep] PLACE, adjacent within a few tokens."""
        out = []
        for trig in sent:
            spec = self.visit_verbs.get(trig.lower_)
            if not spec or spec.get("passive_only"):
                continue
            visitor = vc = None
            for i in range(trig.i - 1, max(sent.start, trig.i - 4) - 1, -1):
                rec = self.rec_at(doc[i])
                if rec and rec["kind"] in (model.PERSON, model.COUNTRY):
                    visitor, vc = rec["name"], rec["country"]
                    break
            if not visitor:
                continue
            j = trig.i + 1
            if j < sent.end and doc[j].lower_ in spec["dest"]:
                j += 1
            elif "dobj" not in spec["dest"]:
                continue
            d = self.place_of(doc[j], dateline) if j < sent.end else None
            if not d or (vc and d[1] == vc):
                continue
            status = model.PLANNED if doc[trig.i - 1].lower_ in self.planned else model.default_status()
            if doc[trig.i - 1].lower_ in self.negation:
                continue
            date = self.date_for(doc, sent, None, "future" if status == model.PLANNED else "past")
            out.append(self._visit(visitor, vc, d, status, date, trigger=trig.text,
                                   status_words=(f"{doc[trig.i - 1].text} {trig.text}"
                                                 if status == model.PLANNED else None)))
        return out

    def _present(self, sent: Span) -> bool:
        """Whether the sentence says someone is present ("attending"; "taking part" with no
        object: "took part in the development of oilfields" is no presence)."""
        low = [t.lower_ for t in sent]
        if set(low) & self.present:
            return True
        for p in self.present_phrases:
            for i in range(len(low) - len(p) + 1):
                if tuple(low[i:i + len(p)]) == p and not any(
                        c.dep_ == "prep" for t in sent[i:i + len(p)] for c in t.children):
                    return True
        return False

    def meetings(self, doc, sent, dateline, previous, claimed=frozenset()) -> list[dict[str, Any]]:
        words = {t.lower_ for t in sent}
        if self._present(sent):
            words |= self.present
        trig = next((t for t in sent if t.lower_ in self.meet_words and t.i not in claimed), None)
        people: list[str] = []
        for span, name in state(doc).get("mentions", []):
            if sent.start <= span.start < sent.end and name and \
                    self.ents.get(name, {}).get("kind") == model.PERSON and name not in people:
                if any(span.start >= len(w)
                       and tuple(t.lower_ for t in doc[span.start - len(w):span.start]) == w
                       for w in self.not_participant_after):
                    continue  # "on behalf of X"
                people.append(name)
        if trig is None and len(people) >= 2 and words & self.present and doc.has_annotation("DEP"):
            return self._attendance(doc, sent, dateline, people, previous)
        if trig is None:
            return []
        if len(people) == 1 and words & self.present:
            for ev in reversed(previous):
                if ev["kind"] == model.MEETING and people[0] not in ev["participants"]:
                    ev.setdefault("also_present", []).append(people[0])
                    break
            return []
        if doc.has_annotation("DEP"):
            found = None
            for t in sent:
                if t.lower_ in self.meet_words and t.i not in claimed and not self._remote(t):
                    linked = self.linked_participants(doc, sent, t, people)
                    if len(linked) >= 2:
                        trig, found = t, linked
                        break
            if not found and len(people) >= 2 and words & self.present:
                return self._attendance(doc, sent, dateline, people, previous)
            if not found:
                return self._talks_abroad(doc, sent, dateline)
            people = found
        if len(people) < 2:
            return []
        status = self.status(trig) if doc.has_annotation("DEP") else model.default_status()
        if status is None or status == model.CANCELLED:
            return []
        place = country = None
        where = None
        if doc.has_annotation("DEP"):  # "... from New Delhi, where he held talks with ..."
            for a in [trig, *list(trig.ancestors)[:2]]:
                if a.dep_ == "relcl" and any(c.lower_ in self.where_words for c in a.children):
                    where = self.place_of(a.head, dateline) or (None, None)
                    break
        if where is None and doc.has_annotation("DEP") and \
                self._anaphoric_place([trig, self.clause_verb(trig)]):
            where = (None, None)  # "met B in the city after a stop in Astana": no other place
        if where is None and doc.has_annotation("DEP"):  # "at talks in New Delhi": its own place
            for p in trig.subtree:
                if p.dep_ == "pobj" and p.head.head.i == trig.i and p.head.lower_ in self.meet_place_preps:
                    d = self.place_of(p, dateline)
                    if d and d[0]:
                        where = d
                        break
        if where is None and doc.has_annotation("DEP") and status != model.PLANNED:
            # (a meeting still to come is not placed by where the story is filed)
            here = self._here(sent, [trig, self.clause_verb(trig)])
            if here and not any(p.dep_ == "pobj" and p.head.lower_ in self.meet_place_preps
                                and self.place_of(p, dateline) for p in sent):
                where = here  # "ISLAMABAD - A met B on Tuesday"
        if where is not None:
            place, country = where
        for span, name in ([] if where is not None else state(doc).get("mentions", [])):
            if sent.start <= span.start < sent.end and span.start not in dateline and name:
                rec = self.ents.get(name)
                if rec and rec["kind"] == model.PLACE and rec["country"] and \
                        doc[span.start - 1].lower_ in self.meet_place_preps and not (
                            doc.has_annotation("DEP") and self._elsewhere(doc[span.end - 1], trig)):
                    place, country = rec["name"], rec["country"]
                    break
        if where is None and country is None and doc.has_annotation("DEP"):
            # "met B at Downing Street", "held talks with B at the White House"
            seat = next((d for p in sent if p.dep_ == "pobj" and p.head.lower_ in self.meet_place_preps
                         and p.i not in dateline and not self._elsewhere(p, trig)
                         for d in [self._seat(p)] if d), None)
            if seat:
                place, country = seat
        date = self.date_for(doc, sent, trig if doc.has_annotation("DEP") else None,
                             "future" if status == model.PLANNED else "past")
        cameo = self.meeting_codes[DEFAULT]
        if status == model.PLANNED:
            cameo = self.meeting_codes[model.PLANNED]
        elif words & self.third:
            cameo = self.meeting_codes[THIRD_LOCATION]
        out = [{"kind": model.MEETING, "participants": people, "country": country, "place": place,
                "date": date, "status": status, "cameo": cameo, "trigger": trig.text,
                "_dated": any(e.label_ == "DATE" for e in sent.ents), "_ti": trig.i}]
        mediators = self.mediators(doc, sent) if doc.has_annotation("DEP") else []
        if mediators:
            out[0]["mediators"] = [m for m in mediators if m not in people]
        if country:
            # a guest meeting a host in the host's country made a visit there; at a summit or
            # a meeting in a third country, every participant from elsewhere did
            countries = {p: self.ents[p]["country"] for p in people}
            for p, c in countries.items():
                if c and c != country:
                    out.append(self._visit(p, c, (place, country), status, date,
                                           inferred_from=model.MEETING, trigger=trig.text,
                                           _ti=trig.i))
        return out

    def _remote(self, trig: Token) -> bool:
        """Whether a meeting word is said to be at a distance: a modifier ("a telephone
        conversation", "video talks") or a prepositional phrase ("spoke by phone", "talked over
        a video link") of a remote word; the sides did not meet."""
        for c in trig.children:
            if c.dep_ in ("compound", "amod", "nmod", "advmod") and c.lower_ in self.remote:
                return True
            if c.dep_ == "prep" and any(p.dep_ == "pobj" and (p.lower_ in self.remote or any(
                    m.lower_ in self.remote for m in p.children if m.dep_ in ("compound", "amod")))
                    for p in c.children):
                return True
        return False

    def _elsewhere(self, tok: Token, stop: Token) -> bool:
        """Whether ``tok`` hangs, below ``stop`` or anywhere above, under an 'elsewhere'
        preposition ("met B in the city after a stop in Astana"): that place is not the
        meeting's."""
        for a in [tok, *tok.ancestors]:
            if a.i == stop.i:
                return False
            if a.dep_ == "prep" and a.lower_ in self.elsewhere_preps:
                return True
        return False

    def _anaphoric_place(self, toks: list[Token]) -> bool:
        """Whether one of ``toks`` has its place given by an anaphor ("in the city", "in the
        capital", "here"): the place is the one the text spoke of before, not another of the
        sentence."""
        for t in toks:
            for c in t.children:
                if c.dep_ == "advmod" and c.lower_ in self.anaphoric_place_adverbs:
                    return True
                if c.dep_ == "prep" and c.lower_ in self.meet_place_preps:
                    for p in c.children:
                        kids = list(p.children)  # "the city" alone, not "the Afghan capital, Kabul"
                        if p.dep_ == "pobj" and p.lower_ in self.anaphoric_places and kids and \
                                all(d.dep_ == "det" and d.lower_ in ("the", "this", "that") for d in kids):
                            return True
        return False

    def _attendance(self, doc: Doc, sent: Span, dateline: set[int], people: list[str],
                    previous: list[dict[str, Any]] = ()) -> list[dict[str, Any]]:
        """"Among those attending are A, B and C" after "X opened the meeting ... in Islamabad on
        Tuesday": a meeting of everyone listed and the people of the latest meeting noun (this
        sentence or ``member_window`` before), with its place and date; no visits inferred.
        When that noun already made a meeting ("A delegation took part in a meeting ..."), the
        people listed join it."""
        sents = [s for s in doc.sents if s.start <= sent.start][-(self.member_window + 1):]
        starts = {s.start: i for i, s in enumerate(doc.sents)}
        for s in reversed(sents):
            nouns = [t for t in s if t.lower_ in self.meet_words and t.pos_ in ("NOUN", "PROPN")]
            for noun in reversed(nouns):
                made = [ev for ev in previous if ev["kind"] == model.MEETING and ev.get("_noun") == noun.i
                        and ev.get("sentence_index") == starts.get(s.start)]
                if made:
                    made[-1]["participants"] += [p for p in people if p not in made[-1]["participants"]]
                    return []
                status = self.status(noun)
                if status != model.OCCURRED:
                    continue
                place = country = None
                for p in noun.subtree:
                    if p.dep_ == "pobj" and p.head.lower_ in self.meet_place_preps:
                        d = self.place_of(p, dateline)
                        if d and d[0]:
                            place, country = d
                            break
                if place is None:
                    v = self.clause_verb(noun)
                    for c in v.children:
                        if c.dep_ == "prep" and c.lower_ in self.meet_place_preps:
                            for p in c.children:
                                d = self.place_of(p, dateline) if p.dep_ == "pobj" else None
                                if d and d[0]:
                                    place, country = d
                if place is None:
                    continue
                earlier = [] if s.start == sent.start else [
                    name for span, name in state(doc).get("mentions", [])
                    if s.start <= span.start < s.end and name and self.ents.get(name, {}).get("kind") == model.PERSON]
                words = {t.lower_ for t in s}
                cameo = self.meeting_codes[THIRD_LOCATION] if words & self.third else self.meeting_codes[DEFAULT]
                return [{"kind": model.MEETING, "participants": list(dict.fromkeys(earlier + people)),
                         "country": country, "place": place, "date": self.date_for(doc, s, noun, "past"),
                         "status": model.OCCURRED, "cameo": cameo, "trigger": noun.text,
                         "status_words": None, "background": False}]
        return []

    def participations(self, doc: Doc, sent: Span, dateline: set[int]) -> list[dict[str, Any]]:
        """"A Taliban delegation took part on Sunday in a meeting of envoys in Doha", "X attended
        the summit in Astana": a party (a named person, a country, or a delegation or side of a
        country) that attends, joins or takes part in a meeting noun with a place of its own is
        a participant of that meeting (its members, named next, join it: :meth:`add_members`);
        no visit is inferred."""
        for v in sent:
            if v.pos_ not in ("VERB", "AUX"):
                continue
            nouns = [n for n in self._participation_nouns(v)
                     if n.lower_ in self.meet_words and n.pos_ in ("NOUN", "PROPN")]
            if not nouns:
                continue
            noun = nouns[0]
            parties = []
            for c in v.children:
                if c.dep_ != "nsubj":
                    continue
                if c.lower_ in self.pronouns:
                    name, _ = self.actor(doc, c, sent)
                    parties += [name] if name and self.ents[name]["kind"] == model.PERSON else []
                    continue
                for p in self._parties(c):
                    rec = self.ents.get(p)
                    if rec is None or not rec["country"]:
                        continue
                    if rec["kind"] in (model.PERSON, model.COUNTRY) or (
                            rec["kind"] == model.ORGANIZATION and c.lower_ in self.party_nouns | self.visitor_nouns):
                        parties.append(p)  # an organisation only as a delegation's ("a Taliban delegation")
            if not parties:
                continue
            status, words = self.status_of(v)
            if status not in (model.OCCURRED, model.PLANNED):
                continue
            place = country = None
            for p in [*noun.subtree, *(x for c in v.children if c.dep_ == "prep" and c.lower_ in
                                       self.meet_place_preps for x in c.children)]:
                if p.dep_ == "pobj" and p.head.lower_ in self.meet_place_preps and not self._elsewhere(p, v):
                    d = self.place_of(p, dateline)
                    if d and d[0]:
                        place, country = d
                        break
            if place is None:
                continue
            third = noun.lower_ in self.third or any(c.lower_ in self.third for c in noun.subtree)
            cameo = self.meeting_codes[model.PLANNED] if status == model.PLANNED else \
                self.meeting_codes[THIRD_LOCATION] if third else self.meeting_codes[DEFAULT]
            return [{"kind": model.MEETING, "participants": list(dict.fromkeys(parties)),
                     "country": country, "place": place,
                     "date": self.date_for(doc, sent, v, "future" if status == model.PLANNED else "past"),
                     "status": status, "cameo": cameo, "trigger": noun.text, "status_words": words,
                     "_ti": v.i, "_noun": noun.i}]
        return []

    def _participation_nouns(self, v: Token) -> list[Token]:
        """What verb ``v`` says its subject takes part in: the object of a participation verb
        ("attended the summit"), or the ``in`` object of a verb with its particle ("took part in
        the talks"); [] for any other verb."""
        low = v.lower_
        if low in self.participation_verbs:
            return [c for c in v.children if c.dep_ == "dobj"]
        if low in self.participation_in:
            kids = {c.lower_ for c in v.children}
            if any(all(w in kids for w in rest) for rest in self.participation_in[low]):
                return [p for c in v.children if c.dep_ == "prep" and c.lower_ == "in"
                        for p in c.children if p.dep_ == "pobj"]
        return []

    def attendance_visits(self, doc: Doc, sent: Span, dateline: set[int],
                          found: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """"Koizumi attended the APEC summit in Santiago", "X will take part in the conference in
        London", "X attended the funeral in Cairo", "Israel will attend the London conference":
        a named person (or a pronoun for one), a country, or a delegation of a country or of an
        organisation with a country, that attends, joins or takes part in a meeting noun or an
        occasion noun (``meet.attendance_nouns``) held in a place of another country visited it
        (CAMEO 042, inferred from the attendance). The place is the noun's own (in/at, or a
        place modifying it) or the verb's (in/at), a city or a country, never one under an
        'elsewhere' preposition; not a trip the sentence tells of already."""
        out: list[dict[str, Any]] = []
        told = {(ev["visitor"], ev["destination_country"]) for ev in found if ev["kind"] == model.VISIT}
        for v in sent:
            if v.pos_ not in ("VERB", "AUX"):
                continue
            nouns = [n for n in self._participation_nouns(v)
                     if n.lower_ in self.meet_words | self.attendance_nouns and n.pos_ in ("NOUN", "PROPN")]
            if not nouns:
                continue
            subj = [c for c in v.children if c.dep_ == "nsubj"]
            if not subj and v.dep_ in ("xcomp", "conj", "advcl"):
                # "X flew in to attend"; an object controls an xcomp: "invited Y to attend"
                subj = [c for c in v.head.children if c.dep_ == "dobj" and c.i < v.i] \
                    if v.dep_ == "xcomp" else []
                subj = subj or [c for c in v.head.children if c.dep_ == "nsubj"]
            people: list[str] = []
            for c in subj:
                if c.lower_ in self.pronouns:
                    name, _ = self.actor(doc, c, sent)
                    people += [name] if name and self.ents[name]["kind"] == model.PERSON else []
                    continue
                named = self._persons(c)
                if not named:  # "Israel will attend", "a Taliban delegation took part"
                    name, _ = self.actor(doc, c, sent)
                    rec = self.ents.get(name or "", {})
                    if rec.get("kind") == model.COUNTRY or rec.get("kind") == model.ORGANIZATION and (
                            c.lower_ in self.party_nouns | self.visitor_nouns):
                        named = [name]
                people += named
            people = [p for p in people if self.ents[p]["country"]]
            if not people:
                continue
            status = self.status(v)
            if status not in (model.OCCURRED, model.PLANNED):
                continue
            dest = None
            for p in [*nouns[0].subtree, *(x for c in v.children if c.dep_ == "prep" and c.lower_ in
                                           self.meet_place_preps for x in c.children)]:
                if p.dep_ == "pobj" and p.head.lower_ in self.meet_place_preps and not self._elsewhere(p, v):
                    dest = self._pobj_place(p, dateline)
                    if dest:
                        break
            if dest is None:  # "the London conference", "the Doha meeting of envoys"
                dest = next((d for c in nouns[0].children if c.dep_ in ("compound", "nmod")
                             for d in [self.place_of(c, dateline)] if d), None)
            if dest is None:
                continue
            date = self.date_for(doc, sent, v, "future" if status == model.PLANNED else "past")
            for who in people:
                vc = self.ents[who]["country"]
                if vc == dest[1] or (who, dest[1]) in told:
                    continue
                told.add((who, dest[1]))
                out.append(self._visit(who, vc, dest, status, date, inferred_from="attendance",
                                       trigger=v.text, _ti=v.i))
        return out

    def _talks_abroad(self, doc: Doc, sent: Span, dateline: set[int]) -> list[dict[str, Any]]:
        """"Pakistan's envoy Sadiq held talks with Taliban ministers in Kabul": a named person
        holding talks in a place of another country visited it (CAMEO 042, inferred)."""
        for t in sent:
            if t.lower_ not in self.meet_words or t.lower_ in self.meet_host_words:
                continue
            verb = t if t.pos_ in ("VERB", "AUX") else (t.head if t.dep_ == "dobj" else None)
            if verb is None:
                continue
            subj = [c for c in verb.children if c.dep_ == "nsubj"]
            who = self._persons(subj[0]) if subj else []
            if len(who) != 1:
                continue
            rec = self.ents[who[0]]
            if self._anaphoric_place([t, verb]):
                continue  # "held talks in the city": the place is not this sentence's
            skip = {x.i for x in subj[0].subtree}
            here = self._here(sent, [t, verb])
            if here and rec["country"] and here[1] != rec["country"] and not any(
                    p.dep_ == "pobj" and p.head.lower_ in self.meet_place_preps
                    and self.place_of(p, dateline) for p in verb.subtree if p.i not in skip):
                status = self.status(t)
                if status in (None, model.CANCELLED):
                    return []
                date = self.date_for(doc, sent, t, "future" if status == model.PLANNED else "past")
                return [self._visit(who[0], rec["country"], here, status, date,
                                    inferred_from="talks", trigger=t.text, _ti=t.i)]
            for p in verb.subtree:
                if p.i in skip or p.dep_ != "pobj" or p.head.lower_ not in self.meet_place_preps \
                        or self._elsewhere(p, verb):
                    continue
                d = self.place_of(p, dateline)
                if d and d[0] and rec["country"] and d[1] != rec["country"]:
                    status = self.status(t)
                    if status in (None, model.CANCELLED):
                        return []
                    date = self.date_for(doc, sent, t,
                                         "future" if status == model.PLANNED else "past")
                    return [self._visit(who[0], rec["country"], d, status, date,
                                        inferred_from="talks", trigger=t.text, _ti=t.i)]
        return []

    def _visits_from_talks(self, doc: Doc, sent: Span, kinds: list[dict[str, Any]],
                           dateline: set[int]) -> list[dict[str, Any]]:
        """Talks held in a place: every named participant from another country visited it
        ("a delegation led by Chairman Mahmoud Abbas held talks with the Syrian leaders in
        Damascus"). The place is the talks' own, else the sentence's (a place after in/at that
        is not where someone came from), else the dateline's for the lead sentence."""
        out = []
        for ev in kinds:
            if ev["kind"] != model.TALKS or ev["status"] == model.CANCELLED:
                continue
            trig = doc[ev["_ti"]]
            dest = (ev["place"], ev["country"]) if ev["country"] else None
            if dest is None and not self._anaphoric_place([trig, self.clause_verb(trig)]):
                for p in sent:
                    if p.dep_ == "pobj" and p.head.lower_ in self.meet_place_preps \
                            and not self._elsewhere(p, trig):
                        dest = self._pobj_place(p, dateline)
                        if dest:
                            break
                dest = dest or self._here(sent, [trig, self.clause_verb(trig)])
                if dest:
                    ev["place"], ev["country"] = dest
            if not dest:
                continue
            for who in ev["participants"]:
                rec = self.ents.get(who, {})
                if rec.get("kind") == model.PERSON and rec.get("country") and rec["country"] != dest[1]:
                    out.append(self._visit(who, rec["country"], dest, ev["status"], ev["date"],
                                           inferred_from=model.TALKS, trigger=ev["trigger"],
                                           _ti=ev["_ti"]))
        return out

    def _occasion_place(self, p: Token, dateline: set[int]) -> tuple | None:
        """The place of a meeting or occasion noun that is itself no place, from its own in/at
        phrase: "the Franco-African summit in Burkina Faso", also through a part of it ("the end
        of a summit in X", "the sidelines of the talks in Y": ``meet.occasion_part_nouns``)."""
        if p.lower_ in self.occasion_parts:
            p = next((q for c in p.children if c.dep_ == "prep" and c.lower_ == "of"
                      for q in c.children if q.dep_ == "pobj"), p)
        if p.lower_ not in self.meet_words | self.attendance_nouns or self.rec_at(p):
            return None
        return next((x for g in p.children if g.dep_ == "prep" and g.lower_ in self.meet_place_preps
                     for q in g.children if q.dep_ == "pobj" for x in [self._pobj_place(q, dateline)] if x),
                    None)

    def _pobj_place(self, p: Token, dateline: set[int]) -> tuple | None:
        """The place an object of a preposition names, also when the parser made the place a
        modifier of a day ("in Damascus Monday")."""
        return self.place_of(p, dateline) or next(
            (d for c in p.children if c.dep_ == "compound" for d in [self.place_of(c, dateline)] if d),
            None)

    def _persons(self, tok: Token) -> list[str]:
        """Named people a token and its conjuncts stand for ("A and B", "the minister, A")."""
        out = []
        seen: set[int] = set()
        stack = [tok, *tok.conjuncts]
        while stack:
            x = stack.pop()
            if x.i in seen:
                continue
            seen.add(x.i)
            rec = self.rec_at(x)
            if rec and rec["kind"] == model.PERSON:
                out.append((x.i, rec["name"]))
                # "Foreign Minister Wang Yi and Pakistan's Foreign Minister Ishaq Dar": the
                # parser may hang the next name on the apposition, so follow its conjuncts
                stack.extend(c for c in x.children if c.dep_ == "appos")
                stack.extend(c for a in [x, *(c for c in x.children if c.dep_ == "appos")]
                             for c in a.conjuncts)
                continue
            stack.extend(c for c in x.children if c.dep_ in ("appos", "compound"))
            stack.extend(x.conjuncts)
            if x.lower_ in self.visitor_nouns:  # "a delegation led by Chairman Mahmoud Abbas"
                stack.extend(p for c in x.children if c.dep_ == "acl" and c.lower_ in self.leader_verbs
                             for a in c.children if a.dep_ == "agent" for p in a.children
                             if p.dep_ == "pobj")
        return list(dict.fromkeys(name for _, name in sorted(out)))  # in text order

    def _occasion(self, trig: Token) -> Token | None:
        """The verb or noun a meeting noun is the occasion of: "told B at talks", "his
        counterpart at the talks" (the object of an occasion preposition), else None."""
        if trig.pos_ in ("VERB", "AUX") or trig.dep_ != "pobj":
            return None
        prep = trig.head
        if prep.lower_ not in self.occasion_preps or prep.head.i == prep.i:
            return None
        return prep.head

    def linked_participants(self, doc: Doc, sent: Span, trig: Token, people: list[str]) -> list[str]:
        """Participants tied to a meeting word by the parse: subject(s) and object, "with X",
        "between X and Y"; when only the counterpart is tied ("talks with X"), the one other
        person named in the sentence is the other side."""
        verbal = trig.pos_ in ("VERB", "AUX")
        head = trig if verbal else trig.head
        subj, obj = [], []
        for c in trig.children:
            if c.dep_ in ("dobj",) and verbal:
                obj += self._persons(c)
            elif c.dep_ == "prep" and c.lower_ in self.with_preps:
                for p in c.children:
                    if p.dep_ == "pobj":
                        obj += self._persons(p)
            elif c.dep_ == "poss":
                if c.lower_ in self.plural_possessives and len(people) == 2:
                    subj += people  # "before their meeting in Tokyo"
                else:
                    subj += self._persons(c)
        holders = [head] if not verbal and trig.dep_ in ("dobj", "pobj", "nsubj") else []
        occasion = self._occasion(trig)
        if occasion is not None and occasion.pos_ in ("VERB", "AUX"):
            holders.append(occasion)  # "A told B at talks in Delhi": A and B met
            for c in occasion.children:
                if c.dep_ in ("dobj", "dative"):
                    obj += self._persons(c)
        elif occasion is not None:  # "A's counterpart at the talks was B"
            for c in occasion.children:
                if c.dep_ == "poss":
                    subj += self._persons(c)
            if occasion.dep_ == "nsubj" and subj:
                for c in occasion.head.children:
                    if c.dep_ == "attr":
                        obj += self._persons(c)
        unnamed_subject = False
        for h in [trig] + holders:
            for c in h.children:
                if c.dep_ in ("nsubj", "nsubjpass"):
                    if c.lower_ in self.relative_pronouns and h.dep_ == "relcl":
                        found = self._persons(h.head) or self._traveller(h.head)
                        if not found and h.head.pos_ == "NOUN" and h.head.lower_ not in self.visitor_nouns \
                                and not self.rec_at(h.head):
                            continue  # "a trip that includes talks with B": the trip is no side
                    elif c.lower_ in self.pronouns:
                        name, _ = self.actor(doc, c, sent)
                        found = [name] if name and self.ents[name]["kind"] == model.PERSON else []
                    elif c.lower_ in self.plural_pronouns and h.i == trig.i:
                        found = self._previous_pair(doc, sent)  # "A and B ... They last met in X"
                    else:
                        found = self._persons(c)
                    subj += found
                    unnamed_subject = unnamed_subject or not found
                elif h.i != trig.i and c.dep_ == "prep" and c.lower_ in self.holder_with_preps:
                    for p in c.children:
                        if p.dep_ == "pobj":
                            obj += self._persons(p)
        if verbal and trig.lower_ in self.reciprocal and not obj and len(subj) >= 2:
            return list(dict.fromkeys(subj))  # "A and B met"
        if unnamed_subject and not subj:
            return []  # "we spoke with Austin", "the delegation met A and B": one side unnamed
        if obj and not subj:
            others = [p for p in people if p not in obj]
            if len(others) == 1:
                subj = others
        return list(dict.fromkeys(subj + obj))

    def _previous_pair(self, doc: Doc, sent: Span) -> list[str]:
        """The named people "they" stands for: the coordinated subject ("Both A and B have
        expressed ...") of the sentence before, or of the one before that; [] when neither has
        one of two or more named people."""
        sents = [s for s in doc.sents if s.end <= sent.start][-2:]
        for prev in reversed(sents):
            for t in prev:
                if t.dep_ in SUBJ:
                    found = [p for p in dict.fromkeys(self._persons(t))
                             if self.ents.get(p, {}).get("kind") == model.PERSON]
                    if len(found) >= 2:
                        return found
        return []

    def _traveller(self, noun: Token) -> list[str]:
        """The named people making the trip a visit noun names ("X arrived for a visit that will
        include talks with Y": X): its possessor, else the subject of the verb it hangs on."""
        if noun.lower_ not in self.visit_nouns:
            return []
        t = noun
        for _ in range(4):
            for c in t.children:
                if c.dep_ == "poss" or (t.pos_ in ("VERB", "AUX") and c.dep_ == "nsubj"):
                    found = self._persons(c)
                    if found:
                        return found
            if t.head.i == t.i:
                break
            t = t.head
        return []

    # -- talks, agreements, ceasefires ---------------------------------------------------------
    def _parties(self, tok: Token) -> list[str]:
        """Named parties a token and its conjuncts stand for: people ("A and B", "the minister,
        A"), countries and organisations ("Pakistan and Afghanistan"), the country of a party
        noun's modifier ("the Pakistani and Afghan delegations", "his Uzbek counterpart") and
        the leader of a party ("a delegation led by X")."""
        out: list[str] = []
        for t in [tok, *tok.conjuncts]:
            rec = self.rec_at(t)
            if rec and rec["kind"] in (model.PERSON, model.COUNTRY, model.ORGANIZATION):
                out.append(rec["name"])
                continue
            found = self._persons(t)
            out += found
            if t.lower_ in self.party_nouns or t.lower_ in self.visitor_nouns:
                for c in t.children:
                    if c.dep_ in ("amod", "compound", "poss", "nmod"):
                        for x in [c, *c.conjuncts]:
                            r = self.rec_at(x)
                            if r and r["kind"] in (model.COUNTRY, model.ORGANIZATION) and not found:
                                out.append(r["name"])
                    if c.dep_ == "acl" and c.lower_ in self.leader_verbs:
                        for a in c.children:
                            if a.dep_ in ("agent", "prep") and a.lower_ in self.leader_preps:
                                for p in a.children:
                                    if p.dep_ == "pobj":
                                        out += self._persons(p)
        return list(dict.fromkeys(out))

    def _prep_parties(self, tok: Token) -> list[str]:
        out: list[str] = []
        for c in tok.children:
            if c.dep_ in ("prep", "agent") and c.lower_ in self.party_preps:
                for p in c.children:
                    if p.dep_ == "pobj":
                        out += self._parties(p)
        return out

    def _subject_parties(self, doc: Doc, sent: Span, verb: Token) -> list[str]:
        subj = [c for c in verb.children if c.dep_ == "nsubj"]
        if not subj and verb.dep_ in ("conj", "xcomp", "advcl") and verb.head.pos_ in ("VERB", "AUX"):
            subj = [c for c in verb.head.children if c.dep_ in SUBJ]
        out: list[str] = []
        for c in subj:
            if c.lower_ in self.pronouns:
                name, _ = self.actor(doc, c, sent)
                out += [name] if name else []
            else:
                out += self._parties(c)
        return out

    def members(self, doc: Doc, sent: Span, dateline: set[int]) -> list[tuple[str, list[str], str | None]]:
        """(country, named people, place or None) of each delegation a sentence describes:
        "Pakistan's delegation included A and B", "the Afghan side was represented by C",
        "Kyrgyzstan is represented by D", "the Afghan delegation is led by E"."""
        out = []
        for v in sent:
            if v.lower_ not in self.member_verbs or v.pos_ not in ("VERB", "AUX"):
                continue
            country = None
            for c in v.children:
                if c.dep_ not in SUBJ:
                    continue
                rec = self.rec_at(c)
                if rec and rec["kind"] == model.COUNTRY:
                    country = rec["country"]
                elif c.lower_ in self.party_nouns or c.lower_ in ("delegation", "delegations"):
                    for m in c.children:
                        r = self.rec_at(m)
                        if m.dep_ in ("poss", "amod", "compound", "nmod") and r and r["kind"] in (
                                model.COUNTRY, model.ORGANIZATION) and r["country"]:
                            country = r["country"]  # "the Taliban delegation": its country
            if not country:
                continue
            people: list[str] = []
            for c in v.children:
                if c.dep_ == "dobj":
                    people += self._persons(c)
                elif c.dep_ in ("agent", "prep") and c.lower_ in self.leader_preps:
                    for p in c.children:
                        if p.dep_ == "pobj":
                            people += self._persons(p)
                if c.dep_ in ("dobj", "agent", "prep"):  # "A and the country's chief, B"
                    for x in c.subtree:
                        if x.dep_ in ("appos", "npadvmod", "conj"):
                            people += self._persons(x)
            place = None
            for c in v.children:
                if c.dep_ == "prep" and c.lower_ in self.party_place_preps:
                    for p in c.children:
                        d = self.place_of(p, dateline) if p.dep_ == "pobj" else None
                        if d:
                            place = d[1]
            people = [p for p in dict.fromkeys(people) if self.ents[p]["kind"] == model.PERSON]
            if people:
                out.append((country, people, place))
        return out

    def add_members(self, doc: Doc, sent: Span, si: int, dateline: set[int],
                    previous: list[dict[str, Any]]) -> None:
        """People a sentence names as a delegation's members join the latest talks of their
        country within ``member_window`` sentences before (see :meth:`members`)."""
        for country, people, place in self.members(doc, sent, dateline):
            for ev in reversed(previous):
                if ev["sentence_index"] < si - self.member_window:
                    break
                if ev["kind"] not in (model.TALKS, model.MEETING):
                    continue
                countries = {self.ents[p]["country"] for p in ev["participants"] if p in self.ents}
                if country not in countries or (place and ev.get("country") and place != ev["country"]):
                    continue
                ev["participants"] += [p for p in people if p not in ev["participants"]]
                break

    def add_signatories(self, doc: Doc, sent: Span, si: int, dateline: set[int],
                        previous: list[dict[str, Any]]) -> None:
        """"The document was signed in Kabul in the presence of A, B and C": a signing sentence
        without an agreement of its own names the people of the latest agreement (within
        ``member_window`` sentences) whose country is one of its parties, and its place."""
        verb = next((t for t in sent if t.lower_ in self.agreement_verbs and t.pos_ == "VERB"), None)
        if verb is None or self.status(verb) != model.OCCURRED:
            return
        for ev in reversed(previous):
            if ev["sentence_index"] < si - self.member_window:
                return
            if ev["kind"] != model.AGREEMENT or ev["status"] != model.OCCURRED:
                continue
            countries = {self.ents[p]["country"] for p in ev["participants"] if p in self.ents}
            for span, name in state(doc).get("mentions", []):
                rec = self.ents.get(name) if name else None
                if sent.start <= span.start < sent.end and rec and rec["kind"] == model.PERSON \
                        and rec["country"] in countries and name not in ev["participants"]:
                    ev["participants"].append(name)
            if not ev["place"] and not ev["country"]:
                ev["place"], ev["country"] = self._place([verb], dateline)
            return

    def mediators(self, doc: Doc, sent: Span) -> list[str]:
        """Mediators named in the sentence: "mediated by Qatar and Türkiye", "Qatar brokered",
        "with Qatari mediation", "the mediation of Türkiye"."""
        out: list[str] = []
        for t in sent:
            low = t.lower_
            if low in self.mediation_verbs:
                for c in t.children:
                    if c.dep_ in ("agent", "prep") and c.lower_ in self.mediation_preps:
                        for p in c.children:
                            if p.dep_ == "pobj":
                                out += self._parties(p)
                    elif c.dep_ in ("nsubj", "npadvmod", "compound", "nmod"):
                        out += self._parties(c)  # "with Türkiye and Qatar mediating" (nmod)
                if t.dep_ == "acl" and t.head.dep_ == "pobj":
                    out += self._parties(t.head)  # "with Türkiye and Qatar mediating"
                if t.dep_ in ("amod",) or (t.i > sent.start and doc[t.i - 1].text == "-"):
                    for c in t.children:  # "Qatar-mediated talks"
                        if c.dep_ in ("npadvmod", "compound", "advmod"):
                            out += self._parties(c)
            elif low in self.mediation_nouns:
                for c in t.children:
                    if c.dep_ in ("amod", "compound", "poss", "nmod", "appos"):
                        out += self._parties(c)
                    elif c.dep_ == "prep" and c.lower_ in self.mediation_preps:
                        for p in c.children:
                            if p.dep_ == "pobj":
                                out += self._parties(p)
                nxt = doc[t.i + 1] if t.i + 1 < sent.end else None
                if nxt is not None and nxt.head.i != t.i and nxt.dep_ in ("prep", "agent") \
                        and nxt.lower_ in self.mediation_preps:  # "under mediation by Qatar", by on the verb
                    for p in nxt.children:
                        if p.dep_ == "pobj":
                            out += self._parties(p)
        return list(dict.fromkeys(out))

    def _place(self, toks: list[Token], dateline: set[int]) -> tuple[str | None, str | None]:
        for t in toks:
            for c in t.children:
                if c.dep_ == "prep" and c.lower_ in self.party_place_preps:
                    for p in c.children:
                        d = self.place_of(p, dateline) if p.dep_ == "pobj" else None
                        if d:
                            return d
        return None, None

    def _kind_event(self, doc, sent, kind, trig, status_tok, parties, holders, dateline,
                    mediators) -> dict[str, Any] | None:
        parties = list(dict.fromkeys(p for p in parties if p))
        mediators = [m for m in mediators if m not in parties]
        if len(parties) < 2 and not (parties and mediators):
            return None
        status, words = self.status_of(status_tok)
        if status is None:
            return None
        place, country = self._place(holders, dateline)
        date = self.date_for(doc, sent, status_tok, "future" if status == model.PLANNED else "past")
        variant = model.PLANNED if status == model.PLANNED else DEFAULT
        return {"kind": kind, "participants": parties, "mediators": mediators, "place": place,
                "country": country, "date": date, "status": status,
                "cameo": self.kind_codes[kind][variant], "trigger": trig.text,
                "status_words": words, "_ti": status_tok.i}

    def talks(self, doc: Doc, sent: Span, dateline: set[int]) -> list[dict[str, Any]]:
        """Talks between delegations, countries or organisations, or with mediators, or a round
        of talks ("Pakistani and Afghan delegations held talks in Doha mediated by Qatar",
        "the second round of talks between Pakistan and Afghanistan will begin in Istanbul").
        Talks between named people only are meetings (:meth:`meetings`)."""
        out: list[dict[str, Any]] = []
        for t in sent:
            if t.lower_ not in self.talks_nouns or t.pos_ not in ("NOUN", "PROPN"):
                continue
            noun = t
            rounds = False
            if t.lower_ in self.round_nouns:
                if not any(c.dep_ == "prep" for c in t.children):
                    continue  # "round" alone is no talks
                rounds = True
            elif t.dep_ == "pobj" and t.head.dep_ == "prep" and t.head.head.lower_ in self.round_nouns:
                continue  # handled at "round"
            parties: list[str] = []
            for c in noun.children:
                if c.dep_ in ("amod", "compound", "poss", "nmod"):
                    for x in [c, *c.conjuncts]:
                        r = self.rec_at(x)
                        if r and r["kind"] in (model.COUNTRY, model.ORGANIZATION, model.PERSON):
                            parties.append(r["name"])
            parties += self._prep_parties(noun)
            if rounds:
                for c in noun.children:
                    if c.dep_ == "prep":
                        for p in c.children:
                            if p.dep_ == "pobj" and p.lower_ in self.talks_nouns:
                                parties += self._prep_parties(p)
            verb = noun.head if noun.head.i != noun.i and noun.head.pos_ in ("VERB", "AUX") else None
            holders = [noun]
            if verb is not None:
                holders.append(verb)
                parties += self._prep_parties(verb)
                if noun.dep_ in ("dobj", "pobj"):
                    parties += self._subject_parties(doc, sent, verb)
            mediators = self.mediators(doc, sent)
            if parties and not any(self.ents[p]["kind"] in (model.PERSON, model.COUNTRY)
                                   for p in parties if p in self.ents):
                continue  # talks between firms ("merger talks with Barclays")
            persons_only = all(self.ents[p]["kind"] == model.PERSON for p in parties if p in self.ents)
            party_noun = any(x.lower_ in self.party_nouns for p in (noun, verb) if p is not None
                             for x in p.subtree)
            if persons_only and not mediators and not rounds and not party_noun:
                continue
            ev = self._kind_event(doc, sent, model.TALKS, noun, verb if verb is not None and noun.dep_ in (
                "nsubj", "nsubjpass") else noun, parties, holders, dateline, mediators)
            if ev:
                out.append(ev)
                break
        return out

    def agreements(self, doc: Doc, sent: Span, dateline: set[int]) -> list[dict[str, Any]]:
        """"Sharif and bin Salman signed a defence agreement in Riyadh", "the pact was signed by
        A and B", "the accord, signed in Doha by A and B"."""
        out: list[dict[str, Any]] = []
        for t in sent:
            if t.lower_ not in self.agreement_verbs or t.pos_ != "VERB":
                continue
            nouns = [c for c in t.children if c.dep_ in ("dobj", "nsubjpass") and c.lower_ in self.agreement_nouns]
            if t.dep_ == "acl" and t.head.lower_ in self.agreement_nouns:
                nouns.append(t.head)
            if not nouns:
                continue
            noun = nouns[0]
            parties = self._subject_parties(doc, sent, t) if t.dep_ != "acl" else []
            parties += self._prep_parties(t) + self._prep_parties(noun)
            for c in t.children:
                if c.dep_ == "agent":
                    for p in c.children:
                        if p.dep_ == "pobj":
                            parties += self._parties(p)
            ev = self._kind_event(doc, sent, model.AGREEMENT, t, t, parties, [t, noun], dateline,
                                  self.mediators(doc, sent))
            if ev:
                out.append(ev)
                break
        return out

    def ceasefires(self, doc: Doc, sent: Span, dateline: set[int]) -> list[dict[str, Any]]:
        """"Pakistan and Afghanistan agreed to an immediate ceasefire", "declared a truce", "a
        ceasefire was agreed between A and B": a ceasefire word under a ceasefire verb."""
        out: list[dict[str, Any]] = []
        for t in sent:
            if t.lower_ not in self.ceasefire_nouns:
                continue
            g = t.head
            verb = None
            if t.dep_ in ("dobj", "nsubjpass") and g.lower_ in self.ceasefire_verbs:
                verb = g
            elif t.dep_ == "pobj" and g.dep_ == "prep" and g.head.lower_ in self.ceasefire_verbs:
                verb = g.head
            if verb is None or verb.pos_ not in ("VERB", "AUX"):
                continue
            parties = self._subject_parties(doc, sent, verb) if t.dep_ != "nsubjpass" else []
            parties += self._prep_parties(verb) + self._prep_parties(t)
            for c in verb.children:
                if c.dep_ == "agent":
                    for p in c.children:
                        if p.dep_ == "pobj":
                            parties += self._parties(p)
            ev = self._kind_event(doc, sent, model.CEASEFIRE, t, verb, parties, [verb, t], dateline,
                                  self.mediators(doc, sent))
            if ev:
                out.append(ev)
                break
        return out

    def visit_hosts(self, doc: Doc, sent: Span, ev: dict[str, Any]) -> list[str]:
        """Officials of the destination country tied to a meeting or host word of the sentence:
        its object ("met A and B", "held talks with A"), the agent of a host verb ("was
        received by A") or the subject of one ("A received him")."""
        country = ev.get("destination_country")
        if not country or ev["status"] == model.CANCELLED:
            return []
        skip = {ev.get("visitor"), ev.get("host")}
        out: list[str] = []
        for span, name in state(doc).get("mentions", []):
            if not (sent.start <= span.start < sent.end) or not name or name in skip or name in out:
                continue
            rec = self.ents.get(name)
            if not rec or rec["kind"] != model.PERSON or rec["country"] != country:
                continue
            t = span.root
            for _ in range(5):
                if t.dep_ == "nsubj" and t.head.lower_ in self.meet_host_words:
                    out.append(name)
                    break
                if t.dep_ not in ("pobj", "dobj", "conj", "appos", "compound", "agent", "prep") or t.head.i == t.i:
                    break
                t = t.head
                if t.lower_ in self.meet_words or t.lower_ in self.host_verbs or any(
                        c.dep_ == "dobj" and c.lower_ in self.meet_words for c in t.children):
                    out.append(name)
                    break
        return out

    def statements(self, doc: Doc, sent: Span) -> list[dict[str, Any]]:
        m = QUOTE_RE.search(sent.text)
        if not m:
            return []
        q0, q1 = sent.start_char + m.start(), sent.start_char + m.end()
        for t in sent:
            if t.lower_ not in self.say or q0 <= t.idx < q1:
                continue
            v = t
            subj = [c for c in v.children if c.dep_ == "nsubj"]
            if not subj and v.dep_ in ("advcl", "xcomp", "conj"):
                v = v.head
                subj = [c for c in v.children if c.dep_ == "nsubj"]
            if not subj:
                continue
            speaker, _ = self.actor(doc, subj[0], sent)
            if speaker and self.ents.get(speaker, {}).get("kind") == model.PERSON:
                return [{"kind": model.STATEMENT, "speaker": speaker, "quote": m.group(1).strip(),
                         "date": None, "status": model.OCCURRED, "cameo": self.statement_code}]
        return []

    def attacks(self, doc: Doc, sent: Span) -> list[dict[str, Any]]:
        out = []
        for trig in sent:
            low = trig.lower_
            if low not in self.attack_nouns and low not in self.attack_verbs:
                continue
            target = perp = place = None
            for c in trig.children:
                if c.dep_ in ("prep", "agent") and c.lower_ in self.attack_preps:
                    for p in c.children:
                        rec = self.rec_at(p)
                        if not rec:
                            continue
                        by = c.lower_ in self.perpetrator_preps
                        if by and rec["kind"] in (model.ORGANIZATION, model.PERSON):
                            perp = rec["name"]
                        elif not by and rec["kind"] == model.PERSON:
                            target = rec["name"]
                elif c.dep_ in ("dobj", "nsubjpass"):
                    rec = self.rec_at(c)
                    if rec and rec["kind"] == model.PERSON:
                        target = rec["name"]
                elif c.dep_ == "nsubj" and low in self.attack_verbs:
                    rec = self.rec_at(c)
                    if rec and rec["kind"] == model.ORGANIZATION:
                        perp = rec["name"]
            if not target and not perp:
                continue
            date = self.date_for(doc, sent, trig, "past")
            out.append({"kind": model.ATTACK, "target": target, "perpetrator": perp, "place": place,
                        "date": date, "status": model.OCCURRED,
                        "cameo": self.attack_codes.get(low, self.attack_default),
                        "trigger": trig.text, "_ti": trig.i})
        return out

    def merge(self, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """One visit per (visitor, destination country, status): the dated, most specific
        mention wins; meetings during an occurred visit inherit its place and date."""
        visits: dict[tuple, dict[str, Any]] = {}
        out: list[dict[str, Any]] = []
        all_visits = [dict(ev) for ev in events if ev["kind"] == model.VISIT]
        for ev in events:
            if ev["kind"] != model.VISIT:
                out.append(ev)
                continue
            key = (ev["visitor"], ev["destination_country"], ev["status"])
            cur = visits.get(key)
            if cur is None:
                visits[key] = ev
                out.append(ev)
                continue
            hosts = list(dict.fromkeys(cur.get("hosts", []) + ev.get("hosts", [])))
            background = cur.get("background") and ev.get("background")
            better = (ev["date"] and not cur["date"]) or (
                bool(ev["date"]) == bool(cur["date"]) and ev["destination_place"]
                and not cur["destination_place"] and ev["cameo"] <= cur["cameo"])
            if better:
                place = ev["destination_place"] or cur["destination_place"]
                cur.clear()
                cur.update(ev)
                cur["destination_place"] = place
            elif not cur["destination_place"] and ev["destination_place"]:
                cur["destination_place"] = ev["destination_place"]
            cur["hosts"] = [h for h in hosts if h != cur.get("host")]
            cur["background"] = bool(background)
        attacks: dict[str, dict[str, Any]] = {}
        meetings: dict[frozenset, dict[str, Any]] = {}
        others: dict[tuple, dict[str, Any]] = {}
        kept = []
        for ev in out:
            if ev["kind"] == model.MEETING:
                key = frozenset(ev["participants"])
                cur = meetings.get(key)
                if cur is not None and cur["status"] == ev["status"]:
                    for k in ("place", "country", "date"):
                        cur[k] = cur[k] or ev[k]
                    cur["background"] = cur["background"] and ev["background"]
                    continue
                meetings[key] = ev
            if ev["kind"] in self.kind_codes:
                key = (ev["kind"], frozenset(ev["participants"]), ev["status"])
                cur = others.get(key)
                if cur is not None:
                    for k in ("place", "country", "date", "status_words"):
                        cur[k] = cur[k] or ev[k]
                    cur["mediators"] = list(dict.fromkeys(cur["mediators"] + ev["mediators"]))
                    cur["background"] = cur["background"] and ev["background"]
                    continue
                others[key] = ev
            if ev["kind"] == model.ATTACK and ev["target"]:
                cur = attacks.get(ev["target"])
                if cur is not None:
                    for k in ("perpetrator", "date", "place"):
                        cur[k] = cur[k] or ev[k]
                    continue
                attacks[ev["target"]] = ev
            kept.append(ev)
        out = kept
        # only visits dated to the day: a month ("in May") is too loose to date another sentence
        occurred = [v for v in visits.values()
                    if v["status"] == model.OCCURRED and len(v["date"] or "") == 10]
        for ev in out:
            if ev["kind"] != model.MEETING:
                continue
            vague = ev.pop("_dated", False) and not ev["date"]
            same = [v for v in all_visits if v["sentence_index"] == ev["sentence_index"]
                    and v["visitor"] in ev["participants"]]
            same = [v for v in same if not ev["country"] or v["destination_country"] == ev["country"]]
            if same:  # "... made a visit to Pakistan, during which he met Sharif"
                v = same[0]
                ev["date"] = ev["date"] or v["date"]
                if not ev["place"] and not ev["country"]:
                    ev["place"], ev["country"] = v["destination_place"], v["destination_country"]
                continue
            if vague or ev["country"] or ev.get("background"):  # "in April"; its own place; earlier
                continue
            for v in occurred:
                if v["visitor"] in ev["participants"]:
                    if not ev["date"]:
                        ev["date"] = v["date"]
                    if not ev["place"] and not ev["country"]:
                        ev["place"], ev["country"] = v["destination_place"], v["destination_country"]
                    break
        for ev in out:
            if ev.get("date"):
                ev["background"] = False
        return out


@Language.factory("chancery_events")
def make_events(nlp: Language, name: str) -> EventExtractor:
    """Factory for :class:`EventExtractor` with the default resources."""
    return EventExtractor(nlp)
