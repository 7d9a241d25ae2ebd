"""The event layer (analysis/store/events.py): reports of one happening are one event with a
stable key; different happenings stay apart; old stores upgrade."""
from __future__ import annotations

import sqlite3

from analysis import store
from analysis.store import events as E
from analysis.views import queries
from analysis.views.filters import Filters

DAR = {"name": "Ishaq Dar", "kind": "person", "country": "PAK", "roles": [], "aliases": []}
MUTTAQI = {"name": "Amir Khan Muttaqi", "kind": "person", "country": "AFG", "roles": [], "aliases": []}
WANG = {"name": "Wang Yi", "kind": "person", "country": "CHN", "roles": [], "aliases": []}


def visit(day=None, status="occurred", background=False, visitor="Ishaq Dar", vc="PAK", dc="AFG",
          evidence=None):
    return {"kind": "visit", "visitor": visitor, "visitor_country": vc, "destination_country": dc,
            "destination_place": "Kabul", "date": day, "status": status, "background": background,
            "cameo": "036" if status == "planned" else "042",
            "evidence": evidence or f"{visitor} visit ({day or 'no date'}, {status})."}


def meeting(names, day, country="AFG"):
    return {"kind": "meeting", "participants": names, "country": country, "place": "Kabul",
            "date": day, "status": "occurred", "cameo": "040", "evidence": f"{' and '.join(names)} met."}


def build(path, articles):
    """A store of (published, outlet, [events]) articles, saved in the order given."""
    db = store.open_db(path)
    for n, (published, outlet, evs) in enumerate(articles):
        text = f"Article {n} of {published}: " + " ".join(e["evidence"] for e in evs)
        with store.write_tx(db):
            aid = store.insert_article(db, {"title": f"A{n}", "text": text, "published": published,
                                            "outlet": outlet, "content_hash": store.content_hash(text)})
            store.save_extraction(db, aid, {"entities": [DAR, MUTTAQI, WANG], "events": evs,
                                            "mentions": [], "topics": []}, published, "t")
    db.conn.close()
    return path


def events_of(path, **kw):
    return queries.events(path, Filters(**kw), kinds=None)


def test_three_reports_of_one_visit_are_one_event(tmp_path):
    path = build(tmp_path / "s.db", [
        ("2024-12-23", "Dawn", [visit("2024-12-23")]),
        ("2024-12-24", "The News", [visit("2024-12-23")]),
        ("2024-12-24", "Tolo", [visit()]),  # "Dar is in Kabul": news of the day, no date of its own
    ])
    (ev,) = events_of(path).to_dict("records")
    assert (ev["date"], ev["reports"], ev["outlets"], ev["key"]) == (
        "2024-12-23", 3, 3, "visit:PAK-AFG:ishaq-dar:2024-12-23")
    assert len(queries.event_reports(path, ev["id"])) == 3
    assert queries.summary(path)["visits"] == 1


def test_a_multi_day_visit_reported_on_different_days_is_one_visit(tmp_path):
    path = build(tmp_path / "s.db", [
        ("2025-04-19", "Dawn", [visit("2025-04-19")]),
        ("2025-04-21", "Dawn", [visit("2025-04-21", evidence="Dar left Kabul on Monday.")]),
    ])
    (ev,) = events_of(path).to_dict("records")
    assert ev["date"] == "2025-04-19" and ev["reports"] == 2


def test_a_preview_then_a_report_are_one_event_that_took_place(tmp_path):
    path = build(tmp_path / "s.db", [
        ("2025-05-20", "Dawn", [visit("2025-05-27", status="planned")]),  # "next week"
        ("2025-05-28", "Dawn", [visit("2025-05-28")]),
    ])
    (ev,) = events_of(path).to_dict("records")
    assert (ev["status"], ev["date"], ev["cameo"], ev["reports"]) == ("occurred", "2025-05-28", "042", 2)


def test_a_preview_alone_stays_planned(tmp_path):
    path = build(tmp_path / "s.db", [("2025-05-20", "Dawn", [visit("2025-05-27", status="planned")])])
    assert list(events_of(path)["status"]) == ["planned"]


def test_a_background_mention_makes_no_dated_event(tmp_path):
    """"Dar had made a one-day visit to Kabul" in a later article, with no visit of his before
    it in the store: an event with no date (not the article's), out of every date window."""
    path = build(tmp_path / "s.db", [("2025-08-03", "Dawn", [visit(background=True)])])
    (ev,) = events_of(path).to_dict("records")
    assert ev["date"] is None and ev["date_from"] == "not given"
    assert events_of(path, start="2025-08-01", end="2025-08-31").empty
    assert queries.visit_gaps(path).empty


def test_a_background_mention_joins_the_visit_it_recalls(tmp_path):
    path = build(tmp_path / "s.db", [
        ("2025-04-19", "Dawn", [visit("2025-04-19")]),
        ("2025-05-30", "Dawn", [visit(background=True, evidence="Dar had visited Kabul in April.")]),
        ("2025-06-02", "Dawn", [visit("2025-04", evidence="Dar visited Kabul in April.")]),
    ])
    (ev,) = events_of(path).to_dict("records")
    assert ev["date"] == "2025-04-19" and ev["reports"] == 3


def test_two_visits_by_the_same_person_a_month_apart_stay_two(tmp_path):
    path = build(tmp_path / "s.db", [
        ("2025-04-19", "Dawn", [visit("2025-04-19")]),
        ("2025-05-20", "Dawn", [visit("2025-05-20")]),
    ])
    assert sorted(events_of(path)["date"]) == ["2025-04-19", "2025-05-20"]


def test_meetings_with_different_people_on_one_trip_stay_apart(tmp_path):
    path = build(tmp_path / "s.db", [
        ("2025-08-20", "Dawn", [meeting(["Ishaq Dar", "Amir Khan Muttaqi"], "2025-08-20"),
                                meeting(["Ishaq Dar", "Wang Yi"], "2025-08-20")]),
        # the trilateral, reported elsewhere with all three: the same meeting as the first two
        ("2025-08-21", "Tolo", [meeting(["Ishaq Dar", "Amir Khan Muttaqi", "Wang Yi"], "2025-08-20")]),
    ])
    evs = events_of(path)
    assert len(evs) == 2
    assert sorted(evs["reports"]) == [1, 2]


def test_keys_do_not_depend_on_the_order_of_ingest_or_on_rebuilding(tmp_path):
    arts = [
        ("2024-12-23", "Dawn", [visit("2024-12-23")]),
        ("2025-05-20", "Dawn", [visit("2025-05-27", status="planned")]),
        ("2025-05-28", "Tolo", [visit("2025-05-28"), meeting(["Ishaq Dar", "Amir Khan Muttaqi"], "2025-05-28")]),
        ("2025-06-10", "Dawn", [visit(background=True)]),
    ]
    one = build(tmp_path / "a.db", arts)
    two = build(tmp_path / "b.db", list(reversed(arts)))
    keys = sorted(events_of(one)["key"])
    assert keys == sorted(events_of(two)["key"]) and len(keys) == 3
    db = store.open_db(one)
    with store.write_tx(db):
        E.rebuild_all(db)
    db.conn.close()
    assert sorted(events_of(one)["key"]) == keys


def test_re_extraction_keeps_every_event_key(tmp_path):
    from analysis.ingest import ingest_text, reextract

    path = tmp_path / "r.db"
    ingest_text(path, "Pakistan's Foreign Minister Ishaq Dar arrived in Kabul on Monday for talks.",
                title="Dar in Kabul", published="2024-12-24")
    ingest_text(path, "Ishaq Dar held talks with Amir Khan Muttaqi in Kabul on Monday.",
                title="Dar meets Muttaqi", published="2024-12-24")
    before = sorted(events_of(path)["key"])
    assert before
    assert reextract(path)["failed"] == 0
    assert sorted(events_of(path)["key"]) == before


def test_a_schema_3_store_upgrades_to_events_and_reports(tmp_path):
    """A store whose ``events`` rows are per sentence (schema 3) opens: the rows become reports
    (same ids, same participants) and are merged into events."""
    path = build(tmp_path / "old.db", [
        ("2024-12-23", "Dawn", [visit("2024-12-23")]),
        ("2024-12-24", "The News", [visit("2024-12-23")]),
        ("2025-05-20", "Dawn", [visit("2025-05-27", status="planned")]),
    ])
    to_schema_3(path)
    db = store.open_db(path)
    assert db["meta"].get("schema_version")["value"] == str(store.SCHEMA_VERSION)
    assert db.execute("SELECT COUNT(*) FROM reports").fetchone()[0] == 3
    assert db.execute("SELECT COUNT(*) FROM report_participants").fetchone()[0] == 3
    db.conn.close()
    evs = events_of(path)
    assert len(evs) == 2 and sorted(evs["reports"]) == [1, 2]
    assert queries.search_evidence(path, text="visit").shape[0] == 3


def test_the_cli_upgrades_a_schema_3_store_before_reading_it(tmp_path, capsys):
    from analysis.cli import main

    path = build(tmp_path / "old.db", [("2024-12-23", "Dawn", [visit("2024-12-23")]),
                                       ("2024-12-24", "The News", [visit("2024-12-23")])])
    to_schema_3(path)
    assert main(["stats", "--db", str(path), "--json"]) == 0
    import json
    counts = json.loads(capsys.readouterr().out)
    assert (counts["events"], counts["reports"], counts["schema_version"]) == (1, 2, store.SCHEMA_VERSION)
    assert main(["export", "events", "--db", str(path)]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    assert json.loads(line)["reports"] == 2


def to_schema_3(path):
    """Turn a store into what schema 3 looked like: one ``events`` row per sentence."""
    conn = sqlite3.connect(path)
    db = store.open_db(path)
    db["events"].disable_fts()
    db["reports"].disable_fts()
    db.conn.close()
    # schema 3 had none of the later triggers (an entity's trigger on event_participants would
    # stop the tables below from being renamed)
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'event_countries_%'"):
        conn.execute(f"DROP TRIGGER {name}")
    conn.executescript("""
        CREATE TABLE old_events AS SELECT id, article_id, kind, cameo, date, status, country, place,
            visitor_country, destination_country, destination_place, evidence, sentence_index, start,
            "end", quote, attributes FROM reports;
        CREATE TABLE old_parts AS SELECT report_id AS event_id, entity_id, role FROM report_participants;
        DROP TABLE event_participants; DROP TABLE events; DROP TABLE report_participants; DROP TABLE reports;
        ALTER TABLE old_events RENAME TO events; ALTER TABLE old_parts RENAME TO event_participants;
        UPDATE meta SET value = '3' WHERE key = 'schema_version';
    """)
    conn.commit()
    conn.close()


def test_a_meeting_reported_with_and_without_its_place_is_one_meeting(tmp_path):
    no_place = dict(meeting(["Ishaq Dar", "Wang Yi"], "2025-08-20"), country=None, place=None)
    path = build(tmp_path / "s.db", [
        ("2025-08-20", "Dawn", [meeting(["Ishaq Dar", "Wang Yi"], "2025-08-20", country="CHN")]),
        ("2025-08-22", "Tolo", [no_place]),
    ])
    (ev,) = events_of(path).to_dict("records")
    assert ev["country"] == "CHN" and ev["reports"] == 2


def test_past_clauses_after_a_precedence_word_are_background_mentions():
    from analysis.extract import extract

    def evs(text):
        out = extract({"id": "x", "title": "", "text": text, "published": "2025-09-26"})
        return [(e["kind"], e.get("date"), e["background"]) for e in out["events"]]

    assert evs("The summit comes eight days after Pakistani Prime Minister Shehbaz Sharif signed "
               "a defence agreement with Saudi Crown Prince Mohammed bin Salman.") == [
        ("agreement", None, True)]
    assert evs("Three months later, Iranian President Ebrahim Raisi made a visit to Pakistan, "
               "during which he met Prime Minister Shehbaz Sharif.") == [
        ("visit", None, True), ("meeting", None, True)]
    got = evs("Pakistan's Foreign Minister Ishaq Dar met Afghan Foreign Minister Amir Khan Muttaqi "
              "in Kabul on Saturday.")
    assert got and all(not bg and day == "2025-09-20" for _, day, bg in got)


def test_every_guest_of_a_host_is_a_visitor_when_titles_are_coordinated():
    """The parser hangs the second guest on the first one's apposition ("Foreign Minister Wang
    Yi and Pakistan's Deputy Prime Minister and Foreign Minister Ishaq Dar")."""
    from analysis.extract import extract

    out = extract({"id": "h", "title": "", "published": "2025-08-20", "text":
                   "Afghanistan's acting Foreign Minister Amir Khan Muttaqi hosted China's Foreign "
                   "Minister Wang Yi and Pakistan's Deputy Prime Minister and Foreign Minister Ishaq Dar."})
    visitors = sorted(e["visitor"] for e in out["events"] if e["kind"] == "visit")
    assert visitors == ["Ishaq Dar", "Wang Yi"]
    (m,) = [e for e in out["events"] if e["kind"] == "meeting"]
    assert m["participants"] == ["Amir Khan Muttaqi", "Wang Yi", "Ishaq Dar"]


def test_a_second_guest_the_parser_hangs_on_the_host_verb_is_a_visitor_too():
    from analysis.extract import extract

    out = extract({"id": "h", "title": "", "published": "2025-08-20", "text":
                   "Afghanistan's acting Foreign Minister Amir Khan Muttaqi hosted China's Foreign "
                   "Minister Wang Yi and Pakistan's Deputy Prime Minister and Foreign Minister Ishaq Dar "
                   "in Kabul on Wednesday."})
    assert sorted(e["visitor"] for e in out["events"] if e["kind"] == "visit") == ["Ishaq Dar", "Wang Yi"]
    out = extract({"id": "h", "title": "", "published": "2025-08-20", "text":
                   "Afghan Foreign Minister Amir Khan Muttaqi hosted Chinese Foreign Minister Wang Yi on Tuesday."})
    assert [e["visitor"] for e in out["events"] if e["kind"] == "visit"] == ["Wang Yi"]
