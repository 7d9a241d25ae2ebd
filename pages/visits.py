"""Visits and meetings: a timeline by country pair, official or country; the events table with
the evidence sentence and the article; the gap since the last visit between two countries."""
from __future__ import annotations

import streamlit as st

from analysis import model
from analysis.views import charts, queries
from pages import _common as c

st.title("Visits and meetings")
db = c.require_db()
f = c.page_filters()
c.filter_caption(f)

ctl = st.columns([2, 2, 2])
group = ctl[0].radio("Timeline rows", ["Country pair", "Official", "Country"], horizontal=True,
                     key="visits_group")
RELATIONS = list(model.relation_kinds())
kinds = ctl[1].multiselect("Kinds", RELATIONS, default=RELATIONS, key="visits_kinds")
STATUSES = [*model.statuses(), model.unknown_status()]
statuses = ctl[2].multiselect("Status", STATUSES, default=STATUSES, key="visits_status")
kinds_t = tuple(kinds) or tuple(RELATIONS)

events = c.events(f, kinds_t, limit=5000)
events = events[events["status"].fillna(model.unknown_status()).isin(statuses)]

if group == "Official":
    people = c.event_people(f, kinds_t)
    people = people[people["status"].fillna(model.unknown_status()).isin(statuses)]
    fig = charts.events_timeline(people, "name", None)
elif group == "Country":
    fig = charts.events_timeline(queries.country_rows(events), "country_involved", None)
else:
    fig = charts.events_timeline(events, "pair", None)
c.plot(fig, key="visits_timeline")
st.caption("Filled marker: took place; open: planned; ×: cancelled. Hover a point for the "
           "evidence sentence and its source.")

st.subheader(f"Events ({len(events)})")
c.table(events[["date", "date_from", "kind", "status", "pair", "participants", "place", "evidence", "title",
                "outlet", "url", "cameo", "article_id"]],
        key="visits_table", file_name="visits-meetings.csv")

st.subheader("Time since the last visit")
gaps = c.visit_gaps(f)
if gaps.empty:
    st.caption("No visits that took place for these filters.")
else:
    c.table(gaps, key="visits_gaps", file_name="visit-gaps.csv",
            column_config={"days_since_last": st.column_config.NumberColumn("days since last"),
                           "mean_gap_days": st.column_config.NumberColumn("mean gap (days)")})
    codes = sorted(set(gaps["visitor"]) | set(gaps["host"]))
    busiest = gaps.sort_values(["visits", "last"], ascending=False).iloc[0]  # default pair
    pc = st.columns(2)
    a = pc[0].selectbox("Country", codes, index=codes.index(busiest["visitor"]), key="visits_pair_a")
    others = [x for x in codes if x != a] or codes
    b_default = busiest["host"] if busiest["host"] in others else others[0]
    b = pc[1].selectbox("and country", others, index=others.index(b_default), key="visits_pair_b")
    pair = c.pair_visits(a, b, f)
    if pair.empty:
        st.caption("No visits between these two countries.")
    else:
        last = pair.iloc[-1]
        days = c.visit_gaps(f)
        since = days[((days.visitor == a) & (days.host == b)) | ((days.visitor == b) & (days.host == a))]
        c.text(f"Last visit between {a} and {b}: {last['visitor']} → {last['host']} on "
               f"{last['date']}, {int(since['days_since_last'].min())} days ago; "
               f"{len(pair)} visit(s) in all.")
        c.table(pair, key="visits_pair", file_name=f"visits-{a}-{b}.csv")
