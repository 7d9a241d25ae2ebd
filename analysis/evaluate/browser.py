"""``python -m analysis bench browser --db STORE``: how long each page takes to settle in
headless Chromium on its first visit to a fresh server, on STORE and on a 1,000-article cut of
it in the same run, and how much memory the dashboard process used (issue 12).

A page has settled when Streamlit has run its script (connected, not running, a title drawn,
no loading skeleton), every plotly chart has drawn and the network canvas has stopped moving;
the time runs from the request to that moment. Each store gets a server of its own, started
fresh, so the first visit pays for its reads as an analyst's first click does (later visits hit
the caches). The dashboard's peak resident memory is read from the server process and its
children (psutil) after the tour.

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
    const ready = app && app.getAttribute('data-test-script-state') === 'notRunning'
        && app.getAttribute('data-test-connection-state') === 'CONNECTED'
        && (document.querySelector('[data-testid="stMain"] h1') !== null
            || document.querySelector('[data-testid="stException"]') !== null)
        && document.querySelector('[data-testid="stSkeleton"]') === null;
    const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
    const drawn = charts.every(c => c.querySelector('.js-plotly-plot .main-svg'));
    const n = document.querySelectorAll('[data-testid="stElementContainer"]').length;
    const w = window.__benchIdle || (window.__benchIdle = {n: -1, since: 0});
    const now = performance.now();
    if (!ready || !drawn || n !== w.n) { w.n = n; w.since = now; return false; }
    return now - w.since > 300;
}"""


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


def tour(db: Path, browser: Any, workdir: Path) -> dict[str, Any]:
    """First visit of every page on a fresh server for ``db``: seconds to settle, peak MB.

    The browser has the dashboard's scripts and styles in its cache already, as an analyst's
    does after the first day: a server on an empty store, on the same port, served them first."""
    from analysis import store

    port = _free_port()
    empty = workdir / f"{db.stem}-empty.db"
    store.open_db(empty).close()
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, service_workers="block")
    warm, url = _serve(empty, workdir / f"{db.stem}-warm.log", port)
    try:
        page = context.new_page()
        page.set_default_timeout(180_000)
        page.goto(url + "/", wait_until="domcontentloaded")
        page.wait_for_function(_SETTLED, polling=50)
    finally:
        _stop(warm)
    proc, url = _serve(db, workdir / f"{db.stem}.log", port)
    out: dict[str, Any] = {"pages": {}, "peak_mb": 0.0}
    try:
        for name, path in PAGES:
            t = time.perf_counter()
            page.goto(url + path, wait_until="domcontentloaded")
            page.wait_for_function(_SETTLED, polling=50)
            frame = page.locator('iframe[title="Network of officials and countries"]')
            if frame.count():
                inner = frame.first.element_handle().content_frame()
                inner.wait_for_function("() => typeof network !== 'undefined' && network.physics"
                                        " && network.physics.physicsEnabled === false", polling=50)
            out["pages"][name] = round(time.perf_counter() - t, 2)
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
    rows = [{"page": name, "seconds": big["pages"][name], "base_seconds": small["pages"][name],
             "ratio": round(big["pages"][name] / small["pages"][name], 1) if small["pages"][name] else None}
            for name, _ in PAGES]
    return {"db": str(db), "rows": rows, "peak_mb": big["peak_mb"], "base_peak_mb": small["peak_mb"]}


def format_browser(result: dict[str, Any]) -> str:
    lines = [f"{result['db']}: first visit of each page on a fresh server, headless Chromium, seconds to settle",
             f"{'page':<12} {'s':>7} {'1k s':>7} {'ratio':>7}"]
    for r in result["rows"]:
        lines.append(f"{r['page']:<12} {r['seconds']:>7.2f} {r['base_seconds']:>7.2f} "
                     f"{(str(r['ratio']) + 'x') if r['ratio'] else '':>7}")
    lines.append(f"dashboard process peak: {result['peak_mb']:.0f} MB (1k store: {result['base_peak_mb']:.0f} MB)")
    return "\n".join(lines)
