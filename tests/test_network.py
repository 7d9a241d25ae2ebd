"""The officials–countries network: graph building, filters, exports, safe offline HTML, page."""
from __future__ import annotations

import html
import io
import json
import os
import re
from pathlib import Path

import networkx as nx
import pytest
import pyvis

from analysis.views import network as N
from analysis.views.filters import Filters
from analysis import store

PAYLOADS = [
    "<img src=x onerror=alert(1)>",
    "</script><script>alert(1)</script>",
    "[x](javascript:alert(1))",
    "Ahref Khan <a href='javascript:alert(1)'>x</a>",
]


# --- helpers ----------------------------------------------------------------------------------

def person(name: str, country: str | None, roles: list[dict] | None = None) -> dict:
    return {"name": name, "kind": "person", "country": country, "roles": roles or [],
            "aliases": []}


def country(name: str, code: str) -> dict:
    return {"name": name, "kind": "country", "country": code, "roles": [], "aliases": []}


def visit(visitor: str, vc: str, dc: str, day: str, status: str = "occurred",
          evidence: str = "") -> dict:
    return {"kind": "visit", "visitor": visitor, "visitor_country": vc, "destination_country": dc,
            "destination_place": None, "date": day, "status": status, "cameo": "042",
            "evidence": evidence or f"{visitor} arrived on {day}."}


def meeting(names: list[str], where: str, day: str, evidence: str = "") -> dict:
    return {"kind": "meeting", "participants": names, "country": where, "place": None,
            "date": day, "cameo": "040", "evidence": evidence or f"{' and '.join(names)} met."}


def add_article(db, n: int, published: str, entities: list[dict], events: list[dict],
                title: str | None = None, text: str | None = None) -> int:
    result = {"entities": entities, "events": events, "mentions": [], "topics": []}
    with store.write_tx(db):
        aid = store.insert_article(db, {
            "title": title or f"Article {n}", "text": text or f"Body of article {n}.",
            "content_hash": f"hash-{n}", "published": published,
            "url": f"https://news.example/{n}", "outlet": "Example News",
        })
        store.save_extraction(db, aid, result, published, "test")
    return aid


@pytest.fixture
def small_store(tmp_path):
    """Two Pakistani and two Afghan officials, a Chinese minister; visits and meetings in
    2023 and 2024, one meeting reported twice, one cancelled visit."""
    path = tmp_path / "net.db"
    db = store.open_db(path)
    sadiq = person("Mohammad Sadiq", "PAK",
                   [{"title": "Special Representative for Afghanistan", "country": "PAK",
                     "evidence": "Special Representative Mohammad Sadiq said."}])
    dar = person("Ishaq Dar", "PAK")
    muttaqi = person("Amir Khan Muttaqi", "AFG")
    haqqani = person("Sirajuddin Haqqani", "AFG")
    wang = person("Wang Yi", "CHN")
    countries = [country("Pakistan", "PAK"), country("Afghanistan", "AFG"), country("China", "CHN")]
    add_article(db, 1, "2024-12-23", [sadiq, haqqani, muttaqi, *countries], [
        visit("Mohammad Sadiq", "PAK", "AFG", "2024-12-23", evidence="Sadiq arrived in Kabul."),
        meeting(["Mohammad Sadiq", "Sirajuddin Haqqani"], "AFG", "2024-12-23",
                evidence="Sadiq met Interior Minister Haqqani in Kabul."),
        meeting(["Mohammad Sadiq", "Amir Khan Muttaqi"], "AFG", "2024-12-24"),
    ])
    # The same meeting as a second report (another article): weight stays 1, reports 2.
    add_article(db, 2, "2024-12-24", [sadiq, haqqani], [
        meeting(["Mohammad Sadiq", "Sirajuddin Haqqani"], "AFG", "2024-12-23"),
    ])
    add_article(db, 3, "2023-05-06", [dar, muttaqi, wang, *countries], [
        visit("Amir Khan Muttaqi", "AFG", "PAK", "2023-05-05"),
        meeting(["Ishaq Dar", "Amir Khan Muttaqi", "Wang Yi"], "PAK", "2023-05-06"),
    ])
    add_article(db, 4, "2024-04-10", [dar, wang], [
        visit("Ishaq Dar", "PAK", "CHN", "2024-04-10"),
        meeting(["Ishaq Dar", "Wang Yi"], "CHN", "2024-04-10"),
        visit("Ishaq Dar", "PAK", "IND", "2024-06-01", status="cancelled"),
    ])
    db.conn.close()
    return path


def key_of(path, name: str) -> str:
    conn = store.connect_ro(path)
    try:
        row = conn.execute("SELECT id, kind, country FROM entities WHERE name = ?", [name]).fetchone()
    finally:
        conn.close()
    return f"c:{row['country']}" if row["kind"] == "country" else f"e:{row['id']}"


def names(g: nx.Graph) -> set[str]:
    return {d["name"] for _, d in g.nodes(data=True)}


def vis_nodes(doc: str) -> list[dict]:
    """The node list pyvis wrote into the page (JSON inside the script)."""
    m = re.search(r"nodes = new vis\.DataSet\((\[.*?\])\);", doc, re.DOTALL)
    assert m, "no node data in the page"
    return json.loads(m.group(1))


def vis_edges(doc: str) -> list[dict]:
    m = re.search(r"edges = new vis\.DataSet\((\[.*?\])\);", doc, re.DOTALL)
    assert m, "no edge data in the page"
    return json.loads(m.group(1))


# --- graph building ---------------------------------------------------------------------------

def test_graph_nodes_edges_and_weights(small_store):
    g = N.build_graph(small_store, Filters(), N.GraphView(top_n=None))
    assert names(g) == {"Mohammad Sadiq", "Ishaq Dar", "Amir Khan Muttaqi", "Sirajuddin Haqqani",
                        "Wang Yi", "Pakistan (PAK)", "Afghanistan (AFG)", "China (CHN)"}
    sadiq, haqqani = key_of(small_store, "Mohammad Sadiq"), key_of(small_store, "Sirajuddin Haqqani")
    e = g.edges[sadiq, haqqani]
    assert e["kinds"] == "meeting"
    assert (e["weight"], e["reports"], e["articles"]) == (1, 2, 2)  # one meeting, two reports
    assert e["evidence"] in {"Sadiq met Interior Minister Haqqani in Kabul.",
                             "Mohammad Sadiq and Sirajuddin Haqqani met."}
    # visits both ways between PAK and AFG; directions kept apart
    v = g.edges["c:AFG", "c:PAK"]
    assert v["kinds"] == "visit" and v["weight"] == 2
    assert (v["visits_uv"], v["visits_vu"]) == (1, 1)
    # cancelled visit to India is not counted: no India node at all
    assert "c:IND" not in g
    # affiliation: Sadiq took part in 3 events (a visit and two meetings)
    assert g.edges[sadiq, "c:PAK"]["affiliation"] == 3
    # a three-way meeting gives three pairs
    dar, wang, muttaqi = (key_of(small_store, n) for n in ("Ishaq Dar", "Wang Yi", "Amir Khan Muttaqi"))
    assert g.has_edge(dar, muttaqi) and g.has_edge(muttaqi, wang)
    assert g.edges[dar, wang]["weight"] == 2  # 2023 and 2024
    assert g.nodes[dar]["degree"] == sum(w for _, _, w in g.edges(dar, data="weight"))


def test_date_window_changes_graph(small_store):
    all_ = N.build_graph(small_store, Filters(), N.GraphView(top_n=None))
    y2024 = N.build_graph(small_store, Filters(start="2024-01-01", end="2024-12-31"), N.GraphView(top_n=None))
    y2023 = N.build_graph(small_store, Filters(end="2023-12-31"), N.GraphView(top_n=None))
    dar, wang = key_of(small_store, "Ishaq Dar"), key_of(small_store, "Wang Yi")
    assert all_.edges[dar, wang]["weight"] == 2
    assert y2024.edges[dar, wang]["weight"] == 1
    assert y2023.edges[dar, wang]["weight"] == 1
    assert "Sirajuddin Haqqani" in names(y2024) and "Sirajuddin Haqqani" not in names(y2023)
    assert "c:CHN" not in y2023 or not y2023.has_edge("c:CHN", "c:PAK")
    # the window is inclusive on both ends
    one_day = N.build_graph(small_store, Filters(start="2024-12-23", end="2024-12-23"), N.GraphView())
    assert one_day.has_edge(key_of(small_store, "Mohammad Sadiq"),
                            key_of(small_store, "Sirajuddin Haqqani"))
    assert not one_day.has_edge(key_of(small_store, "Mohammad Sadiq"),
                                key_of(small_store, "Amir Khan Muttaqi"))


def test_country_filter_keeps_events_involving_the_country(small_store):
    chn = N.build_graph(small_store, Filters(countries=("CHN",)), N.GraphView(top_n=None))
    assert "Wang Yi" in names(chn) and "Ishaq Dar" in names(chn)
    assert "Sirajuddin Haqqani" not in names(chn)
    assert chn.has_edge("c:CHN", "c:PAK") and not chn.has_edge("c:AFG", "c:PAK")


def test_node_kind_edge_kind_and_min_weight_filters(small_store):
    people = N.build_graph(small_store, Filters(), N.GraphView(node_kinds=("person",), top_n=None))
    assert {d["kind"] for _, d in people.nodes(data=True)} == {"person"}
    countries = N.build_graph(small_store, Filters(), N.GraphView(node_kinds=("country",), top_n=None))
    assert set(countries) == {"c:PAK", "c:AFG", "c:CHN"}
    no_visits = N.build_graph(small_store, Filters(), N.GraphView(edge_kinds=("meeting", "affiliation")))
    assert not no_visits.has_edge("c:AFG", "c:PAK")
    heavy = N.build_graph(small_store, Filters(), N.GraphView(min_weight=2, top_n=None))
    assert all(w >= 2 for _, _, w in heavy.edges(data="weight"))
    assert heavy.number_of_edges() < N.build_graph(small_store).number_of_edges()
    assert all(heavy.degree(n) > 0 for n in heavy)


def test_top_n_keeps_heaviest_nodes(tmp_path):
    path = tmp_path / "star.db"
    db = store.open_db(path)
    hub = person("Hub Minister", "PAK")
    for i in range(40):
        spoke = person(f"Envoy {i:02d}", "AFG")
        # envoy i meets the hub i % 4 + 1 times, on distinct days
        events = [meeting(["Hub Minister", f"Envoy {i:02d}"], "PAK", f"2024-0{k + 1}-1{i % 10}")
                  for k in range(i % 4 + 1)]
        add_article(db, i, "2024-06-01", [hub, spoke], events)
    db.conn.close()
    full = N.build_graph(path, Filters(), N.GraphView(top_n=None))
    assert full.number_of_nodes() == 43  # hub, 40 envoys, PAK, AFG
    capped = N.build_graph(path, Filters(), N.GraphView(top_n=10))
    assert capped.number_of_nodes() == 10
    degrees = sorted((d for _, d in full.nodes(data="degree")), reverse=True)
    kept = {n for n in capped}
    assert min(full.nodes[n]["degree"] for n in kept) >= degrees[9]
    assert "Hub Minister" in names(capped)
    # the default cap is DEFAULT_TOP_N
    assert N.GraphView().top_n == N.DEFAULT_TOP_N


def test_ego_view(small_store):
    haqqani = key_of(small_store, "Sirajuddin Haqqani")
    ego = N.build_graph(small_store, Filters(), N.GraphView(ego=haqqani))
    assert names(ego) == {"Sirajuddin Haqqani", "Mohammad Sadiq", "Afghanistan (AFG)"}
    wider = N.build_graph(small_store, Filters(), N.GraphView(ego=haqqani, radius=2))
    assert "Amir Khan Muttaqi" in names(wider) and "Pakistan (PAK)" in names(wider)
    assert N.build_graph(small_store, Filters(), N.GraphView(ego="e:999999")).number_of_nodes() == 0


def test_focus_on_people(small_store):
    keys = N.nodes_for_entity_keys(small_store, ["person:sirajuddin-haqqani", "person:wang-yi",
                                                 "person:nobody", "country:CHN"])
    assert keys == [key_of(small_store, "Sirajuddin Haqqani"), key_of(small_store, "Wang Yi"),
                    "c:CHN"]
    g = N.build_graph(small_store, Filters(), N.GraphView(focus=tuple(keys[:2])))
    assert names(g) == {"Sirajuddin Haqqani", "Mohammad Sadiq", "Afghanistan (AFG)", "Wang Yi",
                        "Ishaq Dar", "Amir Khan Muttaqi", "China (CHN)"}
    # an explicit ego wins over the focus
    ego = N.build_graph(small_store, Filters(), N.GraphView(focus=tuple(keys[:2]), ego=keys[0]))
    assert "Wang Yi" not in names(ego)
    assert N.build_graph(small_store, Filters(), N.GraphView(focus=("e:999999",))).number_of_nodes() == 0


def test_edge_evidence(small_store):
    sadiq, haqqani = key_of(small_store, "Mohammad Sadiq"), key_of(small_store, "Sirajuddin Haqqani")
    ev = N.edge_evidence(small_store, haqqani, sadiq)
    assert len(ev) == 2 and set(ev["kind"]) == {"meeting"}
    assert "Sadiq met Interior Minister Haqqani in Kabul." in set(ev["evidence"])
    assert set(ev["article"]) == {"Article 1", "Article 2"}
    visits = N.edge_evidence(small_store, "c:PAK", "c:AFG")
    assert set(visits["kind"]) == {"visit"} and len(visits) == 2
    assert "Sadiq arrived in Kabul." in set(visits["evidence"])
    affil = N.edge_evidence(small_store, "c:PAK", sadiq)
    assert {"visit", "meeting", "role"} <= set(affil["kind"])
    assert "Special Representative Mohammad Sadiq said." in set(affil["evidence"])
    windowed = N.edge_evidence(small_store, "c:PAK", "c:AFG", Filters(start="2024-01-01"))
    assert list(windowed["date"]) == ["2024-12-23"]


def test_date_bounds_and_undated_events(small_store):
    assert N.date_bounds(small_store) == ("2023-05-05", "2024-12-24")
    db = store.open_db(small_store)
    undated = meeting(["Ishaq Dar", "Wang Yi"], "CHN", None)
    add_article(db, 9, "2025-02-03T08:00:00", [person("Ishaq Dar", "PAK"), person("Wang Yi", "CHN")],
                [undated])
    db.conn.close()
    assert N.date_bounds(small_store) == ("2023-05-05", "2025-02-03")
    # an undated event takes its article's day, for the window and the weight
    g = N.build_graph(small_store, Filters(start="2025-02-03", end="2025-02-03"), N.GraphView())
    dar, wang = key_of(small_store, "Ishaq Dar"), key_of(small_store, "Wang Yi")
    assert g.edges[dar, wang]["weight"] == 1 and g.edges[dar, wang]["first"] == "2025-02-03"


def test_empty_store(file_db):
    assert N.build_graph(file_db).number_of_nodes() == 0
    assert N.date_bounds(file_db) == (None, None)
    assert N.store_version(file_db) == 0
    doc = N.to_html(nx.Graph())
    assert vis_nodes(doc) == []


def test_missing_store(tmp_path):
    assert N.store_version(tmp_path / "absent.db") is None
    with pytest.raises(FileNotFoundError):
        N.full_graph(tmp_path / "absent.db")


# --- exports ----------------------------------------------------------------------------------

@pytest.mark.parametrize("writer,reader", [(N.to_gexf, nx.read_gexf),
                                           (N.to_graphml, nx.read_graphml)])
def test_exports_parse_back(small_store, writer, reader):
    g = N.build_graph(small_store)
    back = reader(io.BytesIO(writer(g)))
    assert set(back.nodes) == set(g.nodes)
    assert back.number_of_edges() == g.number_of_edges()
    for u, v, d in g.edges(data=True):
        assert int(back.edges[u, v]["weight"]) == d["weight"]
        assert back.edges[u, v]["kinds"] == d["kinds"]
    assert {back.nodes[n].get("label") for n in back} >= {"Mohammad Sadiq", "Pakistan (PAK)"}


def test_exports_keep_hostile_names_as_data(tmp_path):
    path = hostile_store(tmp_path)
    g = N.build_graph(path)
    for data in (N.to_gexf(g), N.to_graphml(g)):
        back = nx.read_gexf(io.BytesIO(data)) if b"<gexf" in data[:300] else \
            nx.read_graphml(io.BytesIO(data))
        assert set(PAYLOADS) <= {d.get("name") for _, d in back.nodes(data=True)}
        assert b"<img src=x" not in data  # XML-escaped


# --- safe, offline HTML -----------------------------------------------------------------------

def hostile_store(tmp_path):
    path = tmp_path / "hostile.db"
    db = store.open_db(path)
    ents = [person(p, c) for p, c in zip(PAYLOADS, ["PAK", "AFG", "IRN", "IND"])]
    add_article(db, 1, "2024-06-01", ents, [
        meeting(PAYLOADS, "IRN", "2024-06-01", evidence="<script>alert(2)</script> met"),
        visit(PAYLOADS[0], "PAK", "AFG", "2024-06-02", evidence=PAYLOADS[2]),
    ], title=PAYLOADS[0], text=PAYLOADS[1] + " body")
    db.conn.close()
    return path


@pytest.mark.parametrize("text,expected", [
    ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
    ("</script>", "&lt;/script&gt;"),
    ("AT&T", "AT&amp;T"),
    ("O'Brien", "O'Brien"),
    ("Ahref", "Ahr\u200bef"),
    ("<a HREF=x>", "&lt;a HR\u200bEF=x&gt;"),
    ("[x](javascript:alert(1))", "[x](javascript\u200b:alert(1))"),
    ("a\x00b\x1bc", "abc"),
    (None, ""),
    ("x" * 500, "x" * (N.MAX_TEXT - 1) + "…"),
])
def test_html_text(text, expected):
    assert N.html_text(text) == expected


@pytest.mark.parametrize("payload", PAYLOADS)
def test_html_escapes_hostile_names(tmp_path, payload):
    g = N.build_graph(hostile_store(tmp_path))
    doc = N.to_html(g)
    assert payload not in doc
    labels = {n["label"] for n in vis_nodes(doc)}
    assert N.html_text(payload, limit=60) in labels
    assert html.escape(payload, quote=False).replace("href", "hr\u200bef").replace(
        "javascript:", "javascript\u200b:") in labels
    titles = " ".join(n["title"] for n in vis_nodes(doc)) + " ".join(
        e["title"] for e in vis_edges(doc))
    assert payload not in titles and "<" not in titles
    # pyvis switches every tooltip to raw innerHTML when a title contains "href"
    assert "href" not in titles.lower()
    assert "popup.innerHTML" not in doc and "div.popup" not in doc


def test_html_structure_is_safe_and_offline(small_store):
    g = N.build_graph(small_store)
    doc = N.to_html(g)
    nodes = vis_nodes(doc)
    assert len(nodes) == g.number_of_nodes()
    assert all(isinstance(n["id"], int) for n in nodes)
    assert sorted(n["id"] for n in nodes) == list(range(len(nodes)))
    assert {e["from"] for e in vis_edges(doc)} <= {n["id"] for n in nodes}
    lower = doc.lower()
    assert not re.search(r"<script[^>]*\bsrc\s*=\s*['\"]?\s*(https?:)?//", lower)
    assert not re.search(r"<link[^>]*\bhref\s*=\s*['\"]?\s*(https?:)?//", lower)
    assert not re.search(r"@import|url\(\s*['\"]?https?:", lower)
    for host in ("cdn.jsdelivr", "cdnjs", "unpkg", "bootstrap"):
        assert host not in lower
    assert "<h1>" not in lower  # no heading
    assert "select-node" not in doc and "filter-menu" not in doc  # no menus
    assert "vis.Network(" in doc  # vis-network is inlined
    assert any("latest: Sadiq arrived in Kabul." in e["title"] for e in vis_edges(doc))
    # laid out here (issue 12): every node placed, drawn still, the same on every visit
    assert all(isinstance(n.get("x"), float) and isinstance(n.get("y"), float) for n in nodes)
    assert '"physics": {"enabled": false' in doc
    assert [(n["x"], n["y"]) for n in vis_nodes(N.to_html(g))] == [(n["x"], n["y"]) for n in nodes]
    assert len({(n["x"], n["y"]) for n in nodes}) == len(nodes)
    # the browser's physics on request: settle, then freeze
    moving = N.to_html(g, physics=True)
    assert all("x" not in n for n in vis_nodes(moving))
    assert '"stabilization": {"enabled": true' in moving
    assert 'network.setOptions({physics: {enabled: false}})' in moving
    assert "stabilizationIterationsDone" in moving


def test_vis_network_is_linked_from_this_host_and_the_download_is_standalone_again(tmp_path):
    g = nx.Graph()
    g.add_node("c:AFG", name="Afghanistan", kind="country", degree=1)
    g.add_node("e:1", name="A <b>", kind="person", degree=1, country="AFG")
    g.add_edge("c:AFG", "e:1", weight=1, kinds="affiliation", affiliation=1)
    doc = N.to_html(g)
    assert N.publish_assets(tmp_path)
    lib = Path(pyvis.__file__).parent / "templates" / "lib" / N.VIS_FOLDER
    for name in ("vis-network.min.js", "vis-network.css"):
        assert (tmp_path / N.VIS_FOLDER / name).read_bytes() == (lib / name).read_bytes()
    assert N.publish_assets(tmp_path)  # again: identical copies are left alone
    linked = N.link_assets(doc, "/app/static/vis-9.1.2/")
    assert len(linked) < len(doc) - 600_000 and "vis.Network(" in linked
    assert '<script src="/app/static/vis-9.1.2/vis-network.min.js"></script>' in linked
    assert '<link rel="stylesheet" href="/app/static/vis-9.1.2/vis-network.css">' in linked
    assert vis_nodes(linked) == vis_nodes(doc)
    assert N.inline_assets(linked, "/app/static/vis-9.1.2") == doc
    assert N.strip_remote(linked) == linked  # nothing from another host
    for bad in ("https://cdn.example/vis", "//cdn.example/vis", "/x\"><script>", "javascript:x"):
        with pytest.raises(ValueError):
            N.link_assets(doc, bad)
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    assert N.publish_assets(blocked) is False  # cannot write: the page keeps them inline


def test_strip_remote_removes_cdn_tags():
    doc = ('<link href="https://cdn.example/b.css" rel="stylesheet" />'
           '<script src="//cdn.example/b.js" integrity="x"\n crossorigin="anonymous"></script>'
           "<script>var x = 1;</script>")
    assert N.strip_remote(doc) == "<script>var x = 1;</script>"


# --- the page -------------------------------------------------------------------------------

def run_page(path, monkeypatch, **params):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("CHANCERY_DB", str(path))
    at = AppTest.from_file("../pages/network.py", default_timeout=60)
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def iframe_doc(at) -> str:
    frames = at.get("iframe")
    assert len(frames) == 1
    return frames[0].proto.srcdoc


def test_page_without_database(tmp_path, monkeypatch):
    at = run_page(tmp_path / "absent.db", monkeypatch)
    assert not at.exception
    assert "no store yet" in at.info[0].value


def test_page_empty_store(file_db, monkeypatch):
    at = run_page(file_db, monkeypatch)
    assert not at.exception
    assert "No visits or meetings" in at.info[0].value
    assert not at.get("iframe")


def test_page_small_store_filters_and_ego(small_store, monkeypatch):
    at = run_page(small_store, monkeypatch)
    assert not at.exception
    assert int(at.metric[0].value) == 8
    doc = iframe_doc(at)
    assert "Mohammad Sadiq" in {n["label"] for n in vis_nodes(doc)}
    # vis-network comes from the dashboard's own static folder, not inline (or from elsewhere)
    assert '<script src="/app/static/vis-9.1.2/vis-network.min.js"></script>' in doc
    assert len(doc) < 100_000 and N.strip_remote(doc) == doc
    edges_before = int(at.metric[1].value)
    at.multiselect(key="net_kinds").set_value(["person"]).run()
    assert not at.exception
    assert int(at.metric[0].value) == 5 and int(at.metric[1].value) < edges_before
    at.multiselect(key="net_kinds").set_value(["person", "country"]).run()
    at.number_input(key="net_min_weight").set_value(2).run()
    assert not at.exception
    assert int(at.metric[1].value) < edges_before
    at.number_input(key="net_min_weight").set_value(1).run()
    at.selectbox(key="net_ego").set_value(key_of(small_store, "Sirajuddin Haqqani")).run()
    assert not at.exception
    assert int(at.metric[0].value) == 3
    # evidence for the chosen edge
    at.selectbox(key="net_edge").set_value(
        "|".join(sorted([key_of(small_store, "Mohammad Sadiq"),
                         key_of(small_store, "Sirajuddin Haqqani")]))).run()
    ev = at.dataframe[0].value
    assert "Sadiq met Interior Minister Haqqani in Kabul." in set(ev["evidence"])


def test_page_follows_global_date_and_country_filters(small_store, monkeypatch):
    at = run_page(small_store, monkeypatch, **{"from": "2023-01-01", "to": "2023-12-31"})
    assert not at.exception
    labels = {n["label"] for n in vis_nodes(iframe_doc(at))}
    assert "Ishaq Dar" in labels and "Sirajuddin Haqqani" not in labels
    at = run_page(small_store, monkeypatch, country="CHN")
    labels = {n["label"] for n in vis_nodes(iframe_doc(at))}
    assert "Wang Yi" in labels and "Sirajuddin Haqqani" not in labels
    at = run_page(small_store, monkeypatch, person="person:wang-yi")
    labels = {n["label"] for n in vis_nodes(iframe_doc(at))}
    assert "Wang Yi" in labels and "Sirajuddin Haqqani" not in labels
    at = run_page(small_store, monkeypatch, **{"from": "2030-01-01"})
    assert not at.exception and not at.get("iframe")
    assert "Nothing matches" in at.warning[0].value


def test_page_downloads_present(small_store, monkeypatch):
    at = run_page(small_store, monkeypatch)
    labels = [b.proto.label for b in at.get("download_button")]
    for want in ("GEXF (Gephi)", "GraphML", "Standalone HTML (works offline)"):
        assert want in labels
    assert sum(label.startswith("Download CSV") for label in labels) == 1  # the evidence
    at.session_state["net_tables"] = True  # the edges and nodes expander, drawn when opened
    labels = [b.proto.label for b in at.run().get("download_button")]
    assert sum(label.startswith("Download CSV") for label in labels) == 3  # evidence, edges, nodes


def test_page_hostile_store(tmp_path, monkeypatch):
    at = run_page(hostile_store(tmp_path), monkeypatch)
    assert not at.exception
    doc = iframe_doc(at)
    for payload in PAYLOADS:
        assert payload not in doc
    assert "popup.innerHTML" not in doc
    labels = {n["label"] for n in vis_nodes(doc)}
    assert "&lt;img src=x onerror=alert(1)&gt;" in labels
    # nothing from the store is rendered as Markdown or HTML by the page itself
    rendered = " ".join(str(e.value) for e in [*at.markdown, *at.caption, *at.title,
                                               *at.subheader, *at.info, *at.warning])
    for payload in PAYLOADS:
        assert payload not in rendered
    assert "javascript:" not in rendered


def test_page_sample_store(request, monkeypatch):
    try:
        path = request.getfixturevalue("sample_db")
    except ImportError as exc:  # analysis.ingest not there yet
        if os.environ.get("CI"):
            raise
        pytest.skip(f"sample store not available: {exc}")
    conn = store.connect_ro(path)
    try:
        counts = store.stats(conn)
    finally:
        conn.close()
    at = run_page(path, monkeypatch)
    assert not at.exception
    if counts["visits"] + counts["meetings"]:
        assert at.get("iframe") and int(at.metric[0].value) > 3
        assert len(vis_nodes(iframe_doc(at))) == int(at.metric[0].value)
    else:  # extraction that finds no events yet: the page says so
        assert "No visits or meetings" in at.info[0].value


# --- the network kept at write time (issue 12, schema 10) ---------------------------------------

def _graph_data(g):
    return sorted(g.nodes(data=True)), sorted((min(u, v), max(u, v), d) for u, v, d in g.edges(data=True))


def _kept_and_live(path, monkeypatch):
    """The default graph from the kept network, and counted from the events."""
    from analysis.store import network as NET

    with store.as_reader(path).session() as s:
        assert NET.kept(s), "the kept network is not current"
    kept = N.full_graph(path)
    with monkeypatch.context() as m:
        m.setattr(NET, "kept", lambda s: False)
        live = N.full_graph(path)
    return kept, live


def test_the_kept_network_equals_a_count_after_every_kind_of_write(sample_db, tmp_path, monkeypatch):
    """After an ingest, corrections (a merge, a country, a rejected event), their undoing and a
    re-extraction, the default graph read from ``network_edges``/``network_nodes`` equals the
    graph counted from the events; a write that does not refresh it is never read stale."""
    import shutil
    import sqlite3

    from analysis.ingest import reextract
    from analysis.views import curate, queries

    db = tmp_path / "s.db"
    shutil.copy(sample_db, db)
    kept, live = _kept_and_live(db, monkeypatch)
    assert kept.number_of_edges() > 20 and _graph_data(kept) == _graph_data(live)
    people = queries.entities(db, ("person",), limit=10)
    ev = queries.events(db, limit=5)
    logs = [curate.apply(db, "merge-entities", people["key"].iloc[0], people["key"].iloc[1]),
            curate.apply(db, "set-country", people["key"].iloc[2], "FRA"),
            curate.apply(db, "reject-event", ev["key"].iloc[0])]
    kept2, live2 = _kept_and_live(db, monkeypatch)
    assert _graph_data(kept2) == _graph_data(live2) != _graph_data(kept)
    for log_id in reversed(logs):
        curate.apply(db, "undo", log_id)
        k, v = _kept_and_live(db, monkeypatch)
        assert _graph_data(k) == _graph_data(v)
    reextract(db)
    k, v = _kept_and_live(db, monkeypatch)
    assert _graph_data(k) == _graph_data(v)
    # a writer that bumps the version without recounting: the reader counts again
    with sqlite3.connect(db) as c:
        c.execute("DELETE FROM network_edges")
        c.execute("UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'data_version'")
    assert _graph_data(N.full_graph(db)) == _graph_data(v)


def test_a_schema_9_store_gains_its_kept_network_on_open(sample_db, tmp_path, monkeypatch):
    import shutil
    import sqlite3

    old = tmp_path / "old.db"
    shutil.copy(sample_db, old)
    with sqlite3.connect(old) as c:
        c.execute("DROP TABLE network_edges")
        c.execute("DROP TABLE network_nodes")
        c.execute("DELETE FROM meta WHERE key = 'network_version'")
        c.execute("UPDATE meta SET value = '9' WHERE key = 'schema_version'")
    store.open_db(old).close()
    kept, live = _kept_and_live(old, monkeypatch)
    assert kept.number_of_edges() > 20 and _graph_data(kept) == _graph_data(live)


def test_the_grid_keeps_the_newest_reports_and_roles_of_a_heavy_edge():
    """An edge with more reports than the grid shows keeps the first (newest) reports and the
    first roles, in their order, and a light edge is shown whole."""
    import pandas as pd

    from analysis.views.network import newest_evidence

    ev = pd.DataFrame({"kind": ["visit"] * 5 + ["role"] * 3,
                       "date": ["2025-05", "2025-04", "2025-03", "2025-02", "2025-01",
                                "2025-06", "2024-01", "2023-01"]})
    got = newest_evidence(ev, 2)
    assert list(got["kind"]) == ["visit", "visit", "role", "role"]
    assert list(got["date"]) == ["2025-05", "2025-04", "2025-06", "2024-01"]
    assert newest_evidence(ev, 10).equals(ev)
