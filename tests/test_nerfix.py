"""Unit tests of the NER-fixing components on ``spacy.blank("en")`` with hand-made entities."""
from __future__ import annotations

import pytest
import spacy
from spacy.tokens import Doc, Span

from analysis.extract import nerfix


def make_doc(nlp, words, ents=(), sent_starts=None):
    """A Doc from words with entities given as (start, end, label) token spans."""
    doc = Doc(nlp.vocab, words=words, sent_starts=sent_starts)
    doc.ents = [Span(doc, s, e, label=lab) for s, e, lab in ents]
    return doc


def ents(doc):
    return [(e.text, e.label_) for e in doc.ents]


@pytest.fixture
def nlp():
    return spacy.blank("en")


# ------------------------------------------------------------------ boundaries

@pytest.mark.parametrize("words, span, expected", [
    (["in", "the", "United", "States", "today"], (1, 4, "GPE"), ("United States", "GPE")),
    (["Pakistan", "'s", "envoy"], (0, 2, "GPE"), ("Pakistan", "GPE")),
    (["(", "Gordon", "Durie", "75th", ")"], (1, 4, "PERSON"), ("Gordon Durie", "PERSON")),
    (["J.", "Ratcliffe", "63", ","], (0, 3, "PERSON"), ("J. Ratcliffe", "PERSON")),
    (["Apic", "Yamada", "-", "6mth"], (0, 3, "ORG"), ("Apic Yamada", "ORG")),
    (["11.", "Wendy", "Everson", "("], (0, 3, "PERSON"), ("Wendy Everson", "PERSON")),
    (["Belgian", "King", "Baudouin", "born"], (0, 3, "PERSON"), ("Baudouin", "PERSON")),
    (["President", "Ashraf", "Ghani"], (0, 3, "PERSON"), ("Ashraf Ghani", "PERSON")),
    # a title as the last word is left alone (nothing would remain of the name)
    (["Mr", "President"], (0, 2, "PERSON"), ("Mr President", "PERSON")),
    # numbers stay inside non-person names
    (["the", "Group", "of", "20"], (1, 4, "ORG"), ("Group of 20", "ORG")),
])
def test_boundaries_cut_edges(nlp, words, span, expected):
    fix = nlp.add_pipe("nerfix_boundaries")
    doc = fix(make_doc(nlp, words, [span]))
    assert ents(doc) == [expected]


@pytest.mark.parametrize("words, span, expected", [
    # a dash between spaces, as results lists write "Country - Player"
    (["Norway", "-", "John", "Olsen", ","], (0, 4, "ORG"), [("Norway", "ORG"), ("John Olsen", "PERSON")]),
    # an opening bracket after a name
    (["Mary", "Dunne", "(", "Ireland", ")"], (0, 4, "PERSON"), [("Mary Dunne", "PERSON"), ("Ireland", "PERSON")]),
    # a hyphen inside a word's spelling, or a dash with no spaces, stays
    (["Rolls", "-", "Royce", "said"], (0, 3, "ORG"), [("Rolls-Royce", "ORG")]),
])
def test_boundaries_split_at_brackets_and_spaced_dashes(nlp, words, span, expected):
    fix = nlp.add_pipe("nerfix_boundaries")
    doc = make_doc(nlp, words, [span])
    if words[:3] == ["Rolls", "-", "Royce"]:  # written without spaces
        doc = Doc(nlp.vocab, words=words, spaces=[False, False, True, False])
        doc.ents = [Span(doc, *span[:2], label=span[2])]
    assert ents(fix(doc)) == expected


def test_boundaries_drop_entity_without_letters(nlp):
    fix = nlp.add_pipe("nerfix_boundaries")
    doc = fix(make_doc(nlp, ["the", "'s", "x"], [(0, 2, "ORG")]))
    assert ents(doc) == []


def test_boundaries_leave_dates_alone(nlp):
    fix = nlp.add_pipe("nerfix_boundaries")
    doc = fix(make_doc(nlp, ["the", "next", "week"], [(0, 3, "DATE")]))
    assert ents(doc) == [("the next week", "DATE")]


# ------------------------------------------------------------------ patterns

def test_patterns_initial_and_surname(nlp):
    fix = nlp.add_pipe("nerfix_patterns")
    doc = fix(make_doc(nlp, ["England", "N.", "Knight", "st", "Moin"], [(0, 1, "GPE")]))
    assert ("N. Knight", "PERSON") in ents(doc)
    assert ("England", "GPE") in ents(doc)


def test_patterns_given_name_overrides_org(nlp):
    fix = nlp.add_pipe("nerfix_patterns")
    doc = fix(make_doc(nlp, ["Paul", "Broadhurst", "won"], [(0, 2, "ORG")]))
    assert ents(doc) == [("Paul Broadhurst", "PERSON")]


def test_patterns_do_not_cut_a_longer_entity(nlp):
    fix = nlp.add_pipe("nerfix_patterns")
    doc = fix(make_doc(nlp, ["George", "Washington", "University", "said"], [(0, 3, "ORG")]))
    assert ents(doc) == [("George Washington University", "ORG")]


def test_patterns_stop_before_days_and_titles(nlp):
    fix = nlp.add_pipe("nerfix_patterns")
    doc = fix(make_doc(nlp, ["John", "Monday", "said"]))
    assert ents(doc) == []


@pytest.mark.parametrize("words, expected", [
    # a results list: rank, name, (country), result
    (["4.", "Vesna", "Tomasova", "(", "Slovakia", ")", "4:08.96"], [("Vesna Tomasova", "PERSON")]),
    (["6.", "Brahimo", "El", "Fassi", "(", "Morocco", ")", "13:08.05"], [("Brahimo El Fassi", "PERSON")]),
    # a squad or seeds list: number, dash, name, then a comma, semicolon or bracket
    (["15", "-", "Piet", "van", "Rooyen", ",", "14", "-", "Jan", "Swartz", ";"],
     [("Piet van Rooyen", "PERSON"), ("Jan Swartz", "PERSON")]),
    (["beat", "7", "-", "Cerdic", "Whitby", "(", "England", ")"], [("Cerdic Whitby", "PERSON")]),
    # one word is a team in a results list; a country after a dash is no person
    (["1.", "Kelmora", "(", "Spain", ")", "10:02"], []),
    (["won", "3", "-", "United", "States", ","], []),
    (["May", "31", "-", "June", "2", "."], []),
])
def test_patterns_results_and_squad_lists(nlp, words, expected):
    fix = nlp.add_pipe("nerfix_patterns")
    doc = fix(make_doc(nlp, words))
    assert [e for e in ents(doc) if e[1] == "PERSON"] == expected


@pytest.mark.parametrize("words, ents_in, expected", [
    # a tennis draw, a golf table, a scorer's minute
    (["Spain", ")", "beat", "Osvin", "Tarrega", "(", "Chile", ")", "6-4"], [],
     [("Osvin Tarrega", "PERSON")]),
    (["6-4", "6-3", "Tarek", "Novotny", "(", "Czech", "Republic", ")"], [], [("Tarek Novotny", "PERSON")]),
    (["284", "Cerdic", "Allwyn", "(", "Australia", ")", "69"], [], [("Cerdic Allwyn", "PERSON")]),
    (["Romania", "-", "Osvin", "Popescul", "(", "31st", ")", ","], [(2, 4, "ORG")],
     [("Osvin Popescul", "PERSON")]),
    (["Brazil", "-", "Giovanco", "(", "14th", "minute", ")"], [], [("Giovanco", "PERSON")]),
    # a club the model found in a draw stays a club
    (["Lazio", "(", "Italy", ")", "beat", "Real", "Sociedad", "(", "Spain", ")"], [(5, 7, "ORG")], []),
])
def test_patterns_sports_results(nlp, words, ents_in, expected):
    fix = nlp.add_pipe("nerfix_patterns")
    doc = fix(make_doc(nlp, words, ents_in))
    assert [e for e in ents(doc) if e[1] == "PERSON"] == expected


@pytest.mark.parametrize("words, ents_in, expected", [
    (["HARWELL", ",", "England", "1996-08-31", "Result"], [(0, 1, "PERSON")], ("HARWELL", "GPE")),
    (["PORT", "ELSBY", "1996-08-30", "Shares"], [(0, 2, "ORG")], ("PORT ELSBY", "GPE")),
])
def test_patterns_a_dated_dateline_is_a_place(nlp, words, ents_in, expected):
    fix = nlp.add_pipe("nerfix_patterns")
    doc = fix(make_doc(nlp, words, ents_in, sent_starts=[True] + [False] * (len(words) - 1)))
    assert ents(doc)[0] == expected


def test_patterns_capitals_without_a_date_are_left_alone(nlp):
    fix = nlp.add_pipe("nerfix_patterns")
    words = ["HARWELL", "BEAT", "ELSBY", "."]
    doc = fix(make_doc(nlp, words, [(0, 1, "ORG")], sent_starts=[True, False, False, False]))
    assert ents(doc) == [("HARWELL", "ORG")]


def test_patterns_from_at_files_are_expanded():
    expanded = nerfix._expand_lists({"LOWER": {"NOT_IN": "@nerfix_not_name_words.txt"}})
    words = expanded["LOWER"]["NOT_IN"]
    assert "monday" in words and all(w == w.lower() for w in words)


# ------------------------------------------------------------------ gazetteer

def test_gazetteer_relabels_person_country(nlp):
    fix = nlp.add_pipe("nerfix_gazetteer")
    doc = fix(make_doc(nlp, ["England", "face", "Moldova", "today"], [(2, 3, "PERSON")]))
    assert ("Moldova", "GPE") in ents(doc)
    assert ("England", "GPE") in ents(doc)  # missed by the model, added


def test_gazetteer_adds_capital_and_multiword_country(nlp):
    fix = nlp.add_pipe("nerfix_gazetteer")
    doc = fix(make_doc(nlp, ["to", "Kabul", "and", "the", "United", "Arab", "Emirates"]))
    assert ents(doc) == [("Kabul", "GPE"), ("United Arab Emirates", "GPE")]


def test_gazetteer_skips_ambiguous_and_names_inside_longer_names(nlp):
    fix = nlp.add_pipe("nerfix_gazetteer")
    doc = fix(make_doc(nlp, ["Chad", "met", "officials", "of", "Kabul", "Bank", "yesterday"]))
    assert ents(doc) == []


def test_gazetteer_keeps_city_org_but_fixes_country_org(nlp):
    fix = nlp.add_pipe("nerfix_gazetteer")
    doc = fix(make_doc(nlp, ["Leeds", "beat", "Slovakia"], [(0, 1, "ORG"), (2, 3, "ORG")]))
    assert ents(doc) == [("Leeds", "ORG"), ("Slovakia", "GPE")]


def test_places_file_has_countries_and_cities():
    places = nerfix.read_places(nerfix.RESOURCES / "nerfix_places.tsv")
    assert places["Afghanistan"] == ("country", "AFG")
    assert places["Kabul"][1] == "AFG"
    assert places["Karachi"] == ("city", "PAK")


# ------------------------------------------------------------------ consistency

def test_consistency_surname_becomes_person(nlp):
    fix = nlp.add_pipe("nerfix_consistency")
    words = ["Michael", "Johnson", "won", ".", "Johnson", "said", "Johnson", "ran"]
    doc = fix(make_doc(nlp, words, [(0, 2, "PERSON"), (4, 5, "ORG")]))
    assert ents(doc) == [("Michael Johnson", "PERSON"), ("Johnson", "PERSON"), ("Johnson", "PERSON")]


def test_consistency_does_not_break_longer_org(nlp):
    fix = nlp.add_pipe("nerfix_consistency")
    words = ["Bob", "Johnson", "of", "Johnson", "Controls"]
    doc = fix(make_doc(nlp, words, [(0, 2, "PERSON"), (3, 5, "ORG")]))
    assert ents(doc) == [("Bob Johnson", "PERSON"), ("Johnson Controls", "ORG")]


def test_consistency_majority_label(nlp):
    fix = nlp.add_pipe("nerfix_consistency")
    words = ["Somerset", "won", ";", "Somerset", "lost", ";", "Somerset", "drew"]
    doc = fix(make_doc(nlp, words, [(0, 1, "ORG"), (3, 4, "ORG"), (6, 7, "GPE")]))
    assert [lab for _, lab in ents(doc)] == ["ORG", "ORG", "ORG"]


def test_consistency_tie_is_kept(nlp):
    fix = nlp.add_pipe("nerfix_consistency")
    words = ["Jordan", "won", ";", "Jordan", "lost"]
    doc = fix(make_doc(nlp, words, [(0, 1, "ORG"), (3, 4, "GPE")]))
    assert [lab for _, lab in ents(doc)] == ["ORG", "GPE"]


# ------------------------------------------------------------------ caps

@pytest.fixture
def caps_nlp():
    """A blank pipeline whose "ner" is a case-sensitive entity ruler: it only finds true-cased
    names, like the statistical model on capitals."""
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    ruler = nlp.add_pipe("entity_ruler", name="ner")
    ruler.add_patterns([{"label": "GPE", "pattern": "Dublin"},
                        {"label": "GPE", "pattern": "Japan"},
                        {"label": "PERSON", "pattern": [{"TEXT": "O'Brien"}]},
                        {"label": "ORG", "pattern": "NATO"}])
    nlp.add_pipe("nerfix_caps", config={"ner_names": ["ner"]})
    return nlp


def test_caps_headline_is_retagged(caps_nlp):
    doc = caps_nlp("JAPAN GET LUCKY WIN AGAINST O'BRIEN. Japan began well.")
    assert ("JAPAN", "GPE") in ents(doc)
    assert ("O'BRIEN", "PERSON") in ents(doc)
    assert ("Japan", "GPE") in ents(doc)


def test_caps_dateline_is_retagged(caps_nlp):
    doc = caps_nlp("DUBLIN (Reuters) - Irish officials met NATO envoys.")
    assert ents(doc) == [("DUBLIN", "GPE"), ("NATO", "ORG")]


def test_caps_acronym_at_sentence_start_is_not_a_dateline(caps_nlp):
    fixer = caps_nlp.get_pipe("nerfix_caps")
    doc = caps_nlp.make_doc("NATO, which met on Monday, agreed.")
    doc = caps_nlp.get_pipe("sentencizer")(doc)
    assert fixer.caps_regions(doc) == []


def test_caps_pipe_matches_call(caps_nlp):
    texts = ["DUBLIN (Reuters) - calm.", "Nothing in capitals here.", "JAPAN WIN AGAIN IN TOKYO"]
    one = [ents(caps_nlp(t)) for t in texts]
    many = [ents(d) for d in caps_nlp.pipe(texts, batch_size=2)]
    assert one == many


@pytest.mark.parametrize("word, first, expected", [
    ("US", False, "US"), ("NATO", False, "NATO"), ("TTP", False, "TTP"), ("U.S.", False, "U.S."),
    ("GET", False, "get"), ("THE", True, "The"), ("O'BRIEN", False, "O'Brien"), ("'S", False, "'s"),
    ("AL-AIN", False, "Al-Ain"), ("Kabul", False, "Kabul"), ("JAPAN", False, "Japan"),
])
def test_true_case(caps_nlp, word, first, expected):
    fixer = caps_nlp.get_pipe("nerfix_caps")
    assert fixer.true_case(word, {}, first) == expected


def test_true_case_prefers_the_documents_spelling(caps_nlp):
    fixer = caps_nlp.get_pipe("nerfix_caps")
    doc = caps_nlp("MCDONALD WINS THE OPEN IN LA. McDonald was happy in the open air.")
    regions = fixer.caps_regions(doc)
    skip = {i for _, _, s, e in regions for i in range(s, e)}
    cmap = fixer.case_map(doc, skip)
    assert fixer.true_case("MCDONALD", cmap, True) == "McDonald"
    assert fixer.true_case("OPEN", cmap, False) == "open"


# ------------------------------------------------------------------ assembly

def test_add_ner_fixes_after_ner_and_idempotent():
    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler", name="ner")
    nlp.add_pipe("sentencizer")
    nerfix.add_ner_fixes(nlp)
    nerfix.add_ner_fixes(nlp)
    names = nlp.pipe_names
    assert names[:1 + len(nerfix.NERFIX_COMPONENTS)] == ["ner", *nerfix.NERFIX_COMPONENTS]
    assert names.count("nerfix_caps") == 1


def test_add_ner_fixes_without_ner_appends(nlp):
    nerfix.add_ner_fixes(nlp, components=["nerfix_boundaries", "nerfix_consistency"])
    assert nlp.pipe_names == ["nerfix_boundaries", "nerfix_consistency"]
    doc = nlp("Nothing here")
    assert list(doc.ents) == []


# ------------------------------------------------------------------ teams

def test_teams_result_line_cities_become_org(nlp):
    fix = nlp.add_pipe("nerfix_teams")
    words = ["Leeds", "2", "Barnsley", "1", "Wigan", "4", "England", "0"]
    doc = fix(make_doc(nlp, words, [(0, 1, "GPE"), (6, 7, "GPE")]))
    # Leeds relabelled, Barnsley and Wigan untagged -> added, England a country -> kept
    assert ents(doc) == [("Leeds", "ORG"), ("Barnsley", "ORG"), ("Wigan", "ORG"), ("England", "GPE")]


def test_teams_need_two_results_or_a_standings_row(nlp):
    fix = nlp.add_pipe("nerfix_teams")
    one = fix(make_doc(nlp, ["Kabul", "3", "killed"], [(0, 1, "GPE")]))
    assert ents(one) == [("Kabul", "GPE")]
    row = fix(make_doc(nlp, ["Boston", "69", "66", ".511", "6"], [(0, 1, "GPE")]))
    assert ents(row) == [("Boston", "ORG")]


def test_teams_propagate_within_the_document(nlp):
    fix = nlp.add_pipe("nerfix_teams")
    words = ["Somerset", "83", "Kent", "174", ".", "Somerset", "got", "a", "start"]
    starts = [True, False, False, False, False, True, False, False, False]
    doc = fix(make_doc(nlp, words, [(0, 1, "GPE"), (2, 3, "PERSON"), (5, 6, "GPE")], starts))
    assert ents(doc) == [("Somerset", "ORG"), ("Kent", "PERSON"), ("Somerset", "ORG")]


def test_teams_ignore_documents_without_numbers(nlp):
    fix = nlp.add_pipe("nerfix_teams")
    doc = make_doc(nlp, ["Leeds", "beat", "Barnsley"], [(0, 1, "GPE")])
    assert ents(fix(doc)) == [("Leeds", "GPE")]


@pytest.mark.parametrize("words, span, expected", [
    (["Kansas", "City", "Royals", "4-0"], (0, 4, "ORG"), ("Kansas City Royals", "ORG")),
    (["AMSTERDAM", "1996-08-30"], (0, 2, "GPE"), ("AMSTERDAM", "GPE")),
])
def test_boundaries_cut_scores_and_dates(nlp, words, span, expected):
    fix = nlp.add_pipe("nerfix_boundaries")
    assert ents(fix(make_doc(nlp, words, [span]))) == [expected]


def test_patterns_club_suffix(nlp):
    fix = nlp.add_pipe("nerfix_patterns")
    doc = fix(make_doc(nlp, ["Keith", "of", "Norwich", "United", "joins"], [(2, 3, "GPE")]))
    assert ("Norwich United", "ORG") in ents(doc)


def test_caps_without_ner_keeps_entities():
    nlp = spacy.blank("en")
    fix = nlp.add_pipe("nerfix_caps")
    doc = make_doc(nlp, ["JAPAN", "GET", "LUCKY", "WIN"], [(0, 1, "GPE")])
    assert ents(fix(doc)) == [("JAPAN", "GPE")]
