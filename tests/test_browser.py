"""Real-browser test: Playwright drives Debian's Chromium through every dashboard page.

Starts ``streamlit run dashboard.py`` on a free port against the session's sample store, opens
each page, waits for the script to finish, for every plotly chart to draw and for the network
canvas, and fails on any Streamlit exception element, JavaScript error, console error, dialog
(``alert``) or request to a host other than this machine. Full-page screenshots go to
``docs/screenshots/<page>.png`` under CI or with ``CHANCERY_SCREENSHOTS=docs/screenshots``,
else to a temporary folder (see :func:`screenshot_dir`).

A second test runs the same tour on a store full of hostile names, titles and texts: no
dialog may open and no script may run.

Needs ``chromium`` (Debian package) and the ``playwright`` Python package. Without them the
tests skip with the reason; when the ``CI`` environment variable is set they fail instead.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest

from analysis import store

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parent.parent
#: (name, URL path) of the pages of dashboard.py, in menu order.
PAGES = [
    ("overview", "/"),
    ("visits", "/visits"),
    ("topics", "/topics"),
    ("network", "/network"),
    ("articles", "/articles"),
    ("profiles", "/profiles?entity=person:mohammad-sadiq"),  # a profile, not just the chooser
    ("briefing", "/briefing?country=PAK&country=AFG&from=2025-01-01&to=2025-11-30"),
    ("data", "/data"),
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
LOCAL_SCHEMES = {"data", "blob", "about", "chrome-error", "file"}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-dev-shm-usage"]
START_TIMEOUT = 120.0  # seconds for the server to answer /_stcore/health
PAGE_TIMEOUT = 90_000  # ms for a page script to finish in the browser
NETWORK_FRAME = 'iframe[title="Network of officials and countries"]'


def _unavailable(reason: str) -> None:
    """Skip on a developer machine; fail under CI, where the browser test must run."""
    if os.environ.get("CI"):
        pytest.fail(f"browser test cannot run under CI: {reason}")
    pytest.skip(reason)


def _chromium() -> str:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _unavailable("the playwright Python package is not installed (pip install playwright)")
    exe = shutil.which("chromium")
    if not exe:
        _unavailable("Debian's Chromium is not installed (apt-get install -y chromium)")
    return exe


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    url: str
    proc: subprocess.Popen
    log: Path

    def log_tail(self, n: int = 60) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""


def start_server(db: Path, log: Path) -> Server:
    """Start the dashboard on a free port and wait until /_stcore/health answers "ok"."""
    port = _free_port()
    env = {**os.environ, "CHANCERY_DB": str(db), "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "streamlit", "run", "dashboard.py",
           "--server.headless", "true", "--server.port", str(port),
           "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none"]
    with open(log, "wb") as out:  # the child keeps its own copy of the descriptor
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    server = Server(f"http://127.0.0.1:{port}", proc, log)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}:\n{server.log_tail()}")
        try:
            with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=2) as r:
                if r.status == 200 and r.read().strip() == b"ok":
                    return server
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        time.sleep(0.5)
    stop_server(server)
    raise RuntimeError(f"streamlit did not answer within {START_TIMEOUT}s:\n{server.log_tail()}")


def stop_server(server: Server) -> None:
    """Terminate the server (its own process group), then kill it if it lingers."""
    proc = server.proc
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=15)


@dataclass
class Problems:
    """Everything the browser reported that must not happen."""

    page_errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    remote_requests: list[str] = field(default_factory=list)

    def clear(self) -> None:
        for v in self.__dict__.values():
            v.clear()

    def report(self) -> str:
        return "\n".join(f"{k}: {v}" for k, v in self.__dict__.items() if v)


def _is_local(url: str) -> bool:
    parsed = urlparse(url)
    if parsed.scheme in LOCAL_SCHEMES or url.startswith("about:"):
        return True
    return (parsed.hostname or "") in LOCAL_HOSTS


def _expected_probe(text: str, url: str) -> bool:
    """Streamlit's frontend, opened on a page path such as /visits, first looks for its
    server under that path (/visits/_stcore/health, /visits/_stcore/host-config), gets a 404,
    then finds it at the root. Those two 404s are expected; any other console error is not."""
    probes = {f"{path}/_stcore/{what}" for path in [urlparse(page).path for _, page in PAGES[1:]] + ["/overview"]
              for what in ("health", "host-config")}
    return "404" in text and _is_local(url) and urlparse(url).path in probes


@pytest.fixture(scope="module")
def browser():
    exe = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


def _new_page(browser, problems: Problems):
    context = browser.new_context(viewport={"width": 1400, "height": 1000},
                                  service_workers="block")

    def route(r):
        if _is_local(r.request.url):
            r.continue_()
        else:
            problems.remote_requests.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT)
    page.on("pageerror", lambda exc: problems.page_errors.append(str(exc)))

    def on_console(msg):
        where = msg.location.get("url", "")
        if msg.type != "error" or _expected_probe(msg.text, where):
            return
        problems.console_errors.append(f"{msg.text} @ {where}")

    page.on("console", on_console)

    def on_dialog(dialog):
        problems.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("request", lambda req: None if _is_local(req.url) else
            problems.remote_requests.append(req.url))
    return context, page


def _wait_idle(page) -> None:
    """Wait until Streamlit has run the page script and the page has settled: connected, the
    script not running, a title drawn, no loading skeleton, and the number of elements
    unchanged for a second. (Right after loading, the script state reads "notRunning" before
    the first run has even started, so the state alone is not enough.)"""
    page.wait_for_selector('[data-testid="stApp"]', state="attached")
    page.wait_for_function(
        """() => {
            const app = document.querySelector('[data-testid="stApp"]');
            const ready = app
                && app.getAttribute('data-test-script-state') === 'notRunning'
                && app.getAttribute('data-test-connection-state') === 'CONNECTED'
                && (document.querySelector('[data-testid="stMain"] h1') !== null
                    || document.querySelector('[data-testid="stException"]') !== null)
                && document.querySelector('[data-testid="stSkeleton"]') === null;
            const n = document.querySelectorAll('[data-testid="stElementContainer"]').length;
            const w = window.__chanceryIdle || (window.__chanceryIdle = {n: -1, since: 0});
            const now = performance.now();
            if (!ready || n !== w.n) { w.n = n; w.since = now; return false; }
            return now - w.since > 1000;
        }""", polling=200)


def _wait_charts(page) -> int:
    """Every st.plotly_chart must have drawn its plot; returns how many there are."""
    charts = page.locator('[data-testid="stPlotlyChart"]')
    n = charts.count()
    for i in range(n):
        charts.nth(i).locator(".js-plotly-plot").first.wait_for(state="attached")
    return n


def _wait_network(page) -> bool:
    """If the page shows the network, wait for its canvas and for physics to be switched off
    (the layout is stable). Returns whether a network was drawn."""
    frame_el = page.locator(NETWORK_FRAME)
    if frame_el.count() == 0:
        return False
    frame = frame_el.first.element_handle().content_frame()
    assert frame is not None
    frame.wait_for_selector("#mynetwork canvas", state="attached")
    frame.wait_for_function(
        "() => typeof network !== 'undefined' && network.physics"
        " && network.physics.physicsEnabled === false", timeout=PAGE_TIMEOUT)
    return True


def hover_network_nodes(page, limit: int = 12) -> list[str]:
    """Move the mouse over the network's nodes and return the tooltip texts vis-network
    showed. The injected-element check (no <img>, <svg> or extra <script> from the data) is
    made on the frame after hovering."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    frame_el = page.locator(NETWORK_FRAME).first
    frame_el.scroll_into_view_if_needed()
    frame = frame_el.element_handle().content_frame()
    box = frame_el.bounding_box()
    points = frame.evaluate(
        """() => {
            const r = document.querySelector('#mynetwork canvas').getBoundingClientRect();
            const pos = network.getPositions();
            return Object.keys(pos).map(id => {
                const d = network.canvasToDOM(pos[id]);
                return [d.x + r.left, d.y + r.top];
            });
        }""")
    texts = []
    for x, y in points[:limit]:
        page.mouse.move(box["x"] + x, box["y"] + y)
        try:
            frame.wait_for_function(
                """() => { const t = document.querySelector('.vis-tooltip');
                           return t && t.style.visibility === 'visible' && t.innerText; }""",
                timeout=3000)
        except PlaywrightTimeout:  # a node under another node or a label: no tooltip here
            page.mouse.move(box["x"] + 2, box["y"] + 2)
            continue
        texts.append(frame.evaluate("() => document.querySelector('.vis-tooltip').innerText"))
        page.mouse.move(box["x"] + 2, box["y"] + 2)
        page.wait_for_timeout(300)
    injected = frame.evaluate(
        "() => document.querySelectorAll('img, svg, iframe, a[href], div.popup').length")
    assert injected == 0, f"{injected} element(s) injected into the network frame"
    return texts


def _full_page_screenshot(page, path: Path) -> None:
    """Streamlit scrolls inside its own container: grow the viewport to the content first."""
    height = page.evaluate(
        """() => {
            const main = document.querySelector('[data-testid="stMainBlockContainer"]')
                || document.querySelector('[data-testid="stMain"]') || document.body;
            return main.scrollHeight;
        }""")
    page.set_viewport_size({"width": 1400, "height": int(min(max(height, 900), 8000)) + 40})
    page.wait_for_timeout(800)
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size({"width": 1400, "height": 1000})


def _counts(db: Path) -> dict[str, int]:
    conn = store.connect_ro(db)
    try:
        return store.stats(conn)
    finally:
        conn.close()


def tour(browser, db: Path, tmp_path: Path, shots: Path | None,
         hover: bool = False) -> dict[str, dict]:
    """Open every page against ``db``; assert nothing bad happened; return what was seen."""
    server = start_server(db, tmp_path / "streamlit.log")
    seen: dict[str, dict] = {}
    try:
        problems = Problems()
        context, page = _new_page(browser, problems)
        try:
            for name, path in PAGES:
                problems.clear()
                page.goto(server.url + path, wait_until="domcontentloaded")
                _wait_idle(page)
                charts = _wait_charts(page)
                network = _wait_network(page)
                tooltips = hover_network_nodes(page) if hover and network else []
                exceptions = page.locator('[data-testid="stException"]')
                assert exceptions.count() == 0, (
                    f"{name}: Streamlit exception shown: {exceptions.first.inner_text()}\n"
                    f"{server.log_tail()}")
                title = page.locator("h1").first.inner_text(timeout=10_000)
                if shots is not None:
                    _full_page_screenshot(page, shots / f"{name}.png")
                assert not problems.report(), f"{name}:\n{problems.report()}"
                seen[name] = {"charts": charts, "network": network, "title": title,
                              "url": page.url, "tooltips": tooltips}
        finally:
            context.close()
    finally:
        stop_server(server)
    return seen


def screenshot_dir(tmp_path: Path) -> Path:
    """Where the page screenshots go: ``CHANCERY_SCREENSHOTS`` when set (refresh the committed
    ones with ``CHANCERY_SCREENSHOTS=docs/screenshots``), ``docs/screenshots`` under CI, else a
    temporary folder, so a local test run leaves the work tree clean."""
    if os.environ.get("CHANCERY_SCREENSHOTS"):
        return Path(os.environ["CHANCERY_SCREENSHOTS"]).resolve()
    if os.environ.get("CI"):
        return REPO / "docs" / "screenshots"
    return tmp_path / "screenshots"


def test_every_page_in_chromium(browser, sample_db, tmp_path):
    shots = screenshot_dir(tmp_path)
    seen = tour(browser, sample_db, tmp_path, shots)
    assert set(seen) == {name for name, _ in PAGES}
    assert seen["overview"]["title"] and seen["network"]["title"] == "Network"
    counts = _counts(sample_db)
    if counts["visits"] + counts["meetings"]:
        assert seen["network"]["network"], "the sample store has events but no network canvas"
    if counts["articles"]:
        assert sum(s["charts"] for s in seen.values()) > 0, "no plotly chart on any page"
    for name, _ in PAGES:
        assert (shots / f"{name}.png").stat().st_size > 10_000


HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "</script><script>alert(1)</script>",
    "[x](javascript:alert(1))",
    "Ahref <a href='javascript:alert(1)'>x</a>",
    '"><svg onload=alert(1)>',
]


def _hostile_store(path: Path) -> Path:
    db = store.open_db(path)
    people = [{"name": p, "kind": "person", "country": c, "aliases": [],
               "roles": [{"title": p, "country": c, "evidence": p}]}
              for p, c in zip(HOSTILE, ["PAK", "AFG", "IRN", "IND", "CHN"])]
    for i, payload in enumerate(HOSTILE):
        text = f"{payload} met {HOSTILE[(i + 1) % len(HOSTILE)]} in Kabul. {payload}"
        result = {
            "entities": people,
            "mentions": [{"start": 0, "end": len(payload), "text": payload, "label": "PERSON",
                          "entity": payload}],
            "events": [
                {"kind": "meeting", "participants": [payload, HOSTILE[(i + 1) % len(HOSTILE)]],
                 "country": "AFG", "place": payload, "date": f"2024-0{i + 1}-10",
                 "cameo": "040", "evidence": text},
                {"kind": "visit", "visitor": payload, "visitor_country": "PAK",
                 "destination_country": "AFG", "destination_place": payload,
                 "date": f"2024-0{i + 1}-11", "status": "occurred", "cameo": "042",
                 "evidence": payload},
            ],
            "topics": [{"id": "security", "label": payload, "score": 0.9,
                        "evidence": [payload]}],
        }
        with store.write_tx(db):
            aid = store.insert_article(db, {
                "title": payload, "text": text, "content_hash": f"hostile-{i}",
                "published": f"2024-0{i + 1}-12", "url": "javascript:alert(1)",
                "outlet": payload, "author": payload,
            })
            store.save_extraction(db, aid, result, f"2024-0{i + 1}-12", "test")
            store.bump_data_version(db)
    db.conn.close()
    return path


def test_hostile_store_runs_no_script(browser, tmp_path):
    db = _hostile_store(tmp_path / "hostile.db")
    seen = tour(browser, db, tmp_path, None, hover=True)
    assert seen["network"]["network"]
    tips = seen["network"]["tooltips"]
    assert tips, "no network tooltip appeared on hover"
    text = "\n".join(tips)
    assert "<img" not in text and "<script" not in text
    # vis-network shows string tooltips as text, so the escaped names appear literally
    assert "&lt;" in text


def test_guards_catch_remote_requests_dialogs_and_errors(browser):
    """The checks the tour relies on do fire: a remote image, an alert and a script error on
    a local page are all reported (and the remote request never leaves the machine)."""
    problems = Problems()
    context, page = _new_page(browser, problems)
    try:
        page.set_content('<img src="https://cdn.example.invalid/x.png">'
                         "<script>alert(1); undefinedFunction();</script>")
        page.wait_for_timeout(500)
    finally:
        context.close()
    assert any("cdn.example.invalid" in u for u in problems.remote_requests)
    assert problems.dialogs == ["alert: 1"]
    assert any("undefinedFunction" in e for e in problems.page_errors)


def test_standalone_network_html_draws_offline(browser, tmp_path):
    """The page's "Standalone HTML" download, opened from disk with every remote request
    blocked, draws the graph, freezes the layout and asks for nothing from another host."""
    from test_network import add_article, meeting, person, visit

    from analysis.views import network

    db = store.open_db(tmp_path / "s.db")
    add_article(db, 1, "2024-12-23", [person("Mohammad Sadiq", "PAK"),
                                      person("Sirajuddin Haqqani", "AFG")],
                [visit("Mohammad Sadiq", "PAK", "AFG", "2024-12-23"),
                 meeting(["Mohammad Sadiq", "Sirajuddin Haqqani"], "AFG", "2024-12-23")])
    db.conn.close()
    html_file = tmp_path / "chancery-network.html"
    html_file.write_text(network.to_html(network.build_graph(tmp_path / "s.db")), encoding="utf-8")
    problems = Problems()
    context, page = _new_page(browser, problems)
    try:
        page.goto(html_file.as_uri())
        page.wait_for_selector("#mynetwork canvas", state="attached")
        page.wait_for_function("() => network.physics.physicsEnabled === false",
                               timeout=PAGE_TIMEOUT)
        drawn = page.evaluate("() => Object.keys(network.getPositions()).length")
    finally:
        context.close()
    assert drawn == 4  # two people, two countries
    assert not problems.report(), problems.report()


def test_shared_link_opened_first_after_restart(browser, sample_db, tmp_path):
    """A shared sub-page link is the first request a fresh server gets: the page must still run
    through dashboard.py (its navigation and the global filters), with the link's filter kept."""
    server = start_server(sample_db, tmp_path / "streamlit.log")
    problems = Problems()
    context, page = _new_page(browser, problems)
    try:
        page.goto(f"{server.url}/visits?country=PAK")
        _wait_idle(page)
        nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
        assert "Overview" in nav and "Visits" in nav
        assert "common" not in nav and "dashboard" not in nav, nav
        sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
        assert "Countries" in sidebar and "PAK" in sidebar
        assert page.locator('[data-testid="stMain"] h1').first.inner_text().startswith("Visits")
        assert "country=PAK" in page.url
        assert not page.locator('[data-testid="stException"]').count()
        assert not problems.dialogs and not problems.remote_requests and not problems.page_errors
    finally:
        context.close()
        stop_server(server)


def _node_point(page, label: str) -> tuple[float, float]:
    """Where, on the page, the network draws the node labelled ``label``."""
    frame_el = page.locator(NETWORK_FRAME).first
    frame_el.scroll_into_view_if_needed()
    box = frame_el.bounding_box()
    frame = frame_el.element_handle().content_frame()
    x, y = frame.evaluate(
        """(label) => {
            const r = document.querySelector('#mynetwork canvas').getBoundingClientRect();
            const node = nodes.get().find(n => n.label === label);
            const d = network.canvasToDOM(network.getPositions([node.id])[node.id]);
            return [d.x + r.left, d.y + r.top];
        }""", label)
    return box["x"] + x, box["y"] + y


def _ego_shown(page) -> str:
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text="Ego view").first
    return box.evaluate("""b => b.innerText + " " + [...b.querySelectorAll('input')].map(i => i.value
                                 + " " + (i.getAttribute('aria-label') || '')).join(" ")""")


def test_shared_views_and_the_graph_drive_the_app(browser, sample_db, tmp_path):
    """Issue 13 in a real browser, each link opened in a fresh browser context: ``/overview``,
    the between-two-countries mode, the network's ego view from the address, the Profiles tab
    and the Topics window from the address; then the graph: the find box focuses a node, a click
    on a node sets the ego view (and the address), and in the other mode opens the profile."""
    server = start_server(sample_db, tmp_path / "streamlit.log")
    problems = Problems()

    def fresh(path: str):
        context, page = _new_page(browser, problems)
        page.goto(server.url + path, wait_until="domcontentloaded")
        _wait_idle(page)
        return context, page

    try:
        context, page = fresh("/overview?country=PAK")
        assert page.locator('[data-testid="stMain"] h1').first.inner_text() == "Overview"
        assert "Page not found" not in page.locator("body").inner_text()
        assert "country=PAK" in page.url
        context.close()

        context, page = fresh("/visits?pair=PAK-AFG")
        main = page.locator('[data-testid="stMain"]').inner_text()
        assert "Between Pakistan and Afghanistan" in main and "Last visit:" in main
        assert "pair=PAK-AFG" in page.url
        context.close()

        context, page = fresh("/profiles?entity=person:ishaq-dar&tab=Meetings")
        selected = page.locator('[role="tab"][aria-selected="true"]').first.inner_text()
        assert selected.strip() == "Meetings"
        context.close()

        context, page = fresh("/topics?granularity=month&window=90&anchor=2025-06-30")
        main = page.locator('[data-testid="stMain"]').inner_text()
        assert "2025-04-01 to 2025-06-30" in main and "the day chosen" in main
        assert page.locator('[data-testid="stRadio"]').filter(has_text="Period").locator(
            'input[type="radio"]:checked').first.evaluate("e => e.closest('label').innerText").strip() == "month"
        context.close()

        context, page = fresh("/network?ego=person:ishaq-dar")
        _wait_network(page)
        assert "Ishaq Dar" in _ego_shown(page) and "ego=person" in page.url
        frame = page.locator(NETWORK_FRAME).first.element_handle().content_frame()
        frame.fill("#chancery-find", "Muttaqi")
        frame.press("#chancery-find", "Enter")
        picked = frame.evaluate("() => network.getSelectedNodes().map(id => nodes.get(id).label)")
        assert picked == ["Amir Khan Muttaqi"]
        frame.fill("#chancery-find", "nobody of that name")
        frame.press("#chancery-find", "Enter")
        assert "no node of that name" in frame.inner_text("#chancery-found")
        # a click on a node: its ego view, in the address too
        page.mouse.click(*_node_point(page, "Amir Khan Muttaqi"))
        page.wait_for_function("() => location.search.includes('ego=person%3Aamir-khan-muttaqi')"
                               " || location.search.includes('ego=person:amir-khan-muttaqi')")
        _wait_idle(page)
        _wait_network(page)
        assert "Amir Khan Muttaqi" in _ego_shown(page)
        # in the other mode, a click opens the profile
        page.get_by_text("opens its profile").click()
        _wait_idle(page)
        _wait_network(page)
        page.mouse.click(*_node_point(page, "Ishaq Dar"))
        page.wait_for_url("**/profiles?*")
        _wait_idle(page)
        assert "entity=person" in page.url and "ishaq-dar" in page.url
        assert "Ishaq Dar" in page.locator('[data-testid="stMain"]').inner_text()
        assert not page.locator('[data-testid="stException"]').count()
        context.close()
        assert not problems.report(), problems.report()
    finally:
        stop_server(server)
