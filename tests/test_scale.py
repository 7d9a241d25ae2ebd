"""Issue 12: benchmark stores replicated from a real one, and the pages' reads measured on them.
(Speed targets are measured by ``python -m analysis bench pages``, never asserted here.)"""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from analysis.cli import main
from analysis.evaluate import bench
from analysis.store import replicate


def q(path: Path, sql: str):
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_a_store_tiled_from_a_real_one_keeps_its_facts_per_article(sample_db, tmp_path):
    src_counts = {t: q(sample_db, f"SELECT COUNT(*) FROM {t}")[0][0] for t in ("articles", "mentions", "events")}
    out = tmp_path / "big.db"
    n = src_counts["articles"] * 3 + 7
    counts = replicate.replicate(sample_db, out, n)
    assert counts["articles"] == n
    assert counts["mentions"] > src_counts["mentions"] * 3
    assert counts["events"] > src_counts["events"] * 3
    # unique hashes and keys, dates moved on, no report pointing at a missing event, search filled
    assert q(out, "SELECT COUNT(DISTINCT content_hash) = COUNT(*) FROM articles") == [(1,)]
    assert q(out, "SELECT COUNT(DISTINCT key) = COUNT(*) FROM events") == [(1,)]
    assert q(out, "SELECT MAX(published) FROM articles")[0][0] > q(sample_db, "SELECT MAX(published) FROM articles")[0][0]
    assert q(out, "SELECT COUNT(*) FROM reports WHERE event_id IS NOT NULL AND event_id NOT IN (SELECT id FROM events)") \
        == [(0,)]
    assert q(out, "SELECT COUNT(*) FROM articles_fts WHERE articles_fts MATCH 'Kabul'")[0][0] > \
        q(sample_db, "SELECT COUNT(*) FROM articles_fts WHERE articles_fts MATCH 'Kabul'")[0][0] * 3
    # each copy is the real article with its facts: same mentions per article
    per = q(out, "SELECT a.title, COUNT(m.id) FROM articles a LEFT JOIN mentions m ON m.article_id = a.id"
                 " GROUP BY a.id ORDER BY a.id")
    first = dict(per[:src_counts["articles"]])
    assert all(first[t] == c for t, c in per[src_counts["articles"]:])


def test_a_cut_keeps_the_first_articles_and_only_their_facts(sample_db, tmp_path):
    out = tmp_path / "small.db"
    counts = replicate.replicate(sample_db, out, 10)
    assert counts["articles"] == 10
    assert q(out, "SELECT COUNT(*) FROM mentions WHERE article_id NOT IN (SELECT id FROM articles)") == [(0,)]
    assert q(out, "SELECT COUNT(*) FROM events WHERE article_id NOT IN (SELECT id FROM articles)") == [(0,)]
    assert q(out, "SELECT COUNT(*) FROM events WHERE id NOT IN (SELECT event_id FROM reports"
                  " WHERE event_id IS NOT NULL)") == [(0,)]


def test_bench_commands(sample_db, tmp_path, capsys):
    out = tmp_path / "b.db"
    assert main(["bench", "store", "--articles", "120", "--from", str(sample_db), "--db", str(out)]) == 0
    assert "120 articles" in capsys.readouterr().out
    assert main(["bench", "store", "--articles", "10", "--from", str(out), "--db", str(out)]) == 2
    assert main(["bench", "store", "--from", str(sample_db), "--db", str(out)]) == 2
    res = bench.pages_bench(out, base=sample_db, repeat=1)
    names = {r["call"] for r in res["rows"]}
    assert {"visits events", "topics topic_series month", "network full_graph", "briefing build"} <= names
    assert all(r["warm_ms"] >= 0 for r in res["rows"])
    assert res["articles"] == 120
    with pytest.raises(FileNotFoundError):
        replicate.replicate(tmp_path / "none.db", tmp_path / "x.db", 5)
