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
st.caption(f"{s['outlets']} outlet(s); {s['entities']:,} entities "
           f"({s['people']:,} people) in the store.")

if s["total_articles"] == 0:
    st.info("The store is empty. Add articles on the Data page.")
if s["undated"]:
    with st.expander(f"{s['undated']:,} article(s) without a publication date: in no dated view"):
        st.caption("Their dates are not in the text or its metadata. Set them on the **Data** page "
                   "(“Articles without a date”), or with `python -m analysis curate set-date ARTICLE YYYY-MM-DD`.")
        c.table(c.undated_articles(10)[["id", "title", "outlet", "source"]], key="overview_undated",
                file_name="undated-articles.csv")

left, right = st.columns(2)
with left:
    st.subheader("Latest visits")
    visits = c.latest_events(f, (model.VISIT,), 10)
    c.table(visits[["date", "pair", "participants", "place", "status", "evidence", "title", "url"]],
            key="overview_visits", file_name="latest-visits.csv")
with right:
    st.subheader("Rising topics")
    days = st.radio("Window in days (against as many days before)", [30, 90, 365], index=0, horizontal=True,
                    key="overview_days")
    win = c.rising_window(f, days)
    if win.get("anchor"):
        c.text(f"{win['recent_from']} to {win['recent_to']} ({win['recent_articles']} articles) against the "
               f"{days} days before ({win['prior_articles']} articles); the window ends on "
               + ("the newest article's day." if win["anchor_from"] == "newest article" else "the date filter's end."),
               caption=True)
    rising = c.rising_topics(f, days)
    shown = rising.head(8)
    c.plot(charts.ranked_bars(shown, "label", "change", None,
                              ("recent", "recent_share", "prior", "prior_share"), percent=True),
           key="overview_rising")
    c.table(shown[["label", "recent", "prior", "change"]], key="overview_rising_table", file_name="rising-topics.csv",
            column_config={"label": st.column_config.TextColumn("topic"),
                           "change": st.column_config.NumberColumn("change in share", format="percent")},
            csv=rising)
    st.caption("The **Topics** page lets you choose the day the window ends.")

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
    c.labelled("Finished" if run.get("finished_at") else "Status",
               queries.timestamp_text(run.get("finished_at")) or str(run.get("status") or "–")
               + (f" ({run['status']})" if run.get("finished_at") and run.get("status") != "finished" else ""))
    r = st.columns(3)
    r[0].metric("New", int(run.get("new") or 0))
    r[1].metric("Duplicates", int(run.get("duplicates") or 0))
    r[2].metric("Errors", int(run.get("errors") or 0))
    c.labelled("Sources", queries.source_names(run.get("sources")), max_chars=300)
    errors = c.ingest_errors(int(run["id"]), 50)
    if not errors.empty:
        c.table(errors[["kind", "source", "item", "message", "occurrences"]], key="overview_errors",
                file_name="last-ingest-errors.csv")
