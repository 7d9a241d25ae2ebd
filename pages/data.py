"""Data: add articles (upload, paste, URL or feed) through the one ingest path, see recorded
errors, and re-run extraction. spaCy is imported only inside the button handlers."""
from __future__ import annotations

import datetime as _dt
from pathlib import Path

import streamlit as st

from analysis import config
from analysis.views import curate, queries, safe
from pages import _common as c

#: File types the ingest path reads (the app checks them itself, not only the browser).
UPLOAD_TYPES = ("txt", "md", "html", "htm", "csv", "jsonl", "json", "xml", "rss", "atom")

c.stop_if_bad_store()
st.title("Data")
db = c.db_path()
limit = config.max_bytes()


def _ingest_module():
    """analysis.ingest, imported lazily: the dashboard pays for spaCy only when extracting."""
    from analysis import ingest

    return ingest


def _report(summary: dict) -> None:
    """Show an ingest summary; error messages are escaped (they quote file names and content)."""
    new, dup, err = summary.get("new", 0), summary.get("duplicates", 0), summary.get("errors", 0)
    msg = f"{new} new article(s), {dup} duplicate(s), {err} error(s)."
    (st.warning if err else st.success)(msg)
    if summary.get("undated"):
        st.warning(f"{summary['undated']} of the new articles have no publication date, so no dated view "
                   "shows them: give them one under “Articles without a date” below.")
    for m in (summary.get("error_messages") or [])[:20]:
        c.text(m, caption=True, max_chars=400)


def _run(label: str, fn) -> None:
    with st.spinner(label):
        try:
            summary = fn(_ingest_module())
        except Exception as exc:  # noqa: BLE001 - show the failure, keep the page alive
            st.error("The ingest failed: " + type(exc).__name__)
            c.text(str(exc), caption=True, max_chars=400)
            return
    st.session_state["data_last_summary"] = summary


tab_up, tab_paste, tab_url = st.tabs(["Upload files", "Paste text", "URL or feed"])
with tab_up:
    st.caption(f"Text, Markdown, saved HTML pages, RSS/Atom feeds, CSV or JSON Lines; "
               f"at most {limit / 1e6:g} MB per file.")
    # No ``type=`` here: Streamlit would raise on a disallowed extension sent by a client and
    # break the page; the app checks each file's type and size itself below.
    files = st.file_uploader("Files", accept_multiple_files=True, key="data_upload",
                             help="Accepted: " + ", ".join(f".{t}" for t in UPLOAD_TYPES))
    if st.button("Ingest the uploaded files", key="data_upload_go", disabled=not files):
        ok = []
        for up in files or []:
            ext = Path(up.name).suffix.lower().lstrip(".")
            if up.size > limit:
                st.error(f"Too large, skipped: {up.size:,} bytes (limit {limit:,}).")
                c.text(up.name, caption=True, max_chars=200)
            elif ext not in UPLOAD_TYPES:
                st.error("Unsupported file type, skipped: ." + safe.escape_markdown(ext[:10]))
                c.text(up.name, caption=True, max_chars=200)
            else:
                ok.append(up)
        if ok:
            def go(ing, ok=ok):
                total = {"new": 0, "duplicates": 0, "errors": 0, "error_messages": []}
                bar = st.progress(0.0, text="Counting the items…")
                for i, up in enumerate(ok):
                    def show(done, n, i=i):  # items of file i written so far, of n
                        head = f"File {i + 1} of {len(ok)}"
                        part = min(1.0, done / n) if n else 0.0
                        bar.progress((i + part) / len(ok), text=f"{head}: {done:,} of {n:,} items" if n else head)
                    s = ing.ingest_bytes(db, up.name, up.getvalue(), on_progress=show)
                    for k in ("new", "duplicates", "errors"):
                        total[k] += int(s.get(k) or 0)
                    total["error_messages"] += list(s.get("error_messages") or [])
                return total
            _run("Reading and extracting…", go)

with tab_paste:
    st.caption("Front matter at the top of the text (--- title: … date: … outlet: … url: … ---) is read as in "
               "a file; the fields below win over it. Without a date, a dateline opening the text "
               "(“ISLAMABAD, Nov 20, 2025 -”) dates the article.")
    pf = st.columns([3, 1])
    title = pf[0].text_input("Title (optional)", key="data_paste_title", max_chars=500)
    published = pf[1].date_input("Published (optional)", value=None, key="data_paste_date", format="YYYY-MM-DD",
                                 min_value=_dt.date(1900, 1, 1), max_value=_dt.date(2100, 12, 31))
    pf2 = st.columns([1, 3])
    outlet = pf2[0].text_input("Outlet (optional)", key="data_paste_outlet", max_chars=200,
                               placeholder="Dawn, Reuters…")
    page_url = pf2[1].text_input("URL (optional)", key="data_paste_url", max_chars=2000, placeholder="https://…")
    body = st.text_area("Article text", key="data_paste_text", height=200, max_chars=limit)
    if st.button("Ingest the text", key="data_paste_go", disabled=not (body or "").strip()):
        link = (page_url or "").strip()
        if link and not link.lower().startswith(("http://", "https://")):
            st.error("The URL must start with http:// or https:// (or leave it empty).")
        else:
            _run("Extracting…", lambda ing: ing.ingest_text(
                db, body, title=title or None, url=link or None, outlet=(outlet or "").strip() or None,
                published=published.isoformat() if published else None))

with tab_url:
    url = st.text_input("Web page, RSS/Atom feed or sitemap URL", key="data_url", max_chars=2000,
                        placeholder="https://…")
    if st.button("Fetch and ingest", key="data_url_go", disabled=not (url or "").strip()):
        u = url.strip()
        if not u.lower().startswith(("http://", "https://")):
            st.error("Give an http(s) URL.")
        else:
            _run("Fetching and extracting…", lambda ing: ing.ingest_sources(db, [u]))

if "data_last_summary" in st.session_state:
    st.subheader("Last result")
    _report(st.session_state["data_last_summary"])

if not db.exists():
    st.info("No store yet: the first ingest creates it.")
    st.stop()

st.subheader("Store")
s = c.store_stats()
m = st.columns(6)
for col, (label, k) in zip(m, [("Articles", "articles"), ("Duplicates", "duplicates"),
                               ("Entities", "entities"), ("Events", "events"),
                               ("Topic tags", "topic_tags"), ("Errors", "errors")]):
    col.metric(label, f"{s[k]:,}")

st.subheader("Articles without a date")
undated = c.undated_articles(200)
n_undated = c.summary()["undated"] if not undated.empty else 0
if undated.empty:
    st.caption("Every article has a publication date.")
else:
    st.caption(f"{n_undated:,} article(s) have no publication date: they are in no dated view (timelines, "
               "topic trends, date filters) and their undated events have no day. Give one its date: the "
               "correction is logged and sticks, like the others.")
    c.table(undated[["id", "title", "outlet", "source", "ingested_at"]].assign(
                ingested_at=undated["ingested_at"].map(queries.timestamp_text)), key="data_undated",
            file_name="undated-articles.csv",
            column_config={"ingested_at": st.column_config.TextColumn("stored", width="medium")})
    with st.form("data_set_date", border=False):
        u = st.columns([3, 2, 1])
        labels = {int(r.id): f"#{r.id} · {str(r.title or '(no title)')[:90]}" for r in undated.itertuples()}
        pick = u[0].selectbox("Article", list(labels), index=None, format_func=lambda i: labels.get(i, str(i)),
                              key="data_set_date_article", placeholder="choose an article")
        day = u[1].date_input("Published on", value=None, key="data_set_date_day", format="YYYY-MM-DD",
                              min_value=_dt.date(1900, 1, 1), max_value=_dt.date(2100, 12, 31))
        if u[2].form_submit_button("Set the date"):
            if pick is None or day is None:
                st.warning("Choose an article and a day.")
            elif c.correct("set-article-date", int(pick), day.isoformat()):
                st.rerun()

st.subheader("Ingest runs")
runs = c.ingest_runs(50)
c.table(runs.assign(sources=runs["sources"].map(queries.source_names),
                    started_at=runs["started_at"].map(queries.timestamp_text),
                    finished_at=runs["finished_at"].map(queries.timestamp_text)), key="data_runs",
        file_name="ingest-runs.csv",
        column_config={"started_at": st.column_config.TextColumn("started", width="medium"),
                       "finished_at": st.column_config.TextColumn("finished", width="medium")})
st.subheader("Recorded errors")
errors = c.ingest_errors(None, 500)
if errors.empty:
    st.caption("No errors recorded.")
else:
    c.table(errors, key="data_errors", file_name="ingest-errors.csv")

st.subheader("Re-extract")
st.caption("Run extraction again over every stored article, after the rules, gazetteers or "
           "taxonomy changed.")
if st.button("Re-extract all articles", key="data_reextract"):
    with st.spinner("Re-extracting…"):
        bar = st.progress(0.0, text="Re-extracting…")

        def show(done: int, n: int | None) -> None:
            bar.progress(min(1.0, done / n) if n else 1.0, text=f"{done:,} of {n or 0:,} articles re-extracted")
        try:
            r = _ingest_module().reextract(db, on_progress=show)
        except Exception as exc:  # noqa: BLE001
            st.error("Re-extraction failed: " + type(exc).__name__)
            c.text(str(exc), caption=True, max_chars=400)
        else:
            (st.warning if r.get("failed") else st.success)(
                f"Re-extracted {r.get('articles', 0)} article(s); {r.get('failed', 0)} failed "
                "(they keep their previous facts; see Recorded errors).")
            for m in (r.get("error_messages") or [])[:20]:
                c.text(m, caption=True, max_chars=400)

st.subheader("Export for Aleph")
st.caption("The store's people, organisations, countries, places, articles, events and reports as "
           "FollowTheMoney entities (JSON Lines, each validated by the followthemoney library), "
           "curated: rejected events are left out. The same as `python -m analysis export ftm`.")
if st.button("Prepare the FollowTheMoney export", key="data_ftm_prepare") or st.session_state.get("data_ftm_ready"):
    st.session_state["data_ftm_ready"] = True
    text = c.ftm_export()
    st.download_button(f"Download FollowTheMoney entities ({text.count(chr(10)):,} lines)", text.encode("utf-8"),
                       file_name="chancery.ftm.jsonl", mime="application/jsonl", key="data_ftm_dl",
                       on_click="ignore")

st.subheader("Corrections")
st.caption("Every correction made on the Visits, Articles and Profiles pages or with "
           "`python -m analysis curate`. They hold across re-extraction and new ingests. One whose "
           "target the store no longer has is *orphaned*: kept, and applied again if it comes back.")
c.corrected_notice()
log = c.curation_log()
orphaned = set(c.curation_orphans()["id"])
if log.empty:
    st.caption("No corrections yet.")
else:
    shown = log.assign(state=["undone" if isinstance(u, str) else ("orphaned" if i in orphaned else "in force")
                              for i, u in zip(log["id"], log["undone_at"])])
    c.table(shown[["id", "at", "analyst", "action", "target_key", "change", "was", "note", "state"]],
            key="data_curation_log", file_name="curation-log.csv")
    live = [int(i) for i, a, u in zip(log["id"], log["action"], log["undone_at"])
            if a != "undo" and not isinstance(u, str)]
    u = st.columns([2, 1])
    pick = u[0].selectbox("Undo a correction", [None, *live], key="data_undo_pick",
                          format_func=lambda i: "" if i is None else f"#{i}")
    if pick is not None and u[1].button("Undo", key="data_undo_go"):
        if c.correct("undo", int(pick)):
            st.rerun()
rejected = c.curation_rejected()
if not rejected.empty:
    with st.expander(f"Rejected events ({len(rejected)})"):
        c.table(rejected, key="data_rejected", file_name="rejected-events.csv")
share = st.columns(2)
share[0].download_button("Download the log (JSON Lines)", c.curation_jsonl().encode("utf-8"),
                         file_name="chancery-curation.jsonl", mime="application/jsonl", key="data_curation_dl",
                         on_click="ignore")
up = share[1].file_uploader("Import a colleague's log (JSON Lines)", type=["jsonl", "json"], key="data_curation_up")
if up is not None and share[1].button("Import", key="data_curation_import"):
    data = up.getvalue()
    if len(data) > limit:
        st.error(f"That file is larger than {limit:,} bytes.")
    else:
        try:
            res = c.curation_import(data.decode("utf-8", errors="replace"))
        except curate.CurationError as exc:
            st.error(safe.escape_markdown(str(exc)))
        else:
            st.success(f"{res['added']} correction(s) added, {res['skipped']} already in the log, "
                       f"{res['orphaned']} orphaned.")
