"""Issue 13, the analyst's screen: the "between two countries" mode, page state in the address,
topics that hold up, dates for every article (datelines, the paste form, the set-date
correction), the network's find box and node clicks, ``/overview``.

The page checks run Streamlit's AppTest on the sample store (built once per session) or on the
small realistic store of ``test_queries``; the browser side (a fresh browser opening a shared
link, a click on a node) is in ``test_browser.py``.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from test_pages import real_store, run_page, table  # noqa: F401 - real_store is a fixture

from analysis import store
from analysis.ingest import cleaning
from analysis.store import aggregates, curation
from analysis.views import brief, charts, curate, queries, trends
from analysis.views import network as N
from analysis.views.filters import Filters, pair_text, parse_pair

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 60


def plain(at: AppTest, kind: str = "markdown") -> list[str]:
    return [str(e.value).replace("\\", "") for e in getattr(at, kind)]


@pytest.fixture
def sample_store(sample_db, monkeypatch) -> Path:
    monkeypatch.setenv("CHANCERY_DB", str(sample_db))
    return sample_db


@pytest.fixture
def small_store(real_store) -> Path:  # noqa: F811 - the fixture imported above
    """The small realistic store of ``test_queries``, as the dashboard's store."""
    return real_store


# --- between two countries --------------------------------------------------------------------

@pytest.mark.parametrize("value,expected", [
    ("PAK-AFG", ("PAK", "AFG")), ("pak-afg", ("PAK", "AFG")), (" PAK-AFG ", ("PAK", "AFG")),
    ("PAK-PAK", None), ("PAK", None), ("PAK-AFG-IRN", None), ("PA-AFG", None), ("PAK_AFG", None),
    ("ПАК-AFG", None), ("", None), (None, None), ("<b>-AFG", None),
])
def test_parse_pair(value, expected):
    assert parse_pair(value) == expected
    if expected:
        assert parse_pair(pair_text(expected)) == expected


def test_a_pair_is_two_different_countries():
    with pytest.raises(ValueError):
        Filters(pair=("PAK",))
    with pytest.raises(ValueError):
        Filters(pair=("PAK", "PAK"))
    assert Filters(pair=("PAK", "AFG")).describe() == "between PAK and AFG"


def _sides(row) -> set[str]:
    """The countries an event's row names on its sides."""
    if row["kind"] == "visit":
        return {row["visitor_country"], row["destination_country"] or row["country"]}
    return set(str(row["participant_countries"] or "").split(","))


def test_between_keeps_only_events_between_the_two(sample_db):
    f = Filters(pair=("PAK", "AFG"))
    between = queries.events(sample_db, f, None, limit=5000)
    either = queries.events(sample_db, Filters(countries=("PAK", "AFG")), None, limit=5000)
    assert 0 < len(between) < len(either)  # "either country" also lists Iran -> Pakistan and the like
    for row in between.to_dict("records"):
        assert {"PAK", "AFG"} <= _sides(row), row["key"]
    missed = [r["key"] for r in either.to_dict("records")
              if {"PAK", "AFG"} <= _sides(r) and r["kind"] in ("visit", "meeting", "talks")
              and r["key"] not in set(between["key"])]
    assert not missed
    # both directions, and the same answer whichever country comes first
    visits = between[between["kind"] == "visit"]
    assert set(visits["pair"]) == {"PAK → AFG", "AFG → PAK"}
    assert set(queries.events(sample_db, Filters(pair=("AFG", "PAK")), None, limit=5000)["key"]) == set(between["key"])
    # articles: those concerning both countries
    s_pair, s_all = queries.summary(sample_db, f), queries.summary(sample_db)
    assert 0 < s_pair["articles"] < s_all["articles"]


def test_pair_summary_answers_the_last_visit(sample_db):
    ps = queries.pair_summary(sample_db, "PAK", "AFG")
    visits = queries.pair_visits(sample_db, "PAK", "AFG")
    last = ps["last_visit"]
    assert last["date"] == visits.iloc[-1]["date"] and last["kind"] == "visit"
    assert last["direction"] in ("PAK → AFG", "AFG → PAK") and last["who"] and last["evidence"]
    assert isinstance(last["topics"], list) and last["topics"]
    assert ps["names"] == {"PAK": "Pakistan", "AFG": "Afghanistan"}
    assert sum(ps["visits"].values()) == len(visits)


def test_brief_and_export_take_the_pair(sample_db, tmp_path):
    note = brief.build(sample_db, brief.Scope(pair=("PAK", "AFG")))
    assert note["title"] == "Briefing: Pakistan and Afghanistan"
    assert "events between Pakistan (PAK) and Afghanistan (AFG)" in note["scope"]
    assert note["events"] and all({"PAK", "AFG"} <= set(p["pair"].replace(" → ", " – ").split(" – "))
                                  for p in note["pairs"])
    out = tmp_path / "e.csv"
    cli = [sys.executable, "-m", "analysis", "export", "events", "--db", str(sample_db), "--format", "csv"]
    r = subprocess.run([*cli, "--pair", "PAK-AFG", "--out", str(out)], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert len(out.read_text().splitlines()) - 1 == len(queries.export_events(sample_db, Filters(pair=("PAK", "AFG"))))
    bad = subprocess.run([*cli, "--pair", "PAK-XYZ"], capture_output=True, text=True, cwd=ROOT)
    assert bad.returncode == 2 and "PAK-AFG" in bad.stderr


def test_visits_page_between_two_countries(sample_store):
    """The issue's check: ``?pair=PAK-AFG`` shows only Pakistan-Afghanistan events and leads
    with the last visit between them."""
    at = run_page("visits", {"pair": "PAK-AFG"})
    assert "Between Pakistan and Afghanistan" in [s.value for s in at.subheader]
    rows = at.dataframe(key="visits_table").value
    expected = queries.events(sample_store, Filters(pair=("PAK", "AFG")), limit=5000)  # the page's kinds
    assert len(rows) == len(expected) > 0
    for pair in rows["pair"]:
        assert {"PAK", "AFG"} <= set(re.split(r" → | – ", pair)), pair
    last = queries.pair_summary(sample_store, "PAK", "AFG")["last_visit"]
    lead = next(m for m in plain(at) if m.startswith("**Last visit:**"))
    assert last["date"] in lead and last["direction"] in lead
    assert any(m.startswith("**What about:**") for m in plain(at))
    # without the pair: the "either country" list, and the mode is offered
    whole = run_page("visits")
    assert len(whole.dataframe(key="visits_table").value) > len(rows)
    assert not any(m.startswith("**Last visit:**") for m in plain(whole))


def test_the_pair_travels_in_the_address(sample_store):
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=TIMEOUT)
    at.query_params["pair"] = "PAK-AFG"
    at.run()
    assert not at.exception
    assert at.selectbox(key="pair_a").value == "PAK" and at.selectbox(key="pair_b").value == "AFG"
    assert at.query_params["pair"] == ["PAK-AFG"] or at.query_params["pair"] == "PAK-AFG"
    at.selectbox(key="pair_b").set_value(None).run()  # one country is not a pair
    assert "pair" not in at.query_params
    at.selectbox(key="pair_b").set_value("AFG").run()
    at.switch_page("pages/network.py").run()
    assert not at.exception and any("between PAK and AFG" in c for c in plain(at, "caption"))
    bad = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=TIMEOUT)
    bad.query_params["pair"] = "<script>-AFG"
    bad.run()
    assert not bad.exception and bad.selectbox(key="pair_a").value is None


# --- page state in the address ----------------------------------------------------------------

def test_network_ego_from_and_to_the_address(sample_store):
    at = run_page("network", {"ego": "person:ishaq-dar"})
    node = N.nodes_for_entity_keys(sample_store, ["person:ishaq-dar"])[0]
    assert at.selectbox(key="net_ego").value == node
    assert at.metric[0].value != run_page("network").metric[0].value  # the ego view, not the whole network
    assert at.query_params["ego"] in (["person:ishaq-dar"], "person:ishaq-dar")
    at.selectbox(key="net_ego").set_value("").run()
    assert "ego" not in at.query_params
    other = run_page("network", {"ego": "person:nobody-at-all"})
    assert other.selectbox(key="net_ego").value == ""
    assert any("not in this network" in c for c in plain(other, "caption"))


def test_profiles_tab_from_the_address(sample_store):
    def open_tab(at: AppTest) -> tuple[str, int]:
        found = []

        def walk(node):
            if getattr(node, "type", None) == "tab_container":
                found.append(node.proto.tab_container)
            for ch in getattr(node, "children", {}).values():
                walk(ch)

        walk(at._tree)
        assert len(found) == 1
        return found[0].query_param_key, found[0].default_tab_index

    assert open_tab(run_page("profiles", {"entity": "person:ishaq-dar", "tab": "Meetings"})) == ("tab", 2)
    assert open_tab(run_page("profiles", {"entity": "person:ishaq-dar"})) == ("tab", 0)


# --- topics that hold up ----------------------------------------------------------------------

def test_period_range_fills_every_period():
    assert trends.period_range("2025-01-15", "2025-04-02", "month") == [
        "2025-01-01", "2025-02-01", "2025-03-01", "2025-04-01"]
    assert trends.period_range("2024-12-31", "2025-07-01", "quarter") == [
        "2024-10-01", "2025-01-01", "2025-04-01", "2025-07-01"]
    assert trends.period_range("2025-06-04", "2025-06-17", "week") == ["2025-06-02", "2025-06-09", "2025-06-16"]
    assert trends.period_range("2023-05-05", "2025-01-01", "year") == ["2023-01-01", "2024-01-01", "2025-01-01"]
    with pytest.raises(ValueError):
        trends.period_range("2025-01-01", "2025-02-01", "fortnight")


def test_topic_trends_on_the_sample(sample_db):
    """No share drawn from fewer articles than the minimum, every period of the range present
    (so lines stop at empty ones), a topic on nearly every article set apart as a baseline."""
    freq = trends.auto_freq(sample_db)
    assert freq in trends.FREQS
    for f in ("month", freq):
        t = trends.topic_trends(sample_db, freq=f)
        periods = t["periods"]
        assert list(periods["period"]) == trends.period_range(periods["period"].iloc[0], periods["period"].iloc[-1], f)
        s = queries.summary(sample_db)
        assert t["articles"] == s["articles"] - s["undated"]  # every dated article, once
        drawn = t["lines"][t["lines"]["share"].notna()]
        assert (drawn["total"] >= trends.MIN_ARTICLES).all()
        fig = charts.topic_lines(t).to_plotly_json()
        totals = {p: n for p, n in zip(periods["period"], periods["total"])}
        for tr in fig["data"]:
            if tr["type"] == "scatter":
                assert tr["connectgaps"] is False
                for x, y in zip(tr["x"], tr["y"]):
                    assert y is None or (totals[x] >= trends.MIN_ARTICLES and 0 <= y <= 1)
    month = trends.topic_trends(sample_db, freq="month")
    assert (month["periods"]["total"] == 0).any()  # the sample has empty months
    base = set(month["baseline"]["topic_id"])
    assert "diplomacy" in base and not month["lines"]["topic_id"].isin(base).any()
    assert month["baseline"]["share"].min() >= trends.BASELINE_SHARE


def test_taxonomy_tags_the_istanbul_ceasefire_talks(sample_db):
    with store.connect_ro(sample_db) as conn:
        rows = conn.execute(
            "SELECT a.title, group_concat(t.topic_id) FROM articles a JOIN article_topics t ON t.article_id = a.id"
            " WHERE a.title LIKE '%Istanbul%' GROUP BY a.id").fetchall()
    assert rows
    for title, topics in rows:
        assert {"negotiations"} <= set(topics.split(",")), title
    assert any("ceasefire" in topics.split(",") for _, topics in rows)


def test_rising_window_is_stated_and_anchored(small_store):
    w = queries.rising_window(small_store, days=90)
    assert w["anchor"] == "2025-05-29" and w["anchor_from"] == "newest article"
    chosen = queries.rising_window(small_store, days=90, anchor="2025-01-31")
    assert chosen["anchor_from"] == "chosen" and chosen["recent_to"] == "2025-01-31"
    assert chosen["recent_from"] == "2024-11-02" and chosen["prior_to"] == "2024-11-01"
    assert chosen["recent_articles"] == 1 and chosen["prior_articles"] == 0  # the 2024-12-23 article
    a = queries.rising_topics(small_store, days=90, anchor="2025-01-31")
    b = queries.rising_topics(small_store, days=90, anchor="2025-01-31", use_counts=False)
    assert a.set_index("topic_id")["recent"].to_dict() == b.set_index("topic_id")["recent"].to_dict()
    assert a["recent"].sum() != queries.rising_topics(small_store, days=90)["recent"].sum()


# --- dates for every article ------------------------------------------------------------------

@pytest.mark.parametrize("text,day", [
    ("ISLAMABAD, Nov 20, 2025 (Reuters) - Pakistan said", "2025-11-20"),
    ("KABUL, Afghanistan, March 3, 2024 (AP) — The Taliban", "2024-03-03"),
    ("WASHINGTON, Nov. 20, 2025 /PRNewswire/ -- A company", "2025-11-20"),
    ("Islamabad, 20 November 2025: The talks", "2025-11-20"),
    ("NEW DELHI, 2025-01-05 - India", "2025-01-05"),
    ("LONDON, Sept 4, 2025 (Reuters) - Britain", "2025-09-04"),
    ("ISLAMABAD, Nov 20 (Reuters) - no year given", None),  # a guessed year would be a wrong fact
    ("The minister said on Nov 20, 2025 - that was all", None),
    ("LONDON, 31 February 2025 - no such day", None),
    ("", None),
])
def test_dateline_date(text, day):
    assert cleaning.dateline_date(text) == day


def test_a_file_with_a_dateline_gets_that_date(tmp_path):
    from analysis.ingest import ingest_sources

    f = tmp_path / "torkham.txt"
    f.write_text("Pakistan and Afghanistan agree to reopen Torkham crossing\n\n"
                 "ISLAMABAD, Nov 20, 2025 (Reuters) - Pakistan and Afghanistan agreed on Thursday to reopen "
                 "the Torkham border crossing, Pakistan's foreign ministry said.\n\n"
                 "The crossing had been closed for weeks after clashes on the border.\n", encoding="utf-8")
    undated = tmp_path / "undated.txt"
    undated.write_text("A headline with no date\n\nPakistan's foreign minister spoke to reporters about the "
                       "border talks with Afghan officials.\n", encoding="utf-8")
    db = tmp_path / "d.db"
    s = ingest_sources(db, [f, undated])
    assert s["new"] == 2 and s["undated"] == 1
    with store.connect_ro(db) as conn:
        got = dict(conn.execute("SELECT title, published FROM articles").fetchall())
        text = conn.execute("SELECT text FROM articles WHERE published = '2025-11-20'").fetchone()[0]
    assert got["Pakistan and Afghanistan agree to reopen Torkham crossing"] == "2025-11-20"
    assert got["A headline with no date"] is None
    assert text.startswith("ISLAMABAD, Nov 20, 2025")  # the dateline stays in the body
    r = subprocess.run([sys.executable, "-m", "analysis", "ingest", "--db", str(tmp_path / "e.db"), str(undated)],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0 and "have no publication date" in r.stderr


def test_pasted_front_matter_and_fields(tmp_path):
    from analysis.ingest import ingest_text

    db = tmp_path / "p.db"
    ingest_text(db, "---\ntitle: From the front matter\ndate: 2025-10-01\noutlet: Dawn\n"
                    "url: https://www.dawn.com/news/1\n---\nPakistan's prime minister met the Afghan envoy in "
                    "Islamabad on Wednesday to discuss trade.")
    ingest_text(db, "---\ntitle: Ignored\ndate: 2020-01-01\n---\nAnother text: the Afghan envoy met Pakistan's "
                    "foreign minister in Kabul on Monday.", title="The form's title", published="2025-09-09",
                outlet="The News", url="https://www.thenews.com.pk/x")
    with store.connect_ro(db) as conn:
        rows = conn.execute("SELECT title, published, outlet, url, text FROM articles ORDER BY id").fetchall()
    assert rows[0][:4] == ("From the front matter", "2025-10-01", "Dawn", "https://www.dawn.com/news/1")
    assert rows[1][:4] == ("The form's title", "2025-09-09", "The News", "https://www.thenews.com.pk/x")
    assert not any(r[4].startswith("---") for r in rows)


def _recount_equal(db_path: Path) -> None:
    db = store.open_db(db_path)
    try:
        kept = {t: sorted(db.execute(f"SELECT * FROM {t} WHERE n != 0").fetchall())
                for t in ("article_days", "topic_days")}
        with store.write_tx(db):
            aggregates.rebuild(db)
        again = {t: sorted(db.execute(f"SELECT * FROM {t} WHERE n != 0").fetchall())
                 for t in ("article_days", "topic_days")}
    finally:
        db.close()
    assert kept == again


def test_set_article_date_sticks(tmp_path):
    from analysis.ingest import ingest_sources, reextract

    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("Dar in Kabul\n\nPakistan's Foreign Minister Ishaq Dar arrived in Kabul on a "
                               "visit and met Afghan Foreign Minister Amir Khan Muttaqi.\n", encoding="utf-8")
    db = tmp_path / "s.db"
    ingest_sources(db, [src])
    undated = queries.undated_articles(db)
    assert len(undated) == 1 and queries.summary(db)["undated"] == 1
    aid = int(undated.iloc[0]["id"])
    assert queries.events(db, Filters(start="2025-01-01"), None).empty
    with pytest.raises(curate.CurationError):
        curate.apply(db, "set-article-date", aid, "2025-02-30")
    with pytest.raises(curate.CurationError):
        curate.apply(db, "set-article-date", 99999, "2025-02-03")
    log_id = curate.apply(db, "set-article-date", aid, "2025-07-17", by="tester")
    assert queries.undated_articles(db).empty and queries.summary(db, Filters(start="2025-07-01"))["articles"] == 1
    evs = queries.events(db, Filters(start="2025-07-01", end="2025-07-31"), None)
    assert not evs.empty and set(evs["date"]) == {"2025-07-17"}
    _recount_equal(db)
    # it holds across re-extraction, and in a new store built from the same text with the log
    reextract(db)
    assert queries.undated_articles(db).empty
    log = curate.export_jsonl(db)
    fresh = tmp_path / "fresh.db"
    store.open_db(fresh).close()
    curate.import_jsonl(fresh, log)
    assert curation.orphans(store.connect_ro(fresh))  # no such article there yet
    ingest_sources(fresh, [src])
    assert queries.undated_articles(fresh).empty
    assert set(queries.events(fresh, Filters(start="2025-07-01"), None)["date"]) == {"2025-07-17"}
    # undo: undated again, the events with it
    curate.apply(db, "undo", log_id)
    assert len(queries.undated_articles(db)) == 1
    assert queries.events(db, Filters(start="2025-01-01"), None).empty
    _recount_equal(db)


def test_overview_and_data_list_undated_articles(tmp_path, monkeypatch):
    from analysis.ingest import ingest_text

    db = tmp_path / "u.db"
    ingest_text(db, "Pakistan's foreign minister met the Afghan envoy in Islamabad to talk about the border.")
    ingest_text(db, "Another article with a date about the envoy.", published="2025-05-05")
    monkeypatch.setenv("CHANCERY_DB", str(db))
    over = run_page("overview")
    assert any("1 article(s) without a publication date" in e.label for e in over.expander)
    data = run_page("data")
    assert len(table(data, "data_undated")) == 1
    data.selectbox(key="data_set_date_article").set_value(int(queries.undated_articles(db).iloc[0]["id"]))
    data.date_input(key="data_set_date_day").set_value("2025-11-24")
    next(b for b in data.button if b.label == "Set the date").click().run()
    assert not data.exception and any("set-article-date recorded" in s for s in plain(data, "success"))
    assert queries.undated_articles(db).empty
    assert not any("without a publication date" in e.label for e in run_page("overview").expander)


# --- the network: legend, find box, clicks ----------------------------------------------------

def test_network_html_has_find_box_and_posts_clicks(sample_db):
    g = N.build_graph(sample_db)
    doc = N.to_html(g)
    assert 'id="chancery-find"' in doc and "chancery-node" in doc and "postMessage" in doc
    m = re.search(r"var table = (\{.*?\});", doc)
    table = json.loads(m.group(1))
    keys = {d["entity_key"] for _, d in g.nodes(data=True)}
    assert {v[1] for v in table.values()} == keys and all(k for k in keys)
    assert {v[0] for v in table.values()} == {d["name"] for _, d in g.nodes(data=True)}


def test_network_legend_names_only_what_is_drawn(sample_db):
    people_only = N.apply_view(N.full_graph(sample_db), N.GraphView(node_kinds=("person",)))
    text = N.legend(people_only)
    assert "people" in text and "countries" not in text and "organisations" not in text
    assert "a person's country" not in text  # no country node, no affiliation edge
    page_default = N.legend(N.apply_view(N.full_graph(sample_db), N.GraphView(node_kinds=("person", "country"))))
    assert "countries" in page_default and "organisations" not in page_default  # the page's default view
    every = N.apply_view(N.full_graph(sample_db), N.GraphView())
    has_org = any(d["kind"] == "organization" for _, d in every.nodes(data=True))
    assert ("organisations" in N.legend(every)) == has_org


def test_briefing_page_takes_the_pair(sample_store):
    at = run_page("briefing", {"pair": "PAK-AFG"})
    note = at.markdown[-1].value.replace("\\", "")
    assert note.startswith("# Briefing: Pakistan and Afghanistan") and "events between Pakistan (PAK)" in note
    assert int(at.metric[0].value) == len(brief.build(sample_store, brief.Scope(pair=("PAK", "AFG")))["events"])


def test_a_long_range_is_drawn_over_its_last_periods_and_a_start_date_shows_the_rest(sample_db):
    """Issue 12: without a start date the chart covers at most MAX_PERIODS periods up to the
    newest article; the periods drawn are exactly those of the whole series, and a start date
    (or max_periods=0) draws everything."""
    first, last = queries.article_day_range(sample_db)
    s = queries.summary(sample_db)
    assert (first, last) == (s["first"], s["last"])
    whole = trends.topic_trends(sample_db, freq="week", max_periods=0)
    assert whole["clipped_from"] is None
    cut = trends.topic_trends(sample_db, freq="week", max_periods=20)
    start = trends.window_start(last, "week", 20)
    assert cut["clipped_from"] == start > first
    assert len(cut["periods"]) <= 20 and cut["periods"]["period"].iloc[-1] == whole["periods"]["period"].iloc[-1]
    def rows(t, since):
        both = pd.concat([t["lines"], t["baseline_lines"]])
        both = both[(both["period"] >= since) & (both["n"] > 0)]
        return sorted(map(tuple, both[["period", "topic_id", "n", "total"]].astype(str).values))

    def totals(t, since):
        p = t["periods"]
        return p[p["period"] >= since][["period", "total"]].values.tolist()

    begin = cut["periods"]["period"].iloc[0]
    assert begin >= start and rows(cut, begin) == rows(whole, begin) != []
    assert totals(cut, begin) == totals(whole, begin)
    chosen = trends.topic_trends(sample_db, Filters(start=first), freq="week", max_periods=20)
    assert chosen["clipped_from"] is None and chosen["articles"] == whole["articles"]
    assert trends.MAX_PERIODS["month"] == 120
    # the totals the period is chosen from equal the series' own totals
    month = queries.period_totals(sample_db, freq="month")
    series = queries.topic_series(sample_db, freq="month")
    assert dict(zip(month["period"], month["total"])) == dict(series.drop_duplicates("period")[["period", "total"]].values)
    country = Filters(countries=("AFG",))
    by_country = queries.period_totals(sample_db, country, "month")
    dated = queries.search_articles(sample_db, country, None, limit=10_000)
    assert by_country["total"].sum() == dated["published"].fillna("").str.len().ge(10).sum() > 0
