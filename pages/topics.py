"""Topics: frequency over time as a share of articles (raw counts on hover), a country × topic
grid, and the articles behind a selected point or cell."""
from __future__ import annotations

import streamlit as st

from analysis.views import charts
from pages import _common as c

st.title("Topics")
db = c.require_db()
f = c.page_filters()
c.filter_caption(f)

freq = st.radio("Period", ["week", "month"], index=1, horizontal=True, key="topics_freq")
series = c.topic_series(f, freq)
st.subheader("Share of articles per topic")
line_event = c.plot(charts.topic_lines(series), key="topics_lines", select=True)
st.caption("Share = articles tagged with the topic ÷ all articles of the period under the "
           "filters; hover for the raw counts. Click or box-select points to list their articles.")

st.subheader("Countries × topics")
matrix = c.country_topic_matrix(f)
cell_event = c.plot(charts.country_topic_heatmap(matrix), key="topics_heatmap", select=True)
st.caption("Colour = share of the articles concerning a country that carry the topic.")

st.subheader("Articles")
topic_names = dict(zip(series["topic_id"], series["label"])) if not series.empty else {}
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

with st.expander("Data behind the charts"):
    c.table(series, key="topics_series_table", file_name=f"topic-share-by-{freq}.csv", height=240)
    c.table(matrix, key="topics_matrix_table", file_name="country-topic.csv", height=240)
