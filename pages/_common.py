"""Helpers shared by the page scripts: the store path, the cached view functions, the global
filters (kept in the URL query string), tables with a CSV download and a safe text renderer.

Nothing here runs SQL: every read goes through :mod:`analysis.views`, each function bound to
the store and cached by :func:`cached` (keyed on the store path and
:func:`analysis.views.queries.cache_token`, the data version plus the highest row ids), so a
finished ingest shows up on the next run. No connection is ever cached.
"""
from __future__ import annotations

import datetime as dt
import functools
import importlib
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

import pandas as pd
import streamlit as st

from analysis import config, model
from analysis.views import brief, curate, ftm, queries, safe
from analysis.views.filters import Filters, pair_text, parse_pair

P = ParamSpec("P")
R = TypeVar("R")


def _run_through_entrypoint() -> None:
    """Streamlit 1.67 keeps a relic of its old multipage mode: until ``st.navigation`` has run
    once in the server process, a repository with a ``pages/`` folder runs a requested sub-page
    (a shared link such as ``/visits?country=PAK`` opened first after a restart) on its own,
    without dashboard.py's navigation and filters. Switch that mode off and rerun: the rerun
    goes through dashboard.py, whose ``st.navigation`` opens the same page."""
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


_run_through_entrypoint()

#: Query-string names of the global filters (also the widget keys in the sidebar).
FILTER_KEYS = ("from", "to", "country", "person", "topic", "pair")
#: Longest single value written into the page address, and the most characters of all values
#: together: an over-long value (a 100,000-character entity name) is left out of the address
#: rather than sent, since servers refuse long request lines (HTTP 400 on reload).
MAX_URL_VALUE = 200
MAX_URL_TOTAL = 1500
_MIN_DATE = dt.date(1900, 1, 1)
_MAX_DATE = dt.date(2100, 12, 31)


def db_path() -> Path:
    """The store the dashboard reads (``CHANCERY_DB`` or ``data/chancery.db``)."""
    return config.db_path()


def store_problem_page(problem: str) -> None:
    """The whole page, when the store cannot be read: what is wrong and what to do (the file
    is left as it is), then stop."""
    st.title("Chancery cannot open its store")
    st.error(safe.escape_markdown(problem))
    st.markdown(
        "Nothing was changed. To go on, either\n\n"
        "- point Chancery at another store: start it with `CHANCERY_DB=/path/to/other.db`, or\n"
        "- move the file away; on the next start Chancery builds a new store from the sample "
        "corpus, and `python -m analysis ingest --db PATH SOURCE...` adds your articles.")
    st.stop()


_CHECKED_THIS_RUN = "_chancery_store_checked_this_run"


def check_store() -> None:
    """The entrypoint's check, once per run: show :func:`store_problem_page` and stop when the
    store is damaged, foreign or newer (an older one is upgraded), then mark the run as checked
    so that the page does not open the file again."""
    problem = queries.store_status(db_path())
    if problem:
        store_problem_page(problem)
    st.session_state[_CHECKED_THIS_RUN] = True


def stop_if_bad_store() -> None:
    """For pages: the same check, unless the entrypoint made it in this run (a page run on its
    own, as in tests, checks for itself)."""
    if st.session_state.pop(_CHECKED_THIS_RUN, False):
        return
    problem = queries.store_status(db_path())
    if problem:
        store_problem_page(problem)


def require_db() -> Path:
    """Return the store path, or explain and stop the page when there is no store yet (or it
    cannot be read)."""
    path = db_path()
    stop_if_bad_store()
    if not path.exists():
        st.info("There is no store yet. Add articles on the Data page, or run "
                "`python -m analysis ingest data/sample`.")
        st.stop()
    return path


@st.cache_data(show_spinner=False, max_entries=512)
def _run(module: str, name: str, db: str, token: tuple[int, ...], args: tuple, kwargs: tuple) -> Any:
    # The view is looked up when it runs (not when the page module was imported), so that the
    # function called is the one ``analysis.views`` holds now.
    return getattr(sys.modules[module], name)(db, *args, **dict(kwargs))


def cached(fn: Callable[Concatenate[Any, P], R]) -> Callable[P, R]:
    """A view function of :mod:`analysis.views` bound to the dashboard's store and cached with
    ``st.cache_data``, keyed on the store path and :func:`analysis.views.queries.cache_token`
    (the data version plus the highest row ids), so a finished ingest shows on the next run.
    The wrapper takes the view's arguments after the store: ``events(f, kinds, limit=50)``."""
    module, name = fn.__module__, fn.__name__

    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        db = str(db_path())
        return _run(module, name, db, queries.cache_token(db), args, tuple(sorted(kwargs.items())))

    return call  # type: ignore[return-value]


# The views the pages call, each bound to the store and cached (search for the name to find
# every caller).
filter_options = cached(queries.filter_options)
summary = cached(queries.summary)
events = cached(queries.events)
count_events = cached(queries.count_events)
event_people = cached(queries.event_people)
latest_events = cached(queries.latest_events)
visit_gaps = cached(queries.visit_gaps)
pair_visits = cached(queries.pair_visits)
pair_summary = cached(queries.pair_summary)
rising_topics = cached(queries.rising_topics)
rising_window = cached(queries.rising_window)
top_entities = cached(queries.top_entities)
country_topic_matrix = cached(queries.country_topic_matrix)
topic_articles = cached(queries.topic_articles)
search_articles = cached(queries.search_articles)
search_evidence = cached(queries.search_evidence)
article = cached(queries.article)
entities = cached(queries.entities)
entity_id = cached(queries.entity_id)
profile = cached(queries.profile)
ingest_runs = cached(queries.ingest_runs)
undated_articles = cached(queries.undated_articles)
last_ingest = cached(queries.last_ingest)
ingest_errors = cached(queries.ingest_errors)
store_stats = cached(queries.store_stats)
event_reports = cached(queries.event_reports)
export_events = cached(queries.export_events)
brief_text = cached(brief.build_text)
curation_log = cached(curate.log_frame)
curation_orphans = cached(curate.orphans)
curation_rejected = cached(curate.rejected)
curation_jsonl = cached(curate.export_jsonl)
curation_reports = cached(curate.reports)
ftm_export = cached(ftm.export_text)


def curation_import(text: str) -> dict[str, int]:
    """Import corrections (JSON Lines) into the dashboard's store."""
    return curate.import_jsonl(db_path(), text)


# Global filters -----------------------------------------------------------------------------

def _date(value: Any) -> str | None:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10]).isoformat()
        except ValueError:
            return None
    return None


def _param_list(key: str) -> tuple[str, ...]:
    vals = st.query_params.get_all(key)
    return tuple(dict.fromkeys(v.strip() for v in vals
                               if v and v.strip() and len(v) <= MAX_URL_VALUE))


def url_values(values: dict[str, Any]) -> dict[str, list[str]]:
    """The values to put into the page address: each key's list, without any value longer
    than :data:`MAX_URL_VALUE`, and without further values once :data:`MAX_URL_TOTAL`
    characters are used (the widgets keep them all; only the address leaves them out)."""
    out: dict[str, list[str]] = {}
    used = 0
    for key, val in values.items():
        wanted = [val] if isinstance(val, str) and val else [] if isinstance(val, str) else list(val or [])
        kept = []
        for v in (str(x) for x in wanted):
            if len(v) > MAX_URL_VALUE or used + len(v) > MAX_URL_TOTAL:
                continue
            kept.append(v)
            used += len(v)
        out[key] = kept
    return out


def get_filters() -> Filters:
    """The global filters of this run: the sidebar widgets' values when the dashboard drew
    them, else the URL query string (``?from=2025-01-01&country=PAK&country=AFG&person=…``)."""
    ss = st.session_state
    start = _date(ss["from"]) if "from" in ss else _date(st.query_params.get("from"))
    end = _date(ss["to"]) if "to" in ss else _date(st.query_params.get("to"))
    if start and end and start > end:
        start, end = end, start

    def many(key: str) -> tuple[str, ...]:
        if key in ss and isinstance(ss[key], (list, tuple)):
            return tuple(str(v) for v in ss[key])
        return _param_list(key)

    people = many("person")
    if people and db_path().exists():
        by_name = {name: key for key, name in filter_options()["people"].items()}
        people = tuple(by_name.get(p, p) for p in people)
    if "pair_a" in ss or "pair_b" in ss:
        pair = _pair_of(ss.get("pair_a"), ss.get("pair_b"))
    else:
        pair = parse_pair(st.query_params.get("pair")) or ()
    return Filters(start=start, end=end, countries=many("country"), people=people,
                   topics=many("topic"), pair=pair)


def set_pair(pair: tuple[str, ...]) -> None:
    """Callback: set (or, with ``()``, clear) the sidebar's "between two countries" pair. Run as
    a button's ``on_click``, before the sidebar is drawn again."""
    st.session_state["pair_a"], st.session_state["pair_b"] = (pair[0], pair[1]) if pair else (None, None)


def _pair_of(a: Any, b: Any) -> tuple[str, ...]:
    """The "between two countries" pair from the sidebar's two boxes (empty unless both are
    chosen and differ)."""
    return (str(a), str(b)) if isinstance(a, str) and isinstance(b, str) and a and b and a != b else ()


def _init_from_url(opts: dict[str, Any]) -> None:
    """Seed the filter widgets from the URL once per browser session (a shared link)."""
    if st.session_state.get("_filters_seeded"):
        return
    st.session_state["_filters_seeded"] = True
    qp = st.query_params
    for key in ("from", "to"):
        d = _date(qp.get(key))
        if d:
            st.session_state[key] = dt.date.fromisoformat(d)
    choices = {"country": set(opts["countries"]), "person": set(opts["people"].values()),
               "topic": set(opts["topics"])}
    for key, allowed in choices.items():
        vals = [v for v in _param_list(key) if v in allowed]
        if vals:
            st.session_state[key] = vals
    pair = parse_pair(qp.get("pair"))
    if pair and all(code in choices["country"] for code in pair):
        st.session_state["pair_a"], st.session_state["pair_b"] = pair


def _sync_url(values: dict[str, Any]) -> None:
    """Write the filters into the URL (only the keys that changed). Page navigation clears the
    query string, so every run puts the filters back and the address is always shareable."""
    qp = st.query_params
    for key, wanted in url_values(values).items():
        current = qp.get_all(key)
        if current == wanted:
            continue
        if wanted:
            qp[key] = wanted if len(wanted) > 1 else wanted[0]
        elif key in qp:
            del qp[key]


def set_url_param(key: str, value: str) -> None:
    """Put one page-state value into the address, or take it out when it is too long to send
    (see :data:`MAX_URL_VALUE`)."""
    if value and len(value) <= MAX_URL_VALUE:
        if st.query_params.get(key) != value:
            st.query_params[key] = value
    else:
        st.query_params.pop(key, None)


#: What a page loads on its first run, slow the first time, in the order an analyst is likely
#: to need it: each chart kind drawn once on made-up rows (plotly's validators, pandas' Arrow
#: group-by), the network's page template (pyvis brings IPython: half a second) and its
#: exports, python-docx for the briefing. Modules are imported; ``module:function`` is also
#: called. None of it reads the store.
WARM_MODULES = ("analysis.views.charts:warm_up", "analysis.views.network.render:warm_up",
                "analysis.views.network.export", "docx")
_warm_lock = threading.Lock()
_warm_started = False


def warm_up() -> None:
    """Load :data:`WARM_MODULES` in a background thread, once per server process, after the
    first page has been drawn (``dashboard.py`` calls this at the end of a run), so that an
    analyst's first click on a chart, the Network or the Briefing page does not wait for them."""
    global _warm_started
    with _warm_lock:
        if _warm_started:
            return
        _warm_started = True
    threading.Thread(target=_import_all, args=(WARM_MODULES,), name="chancery-warm-up", daemon=True).start()


def _import_all(names: tuple[str, ...]) -> None:
    for name in names:
        module, _, function = name.partition(":")
        try:
            loaded = importlib.import_module(module)
        except ImportError:  # a page that needs it says so when it runs
            continue
        if function:
            getattr(loaded, function)()


def sidebar_filters() -> Filters:
    """Draw the global filters in the sidebar and return them. ``dashboard.py`` calls this once
    per run, before the page, so the widgets are the same on every page and keep their values
    while the analyst navigates. A shared URL (``?from=2025-01-01&country=PAK&person=Ishaq
    Dar&topic=security``) seeds them in a new session; each run writes them back to the URL.
    """
    path = db_path()
    if not path.exists():
        return Filters()
    opts = filter_options()
    _init_from_url(opts)
    sb = st.sidebar
    sb.subheader("Filters")
    lo, hi = opts["min_date"], opts["max_date"]
    # One box per line: side by side, the sidebar cut a date to "2025." (issue 13).
    start = sb.date_input("From", value=None, key="from", min_value=_MIN_DATE, max_value=_MAX_DATE,
                          format="YYYY-MM-DD", help=f"The corpus starts on {lo}." if lo else None)
    end = sb.date_input("To", value=None, key="to", min_value=_MIN_DATE, max_value=_MAX_DATE,
                        format="YYYY-MM-DD", help=f"The corpus ends on {hi}." if hi else None)
    countries = sb.multiselect("Countries (ISO codes)", list(opts["countries"]), key="country",
                               placeholder="all countries")
    people = sb.multiselect("People", list(dict.fromkeys(opts["people"].values())), key="person",
                            placeholder="everyone")
    topics = sb.multiselect("Topics", list(opts["topics"]), key="topic", placeholder="all topics")
    pc = sb.columns(2)
    codes = list(opts["countries"])
    label = lambda code: f"{opts['countries'].get(code, code)} ({code})"  # noqa: E731
    pair_a = pc[0].selectbox("Between", codes, index=None, key="pair_a", placeholder="country", format_func=label,
                             help="Only events between two countries, in either direction "
                                  "(a visit from one to the other, or a meeting of their officials), "
                                  "and articles concerning both.")
    pair_b = pc[1].selectbox("and", [c for c in codes if c != pair_a], index=None, key="pair_b",
                             placeholder="country", format_func=label)
    pair = _pair_of(pair_a, pair_b)
    sb.caption("Filters are kept in the page address: copy it to share this view.")
    sb.text_input("Your name (for corrections)", key="analyst", max_chars=80,
                  placeholder=curate.analyst(), help="Corrections are logged under this name; "
                  "empty: the computer's user name.")
    s, e = _date(start), _date(end)
    if s and e and s > e:
        s, e = e, s
    _sync_url({"from": s, "to": e, "country": countries, "person": people,
               "topic": topics, "pair": pair_text(pair) if pair else ""})
    by_name = {name: key for key, name in opts["people"].items()}
    f = Filters(start=s, end=e, countries=tuple(countries),
                people=tuple(by_name.get(p, p) for p in people), topics=tuple(topics), pair=pair)
    st.session_state[_THIS_RUN] = f
    return f


_THIS_RUN = "_chancery_filters_this_run"


def page_filters() -> Filters:
    """The global filters for a page: those the entrypoint's sidebar returned in this run, or,
    when the page runs on its own (tests), those in the URL query string."""
    f = st.session_state.pop(_THIS_RUN, None)
    return f if isinstance(f, Filters) else get_filters()


def filter_caption(f: Filters) -> None:
    """Show the active filters under a page title (escaped: the values come from the URL)."""
    text("Filters: " + f.describe(), caption=True)


# Rendering ------------------------------------------------------------------------------------

def text(value: Any, *, caption: bool = False, max_chars: int | None = None) -> None:
    """Render untrusted text literally: escaped Markdown, never HTML, links or directives."""
    body = safe.escape_markdown(value, max_chars=max_chars)
    if caption:
        st.caption(body)
    else:
        st.markdown(body)


def labelled(label: str, value: Any, *, max_chars: int | None = None) -> None:
    """``**label:** value`` with the label ours and the value escaped."""
    st.markdown(f"**{safe.escape_markdown(label)}:** {safe.escape_markdown(value, max_chars=max_chars)}")


def table(df: pd.DataFrame, key: str, *, file_name: str | None = None,
          column_config: dict[str, Any] | None = None, hide: tuple[str, ...] = (),
          height: int | str = "auto", on_select: str = "ignore",
          selection_mode: str = "single-row", csv: pd.DataFrame | None = None) -> Any:
    """A dataframe with a CSV download of exactly the rows shown (all columns), or of ``csv``
    when the download has a shape of its own (the events export: one line per event).

    ``url`` columns become links only for http(s) URLs (others are blanked in the grid; the
    CSV keeps them as text). Empty text cells are shown blank, not "None". The grid renders
    cells as plain text, never HTML.
    """
    shown = df.copy()
    config_ = dict(column_config or {})
    for col in [c for c in shown.columns if c == "url" or c.endswith("_url")]:
        shown[col] = [safe.safe_url(u) for u in shown[col]]
        config_.setdefault(col, st.column_config.LinkColumn(col, width="medium"))
    for col in shown.columns:  # an empty text cell is blank, not "None" (numbers stay as they are)
        if shown[col].dtype == object or pd.api.types.is_string_dtype(shown[col].dtype):
            shown[col] = shown[col].where(shown[col].notna(), "")
    for col in hide:
        config_[col] = None
    kwargs: dict[str, Any] = {"hide_index": True, "column_config": config_, "key": key,
                              "height": height}
    if on_select != "ignore":
        kwargs.update(on_select=on_select, selection_mode=selection_mode)
    event = st.dataframe(shown, **kwargs)
    out = df if csv is None else csv
    # the CSV is written when the button is clicked, not on every run of the page
    st.download_button(f"Download CSV ({len(out)} rows)", lambda: safe.csv_bytes(out),
                       file_name=file_name or f"{key}.csv", mime="text/csv", key=f"{key}_csv", on_click="ignore")
    return event


def selected_row(event: Any, df: pd.DataFrame) -> dict[str, Any] | None:
    """The row picked in a ``table(..., on_select="rerun")`` grid, if any."""
    try:
        rows = event.selection.rows
    except AttributeError:
        return None
    if rows and 0 <= rows[0] < len(df):
        return df.iloc[rows[0]].to_dict()
    return None


def plot(fig: Any, key: str, *, select: bool = False) -> Any:
    """Show a plotly figure (served by Streamlit itself, no CDN); optionally selectable."""
    if select:
        return st.plotly_chart(fig, key=key, on_select="rerun", selection_mode=("points", "box"),
                               config={"displaylogo": False})
    return st.plotly_chart(fig, key=key, config={"displaylogo": False})


def selected_points(event: Any) -> list[dict[str, Any]]:
    """Points of a plotly selection (``[]`` when nothing is selected or unsupported)."""
    try:
        return list(event.selection.points or [])
    except AttributeError:
        return []


# The network's clicks -------------------------------------------------------------------------

#: Listens, in the dashboard's page, for the message the network frame posts when a node is
#: clicked (analysis/views/network/render.py) and hands the entity key to Python as a trigger
#: value. Our own code: no article text is in it, and the key is checked in Python.
_NODE_CLICK_JS = """
export default function (component) {
    const { setTriggerValue } = component;
    const onMessage = (event) => {
        const d = event.data;
        if (!d || d.type !== "chancery-node" || typeof d.key !== "string" || d.key.length > 300) { return; }
        if (event.origin !== window.location.origin && event.origin !== "null") { return; }
        setTriggerValue("node", d.key);
    };
    window.addEventListener("message", onMessage);
    return () => window.removeEventListener("message", onMessage);
}
"""
_node_click_bridge = None


def node_clicks(key: str) -> str | None:
    """Mount the listener for the network frame's node clicks; the entity key of the node
    clicked in this run, else None."""
    global _node_click_bridge
    if _node_click_bridge is None:
        import streamlit.components.v2 as components

        _node_click_bridge = components.component("chancery.node_click", js=_NODE_CLICK_JS)
    res = _node_click_bridge(key=key, on_node_change=lambda: None)
    value = getattr(res, "node", None)
    return value if isinstance(value, str) and 0 < len(value) <= MAX_URL_VALUE else None


#: The dashboard's static folder (``server.enableStaticServing``): next to ``dashboard.py``.
STATIC_DIR = config.REPO_ROOT / "static"


@st.cache_resource(show_spinner=False)
def vis_assets() -> str | None:
    """The path on this host the Network page's frame loads vis-network from (published into
    :data:`STATIC_DIR` once per server process, so the browser caches it instead of receiving
    it inline with every drawing), or None to keep it inline: static serving is off, or the
    folder cannot be written."""
    from analysis.views.network import render

    if not st.get_option("server.enableStaticServing") or not render.publish_assets(STATIC_DIR):
        return None
    base = str(st.get_option("server.baseUrlPath") or "").strip("/")
    return "/".join(["", *([base] if base else []), "app", "static", render.VIS_FOLDER])


# Corrections ----------------------------------------------------------------------------------

def analyst() -> str | None:
    """The name corrections are made under (the sidebar's "Your name"), else None (the OS user)."""
    name = st.session_state.get("analyst")
    return name.strip()[:80] if isinstance(name, str) and name.strip() else None


def correct(action: str, *args: Any, **kwargs: Any) -> bool:
    """Make one correction through :mod:`analysis.views.curate`; show what happened. The
    caches key on the store's data version, so every page shows the correction on the next run."""
    try:
        log_id = curate.apply(db_path(), action, *args, by=analyst(), **kwargs)
    except curate.CurationError as exc:
        st.error(safe.escape_markdown(str(exc)))
        return False
    st.session_state["_chancery_corrected"] = f"{action} recorded as correction {log_id}; undo it on the Data page."
    return True


def corrected_notice() -> None:
    """The message of the correction made in the previous run, once."""
    msg = st.session_state.pop("_chancery_corrected", None)
    if msg:
        st.success(safe.escape_markdown(msg))


def event_curation(key: str, ctx: str, *, status: str | None = None, others: dict[str, str] | None = None) -> None:
    """Correction controls for one event (Visits, Articles): reject, confirm, correct date,
    status or place, merge with another event. ``ctx`` keeps widget keys unique per page."""
    with st.expander("Correct this event", expanded=False):
        text(f"Event key: {key}", caption=True)
        why = st.text_input("Why (kept in the curation log)", key=f"{ctx}_why", max_chars=500)
        b = st.columns(2)
        if b[0].button("Reject: not a real event, or a background mention", key=f"{ctx}_reject"):
            if correct("reject-event", key, why=why or None):
                st.rerun()
        if b[1].button("Confirm: checked against the sources", key=f"{ctx}_confirm"):
            if correct("confirm-event", key, why=why or None):
                st.rerun()
        with st.form(f"{ctx}_set", border=False):
            s = st.columns(3)
            new_date = s[0].text_input("Date (YYYY, YYYY-MM or YYYY-MM-DD)", key=f"{ctx}_date", max_chars=10)
            statuses = ["", *model.statuses()]
            new_status = s[1].selectbox("Status", statuses, key=f"{ctx}_status",
                                        index=statuses.index(status) if status in statuses else 0)
            new_place = s[2].text_input("Place", key=f"{ctx}_place", max_chars=200)
            if st.form_submit_button("Correct date, status or place"):
                changes = {k: v for k, v in (("date", new_date), ("status", new_status if new_status != status else ""),
                                             ("place", new_place)) if v}
                if not changes:
                    st.warning("Nothing to correct: give a date, another status or a place.")
                elif correct("set-event", key, why=why or None, **changes):
                    st.rerun()
        reps = curation_reports(key)
        if len(reps) > 1:
            labels = {r.report: f"{r.published or 'undated'} · {r.title} · {r.evidence}" for r in reps.itertuples()}
            moved = st.selectbox("Move a report out: it is another happening", [""] + list(labels),
                                 format_func=lambda k: labels.get(k, "")[:160] if k else "", key=f"{ctx}_move")
            if moved and st.button("Move it out to an event of its own", key=f"{ctx}_move_go"):
                if correct("move-report", key, moved, why=why or None):
                    st.rerun()
        if others:
            other = st.selectbox("Merge with another event (it joins this one)", [""] + list(others),
                                 format_func=lambda k: others.get(k, "")[:150] if k else "",
                                 key=f"{ctx}_merge")
            if other and st.button("Merge the two events", key=f"{ctx}_merge_go"):
                if correct("merge-events", key, other, why=why or None):
                    st.rerun()
