"""``python -m analysis bench browser --db STORE``: how long each page takes to settle in
headless Chromium on its first visit to a fresh server, on STORE and on a 1,000-article cut of
it in the same run, and how much memory the dashboard process used (issue 12).

A page has settled when Streamlit has run its script (connected, not running, a title drawn,
no loading skeleton), every plotly chart has drawn and the network canvas has stopped moving.
The time runs from the request (or the click) to the last change before that state, which is
confirmed by 300 ms without change (the confirmation is not counted). Each page is measured
twice on its first visit:

- ``click``: the analyst's way, a click on the page's link in the sidebar of an open dashboard
  (Streamlit switches page over its open connection, the browser keeps its scripts);
- ``load``: the page's address opened anew (a typed or shared link: the whole front end is
  loaded and connects again).

Each store gets servers of its own, started fresh for each pass, so the first visit pays for
its reads as an analyst's first click does (later visits hit the caches). The dashboard's peak
resident memory is read from the server process and its children (psutil) after each page.

Needs Debian's Chromium (``/usr/bin/chromium``) and the ``playwright`` package
(requirements-dev.txt); it measures, it does not test (the tests are in tests/test_browser.py).
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
PAGES = [("overview", "/"), ("visits", "/visits"), ("topics", "/topics"), ("network", "/network"),
         ("articles", "/articles"), ("profiles", "/profiles"), ("briefing", "/briefing"), ("data", "/data")]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
_SETTLED = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    const w = window.__benchIdle || (window.__benchIdle = {n: -1, since: 0, ran: false});
    const state = app && app.getAttribute('data-test-script-state');
    if (state === 'running') w.ran = true;
    const ready = app && w.ran && state === 'notRunning'
        && app.getAttribute('data-test-connection-state') === 'CONNECTED'
        && (document.querySelector('[data-testid="stMain"] h1') !== null
            || document.querySelector('[data-testid="stException"]') !== null)
        && document.querySelector('[data-testid="stSkeleton"]') === null;
    const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
    const drawn = charts.every(c => c.querySelector('.js-plotly-plot .main-svg'));
    const n = document.querySelectorAll('[data-testid="stElementContainer"]').length;
    const now = performance.now();
    if (!ready || !drawn || n !== w.n) { w.n = n; w.since = now; return false; }
    return now - w.since > 300 ? w.since : false;
}"""
#: Before a click: forget the last page's state and watch for the script to start running (a
#: run can start and end between two polls).
_ARM = """() => {
    window.__benchIdle = {n: -1, since: 0, ran: false};
    const app = document.querySelector('[data-testid="stApp"]');
    const obs = new MutationObserver(() => {
        if (app.getAttribute('data-test-script-state') === 'running') window.__benchIdle.ran = true;
    });
    obs.observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
    window.__benchStart = performance.now();
}"""
#: For a full load: performance.now() counts from the navigation's start; the first run needs
#: no watching (the page starts empty).
_LOADED = "() => { window.__benchIdle = window.__benchIdle || {n: -1, since: 0, ran: true}; }"
_NETWORK_STILL = ("() => typeof network !== 'undefined' && network.physics"
                  " && network.physics.physicsEnabled === false")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(db: Path, log: Path, port: int | None = None) -> tuple[subprocess.Popen, str]:
    port = port or _free_port()
    env = {**os.environ, "CHANCERY_DB": str(db), "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.headless", "true",
           "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats",
           "false", "--server.fileWatcherType", "none"]
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.read().strip() == b"ok":
                    return proc, url
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("streamlit did not start within 120 s")


def _rss_mb(pid: int) -> float:
    import psutil

    try:
        p = psutil.Process(pid)
        procs = [p, *p.children(recursive=True)]
        return sum(x.memory_info().rss for x in procs) / 1e6
    except psutil.Error:
        return 0.0


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


def _settle(page: Any, started: float, t_started: float) -> float:
    """Seconds from ``started`` (the page's performance.now(), ms; ``t_started`` the same moment
    on this side's clock) to the settle moment. The network's canvas, if any, must also be
    still: when it is still moving after the rest has settled, the moment it stops counts
    (timed on this side)."""
    since = page.wait_for_function(_SETTLED, polling=50).json_value()
    settled = (since - started) / 1000
    frame = page.locator('iframe[title="Network of officials and countries"]')
    if frame.count():
        inner = frame.first.element_handle().content_frame()
        if not inner.evaluate(_NETWORK_STILL):
            inner.wait_for_function(_NETWORK_STILL, polling=50)
            settled = max(settled, time.perf_counter() - t_started)
    return round(settled, 2)


def _warm_cache(context: Any, empty: Path, workdir: Path, port: int) -> Any:
    """The browser gets the dashboard's scripts and styles in its cache, as an analyst's has
    after the first day: a server on an empty store, on the same port, serves them first."""
    warm, url = _serve(empty, workdir / f"{empty.stem}-warm.log", port)
    try:
        page = context.new_page()
        page.set_default_timeout(180_000)
        page.goto(url + "/", wait_until="domcontentloaded")
        page.evaluate(_LOADED)
        page.wait_for_function(_SETTLED, polling=50)
        return page
    finally:
        _stop(warm)


def tour(db: Path, browser: Any, workdir: Path) -> dict[str, Any]:
    """First visit of every page on fresh servers for ``db``, by sidebar click and by full
    load: seconds to settle, peak MB."""
    from analysis import store

    port = _free_port()
    empty = workdir / f"{db.stem}-empty.db"
    store.open_db(empty).close()
    out: dict[str, Any] = {"click": {}, "load": {}, "peak_mb": 0.0}
    for mode in ("click", "load"):
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, service_workers="block")
        page = _warm_cache(context, empty, workdir, port)
        proc, url = _serve(db, workdir / f"{db.stem}-{mode}.log", port)
        try:
            for i, (name, path) in enumerate(PAGES):
                t_started = time.perf_counter()
                if mode == "load" or i == 0:  # the landing page has no click of its own
                    page.goto(url + path, wait_until="domcontentloaded")
                    page.evaluate(_LOADED)
                    started = 0.0
                else:
                    page.evaluate(_ARM)
                    started = page.evaluate("() => window.__benchStart")
                    t_started = time.perf_counter()
                    page.locator(f'[data-testid="stSidebarNav"] a[href$="{path}"]').first.click()
                settled = _settle(page, started, t_started)
                out[mode][name] = None if (mode == "click" and i == 0) else settled
                out["peak_mb"] = max(out["peak_mb"], _rss_mb(proc.pid))
        finally:
            out["peak_mb"] = round(max(out["peak_mb"], _rss_mb(proc.pid)), 1)
            context.close()
            _stop(proc)
    return out


def browser_bench(db: str | Path, base: str | Path | None = None) -> dict[str, Any]:
    """:func:`tour` on ``db`` and on a 1,000-article cut of it (or ``base``), in one run."""
    from playwright.sync_api import sync_playwright

    from analysis.store import replicate as R

    exe = shutil.which("chromium")
    if not exe:
        raise FileNotFoundError("Debian's Chromium is not installed (apt-get install -y chromium)")
    db = Path(db)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if base is None:
            base = work / "1k.db"
            R.replicate(db, base, 1000)
        with sync_playwright() as pw:
            b = pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS, headless=True)
            try:
                small = tour(Path(base), b, work)
                big = tour(db, b, work)
            finally:
                b.close()
    def ratio(a: float | None, b: float | None) -> float | None:
        return round(a / b, 1) if a is not None and b else None

    rows = [{"page": name,
             **{f"{mode}_s": big[mode][name] for mode in ("click", "load")},
             **{f"base_{mode}_s": small[mode][name] for mode in ("click", "load")},
             **{f"{mode}_ratio": ratio(big[mode][name], small[mode][name]) for mode in ("click", "load")}}
            for name, _ in PAGES]
    return {"db": str(db), "rows": rows, "peak_mb": big["peak_mb"], "base_peak_mb": small["peak_mb"]}


def format_browser(result: dict[str, Any]) -> str:
    def sec(v: float | None) -> str:
        return f"{v:.2f}" if v is not None else "-"

    def rat(v: float | None) -> str:
        return f"{v}x" if v is not None else "-"

    lines = [f"{result['db']}: each page's first visit to a fresh server, headless Chromium, seconds to settle",
             "click: from the sidebar link of the open dashboard; load: the page's address opened anew",
             f"{'page':<10} {'click':>7} {'1k':>6} {'ratio':>6}   {'load':>6} {'1k':>6} {'ratio':>6}"]
    for r in result["rows"]:
        lines.append(f"{r['page']:<10} {sec(r['click_s']):>7} {sec(r['base_click_s']):>6} {rat(r['click_ratio']):>6}"
                     f"   {sec(r['load_s']):>6} {sec(r['base_load_s']):>6} {rat(r['load_ratio']):>6}")
    lines.append("(overview is the landing page: it has no click of its own)")
    lines.append(f"dashboard process peak: {result['peak_mb']:.0f} MB (1k store: {result['base_peak_mb']:.0f} MB)")
    return "\n".join(lines)
