"""Issue 10: facts from news nobody here wrote.

The actor dictionary (Phoenix/PETRARCH2 people, date-bounded), countries read from the person's
own noun phrase, visits reported the way wire copy reports them (meetings and talks abroad,
datelines, "during a visit to", "visiting X"), and wire residue repaired before NER. The texts
are written for these tests from the rules' language patterns, not copied from any set.
"""
from __future__ import annotations

import json

import pytest

from analysis import config
from analysis.extract import extract
from analysis.extract.actors import Actors, get_actors, key
from analysis.extract.build_gazetteers import (build_statedept_actors, phoenix_date, phoenix_period,
                                               read_phoenix_bodies, read_phoenix_people)
from analysis.ingest.cleaning import repair_wire


def run(text: str, published: str | None = "2004-06-01", title: str = "") -> dict:
    return extract({"id": "t", "title": title, "text": text, "published": published, "clean": True})


def people(out: dict) -> dict[str, str | None]:
    return {e["name"]: e["country"] for e in out["entities"] if e["kind"] == "person"}


def visits(out: dict) -> set[tuple]:
    return {(e["visitor"], e["destination_country"], e["status"])
            for e in out["events"] if e["kind"] == "visit"}


# --------------------------------------------------------------------------- the dictionary

def test_phoenix_dates_read_two_digit_years_both_sides_of_2000():
    assert phoenix_date("970502") == "1997-05-02"
    assert phoenix_date("011222") == "2001-12-22"
    assert phoenix_date("19270101") == "1927-01-01"
    assert phoenix_date("201005011") == "2010-05-01"  # a typo in the source keeps its date
    assert phoenix_date("9") is None
    assert phoenix_period("GBRGOV", "970502-070627") == ["GBR", "GOV", "1997-05-02", "2007-06-27"]
    assert phoenix_period("AFGGOV", ">011222") == ["AFG", "GOV", "2001-12-22", None]
    assert phoenix_period("AFGELI", "") == ["AFG", "ELI", None, None]


def test_reading_a_phoenix_file(tmp_path):
    f = tmp_path / "actors.txt"
    f.write_text(
        "AFGHANISTAN_  [AFG]\n+KABUL_\n\n"
        "HAMID_KARZAI_  # CountryInfo.txt\n+KARZAI_\n+PRESIDENT_KARZAI_\n"
        "\t[AFGELI 750101-000101]\n\t[AFGGOV >011222]\n"
        "SOMEONE_ELSE_  # CountryInfo.txt\n\t[XXXGOV 010101-020202]\n", encoding="utf-8")
    got = read_phoenix_people(f, {"AFG"}, [["president"]])
    assert got == [{"name": "Hamid Karzai", "aliases": ["Karzai"],
                    "codes": [["AFG", "ELI", "1975-01-01", "2000-01-01"],
                              ["AFG", "GOV", "2001-12-22", None]]}]


def test_unmarked_entries_are_read_when_they_name_a_person(tmp_path):
    f = tmp_path / "actors.txt"
    f.write_text(
        "HAMID_KARZAI_  # CountryInfo.txt\n\t[AFGGOV >011222]\n"
        "MARTA_OLSEN_\n+SENATOR_MARTA_OLSEN\n\t[NORGOVLEG >20120101]\n"
        "STORTING_ASSEMBLY_\n\t[NORGOVLEG]\n"
        "PRESIDENT_OLSEN_\n\t[NORGOV]\n", encoding="utf-8")
    got = read_phoenix_people(f, {"AFG", "NOR"}, [["senator"], ["president"]],
                              not_person={"assembly", "president", "senator"})
    assert [p["name"] for p in got] == ["Hamid Karzai", "Marta Olsen"]
    assert got[1]["aliases"] == [] and got[1]["codes"] == [["NOR", "GOV", "2012-01-01", None]]
    # without the word list only the marked leaders are read, as before
    assert [p["name"] for p in read_phoenix_people(f, {"AFG", "NOR"}, [])] == ["Hamid Karzai"]


def test_state_bodies_of_one_country_are_read(tmp_path):
    f = tmp_path / "actors.txt"
    f.write_text(
        "NORWAY_  [NOR]\n"
        "STORTING_\n+NORWEGIAN_PARLIAMENT_HOUSE\n+PARLIAMENT_\n+STG_\n\t[NORGOVLEG]\n"
        "MARTA_OLSEN_\n\t[NORGOV >20120101]\n"
        "JOINT_NORDIC_COUNCIL_\n\t[NORGOV]\n\t[SWEGOV]\n", encoding="utf-8")
    got = read_phoenix_bodies(f, {"NOR", "SWE"}, {"council", "house"}, {"norway"}, {"house", "council"})
    # the one-word name, a longer alias with a body word, an acronym; not a one-word alias
    # ("Parliament"), a person, a country, or a body of two countries
    assert got == {"Norwegian Parliament House": "NOR", "STG": "NOR", "Storting": "NOR"}


def test_shipped_dictionary_carries_its_credit_and_license():
    data = json.loads((config.RESOURCES / "actors.json").read_text(encoding="utf-8"))
    assert "MIT" in data["_about"] and "Open Event Data" in data["_license"]
    assert len(data["people"]) > 15000


SMALL = {"sectors": {"GOV": "government", "ELI": "elite"}, "people": [
    {"name": "George Bush", "aliases": ["Bush"],
     "codes": [["USA", "GOV", "1989-01-20", "1993-01-20"], ["USA", "ELI", None, None]]},
    {"name": "George W. Bush", "aliases": ["Bush", "George Bush"],
     "codes": [["USA", "GOV", "2001-01-20", "2009-01-20"]]},
    {"name": "John Smith", "aliases": [], "codes": [["GBR", "GOV", "1992-07-18", "1994-05-12"]]},
    {"name": "John Smith", "aliases": [], "codes": [["AUS", "GOV", "2001-01-01", "2003-01-01"]]},
    {"name": "Ann Parry", "aliases": [], "codes": [["GBR", "GOV", "2003-01-01", None]]},
    {"name": "Bob Parry", "aliases": [], "codes": [["CAN", "GOV", "1980-01-01", "1982-01-01"]]},
]}


def _statedept_dir(tmp_path):
    """Invented records in the State Department files' shape."""
    (tmp_path / "foreign_leader_visits_to_us.csv").write_text(
        "id,start_date,end_date,visitor,from_id,from,description\n"
        "1,2004-03-02,2004-03-04,President Olan Varik and Prime Minister Mira Tessel,freedonia,Norway,x\n"
        "2,2004-05-01,2004-05-02,Prime Minister Mira Tessel,freedonia,Norway,x\n"
        "3,2004-06-01,2004-06-02,President Rudo Kanter,a,Chile,x\n"
        "4,2004-07-01,2004-07-02,President Rudo Kanter,b,Peru,x\n"
        "5,2004-07-01,2004-07-02,King Halvard,c,Norway,x\n", encoding="utf-8")
    head = "id,role,who,name,start_date,end_date,country_id,country,locale,remarks\n"
    (tmp_path / "president_travels.csv").write_text(
        head + '1,president,x,Sam T. Archer,2003-02-01,2003-02-02,japan,Japan,Tokyo,'
               '"Met with Prime Minister Kenji T. Ohara and Foreign Minister Aiko Mori."\n'
               '2,president,x,Sam T. Archer,2004-02-01,2004-02-02,italy,Italy,Rome,'
               '"Met with Prime Minister Dario Lentini. Attended the G8 Summit."\n'
               '3,president,x,Sam T. Archer,2004-09-01,2004-09-02,spain,Spain,Madrid,'
               '"Met with the Foreign Ministers of Spain and Portugal and Russian President Ivo Dren."\n',
        encoding="utf-8")
    (tmp_path / "secretary_travels.csv").write_text(head, encoding="utf-8")
    return tmp_path


def test_state_department_records_name_leaders_with_their_country_and_dates(tmp_path):
    from analysis.extract.build_gazetteers import build_countries

    out = build_statedept_actors(_statedept_dir(tmp_path), build_countries(), known={"aiko mori"})
    got = {p["name"]: (p["codes"], p["title"]) for p in out["people"]}
    # both leaders of a joint visit, a year either side of the first and last visits
    assert got["Mira Tessel"] == ([["NOR", "GOV", "2003-03-03", "2005-05-01"]], "Prime Minister")
    assert got["Olan Varik"][0] == [["NOR", "GOV", "2003-03-03", "2005-03-02"]]
    assert got["Sam T. Archer"][0][0][0] == "USA"  # the traveller
    assert got["Kenji T Ohara"][0][0][0] == "JPN"  # met on a trip to one country
    assert "Aiko Mori" not in got  # already in the Phoenix dictionary
    assert "Rudo Kanter" not in got  # two countries: dropped
    assert "Halvard" not in got and "King Halvard" not in got  # one word after the title
    assert "Dario Lentini" not in got  # met at a summit, where other states' people meet
    assert "Ivo Dren" not in got  # a nationality before the title: not the host's
    assert "CC0" in out["_license"]


def test_extra_people_match_only_inside_their_dates_and_join_the_dictionarys_own():
    from analysis.extract.actors import merge_extra

    people = [{"name": "Ann Parry", "aliases": [], "codes": [["GBR", "GOV", "1990-01-01", "1995-01-01"]]},
              {"name": "Bob Parry", "aliases": [], "codes": [["CAN", "GOV", "1980-01-01", "1982-01-01"]]},
              {"name": "Ed Lund", "aliases": [], "codes": [["SWE", "GOV", "1990-01-01", "1991-01-01"]]},
              {"name": "Ed Lund", "aliases": [], "codes": [["SWE", "GOV", "1993-01-01", "1994-01-01"]]}]
    merge_extra(people, [
        {"name": "Mira Tessel", "aliases": [], "codes": [["NOR", "GOV", "2003-03-03", "2005-05-01"]],
         "title": "Prime Minister", "source": "US Department of State"},
        {"name": "Ann B. Parry", "aliases": [], "source": "team list",
         "codes": [["GBR", "OPP", "2003-01-01", "2006-01-01", "Shadow Home Secretary"]]},
        {"name": "Ed Lund", "aliases": [], "codes": [["SWE", "GOV", "2004-01-01", "2005-01-01"]]}])
    a = Actors({"sectors": {"GOV": "government", "OPP": "opposition"}, "people": people})
    m = a.resolve("Mira Tessel", "2004-06-01")
    assert (m.country, m.role["title"], m.role["source"]) == ("NOR", "Prime Minister", "statedept")
    assert a.resolve("Mira Tessel", "2004-06-01", titled=True).country == "NOR"
    assert a.resolve("Mira Tessel", "2009-06-01", titled=True) is None  # out of the dates seen
    assert a.resolve("Mira Tessel", None).country == "NOR"  # undated: as the dictionary's people
    assert a.resolve("Tessel", "2004-06-01") is None  # a bare surname needs support
    assert a.resolve("Tessel", "2004-06-01", titled=True).country == "NOR"
    # the dictionary's Ann Parry takes the list's dates: one person, so her surname still works
    assert len(people) == 5 and len(people[0]["codes"]) == 2
    m = a.resolve("Parry", "2004-06-01", titled=True)
    assert (m.name, m.role["title"], m.role["source"]) == ("Ann Parry", "Shadow Home Secretary", "curated")
    assert a.resolve("Ed Lund", "2004-06-01") is None  # two dictionary namesakes: left out


def test_the_teams_list_knows_british_politicians_of_their_years():
    data = json.loads((config.RESOURCES / "actors_curated.json").read_text(encoding="utf-8"))
    assert all(p["source"] and all(len(c) == 5 for c in p["codes"]) for p in data["people"])
    out = run("Oliver Letwin said the plans were costed. Mr Letwin told reporters taxes would fall.",
              published="2005-02-01")
    assert people(out) == {"Oliver Letwin": "GBR"}
    assert people(run("Oliver Letwin said the plans were costed.", published="2019-02-01")) == {
        "Oliver Letwin": None}  # outside the list's dates: unknown
    assert people(run("Richard Boucher said the talks would resume.", published="2004-03-01")) == {
        "Richard Boucher": "USA"}


def test_the_shipped_state_department_people_carry_their_credit():
    data = json.loads((config.RESOURCES / "actors_statedept.json").read_text(encoding="utf-8"))
    assert "Office of the Historian" in data["_about"] and "CC0" in data["_license"]
    assert all(p["source"].startswith("US Department of State") for p in data["people"])
    assert get_actors().resolve("Donald Trump", "2019-05-01").country == "USA"


def test_the_article_date_picks_who_is_meant():
    a = Actors(SMALL)
    m = a.resolve("George Bush", "2004-06-01")
    assert m.name == "George W. Bush" and m.country == "USA"
    assert m.role["title"] == "government" and "2001-01-20" in m.role["evidence"]
    assert a.resolve("George Bush", "1990-03-01").name == "George Bush"
    # two John Smiths of different countries: the one in office decides, else nobody
    assert a.resolve("John Smith", "1993-01-01").country == "GBR"
    assert a.resolve("John Smith", "1999-01-01") is None
    assert key("José-María  Aznar.") == "jose maria aznar"


def test_a_bare_surname_needs_support_from_the_text():
    a = Actors(SMALL)
    assert a.resolve("Bush", "2004-06-01") is None  # listed alias, but nothing supports it
    assert a.resolve("Bush", "2004-06-01", titled=True).country == "USA"
    assert a.resolve("Bush", "2004-06-01", countries_named={"USA"}).country == "USA"
    # a surname that is no listed alias: a title, and one person in office
    assert a.resolve("Parry", "2005-01-01", countries_named={"GBR"}) is None
    assert a.resolve("Parry", "2005-01-01", titled=True).country == "GBR"
    # an open-ended role holds only up to the dictionaries' horizon
    assert a.resolve("Parry", "2019-01-01", titled=True) is None
    assert a.resolve("Ann Parry", "2019-01-01") is None
    assert a.resolve("Ann Parry", "2019-01-01", titled=True).country == "GBR"


def test_middle_initials_and_unique_surnames():
    a = Actors({"sectors": {"GOV": "government"}, "people": [
        {"name": "Pavel Koval", "aliases": [], "codes": [["UKR", "GOV", "1994-07-19", "2005-01-23"]]},
        {"name": "Anna Marsh", "aliases": [], "codes": [["NZL", "GOV", "2000-01-01", "2008-01-01"]]},
        {"name": "Ravi Dutt", "aliases": [], "codes": [["IND", "GOV", "2014-05-26", None]]},
    ]})
    # the text's middle initial is not in the dictionary's name
    assert a.resolve("Pavel D. Koval", "2004-06-01").country == "UKR"
    assert a.resolve("P. D. Koval", "2004-06-01") is None  # only middle initials go
    # a surname nobody else in the dictionary has: its country in a sentence naming the person
    assert a.resolve("Marsh", "2004-06-01", countries_near={"NZL"}).country == "NZL"
    assert a.resolve("Marsh", None, countries_near={"NZL"}).country == "NZL"
    assert a.resolve("Marsh", "2004-06-01", countries_named={"NZL"}) is None
    assert a.resolve("Marsh", "2004-06-01", countries_near={"AUS"}) is None
    assert a.resolve("Marsh", "2012-06-01", countries_near={"NZL"}) is None  # out of office
    # after the horizon, a role still open then holds only with support from the text
    assert a.resolve("Ravi Dutt", "2019-05-01") is None
    assert a.resolve("Ravi Dutt", "2019-05-01", countries_named={"IND"}).country == "IND"
    assert a.resolve("Dutt", "2019-05-01", titled=True).country == "IND"
    assert a.resolve("Dutt", "2019-05-01") is None


def test_a_bare_surname_with_its_country_in_the_sentence():
    out = run("Mr Powell says the US will keep its promises to its allies.", published=None)
    assert people(out)["Powell"] == "USA"
    # the country named only elsewhere in the article gives nothing
    out = run("Mr Powell spoke for an hour. Later the US team left.", published=None)
    assert people(out).get("Powell") is None


def test_a_reader_knows_whose_official_a_named_person_is():
    out = run("Secretary of State Colin Powell said the talks would go on. "
              "Prime Minister Tony Blair agreed.")
    got = people(out)
    assert got["Colin Powell"] == "USA" and got["Tony Blair"] == "GBR"
    # the role the text gives stays, with the dictionary's country
    powell = next(e for e in out["entities"] if e["name"] == "Colin Powell")
    assert powell["roles"][0]["title"] == "Secretary of State"
    assert powell["roles"][0]["country"] == "USA"


def test_a_namesake_outside_the_dictionary_years_stays_unknown():
    assert get_actors().resolve("Tony Blair", "2019-05-01") is None
    out = run("The singer Tony Blair played in a small club on Friday.", published="2019-05-01")
    assert people(out).get("Tony Blair") is None


def test_a_name_matches_the_dictionary_approximately_only_with_support():
    a = Actors({"sectors": {"GOV": "government"}, "given_forms": {"Geoff": ["Geoffrey"]},
                "people": [
                    {"name": "Geoffrey Hoon", "aliases": [], "codes": [["GBR", "GOV", None, None]]},
                    {"name": "William Jefferson Hague", "aliases": [],
                     "codes": [["GBR", "LEG", None, None]]},
                    {"name": "Mohammad Zahir Shah", "aliases": [],
                     "codes": [["AFG", "GOV", None, None]]}]})
    # a given name's full form: with a title or the country named
    assert a.resolve("Geoff Hoon", None) is None
    assert a.resolve("Geoff Hoon", None, titled=True).country == "GBR"
    assert a.resolve("Geoff Hoon", None, countries_named={"GBR"}).country == "GBR"
    # without the middle names: only with the person's country named in the article
    assert a.resolve("William Hague", None, titled=True) is None
    assert a.resolve("William Hague", None, countries_named={"GBR"}).country == "GBR"
    assert a.resolve("Mohammad Shah", None, titled=True) is None
    assert a.resolve("Mohammad Shah", None, countries_named={"PAK"}) is None
    # no approximation for a name the dictionary has whole, nor for one word
    assert a.resolve("Hoon", None, titled=True).country == "GBR"
    assert a.resolve("Geoff Smith", None, titled=True) is None


def test_the_shipped_dictionary_knows_short_given_names():
    got = people(run("Defence Secretary Geoff Hoon said more troops would go.", published=None))
    assert got.get("Geoff Hoon") == "GBR"


# --------------------------------------------------------------------------- from the text

@pytest.mark.parametrize("text,name,country", [
    ("UK entrepreneur Richard Branson has said he is keen to start an airline.", "Richard Branson", "GBR"),
    ("Australian teenager Holly Bowles has died in hospital.", "Holly Bowles", "AUS"),
    ("Arsenal's Brazilian midfielder Gilberto Silva has hit out at the club.", "Gilberto Silva", "BRA"),
    ("The market, former British government minister Michael Heseltine once said, has no morality.",
     "Michael Heseltine", "GBR"),
    ("The warning came from Nicolas Sarkozy of France on Tuesday.", "Nicolas Sarkozy", "FRA"),
    # a nationality word after a preposition still names the person
    ("The show opened in Oslo, alongside Swedish singer Karin Holm.", "Karin Holm", "SWE"),
    # coordinated nouns: "backpacker and lawyer"
    ("Irish nurse and writer Maeve Dunne was among those hurt.", "Maeve Dunne", "IRL"),
    # a title with its "of X" ministry, then a comma
    ("Norway's Minister of Fisheries, Helga Pedersen, will meet the fleet owners.", "Helga Pedersen", "NOR"),
    # a state body named after a country, before or after the name
    ("The rise followed a warning from US Treasury Secretary Paul Grant on Monday.", "Paul Grant", "USA"),
    ("Interest rates were held, Bank of Canada governor Mark Hill said.", "Mark Hill", "CAN"),
    ("Patents are a worry, said Dr Alan Pike of the UK Patent Office.", "Alan Pike", "GBR"),
    # squad lists write the side in brackets, names often as an initial and a surname
    ("Forwards: T Ngata (New Zealand), R Botha (S Africa, capt), M Rossi (Italy).", "R Botha", "ZAF"),
    ("Forwards: T Ngata (New Zealand), R Botha (S Africa, capt), M Rossi (Italy).", "T Ngata", "NZL"),
    # an apposition: a member noun, "of", and a country or nationality word that owns or
    # qualifies what follows
    ("Rates will hold, said Karl Brenner, a board member of Austria's central bank.", "Karl Brenner", "AUT"),
    ("Olga Marin, a member of the Romanian parliament, led the protest.", "Olga Marin", "ROU"),
    ("The talks were chaired by Omar Haidari, head of the Afghan delegation.", "Omar Haidari", "AFG"),
    # names in apposition to a nationality word used as a noun, with an article or a number
    ("The three Kenyans, Joseph Otieno, Mary Wanjiru and Paul Kamau, were released.", "Mary Wanjiru", "KEN"),
    ("The Briton, Ian Fowler, was released on Monday.", "Ian Fowler", "GBR"),
])
def test_the_persons_own_phrase_states_the_country(text, name, country):
    assert people(run(text, published=None)).get(name) == country


@pytest.mark.parametrize("text,name,country", [
    # a state body of one country, from the actor dictionary
    ("FBI director Mark Feldon said the inquiry would go on.", "Mark Feldon", "USA"),
    ("Knesset member Dan Roshberg said the vote would be held on Monday.", "Dan Roshberg", "ISR"),
    # a national organisation of the gazetteer
    ("Taliban spokesman Qari Yusof Ahmadi said the attack was theirs.", "Yusof Ahmadi", "AFG"),
    ("PLO official Samir Haddad said the vote would be held.", "Samir Haddad", "PSE"),
    # the body in an apposition after the name
    ("Dan Roshberg, the Knesset spokesman, said the vote would be held.", "Dan Roshberg", "ISR"),
    # a body every state has names no country
    ("Senate leader Bob Haleman said the vote would be held on Monday.", "Bob Haleman", None),
    # a party of one country names it; a party name many countries use does not when the
    # story names another of its countries (test_a_shared_party_name_places_its_member...)
    ("SNP leader Morag Dunbar said the vote would be close.", "Morag Dunbar", "GBR"),
    ("BJP spokesman Ravi Menonath said the party would win.", "Ravi Menonath", "IND"),
    ("Labour leader Morag Dunbar said the vote in Wellington would be close.", "Morag Dunbar", None),
])
def test_a_national_body_in_the_persons_phrase(text, name, country):
    got = people(run(text, published="2010-06-01"))
    assert name in got and got[name] == country


@pytest.mark.parametrize("text,name", [
    ("Australia coach Eddie Jones named his side on Monday.", "Eddie Jones"),
    ("A UK-based analyst, Jane Roe, said prices would rise.", "Jane Roe"),
    ("Liverpool captain Steven Gerrard wants to stay at the club.", "Steven Gerrard"),
    # a firm named after a country is not a state body
    ("British Airways chief executive Tom Reed said fares would rise.", "Tom Reed"),
    ("Profits rose, said Ann Cole of the Canadian Pacific railway.", "Ann Cole"),
    # a critic of a country's government is no member of it; a list is no apposition
    ("The plan was attacked by Ann Cole, a critic of the Russian government.", "Ann Cole"),
    ("Kenyans, Joseph Otieno and Ann Cole were among the speakers.", "Ann Cole"),
    # a market or a desk of a country is none of its bodies; a bank's acronym is no party's
    ("Shares fell, said Ann Cole, head of UK equities at a fund manager.", "Ann Cole"),
    ("Analyst Ann Cole of BNP Paribas said margins were thin.", "Ann Cole"),
])
def test_a_country_that_is_not_the_persons_nationality_is_not_given(text, name):
    assert people(run(text, published=None)).get(name) is None


@pytest.mark.parametrize("text,country", [
    # one country in the story, an office held at home: that country's official
    ("Norway's parliament passed the budget on Monday. Minister Kari Bergvik said spending "
     "on roads would rise.", "NOR"),
    ("The governor, Tomas Lindqvarn, said the Norwegian ports would stay open.", "NOR"),
    # two countries: nothing to choose between
    ("Norway and Sweden signed the fishing deal. Minister Kari Bergvik said it was fair.", None),
    # travel: a minister arriving may be a foreign one
    ("Minister Kari Bergvik arrived in Oslo on Monday for talks on the budget.", None),
    # offices held abroad or for other states, and offices of firms
    ("Ambassador Kari Bergvik said Norway would send aid.", None),
    ("Foreign Minister Kari Bergvik said Norway would send aid.", None),
    ("The company's president, Kari Bergvik, said Norway would buy more gas.", None),
])
def test_an_office_at_home_in_a_story_on_one_country(text, country):
    got = people(run(text))
    name = "Tomas Lindqvarn" if "Tomas" in text else "Kari Bergvik"
    assert name in got and got[name] == country


@pytest.mark.parametrize("text,name", [
    ("The Tanaiste, Mary Cotter, said the talks would resume.", "Mary Cotter"),
    ("Speaking in Cork, Taoiseach Michael Brennock said the talks would resume.", "Michael Brennock"),
])
def test_a_title_only_one_state_has_gives_its_country(text, name):
    got = people(run(text, published="2019-06-01"))
    assert got.get(name) == "IRL"


@pytest.mark.parametrize("text,name", [
    ("Shadow Home Secretary Alan Pemberton said the plans were flawed.", "Alan Pemberton"),
    ("The shadow chancellor, Ruth Ellingham, promised lower taxes.", "Ruth Ellingham"),
    ("Deputy Commons Leader Phil Ashcombe said MPs would vote on Tuesday.", "Phil Ashcombe"),
    ("Chancellor of the Exchequer Robert Hallam will give his budget next week.", "Robert Hallam"),
])
def test_britains_own_offices_give_their_holder_gbr(text, name):
    got = people(run(text, published=None))
    assert got.get(name) == "GBR"


@pytest.mark.parametrize("text,name,country", [
    # a party name several states share: its home state when the story names no other
    ("Labour MP Ian Tollard said the vote on top-up fees would be close.", "Ian Tollard", "GBR"),
    ("Tory leader Simon Carrow attacked the government's record on crime.", "Simon Carrow", "GBR"),
    ("Veteran Labour backbencher Joan Ridsdale said she would rebel.", "Joan Ridsdale", "GBR"),
    ("Conservative MP Peter Aldwyn said the scheme was flawed.", "Peter Aldwyn", "GBR"),
    ("The row grew after Labour's Gwyneth Parrish spoke out.", "Gwyneth Parrish", "GBR"),
    ("Ian Tollard, the Labour MP for Norwich, said the vote would be close.", "Ian Tollard", "GBR"),
    ("Peter Aldwyn, a Conservative MP, said the scheme was flawed.", "Peter Aldwyn", "GBR"),
    ("Peter Aldwyn, a Conservative MP, said voters in Alberta wanted change.", "Peter Aldwyn", None),
    # a story naming another state with such a party: the word places nobody
    ("Conservative MP Peter Aldwyn said voters in Ontario wanted change.", "Peter Aldwyn", None),
    ("Labour leader Amos Baruch said the coalition in Israel would hold.", "Amos Baruch", None),
    # the other state's nationality word still places the person
    ("New Zealand Labour MP Tania Harwood said the bill would pass.", "Tania Harwood", "NZL"),
    # a labour minister holds a portfolio, not a party card
    ("Labour Minister Rajan Mehtani said the new law would protect workers.", "Rajan Mehtani", None),
    ("The Labour Department said Joan Ridsdale would lead the inquiry.", "Joan Ridsdale", None),
])
def test_a_shared_party_name_places_its_member_in_its_home_state(text, name, country):
    got = people(run(text, published=None))
    assert name in got and got[name] == country


def test_a_shared_party_name_yields_to_the_actor_dictionary():
    # Stephen Harper is Canada's in the dictionary: a Conservative leader's party name does not
    # make him British
    got = people(run("Conservative leader Stephen Harper said his party would win more seats.",
                     published=None))
    assert got.get("Stephen Harper") == "CAN"


@pytest.mark.parametrize("text,name,country", [
    # an international organisation's official serves no state, whatever the dictionary says
    ("UN High Commissioner for Refugees Ruud Lubbers said Sudan should act.", "Ruud Lubbers", None),
    ("IMF chief Rodrigo Rato said Spain would grow.", "Rodrigo Rato", None),
    # the same person holding a state's office, and a leader at an organisation's meeting
    ("Prime Minister Ruud Lubbers said the Netherlands would act.", "Ruud Lubbers", "NLD"),
    ("At the NATO summit President Bush said the US would send more troops.", "Bush", "USA"),
])
def test_an_international_official_gets_no_country(text, name, country):
    got = people(run(text, published=None))
    assert name in got and got[name] == country


def test_a_title_tied_once_to_a_country_carries_it_to_the_named_holder():
    out = run("Austria's interior minister said the house would become a police station. "
              "\"It sends a signal,\" Interior Minister Wolfgang Peschorn said.", published="2019-11-19")
    assert people(out)["Wolfgang Peschorn"] == "AUT"


def test_a_generic_title_is_not_carried_across_countries():
    out = run("US President George W Bush met Ukraine's new leader. "
              "President Viktor Yushchenko said reforms would continue.", published=None)
    assert people(out).get("Viktor Yushchenko") != "USA"


# --------------------------------------------------------------------------- visits

@pytest.mark.parametrize("text,expected", [
    # a meeting in a third country: both sides travelled there
    ("French President Jacques Chirac will meet German Chancellor Gerhard Schroeder in Brussels.",
     {("Jacques Chirac", "BEL", "planned"), ("Gerhard Schroeder", "BEL", "planned")}),
    # talks abroad held by a delegation's leader
    ("A Palestinian delegation led by Chairman Mahmoud Abbas held talks with Syrian leaders in Damascus Monday.",
     {("Mahmoud Abbas", "SYR", "occurred")}),
    # the trip of the clause's subject
    ("Defence Secretary Donald Rumsfeld declared that America was winning during a visit to Iraq.",
     {("Donald Rumsfeld", "IRQ", "occurred")}),
    # a dateline places the lead sentence's people there
    ("BAGHDAD (Reuters) - Defense Secretary Donald Rumsfeld arrived on Sunday for talks.",
     {("Donald Rumsfeld", "IRQ", "occurred")}),
    ("KABUL, May 6 - Pakistan's Foreign Minister Ishaq Dar met Afghan officials on Tuesday.",
     {("Ishaq Dar", "AFG", "occurred")}),
    ("HANOI, Vietnam (AP) - U.S. Defense Secretary Mark Esper on Wednesday accused China of coercion.",
     {("Mark Esper", "VNM", "occurred")}),
    # a dateline in running case, with its date
    ("News in brief: Nairobi, Jun 3 : British Foreign Secretary Jack Straw on Thursday met "
     "Kenyan ministers to discuss aid.", {("Jack Straw", "KEN", "occurred")}),
    # "visiting" makes the person a visitor to the sentence's place
    ("Kofi Annan meets with visiting Iraqi Prime Minister Iyad Allawi at UN headquarters in New York.",
     {("Iyad Allawi", "USA", "occurred")}),
    # every visitor of a coordination
    ("Italian Prime Minister Silvio Berlusconi and Spanish Prime Minister Jose Maria Aznar "
     "visited Warsaw on Friday.",
     {("Silvio Berlusconi", "POL", "occurred"), ("Jose Maria Aznar", "POL", "occurred")}),
    # the subject of a passive raising verb; a pronoun subject under "before ...ing"
    ("Japanese Prime Minister Junichiro Koizumi is expected to visit Brazil in September.",
     {("Junichiro Koizumi", "BRA", "planned")}),
    ("Japanese Prime Minister Junichiro Koizumi spoke to reporters. He was in Chile before "
     "flying to Peru.", {("Junichiro Koizumi", "CHL", "occurred"), ("Junichiro Koizumi", "PER", "occurred")}),
    # touring a place in a country; joining people in a place
    ("Japanese Prime Minister Junichiro Koizumi toured a flooded district in Bangladesh.",
     {("Junichiro Koizumi", "BGD", "occurred")}),
    ("Japanese Prime Minister Junichiro Koizumi will join the other leaders in Chile next month.",
     {("Junichiro Koizumi", "CHL", "planned")}),
    # the subject of a relative clause is the noun it hangs on
    ("Japanese Prime Minister Junichiro Koizumi, who has been in Chile for the summit, said "
     "trade would grow.", {("Junichiro Koizumi", "CHL", "occurred")}),
    # a stop on the way is a visit
    ("Japanese Prime Minister Junichiro Koizumi will stop in Manila next week.",
     {("Junichiro Koizumi", "PHL", "planned")}),
    # a country's negotiator stands for the country
    ("Pakistan's chief negotiator arrived in Kabul on Monday for talks on trade.",
     {("Pakistan", "AFG", "occurred")}),
    # the meeting a trip is made for: whoever else from abroad meets there travelled too
    ("Markets rose as Polish President Aleksander Kwasniewski prepared to fly to Brussels to meet "
     "with US President George W. Bush.",
     {("Aleksander Kwasniewski", "BEL", "planned"), ("George W. Bush", "BEL", "planned")}),
])
def test_visits_as_wire_copy_reports_them(text, expected):
    assert expected <= visits(run(text))


def test_a_tour_gives_one_visit_per_country_and_the_next_sentence_names_it():
    got = visits(run("Reporters followed a trip to Asia by Polish President Aleksander "
                     "Kwasniewski last year.\n\nThe ten-day tour of Japan, Vietnam and Thailand "
                     "was meant to win new markets."))
    assert {("Aleksander Kwasniewski", c, "occurred") for c in ("JPN", "VNM", "THA")} <= got
    # a tour two sentences on is not the same trip
    got = visits(run("Reporters followed a trip to Asia by Polish President Aleksander "
                     "Kwasniewski last year. Markets were calm on Monday. The tour of Japan and "
                     "Vietnam sold out."))
    assert not any(v[0] == "Aleksander Kwasniewski" for v in got)


def test_a_meeting_not_made_on_the_trip_sends_nobody_there():
    got = visits(run("Polish President Aleksander Kwasniewski, who visited Paris last week, met "
                     "US President George W. Bush on Monday."))
    assert not any(v[0] == "George W. Bush" and v[1] == "FRA" for v in got)


@pytest.mark.parametrize("text", [
    # a dateline is where the story is filed, not where a person said something elsewhere
    "WASHINGTON (Reuters) - Israeli Prime Minister Ariel Sharon said in Jerusalem on Monday that talks would resume.",
    # at home is no visit
    "WASHINGTON - President Bush said on Monday that talks would resume.",
    # a meeting at home is no visit for the host
    "Prime Minister Tony Blair met Chancellor Gordon Brown in London.",
    # a place opening a sentence with a comma is no dateline without its date
    "Nairobi, a city of four million, grew fast. British Foreign Secretary Jack Straw met Kenyan ministers.",
    # a thing stopping somewhere, or a stop at home, is no visit
    "The British bus stopped in Paris.",
    "Japanese Prime Minister Junichiro Koizumi stopped in Tokyo to vote.",
    # a relative clause on a thing is no one's trip
    "The ship, which arrived in Chile on Friday, carried Japanese Prime Minister Junichiro Koizumi.",
    # joining people at home, or a firm in a year, is no trip abroad
    "British Prime Minister Tony Blair joined the marchers in London on Sunday.",
    "Former Chancellor Gerhard Schroeder joined the board of the firm in 2006.",
])
def test_no_visit_where_there_was_none(text):
    assert not visits(run(text))


# --------------------------------------------------------------------------- wire residue

@pytest.mark.parametrize("raw,clean", [
    ("Barghouti won #39;t stand", "Barghouti won't stand"),
    ("Powell #39;s plan", "Powell's plan"),
    ("He said  quot;no quot; twice", 'He said "no " twice'),
    ("a #36;500,000 donation", "a $500,000 donation"),
    ("AT&amp;amp;T and R&amp;D", "AT&T and R&D"),
    ("concerns about\\terrorism", "concerns about terrorism"),
    ("plain text; with a semicolon & an ampersand", "plain text; with a semicolon & an ampersand"),
    ("C:\\dir stays", "C:\\dir stays"),
])
def test_wire_residue_is_repaired(raw, clean):
    assert repair_wire(raw) == clean


def test_residue_no_longer_hides_a_name():
    from analysis.ingest import clean_record

    rec = clean_record({"id": "w", "title": "Powell #39;s visit",
                        "text": "Secretary of State Colin Powell #39;s visit to Japan will begin on Monday.",
                        "published": "2004-06-01"})
    out = extract(rec)
    assert people(out).get("Colin Powell") == "USA"
    assert ("Colin Powell", "JPN", "planned") in visits(out)


@pytest.mark.parametrize("text,expected", [
    # a capital as the possessor of an envoy, negotiator or delegation stands for its state
    ("Washington's chief negotiator arrived in Seoul on Monday to revive the talks.",
     {("United States", "USA", "KOR")}),
    ("Beijing's special envoy flew to Pyongyang on Tuesday.", {("China", "CHN", "PRK")}),
    # not a government's traveller: a city's mayor, a person named after a capital
    ("Washington's mayor arrived in London on Monday.", set()),
    ("George Washington's envoy arrived in Paris in 1790.", set()),
])
def test_a_capital_stands_for_its_government(text, expected):
    out = run(text, published=None)
    got = {(e["visitor"], e["visitor_country"], e["destination_country"])
           for e in out["events"] if e["kind"] == "visit"}
    assert got == expected
    names = {e["name"] for e in out["entities"]}
    assert all(v in names for v, _, _ in got)  # the acting country is an entity of the output


@pytest.mark.parametrize("title", ["", "Envoy holds talks with Kenyan leaders"])
def test_a_dateline_after_a_headline_still_places_the_lead_sentence(title):
    out = extract({"id": "t", "title": title, "published": None, "clean": True,
                   "text": "Nairobi, Mar 4 : French Foreign Minister Jean-Luc Marsac on Thursday "
                           "met Kenyan leaders to discuss aid."})
    assert ("Jean-Luc Marsac", "KEN", "occurred") in visits(out)


@pytest.mark.parametrize("title,text,name,country", [
    # a Title Case headline is re-cased before NER: the words of no known name go lower case
    ("Hosni Mubarak Back At Work After Surgery", "The Egyptian leader returned to his desk on Monday.",
     "Hosni Mubarak", "EGY"),
    ("Karzai Meets Elders, Promises Roads", "The Afghan president said on Sunday that roads would be built.",
     "Karzai", "AFG"),
])
def test_a_title_case_headline_is_read_as_running_text(title, text, name, country):
    got = people(extract({"id": "h", "title": title, "text": text, "published": None}))
    assert got.get(name) == country and not any(n.startswith(name + " ") for n in got)


def test_a_place_inside_a_persons_name_stays_the_persons():
    out = run("Chilean President Ricardo Lagos arrived in Madrid on Monday.")
    assert people(out).get("Ricardo Lagos") == "CHL"
    assert ("Ricardo Lagos", "ESP", "occurred") in visits(out)
    out = run("The envoy flew from Lagos to Abuja.")
    assert any(e["name"] == "Lagos" and e["kind"] == "place" for e in out["entities"])


@pytest.mark.parametrize("text", [
    "Chilean President Ricardo Lagos arrived in Madrid on Monday for a visit that will include "
    "talks with Prime Minister Jose Maria Aznar.",
    "Chilean President Ricardo Lagos has arrived in Spain for a visit which will include talks "
    "with Prime Minister Jose Maria Aznar.",
])
def test_talks_a_visit_includes_are_the_travellers(text):
    out = run(text)
    meets = [e for e in out["events"] if e["kind"] == "meeting"]
    assert meets and set(meets[0]["participants"]) == {"Ricardo Lagos", "Jose Maria Aznar"}
    assert meets[0]["country"] == "ESP"
    # the trip is told once: no second, planned visit inferred from the talks
    assert {v for v in visits(out) if v[0] == "Ricardo Lagos"} == {("Ricardo Lagos", "ESP", "occurred")}


def test_a_given_name_the_ner_left_out_joins_a_known_full_name():
    import spacy
    from spacy.tokens import Doc, Span

    from analysis.extract.entities import EntityResolver

    nlp = spacy.blank("en")
    doc = Doc(nlp.vocab, words=["Later", ",", "Junichiro", "Koizumi", "and", "Mary", "Koizumi", "spoke"])
    doc.ents = [Span(doc, 3, 4, label="PERSON"), Span(doc, 6, 7, label="PERSON")]
    EntityResolver._extend_known_names(doc)
    # the dictionary's full name joins; an unknown one does not
    assert [e.text for e in doc.ents] == ["Junichiro Koizumi", "Koizumi"]


def test_a_persons_envoy_travels_alone():
    # "X's envoy arrived": the envoy made the trip, not X (a country's envoy stands for it)
    out = run("Nelson Mandela's envoy arrived in Harare on Monday.", published=None)
    assert not visits(out)
    assert ("Pakistan", "AFG", "occurred") in visits(run("Pakistan's envoy arrived in Kabul on Monday."))


# --------------------------------------------------------------------------- wire copy (1.8)

@pytest.mark.parametrize("text,name,country", [
    # "of the COUNTRY" after the name
    ("The proposal came from Anita Varga of the Philippines, its trade minister.", "Anita Varga", "PHL"),
    # a possessive country owns the phrase even after a preposition
    ("The cut was opposed by the nephew of Egypt's former leader Samir Tarek.", "Samir Tarek", "EGY"),
    # an apposition's member noun: adjectives before the country, "at" before the body
    ("\"Rates will fall,\" said Karl Henning, chairman of the influential German parliament "
     "budget committee.", "Karl Henning", "DEU"),
    ("Olga Petrova, deputy legal chief at Russia's foreign ministry, said the draft was weak.",
     "Olga Petrova", "RUS"),
    # an age before the nationality word of the apposition
    ("The court heard Ahmed Karam, a 54-year-old former Syrian army officer, on Monday.", "Ahmed Karam", "SYR"),
    # a title qualified by an organisation, then the name after a comma
    ("Czech ambassador to the United Nations, Pavel Dolezal, told a newspaper the vote was close.",
     "Pavel Dolezal", "CZE"),
    # a country's official noun, then the name in apposition
    ("Norway's chief fisheries official, Ola Brekke, said the quota would be cut.", "Ola Brekke", "NOR"),
    # a person's staff: the possessor's country
    ("The talks stalled, Polish President Jan Kowalski's spokesman Adam Nowak said on Monday.",
     "Adam Nowak", "POL"),
    # a short full form written before the longest one is the same person
    ("Canadian MP John Harlow resigned on Friday. Mr John Peter Harlow said he was leaving.",
     "John Peter Harlow", "CAN"),
    # an acronym the article spells out stands for that body, not a namesake of the gazetteer
    ("Japan's Economic Planning Agency kept its view, EPA Vice Minister Taro Hoshino told reporters.",
     "Taro Hoshino", "JPN"),
])
def test_wire_copy_states_the_country_this_way(text, name, country):
    assert people(run(text, published=None)).get(name) == country


@pytest.mark.parametrize("text,name", [
    # a lawyer is no member of the client's state; a plural noun heads a list, not one name
    ("The talks stalled, Polish President Jan Kowalski's lawyer Adam Nowak said on Monday.", "Adam Nowak"),
    ("French, German and Italian officials, Anne Roux and Karl Weber, met on Monday.", "Karl Weber"),
    # a written-out name without a country leaves its acronym without one
    ("The Economic Planning Agency kept its view, EPA Vice Minister Taro Hoshino told reporters.",
     "Taro Hoshino"),
])
def test_wire_copy_without_the_country_gives_none(text, name):
    assert people(run(text, published=None)).get(name) is None


@pytest.mark.parametrize("text,name,country", [
    # under a dateline an office held at home, a foreign minister too, is the dateline's country's
    ("Anna Kowal\nWARSAW 1997-03-02\nPoland and Hungary will sign the pact next week, Foreign "
     "Minister Jerzy Malek said on Monday.", "Jerzy Malek", "POL"),
    ("OSLO (Reuters) - Norway and Sweden will share the cost, Finance Minister Per Lunde said.",
     "Per Lunde", "NOR"),
    # without the dateline, two countries: nothing to choose between
    ("Poland and Hungary will sign the pact next week, Foreign Minister Jerzy Malek said on Monday.",
     "Jerzy Malek", None),
    # a sentence naming other countries and not the dateline's: nothing
    ("DILI 1997-03-02\nIndonesia will not attend the ceremony in Norway, Foreign Minister Jerzy "
     "Malek said.", "Jerzy Malek", None),
    # an ambassador serves abroad
    ("OSLO 1997-03-02\nThe ambassador, Jerzy Malek, said on Monday that Poland and Sweden would act.",
     "Jerzy Malek", None),
    # a state body's spokesman, a speaker; not a firm's spokesman
    ("OSLO 1997-03-02\nThe king was in hospital, presidential spokesman Ole Berg said on Monday.",
     "Ole Berg", "NOR"),
    ("OSLO 1997-03-02\nThe vote was delayed, parliament speaker Ole Berg said on Monday.", "Ole Berg", "NOR"),
    ("OSLO 1997-03-02\nProfits rose, company spokesman Ole Berg said on Monday.", "Ole Berg", None),
])
def test_a_datelines_country_for_its_own_officials(text, name, country):
    assert people(run(text, published=None)).get(name) == country


def test_a_dateline_on_a_line_of_its_own_places_the_lead_sentence():
    out = run("Anna Kowal\nOSLO 1997-03-02\nChinese Foreign Minister Li Wenbo arrived on Monday "
              "for talks on trade.", published="1997-03-02")
    assert ("Li Wenbo", "NOR", "occurred") in visits(out)
    # a meeting still to come is not placed where the story is filed
    out = run("OSLO 1997-03-02\nChinese Foreign Minister Li Wenbo and Polish President Jan Kowalski "
              "might meet on Saturday.", published="1997-03-02")
    assert not visits(out)


@pytest.mark.parametrize("text,expected", [
    # an occasion abroad as a travel verb's origin or destination: its own place
    ("Senegalese President Amadou Sy spoke to reporters when he returned from the regional summit "
     "in Mali.", {("Amadou Sy", "MLI", "occurred")}),
    ("Japanese Prime Minister Junichiro Koizumi flew to the summit in Chile on Friday.",
     {("Junichiro Koizumi", "CHL", "occurred")}),
    # speaking at a part of an occasion held abroad
    ("French President Jacques Chirac told a news conference at the end of a regional summit in "
     "Mali that troops would stay.", {("Jacques Chirac", "MLI", "occurred")}),
    # arriving from home, under a dateline abroad: at the dateline's place
    ("GENEVA 1997-03-02\nThe talks opened on Monday. Polish delegate Adam Nowak said he had just "
     "arrived from Warsaw.", {("Adam Nowak", "CHE", "occurred")}),
    # visiting a person: the place written on them, else their country; "is likely to visit"
    ("Polish President Jan Kowalski will visit German Chancellor Helmut Kohl in Bonn.",
     {("Jan Kowalski", "DEU", "planned")}),
    ("Polish President Jan Kowalski is likely to visit Pope John Paul next year.",
     {("Jan Kowalski", "VAT", "planned")}),
])
def test_wire_copy_reports_trips_this_way(text, expected):
    assert expected <= visits(run(text, published="1997-03-02"))


@pytest.mark.parametrize("text,expected", [
    # the capitals of the world's states are places of their country
    ("Polish President Jan Kowalski flew to Bratislava on Monday.", ("Jan Kowalski", "SVK", "occurred")),
    ("Polish President Jan Kowalski will visit Bangui next week.", ("Jan Kowalski", "CAF", "planned")),
    ("Polish President Jan Kowalski arrived in Montevideo on Monday.", ("Jan Kowalski", "URY", "occurred")),
])
def test_the_worlds_capitals_are_destinations(text, expected):
    assert expected in visits(run(text, published="1997-03-02"))


@pytest.mark.parametrize("text", [
    # returning home, or from an occasion at home, is no visit abroad
    "GENEVA 1997-03-02\nThe talks opened on Monday. Polish delegate Adam Nowak returned from Warsaw.",
    "Japanese Prime Minister Junichiro Koizumi returned from the summit in Tokyo on Friday.",
    # visiting a compatriot at home
    "Polish President Jan Kowalski visited Polish Prime Minister Adam Nowak in hospital.",
])
def test_wire_copy_without_a_trip_abroad(text):
    assert not visits(run(text, published="1997-03-02"))


def test_a_definite_description_names_the_one_holder_of_its_honorific():
    out = run("The Canadian general leading the force said on Friday he would go back. General "
              "Paul Tremblay told a news conference in Nairobi the camps were empty.", published=None)
    assert people(out)["Paul Tremblay"] == "CAN"
    assert ("Paul Tremblay", "KEN", "occurred") in visits(out)
    # two generals: the description names neither
    got = people(run("The Canadian general leading the force said on Friday he would go back. "
                     "General Paul Tremblay and General Alan Ross told reporters the camps were empty.",
                     published=None))
    assert got.get("Paul Tremblay") is None and got.get("Alan Ross") is None


def test_talks_a_trip_includes_have_the_traveller_as_a_side():
    out = run("Indian Prime Minister Rajiv Mehta arrived on Monday for a tour that includes talks "
              "with French President Louis Marin.", published=None)
    assert any(e["kind"] == "meeting" and set(e["participants"]) == {"Rajiv Mehta", "Louis Marin"}
               for e in out["events"])
    # a delegation that held talks is an unnamed side: no meeting with the speaker
    out = run("The delegation, which held talks with French President Louis Marin, left on Monday, "
              "Indian Prime Minister Rajiv Mehta said.", published=None)
    assert not [e for e in out["events"] if e["kind"] == "meeting"]


def test_a_generic_title_as_a_description_names_nobody():
    got = people(run("The Cuban president said on Friday he would go back. President Paul Tremblay "
                     "told reporters the camps were empty.", published=None))
    assert got.get("Paul Tremblay") is None


@pytest.mark.parametrize("title,text,name,country", [
    # the headline names the one person, the lead sentence describes them
    ("Kovac Arrives in Paris for Talks", "A jet carrying the Croatian leader landed near Paris on "
     "Monday, witnesses said.", "Kovac", "HRV"),
    # the headline describes, the body names
    ("Polish Minister to Visit Japan", "The government said on Monday that Junior Minister Adam "
     "Nowak will travel next month.", "Adam Nowak", "POL"),
    # the description only after the lead sentence: nothing
    ("Kovac Arrives in Paris for Talks", "Officials met on Monday. A jet carrying the Croatian "
     "leader landed near Paris, witnesses said.", "Kovac", None),
    # no headline: nothing
    ("", "The Iraqi prime minister said on Monday that talks would resume. Bush praised the plan.",
     "Bush", None),
])
def test_the_one_person_an_article_names_is_its_description(title, text, name, country):
    assert people(run(text, published=None, title=title)).get(name) == country


def test_they_met_is_the_pair_named_just_before():
    out = run("Both German Chancellor Karl Brandt and French President Louis Marin want a new "
              "treaty. They last met in Madrid in May.", published="1997-03-02")
    assert {("Karl Brandt", "ESP", "occurred"), ("Louis Marin", "ESP", "occurred")} <= visits(out)
    assert any(e["kind"] == "meeting" and set(e["participants"]) == {"Karl Brandt", "Louis Marin"}
               for e in out["events"])
    # one person named before: "they" is nobody we know
    assert not visits(run("German Chancellor Karl Brandt spoke on Monday. They met in Madrid in May."))


@pytest.mark.parametrize("text", [
    "The spokesman said he was not aware of any meetings between Prime Minister John Major and "
    "Chancellor Kenneth Clarke.",
    "Officials said no meeting between Prime Minister John Major and Chancellor Kenneth Clarke had "
    "been set.",
])
def test_a_meeting_denied_is_none(text):
    assert not [e for e in run(text, published=None)["events"] if e["kind"] == "meeting"]


@pytest.mark.parametrize("text,name,country", [
    # nationality words of the world's states, not only of the countries the gazetteer began with
    ("Senegalese President Amadou Sy said the vote would be held.", "Amadou Sy", "SEN"),
    ("A Slovak politician, Jan Hrusko, was expelled from parliament.", "Jan Hrusko", "SVK"),
    ("Estonian Prime Minister Mart Kask said taxes would fall.", "Mart Kask", "EST"),
    ("Zairean Prime Minister Jean Mbala said the rebels would be stopped.", "Jean Mbala", "COD"),
])
def test_the_worlds_nationality_words(text, name, country):
    assert people(run(text, published=None)).get(name) == country


# --------------------------------------------------------------------------- the scorer

def test_dev_scorer_counts_as_the_held_out_evaluation_does():
    from analysis.evaluate.dev import score

    gold = {"visits": [{"visitor": "George W Bush", "visitor_country": "USA", "destination_country": "DEU"},
                       {"visitor": None, "visitor_country": "GBR", "destination_country": "FRA"}],
            "optional_visits": [{"visitor": "Roe", "destination_country": "ESP"}],
            "meetings": [{"participants": ["Jacques Chirac", "Gerhard Schroeder"]}],
            "optional_meetings": [],
            "people": [{"name": "Colin Powell", "country": "USA", "basis": "known"},
                       {"name": "Jane Roe", "country": None, "basis": "unknown"},
                       {"name": "Tony Blair", "country": "GBR", "basis": "stated"}]}
    out = {"events": [
        {"kind": "visit", "visitor": "Bush", "destination_country": "DEU"},      # surname matches
        {"kind": "visit", "visitor": "Jane Roe", "destination_country": "ESP"},  # optional: ignored
        {"kind": "visit", "visitor": "Blair", "destination_country": "ITA"},     # false
        {"kind": "talks", "participants": ["France", "Germany"]},                # nobody named: no meeting
        {"kind": "meeting", "participants": ["Jacques Chirac", "Gerhard Schroeder"]}],
        "entities": [{"name": "Colin Powell", "kind": "person", "country": "USA"},
                     {"name": "Jane Roe", "kind": "person", "country": "ESP"},
                     {"name": "Tony Blair", "kind": "person", "country": None},
                     {"name": "Jacques Chirac", "kind": "person", "country": "FRA"},
                     {"name": "Gerhard Schroeder", "kind": "person", "country": "DEU"}]}
    res = score([{"id": "x", "gold": gold}], [out])
    assert (res["visits"]["tp"], res["visits"]["fp"], res["visits"]["fn"]) == (1, 1, 1)
    assert (res["meetings"]["tp"], res["meetings"]["fp"], res["meetings"]["fn"]) == (1, 0, 0)
    p = res["people"]
    assert p["known"]["right"] == 1 and p["stated"]["right"] == 0
    assert p["unknown"]["wrong"] == 1 and p["given"] == 2 and p["wrong_rate"] == 0.5


def test_a_title_case_headline_keeps_its_names_apart_from_its_verbs():
    # short words in lower case are Title Case's own: the headline is re-cased, and its verb
    # is no part of the name before it
    out = run("Sudanese officials met the visitors on Monday.",
              title="Straw Arrives in Sudan for Darfur Talks", published="2004-06-01")
    assert "Straw" in people(out) and "Straw Arrives" not in people(out)
    # a headline opening with a surname of the actor dictionary, then a verb, names the person
    out = run("Iraq's interim prime minister said he had met militants.",
              title="Allawi Meets Militants, Pushes Amnesty", published=None)
    assert "Allawi" in people(out)
