"""The README's first command on a fresh machine: with no database, the dashboard builds one from
the bundled sample corpus and opens on it."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

from analysis import config, store


def test_first_run_builds_the_sample_store(tmp_path, monkeypatch):
    db = tmp_path / "fresh" / "chancery.db"
    monkeypatch.setenv("CHANCERY_DB", str(db))
    at = AppTest.from_file(str(config.REPO_ROOT / "dashboard.py"), default_timeout=300)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert db.exists()
    conn = store.connect_ro(db)
    try:
        counts = store.stats(conn)
    finally:
        conn.close()
    n_sample = len(list(config.SAMPLE_DIR.glob("*.md")))
    assert n_sample >= 40
    assert counts["articles"] + counts["duplicates"] >= n_sample
    assert counts["errors"] == 0
    # A second start opens the existing store and adds nothing.
    at2 = AppTest.from_file(str(config.REPO_ROOT / "dashboard.py"), default_timeout=120)
    at2.run()
    assert not at2.exception
    conn = store.connect_ro(db)
    try:
        assert store.stats(conn)["articles"] == counts["articles"]
    finally:
        conn.close()
