"""Talks, agreements and ceasefires (with parties, mediators, status); background mentions and
their dates; planned statuses with the words that decided them; hosts of visits. Sentences
written for these tests."""
from __future__ import annotations

import pytest

from analysis import model


@pytest.fixture(scope="module")
def nlp():
    from analysis.extract import get_nlp

    return get_nlp()


def events(nlp, text, published="2025-08-03"):
    from analysis.extract import make_doc

    return nlp(make_doc(nlp, {"text": text, "published": published}))._.chancery["events"]


def of(evs, kind):
    return [e for e in evs if e["kind"] == kind]


def test_talks_between_delegations_with_mediators(nlp):
    (ev,) = of(events(nlp, "Pakistani and Afghan delegations held talks in Doha on Saturday, "
                           "mediated by Qatar and Turkey."), model.TALKS)
    assert ev["participants"] == ["Pakistan", "Afghanistan"]
    assert ev["mediators"] == ["Qatar", "Türkiye"]
    assert (ev["place"], ev["country"], ev["date"]) == ("Doha", "QAT", "2025-08-02")
    assert (ev["status"], ev["cameo"], ev["background"]) == (model.OCCURRED, model.cameo(model.TALKS), False)


def test_a_round_of_talks_that_will_begin_is_planned(nlp):
    (ev,) = of(events(nlp, "The second round of talks between Pakistan and Afghanistan will begin "
                           "in Istanbul on Saturday."), model.TALKS)
    assert ev["participants"] == ["Pakistan", "Afghanistan"]
    assert (ev["status"], ev["status_words"]) == (model.PLANNED, "will begin")
    assert ev["cameo"] == model.cameo(model.TALKS, model.PLANNED)
    assert (ev["place"], ev["date"]) == ("Istanbul", "2025-08-09")


def test_talks_that_would_be_held_are_planned(nlp):
    (ev,) = of(events(nlp, "Talks between the Pakistani and Afghan delegations would be held in "
                           "Istanbul, mediated by Turkey."), model.TALKS)
    assert (ev["status"], ev["status_words"]) == (model.PLANNED, "would be held")
    assert ev["mediators"] == ["Türkiye"]


def test_talks_between_firms_are_no_talks(nlp):
    assert of(events(nlp, "Barclays had held merger talks with Wells Fargo."), model.TALKS) == []


def test_agreement_signed_by_two_leaders(nlp):
    (ev,) = of(events(nlp, "Shehbaz Sharif and Mohammed bin Salman signed a defence agreement in "
                           "Riyadh on Wednesday."), model.AGREEMENT)
    assert ev["participants"] == ["Shehbaz Sharif", "Mohammed bin Salman"]
    assert (ev["place"], ev["country"], ev["date"]) == ("Riyadh", "SAU", "2025-07-30")
    assert (ev["status"], ev["cameo"]) == (model.OCCURRED, model.cameo(model.AGREEMENT))


def test_an_agreement_expected_to_be_signed_is_planned(nlp):
    (ev,) = of(events(nlp, "Pakistan is expected to sign a railway framework agreement with "
                           "Uzbekistan and Afghanistan."), model.AGREEMENT)
    assert set(ev["participants"]) == {"Pakistan", "Uzbekistan", "Afghanistan"}
    assert ev["status"] == model.PLANNED and ev["status_words"]


def test_signing_without_an_agreement_word_is_no_agreement(nlp):
    assert of(events(nlp, "Shehbaz Sharif and Mohammed bin Salman signed the guest book."),
              model.AGREEMENT) == []


def test_ceasefire_with_mediation(nlp):
    (ev,) = of(events(nlp, "Pakistan and Afghanistan agreed to an immediate ceasefire in Doha with "
                           "Qatari mediation."), model.CEASEFIRE)
    assert ev["participants"] == ["Pakistan", "Afghanistan"]
    assert ev["mediators"] == ["Qatar"]
    assert (ev["place"], ev["cameo"]) == ("Doha", model.cameo(model.CEASEFIRE))


def test_reported_ceasefire_takes_the_date_of_the_report(nlp):
    (ev,) = of(events(nlp, "Qatar announced on Sunday that Pakistan and Afghanistan had agreed to a "
                           "ceasefire mediated by Qatar and Turkey.", "2025-10-19"), model.CEASEFIRE)
    assert (ev["date"], ev["background"]) == ("2025-10-19", False)
    assert ev["mediators"] == ["Qatar", "Türkiye"]


def test_a_ceasefire_mentioned_without_a_declaration_is_none(nlp):
    assert of(events(nlp, "Pakistan and Afghanistan said the ceasefire was holding."), model.CEASEFIRE) == []


# --- background mentions and their dates ------------------------------------------------------

def test_background_visit_with_a_month(nlp):
    (v,) = of(events(nlp, "Ishaq Dar had visited Kabul in April."), model.VISIT)
    assert (v["date"], v["background"]) == ("2025-04", False)


def test_background_visit_without_a_date(nlp):
    (v,) = of(events(nlp, "Ishaq Dar had visited Kabul."), model.VISIT)
    assert (v["date"], v["background"]) == (None, True)


def test_month_and_year_of_the_clause(nlp):
    (v,) = of(events(nlp, "Ebrahim Raisi made a three-day visit to Pakistan in April 2024."), model.VISIT)
    assert v["date"] == "2024-04"
    (v,) = of(events(nlp, "Li Qiang visited Islamabad in 2023."), model.VISIT)
    assert v["date"] == "2023"
    (v,) = of(events(nlp, "Ishaq Dar visited Kabul last month."), model.VISIT)
    assert v["date"] == "2025-07"


def test_a_date_after_since_does_not_date_the_visit(nlp):
    (v,) = of(events(nlp, "Abbas Araghchi arrived in Kabul, his first visit since December."),
              model.VISIT)
    assert v["date"] is None


def test_news_visit_is_not_background(nlp):
    (v,) = of(events(nlp, "Ishaq Dar arrived in Kabul on Saturday."), model.VISIT)
    assert (v["date"], v["background"], v["status_words"]) == ("2025-08-02", False, None)


# --- participants ---------------------------------------------------------------------------

def test_counterparts_of_held_talks_with_a_and_b(nlp):
    evs = events(nlp, "Ishaq Dar held talks with Amir Khan Muttaqi and Sirajuddin Haqqani in Kabul.")
    (m,) = of(evs, model.MEETING)
    assert m["participants"] == ["Ishaq Dar", "Amir Khan Muttaqi", "Sirajuddin Haqqani"]
    (v,) = of(evs, model.VISIT)
    assert v["hosts"] == ["Amir Khan Muttaqi", "Sirajuddin Haqqani"]


def test_host_who_received_the_visitor(nlp):
    (v,) = of(events(nlp, "Ishaq Dar arrived in Kabul on Saturday, where he was received by "
                          "Amir Khan Muttaqi."), model.VISIT)
    assert v["hosts"] == ["Amir Khan Muttaqi"]


def test_a_host_of_two_guests(nlp):
    evs = events(nlp, "Amir Khan Muttaqi hosted Wang Yi and Ishaq Dar in Kabul on Wednesday.")
    assert sorted(v["visitor"] for v in of(evs, model.VISIT)) == ["Ishaq Dar", "Wang Yi"]
    (m,) = of(evs, model.MEETING)
    assert m["participants"] == ["Amir Khan Muttaqi", "Wang Yi", "Ishaq Dar"]


def test_every_event_has_background_and_status_words(nlp):
    for ev in events(nlp, "Ishaq Dar will visit Kabul next week. Dar met Amir Khan Muttaqi."):
        assert isinstance(ev["background"], bool) and "status_words" in ev


# -- occasions, returns, visited sites ------------------------------------------------------
def test_a_person_told_another_at_talks_makes_a_meeting_in_the_talks_place(nlp):
    evs = events(nlp, "Pakistan will reopen its consulate in Herat, Foreign Minister Ishaq Dar told "
                      "Chinese Foreign Minister Wang Yi at talks in Beijing on Tuesday.")
    (m,) = of(evs, model.MEETING)
    assert sorted(m["participants"]) == ["Ishaq Dar", "Wang Yi"]
    assert (m["place"], m["country"], m["date"]) == ("Beijing", "CHN", "2025-07-29")


def test_a_lone_speaker_at_a_summit_is_no_meeting(nlp):
    evs = events(nlp, "Prime Minister Shehbaz Sharif spoke about trade at the summit in Tashkent.")
    assert of(evs, model.MEETING) == []


def test_the_counterpart_at_the_talks(nlp):
    evs = events(nlp, "Ishaq Dar's Chinese counterpart at the talks was Foreign Minister Wang Yi.")
    (m,) = of(evs, model.MEETING)
    assert sorted(m["participants"]) == ["Ishaq Dar", "Wang Yi"]


def test_returned_to_a_foreign_capital_is_a_visit_and_home_is_none(nlp):
    (v,) = of(events(nlp, "Chinese Foreign Minister Wang Yi returned to Kabul on Saturday."), model.VISIT)
    assert (v["visitor"], v["destination_country"], v["date"]) == ("Wang Yi", "AFG", "2025-08-02")
    assert of(events(nlp, "Chinese Foreign Minister Wang Yi returned to China on Saturday."), model.VISIT) == []


def test_a_visited_site_in_a_country_makes_the_destination(nlp):
    (v,) = of(events(nlp, "Chinese Foreign Minister Wang Yi visited the construction site of a new "
                          "dam in Afghanistan on Monday."), model.VISIT)
    assert (v["visitor"], v["destination_country"], v["date"]) == ("Wang Yi", "AFG", "2025-07-28")


def test_a_site_named_in_a_clause_is_no_destination(nlp):
    evs = events(nlp, "Chinese Foreign Minister Wang Yi visited the graves of soldiers killed in Afghanistan.")
    assert of(evs, model.VISIT) == []


# -- delegation members ----------------------------------------------------------------------
def test_members_of_a_delegation_join_the_talks_just_reported(nlp):
    (ev,) = of(events(nlp, "Indian and Chinese delegations held talks in Geneva on Monday, mediated by "
                           "Switzerland. India's delegation included Subrahmanyam Jaishankar. The Chinese "
                           "side was led by Wang Yi."), model.TALKS)
    assert ev["participants"] == ["India", "China", "S. Jaishankar", "Wang Yi"]
    assert ev["mediators"] == ["Switzerland"]


def test_members_named_for_talks_elsewhere_stay_out(nlp):
    (ev,) = of(events(nlp, "Indian and Chinese delegations held talks in Geneva on Monday. In Beijing, "
                           "India's delegation included Subrahmanyam Jaishankar."), model.TALKS)
    assert ev["participants"] == ["India", "China"]


def test_mediation_by_attached_to_the_verb(nlp):
    (ev,) = of(events(nlp, "Indian and Chinese officials held talks in Geneva on Monday under mediation "
                           "by Switzerland."), model.TALKS)
    assert ev["mediators"] == ["Switzerland"]


def test_signatories_of_the_agreement_just_reported(nlp):
    (ev,) = of(events(nlp, "India and China on Monday signed a framework agreement on border trade. The "
                           "document was signed in Geneva in the presence of Wang Yi and Mark Rutte."),
               model.AGREEMENT)
    assert ev["participants"] == ["India", "China", "Wang Yi"]  # Rutte's country is no party
    assert (ev["place"], ev["date"]) == ("Geneva", "2025-07-28")


def test_people_listed_as_attending_the_meeting_just_reported(nlp):
    evs = events(nlp, "Kazakhstan opened the summit of Central Asian leaders in Astana on Monday, with "
                      "President Kassym-Jomart Tokayev in the chair. Among those attending are Chinese "
                      "Foreign Minister Wang Yi and Indian External Affairs Minister S. Jaishankar.")
    (m,) = of(evs, model.MEETING)
    assert m["participants"] == ["Kassym-Jomart Tokayev", "Wang Yi", "S. Jaishankar"]
    assert (m["place"], m["country"], m["date"]) == ("Astana", "KAZ", "2025-07-28")
    assert of(evs, model.VISIT) == []  # being listed is not being said to travel


# -- places that are not the meeting's ------------------------------------------------------
def test_a_place_after_a_stop_elsewhere_is_not_the_meetings(nlp):
    evs = events(nlp, "Wang Yi met Subrahmanyam Jaishankar in Geneva after a stop in Astana.")
    (m,) = of(evs, model.MEETING)
    assert (m["place"], m["country"]) == ("Geneva", "CHE")
    assert [v["destination_country"] for v in of(evs, model.VISIT)] in ([], ["CHE"], ["CHE", "CHE"])


def test_the_city_is_not_resolved_to_another_place_of_the_sentence(nlp):
    evs = events(nlp, "In July 2023, Wang Yi met Subrahmanyam Jaishankar in the city after a stop "
                      "in Astana in Central Asia.")
    (m,) = of(evs, model.MEETING)
    assert (m["place"], m["country"], m["date"]) == (None, None, "2023-07")
    assert [v for v in of(evs, model.VISIT) if v["destination_country"] == "KAZ"] == []


def test_talks_abroad_after_a_stop_elsewhere_make_no_visit_there(nlp):
    evs = events(nlp, "Wang Yi held talks with Indian officials in the city after a stop in Astana.")
    assert [v for v in of(evs, model.VISIT) if v["destination_country"] == "KAZ"] == []


# -- taking part in a meeting ----------------------------------------------------------------
def test_a_delegation_taking_part_in_a_meeting_with_its_members_and_those_taking_part(nlp):
    evs = events(nlp, "An Indian delegation took part on Monday in a meeting of foreign ministers in "
                      "Geneva. The Indian delegation includes Subrahmanyam Jaishankar. Among the ministers "
                      "taking part are Wang Yi and Mark Rutte.")
    (m,) = of(evs, model.MEETING)
    assert m["participants"] == ["India", "S. Jaishankar", "Wang Yi", "Mark Rutte"]
    assert (m["place"], m["country"], m["date"]) == ("Geneva", "CHE", "2025-07-28")
    # a delegation taking part in a meeting abroad travelled there (its members' names are
    # listed, not said to travel: no visit of theirs)
    assert visits(evs) == [("India", "IND", "CHE", "Geneva", model.OCCURRED)]


def test_a_person_attending_a_summit_with_a_place(nlp):
    (m,) = of(events(nlp, "Wang Yi attended the summit in Astana on Monday."), model.MEETING)
    assert (m["participants"], m["place"], m["date"]) == (["Wang Yi"], "Astana", "2025-07-28")


def test_taking_part_in_what_is_no_meeting_or_without_a_place_makes_none(nlp):
    for text in ("Wang Yi attended the funeral in Astana on Monday.",
                 "Wang Yi attended the summit on Monday.",
                 "Wang Yi did not attend the summit in Astana.",
                 "Microsoft took part in a meeting in Seattle on Monday.",
                 "Indian firms will take part in the development of the Yadavaran and Jufeyr oilfields "
                 "in Tehran, Wang Yi and Mark Rutte said."):
        assert of(events(nlp, text), model.MEETING) == [], text


# -- attending abroad, unnamed guests, due in, speaking in, leaving for -----------------------
def visits(evs):
    return sorted((v["visitor"], v["visitor_country"], v["destination_country"], v["destination_place"],
                   v["status"]) for v in of(evs, model.VISIT))


def test_a_person_attending_a_summit_or_an_occasion_abroad_visited_it(nlp):
    assert visits(events(nlp, "Wang Yi attended the summit in Astana on Monday.")) == [
        ("Wang Yi", "CHN", "KAZ", "Astana", model.OCCURRED)]
    assert visits(events(nlp, "Ishaq Dar will take part in a conference in Geneva next week.")) == [
        ("Ishaq Dar", "PAK", "CHE", "Geneva", model.PLANNED)]
    assert visits(events(nlp, "Ishaq Dar attended the funeral in Tehran on Friday.")) == [
        ("Ishaq Dar", "PAK", "IRN", "Tehran", model.OCCURRED)]
    assert visits(events(nlp, "Ishaq Dar attended the regional summit in Uzbekistan.")) == [
        ("Ishaq Dar", "PAK", "UZB", None, model.OCCURRED)]


def test_attending_at_home_or_not_attending_is_no_visit(nlp):
    for text in ("Ishaq Dar attended the summit in Islamabad on Monday.",
                 "Ishaq Dar did not attend the summit in Astana.",
                 "Ishaq Dar attended the summit after a stop in Astana.",
                 "Microsoft took part in a meeting in Seattle on Monday."):
        assert of(events(nlp, text), model.VISIT) == [], text


def test_a_country_or_a_delegation_attending_abroad_and_a_place_modifying_the_occasion(nlp):
    assert visits(events(nlp, "Uzbekistan will attend the Kabul conference next month.")) == [
        ("Uzbekistan", "UZB", "AFG", "Kabul", model.PLANNED)]
    assert visits(events(nlp, "A Pakistani delegation attended the summit in Astana on Monday.")) == [
        ("Pakistan", "PAK", "KAZ", "Astana", model.OCCURRED)]


def test_the_object_of_an_inviting_verb_is_who_attends(nlp):
    assert visits(events(nlp, "Amir Khan Muttaqi invited Ishaq Dar to attend the summit in Kabul.")) == [
        ("Ishaq Dar", "PAK", "AFG", "Kabul", model.PLANNED)]


def test_a_host_welcoming_unnamed_guests_of_two_countries(nlp):
    evs = events(nlp, "Ishaq Dar welcomed the Turkish president and the Iranian foreign minister "
                      "to Islamabad on Sunday.")
    assert visits(evs) == [("Iran", "IRN", "PAK", "Islamabad", model.OCCURRED),
                           ("Türkiye", "TUR", "PAK", "Islamabad", model.OCCURRED)]


def test_a_host_greeting_a_guest_from_a_clause_without_its_own_subject(nlp):
    evs = events(nlp, "The Afghan foreign minister smiled while greeting Ishaq Dar on Saturday.")
    assert visits(evs) == [("Ishaq Dar", "PAK", "AFG", None, model.OCCURRED)]
    (v,) = of(events(nlp, "Amir Khan Muttaqi greeted Wang Yi in Kabul on Monday."), model.VISIT)
    assert (v["visitor"], v["destination_country"], v["cameo"]) == ("Wang Yi", "AFG", "043")


def test_a_host_greeting_a_guest_abroad_hosts_no_visit_to_his_own_country(nlp):
    evs = events(nlp, "Amir Khan Muttaqi greeted Wang Yi in Doha on Monday.")
    assert [v for v in of(evs, model.VISIT) if v["destination_country"] == "AFG"] == []


def test_a_person_due_or_expected_in_a_foreign_city_will_visit_it(nlp):
    for text in ("Ishaq Dar is due in Kabul next week.", "Ishaq Dar is expected in Kabul on Monday.",
                 "Ishaq Dar will be in Kabul on Monday."):
        assert visits(events(nlp, text)) == [("Ishaq Dar", "PAK", "AFG", "Kabul", model.PLANNED)], text
    assert of(events(nlp, "Ishaq Dar is due in Lahore next week."), model.VISIT) == []


def test_a_person_speaking_in_a_foreign_city_was_there(nlp):
    for text in ("Ishaq Dar, speaking in Kabul on Monday, urged the Taliban to act.",
                 "Ishaq Dar said on Monday in Kabul that trade would resume.",
                 "Ishaq Dar told reporters in Kabul that trade would resume."):
        (v,) = of(events(nlp, text), model.VISIT)
        assert (v["visitor"], v["destination_country"], v["destination_place"]) == \
            ("Ishaq Dar", "AFG", "Kabul"), text
        assert v["inferred_from"] == model.STATEMENT
    for text in ("Ishaq Dar said in Islamabad that trade would resume.",
                 "Ishaq Dar said in a statement that trade in Kabul would resume.",
                 "Ishaq Dar said Afghan traders in Kabul were waiting."):
        assert of(events(nlp, text), model.VISIT) == [], text


def test_a_delegation_from_a_country_and_a_delegation_led_by_a_person(nlp):
    assert visits(events(nlp, "A delegation from Uzbekistan arrived in Kabul on Monday.")) == [
        ("Uzbekistan", "UZB", "AFG", "Kabul", model.OCCURRED)]
    assert visits(events(nlp, "A delegation led by Ishaq Dar arrived in Kabul on Monday.")) == [
        ("Ishaq Dar", "PAK", "AFG", "Kabul", model.OCCURRED)]


def test_leaving_or_departing_for_a_foreign_capital_is_a_visit(nlp):
    for text in ("Ishaq Dar left for Kabul on Sunday.", "Ishaq Dar departed for Kabul on Sunday."):
        assert visits(events(nlp, text)) == [("Ishaq Dar", "PAK", "AFG", "Kabul", model.OCCURRED)], text
    assert of(events(nlp, "Ishaq Dar left for Lahore on Sunday."), model.VISIT) == []


def test_a_traveller_arriving_or_returning_from_a_foreign_place_was_there(nlp):
    assert visits(events(nlp, "Ishaq Dar arrived in Kabul on Monday from Tehran.")) == [
        ("Ishaq Dar", "PAK", "AFG", "Kabul", model.OCCURRED),
        ("Ishaq Dar", "PAK", "IRN", "Tehran", model.OCCURRED)]
    assert visits(events(nlp, "Ishaq Dar returned from Tehran on Monday.")) == [
        ("Ishaq Dar", "PAK", "IRN", "Tehran", model.OCCURRED)]
    assert visits(events(nlp, "Ishaq Dar arrived in Kabul from Lahore on Monday.")) == [
        ("Ishaq Dar", "PAK", "AFG", "Kabul", model.OCCURRED)]
    assert visits(events(nlp, "Ishaq Dar will fly to Kabul from Tehran next week.")) == [
        ("Ishaq Dar", "PAK", "AFG", "Kabul", model.PLANNED)]  # where he is before: not said


def test_speaking_at_a_summit_abroad_places_the_speaker_there(nlp):
    (v,) = of(events(nlp, "Ishaq Dar, speaking at the regional summit in Tashkent, urged restraint."),
              model.VISIT)
    assert (v["visitor"], v["destination_country"], v["destination_place"]) == ("Ishaq Dar", "UZB", "Tashkent")


def test_a_meeting_at_a_seat_of_government_is_in_its_city(nlp):
    evs = events(nlp, "Ishaq Dar held talks with Marco Rubio at the White House on Friday.")
    (m,) = of(evs, model.MEETING)
    assert (m["place"], m["country"]) == ("Washington", "USA")
    assert visits(evs) == [("Ishaq Dar", "PAK", "USA", "Washington", model.OCCURRED)]
    evs = events(nlp, "Wang Yi met Ishaq Dar at the Kremlin on Monday.")
    assert {v["visitor"] for v in of(evs, model.VISIT) if v["destination_country"] == "RUS"} == {
        "Wang Yi", "Ishaq Dar"}


def headline_events(nlp, title, text, published="2025-08-03"):
    from analysis.extract import make_doc

    return nlp(make_doc(nlp, {"title": title, "text": text, "published": published}))._.chancery["events"]


def test_a_verbless_headline_puts_its_person_in_the_place_abroad(nlp):
    evs = headline_events(nlp, "Dar in Kabul for trade talks", "Ishaq Dar said the talks went well.")
    assert visits(evs) == [("Ishaq Dar", "PAK", "AFG", "Kabul", model.OCCURRED)]
    evs = headline_events(nlp, "Dar in Lahore for trade talks", "Ishaq Dar said the talks went well.")
    assert of(evs, model.VISIT) == []  # at home
    evs = headline_events(nlp, "Dar in row over trade", "Ishaq Dar said the talks went well.")
    assert of(evs, model.VISIT) == []  # no place


def test_a_visit_noun_in_an_occasion_phrase_on_the_name(nlp):
    evs = events(nlp, "Ishaq Dar, in a visit to Kabul on Monday, backed the railway plan.")
    assert visits(evs) == [("Ishaq Dar", "PAK", "AFG", "Kabul", model.OCCURRED)]


def test_the_title_as_subject_is_the_one_person_named_with_it_before(nlp):
    text = "Foreign Minister Ishaq Dar spoke on Monday. The foreign minister flew to Kabul on Tuesday."
    assert visits(events(nlp, text)) == [("Ishaq Dar", "PAK", "AFG", "Kabul", model.OCCURRED)]
    text = "Foreign Minister Ishaq Dar spoke on Monday. The minister will visit Kabul next week."
    assert visits(events(nlp, text)) == [("Ishaq Dar", "PAK", "AFG", "Kabul", model.PLANNED)]
    # two holders, an indefinite article, or a title of another country: nobody is meant
    for text in ("Foreign Minister Ishaq Dar met Foreign Minister Wang Yi. The foreign minister "
                 "flew to Kabul on Tuesday.",
                 "Foreign Minister Ishaq Dar spoke on Monday. A foreign minister flew to Kabul on Tuesday."):
        assert [v for v in of(events(nlp, text), model.VISIT) if v["visitor"] == "Ishaq Dar"
                and v["destination_country"] == "AFG"] == [], text


def test_a_fronted_speaking_clause_places_the_speaker(nlp):
    (v,) = of(events(nlp, "Speaking in Kabul on Monday, Ishaq Dar said trade would resume."), model.VISIT)
    assert (v["visitor"], v["destination_country"]) == ("Ishaq Dar", "AFG")


def test_a_guest_welcomed_or_greeted_in_a_foreign_city_visited_it(nlp):
    for text in ("Ishaq Dar was welcomed in Kabul by Amir Khan Muttaqi on Monday.",
                 "Ishaq Dar was greeted by cheering crowds in Kabul on Monday."):
        assert ("Ishaq Dar", "PAK", "AFG", "Kabul", model.OCCURRED) in visits(events(nlp, text)), text
    # the active verb is still the host's
    assert visits(events(nlp, "Amir Khan Muttaqi welcomed Ishaq Dar to Kabul on Monday.")) == [
        ("Ishaq Dar", "PAK", "AFG", "Kabul", model.OCCURRED)]


def test_a_stop_in_a_foreign_city_and_an_address_there(nlp):
    assert visits(events(nlp, "Ishaq Dar made a brief stop in Kabul on Sunday.")) == [
        ("Ishaq Dar", "PAK", "AFG", "Kabul", model.OCCURRED)]
    (v,) = of(events(nlp, "Ishaq Dar addressed the regional assembly in Tashkent on Monday."), model.VISIT)
    assert (v["visitor"], v["destination_country"]) == ("Ishaq Dar", "UZB")
    (v,) = of(events(nlp, "The Afghan foreign minister told reporters in Islamabad that trade would grow."),
              model.VISIT)
    assert (v["visitor"], v["visitor_country"], v["destination_country"]) == ("Afghanistan", "AFG", "PAK")
