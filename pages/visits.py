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
st.caption("One row per event: its reports (the sentences that report it, in one or more "
           "articles) merged. Pick a row to read every report. A date 'not given' is a "
           "background mention without a date (shown with the day it was reported).")
shown = events.assign(date=[d if isinstance(d, str) else f"not given, reported {fr}"
                            for d, fr in zip(events["date"], events["first_reported"])])
export = c.export_events(f, kinds_t, limit=5000)  # the download: one line per event
export = export[export["status"].fillna(model.unknown_status()).isin(statuses)]
c.corrected_notice()
picked = c.table(shown[["date", "date_from", "kind", "status", "pair", "participants", "place", "reports",
                        "outlets", "evidence", "curated", "title", "outlet", "url", "sources", "cameo", "key",
                        "article_id"]],
                 key="visits_table", file_name="chancery-events.csv", on_select="rerun", csv=export,
                 column_config={"curated": st.column_config.TextColumn("✎ curated", help=(
                     "What an analyst corrected, with the original value (blank: as extracted)"))})
row = c.selected_row(picked, shown)
if row:
    st.markdown("**Reports of this event**")
    c.text(f"{row['key']}: {row['reports']} report(s) in {row['outlets']} outlet(s)", caption=True)
    if row["curated"]:
        c.text(f"✎ {row['curated']}", caption=True)
    if row["sources"]:
        c.text(f"Sources of the article: {row['sources']}", caption=True, max_chars=2000)
    ev_id = int(events.loc[events["key"] == row["key"], "id"].iloc[0])
    c.table(c.event_reports(ev_id), key="visits_reports", file_name="event-reports.csv",
            column_config={"evidence": st.column_config.TextColumn("evidence", width="large")})
    near = events[(events["key"] != row["key"]) & (events["kind"].isin(
        [row["kind"], *([m for m in (model.MEETING, model.TALKS) if row["kind"] in (model.MEETING, model.TALKS)])]))]
    others = {k: f"{d or 'undated'} · {k}" for k, d in zip(near["key"], near["date"])}
    c.event_curation(row["key"], "visits_fix", status=row["status"], others=dict(list(others.items())[:300]))

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
