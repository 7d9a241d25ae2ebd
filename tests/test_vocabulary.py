"""The extractor's vocabulary: every key of ``events.json`` is one the code reads (and the code
refuses any other); every event kind, status and participant role it emits is in
``analysis.model``; every CAMEO code it emits is the model's; phrasal cancelled markers
("called off", "put off") work."""
from __future__ import annotations

import ast
import copy
import inspect
import json
import re
from types import SimpleNamespace

import pytest

from analysis import config, model
from analysis.extract import events as ev_mod
from analysis.extract.events import (RULE_KEYS, TOP_KEYS, VISIT_VERB_KEYS, EventExtractor,
                                     RulesError, check_rules)

EVENTS_FILE = config.RESOURCES / "events.json"


def rules() -> dict:
    return json.loads(EVENTS_FILE.read_text(encoding="utf-8"))


# --- (a) every key is declared, present and read ----------------------------------------------

def test_the_file_has_exactly_the_declared_keys():
    data = rules()
    check_rules(data)
    assert set(data) == TOP_KEYS
    for rule, keys in RULE_KEYS.items():
        assert set(data[rule]) == keys, rule
    verb_keys = set().union(*(spec.keys() for spec in data["visit"]["verbs"].values()))
    assert verb_keys == VISIT_VERB_KEYS  # passive_only is used by at least one verb


@pytest.mark.parametrize("where", ["top", "visit", "meet", "attack", "verb"])
def test_an_unknown_key_fails_loading(where):
    data = rules()
    target = {"top": data, "visit": data["visit"], "meet": data["meet"], "attack": data["attack"],
              "verb": data["visit"]["verbs"]["arrive"]}[where]
    target["date_excluded_heads"] = []
    with pytest.raises(RulesError, match="date_excluded_heads"):
        check_rules(data)
    with pytest.raises(RulesError):  # the component refuses it when it is built
        EventExtractor(None, SimpleNamespace(events=data))


@pytest.mark.parametrize("path", [("pronouns",), ("meet", "where_words"),
                                  ("visit", "verbs", "arrive", "dest")])
def test_a_missing_key_fails_loading(path):
    data = rules()
    obj = data
    for key in path[:-1]:
        obj = obj[key]
    del obj[path[-1]]
    with pytest.raises(RulesError, match=path[-1]):
        check_rules(data)


def test_an_attack_word_must_map_to_a_cameo_variant_of_the_model():
    data = rules()
    data["attack"]["cameo_variants"]["raid"] = "raiding"
    with pytest.raises(RulesError, match="raiding"):
        check_rules(data)


def test_the_description_names_every_key():
    about = rules()["_about"]
    keys = (TOP_KEYS - {"_about"}) | set().union(*RULE_KEYS.values()) | VISIT_VERB_KEYS
    assert [k for k in sorted(keys) if f"'{k}'" not in about and f"{k}:" not in about] == []


def test_the_cameo_codes_are_not_in_events_json():
    assert "cameo" not in rules()
    assert not re.search(r'"\d{3}"', EVENTS_FILE.read_text(encoding="utf-8"))


class Recording(dict):
    """A dict (nested) that records the path of every key read through ``[]`` or ``get``."""

    def __init__(self, data: dict, log: set, path: tuple = ()):
        super().__init__({k: Recording(v, log, path + (k,)) if isinstance(v, dict) else v
                          for k, v in data.items()})
        self.log, self.path = log, path

    def __getitem__(self, key):
        self.log.add(self.path + (key,))
        return super().__getitem__(key)

    def get(self, key, default=None):
        self.log.add(self.path + (key,))
        return super().get(key, default)


@pytest.fixture(scope="module")
def nlp():
    from analysis.extract import get_nlp

    return get_nlp()


def test_every_declared_key_is_read(nlp, monkeypatch):
    """Building the component and running it on one visit reads every declared key (the check
    of the keys itself is switched off here, so it cannot count as a read)."""
    from analysis.extract import make_doc

    monkeypatch.setattr(ev_mod, "check_rules", lambda data: None)
    log: set = set()
    extractor = EventExtractor(nlp, SimpleNamespace(events=Recording(rules(), log)))
    with nlp.select_pipes(disable=["chancery_events", "chancery_topics"]):
        doc = nlp(make_doc(nlp, {"text": "Chinese Foreign Minister Wang Yi arrived in Kabul on "
                                         "Thursday.", "published": "2024-12-20"}))
    extractor(doc)
    assert [e["kind"] for e in doc._.chancery["events"]] == [model.VISIT]
    read = {(p[0], p[1], "*", *p[3:]) if p[:2] == ("visit", "verbs") and len(p) > 3 else p
            for p in log}
    declared = {(k,) for k in TOP_KEYS - {"_about"}}
    declared |= {(rule, k) for rule, keys in RULE_KEYS.items() for k in keys}
    declared |= {("visit", "verbs", "*", k) for k in VISIT_VERB_KEYS}
    assert declared - read == set()
    assert read - declared == set()


def test_every_word_set_the_component_builds_is_used_by_a_rule():
    """Each attribute ``EventExtractor.__init__`` sets is read by another method (a word list
    loaded and never consulted would pass the key tests above)."""
    tree = ast.parse(inspect.getsource(EventExtractor))
    (cls,) = [n for n in tree.body if isinstance(n, ast.ClassDef)]
    assigned, loaded = set(), set()
    for fn in (n for n in cls.body if isinstance(n, ast.FunctionDef)):
        for node in ast.walk(fn):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                    and node.value.id == "self":
                if fn.name == "__init__" and isinstance(node.ctx, ast.Store):
                    assigned.add(node.attr)
                elif fn.name != "__init__" and isinstance(node.ctx, ast.Load):
                    loaded.add(node.attr)
    assert len(assigned) > 30
    assert assigned - loaded == set()


def test_no_cancelled_marker_is_dropped():
    extractor = EventExtractor(None)
    phrases = {(first, *rest) for first, rests in extractor.cancel_phrases.items() for rest in rests}
    for marker in rules()["cancelled_markers"]:
        words = tuple(marker.lower().split())
        assert (words[0] in extractor.cancelled) if len(words) == 1 else (words in phrases), marker
    assert ("called", "off") in phrases and ("put", "off") in phrases


# --- phrasal cancelled markers ------------------------------------------------------------------

def events_of(nlp, text, published="2004-10-14"):
    from analysis.extract import make_doc

    return nlp(make_doc(nlp, {"text": text, "published": published}))._.chancery["events"]


@pytest.mark.parametrize("text", [
    "Pakistani President Pervez Musharraf called off his visit to India.",
    "Pakistani President Pervez Musharraf called off the visit to India.",  # was no event at all
    "Pakistani President Pervez Musharraf called his visit to India off.",
    "Pakistani President Pervez Musharraf put off his trip to India.",      # was "occurred"
    "Pakistani President Pervez Musharraf put off the trip to India.",
    "Pakistani President Pervez Musharraf is calling off his trip to India.",
    "Pakistani President Pervez Musharraf postponed his visit to India.",   # one-word marker
])
def test_cancelled_markers(nlp, text):
    visits = [(e["visitor"], e["destination_country"], e["status"], e["cameo"])
              for e in events_of(nlp, text) if e["kind"] == model.VISIT]
    assert visits == [("Pervez Musharraf", "IND", model.CANCELLED, model.cameo(model.VISIT))]


def test_a_phrasal_verb_without_its_particle_is_no_marker(nlp):
    (v,) = [e for e in events_of(nlp, "Pakistani President Pervez Musharraf called his visit to "
                                      "India a success.") if e["kind"] == model.VISIT]
    assert v["status"] == model.OCCURRED


# --- (b) kinds, statuses, roles; (c) CAMEO codes, on the sample corpus ---------------------------

EXTRA = [  # kinds and variants the sample corpus lacks
    "The assassination of Khalil Rahman Haqqani shocked Kabul on December 11, 2024.",
    "A bombing by ISKP hit Kabul on Monday.",
    "Khalil Rahman Haqqani was killed by ISKP on December 11, 2024.",
    "“We will resolve the existing issues together,” Ishaq Dar said.",
    "Ishaq Dar met Wang Yi on the sidelines of the SCO summit in Astana.",
    "Pakistani President Pervez Musharraf put off the trip to India.",
    "Russian President Vladimir Putin will host Chinese President Hu Jintao in Moscow next week.",
]


@pytest.fixture(scope="module")
def outputs():
    from analysis.extract import extract_many
    from analysis.ingest.sources import split_front_matter

    items = []
    for path in sorted(config.SAMPLE_DIR.glob("*.md")):
        meta, body = split_front_matter(path.read_text(encoding="utf-8"))
        items.append({"id": path.name, "title": meta.get("title"), "published": meta.get("published"),
                      "text": body})
    assert len(items) >= 45
    items += [{"id": f"extra{i}", "text": t, "published": "2024-12-20"} for i, t in enumerate(EXTRA)]
    return list(extract_many(items))


def all_events(outputs):
    return [(out, ev) for out in outputs for ev in out["events"]]


def test_kinds_and_statuses_are_the_models(outputs):
    pairs = all_events(outputs)
    kinds = {ev["kind"] for _, ev in pairs}
    statuses = {ev["status"] for _, ev in pairs}
    assert kinds <= set(model.event_kinds()) and statuses <= set(model.statuses())
    assert kinds == set(model.event_kinds())  # every kind and status was exercised
    assert statuses == set(model.statuses())


def test_every_field_naming_a_participant_has_a_role_in_the_model(outputs):
    """A person or organisation named by an event is named in a field the model gives a role,
    so the store records it as a participant."""
    fields = model.role_fields()
    seen = set()
    for out, ev in all_events(outputs):
        actors = {e["name"] for e in out["entities"] if e["kind"] in (model.PERSON, model.ORGANIZATION)}
        for key, value in ev.items():
            names = value if isinstance(value, list) else [value]
            if key in ("evidence", "quote", "trigger"):
                continue
            if any(isinstance(n, str) and n in actors for n in names):
                assert key in fields, (key, ev)
                assert fields[key] in model.roles()
                seen.add(key)
    assert {"visitor", "host", "participants", "speaker", "target", "perpetrator"} <= seen


def expected_cameo(ev: dict) -> str:
    data = rules()
    if ev["kind"] == model.VISIT:
        variant = model.PLANNED if ev["status"] == model.PLANNED else (
            "hosted" if ev.get("host") else "default")
    elif ev["kind"] == model.MEETING:
        words = set(re.findall(r"\w+", ev["evidence"].lower()))
        variant = model.PLANNED if ev["status"] == model.PLANNED else (
            "third_location" if words & set(data["meet"]["third_location_words"]) else "default")
    elif ev["kind"] == model.ATTACK:
        variant = data["attack"]["cameo_variants"].get(ev["trigger"].lower(), "default")
    elif ev["kind"] in (model.TALKS, model.AGREEMENT, model.CEASEFIRE):
        variant = model.PLANNED if ev["status"] == model.PLANNED else "default"
    else:
        variant = "default"
    assert variant in model.cameo_variants(ev["kind"])
    return model.cameo(ev["kind"], variant)


def test_every_cameo_code_is_the_models(outputs):
    codes = set()
    for _, ev in all_events(outputs):
        assert ev["cameo"] == expected_cameo(ev), ev
        codes.add(ev["cameo"])
    every = {c for k in model.event_kinds() for c in model.cameo_variants(k).values()}
    assert codes == every  # every code of the model was emitted at least once


def test_the_codes_follow_the_model(monkeypatch):
    """The codes come from model.json at construction, not from a copy in the extractor."""
    real = copy.deepcopy(model.vocabulary())
    changed = copy.deepcopy(real)
    changed["event_kinds"][model.VISIT]["cameo"]["hosted"] = "999"
    monkeypatch.setattr(model, "vocabulary", lambda: changed)
    assert EventExtractor(None).visit_codes["hosted"] == "999"
