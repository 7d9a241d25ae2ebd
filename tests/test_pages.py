"""AppTests of the dashboard pages on an empty store, a small realistic store, a store holding
hostile payloads and (when it builds) the sample store.

Every page: no exception, its key elements present, a filter changes the result. Safety: the
raw payloads never reach rendered Markdown or plotly figures, and their escaped forms do.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest
from test_queries import PAYLOADS, make_store

from analysis.views import safe
from analysis import store

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["overview", "visits", "topics", "articles", "profiles", "briefing", "data"]
TIMEOUT = 30


# fixtures -----------------------------------------------------------------------------------

@pytest.fixture
def empty_store(tmp_path, monkeypatch) -> Path:
    p = tmp_path / "empty.db"
    store.open_db(p).conn.close()
    monkeypatch.setenv("CHANCERY_DB", str(p))
    return p


@pytest.fixture
def real_store(tmp_path, monkeypatch) -> Path:
    p = make_store(tmp_path / "real.db")
    monkeypatch.setenv("CHANCERY_DB", str(p))
    return p


@pytest.fixture
def hostile_store(tmp_path, monkeypatch) -> Path:
    p = make_store(tmp_path / "hostile.db", hostile=True)
    monkeypatch.setenv("CHANCERY_DB", str(p))
    return p


def run_page(name: str, query: dict[str, Any] | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=TIMEOUT)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def rendered_text(at: AppTest) -> list[str]:
    """Everything a page rendered as Markdown: markdown, captions, titles, headers, alerts,
    metric labels."""
    out: list[str] = []
    for kind in ("markdown", "caption", "title", "header", "subheader", "error", "warning",
                 "info", "success"):
        out += [str(e.value) for e in getattr(at, kind)]
    out += [str(m.label) for m in at.metric]
    return out


def plot_json(at: AppTest) -> str:
    """Every plotly figure spec of the page, decoded (plotly renders HTML, not Markdown)."""
    return "\n".join(json.dumps(json.loads(el.proto.spec), ensure_ascii=False)
                     for el in at.get("plotly_chart"))


def subheaders(at: AppTest) -> list[str]:
    return [s.value for s in at.main.subheader]


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def table(at: AppTest, key: str):
    """The DataFrame shown by ``_common.table(..., key=key)``. Read-only grids carry no element
    key in AppTest, so they are found through their CSV button (one per table, right after it)."""
    keys = [b.key for b in at.download_button if b.key.endswith("_csv")]  # not the log/brief files
    assert len(keys) == len(at.dataframe), "every table has a CSV download"
    return at.dataframe[keys.index(f"{key}_csv")].value


def has_table(at: AppTest, key: str) -> bool:
    return f"{key}_csv" in [b.key for b in at.download_button]


def plot_specs(at: AppTest) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


# every page, every store --------------------------------------------------------------------

@pytest.mark.parametrize("page", PAGES)
def test_page_on_empty_store(empty_store, page):
    at = run_page(page)
    assert at.title, "page has a title"


@pytest.mark.parametrize("page", PAGES)
def test_page_on_missing_store_explains(tmp_path, monkeypatch, page):
    monkeypatch.setenv("CHANCERY_DB", str(tmp_path / "absent.db"))
    at = run_page(page)
    assert any("store" in i.value for i in at.info)
    assert not (tmp_path / "absent.db").exists()  # a page never creates the store


def test_overview(real_store):
    at = run_page("overview")
    assert metric(at, "Articles") == "6" and metric(at, "Visits") == "4"  # events: May preview + visit, one
    assert metric(at, "From") == "2024-12-23"
    for key in ("overview_visits", "overview_people", "overview_countries", "overview_errors"):
        assert has_table(at, key), key
    people = table(at, "overview_people")
    assert people.iloc[0]["name"] == "Mohammad Sadiq"
    narrowed = run_page("overview", {"from": "2025-05-01"})
    assert metric(narrowed, "Articles") == "4"
    assert run_page("overview", {"person": "Ishaq Dar"}).metric[0].value == "2"


def test_visits(real_store):
    at = run_page("visits")
    events = table(at, "visits_table")
    assert len(events) == 8 and {"evidence", "title", "url"} <= set(events.columns)  # 9 reports
    assert all(u.startswith("https://") for u in events["url"])
    specs = plot_specs(at)
    assert specs and {t["name"] for t in specs[0]["data"]} == {"visit", "meeting"}
    gaps = table(at, "visits_gaps")
    assert set(zip(gaps.visitor, gaps.host)) == {("PAK", "AFG"), ("AFG", "PAK")}
    assert not has_table(at, "visits_pair")  # the visits between two countries are a mode of their own
    paired = run_page("visits", {"pair": "PAK-AFG"})
    pair = table(paired, "visits_pair")
    assert list(pair["gap_days"].fillna(-1).astype(int)) == [-1, 117, 21, 18]
    lead = [m.value.replace("\\", "") for m in paired.markdown]
    assert any(v.startswith("**Last visit:**") and pair.iloc[-1]["date"] in v for v in lead), lead
    # filters change the result: global (URL) and page controls
    later = run_page("visits", {"from": "2025-05-01"})
    assert len(table(later, "visits_table")) == 3  # 4 reports; the May preview and visit are one
    at.multiselect(key="visits_kinds").set_value(["visit"]).run()
    assert len(table(at, "visits_table")) == 4  # 5 visit reports, 4 visits
    # the only planned report (Sadiq's May preview) is now part of the visit, which took place
    at.multiselect(key="visits_status").set_value(["planned"]).run()
    assert table(at, "visits_table").empty
    at.multiselect(key="visits_status").set_value(["occurred"]).run()
    assert set(table(at, "visits_table")["status"]) == {"occurred"}
    at.radio(key="visits_group").set_value("Official").run()
    assert not at.exception
    names = {y for t in plot_specs(at)[0]["data"] for y in t["y"]}
    assert names == {"Mohammad Sadiq", "Ishaq Dar", "Amir Khan Muttaqi"}
    at.radio(key="visits_group").set_value("Country").run()
    assert {y for t in plot_specs(at)[0]["data"] for y in t["y"]} == {"PAK", "AFG"}


def test_topics(real_store):
    at = run_page("topics", {"granularity": "month"})
    at.number_input(key="topics_min").set_value(1).run()
    specs = plot_specs(at)
    assert len(specs) == 3  # the trend, the rising topics, the country x topic grid
    lines = [t for t in specs[0]["data"] if t["type"] == "scatter"]
    bars = [t for t in specs[0]["data"] if t["type"] == "bar"]
    assert {t["name"] for t in lines} == {"Security", "Trade", "Refugees"}
    assert max(max(y for y in t["y"] if y is not None) for t in lines) <= 1.0  # shares, not counts
    assert any("of 4 articles" in txt for t in lines for txt in t["text"])  # raw counts on hover
    assert len(bars) == 1 and sum(bars[0]["y"]) == 6  # the articles per period, alongside
    heat = specs[2]["data"][0]
    assert set(heat["y"]) == {"Pakistan", "Afghanistan"}
    assert not has_table(at, "topics_articles")
    at.selectbox(key="topics_pick_topic").set_value("trade").run()
    assert set(table(at, "topics_articles")["id"]) == {2, 5, 6}
    at.selectbox(key="topics_pick_country").set_value("PAK").run()
    assert set(table(at, "topics_articles")["id"]) == {2, 5}
    at.selectbox(key="topics_pick_period").set_value("2025-05-01").run()
    assert set(table(at, "topics_articles")["id"]) == {5}
    assert not has_table(at, "topics_series_table")  # the data expander is drawn when opened
    at.session_state["topics_data"] = True  # open it
    at.radio(key="granularity").set_value("week").run()
    assert not at.exception
    assert all(p in set(table(at, "topics_series_table")["period"])
               for p in ("2024-12-23", "2025-05-26"))
    only = run_page("topics", {"topic": "refugees", "granularity": "month"})
    only.number_input(key="topics_min").set_value(1).run()
    assert {t["name"] for t in plot_specs(only)[0]["data"] if t["type"] == "scatter"} == {"Refugees"}


def test_topics_draw_no_share_from_too_few_articles(real_store):
    """The default minimum (5 articles) holds on every drawn point; empty months break the line
    (None), every month of the range has its bar, and the chosen period and window are in the
    address."""
    at = run_page("topics", {"granularity": "month", "window": "90", "anchor": "2025-06-30"})
    assert at.radio(key="granularity").value == "month" and at.radio(key="window").value == 90
    assert at.date_input(key="anchor").value.isoformat() == "2025-06-30"
    fig = plot_specs(at)[0]["data"]
    bars = next(t for t in fig if t["type"] == "bar")
    totals = dict(zip(bars["x"], bars["y"]))
    assert len(totals) == 6 and 0 in totals.values()  # 2024-12 .. 2025-05, empty months included
    for t in (t for t in fig if t["type"] == "scatter"):
        for x, y in zip(t["x"], t["y"]):
            assert y is None or totals[x] >= 5, (t["name"], x, y)
    assert all(y is None for t in fig if t["type"] == "scatter" for y in t["y"])  # no month has 5
    words = " ".join(c.value.replace("\\", "") for c in at.caption)
    assert "fewer than 5 articles" in words and "2025-04-01 to 2025-06-30" in words and "the day chosen" in words


def test_articles_search_filters_and_reader(real_store):
    at = run_page("articles")
    assert len(table(at, "articles_results")) == 6
    at.text_input(key="q").set_value("Kabul").run()
    assert set(table(at, "articles_results")["id"]) == {1, 2, 4, 5}
    assert len(table(at, "articles_evidence")) > 0
    at.selectbox(key="outlet").set_value("The News").run()
    assert set(table(at, "articles_results")["id"]) == {2, 4}
    at.selectbox(key="outlet").set_value(None).run()
    at.selectbox(key="article_pick").set_value(1).run()
    assert not at.exception
    assert subheaders(at)[-1] == "Sadiq visits Kabul"
    body = next(m.value for m in at.markdown if "Special Representative" in m.value)
    assert "**Mohammad Sadiq**" in body and "**Sirajuddin Haqqani**" in body
    assert len(table(at, "article_events")) == 3
    assert "Mohammad Sadiq" in set(table(at, "article_entities")["name"])
    assert at.query_params.get("article") in ("1", ["1"])
    # the date filter in the URL narrows the list; an article id in the URL opens the reader
    shared = run_page("articles", {"to": "2024-12-31", "article": "3"})
    assert list(table(shared, "articles_results")["id"]) == [1]
    assert subheaders(shared)[-1] == "Muttaqi in Islamabad"


@pytest.mark.parametrize("text", ["", '"', "NEAR(", "*", "-x", "title:x", "\x00", "a" * 300,
                                  "Modi's", "U.S.-China", "'; DROP TABLE articles; --"])
def test_articles_search_any_input(real_store, text):
    at = run_page("articles")
    at.text_input(key="q").set_value(text).run()
    assert not at.exception
    assert isinstance(len(table(at, "articles_results")), int)


def test_profiles(real_store):
    at = run_page("profiles")
    listing = table(at, "profiles_list")
    assert listing.iloc[0]["name"] == "Mohammad Sadiq"
    at.text_input(key="profile_search").set_value("dar").run()
    assert list(table(at, "profiles_list")["name"]) == ["Ishaq Dar"]
    entity = int(table(at, "profiles_list").iloc[0]["id"]) if "id" in \
        table(at, "profiles_list") else None
    conn = store.connect_ro(real_store)
    entity = conn.execute("SELECT id FROM entities WHERE key = 'person:ishaq-dar'").fetchone()[0]
    conn.close()
    at.selectbox(key="profile_pick").set_value(entity).run()
    assert not at.exception
    assert at.header[0].value == "Ishaq Dar"
    assert metric(at, "Visits made") == "1" and metric(at, "Quotes") == "1"
    assert list(table(at, "profile_quotes")["quote"]) == ["trade would grow"]
    assert "Deputy Prime Minister" in set(table(at, "profile_roles")["title"])
    assert at.query_params.get("entity") in ("person:ishaq-dar", ["person:ishaq-dar"])
    # shared link to a country profile, narrowed by date
    pak = run_page("profiles", {"entity": "country:PAK"})
    assert pak.header[0].value == "Pakistan"
    assert metric(pak, "Visits made") == "3" and metric(pak, "Visits hosted") == "1"  # events
    later = run_page("profiles", {"entity": "country:PAK", "from": "2025-05-01"})
    assert metric(later, "Visits made") == "1"  # Sadiq's May visit (its preview is the same event)


def test_data_page_lists_runs_and_errors(real_store):
    at = run_page("data")
    assert metric(at, "Articles") == "6"
    assert len(table(at, "data_errors")) == 1
    assert len(table(at, "data_runs")) == 1
    assert at.file_uploader(key="data_upload")


class FakeIngest:
    """Stands in for analysis.ingest (no spaCy in page tests); records the calls."""

    def __init__(self):
        self.calls: list[tuple] = []

    def summary(self, errors: int = 0):
        return {"new": 1, "duplicates": 0, "errors": errors,
                "error_messages": [f"bad {PAYLOADS[0]}"] if errors else []}

    def ingest_bytes(self, db, name, data, on_progress=None):
        self.calls.append(("bytes", name, len(data)))
        if on_progress:
            on_progress(1, 2)
            on_progress(2, 2)
        return self.summary(errors=1 if name.endswith(".csv") else 0)

    def ingest_text(self, db, text, title=None, url=None, outlet=None, published=None):
        self.calls.append(("text", title, text))
        self.fields = {"url": url, "outlet": outlet, "published": published}
        return self.summary()

    def ingest_sources(self, db, sources):
        self.calls.append(("sources", tuple(sources)))
        return self.summary()

    def reextract(self, db, on_progress=None):
        self.calls.append(("reextract",))
        if on_progress:
            on_progress(0, 6)
            on_progress(6, 6)
        return {"articles": 6, "failed": 0}


@pytest.fixture
def fake_ingest(monkeypatch):
    from analysis import ingest

    fake = FakeIngest()
    for name in ("ingest_bytes", "ingest_text", "ingest_sources", "reextract"):
        monkeypatch.setattr(ingest, name, getattr(fake, name))
    return fake


def test_data_page_checks_uploads_itself(real_store, fake_ingest, monkeypatch):
    monkeypatch.setenv("CHANCERY_MAX_BYTES", "100")
    at = run_page("data")
    at.file_uploader(key="data_upload").set_value([
        ("big.txt", b"x" * 101, "text/plain"),
        ("evil.exe", b"MZ", "application/octet-stream"),
        ("ok.txt", b"Sadiq met Haqqani in Kabul.", "text/plain"),
        ("bad.csv", b"a,b", "text/csv"),
    ]).run()
    at.button(key="data_upload_go").click().run()
    assert not at.exception
    assert fake_ingest.calls == [("bytes", "ok.txt", 27), ("bytes", "bad.csv", 3)]
    (bar,) = at.get("progress")  # driven by the ingest's on_progress: both files done
    assert bar.value == 100 and "File 2 of 2: 2 of 2 items" in bar.proto.text
    errors = " ".join(e.value for e in at.error)
    assert "Too large" in errors and "Unsupported file type" in errors
    assert any("1 error" in w.value for w in at.warning)
    shown = rendered_text(at)
    assert not any(PAYLOADS[0] in t for t in shown)
    assert any(safe.escape_markdown(f"bad {PAYLOADS[0]}") in t for t in shown)


def test_data_page_paste_url_and_reextract(real_store, fake_ingest):
    at = run_page("data")
    at.text_input(key="data_paste_title").set_value("Pasted")
    at.text_area(key="data_paste_text").set_value("Dar met Muttaqi in Kabul.").run()
    at.button(key="data_paste_go").click().run()
    assert fake_ingest.calls[-1] == ("text", "Pasted", "Dar met Muttaqi in Kabul.")
    assert fake_ingest.fields == {"url": None, "outlet": None, "published": None}
    assert any("1 new article" in s.value for s in at.success)
    # the paste form's date, outlet and URL reach the ingest; a URL that is not http(s) does not
    at.date_input(key="data_paste_date").set_value("2025-11-20")
    at.text_input(key="data_paste_outlet").set_value("Dawn")
    at.text_input(key="data_paste_url").set_value("javascript:alert(1)").run()
    at.button(key="data_paste_go").click().run()
    assert len(fake_ingest.calls) == 1 and any("http" in e.value for e in at.error)
    at.text_input(key="data_paste_url").set_value("https://www.dawn.com/news/1").run()
    at.button(key="data_paste_go").click().run()
    assert fake_ingest.fields == {"url": "https://www.dawn.com/news/1", "outlet": "Dawn", "published": "2025-11-20"}
    fake_ingest.calls.pop()
    at.text_input(key="data_url").set_value("javascript:alert(1)").run()
    at.button(key="data_url_go").click().run()
    assert any("http(s)" in e.value for e in at.error) and len(fake_ingest.calls) == 1
    at.text_input(key="data_url").set_value("https://example.org/feed.xml").run()
    at.button(key="data_url_go").click().run()
    assert fake_ingest.calls[-1] == ("sources", ("https://example.org/feed.xml",))
    at.button(key="data_reextract").click().run()
    assert fake_ingest.calls[-1] == ("reextract",)
    (bar,) = at.get("progress")
    assert bar.value == 100 and "6 of 6 articles" in bar.proto.text
    assert any("Re-extracted 6" in s.value for s in at.success)


# safety -------------------------------------------------------------------------------------

HOSTILE_QUERIES = {
    "overview": {},
    "visits": {},
    "topics": {},
    "articles": {"article": "1", "q": "Sadiq"},
    "profiles": {"entity": "person:mohammad-sadiq-img-src-x-onerror-alert-1"},
    "briefing": {},
    "data": {},
}


@pytest.mark.parametrize("page", PAGES)
def test_hostile_payloads_never_render(hostile_store, page):
    at = run_page(page, HOSTILE_QUERIES[page])
    blob = "\n".join(rendered_text(at))
    for p in PAYLOADS:
        assert p not in blob, f"raw payload {p!r} rendered as Markdown on {page}"
    figures = plot_json(at)
    for p in PAYLOADS[:2]:  # the HTML payloads; plotly does not render Markdown
        assert p not in figures, f"raw payload {p!r} in a figure on {page}"
    assert "<img" not in figures and "<script" not in figures and "</script" not in figures
    assert "javascript:alert" not in " ".join(
        str(u) for d in at.dataframe for c in d.value.columns if c == "url" for u in d.value[c])


def test_hostile_payloads_shown_escaped(hostile_store):
    """The payloads are shown as text (escaped), not dropped: an analyst sees what was there."""
    md = lambda p: safe.escape_markdown(p)
    html_ = lambda p: safe.escape_text(p)
    art = run_page("articles", HOSTILE_QUERIES["articles"])
    title_md = subheaders(art)[-1]
    assert all(md(p) in title_md for p in PAYLOADS)
    body = next(m.value for m in art.markdown if "Special Representative" in m.value)
    assert md(PAYLOADS[1]) in body and md(PAYLOADS[2]) in body
    assert "**Mohammad Sadiq " + md(PAYLOADS[0]) + "**" in body  # highlighted, still escaped
    prof = run_page("profiles", HOSTILE_QUERIES["profiles"])
    assert prof.header[0].value == md("Mohammad Sadiq " + PAYLOADS[0])
    vis = run_page("visits")
    hover = json.dumps(plot_specs(vis), ensure_ascii=False)
    assert html_(PAYLOADS[0]) in hover and html_(PAYLOADS[1]) in hover
    top = run_page("topics")
    topic_plots = json.dumps(plot_specs(top), ensure_ascii=False)
    assert html_("Security " + PAYLOADS[0]) in topic_plots
    vis.radio(key="visits_group").set_value("Official").run()
    labels = {y for t in plot_specs(vis)[0]["data"] for y in t["y"]}
    assert html_("Ishaq Dar " + PAYLOADS[1]) in labels
    ov = run_page("overview")
    # tables show the text as it is: the grid draws cells as plain text on a canvas
    assert PAYLOADS[1] in table(ov, "overview_errors")["message"].iloc[0]


# the sample store and the spaCy boundary -----------------------------------------------------

@pytest.mark.parametrize("page", PAGES)
def test_page_on_sample_store(sample_db, monkeypatch, page):
    monkeypatch.setenv("CHANCERY_DB", str(sample_db))
    at = run_page(page)
    assert at.title
    if page in ("overview", "data"):
        assert int(metric(at, "Articles").replace(",", "")) >= 30


def test_dashboard_runs_and_switches_pages(real_store):
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=TIMEOUT)
    at.query_params["country"] = "AFG"
    at.query_params["person"] = "Ishaq Dar"
    at.run()
    assert not at.exception
    assert at.multiselect(key="country").value == ["AFG"]  # a shared link seeds the sidebar
    for page in PAGES:
        at.switch_page(f"pages/{page}.py").run()
        assert not at.exception, (page, [e.value for e in at.exception])
        assert at.title
        if page != "data":
            assert "countries AFG; people ishaq-dar" in at.caption[0].value.replace("\\", "")


def test_global_filters_follow_the_analyst_across_pages(real_store):
    """A shared link seeds the sidebar once; the filters then stay while the analyst moves
    between pages (the widgets live in the entrypoint). Checked in Chromium as well: the URL
    keeps the filters after each navigation."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=TIMEOUT)
    at.query_params["from"] = "2025-05-01"
    at.run()
    assert metric(at, "Articles") == "4"
    assert at.date_input(key="from").value.isoformat() == "2025-05-01"
    at.switch_page("pages/visits.py").run()
    assert len(table(at, "visits_table")) == 3  # 4 reports: the May preview and visit are one
    at.switch_page("pages/topics.py").run()
    assert "2025-05-01 to" in at.caption[0].value.replace("\\", "")
    at.switch_page("pages/overview.py").run()
    assert metric(at, "Articles") == "4"


def test_reading_pages_never_import_spacy(real_store):
    script = (
        "import sys\n"
        "from streamlit.testing.v1 import AppTest\n"
        f"for page in {PAGES[:-1]!r}:\n"
        f"    at = AppTest.from_file({str(ROOT)!r} + '/pages/' + page + '.py', default_timeout=60).run()\n"
        "    assert not at.exception, (page, [e.value for e in at.exception])\n"
        "at = AppTest.from_file(" + repr(str(ROOT)) + " + '/pages/data.py', default_timeout=60).run()\n"
        "assert not at.exception\n"
        "print('spacy' in sys.modules, 'analysis.ingest' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], check=False, cwd=ROOT, capture_output=True,
                         text=True, timeout=300,
                         env={**__import__("os").environ, "CHANCERY_DB": str(real_store)})
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "False False"


def test_the_background_warm_up_draws_every_chart_kind_without_reading_a_store(tmp_path, monkeypatch):
    """What the dashboard loads in the background after its first page (every chart kind on
    made-up rows, the network's page, python-docx) runs through without error and opens no
    store: a change to a chart's input that the warm-up no longer matches fails here."""
    from pages import _common

    db = tmp_path / "never.db"
    monkeypatch.setenv("CHANCERY_DB", str(db))
    steps = [name for name in _common.WARM_MODULES if ":" in name]
    assert {"analysis.views.charts:warm_up", "analysis.views.network.render:warm_up"} <= set(steps)
    _common._import_all(_common.WARM_MODULES)
    assert not db.exists()
