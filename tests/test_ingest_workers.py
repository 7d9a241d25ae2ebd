"""Ingest that keeps up: extraction in worker processes with one writer (the same store whatever
the number of workers, a bad article its own error, a dying worker costs only its article),
batched writes, and progress (counts known in advance,
callbacks that end at the total, the CLI bar)."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import shared_path
from store_dump import differences, dump

from analysis import cli, config, store
from analysis.ingest import ExtractorPool, Ingester, count_items, ingest_bytes, ingest_sources, reextract
from analysis.ingest.pipeline import _expand

SAMPLE = sorted(config.SAMPLE_DIR.glob("*.md"))


def poison() -> None:
    """Worker initializer (sent by reference to the spawned workers): extraction raises on an
    article containing POISON and kills its worker process on one containing KILLME."""
    from analysis import extract

    real = extract.extract_many

    def flaky(items, **kw):
        for out in real(items, **kw):
            if "POISON" in out["text"]:
                raise RuntimeError("model exploded")
            if "KILLME" in out["text"]:
                os._exit(3)
            yield out

    extract.extract_many = flaky


def rows(path, sql, params=()):
    conn = store.connect_ro(path)
    try:
        return [tuple(r) for r in conn.execute(sql, params).fetchall()]
    finally:
        conn.close()


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """The sample corpus, one of its articles twice (a duplicate to link), and a bad file."""
    root = tmp_path_factory.mktemp("folder")
    for p in SAMPLE[:40]:
        shutil.copy(p, root / p.name)
    shutil.copy(SAMPLE[3], root / "zz-copy-of-004.md")
    (root / "zz-binary.txt").write_bytes(bytes(range(256)) * 8)
    return root


def test_workers_2_build_the_store_workers_1_builds(folder, tmp_path):
    one, two = tmp_path / "one.db", tmp_path / "two.db"
    assert cli.main(["ingest", "--db", str(one), "--quiet", "--no-fetch", str(folder)]) == 0
    assert cli.main(["ingest", "--db", str(two), "--quiet", "--no-fetch", "--workers", "2", str(folder)]) == 0
    a, b = dump(one), dump(two)
    assert len(a["articles"]) == 40 and len(a["article_copies"]) == 1 and len(a["ingest_errors"]) == 1
    assert len(a["events"]) > 20
    assert differences(a, b) == []
    # resumable: a second run with workers stores nothing and changes nothing
    again = ingest_sources(two, [folder], fetch=False, workers=2)
    assert (again["new"], again["duplicates"], again["unchanged"], again["errors"]) == (0, 0, 41, 1)
    after = dump(two)
    assert [e[-1] for e in after.pop("ingest_errors")] == [2]  # the same error, seen twice
    a.pop("ingest_errors")
    assert differences(a, after) == []


def test_a_single_process_ingest_parses_in_one_thread_while_this_one_writes(folder, tmp_path, monkeypatch):
    """Without workers the pipeline runs in one extraction thread (the next batch is parsed
    while this thread writes the last); the writes stay on the calling thread, in order, and
    the store is the one a batch-at-a-time ingest builds."""
    import threading
    from concurrent.futures import Future

    from analysis.ingest import workers

    seen: dict[str, set[str]] = {"extract": set(), "write": set()}
    real_extract, real_write = workers.extract_batch, Ingester._write

    def spy_extract(inputs):
        seen["extract"].add(threading.current_thread().name)
        return real_extract(inputs)

    def spy_write(self, group):
        seen["write"].add(threading.current_thread().name)
        return real_write(self, group)

    monkeypatch.setattr(workers, "extract_batch", spy_extract)
    monkeypatch.setattr(Ingester, "_write", spy_write)
    threaded = tmp_path / "threaded.db"
    ing = Ingester(threaded, fetch=False, batch_size=8)
    try:
        s = ing.run(_expand([folder], ing.fetcher), [str(folder)])
    finally:
        ing.close()
    assert (s.new, s.duplicates, s.errors) == (40, 1, 1)
    assert {n.split("_")[0] for n in seen["extract"]} == {"chancery-extract"}
    assert seen["write"] == {threading.current_thread().name}

    class AtOnce(workers.ThreadExtractor):  # the old way: extract, write, then read on
        def submit(self, inputs):
            f: Future = Future()
            f.set_result(real_extract(inputs))
            return workers.Job([(inputs, f)], None)

    plain = tmp_path / "plain.db"
    ing = Ingester(plain, fetch=False, pool=AtOnce(), batch_size=8)
    try:
        ing.run(_expand([folder], ing.fetcher), [str(folder)])
    finally:
        ing.close()
    assert differences(dump(plain), dump(threaded)) == []


def test_a_bad_article_and_a_dying_worker_cost_only_their_article(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for p in SAMPLE[:6]:
        shutil.copy(p, src / p.name)
    (src / "003b-poison.md").write_text(SAMPLE[6].read_text(encoding="utf-8") + "\n\nPOISON.\n", encoding="utf-8")
    (src / "004b-killme.md").write_text(SAMPLE[7].read_text(encoding="utf-8") + "\n\nKILLME.\n", encoding="utf-8")
    db = tmp_path / "s.db"
    with ExtractorPool(2, initializer=poison) as pool:
        ing = Ingester(db, fetch=False, pool=pool, batch_size=4)
        try:
            s = ing.run(_expand([src], ing.fetcher), [str(src)])
        finally:
            ing.close()
        assert pool.restarts >= 1
    assert (s.new, s.errors) == (6, 2), s.error_messages
    errs = sorted(rows(db, "SELECT source, kind, message FROM ingest_errors"))
    assert [(Path(e[0]).name, e[1]) for e in errs] == [("003b-poison.md", "extraction"), ("004b-killme.md", "extraction")]
    assert "model exploded" in errs[0][2] and "worker process" in errs[1][2]
    assert rows(db, "SELECT status FROM ingest_runs") == [("finished",)]
    stored = {Path(r[0]).name for r in rows(db, "SELECT source FROM articles")}
    assert stored == {p.name for p in SAMPLE[:6]}


def test_workers_that_cannot_start_fail_the_run_with_the_reason(tmp_path):
    pool = ExtractorPool(1, initializer=os.abort)
    ing = Ingester(tmp_path / "s.db", fetch=False, pool=pool)
    try:
        with pytest.raises(RuntimeError, match="worker processes stop as soon as they start"):
            ing.run(_expand([SAMPLE[0]], ing.fetcher), [str(SAMPLE[0])])
    finally:
        ing.close()
        pool.close()
    assert rows(tmp_path / "s.db", "SELECT status FROM ingest_runs") == [("failed",)]
    assert rows(tmp_path / "s.db", "SELECT COUNT(*) FROM ingest_errors") == [(0,)]


def test_a_save_failure_rolls_back_that_article_only(tmp_path, monkeypatch):
    """One transaction per batch, a savepoint per article: the failing article leaves nothing,
    the others of its batch land."""
    real = store.save_extraction

    def failing(db, article_id, result, *a, **kw):
        real(db, article_id, result, *a, **kw)  # written, then undone by the savepoint
        if "Qatar" in result["text"]:
            raise ValueError("simulated failure after the writes")

    monkeypatch.setattr(store, "save_extraction", failing)
    db = tmp_path / "s.db"
    res = ingest_sources(db, SAMPLE[:10], fetch=False)
    failing_files = [p for p in SAMPLE[:10] if "Qatar" in p.read_text(encoding="utf-8").split("---", 2)[-1]]
    assert 0 < len(failing_files) < 10
    assert (res["new"], res["errors"]) == (10 - len(failing_files), len(failing_files)), res["error_messages"]
    assert rows(db, "SELECT COUNT(*) FROM articles WHERE text LIKE '%Qatar%'") == [(0,)]
    for table in ("mentions", "reports", "article_topics", "article_roles"):
        assert rows(db, f"SELECT COUNT(*) FROM {table} WHERE article_id NOT IN (SELECT id FROM articles)") == [(0,)]
    assert {r[0] for r in rows(db, "SELECT kind FROM ingest_errors")} == {"store"}


@pytest.fixture(scope="module")
def mixed(tmp_path_factory) -> Path:
    """Items of every kind whose number is known before reading: files, JSON Lines records (one
    broken), CSV rows, feed entries, an empty file."""
    root = tmp_path_factory.mktemp("mixed")
    for p in SAMPLE[:3]:
        shutil.copy(p, root / p.name)
    lines = [json.dumps({"title": "One", "text": SAMPLE[3].read_text(encoding="utf-8")}), "{broken",
             json.dumps({"title": "Two", "text": SAMPLE[4].read_text(encoding="utf-8")})]
    (root / "bulk.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "rows.csv").write_text("title,text\nA,\"" + SAMPLE[5].read_text(encoding="utf-8").replace('"', '""')
                                   + "\"\nB,\n", encoding="utf-8")
    shutil.copy(shared_path("eval", "feeds", "rss-parser", "input", "guardian.rss"), root / "guardian.rss")
    (root / "empty.txt").write_bytes(b"")
    return root


def test_progress_counts_in_advance_and_ends_at_the_total(mixed, tmp_path):
    total = count_items([mixed], fetch=False)
    calls: list[tuple[int, int | None]] = []
    res = ingest_sources(tmp_path / "s.db", [mixed], fetch=False, on_progress=lambda d, t: calls.append((d, t)))
    seen = res["new"] + res["duplicates"] + res["unchanged"] + res["errors"]
    assert total == seen > 20  # the feed's entries, the records, the rows, the files, the errors
    assert calls[0] == (0, total) and calls[-1] == (total, total)
    done = [d for d, _ in calls]
    assert done == sorted(set(done))  # increasing, once per batch written
    assert {t for _, t in calls} == {total}
    assert count_items(["https://example.org/feed.xml"]) is None  # a URL's size is not known
    assert count_items(["https://example.org/feed.xml"], fetch=False) == 1  # refused offline: one error


def test_upload_and_reextract_report_progress(tmp_path):
    data = "\n".join(json.dumps({"title": p.stem, "text": p.read_text(encoding="utf-8")}) for p in SAMPLE[:3])
    up: list[tuple[int, int | None]] = []
    res = ingest_bytes(tmp_path / "s.db", "three.jsonl", (data + "\n{oops\n").encode(), fetch=False,
                       on_progress=lambda d, t: up.append((d, t)))
    assert (res["new"], res["errors"]) == (3, 1)
    assert up[0] == (0, 4) and up[-1] == (4, 4)
    re_: list[tuple[int, int | None]] = []
    r = reextract(tmp_path / "s.db", batch_size=2, on_progress=lambda d, t: re_.append((d, t)))
    assert r["articles"] == 3 and re_ == [(0, 3), (2, 3), (3, 3)]


def test_the_cli_bar_has_a_total_a_rate_and_ends_at_the_count(mixed, tmp_path, capsys):
    total = count_items([mixed], fetch=False)
    res = ingest_sources(tmp_path / "s.db", [mixed], fetch=False, progress=True)
    err = capsys.readouterr().err
    assert f"{total}/{total}" in err and "items/s" in err
    last = err.replace("\r", "\n").strip().splitlines()[-1]
    assert last.startswith("100%") and f"{res['new']} new" in last


@pytest.mark.parametrize("argv, message", [
    (["ingest", "--workers", "0", "x"], "--workers must be 1 or more"),
    (["ingest"], "give one or more SOURCEs"),
    (["ingest", "--extracted", "DIR", "x"], "either SOURCEs or --extracted"),
    (["ingest", "--extracted", "DIR", "--workers", "2"], "nothing for --workers to extract"),
])
def test_cli_ingest_arguments(argv, message, tmp_path, capsys):
    assert cli.main([*argv[:1], "--db", str(tmp_path / "s.db"), *argv[1:]]) == 2
    assert message in capsys.readouterr().err


KILL_SCRIPT = """
import sys
from analysis.ingest import ingest_sources

if __name__ == "__main__":
    ingest_sources(sys.argv[1], sys.argv[2:], fetch=False, workers=2)
"""


def test_a_killed_ingest_leaves_no_worker_behind_and_resumes(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    import psutil

    folder = tmp_path / "in"
    folder.mkdir()
    for p in SAMPLE:
        shutil.copy(p, folder / p.name)
    script = tmp_path / "kill_me.py"
    script.write_text(KILL_SCRIPT, encoding="utf-8")
    db = tmp_path / "k.db"
    proc = subprocess.Popen([sys.executable, str(script), str(db), str(folder)], cwd=config.REPO_ROOT,
                            env={**os.environ, "PYTHONPATH": str(config.REPO_ROOT)})
    try:
        deadline, workers = time.monotonic() + 120, []
        while time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)
            workers = psutil.Process(proc.pid).children(recursive=True)
            if len(workers) >= 2 and db.exists() and rows(db, "SELECT COUNT(*) FROM articles")[0][0] >= 1:
                break
        assert proc.poll() is None and len(workers) >= 2, "the ingest ended before it could be killed"
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    _, alive = psutil.wait_procs(workers, timeout=15)
    assert alive == [], "worker processes outlived the ingest"
    partial = rows(db, "SELECT COUNT(*) FROM articles")[0][0]
    assert 1 <= partial < len(SAMPLE)
    res = ingest_sources(db, [folder], fetch=False, workers=2)
    assert res["new"] == len(SAMPLE) - partial and rows(db, "SELECT COUNT(*) FROM articles") == [(len(SAMPLE),)]
