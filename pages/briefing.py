"""Briefing: a note for a scope (countries, people, period, "new since"), built from the curated
facts, previewed here and downloaded as Markdown, Word (DOCX) or HTML, with a numbered
reference for every event."""
from __future__ import annotations

import datetime as dt

import streamlit as st

from analysis.views import brief, charts
from pages import _common as c

st.title("Briefing")
db = c.require_db()
f = c.page_filters()
c.filter_caption(f)
st.caption("A note built from the store's facts as analysts corrected them: rejected events never "
           "appear, corrected ones appear corrected. Every event cites the reports behind it "
           "(outlet, title, date, URL, the sentence). The scope starts from the sidebar filters.")

opts = c.filter_options()
sc = st.columns([3, 3])
countries = sc[0].multiselect("Countries", list(opts["countries"]), default=list(f.countries),
                              key="brief_countries", placeholder="all countries")
people_names = {name: key for key, name in opts["people"].items()}
people = sc[1].multiselect("People", list(people_names),
                           default=[n for n, k in people_names.items() if k in f.people],
                           key="brief_people", placeholder="everyone")
dc = st.columns(3)


def _day(value):
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


lo, hi = _day(opts.get("min_date")), _day(opts.get("max_date"))
start = dc[0].date_input("From", value=_day(f.start), min_value=dt.date(1900, 1, 1), key="brief_from")
end = dc[1].date_input("To", value=_day(f.end), min_value=dt.date(1900, 1, 1), key="brief_to")
since = dc[2].date_input("New since", value=None, min_value=dt.date(1900, 1, 1), key="brief_since",
                         help="Events first reported, officials first named and topics rising from this day.")
title = st.text_input("Title", key="brief_title", max_chars=200, placeholder="Briefing: … (from the scope)")
if start and end and start > end:
    start, end = end, start
if f.pair:
    c.text(f"Between {f.pair[0]} and {f.pair[1]} only (the sidebar's “Between … and”): the note lists the "
           "events between the two countries, in either direction.", caption=True)
scope = brief.Scope(countries=tuple(countries), pair=tuple(f.pair), people=tuple(people_names[p] for p in people),
                    start=start.isoformat() if start else None, end=end.isoformat() if end else None,
                    since=since.isoformat() if since else None, title=title.strip() or None)

# The note is built once per scope and store version; its Markdown is rendered at once
# (milliseconds), the HTML and Word files only when their button is clicked (they hold the
# timeline as a picture, drawn offline by matplotlib; python-docx takes a second on a long note).
built = c.brief_text(scope)
note = built["note"]
m = st.columns(4)
m[0].metric("Events", len(note["events"]))
m[1].metric("References", len(note["references"]))
m[2].metric("Articles", note["figures"]["articles"])
m[3].metric("Country pairs", len(note["pairs"]))
d = st.columns(3)
stem = "chancery-brief"
d[0].download_button("Download Word (DOCX)", lambda: brief.render(note, "docx"), file_name=f"{stem}.docx",
                     mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                     key="brief_docx", on_click="ignore")
d[1].download_button("Download Markdown", built["md"], file_name=f"{stem}.md",
                     mime="text/markdown", key="brief_md", on_click="ignore")
d[2].download_button("Download HTML", lambda: brief.render(note, "html"), file_name=f"{stem}.html",
                     mime="text/html", key="brief_html", on_click="ignore")

st.divider()
st.subheader("Preview")
if note["timeline"]:
    c.plot(charts.kind_bars(note["timeline"], note["figure_caption"]), key="brief_timeline")
preview, cut = brief.preview_markdown(note)
st.markdown(preview)
if cut:
    st.info(f"The preview stops here; the downloads hold the whole note ({len(note['events'])} events, "
            f"{len(note['references'])} references).")
