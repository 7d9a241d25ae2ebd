"""Chancery: the Streamlit entry point. ``streamlit run dashboard.py``

Builds ``data/chancery.db`` from the bundled sample corpus on first run when it is absent,
then hands over to the pages. Page scripts only read widgets, call ``analysis`` and render.
"""
from __future__ import annotations

import streamlit as st

from analysis import config
from analysis.views import queries

st.set_page_config(page_title="Chancery", layout="wide")

def _overview_address() -> None:
    """``/overview`` (a link typed or shared by page name) opens the Overview, which lives at
    the root address, with the same query string."""
    st.switch_page(PAGES[0], query_params={k: st.query_params.get_all(k) for k in st.query_params})


PAGES = [
    # served at "/"; its own url_path must differ from the /overview alias below
    st.Page("pages/overview.py", title="Overview", default=True, url_path="home"),
    st.Page("pages/visits.py", title="Visits"),
    st.Page("pages/topics.py", title="Topics"),
    st.Page("pages/network.py", title="Network"),
    st.Page("pages/articles.py", title="Articles"),
    st.Page("pages/profiles.py", title="Profiles"),
    st.Page("pages/briefing.py", title="Briefing"),
    st.Page("pages/data.py", title="Data"),
]
page = st.navigation([*PAGES, st.Page(_overview_address, title="Overview", url_path="overview",
                                      visibility="hidden")])

# The store is checked after the navigation is set up, so that a problem page still shows
# Chancery's own page list. (pages._common is imported only once the navigation exists: see its
# _run_through_entrypoint.)
from pages._common import check_store, sidebar_filters, store_problem_page, warm_up  # noqa: E402

DB = config.db_path()
if not DB.exists() or DB.stat().st_size == 0:
    with st.spinner("First run: building the store from the sample corpus…"):
        from analysis.ingest import ensure_sample_db  # imports spaCy only when building

        try:
            ensure_sample_db(DB)
        except queries.STORE_ERRORS as exc:
            store_problem_page(queries.store_error_message(exc, DB))
check_store()

# The global filters (date range, countries, people, topics) are drawn here, in the entrypoint,
# so that they are the same widgets on every page and keep their values while navigating. They
# are written to the URL query string on every run, so a filtered view can be shared.
try:
    sidebar_filters()
    page.run()
except queries.STORE_ERRORS as exc:
    # Damage deeper in the file than the opening check reads shows up here, on any page.
    store_problem_page(queries.store_error_message(exc, DB))
# The first page is drawn: load what other pages need in the background (pages/_common.warm_up).
warm_up()
