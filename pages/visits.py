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

if f.pair:
    # Between two countries: lead with the answer to "when was the last visit between them,
    # who, and what about".
    a, b = f.pair
    ps = c.pair_summary(a, b, f)
    names = ps["names"]
    an, bn = names.get(a, a), names.get(b, b)
    st.subheader(f"Between {an} and {bn}")
    last = ps["last_visit"]
    if last:
        c.labelled("Last visit", f"{last['date']}, {last['direction']}: {last['who'] or 'participants not named'}"
                   + (f", in {last['place']}" if last["place"] else ""))
        if last["topics"]:
            c.labelled("What about", ", ".join(last["topics"]))
        c.text(f"“{last['evidence']}” ({last['outlet'] or 'unknown outlet'}: {last['title']})", caption=True,
               max_chars=600)
    else:
        st.markdown("**No visit between them that took place** under these filters.")
    other = ps["last_other"]
    if other:
        c.labelled(f"Last {model.vocabulary()['event_kinds'].get(other['kind'], {}).get('label', other['kind']).lower()}",
                   f"{other['date']}: {other['who'] or other['direction']}"
                   + (f", in {other['place']}" if other["place"] else ""))
    counts = ", ".join(model.kind_count(k, n) for k, n in ps["counts"].items()) or "none"
    directions = ", ".join(f"{n} {d}" for d, n in ps["visits"].items()) or "none"
    c.text(f"Events between them: {counts}. Visits that took place: {directions}.", caption=True)
    st.button("Leave the between-two-countries view", key="visits_pair_leave", on_click=c.set_pair, args=((),))
else:
    st.caption("To see only what passes between two countries, choose them under **Between** in the "
               "sidebar, or pick a row in “Time since the last visit” below.")

ctl = st.columns([2, 2, 2])
group = ctl[0].radio("Timeline rows", ["Country pair", "Official", "Country"], horizontal=True,
                     key="visits_group")
RELATIONS = list(model.relation_kinds())
kinds = ctl[1].multiselect("Kinds", RELATIONS, default=RELATIONS, key="visits_kinds")
STATUSES = [*model.statuses(), model.unknown_status()]
statuses = ctl[2].multiselect("Status", STATUSES, default=STATUSES, key="visits_status")
kinds_t = tuple(kinds) or tuple(RELATIONS)

# One page of events at a time, newest first: the cost of a page grows with the page, not with
# the store. The timeline and the table show the same page.
PAGE = 500
n_events = c.count_events(f, kinds_t)
pages = max(1, -(-n_events // PAGE))
page_no = 1
if pages > 1:
    page_no = int(st.number_input(f"Page (of {pages:,}; {PAGE} events each, newest first)", min_value=1,
                                  max_value=pages, value=1, step=1, key="visits_page"))
offset = (page_no - 1) * PAGE
events = c.events(f, kinds_t, limit=PAGE, offset=offset)
events = events[events["status"].fillna(model.unknown_status()).isin(statuses)]

if group == "Official":
    people = c.event_people(f, kinds_t, limit=PAGE, offset=offset)
    people = people[people["status"].fillna(model.unknown_status()).isin(statuses)]
    fig = charts.events_timeline(people, "name", None)
elif group == "Country":
    fig = charts.events_timeline(queries.country_rows(events), "country_involved", None)
else:
    fig = charts.events_timeline(events, "pair", None)
c.plot(fig, key="visits_timeline")
if pages > 1:
    st.caption(f"The timeline and the table show events {offset + 1:,}–{offset + PAGE if page_no < pages else n_events:,} "
               f"of {n_events:,} (newest first): narrow the filters or turn the page for older ones.")
st.caption("Filled marker: took place; open: planned; ×: cancelled. Hover a point for the "
           "evidence sentence and its source.")

st.subheader(f"Events ({len(events)})" if pages == 1 else
             f"Events {offset + 1:,}–{offset + len(events):,} of {n_events:,}")
st.caption("One row per event: its reports (the sentences that report it, in one or more "
           "articles) merged. Pick a row to read every report. A date 'not given' is a "
           "background mention without a date (shown with the day it was reported).")
shown = events.assign(date=[d if isinstance(d, str) else f"not given, reported {fr}"
                            for d, fr in zip(events["date"], events["first_reported"])])
export = c.export_events(f, kinds_t, limit=PAGE, offset=offset)  # the download: one line per event shown
export = export[export["status"].fillna(model.unknown_status()).isin(statuses)]
c.corrected_notice()
# The article's fact sources are long lists of URLs: shown for the picked row, not in the grid.
picked = c.table(shown[["date", "date_from", "kind", "status", "pair", "participants", "place", "reports",
                        "outlets", "evidence", "curated", "title", "outlet", "url", "cameo", "key",
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
    picked_gap = c.table(gaps, key="visits_gaps", file_name="visit-gaps.csv", on_select="rerun",
                         column_config={"days_since_last": st.column_config.NumberColumn("days since last"),
                                        "mean_gap_days": st.column_config.NumberColumn("mean gap (days)")})
    gap = c.selected_row(picked_gap, gaps)
    if gap and not f.pair:
        st.button(f"Show only what passes between {gap['visitor']} and {gap['host']}", key="visits_pair_go",
                  on_click=c.set_pair, args=((gap["visitor"], gap["host"]),))
    elif not f.pair:
        st.caption("Pick a row to see everything between those two countries.")
if f.pair:
    a, b = f.pair
    pair = c.pair_visits(a, b, f)
    st.markdown(f"**Visits between {a} and {b}** (oldest first; gap: days since the previous one)")
    if pair.empty:
        st.caption("No visits between these two countries.")
    else:
        c.table(pair, key="visits_pair", file_name=f"visits-{a}-{b}.csv")
