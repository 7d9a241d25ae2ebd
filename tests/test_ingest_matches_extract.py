"""Ingestion stores exactly what ``python -m analysis extract`` prints for the same file."""
from __future__ import annotations

import json
import subprocess
import sys

from analysis import config, store
from analysis.ingest import ingest_sources


def test_stored_rows_equal_extract_output(tmp_path):
    src = sorted(config.SAMPLE_DIR.glob("*.md"))[21]
    out = subprocess.run([sys.executable, "-m", "analysis", "extract", str(src)], cwd=config.REPO_ROOT,
                         capture_output=True, text=True, check=True, timeout=300)
    (ext,) = [json.loads(line) for line in out.stdout.splitlines()]
    db = tmp_path / "c.db"
    assert ingest_sources(db, [src], fetch=False)["new"] == 1
    conn = store.connect_ro(db)
    try:
        art = dict(conn.execute("SELECT * FROM articles").fetchone())
        assert (art["title"], art["text"], art["published"]) == (ext["title"], ext["text"], ext["published"])
        mentions = [tuple(r) for r in conn.execute('SELECT start, "end", text, label FROM mentions ORDER BY start, "end"')]
        assert mentions == sorted((m["start"], m["end"], m["text"], m["label"]) for m in ext["mentions"])
        events = sorted((r["kind"], r["date"], r["evidence"]) for r in conn.execute("SELECT * FROM events"))
        assert events == sorted((e["kind"], e.get("date"), e.get("evidence")) for e in ext["events"])
        assert ext["events"], "the sample article should yield events"
        names = {r[0] for r in conn.execute("SELECT name FROM entities")}
        assert {e["name"] for e in ext["entities"]} <= names
        topics = {r[0] for r in conn.execute("SELECT topic_id FROM article_topics")}
        assert topics == {t["id"] for t in ext["topics"]}
    finally:
        conn.close()
