"""Canonical entities, alias resolution and junk control, on spacy.blank("en") plus rules."""
from __future__ import annotations

import pytest

from analysis.extract.entities import _is_short_form
from tests.test_nlp_helpers import entities, run


def mention_map(doc):
    return {(doc[s:e].text, doc[s].idx): name for s, e, _, name in doc._.chancery["mentions"]}


def test_short_form_resolves_to_the_one_full_name():
    doc = run("Ambassador Mohammad Sadiq arrived. Later, Ambassador Sadiq met officials.",
              persons=["Mohammad Sadiq", "Sadiq"])
    ents = entities(doc)
    people = [n for n, r in ents.items() if r["kind"] == "person"]
    assert people == ["Mohammad Sadiq"]
    assert {"Sadiq", "Ambassador Sadiq", "Ambassador Mohammad Sadiq"} <= set(ents["Mohammad Sadiq"]["aliases"])


def test_shared_surname_stays_unresolved_and_people_stay_apart():
    text = ("Sirajuddin Haqqani met them. Khalil Rahman Haqqani was killed. Haqqani said.")
    doc = run(text, persons=["Haqqani"])
    ents = entities(doc)
    assert {"Sirajuddin Haqqani", "Khalil Rahman Haqqani"} <= set(ents)
    bare = [name for (t, _), name in mention_map(doc).items() if t == "Haqqani"]
    assert bare == [None]
    assert "Haqqani" not in ents


def test_gazetteer_gives_the_canonical_name_across_articles():
    doc = run("Minister Khalil Haqqani died.")
    assert list(entities(doc)) == ["Khalil Rahman Haqqani"]
    assert "Minister Khalil Haqqani" in entities(doc)["Khalil Rahman Haqqani"]["aliases"]


def test_unknown_person_and_possessive_stripped():
    doc = run("Mr. John Smith's plan. Smith said.", persons=["Mr. John Smith's", "Smith"])
    ents = entities(doc)
    assert list(ents) == ["John Smith"]
    assert ents["John Smith"]["country"] is None


def test_gpe_that_is_a_persons_surname_becomes_that_person():
    doc = run("Mohammad Sadiq came. Sadiq spoke.", gpes=["Sadiq"])
    assert mention_map(doc)[("Sadiq", 21)] == "Mohammad Sadiq"


def test_countries_demonyms_cities_and_orgs():
    doc = run("Afghan officials of the Interim Afghan Government (IAG) met in Kabul with "
              "Pakistan.")
    ents = entities(doc)
    assert ents["Afghanistan"]["kind"] == "country" and ents["Afghanistan"]["country"] == "AFG"
    assert ents["Kabul"] == {"name": "Kabul", "kind": "place", "country": "AFG", "aliases": [],
                             "roles": []}
    assert ents["Interim Afghan Government"]["aliases"] == ["IAG"]
    assert ents["Pakistan"]["country"] == "PAK"


@pytest.mark.parametrize("text, label, junk", [
    ("Also See: Pakistan Reaffirms Commitment to Dialogue", "ORG", "Pakistan Reaffirms Commitment"),
    ("AI is no longer a neutral tool.", "GPE", "AI"),
    ("News Desk", "ORG", "News Desk"),
    ("Under the Banner of Mediation", "ORG", "Banner"),
    ("Read More", "ORG", "Read More"),
])
def test_junk_never_becomes_an_entity(text, label, junk):
    kw = {"orgs": [junk]} if label == "ORG" else {"gpes": [junk]}
    doc = run(text, **kw)
    assert junk not in entities(doc)
    assert mention_map(doc)[(junk, text.index(junk))] is None


def test_unknown_organisation_is_kept():
    doc = run("The Hazara Council said.", orgs=["Hazara Council"])
    assert entities(doc)["Hazara Council"]["kind"] == "organization"


@pytest.mark.parametrize("short, full, expected", [
    ("Sadiq", "Mohammad Sadiq", True),
    ("Khalil Haqqani", "Khalil Rahman Haqqani", True),
    ("Haqqani", "Sirajuddin Haqqani", True),
    ("Sirajuddin Haqqani", "Khalil Rahman Haqqani", False),
    ("Mohammad", "Mohammad Sadiq", False),
    ("Mohammad Sadiq", "Mohammad Sadiq", False),
])
def test_is_short_form(short, full, expected):
    assert _is_short_form(short.split(), full.split()) is expected


def test_family_name_first_and_arabic_given_name():
    doc = run("Chinese President Xi Jinping met Sheikh Abdullah bin Zayed Al Nahyan. "
              "Xi said Sheikh Abdullah agreed.", persons=["Xi", "Sheikh Abdullah"])
    m = mention_map(doc)
    assert m[("Xi", text_index(doc, "Xi said"))] == "Xi Jinping"
    assert m[("Sheikh Abdullah", text_index(doc, "Sheikh Abdullah agreed"))] == "Abdullah bin Zayed Al Nahyan"


def text_index(doc, s):
    return doc.text.index(s)
