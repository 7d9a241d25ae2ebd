"""Tests of analysis.views.queries on small hand-built stores (the extraction contract of the README).

``make_store`` is also used by tests/test_pages.py.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from analysis.views import queries
from analysis import store
from analysis.views.queries import Filters

PAYLOADS = [
    "<img src=x onerror=alert(1)>",
    "</script><script>alert(1)</script>",
    "[x](javascript:alert(1))",
]


def _person(name: str, country: str | None, title: str | None = None, aliases=()) -> dict:
    roles = [{"title": title, "country": country}] if title else []
    return {"name": name, "kind": "person", "country": country, "roles": roles, "aliases": list(aliases)}


def _country(name: str, code: str) -> dict:
    return {"name": name, "kind": "country", "country": code, "roles": [], "aliases": []}


def _mentions(text: str, names: list[tuple[str, str, str]]) -> list[dict]:
    """Mentions at the first occurrence of each (surface, entity, label) in text."""
    out = []
    for surface, entity, label in names:
        i = text.find(surface)
        if i >= 0:
            out.append({"start": i, "end": i + len(surface), "text": surface, "label": label,
                        "entity": entity})
    return out


def realistic_articles(hostile: bool = False) -> list[dict[str, Any]]:
    """Six articles about Pakistan–Afghanistan diplomacy with extraction results. With
    ``hostile``, titles, texts, entity names, topic labels, outlets and URLs carry payloads."""
    p = PAYLOADS
    sadiq = "Mohammad Sadiq" + (f" {p[0]}" if hostile else "")
    muttaqi = "Amir Khan Muttaqi" + (f" {p[2]}" if hostile else "")
    haqqani = "Sirajuddin Haqqani"
    dar = "Ishaq Dar" + (f" {p[1]}" if hostile else "")
    pak, afg = _country("Pakistan", "PAK"), _country("Afghanistan", "AFG")
    sec = {"id": "security", "label": "Security" + (f" {p[0]}" if hostile else ""), "score": 0.8,
           "evidence": ["security", "border"]}
    trade = {"id": "trade", "label": "Trade", "score": 0.6, "evidence": ["trade", "transit"]}
    refugees = {"id": "refugees", "label": "Refugees", "score": 0.7, "evidence": ["refugees"]}
    arts = []

    def add(title, published, body, ents, mentions, evs, topics, outlet="Dawn", url=None):
        arts.append({"title": title, "published": published, "text": body, "outlet": outlet,
                     "url": url or f"https://example.org/{len(arts) + 1}", "entities": ents,
                     "mentions": mentions, "events": evs, "topics": topics})

    body1 = (f"Pakistan's Special Representative {sadiq} arrived in Kabul on Monday. "
             f"He met Acting Interior Minister {haqqani} to discuss border security. "
             f"{sadiq} also met {muttaqi} in Kabul.")
    if hostile:
        body1 += f" Readers wrote {p[0]} and {p[1]} and {p[2]}."
    add("Sadiq visits Kabul" + (f" {p[0]} {p[1]} {p[2]}" if hostile else ""), "2024-12-23", body1,
        [_person(sadiq, "PAK", "Special Representative for Afghanistan", ["Sadiq"]),
         _person(haqqani, "AFG", "Acting Minister of Interior"),
         _person(muttaqi, "AFG", "Acting Foreign Minister"), pak, afg],
        _mentions(body1, [("Pakistan", "Pakistan", "GPE"), (sadiq, sadiq, "PERSON"),
                          ("Kabul", None, "GPE"), (haqqani, haqqani, "PERSON"),
                          (muttaqi, muttaqi, "PERSON")]),
        [{"kind": "visit", "visitor": sadiq, "visitor_country": "PAK", "destination_country": "AFG",
          "destination_place": "Kabul", "date": "2024-12-23", "status": "occurred", "cameo": "042",
          "evidence": f"Pakistan's Special Representative {sadiq} arrived in Kabul on Monday."},
         {"kind": "meeting", "participants": [sadiq, haqqani], "country": "AFG", "place": "Kabul",
          "date": "2024-12-23", "cameo": "040",
          "evidence": f"He met Acting Interior Minister {haqqani} to discuss border security."},
         {"kind": "meeting", "participants": [sadiq, muttaqi], "country": "AFG", "place": "Kabul",
          "date": "2024-12-24", "cameo": "040", "evidence": f"{sadiq} also met {muttaqi} in Kabul."}],
        [sec], url=("javascript:alert(1)" if hostile else None),
        outlet=("Dawn" + (f" {p[1]}" if hostile else "")))
    body2 = (f"Foreign Minister {dar} travelled to Kabul for talks on trade and transit with {muttaqi}. "
             f"{dar} said trade would grow.")
    add("Dar in Kabul for trade talks", "2025-04-19", body2,
        [_person(dar, "PAK", "Deputy Prime Minister"), _person(muttaqi, "AFG"), pak, afg],
        _mentions(body2, [(dar, dar, "PERSON"), ("Kabul", None, "GPE"), (muttaqi, muttaqi, "PERSON")]),
        [{"kind": "visit", "visitor": dar, "visitor_country": "PAK", "destination_country": "AFG",
          "destination_place": "Kabul", "date": "2025-04-19", "status": "occurred", "cameo": "042",
          "evidence": f"Foreign Minister {dar} travelled to Kabul for talks on trade and transit."},
         {"kind": "meeting", "participants": [dar, muttaqi], "country": "AFG", "place": "Kabul",
          "date": "2025-04-19", "cameo": "040", "evidence": body2.split(". ")[0] + "."},
         {"kind": "statement", "speaker": dar, "quote": "trade would grow", "date": "2025-04-19",
          "cameo": "010", "evidence": f"{dar} said trade would grow."}],
        [trade], outlet="The News")
    body3 = f"{muttaqi} visited Islamabad to discuss refugees and border security with {dar}."
    add("Muttaqi in Islamabad", "2025-05-10", body3,
        [_person(muttaqi, "AFG"), _person(dar, "PAK"), pak, afg],
        _mentions(body3, [(muttaqi, muttaqi, "PERSON"), ("Islamabad", None, "GPE"), (dar, dar, "PERSON")]),
        [{"kind": "visit", "visitor": muttaqi, "visitor_country": "AFG", "destination_country": "PAK",
          "destination_place": "Islamabad", "date": "2025-05-10", "status": "occurred", "cameo": "042",
          "evidence": body3}],
        [refugees, sec])
    body4 = f"{sadiq} will visit Kabul next week to discuss refugees, officials said."
    add("Sadiq to return to Kabul", "2025-05-20", body4, [_person(sadiq, "PAK"), afg],
        _mentions(body4, [(sadiq, sadiq, "PERSON"), ("Kabul", None, "GPE")]),
        [{"kind": "visit", "visitor": sadiq, "visitor_country": "PAK", "destination_country": "AFG",
          "destination_place": "Kabul", "date": "2025-05-27", "status": "planned", "cameo": "036",
          "evidence": body4}],
        [refugees], outlet="The News")
    body5 = f"{sadiq} arrived in Kabul again and met {haqqani} on trade."
    add("Sadiq back in Kabul", "2025-05-28", body5,
        [_person(sadiq, "PAK"), _person(haqqani, "AFG"), afg],
        _mentions(body5, [(sadiq, sadiq, "PERSON"), ("Kabul", None, "GPE"), (haqqani, haqqani, "PERSON")]),
        [{"kind": "visit", "visitor": sadiq, "visitor_country": "PAK", "destination_country": "AFG",
          "destination_place": "Kabul", "date": "2025-05-28", "status": "occurred", "cameo": "042",
          "evidence": f"{sadiq} arrived in Kabul again."},
         {"kind": "meeting", "participants": [sadiq, haqqani], "country": "AFG", "place": "Kabul",
          "date": "2025-05-28", "cameo": "040", "evidence": body5}],
        [trade, sec])
    body6 = "Markets in Karachi rose on Tuesday."
    add("Markets rise", "2025-05-29", body6, [pak], [], [], [trade], outlet="Business Recorder")
    return arts


def make_store(path: Path, hostile: bool = False, with_errors: bool = True) -> Path:
    """Build a file store at ``path`` from :func:`realistic_articles` (plus an ingest run and
    an error record)."""
    db = store.open_db(path)
    for art in realistic_articles(hostile):
        with store.write_tx(db):
            aid = store.insert_article(db, {
                "title": art["title"], "published": art["published"], "text": art["text"],
                "outlet": art["outlet"], "url": art["url"], "canonical_url": art["url"],
                "content_hash": store.content_hash(art["text"]), "source": "test",
                "source_kind": "text"})
            store.save_extraction(db, aid, art, art["published"], "test")
            store.bump_data_version(db)
    if with_errors:
        with store.write_tx(db):
            run = db["ingest_runs"].insert({
                "started_at": "2025-06-01T10:00:00+00:00", "finished_at": "2025-06-01T10:01:00+00:00",
                "sources": '["test"]', "new": 6, "duplicates": 1, "errors": 1, "status": "done"}).last_pk
            store.record_error(db, "bad" + (PAYLOADS[0] if hostile else "") + ".pdf", None,
                               "unsupported", "unsupported type" + (f" {PAYLOADS[1]}" if hostile else ""),
                               run)
    db.conn.close()
    return path


@pytest.fixture
def real_db(tmp_path) -> Path:
    return make_store(tmp_path / "real.db")


@pytest.fixture
def empty_db(tmp_path) -> Path:
    p = tmp_path / "empty.db"
    store.open_db(p).conn.close()
    return p


def test_summary_counts_and_range(real_db):
    s = queries.summary(real_db)
    assert s["articles"] == 6 and s["first"] == "2024-12-23" and s["last"] == "2025-05-29"
    # events, not reports: the preview of Sadiq's May visit and the report of it are one visit
    assert s["visits"] == 4 and s["meetings"] == 4 and s["outlets"] == 3
    narrowed = queries.summary(real_db, Filters(start="2025-05-01"))
    assert narrowed["articles"] == 4 and narrowed["first"] == "2025-05-10"


def test_filters_restrict_events(real_db):
    all_ev = queries.events(real_db)
    assert len(all_ev) == 8  # 9 reports; the May preview and visit are one event
    assert list(all_ev["date"]) == sorted(all_ev["date"], reverse=True)
    dar = queries.events(real_db, Filters(people=("person:ishaq-dar",)))
    assert set(dar["id"]) < set(all_ev["id"]) and len(dar) == 2
    assert len(queries.events(real_db, Filters(people=("person:ishaq-dar",)), kinds=None)) == 3
    assert all("Ishaq Dar" in p for p in dar["participants"])
    early = queries.events(real_db, Filters(end="2024-12-31"))
    assert len(early) == 3
    trade = queries.events(real_db, Filters(topics=("trade",)))
    assert set(trade["article_id"]) == {2, 5}
    afg_visits = queries.events(real_db, kinds=("visit",), pair=("AFG", "PAK"))
    assert len(afg_visits) == 4  # 5 reports; the May preview and visit are one
    assert set(afg_visits["pair"]) == {"PAK → AFG", "AFG → PAK"}


def test_country_filter_on_articles(real_db):
    pak = queries.search_articles(real_db, Filters(countries=("PAK",)))
    # article 5 names no Pakistani entity in its text, but its visit comes from PAK; article 6
    # names no country at all (Karachi is not linked to an entity)
    assert set(pak["id"]) == {1, 2, 3, 4, 5}
    afg = queries.search_articles(real_db, Filters(countries=("AFG",)))
    assert 6 not in set(afg["id"])


def test_visit_gaps_skip_planned(real_db):
    gaps = queries.visit_gaps(real_db)
    row = gaps[(gaps.visitor == "PAK") & (gaps.host == "AFG")].iloc[0]
    assert row.visits == 3 and row["first"] == "2024-12-23" and row["last"] == "2025-05-28"
    assert row.mean_gap_days == pytest.approx(((117) + (39)) / 2)
    assert row.days_since_last > 0
    pv = queries.pair_visits(real_db, "AFG", "PAK")
    assert list(pv["date"]) == ["2024-12-23", "2025-04-19", "2025-05-10", "2025-05-28"]
    assert list(pv["gap_days"].fillna(-1).astype(int)) == [-1, 117, 21, 18]


def test_topic_series_normalised(real_db):
    df = queries.topic_series(real_db, freq="month")
    may = df[df.period == "2025-05-01"].set_index("topic_id")
    assert may.loc["trade", "n"] == 2 and may.loc["trade", "total"] == 4
    assert may.loc["trade", "share"] == pytest.approx(0.5)
    dec = df[df.period == "2024-12-01"].set_index("topic_id")
    assert dec.loc["trade", "n"] == 0  # zero-filled, so lines do not skip
    weeks = queries.topic_series(real_db, freq="week")
    assert set(weeks["period"]) >= {"2024-12-23", "2025-05-26"}  # Mondays
    only = queries.topic_series(real_db, Filters(topics=("refugees",)), freq="month")
    assert set(only["topic_id"]) == {"refugees"}
    assert only[only.period == "2025-05-01"]["total"].iloc[0] == 4  # denominator not narrowed
    with pytest.raises(ValueError):
        queries.topic_series(real_db, freq="day")


def test_country_topic_matrix_and_cell_articles(real_db):
    m = queries.country_topic_matrix(real_db)
    cell = m[(m.code == "PAK") & (m.topic_id == "trade")].iloc[0]
    assert cell.country == "Pakistan" and cell.n == 2
    arts = queries.topic_articles(real_db, topic_id="trade", country="PAK")
    assert set(arts["id"]) == {2, 5}
    arts = queries.topic_articles(real_db, topic_id="security", period="2025-05-01", freq="month")
    assert set(arts["id"]) == {3, 5}
    assert "security" in arts["topic_evidence"].iloc[0]


def test_rising_topics(real_db):
    r = queries.rising_topics(real_db, days=30).set_index("topic_id")
    assert r.loc["refugees", "recent"] == 2 and r.loc["refugees", "prior"] == 0
    assert r.loc["refugees", "change"] > 0


def test_top_entities(real_db):
    people = queries.top_entities(real_db, kind="person")
    assert people.iloc[0]["name"] == "Mohammad Sadiq"
    countries = queries.top_entities(real_db, kind="country")
    assert set(countries["key"]) == {"country:PAK", "country:AFG"}
    only_dar = queries.top_entities(real_db, Filters(people=("person:ishaq-dar",)), kind="person")
    assert "Sirajuddin Haqqani" not in set(only_dar["name"])


@pytest.mark.parametrize("text", [
    "", "   ", "\x00", "Modi's", "U.S.-China", "NEAR(", "*", "-x", "title:x", '"', '""', "a AND",
    "OR", "(", ")", "^", "Kabul NEAR/3", "x" * 5000, "\x00Kabul\x01", "Sadiq*", "'; DROP TABLE articles; --",
])
def test_search_is_safe_against_any_input(real_db, text):
    df = queries.search_articles(real_db, text=text)
    assert isinstance(df, pd.DataFrame)
    queries.search_evidence(real_db, text=text)


def test_search_finds_and_filters(real_db):
    assert set(queries.search_articles(real_db, text="Kabul")["id"]) == {1, 2, 4, 5}
    assert set(queries.search_articles(real_db, text="kabul", outlet="The News")["id"]) == {2, 4}
    assert set(queries.search_articles(real_db, text="Sadi*")["id"]) == {1, 4, 5}
    assert set(queries.search_articles(real_db, text='"border security"')["id"]) == {1, 3}
    ev = queries.search_evidence(real_db, text="transit")
    assert sorted(ev["kind"]) == ["meeting", "visit"]
    assert set(ev["article_id"]) == {2}


def test_article_detail(real_db):
    a = queries.article(real_db, 1)
    assert a["title"] == "Sadiq visits Kabul"
    assert {"Mohammad Sadiq", "Sirajuddin Haqqani"} <= set(a["entities"]["name"])
    assert len(a["events"]) == 3 and "security" in a["topics"]["evidence"].iloc[0]
    for m in a["mentions"].itertuples():
        assert a["text"][m.start:m.end] == m.text
    assert queries.article(real_db, 999) is None


def test_profiles(real_db):
    ents = queries.entities(real_db, search="sadiq")
    assert list(ents["name"]) == ["Mohammad Sadiq"]
    sadiq = queries.profile(real_db, int(ents["id"].iloc[0]))
    assert sadiq["aliases"] == ["Sadiq"]
    assert sadiq["roles"].iloc[0]["title"] == "Special Representative for Afghanistan"
    assert len(sadiq["visits_made"]) == 2 and len(sadiq["meetings"]) == 3  # May: preview + visit, one
    assert set(sadiq["counterparts"]["counterpart"]) == {"Sirajuddin Haqqani", "Amir Khan Muttaqi"}
    dar_id = int(queries.entities(real_db, search="Ishaq")["id"].iloc[0])
    dar = queries.profile(real_db, dar_id)
    assert list(dar["quotes"]["quote"]) == ["trade would grow"]
    pak_id = int(queries.entities(real_db, kinds=("country",), search="pakistan")["id"].iloc[0])
    pak = queries.profile(real_db, pak_id)
    assert len(pak["visits_made"]) == 3 and len(pak["visits_hosted"]) == 1  # May: one visit
    cp = pak["counterparts"].set_index("counterpart")
    assert cp.loc["AFG", "visits_made"] == 3 and cp.loc["AFG", "visits_hosted"] == 1
    assert len(pak["quotes"]) == 1
    narrowed = queries.profile(real_db, pak_id, Filters(start="2025-01-01"))
    assert len(narrowed["visits_made"]) == 2  # Dar in April; Sadiq in May (preview + visit)
    assert queries.profile(real_db, 10_000) is None
    assert queries.entity_id(real_db, "country:PAK") == pak_id
    assert queries.entity_id(real_db, "person:nobody") is None


def test_ingest_runs_and_errors(real_db):
    assert queries.last_ingest(real_db)["new"] == 6
    errs = queries.ingest_errors(real_db)
    assert list(errs["kind"]) == ["unsupported"]


def test_filter_options_and_cache_token(real_db, tmp_path):
    o = queries.filter_options(real_db)
    assert o["countries"]["PAK"] == "Pakistan" and o["people"]["person:mohammad-sadiq"] == "Mohammad Sadiq"
    assert o["topics"]["trade"] == "Trade" and o["min_date"] == "2024-12-23"
    before = queries.cache_token(real_db)
    db = store.open_db(real_db)
    with store.write_tx(db):
        store.insert_article(db, {"title": "x", "text": "new text", "content_hash": "h"})
    db.conn.close()
    assert queries.cache_token(real_db) != before


def test_every_query_on_an_empty_store(empty_db):
    assert queries.summary(empty_db)["articles"] == 0
    for fn in (queries.events, queries.visit_gaps, queries.rising_topics, queries.top_entities,
               queries.topic_series, queries.country_topic_matrix, queries.topic_articles,
               queries.search_articles, queries.ingest_errors, queries.ingest_runs,
               queries.entities, queries.event_people):
        assert len(fn(empty_db)) == 0, fn.__name__
    assert queries.last_ingest(empty_db) is None
    assert queries.filter_options(empty_db)["min_date"] is None
    assert queries.pair_visits(empty_db, "PAK", "AFG").empty


def test_missing_store_raises(tmp_path):
    with pytest.raises(FileNotFoundError):
        queries.summary(tmp_path / "absent.db")


def test_charts_escape_and_serialise(tmp_path):
    """Figures from hostile data carry escaped text only, and serialise with plotly's JSON
    encoder even with missing dates (orjson crashed the process on NaT arrays here)."""
    import json

    import plotly.io as pio

    from analysis.views import charts, trends

    db = make_store(tmp_path / "h.db", hostile=True)
    ev = queries.events(db)
    figs = [
        charts.events_timeline(ev, "pair"),
        charts.events_timeline(queries.event_people(db), "name"),
        charts.topic_lines(trends.topic_trends(db, min_articles=1)),
        charts.country_topic_heatmap(queries.country_topic_matrix(db)),
        charts.ranked_bars(queries.top_entities(db), "name", "events", "Top <b>", ("mentions",)),
        charts.roles_timeline(pd.DataFrame([
            {"title": PAYLOADS[0], "country": "PAK", "first_seen": None, "last_seen": None, "articles": 1},
            {"title": PAYLOADS[1], "country": None, "first_seen": "2025-01-01", "last_seen": None,
             "articles": 2}])),
        charts.empty_figure(PAYLOADS[0]),
    ]
    assert pio.json.config.default_engine == "json"
    for fig in figs:
        text = json.dumps(json.loads(pio.to_json(fig)), ensure_ascii=False)
        for p in PAYLOADS[:2]:
            assert p not in text
        assert "<img" not in text and "<script" not in text and "</script" not in text
    hover = json.dumps(json.loads(pio.to_json(figs[0])), ensure_ascii=False)
    assert "&lt;img src=x onerror=alert(1)&gt;" in hover
    assert "Top &lt;b&gt;" in pio.to_json(figs[4]) or "Top \\u0026lt;b\\u0026gt;" in pio.to_json(figs[4])


@pytest.mark.parametrize("filters", [dict(people=("person:mohammad-sadiq",)), dict(), dict(start="2025-01-01"),
                                     dict(countries=("PAK",))])
def test_newest_events_read_the_day_index_not_the_articles(real_db, filters):
    """The newest events are found through the ``events(day)`` indexes (schema 7) and stop at
    the limit: no article is read and the events table is not scanned (walking every article by
    publication date made a list cost as much as the store)."""
    import sqlite3

    f = Filters(**filters)
    where, params = f.event_conditions(dates=False)
    sql, p = queries._newest_events(f, where + ["ev.kind = 'meeting'"], params + [], 10)
    conn = sqlite3.connect(f"file:{real_db}?mode=ro", uri=True)
    plan = " | ".join(r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + sql, p))
    conn.close()
    assert "articles" not in plan and "SCAN ev" not in plan, plan
    assert "idx_events_kind_day" in plan or "idx_events_day" in plan, plan


def _store_with_events(path, published, text, events):
    """A store holding one article with the given extracted events."""
    db = store.open_db(path)
    with store.write_tx(db):
        aid = store.insert_article(db, {"title": "T", "text": text, "content_hash": store.content_hash(text),
                                        "published": published})
        store.save_extraction(db, aid, {"entities": [], "mentions": [], "topics": [], "events": events},
                              published, "t")
    db.conn.close()
    return path


def test_event_tables_say_where_the_date_came_from(tmp_path):
    """An event with no date of its own shows its article's date, flagged as such."""
    path = _store_with_events(tmp_path / "d.db", "2025-04-21", "Dar had visited Kabul.", [
        {"kind": "visit", "visitor_country": "IND", "destination_country": "AFG", "evidence": "An Indian team is in Kabul."},
        {"kind": "visit", "visitor_country": "PAK", "destination_country": "AFG", "date": "2025-04-19",
         "evidence": "Dar visited Kabul on April 19."},
    ])
    df = queries.events(path, queries.Filters())
    got = sorted(zip(df["date"], df["date_from"]))
    assert got == [("2025-04-19", "text"), ("2025-04-21", "article")]


def test_month_only_event_dates_stay_in_a_window_of_that_month(tmp_path):
    path = _store_with_events(tmp_path / "m.db", "2025-02-01", "Dar visited Kabul in June 2024.", [
        {"kind": "visit", "visitor_country": "PAK", "destination_country": "AFG", "date": "2024-06",
         "evidence": "Dar visited Kabul in June 2024."}])
    inside = queries.events(path, queries.Filters(start="2024-06-01", end="2024-06-30"))
    assert list(inside["date"]) == ["2024-06"]
    assert queries.events(path, queries.Filters(start="2024-07-01")).empty
    assert queries.events(path, queries.Filters(end="2024-05-31")).empty


def test_records_gives_what_to_dict_gives_with_arrow_strings_missing_values_and_numbers():
    import sqlite3

    conn = sqlite3.connect(":memory:")  # the frame as the store's reads build it
    conn.executescript("CREATE TABLE t (name TEXT, n INTEGER, x REAL, o TEXT);"
                       "INSERT INTO t VALUES ('a', 1, 0.5, NULL), (NULL, 2, NULL, 'b'), ('c', 3, 2.0, 's');")
    df = pd.read_sql_query("SELECT * FROM t", conn)
    got, want = queries.records(df), df.to_dict("records")
    assert [list(r) for r in got] == [list(r) for r in want]
    for g, w in zip(got, want):
        for k in w:
            same = (g[k] != g[k] and w[k] != w[k]) or g[k] == w[k] or (g[k] is None and w[k] is None)
            assert same and type(g[k]) is type(w[k]), (k, g[k], w[k])
    assert queries.records(df.iloc[:0]) == []
    assert queries.records(pd.DataFrame(index=range(2))) == [{}, {}]
