"""The title linker: person <-> title <-> country, on spacy.blank("en") plus the rules."""
from __future__ import annotations

import pytest

from tests.test_nlp_helpers import entities, run


def roles(doc, name):
    return [(r["title"], r["country"]) for r in entities(doc)[name]["roles"]]


def test_possessive_title_apposition_with_honorific():
    doc = run("Pakistan’s Special Representative for Afghanistan, Ambassador Mohammad Sadiq, "
              "arrived.", persons=["Mohammad Sadiq"])
    assert roles(doc, "Mohammad Sadiq") == [
        ("Special Representative for Afghanistan", "PAK"), ("Ambassador", "PAK")]
    assert entities(doc)["Mohammad Sadiq"]["country"] == "PAK"


def test_demonym_acting_title_and_he_honorific():
    doc = run("talks with Afghan Acting Foreign Minister H.E. Amir Khan Muttaqi.")
    assert roles(doc, "Amir Khan Muttaqi") == [("Acting Foreign Minister", "AFG")]
    assert "H.E. Amir Khan Muttaqi" in entities(doc)["Amir Khan Muttaqi"]["aliases"]


def test_name_then_title_for_country():
    doc = run("In response, Khalifa Sirajuddin Haqqani, Acting Minister of Interior for "
              "Afghanistan, said.")
    assert roles(doc, "Sirajuddin Haqqani") == [("Acting Minister of Interior", "AFG")]
    assert "Khalifa Sirajuddin Haqqani" in entities(doc)["Sirajuddin Haqqani"]["aliases"]


def test_title_before_name_after_comma():
    doc = run("a meeting with the Acting Minister of Interior, Khalifa Sirajuddin Haqqani, who")
    assert roles(doc, "Sirajuddin Haqqani") == [("Acting Minister of Interior", "AFG")]


def test_charge_d_affaires_keeps_its_post():
    doc = run("Pakistan’s Chargé d’Affaires in Kabul, Ambassador Ubaid Nizami, was present.",
              persons=["Ubaid Nizami"])
    assert roles(doc, "Ubaid Nizami") == [("Chargé d’Affaires in Kabul", "PAK"), ("Ambassador", "PAK")]


def test_title_without_country_takes_the_persons_country():
    doc = run("on behalf of Foreign Minister Ishaq Dar.", persons=["Ishaq Dar"])
    assert roles(doc, "Ishaq Dar") == [("Foreign Minister", "PAK")]


def test_unknown_name_after_title_becomes_a_person():
    doc = run("Pakistani President General Pervez Musharraf arrived in Britain.")
    people = {n: r for n, r in entities(doc).items() if r["kind"] == "person"}
    assert list(people) == ["Pervez Musharraf"]
    assert people["Pervez Musharraf"]["country"] == "PAK"
    assert people["Pervez Musharraf"]["roles"][0]["title"] == "President"


def test_possessive_country_before_a_name():
    doc = run("Britain's Tony Blair flew to Khartoum.", persons=["Tony Blair"])
    assert entities(doc)["Tony Blair"]["country"] == "GBR"
    assert entities(doc)["Tony Blair"]["roles"] == []


@pytest.mark.parametrize("text", [
    "The Ministry of Foreign Affairs said.",
    "Ministers met in private.",
])
def test_no_role_without_a_person(text):
    doc = run(text, orgs=["Ministry of Foreign Affairs"] if "Ministry" in text else [])
    assert doc._.chancery["roles"] == []


def test_roles_carry_their_evidence_sentence():
    doc = run("Pakistan’s Prime Minister Shehbaz Sharif spoke.\nOther news.")
    role = entities(doc)["Shehbaz Sharif"]["roles"][0]
    assert role["evidence"] == "Pakistan’s Prime Minister Shehbaz Sharif spoke."
