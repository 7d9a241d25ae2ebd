"""Gazetteer data and the gazetteer ruler on spacy.blank("en") (no statistical model)."""
from __future__ import annotations

import json

import pytest
import spacy

from analysis import config
from analysis.extract import build_gazetteers
from analysis.extract.gazetteer import dateline_end, parse_entity_id
from analysis.extract.nlp import build_pipeline
from analysis.extract.resources import get_resources, norm, role_on


@pytest.fixture(scope="module")
def blank():
    return build_pipeline(spacy.blank("en"))


def ents(nlp, text):
    doc = nlp(text)
    return [(e.text, e.label_, parse_entity_id(e.id_)) for e in doc.ents]


@pytest.mark.parametrize("text, surface, expected", [
    ("Pakistan’s envoy arrived.", "Pakistan", ("country", "Pakistan", "PAK")),
    ("An Afghan delegation.", "Afghan", ("demonym", "Afghanistan", "AFG")),
    ("Talks in KABUL ended.", "KABUL", ("place", "Kabul", "AFG")),
    ("He flew to Türkiye.", "Türkiye", ("country", "Türkiye", "TUR")),
    ("He flew to Turkey.", "Turkey", ("country", "Türkiye", "TUR")),
    ("The US and the UK agreed.", "US", ("country", "United States", "USA")),
    ("The US and the UK agreed.", "UK", ("country", "United Kingdom", "GBR")),
    ("officials of the IAG said", "IAG", ("organization", "Interim Afghan Government", "AFG")),
    ("claimed by ISKP.", "ISKP", ("organization", "Islamic State Khorasan Province", None)),
    ("the SCO summit", "SCO", ("organization", "Shanghai Cooperation Organisation", None)),
    ("TTP militants", "TTP", ("organization", "Tehreek-e-Taliban Pakistan", "PAK")),
    ("Minister Khalil Haqqani died", "Khalil Haqqani",
     ("person", "Khalil Rahman Haqqani", "AFG")),
    ("He met Amir Khan Motaqi.", "Amir Khan Motaqi", ("person", "Amir Khan Muttaqi", "AFG")),
    # the article is no part of a country's name ("the Netherlands", "the United States")
    ("Trade with the Netherlands grew.", "Netherlands", ("country", "Netherlands", "NLD")),
    ("He flew to the United States.", "United States", ("country", "United States", "USA")),
])
def test_gazetteer_names(blank, text, surface, expected):
    found = {t: p for t, _, p in ents(blank, text)}
    assert found.get(surface) == expected


def test_acronyms_are_case_sensitive_and_countries_need_capitals(blank):
    found = [t for t, _, _ in ents(blank, "let us roast a turkey in china dishes, who knows")]
    assert found == []


def test_longest_match_wins(blank):
    found = ents(blank, "the Interim Afghan Government met")
    assert [(t, p[0]) for t, _, p in found] == [("Interim Afghan Government", "organization")]


def test_bare_surname_is_not_an_official(blank):
    assert ents(blank, "Haqqani said") == []


@pytest.mark.parametrize("text, is_dateline", [
    ("KABUL (Reuters) - The minister arrived.", True),
    ("ISLAMABAD, May 6 — Talks began.", True),
    ("NEW DELHI, AUG 29: The PM said.", True),
    ("Kabul is the capital - of Afghanistan.", False),
    ("NATO said on Monday it would stay - officials.", False),
])
def test_dateline_detection(blank, text, is_dateline):
    doc = blank.make_doc(text)
    assert (dateline_end(doc, 0) is not None) is is_dateline


def test_dateline_starts_a_sentence(blank):
    doc = blank("KABUL (Reuters) - Talks began.\nA second paragraph.")
    starts = [t.text for t in doc if t.is_sent_start]
    assert "Talks" in starts and "A" in starts
    assert doc._.chancery["datelines"] == [(0, 4)]


def test_role_on_date():
    off = get_resources().gazetteer.officials
    sadiq = off["Mohammad Sadiq"]
    assert [r["title"] for r in role_on(sadiq, "2024-12-23")] == ["Special Representative for Afghanistan"]
    assert role_on(sadiq, "2023-06-01") == []  # between his two terms
    bilawal = off["Bilawal Bhutto Zardari"]
    assert role_on(bilawal, "2023-08-20")  # end given as a month: in office during it
    assert role_on(bilawal, "2023-09-01") == []


def test_build_countries_has_our_aliases():
    countries = build_gazetteers.build_countries()
    assert "America" in countries["USA"]["aliases"] and "US" in countries["USA"]["aliases"]
    assert "Afghan" in countries["AFG"]["demonyms"]
    assert countries["IRN"]["name"] == "Iran"
    assert len(countries) >= 240


def test_generated_officials_match_the_facts():
    """The committed officials.json is what the build script makes of ../shared/facts."""
    from tests.conftest import shared_path

    facts = shared_path("facts")
    built = build_gazetteers.build_officials(facts)
    committed = json.loads((config.RESOURCES / "officials.json").read_text(encoding="utf-8"))
    assert built["people"] == committed["people"]
    khalil = next(p for p in built["people"] if p["name"] == "Khalil Rahman Haqqani")
    assert "Khalil Haqqani" in khalil["aliases"] and khalil["roles"][0]["source"].startswith("http")


def test_norm():
    assert norm("  Pakistan’s  ") == "pakistan's"
