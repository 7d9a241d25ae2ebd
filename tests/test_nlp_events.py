"""Visits, meetings, statements and attacks: the surface rule on spacy.blank("en"), and the
dependency rules with the full model on hand-written sentences."""
from __future__ import annotations

import pytest

from tests.test_nlp_helpers import run


def visits(doc):
    return [(e["visitor"], e["visitor_country"], e["destination_place"], e["destination_country"],
             e["status"], e["cameo"]) for e in doc._.chancery["events"] if e["kind"] == "visit"]


# --- without a parser (spacy.blank) ---------------------------------------------------------

def test_surface_visit_on_blank():
    doc = run("Amir Khan Muttaqi arrived in Islamabad on Monday.", dates=["Monday"],
              published="2023-05-05")
    (ev,) = doc._.chancery["events"]
    assert visits(doc) == [("Amir Khan Muttaqi", "AFG", "Islamabad", "PAK", "occurred", "042")]
    assert ev["date"] == "2023-05-01"
    assert ev["evidence"] == "Amir Khan Muttaqi arrived in Islamabad on Monday."
    assert (ev["start"], ev["end"], ev["sentence_index"]) == (0, len(ev["evidence"]), 0)


def test_surface_visit_needs_a_named_visitor_and_a_known_destination():
    assert visits(run("Officials arrived in Islamabad.")) == []
    assert visits(run("Amir Khan Muttaqi arrived in Springfield.", gpes=["Springfield"])) == []


def test_surface_negation_and_plan():
    assert visits(run("Amir Khan Muttaqi never visited Pakistan.")) == []
    assert visits(run("Amir Khan Muttaqi will visit Pakistan.")) == [
        ("Amir Khan Muttaqi", "AFG", None, "PAK", "planned", "036")]


def test_meeting_needs_two_named_people():
    doc = run("Ishaq Dar met Amir Khan Muttaqi in Kabul.", persons=["Ishaq Dar"])
    (ev,) = [e for e in doc._.chancery["events"] if e["kind"] == "meeting"]
    assert ev["participants"] == ["Ishaq Dar", "Amir Khan Muttaqi"]
    assert (ev["place"], ev["country"], ev["cameo"]) == ("Kabul", "AFG", "040")
    assert [e for e in run("Ishaq Dar held a meeting.", persons=["Ishaq Dar"])._.chancery["events"]
            if e["kind"] == "meeting"] == []


# --- with the full model -------------------------------------------------------------------

@pytest.fixture(scope="module")
def nlp():
    from analysis.extract import get_nlp

    return get_nlp()


def parse(nlp, text, published="2004-10-14"):
    from analysis.extract import make_doc

    return nlp(make_doc(nlp, {"text": text, "published": published}))


@pytest.mark.parametrize("text, expected", [
    ("Russian President Vladimir Putin visited Turkey on Monday.",
     [("Vladimir Putin", "RUS", None, "TUR", "occurred", "042")]),
    ("Afghan President Hamid Karzai is to visit Pakistan next week.",
     [("Hamid Karzai", "AFG", None, "PAK", "planned", "036")]),
    ("Secretary of State Colin Powell will visit Japan and China.",
     [("Colin Powell", "USA", None, "JPN", "planned", "036"),
      ("Colin Powell", "USA", None, "CHN", "planned", "036")]),
    ("Pakistani President Pervez Musharraf cancelled his visit to India.",
     [("Pervez Musharraf", "PAK", None, "IND", "cancelled", "042")]),
    ("Chinese Foreign Minister Wang Yi arrived in Kabul on Thursday.",
     [("Wang Yi", "CHN", "Kabul", "AFG", "occurred", "042")]),
    ("Venezuelan President Hugo Chavez's visit to Spain sparked uproar.",
     [("Hugo Chavez", "VEN", None, "ESP", "occurred", "042")]),
    ("Italy's Interior Minister visits Libya to discuss migration.",
     [("Italy", "ITA", None, "LBY", "occurred", "042")]),
])
def test_visits(nlp, text, expected):
    assert visits(parse(nlp, text)) == expected


@pytest.mark.parametrize("text", [
    "Pakistani President Pervez Musharraf did not visit India.",        # negated
    "US troops arrived in Baghdad on Monday.",                          # not an official visit
    "KABUL (Reuters) - Afghan officials said on Monday that talks went well.",  # dateline
    "Pakistani President Pervez Musharraf visited Lahore.",             # at home
    "Arafat's body arrives in Cairo for the funeral.",                  # not a traveller
    "Officials visited Kabul.",                                         # nobody named
])
def test_no_visit(nlp, text):
    assert visits(parse(nlp, text)) == []


def test_dateline_city_is_not_the_destination(nlp):
    doc = parse(nlp, "ISLAMABAD, Oct 12 — Iranian Foreign Minister Kamal Kharrazi arrived "
                     "in Kabul on Tuesday.")
    assert visits(doc) == [("Kamal Kharrazi", "IRN", "Kabul", "AFG", "occurred", "042")]
    assert doc._.chancery["events"][0]["date"] == "2004-10-12"


def test_host_visit(nlp):
    doc = parse(nlp, "Russian President Vladimir Putin hosted Chinese President Hu Jintao in Moscow.")
    events = doc._.chancery["events"]
    v = [e for e in events if e["kind"] == "visit"]
    assert [(e["visitor"], e["visitor_country"], e["destination_country"], e["cameo"], e.get("host"))
            for e in v] == [("Hu Jintao", "CHN", "RUS", "043", "Vladimir Putin")]


def test_meeting_during_a_visit_inherits_place_and_date(nlp):
    doc = parse(nlp, "Chinese Foreign Minister Wang Yi arrived in Kabul on December 23, 2024.\n"
                     "During the visit, Wang Yi held talks with Amir Khan Muttaqi.", None)
    (m,) = [e for e in doc._.chancery["events"] if e["kind"] == "meeting"]
    assert m["participants"] == ["Wang Yi", "Amir Khan Muttaqi"]
    assert (m["place"], m["country"], m["date"], m["cameo"]) == ("Kabul", "AFG", "2024-12-23", "040")


def test_statement_and_attack(nlp):
    doc = parse(nlp, "Khalil Rahman Haqqani was killed by ISKP on December 11, 2024.\n"
                     "“We will resolve the existing issues together,” Ishaq Dar said.", None)
    kinds = {e["kind"]: e for e in doc._.chancery["events"]}
    assert kinds["statement"]["speaker"] == "Ishaq Dar"
    assert kinds["statement"]["quote"].startswith("We will resolve")
    assert (kinds["attack"]["target"], kinds["attack"]["perpetrator"], kinds["attack"]["date"]) == (
        "Khalil Rahman Haqqani", "Islamic State Khorasan Province", "2024-12-11")


@pytest.mark.parametrize("text, expected", [
    ("Pakistani President Pervez Musharraf met Pope John Paul II in Rome.",
     {"Pervez Musharraf", "John Paul II"}),
    ("British Prime Minister Tony Blair held talks with Irish leader Bertie Ahern.",
     {"Tony Blair", "Bertie Ahern"}),
    ("Vladimir Putin and Jacques Chirac met on Monday.", {"Vladimir Putin", "Jacques Chirac"}),
    ("President Bush and Senator John Kerry clashed over the talks on North Korea.", None),
    ("Kofi Annan said the meeting in New York had gone well, according to Colin Powell.", None),
])
def test_meeting_participants_are_tied_by_the_parse(nlp, text, expected):
    meetings = [e for e in parse(nlp, text)._.chancery["events"] if e["kind"] == "meeting"]
    if expected is None:
        assert meetings == []
    else:
        assert [set(m["participants"]) for m in meetings] == [expected]


def test_guest_meeting_host_abroad_is_a_visit(nlp):
    doc = parse(nlp, "US Secretary of State Colin Powell met Japanese Prime Minister Junichiro "
                     "Koizumi in Tokyo on Sunday.")
    assert visits(doc) == [("Colin Powell", "USA", "Tokyo", "JPN", "occurred", "042")]


def test_talks_held_abroad_by_a_titled_person_is_a_visit(nlp):
    doc = parse(nlp, "KABUL, Dec 23 — Pakistan's Special Representative for Afghanistan Mohammad "
                     "Sadiq held talks with senior ministers of the Taliban administration in Kabul "
                     "on Monday.", "2024-12-23")
    (v,) = [e for e in doc._.chancery["events"] if e["kind"] == "visit"]
    assert (v["visitor"], v["visitor_country"], v["destination_place"], v["date"],
            v["inferred_from"]) == ("Mohammad Sadiq", "PAK", "Kabul", "2024-12-23", "talks")
    assert "Special Representative" not in doc._.chancery["entities"]  # a title, not an ORG


def test_meeting_in_a_sentence_about_an_earlier_visit_keeps_its_own_context(nlp):
    doc = parse(nlp, "Pakistan's Prime Minister Shehbaz Sharif visited Tehran on Monday.\n"
                     "Three months later, then President Ebrahim Raisi made a three-day visit to "
                     "Pakistan, during which he met Sharif.", "2025-05-26")
    (m,) = [e for e in doc._.chancery["events"] if e["kind"] == "meeting"]
    assert set(m["participants"]) == {"Ebrahim Raisi", "Shehbaz Sharif"}
    assert (m["country"], m["date"]) == ("PAK", None)


@pytest.mark.parametrize("text", [
    "German Chancellor Helmut Kohl had a telephone conversation with French President Jacques Chirac.",
    "Japanese Prime Minister Ryutaro Hashimoto spoke by phone with Bill Clinton on Tuesday.",
])
def test_a_meeting_at_a_distance_is_no_meeting(nlp, text):
    assert [e for e in parse(nlp, text)._.chancery["events"] if e["kind"] == "meeting"] == []


def test_he_is_the_main_clause_subject_not_the_relative_clause_one(nlp):
    doc = parse(nlp, "Colin Powell, whom Bill Clinton appointed last year, arrived in Cairo on Monday.\n"
                     "He later held talks with Egyptian President Hosni Mubarak.", None)
    (m,) = [e for e in doc._.chancery["events"] if e["kind"] == "meeting"]
    assert set(m["participants"]) == {"Colin Powell", "Hosni Mubarak"}
