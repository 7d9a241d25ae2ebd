"""Overview: corpus size and range, latest visits, rising topics, most active officials and
countries, the last ingest run and its errors."""
from __future__ import annotations

import streamlit as st

from analysis import model
from analysis.views import charts, queries
from pages import _common as c

st.title("Overview")
db = c.require_db()
f = c.page_filters()
c.filter_caption(f)

s = c.summary(f)
m = st.columns(5)
m[0].metric("Articles", f"{s['articles']:,}", help=f"{s['total_articles']:,} in the store; "
            f"{s['duplicates']:,} duplicate copies folded into them")
m[1].metric("From", s["first"] or "–")
m[2].metric("To", s["last"] or "–")
m[3].metric("Visits", f"{s['visits']:,}")
m[4].metric("Meetings", f"{s['meetings']:,}")
st.caption(f"{s['outlets']} outlets; {s['entities']:,} entities "
           f"({s['people']:,} people) in the store.")

if s["total_articles"] == 0:
    st.info("The store is empty. Add articles on the Data page.")

left, right = st.columns(2)
with left:
    st.subheader("Latest visits")
    visits = c.latest_events(f, (model.VISIT,), 10)
    c.table(visits[["date", "pair", "participants", "place", "status", "evidence", "title", "url"]],
            key="overview_visits", file_name="latest-visits.csv")
with right:
    st.subheader("Rising topics")
    days = st.radio("Window", [30, 90, 365], index=0, horizontal=True, key="overview_days",
                    format_func=lambda d: f"last {d} days vs the {d} before")
    rising = c.rising_topics(f, days)
    shown = rising.head(8)
    c.plot(charts.ranked_bars(shown, "label", "change", None,
                              ("recent", "recent_share", "prior", "prior_share"), percent=True),
           key="overview_rising")
    c.table(rising, key="overview_rising_table", file_name="rising-topics.csv",
            column_config={"recent_share": st.column_config.NumberColumn(format="percent"),
                           "prior_share": st.column_config.NumberColumn(format="percent"),
                           "change": st.column_config.NumberColumn(format="percent")},
            height=200)

left, right = st.columns(2)
with left:
    st.subheader("Most active officials")
    people = c.top_entities(f, "person", 10)
    c.table(people[["name", "country", "events", "mentions"]], key="overview_people",
            file_name="active-officials.csv")
with right:
    st.subheader("Most active countries")
    countries = c.top_entities(f, "country", 10)
    c.table(countries[["name", "country", "events", "mentions"]], key="overview_countries",
            file_name="active-countries.csv")

st.subheader("Last ingest")
run = c.last_ingest()
if run is None:
    st.caption("No ingest run recorded yet.")
else:
    r = st.columns(4)
    r[0].metric("Finished", str(run.get("finished_at") or run.get("status") or "–"))
    r[1].metric("New", int(run.get("new") or 0))
    r[2].metric("Duplicates", int(run.get("duplicates") or 0))
    r[3].metric("Errors", int(run.get("errors") or 0))
    c.labelled("Sources", queries.source_names(run.get("sources")), max_chars=300)
    errors = c.ingest_errors(int(run["id"]), 50)
    if not errors.empty:
        c.table(errors[["kind", "source", "item", "message", "occurrences"]], key="overview_errors",
                file_name="last-ingest-errors.csv")
