"""Articles: safe full-text search over articles and evidence sentences, filters, and a reader
with entities highlighted and the extracted facts beside it."""
from __future__ import annotations

import streamlit as st

from analysis.views import queries, safe
from pages import _common as c

st.title("Articles")
db = c.require_db()
f = c.page_filters()
c.filter_caption(f)

opts = c.filter_options()
sc = st.columns([3, 1])
text = sc[0].text_input("Search titles, texts and evidence sentences", key="q", bind="query-params",
                        max_chars=safe.MAX_QUERY_CHARS,
                        placeholder='words or "a phrase"; Haqq* for a prefix')
outlet = sc[1].selectbox("Outlet", opts["outlets"], index=None, key="outlet", bind="query-params",
                         placeholder="any outlet")
if text and safe.fts_query(text) is None:
    st.caption("Nothing searchable in that text (only punctuation or control characters): "
               "showing the newest articles.")

results = c.search_articles(f, text or None, outlet=outlet)
st.subheader(f"Articles ({len(results)})")
if results.attrs.get("order") == "newest":
    st.caption(f"The words are in {results.attrs['matches']:,} articles, too many to rank: the newest stored come "
               "first. Add a word or a filter for the best matches.")
event = c.table(results, key="articles_results", file_name="articles.csv",
                column_config={"snippet": st.column_config.TextColumn("snippet", width="large")},
                on_select="rerun")
if text and safe.fts_query(text):
    evidence = c.search_evidence(f, text)
    shown = (f"the {len(evidence)} best matches" if len(evidence) >= queries.EVIDENCE_ROWS
             else str(len(evidence)))
    with st.expander(f"Evidence sentences matching the search ({shown})",
                     expanded=not evidence.empty and results.empty):
        c.table(evidence, key="articles_evidence", file_name="evidence.csv")

# The reader: a row picked in the grid, or the article chosen below; its id is kept in the URL
# (?article=12) so a reading view can be shared.
row = c.selected_row(event, results)
titles = dict(zip(results["id"].astype(int), results["title"].fillna("(untitled)")))
if row is not None:
    st.session_state["article_pick"] = int(row["id"])
elif "article_pick" not in st.session_state:
    try:
        st.session_state["article_pick"] = int(st.query_params.get("article", ""))
    except ValueError:
        pass
current = st.session_state.get("article_pick")
if current is not None and current not in titles:
    titles[current] = f"article #{current}"
chosen = st.selectbox("Read article", list(titles), index=None, key="article_pick",
                      format_func=lambda i: f"{titles.get(i, i)} (#{i})"[:160],
                      placeholder="pick a row above or choose here")
if chosen is None:
    st.query_params.pop("article", None)
    st.stop()
st.query_params["article"] = str(chosen)

art = c.article(int(chosen))
if art is None:
    st.warning("That article is no longer in the store.")
    st.stop()

st.divider()
st.subheader(safe.escape_markdown(art["title"] or "(untitled)"))
meta = [x for x in (art["published"], art["outlet"], art["author"]) if x]
c.text(" · ".join(meta), caption=True)
if art["url"]:
    url = safe.safe_url(art["url"])
    if url:
        st.link_button("Open the original", url)
    c.text(f"URL: {art['url']}", caption=True)
if art["sources"]:
    c.text("Sources this article was written from: " + " ; ".join(art["sources"]), caption=True, max_chars=3000)
c.corrected_notice()

left, right = st.columns([3, 2])
with left:
    mentions = art["mentions"]
    spans = [(int(m.start), int(m.end)) for m in mentions.itertuples() if m.entity_id == m.entity_id
             and m.entity_id is not None]
    st.markdown(safe.highlight_markdown(art["text"], spans, max_chars=60_000))
    st.caption("Bold: names linked to an entity. Extractor "
               + safe.escape_markdown(art["extractor_version"] or "unknown") + ".")
with right:
    st.markdown("**Entities**")
    c.table(art["entities"][["name", "kind", "country", "mentions"]], key="article_entities",
            file_name=f"article-{chosen}-entities.csv", height=220)
    st.markdown("**Events**")
    picked_ev = c.table(art["events"], key="article_events", file_name=f"article-{chosen}-events.csv", height=220,
                        on_select="rerun",
                        column_config={"curated": st.column_config.TextColumn("✎ curated")})
    ev_row = c.selected_row(picked_ev, art["events"])
    if ev_row and isinstance(ev_row.get("key"), str):
        c.event_curation(ev_row["key"], "article_fix", status=ev_row.get("status"))
    elif ev_row:
        st.caption("This report's event was rejected by an analyst (undo it on the Data page).")
    st.markdown("**Roles**")
    c.table(art["roles"], key="article_roles", file_name=f"article-{chosen}-roles.csv", height=160)
    st.markdown("**Topics**")
    c.table(art["topics"], key="article_topics", file_name=f"article-{chosen}-topics.csv", height=160)
    if not art["copies"].empty:
        st.markdown("**Other copies of this story**")
        c.table(art["copies"], key="article_copies", file_name=f"article-{chosen}-copies.csv")
