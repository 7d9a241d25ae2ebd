"""Reliability and security regression tests (issue "Hardening"), one per promise, named after
what it guards, in the style of Datasette's security tests: each asserts the outcome (the good
items stored, the error recorded, nothing fetched, the file unchanged), and probes the class
(several spellings of a bad address, several kinds of special file, several damaged stores).

Local HTTP servers listen on loopback only (127.0.0.1, 127.0.0.2): the fetch policy refuses
loopback unless ``CHANCERY_FETCH_ALLOW`` lists it, and the tests that need to fetch set it.
Addresses outside loopback are only ever classified, never connected to.
"""
from __future__ import annotations

import hashlib
import http.server
import ipaddress
import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import tomllib
from pathlib import Path

import pytest

from analysis import config, extract, ingest, store
from analysis.views import safe
from analysis.ingest import sources
from analysis.ingest import ingest_bytes, ingest_sources, ingest_text, reextract

from conftest import shared_path
from test_ingest import rows

REPO = config.REPO_ROOT
GOOD_A = ("Pakistan's foreign minister Ishaq Dar arrived in Kabul on Saturday for talks with "
          "Afghan officials on trade and border crossings, officials said.\n")
GOOD_B = ("Iran's foreign minister met his Pakistani counterpart in Islamabad on Monday to "
          "discuss trade, energy and security along the shared border.\n")


def fail_extraction_on(monkeypatch, word: str, exc: Exception) -> None:
    """Make ``extract_many`` raise ``exc`` lazily, when it reaches an article containing ``word``."""
    real = extract.extract_many

    def flaky(items, **kw):
        for out in real(items, **kw):
            if word in out["text"]:
                raise exc
            yield out

    monkeypatch.setattr(extract, "extract_many", flaky)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def bbc_text(n_chars: int) -> str:
    """Real BBC business texts (not the evaluation pool's politics) joined, paragraphs kept,
    until ``n_chars`` characters."""
    parts, size = [], 0
    for f in sorted(shared_path("eval", "bbc", "raw", "business").glob("*.txt")):
        t = f.read_bytes().decode("latin-1")
        parts.append(t)
        size += len(t) + 2
        if size >= n_chars:
            break
    return "\n\n".join(parts)[:n_chars]


# --- local servers ---------------------------------------------------------------------------

class Server:
    """A loopback HTTP server that records every request; ``routes`` maps a path to a function
    of the handler that writes the response."""

    def __init__(self, host: str = "127.0.0.1"):
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.routes: dict[str, object] = {}
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                outer.requests.append((self.path, dict(self.headers)))
                route = outer.routes.get(self.path.split("?")[0])
                if route is None:
                    body = b"<html><head><title>Local</title></head><body><p>" + GOOD_A.encode() * 3 + b"</p></body></html>"
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                route(self)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer((host, 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    s = Server("127.0.0.1")
    yield s
    s.close()


@pytest.fixture
def allowed_server(monkeypatch):
    """A server on 127.0.0.2, the only internal address the policy is told to allow."""
    s = Server("127.0.0.2")
    monkeypatch.setenv("CHANCERY_FETCH_ALLOW", "127.0.0.2")
    yield s
    s.close()


def redirect_to(location: str, status: int = 302):
    def route(h):
        h.send_response(status)
        h.send_header("Location", location)
        h.send_header("Content-Length", "0")
        h.end_headers()
    return route


# === 1. failure isolation ====================================================================

def test_long_article_between_good_files_is_analysed_in_windows(tmp_path, monkeypatch):
    """E088: a text longer than spaCy's limit used to abort the whole batch (0 stored, run left
    'running'). The limit is lowered here so that the test is quick; the class is the same."""
    nlp = extract.get_nlp()
    monkeypatch.setattr(nlp, "max_length", 40_000)
    monkeypatch.setattr(extract.article, "WINDOW_CHARS", 15_000)
    folder = tmp_path / "in"
    folder.mkdir()
    long_text = bbc_text(60_000)
    (folder / "a.txt").write_text(GOOD_A)
    (folder / "b-long.txt").write_text(long_text)
    (folder / "c.txt").write_text(GOOD_B)
    db = tmp_path / "s.db"
    res = ingest_sources(db, [folder], fetch=False)
    assert res["new"] == 3 and res["errors"] == 0, res["error_messages"]
    (art,) = rows(db, "SELECT id, text FROM articles WHERE source LIKE '%b-long.txt'")
    assert len(art["text"]) > 50_000
    mentions = rows(db, "SELECT start, end, text, sentence_index FROM mentions WHERE article_id = ?", [art["id"]])
    assert len(mentions) > 100
    assert all(art["text"][m["start"]:m["end"]] == m["text"] for m in mentions)
    late = [m for m in mentions if m["start"] > 45_000]
    assert late, "the last window was analysed"
    assert rows(db, "SELECT status FROM ingest_runs") == [{"status": "finished"}]


def test_extraction_failure_mid_batch_is_that_items_error(tmp_path, monkeypatch):
    """A lazy extract_many that raises on one item: that item is recorded, the others land."""
    fail_extraction_on(monkeypatch, "POISON", RuntimeError("model exploded"))
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(GOOD_A)
    (folder / "b.txt").write_text("POISON in an article about envoys meeting in Doha for talks.\n")
    (folder / "c.txt").write_text(GOOD_B)
    db = tmp_path / "s.db"
    res = ingest_sources(db, [folder], fetch=False)
    assert res["new"] == 2 and res["errors"] == 1
    (err,) = rows(db, "SELECT kind, source, message FROM ingest_errors")
    assert err["kind"] == "extraction" and err["source"].endswith("b.txt") and "model exploded" in err["message"]
    assert "\n" not in err["message"]
    assert rows(db, "SELECT status FROM ingest_runs") == [{"status": "finished"}]
    # A re-run stores nothing twice and records the same error once.
    again = ingest_sources(db, [folder], fetch=False)
    assert again["new"] == 0 and len(rows(db, "SELECT * FROM ingest_errors")) == 1


def test_save_failure_is_that_items_error_and_leaves_no_half_article(tmp_path, monkeypatch):
    real = store.save_extraction

    def failing(db, article_id, result, *a, **kw):
        if "Iran" in result["text"]:
            raise sqlite3.IntegrityError("simulated constraint failure")
        return real(db, article_id, result, *a, **kw)

    monkeypatch.setattr(store, "save_extraction", failing)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(GOOD_A)
    (folder / "b.txt").write_text(GOOD_B)
    db = tmp_path / "s.db"
    res = ingest_sources(db, [folder], fetch=False)
    assert res["new"] == 1 and res["errors"] == 1
    assert rows(db, "SELECT kind FROM ingest_errors") == [{"kind": "store"}]
    assert [r["n"] for r in rows(db, "SELECT COUNT(*) AS n FROM articles")] == [1]
    assert all("Iran" not in r["text"] for r in rows(db, "SELECT text FROM articles"))


def test_run_is_never_left_running(tmp_path):
    db = tmp_path / "s.db"

    def interrupted():
        yield sources.Item(source="x", kind="text", text=GOOD_A)
        raise KeyboardInterrupt

    ing = ingest.Ingester(db, fetch=False)
    with pytest.raises(KeyboardInterrupt):
        ing.run(interrupted(), ["x"])
    ing.close()

    def broken_reader():
        yield sources.Item(source="y", kind="text", text=GOOD_B)
        raise sqlite3.OperationalError("disk I/O error")

    ing = ingest.Ingester(db, fetch=False)
    with pytest.raises(sqlite3.OperationalError):
        ing.run(broken_reader(), ["y"])
    ing.close()
    runs = rows(db, "SELECT status, message FROM ingest_runs ORDER BY id")
    assert [r["status"] for r in runs] == ["interrupted", "failed"]
    assert "disk I/O error" in runs[1]["message"]


def test_reextract_counts_and_records_its_failures(tmp_path, monkeypatch):
    db = tmp_path / "s.db"
    for text in (GOOD_A, GOOD_B):
        assert ingest_text(db, text, title="T", published="2025-01-02")["new"] == 1
    before = rows(db, "SELECT article_id, COUNT(*) AS n FROM mentions GROUP BY article_id ORDER BY article_id")
    fail_extraction_on(monkeypatch, "Iran", ValueError("broken rule"))
    res = reextract(db)
    assert res["articles"] == 1 and res["failed"] == 1
    (err,) = rows(db, "SELECT kind, item, message FROM ingest_errors")
    assert err["kind"] == "reextract" and "broken rule" in err["message"]
    # The article that failed keeps the facts it had.
    after = rows(db, "SELECT article_id, COUNT(*) AS n FROM mentions GROUP BY article_id ORDER BY article_id")
    assert after == before
    assert rows(db, "SELECT status, errors FROM ingest_runs WHERE sources = '[\"reextract\"]'") == [
        {"status": "finished", "errors": 1}]


# === 2. the fetch policy =====================================================================

LOOPBACK_SPELLINGS = [
    "http://127.0.0.1:{port}/page", "http://localhost:{port}/page", "http://LOCALHOST:{port}/page",
    "http://localhost.:{port}/page", "http://[::1]:{port}/page", "http://2130706433:{port}/page",
    "http://0x7f000001:{port}/page", "http://127.1:{port}/page", "http://0177.0.0.1:{port}/page",
    "http://127.000.000.001:{port}/page", "http://[::ffff:127.0.0.1]:{port}/page",
    "http://[::ffff:7f00:1]:{port}/page", "http://0.0.0.0:{port}/page", "http://0:{port}/page",
    "https://127.0.0.1:{port}/page", "http://127.0.0.1:{port}/%2e%2e/admin",
]


@pytest.mark.parametrize("template", LOOPBACK_SPELLINGS)
def test_fetch_refuses_loopback_in_every_spelling(template, server, tmp_path, monkeypatch):
    monkeypatch.delenv("CHANCERY_FETCH_ALLOW", raising=False)
    url = template.format(port=server.port)
    res = ingest_sources(tmp_path / "s.db", [url])
    assert res["new"] == 0 and res["errors"] == 1
    (err,) = rows(tmp_path / "s.db", "SELECT kind, message FROM ingest_errors")
    assert err["kind"] == "blocked" and "not fetched" in err["message"]
    assert server.requests == []


@pytest.mark.parametrize("address", [
    "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254", "100.64.0.1", "127.8.9.10",
    "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255", "0.0.0.0", "198.18.0.1",
    "192.0.2.1", "::", "::1", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1", "::ffff:10.0.0.1",
    "::ffff:169.254.169.254", "64:ff9b::7f00:1", "64:ff9b::a00:1", "2002:7f00:1::1",
    "2002:c0a8:101::1", "2001:db8::1",
])
def test_internal_address_classes_are_refused(address):
    from analysis.ingest import fetch

    assert fetch.address_problem(ipaddress.ip_address(address)) is not None


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "2a00:1450:4001::200e"])
def test_public_addresses_pass(address):
    from analysis.ingest import fetch

    assert fetch.address_problem(ipaddress.ip_address(address)) is None


def test_every_resolved_address_is_checked(monkeypatch):
    """A name that resolves to a public and an internal address is refused: the check does not
    stop at the first answer (no connection is attempted)."""
    from analysis.ingest import fetch

    def fake(host, port, *a, **kw):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", port))]

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: pytest.fail("connected"))
    with pytest.raises(fetch.FetchError) as exc:
        fetch.fetch_url("http://mixed.example/", timeout=2, max_bytes=1000, user_agent="t")
    assert exc.value.kind == "blocked" and "10.1.2.3" in str(exc.value)


def test_connection_goes_to_the_checked_address(allowed_server, monkeypatch):
    """DNS rebinding: the name is looked up once; a second lookup would answer 127.0.0.3, where
    nothing listens, so the fetch succeeds only when it connects to the address it checked."""
    from analysis.ingest import fetch

    real = socket.getaddrinfo
    calls = []

    def rebinding(host, port, *a, **kw):
        if host == "rebind.example":
            calls.append(host)
            ip = "127.0.0.2" if len(calls) == 1 else "127.0.0.3"
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port))]
        return real(host, port, *a, **kw)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    monkeypatch.setenv("CHANCERY_FETCH_ALLOW", "127.0.0.2")
    resp = fetch.fetch_url(f"http://rebind.example:{allowed_server.port}/page", timeout=5,
                           max_bytes=100_000, user_agent="t")
    assert resp.status == 200 and len(calls) == 1
    (path, headers), = allowed_server.requests
    assert headers["Host"] == f"rebind.example:{allowed_server.port}"


def test_allow_list_lets_a_team_fetch_internal_hosts(allowed_server, tmp_path):
    res = ingest_sources(tmp_path / "s.db", [f"http://127.0.0.2:{allowed_server.port}/story.html"])
    assert res["new"] == 1, res["error_messages"]
    assert len(allowed_server.requests) == 1


def test_redirects_are_checked_hop_by_hop(allowed_server, server, tmp_path):
    from analysis.ingest import fetch

    inner = f"http://127.0.0.1:{server.port}/secret"
    allowed_server.routes["/to-inner"] = redirect_to(inner)
    allowed_server.routes["/to-localhost"] = redirect_to(f"http://localhost:{server.port}/secret", 307)
    allowed_server.routes["/to-ftp"] = redirect_to("ftp://127.0.0.2/file.txt", 301)
    allowed_server.routes["/to-file"] = redirect_to("file:///etc/passwd")
    allowed_server.routes["/loop"] = redirect_to("/loop")
    base = f"http://127.0.0.2:{allowed_server.port}"
    res = ingest_sources(tmp_path / "s.db", [f"{base}/to-inner", f"{base}/to-localhost",
                                             f"{base}/to-ftp", f"{base}/to-file", f"{base}/loop"])
    assert res["new"] == 0 and res["errors"] == 5
    kinds = [r["kind"] for r in rows(tmp_path / "s.db", "SELECT kind FROM ingest_errors ORDER BY id")]
    assert kinds == ["blocked", "blocked", "unsupported", "unsupported", "network"]
    assert server.requests == []  # the internal server was never reached
    loops = [p for p, _ in allowed_server.requests if p == "/loop"]
    assert len(loops) == fetch.MAX_REDIRECTS + 1


def test_fetch_deadline_is_total_not_per_read(allowed_server):
    """A server that trickles a byte every 0.2 s would hold a per-read timeout forever."""
    from analysis.ingest import fetch

    def trickle(h, head: bytes, byte: bytes):
        h.wfile.write(head)
        for _ in range(100):  # bounded: at most 20 s, ends when the client hangs up
            try:
                h.wfile.write(byte)
                h.wfile.flush()
            except OSError:
                return
            time.sleep(0.2)

    def trickle_body(h):
        trickle(h, b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n", b"x")

    def trickle_headers(h):
        trickle(h, b"HTTP/1.1 200 OK\r\n", b"X")

    allowed_server.routes["/body"] = trickle_body
    allowed_server.routes["/headers"] = trickle_headers
    for path in ("/body", "/headers"):
        t0 = time.monotonic()
        with pytest.raises(fetch.FetchError) as exc:
            fetch.fetch_url(f"http://127.0.0.2:{allowed_server.port}{path}", timeout=1.0,
                            max_bytes=1_000_000, user_agent="t")
        elapsed = time.monotonic() - t0
        assert exc.value.kind == "network" and "longer than" in str(exc.value)
        assert elapsed < 3.0, f"{path}: the 1 s deadline held for {elapsed:.1f} s"


def test_size_limit_applies_while_reading(allowed_server, monkeypatch):
    from analysis.ingest import fetch

    def big(h, length: bool):
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        if length:
            h.send_header("Content-Length", str(3_000_000))
        h.end_headers()
        try:
            for _ in range(300):
                h.wfile.write(b"<p>" + b"a" * 9_996 + b"</p>")
        except OSError:
            pass

    allowed_server.routes["/declared"] = lambda h: big(h, True)
    allowed_server.routes["/undeclared"] = lambda h: big(h, False)
    for path in ("/declared", "/undeclared"):
        with pytest.raises(fetch.FetchError) as exc:
            fetch.fetch_url(f"http://127.0.0.2:{allowed_server.port}{path}", timeout=5,
                            max_bytes=1_000_000, user_agent="t")
        assert exc.value.kind == "too_large"


def test_credentials_are_never_sent_stored_or_shown(allowed_server, tmp_path):
    db = tmp_path / "s.db"
    secret = "s3cretPW"
    feed = tmp_path / "feed.rss"
    feed.write_text(f"""<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
<item><title>One</title><link>http://carol:{secret}@127.0.0.1:9/one</link>
<description>{GOOD_B}</description></item></channel></rss>""")
    note = tmp_path / "note.txt"
    note.write_text(f"---\ntitle: Note\nurl: https://dave:{secret}@example.org/n\n---\n{GOOD_A}\nAnd more.\n")
    res = ingest_sources(db, [f"http://alice:{secret}@127.0.0.1:9/x",
                              f"http://bob:{secret}@127.0.0.2:{allowed_server.port}/page.html", feed, note])
    assert res["new"] == 3, res["error_messages"]
    assert secret not in json.dumps(res)
    (path, headers), = allowed_server.requests
    assert "Authorization" not in headers
    conn = sqlite3.connect(db)
    for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
        for row in conn.execute(f"SELECT * FROM [{table}]").fetchall():
            assert secret not in repr(row), table
    conn.close()


def test_feed_entry_links_to_internal_hosts_are_not_fetched(server, tmp_path, monkeypatch):
    monkeypatch.delenv("CHANCERY_FETCH_ALLOW", raising=False)
    body = f"""<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>
<item><title>One</title><link>http://127.0.0.1:{server.port}/one</link><description>{GOOD_A}</description></item>
<item><title>Two</title><link>http://localhost:{server.port}/two</link><description>{GOOD_B}</description></item>
</channel></rss>"""
    (tmp_path / "local.rss").write_text(body)
    db = tmp_path / "s.db"
    res = ingest_sources(db, [tmp_path / "local.rss"])
    up = ingest_bytes(db, "uploaded.xml", body.replace("Wire", "Wire 2").encode())
    assert res["new"] == 2 and res["errors"] == 0
    assert up["errors"] == 0
    assert server.requests == []
    texts = {r["text"] for r in rows(db, "SELECT text FROM articles")}
    assert GOOD_A.strip() in texts


# === 3. served to this machine ===============================================================

def test_dashboard_is_served_on_localhost_by_default():
    conf = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())
    assert conf["server"]["address"] == "localhost"
    # What Streamlit itself reads from the project's folder (in its own process, so that this
    # test session's settings stay as they are).
    shown = subprocess.run([sys.executable, "-m", "streamlit", "config", "show"], cwd=REPO,
                           capture_output=True, text=True, timeout=120).stdout
    assert 'address = "localhost"' in shown.split("[server]", 1)[1].split("\n[", 1)[0]


# === 4. only regular files ===================================================================

def _in_thread(fn, timeout=20):
    box = {}
    t = threading.Thread(target=lambda: box.setdefault("out", fn()), daemon=True)
    t.start()
    t.join(timeout)
    assert not t.is_alive(), "hung"
    return box["out"]


def test_special_files_are_refused_without_being_read(tmp_path, monkeypatch):
    monkeypatch.setenv("CHANCERY_MAX_BYTES", "1000000")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD_A)
    os.mkfifo(folder / "pipe-inside.txt")
    os.mkfifo(tmp_path / "pipe-arg.txt")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(folder / "socket.txt"))
    try:
        db = tmp_path / "s.db"
        res = _in_thread(lambda: ingest_sources(db, [folder, tmp_path / "pipe-arg.txt", "/dev/zero",
                                                     "/dev/urandom", "/dev/null"], fetch=False))
    finally:
        sock.close()
    assert res["new"] == 1
    errs = rows(db, "SELECT source, kind, message FROM ingest_errors ORDER BY source")
    by_source = {Path(e["source"]).name: e for e in errs}
    assert set(by_source) == {"pipe-inside.txt", "pipe-arg.txt", "socket.txt", "zero", "urandom", "null"}
    assert all(e["kind"] == "special" and e["message"] for e in errs)
    assert "FIFO" in by_source["pipe-arg.txt"]["message"]
    assert "character device" in by_source["zero"]["message"]


def test_reads_never_exceed_the_size_limit(tmp_path, monkeypatch):
    monkeypatch.setenv("CHANCERY_MAX_BYTES", "1000")
    big = tmp_path / "big.txt"
    big.write_text("word " * 1000)
    (err,) = list(sources.iter_items(big))
    assert err.kind == "too_large"
    # A file that claims to be small but grows: the read stops at the limit.
    calls = []
    real_read = os.read

    def counting(fd, n):
        calls.append(n)
        return real_read(fd, n)

    monkeypatch.setattr(os, "stat", lambda p, *a, **k: os.lstat(tmp_path / "small.txt"))
    (tmp_path / "small.txt").write_text("x")
    monkeypatch.setattr(os, "read", counting)
    with pytest.raises(sources.SourceError) as exc:
        sources.read_regular_file(big, 1000)
    assert exc.value.kind == "too_large" and sum(calls) <= 1001


def test_symlinks_out_of_the_folder_are_not_followed(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("Secret text that lives outside the folder given, about a minister.\n")
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "good.txt").write_text(GOOD_A)
    (folder / "passwd.txt").symlink_to("/etc/passwd")
    (folder / "out.txt").symlink_to(outside)
    (folder / "up").symlink_to(tmp_path)
    (folder / "sub" / "inside.txt").symlink_to(folder / "good.txt")
    db = tmp_path / "s.db"
    res = ingest_sources(db, [folder], fetch=False)
    assert res["new"] == 1
    errs = {Path(r["source"]).name: r["kind"] for r in rows(db, "SELECT source, kind FROM ingest_errors")}
    assert errs == {"passwd.txt": "symlink", "out.txt": "symlink", "up": "symlink"}
    texts = " ".join(r["text"] for r in rows(db, "SELECT text FROM articles"))
    assert "root:" not in texts and "Secret text" not in texts


def test_unreadable_files_and_folders_are_recorded(tmp_path, monkeypatch):
    folder = tmp_path / "in"
    (folder / "locked").mkdir(parents=True)
    (folder / "locked" / "hidden.txt").write_text(GOOD_B)
    (folder / "good.txt").write_text(GOOD_A)
    (folder / "secret.txt").write_text(GOOD_B)
    # Root reads everything whatever the mode, so the refusals are simulated the way the OS
    # reports them; without root, real permissions are used as well.
    os.chmod(folder / "locked", 0)
    os.chmod(folder / "secret.txt", 0)
    real_scandir, real_open = os.scandir, os.open

    def scandir(p="."):
        if Path(p) == folder / "locked":
            raise PermissionError(13, "Permission denied", str(p))
        return real_scandir(p)

    def op(p, flags, *a):
        if Path(p).name == "secret.txt":
            raise PermissionError(13, "Permission denied", str(p))
        return real_open(p, flags, *a)

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(os, "open", op)
    try:
        db = tmp_path / "s.db"
        res = ingest_sources(db, [folder], fetch=False)
    finally:
        os.chmod(folder / "locked", 0o755)
        os.chmod(folder / "secret.txt", 0o644)
    assert res["new"] == 1
    errs = {Path(r["source"]).name: (r["kind"], r["message"]) for r in rows(db, "SELECT * FROM ingest_errors")}
    assert errs["locked"][0] == "unreadable" and "Permission denied" in errs["locked"][1]
    assert errs["secret.txt"][0] == "unreadable"


# === 5. the store's lifecycle ================================================================

OPEN_SCRIPT = "import sys; from analysis import store; store.open_db(sys.argv[1]).conn.close()"


def test_many_processes_may_create_a_new_store_at_once(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    for trial in range(4):
        path = tmp_path / f"new-{trial}.db"
        procs = [subprocess.Popen([sys.executable, "-c", OPEN_SCRIPT, str(path)], cwd=REPO, env=env,
                                  stderr=subprocess.PIPE, text=True) for _ in range(8)]
        results = [(p.wait(60), p.stderr.read()) for p in procs]
        assert all(rc == 0 for rc, _ in results), [e for rc, e in results if rc]
        conn = sqlite3.connect(path)
        assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (str(store.SCHEMA_VERSION),)
        conn.close()


def test_two_first_ingests_on_a_new_store_both_land(tmp_path):
    (tmp_path / "a.txt").write_text(GOOD_A)
    (tmp_path / "b.txt").write_text(GOOD_B)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    for trial in range(2):
        db = tmp_path / f"s{trial}.db"
        procs = [subprocess.Popen([sys.executable, "-m", "analysis", "ingest", "--quiet", "--no-fetch",
                                   "--db", str(db), str(tmp_path / name)], cwd=REPO, env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for name in ("a.txt", "b.txt")]
        outs = [p.communicate(timeout=120) for p in procs]
        assert [p.returncode for p in procs] == [0, 0], outs
        assert rows(db, "SELECT COUNT(*) AS n FROM articles") == [{"n": 2}]


def make_store(path: Path) -> Path:
    assert ingest_text(path, GOOD_A, title="T", published="2025-01-02")["new"] == 1
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return path


def newer(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def other_app(path: Path) -> None:
    path.unlink()
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    conn.execute("INSERT INTO invoices (total) VALUES (12.5)")
    conn.commit()
    conn.close()


def not_sqlite(path: Path) -> None:
    path.write_bytes(b"These are an analyst's notes, not a database.\n" * 100)


def garbage_header(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[16:24] = b"\xff" * 8  # page size and format bytes
    path.write_bytes(bytes(data))


DAMAGES = {"newer-schema": newer, "truncated": truncate, "another-apps-sqlite": other_app,
           "not-sqlite": not_sqlite, "garbled-header": garbage_header}


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_bad_store_gets_one_clear_line_and_is_never_written(damage, tmp_path):
    path = make_store(tmp_path / "s.db")
    DAMAGES[damage](path)
    before = digest(path)
    (tmp_path / "new.txt").write_text(GOOD_B)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    for args in (["stats"], ["ingest", "--quiet", "--no-fetch", str(tmp_path / "new.txt")], ["reextract", "--quiet"]):
        p = subprocess.run([sys.executable, "-m", "analysis", *args, "--db", str(path)], cwd=REPO,
                           env=env, capture_output=True, text=True, timeout=120)
        assert p.returncode != 0, (args, p.stdout)
        assert "Traceback" not in p.stderr, p.stderr
        lines = [line for line in p.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("error: ") and str(path) in lines[0], p.stderr
        assert digest(path) == before, args
    if damage == "newer-schema":
        assert "newer Chancery" in lines[0] and "upgrade" in lines[0]
    with pytest.raises(store.StoreError):
        store.open_db(path)
    assert store.store_problem(path)
    assert digest(path) == before


@pytest.mark.parametrize("damage", ["newer-schema", "not-sqlite", "truncated"])
def test_dashboard_shows_a_clear_page_for_a_bad_store(damage, tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    path = make_store(tmp_path / "s.db")
    DAMAGES[damage](path)
    before = digest(path)
    monkeypatch.setenv("CHANCERY_DB", str(path))
    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=30)
    at.run()
    assert not at.exception
    assert at.title[0].value == "Chancery cannot open its store"
    assert str(path).replace("/", "") in at.error[0].value.replace("\\", "").replace("/", "")
    at.switch_page("pages/data.py").run()
    assert not at.exception and at.title[0].value == "Chancery cannot open its store"
    assert digest(path) == before


def test_damage_deep_in_the_file_shows_the_message_page_not_a_crash(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from analysis.views import queries

    path = make_store(tmp_path / "s.db")
    monkeypatch.setenv("CHANCERY_DB", str(path))

    def malformed(*a, **k):
        raise sqlite3.DatabaseError("database disk image is malformed")

    monkeypatch.setattr(queries, "overview", malformed, raising=False)
    monkeypatch.setattr(queries, "filter_options", malformed)
    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=30)
    at.run()
    assert not at.exception
    assert at.title[0].value == "Chancery cannot open its store"
    assert "damaged" in at.error[0].value


def test_read_only_store_gets_a_clear_message(tmp_path, monkeypatch):
    path = make_store(tmp_path / "s.db")
    before = digest(path)
    real = sqlite3.connect

    def readonly(*a, **k):
        conn = real(*a, **k)
        conn.execute("PRAGMA query_only = ON")  # what a read-only file or folder looks like
        return conn

    monkeypatch.setattr(sqlite3, "connect", readonly)
    res = None
    with pytest.raises(store.StoreError) as exc:
        res = ingest_text(path, GOOD_B)
    assert res is None
    assert "cannot be written" in str(exc.value)
    monkeypatch.undo()
    assert digest(path) == before


def test_empty_file_is_a_store_not_built_yet(tmp_path):
    path = tmp_path / "empty.db"
    path.write_bytes(b"")
    assert store.store_problem(path) is None
    assert ingest_text(path, GOOD_A)["new"] == 1


def v2_store(path: Path) -> Path:
    """A store as schema 2 made it: no ingest_runs.message, runs closed 'done'."""
    make_store(path)
    conn = sqlite3.connect(path)
    conn.execute("ALTER TABLE ingest_runs DROP COLUMN message")
    conn.execute("UPDATE ingest_runs SET status = 'done'")
    conn.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    return path


def test_migrations_are_numbered_one_per_version():
    assert sorted(store.MIGRATIONS) == list(range(2, store.SCHEMA_VERSION + 1))


def test_migration_3_upgrades_a_schema_2_store(tmp_path):
    path = v2_store(tmp_path / "s.db")
    texts = rows(path, "SELECT id, text FROM articles")
    db = store.open_db(path)
    assert db["meta"].get("schema_version")["value"] == str(store.SCHEMA_VERSION)  # 3, then on
    assert "message" in db["ingest_runs"].columns_dict
    assert [r["status"] for r in db.query("SELECT status FROM ingest_runs")] == ["finished"]
    db.conn.close()
    assert rows(path, "SELECT id, text FROM articles") == texts
    assert ingest_text(path, GOOD_B)["new"] == 1


def test_dashboard_upgrades_an_older_store_before_reading_it(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    path = v2_store(tmp_path / "s.db")
    monkeypatch.setenv("CHANCERY_DB", str(path))
    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=30)
    at.run()
    assert not at.exception
    at.switch_page("pages/data.py").run()
    assert not at.exception and at.title[0].value == "Data"
    assert rows(path, "SELECT value FROM meta WHERE key = 'schema_version'") == [{"value": str(store.SCHEMA_VERSION)}]


def test_migrations_run_from_schema_1(tmp_path):
    path = v2_store(tmp_path / "s.db")
    conn = sqlite3.connect(path)
    conn.execute("DROP VIEW roles")
    conn.execute("CREATE VIEW roles AS SELECT entity_id, title, country FROM article_roles GROUP BY entity_id, title, country")
    conn.execute("DROP INDEX idx_events_kind_date")
    conn.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    db = store.open_db(path)
    assert db["meta"].get("schema_version")["value"] == str(store.SCHEMA_VERSION)
    assert "idx_events_kind_date" in {ix.name for ix in db["events"].indexes}
    assert "first_seen" in db["roles"].columns_dict
    db.conn.close()


# === 6. rendering ============================================================================

# The patterns GitHub-flavoured Markdown autolinks in text (mdast-util-gfm-autolink-literal).
_GFM_URL = r"(?i)(https?://|www(?=\.))[-.\w]+"
_GFM_EMAIL = r"[-.+\w]+@[-\w]+(?:\.[-\w]+)+"


@pytest.mark.parametrize("payload", [
    "read http://evil.example/x now", "HTTPS://EVIL.EXAMPLE", "see www.evil.example today",
    "ftp://files.example/a", "mail boss@evil.example", "mailto:boss@evil.example",
    "xmpp:chat@evil.example", "(http://evil.example)", "<http://evil.example>",
])
def test_article_text_never_becomes_a_live_link(payload):
    import re

    marked = payload + " in Kabul"
    for rendered in (safe.escape_markdown(payload),
                     safe.highlight_markdown(marked, [(len(marked) - 5, len(marked))])):
        text = re.sub(r"\\(.)", r"\1", rendered)  # what the renderer sees once escapes are undone
        text = text.replace("**", "")
        assert not re.search(_GFM_URL, text), rendered
        assert not re.search(_GFM_EMAIL, text), rendered
        assert text.replace("\u2060", "") in (payload, marked)


def test_over_long_values_are_kept_out_of_the_address():
    from pages import _common

    long_name = "N" * 100_000
    got = _common.url_values({"person": [long_name, "Ishaq Dar"], "country": ["PAK"], "from": "2025-01-01"})
    assert got == {"person": ["Ishaq Dar"], "country": ["PAK"], "from": ["2025-01-01"]}
    many = _common.url_values({"person": [f"Person {i:04d}" for i in range(400)]})
    assert sum(len(v) for v in many["person"]) <= _common.MAX_URL_TOTAL


def test_nul_and_control_characters_are_never_stored(tmp_path):
    jsonl = tmp_path / "wire.jsonl"
    jsonl.write_text(json.dumps({"title": "Nul\u0000title", "text": "Before\u0000after the NUL, " + GOOD_A,
                                 "published": "2025-01-02"}) + "\n"
                     + json.dumps({"title": "Surrogate", "text": "Lone \ud800 surrogate and \x1b[31m escape. " + GOOD_B}) + "\n")
    late_nul = tmp_path / "late.txt"
    late_nul.write_bytes(("Opening paragraph about envoys. " * 300).encode() + b"\x00\x07hidden tail about Kabul talks.\n")
    db = tmp_path / "s.db"
    res = ingest_sources(db, [jsonl, late_nul], fetch=False)
    assert res["new"] == 3, res["error_messages"]
    for r in rows(db, "SELECT title, text, length(text) AS n FROM articles"):
        for value in (r["title"] or "", r["text"]):
            assert not any(ord(ch) < 32 and ch not in "\t\n\r" for ch in value)
            assert not any(0xD800 <= ord(ch) <= 0xDFFF for ch in value)
        assert r["n"] == len(r["text"])  # SQLite sees the whole text
    assert rows(db, "SELECT COUNT(*) AS n FROM articles_fts WHERE articles_fts MATCH 'tail'") == [{"n": 1}]
