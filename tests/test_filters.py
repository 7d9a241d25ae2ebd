"""One definition each (analysis/views/filters.py): the views and the network agree on an
event's host, its place and day, on which articles concern a country, and on what the filters
say in words."""
from __future__ import annotations

from analysis import store
from analysis.views import network as N
from analysis.views import queries
from analysis.views.filters import Filters


def _store(tmp_path):
    """Two articles: a visit whose destination country is not stated but whose place is in
    Afghanistan; an article naming only a Pakistani official (no country mention)."""
    path = tmp_path / "f.db"
    db = store.open_db(path)
    people = [{"name": "Ishaq Dar", "kind": "person", "country": "PAK", "roles": [], "aliases": []},
              {"name": "Pakistan", "kind": "country", "country": "PAK", "roles": [], "aliases": []},
              {"name": "Kabul", "kind": "place", "country": "AFG", "roles": [], "aliases": []}]
    visit = {"kind": "visit", "visitor": "Ishaq Dar", "visitor_country": "PAK",
             "destination_country": None, "country": "AFG", "place": "Kabul",
             "destination_place": None, "date": "2025-04-19", "status": "occurred", "cameo": "042",
             "evidence": "Dar was in Kabul on Saturday."}
    with store.write_tx(db):
        a1 = store.insert_article(db, {"title": "Dar in Kabul", "text": "Dar was in Kabul on Saturday.",
                                       "content_hash": "h1", "published": "2025-04-20"})
        store.save_extraction(db, a1, {"entities": people, "events": [visit], "mentions": [],
                                       "topics": [{"id": "diplomacy", "score": 1.0, "evidence": ["talks"]}]},
                              "2025-04-20", "t")
        a2 = store.insert_article(db, {"title": "Dar speaks", "text": "Ishaq Dar spoke on trade.",
                                       "content_hash": "h2", "published": "2025-05-01"})
        store.save_extraction(db, a2, {
            "entities": people[:1], "events": [],
            "mentions": [{"start": 0, "end": 9, "text": "Ishaq Dar", "label": "PERSON", "entity": "Ishaq Dar"}],
            "topics": [{"id": "economy", "score": 1.0, "evidence": ["trade"]}]}, "2025-05-01", "t")
    db.conn.close()
    return path


def test_the_host_is_the_same_in_the_tables_and_the_network(tmp_path):
    path = _store(tmp_path)
    gaps = queries.visit_gaps(path)
    assert list(zip(gaps["visitor"], gaps["host"])) == [("PAK", "AFG")]
    edges = N.edge_table(N.build_graph(path, Filters(), N.GraphView(top_n=None)))
    visit_edges = edges[edges["kinds"].str.contains("visit")]
    assert list(zip(visit_edges["u"], visit_edges["v"])) == [("c:AFG", "c:PAK")]
    ev = N.edge_evidence(path, "c:PAK", "c:AFG")
    assert list(ev["destination_country"]) == ["AFG"] and list(ev["place"]) == ["Kabul"]
    table = queries.events(path)
    assert list(table["place"]) == ["Kabul"] and list(table["pair"]) == ["PAK → AFG"]


def test_an_article_concerns_a_country_the_same_way_everywhere(tmp_path):
    """The second article names only a Pakistani official: the country filter keeps it, and so
    do the Topics page's grid and its drill-down (before, the grid counted country names only)."""
    path = _store(tmp_path)
    assert queries.summary(path, Filters(countries=("PAK",)))["articles"] == 2
    grid = queries.country_topic_matrix(path)
    assert grid[grid["code"] == "PAK"]["country_articles"].iloc[0] == 2
    cell = queries.topic_articles(path, Filters(), "economy", country="PAK")
    assert list(cell["title"]) == ["Dar speaks"]
    prof = queries.profile(path, queries.entity_id(path, "country:PAK"))
    assert set(prof["topics"]["topic_id"]) == {"diplomacy", "economy"}


def test_filters_describe_themselves():
    assert Filters().describe() == "no filters"
    f = Filters(start="2025-01-01", countries=("PAK", "AFG"), people=("person:ishaq-dar",),
                topics=("security",))
    assert f.describe() == "2025-01-01 to …; countries PAK, AFG; people ishaq-dar; topics security"
    assert f.describe({"countries": {"PAK": "Pakistan"}, "people": {"person:ishaq-dar": "Ishaq Dar"}}) == \
        "2025-01-01 to …; countries Pakistan, AFG; people Ishaq Dar; topics security"


def test_the_network_takes_the_same_topic_filter(tmp_path):
    path = _store(tmp_path)
    assert N.build_graph(path, Filters(topics=("diplomacy",)), N.GraphView(top_n=None)).number_of_edges() > 0
    assert N.build_graph(path, Filters(topics=("economy",)), N.GraphView(top_n=None)).number_of_edges() == 0
