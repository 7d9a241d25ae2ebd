"""Topics: frequency over time as a share of articles, with the number of articles per period
under it (thin periods not drawn, empty ones breaking the lines, baseline topics set apart),
the topics rising before a chosen day, a country × topic grid, and the articles behind a
selected point or cell."""
from __future__ import annotations

import datetime as dt

import streamlit as st

from analysis.views import charts, trends
from pages import _common as c

st.title("Topics")
db = c.require_db()
f = c.page_filters()
c.filter_caption(f)

topic_trends = c.cached(trends.topic_trends)
auto_freq = c.cached(trends.auto_freq)

ctl = st.columns([3, 2])
minimum = ctl[1].number_input("Fewest articles for a share", min_value=1, max_value=1000,
                              value=trends.MIN_ARTICLES, step=1, key="topics_min",
                              help="A period with fewer articles shows its count but no share, "
                                   "so one or two articles never draw a 0% or 100% point.")
best = auto_freq(f, int(minimum))
freq = ctl[0].radio("Period", list(trends.FREQS), index=trends.FREQS.index(best), horizontal=True,
                    key="granularity", bind="query-params",
                    help=f"Opens on the finest period whose typical one holds {int(minimum)} articles "
                         f"({best} here).")
t = topic_trends(f, freq, int(minimum))
series = t["lines"]
st.subheader("Share of articles per topic")
line_event = c.plot(charts.topic_lines(t), key="topics_lines", select=True)
notes = [f"Share = articles tagged with the topic ÷ all articles of the {freq} under the filters; "
         f"the bars under it count the articles. A {freq} with fewer than {t['min_articles']} articles "
         "(grey bar) has no share point, and a line stops at an empty one."]
if t["clipped_from"]:
    notes.append(f"Drawn from {t['clipped_from']}: the last {trends.MAX_PERIODS[freq]} {freq}s up to the newest "
                 "article; choose a start date in the sidebar for an earlier range.")
if t["thin"]:
    notes.append(f"{t['thin']} {freq}(s) here have too few articles for a share.")
if not t["baseline"].empty:
    notes.append("Baseline, not a trend: " + "; ".join(
        f"{r.label} is on {r.share:.0%} of the articles" for r in t["baseline"].itertuples())
        + " (hidden: click it in the legend to draw it).")
notes.append("Click or box-select points to list their articles.")
c.text(" ".join(notes), caption=True)

st.subheader("Rising topics")
rc = st.columns([2, 2])
days = rc[0].radio("Window in days (against as many days before)", [30, 90, 365], index=0, horizontal=True,
                   key="window", bind="query-params")
anchor = rc[1].date_input("Window ends on (empty: the newest article)", value=None, key="anchor",
                          bind="query-params", format="YYYY-MM-DD",
                          min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))
anchor_s = anchor.isoformat() if isinstance(anchor, dt.date) else None
win = c.rising_window(f, int(days), anchor_s)
if not win.get("anchor"):
    st.caption("No dated articles for these filters.")
else:
    c.text(f"Recent: {win['recent_from']} to {win['recent_to']} ({win['recent_articles']} articles) against "
           f"{win['prior_from']} to {win['prior_to']} ({win['prior_articles']} articles). The window ends on "
           f"{win['anchor']}: " + {"chosen": "the day chosen",
                                   "filter end": "the end of the date filter",
                                   "newest article": "the newest article's day"}[win["anchor_from"]] + ".",
           caption=True)
    rising = c.rising_topics(f, int(days), anchor=anchor_s)
    if min(win["recent_articles"], win["prior_articles"]) < int(minimum):
        st.warning(f"One of the two windows has fewer than {int(minimum)} articles: these changes rest on "
                   "very few articles. Widen the window or move its end.")
    c.plot(charts.ranked_bars(rising.head(8), "label", "change", None,
                              ("recent", "recent_share", "prior", "prior_share"), percent=True),
           key="topics_rising")
    c.table(rising[["label", "recent", "prior", "recent_share", "prior_share", "change"]], key="topics_rising_table",
            file_name="rising-topics.csv",
            column_config={"label": st.column_config.TextColumn("topic", width="medium"),
                           "recent_share": st.column_config.NumberColumn("recent share", format="percent"),
                           "prior_share": st.column_config.NumberColumn("prior share", format="percent"),
                           "change": st.column_config.NumberColumn(format="percent")})

st.subheader("Countries × topics")
matrix = c.country_topic_matrix(f)
cell_event = c.plot(charts.country_topic_heatmap(matrix), key="topics_heatmap", select=True)
st.caption("Colour = share of the articles concerning a country that carry the topic.")

st.subheader("Articles")
topic_names = dict(zip(series["topic_id"], series["label"])) if not series.empty else {}
topic_names.update(zip(t["baseline"]["topic_id"], t["baseline"]["label"]))
if not matrix.empty:
    topic_names.update(zip(matrix["topic_id"], matrix["label"]))
country_names = dict(zip(matrix["code"], matrix["country"])) if not matrix.empty else {}

# A chart selection wins; the select boxes are the keyboard (and AppTest) way to the same lists.
picked = None
for pt in c.selected_points(cell_event):
    cd = pt.get("customdata")
    if cd and len(cd) == 2:
        picked = {"country": cd[0], "topic": cd[1], "period": None}
        break
if picked is None:
    for pt in c.selected_points(line_event):
        cd = pt.get("customdata")
        if cd and len(cd) == 2:
            picked = {"country": None, "topic": cd[0], "period": cd[1]}
            break

if picked is None:
    sc = st.columns(3)
    topic = sc[0].selectbox("Topic", list(topic_names), index=None, key="topics_pick_topic",
                            format_func=lambda t: str(topic_names.get(t, t)),
                            placeholder="choose a topic")
    periods = sorted(set(series["period"]), reverse=True) if not series.empty else []
    period = sc[1].selectbox("Period", periods, index=None, key="topics_pick_period",
                             placeholder="any period")
    country = sc[2].selectbox("Country", list(country_names), index=None, key="topics_pick_country",
                              format_func=lambda x: f"{country_names.get(x, x)} ({x})",
                              placeholder="any country")
    picked = {"topic": topic, "period": period, "country": country}
else:
    c.text("Selected on the chart: " + ", ".join(
        f"{k} {topic_names.get(v, v) if k == 'topic' else v}" for k, v in picked.items() if v),
        caption=True)

if picked["topic"]:
    arts = c.topic_articles(f, picked["topic"], period=picked["period"], freq=freq,
               country=picked["country"])
    c.text(f"{len(arts)} article(s) tagged {topic_names.get(picked['topic'], picked['topic'])}"
           + (f" in the {freq} of {picked['period']}" if picked["period"] else "")
           + (f" concerning {country_names.get(picked['country'], picked['country'])}"
              if picked["country"] else ""))
    c.table(arts, key="topics_articles", file_name="topic-articles.csv")
else:
    st.caption("Pick a topic (or a point or cell above) to list its articles.")

# Drawn only when opened (its three tables are most of what a closed expander would send).
with st.expander("Data behind the charts", key="topics_data", on_change="rerun") as data_box:
    if data_box.open:
        c.table(series, key="topics_series_table", file_name=f"topic-share-by-{freq}.csv", height=240)
        c.table(t["periods"], key="topics_periods_table", file_name=f"articles-by-{freq}.csv", height=240)
        c.table(matrix, key="topics_matrix_table", file_name="country-topic.csv", height=240)
