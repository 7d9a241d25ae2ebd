"""Network page: officials and countries, edges weighted by meetings and visits.

Thin: reads widgets, calls :mod:`analysis.views.network`, renders. The graph HTML is built by
``analysis.views.network.view_html`` (escaped, offline) and shown in a fixed-height ``st.iframe``.
"""
from __future__ import annotations

from dataclasses import replace

import streamlit as st

from analysis import model
from analysis.views import network as N
from pages import _common as c

#: Rows of an edge's evidence the grid shows (reports, and roles for a person's country).
EVIDENCE_SHOWN = 100

st.title("Network")
st.caption(
    "Officials and countries. Edges: meetings between people, visits between countries, and "
    "each person's country; the weight is the number of events (one per pair and day). "
    "The default view keeps the most connected nodes."
)

c.require_db()
bounds = c.cached(N.date_bounds)
full_graph = c.cached(N.full_graph)
focus_nodes = c.cached(N.nodes_for_entity_keys)
evidence = c.cached(N.edge_evidence)
graph_html = c.cached(N.view_html)

lo, hi = bounds()
if not lo or not hi:
    st.info("No visits or meetings in the store yet, so there is no network to draw. "
            "Ingest articles on the Data page.")
    st.stop()

f = c.get_filters()
c.filter_caption(f)
if f.people:
    st.caption("People: the network shows them and their neighbours.")
focus = tuple(focus_nodes(tuple(f.people))) if f.people else ()
data = f.without_people()  # people choose the ego focus, not the events

c4, c5, c6, c7 = st.columns([1, 1, 2, 2])
with c4:
    min_weight = st.number_input("Minimum weight", min_value=1, max_value=1000, value=1,
                                 step=1, key="net_min_weight")
with c5:
    top_n = st.number_input("Top nodes", min_value=10, max_value=2000, value=N.DEFAULT_TOP_N,
                            step=10, key="net_top_n",
                            help="Keep only this many nodes, by weighted degree.")
with c6:
    node_kinds = st.multiselect("Node types", list(N.NODE_KINDS),
                                default=[model.PERSON, model.COUNTRY], key="net_kinds")
with c7:
    edge_kinds = st.multiselect("Edges", list(N.EDGE_KINDS), default=list(N.EDGE_KINDS),
                                key="net_edges")

base = N.GraphView(node_kinds=tuple(node_kinds), edge_kinds=tuple(edge_kinds),
                   min_weight=int(min_weight), top_n=int(top_n), focus=focus)
full = full_graph(data, N.GraphView(edge_kinds=base.edge_kinds))
choices = N.node_table(N.apply_view(full, replace(base, top_n=None)))
names = {k: f"{n} · {kind}" for k, n, kind in zip(choices["key"], choices["name"],
                                                    choices["kind"])}
entity_keys = dict(zip(choices["key"], choices["entity_key"]))
CLICK = {"ego": "shows its neighbours (ego view)", "profile": "opens its profile"}
clicked = st.session_state.pop("_net_clicked", None)  # a node clicked in the graph (previous run)
if clicked and st.session_state.get("net_click_mode", "ego") == "profile":
    st.switch_page("pages/profiles.py", query_params={"entity": clicked})
# The ego view is kept in the address as the entity's stable key (?ego=person:ishaq-dar).
wanted = clicked or (st.query_params.get("ego") if "net_ego" not in st.session_state else None)
if wanted:
    node = next(iter(focus_nodes((str(wanted)[:300],))), None)
    if node in entity_keys:
        st.session_state["net_ego"] = node
    elif clicked is None:
        st.caption("The ego view in the address is not in this network (other filters?): the whole network is shown.")
ego = st.selectbox("Ego view: one entity and its neighbours (by weighted degree)",
                   [""] + list(choices["key"]), key="net_ego",
                   format_func=lambda k: names.get(k, k) if k else "(whole network)")
c.set_url_param("ego", entity_keys.get(ego, "") if ego else "")
view_opts = replace(base, ego=ego or None, radius=1)

view = N.apply_view(full, view_opts)
if view.number_of_nodes() == 0:
    st.warning(f"Nothing matches these filters (events run from {lo} to {hi}). Widen the "
               "date window or the countries, or lower the minimum weight.")
    st.stop()

m1, m2, m3 = st.columns(3)
m1.metric("Nodes shown", view.number_of_nodes(), help=f"of {full.number_of_nodes()} in the window")
m2.metric("Edges shown", view.number_of_edges(), help=f"of {full.number_of_edges()} in the window")
m3.metric("Events (sum of weights)", int(sum(w for _, _, w in view.edges(data="weight"))))

HEIGHT = 640
assets = c.vis_assets()
doc = graph_html(data, view_opts, HEIGHT, assets)
st.radio("Clicking a node in the graph", list(CLICK), format_func=CLICK.get, horizontal=True,
         key="net_click_mode")
st.iframe(doc, height=HEIGHT + 70, alt="Network of officials and countries")
key_clicked = c.node_clicks("net_node_click")
if key_clicked and key_clicked in set(entity_keys.values()):
    st.session_state["_net_clicked"] = key_clicked
    st.rerun()
st.caption(N.legend(view) + " Hover for counts; drag to move; scroll to zoom; type a name in "
           "“Find a node” to focus it.")

edges = N.edge_table(view)
st.subheader("Evidence behind an edge")
# Meetings and visits first (heaviest first), then people's country links.
order = edges.assign(_affil=edges["kinds"].eq("affiliation")).sort_values(
    ["_affil", "weight"], ascending=[True, False], kind="stable")
edge_keys = [f"{u}|{v}" for u, v in zip(order["u"], order["v"])]
labels = {
    f"{r.u}|{r.v}": f"{r.source} — {r.target} ({r.kinds}, weight {r.weight})"
    for r in edges.itertuples()
}
picked = st.selectbox("Edge", edge_keys, format_func=lambda k: labels.get(k, k), key="net_edge")
if picked:
    u, v = picked.split("|", 1)
    ev = evidence(u, v, data)
    # The grid shows the newest reports and roles (a heavy edge has hundreds: the page would
    # send them all on every visit); the CSV has every row read.
    shown_ev = N.newest_evidence(ev, EVIDENCE_SHOWN)
    if len(shown_ev) < len(ev):
        st.caption(f"The newest {EVIDENCE_SHOWN} reports (and roles) of {len(ev):,} rows: "
                   "the CSV below has them all.")
    c.corrected_notice()
    pick = c.table(shown_ev, key="net_evidence", file_name="network-edge-evidence.csv", on_select="rerun",
                   csv=ev, column_config={"evidence": st.column_config.TextColumn("evidence", width="large"),
                                          "curated": st.column_config.TextColumn("✎ curated")})
    ev_row = c.selected_row(pick, shown_ev)
    if ev_row and isinstance(ev_row.get("key"), str):
        c.event_curation(ev_row["key"], "net_fix", status=ev_row.get("status"))

with st.expander("Edges and nodes of this view", key="net_tables", on_change="rerun") as tables_box:
    if tables_box.open:  # drawn only when opened
        c.table(edges.drop(columns=["u", "v"]), key="net_edges_table", file_name="network-edges.csv")
        c.table(N.node_table(view), key="net_nodes_table", file_name="network-nodes.csv")

st.subheader("Download this view")
e1, e2, e3 = st.columns(3)
# Built only when clicked (the callables run on Streamlit's download thread).
e1.download_button("GEXF (Gephi)", lambda: N.to_gexf(view), file_name="chancery-network.gexf",
                   mime="application/xml", key="net_dl_gexf", on_click="ignore")
e2.download_button("GraphML", lambda: N.to_graphml(view),
                   file_name="chancery-network.graphml", mime="application/xml",
                   key="net_dl_graphml", on_click="ignore")
e3.download_button("Standalone HTML (works offline)",
                   lambda: (N.inline_assets(doc, assets) if assets else doc).encode("utf-8"),
                   file_name="chancery-network.html", mime="text/html", key="net_dl_html",
                   on_click="ignore")
