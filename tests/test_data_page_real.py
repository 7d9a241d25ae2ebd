"""The Data page through the real ingest path (no fakes): an upload lands, a bad upload becomes
one recorded error and loses nothing else, a pasted article lands."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

from analysis import config, store


def counts(db):
    conn = store.connect_ro(db)
    try:
        return store.stats(conn)
    finally:
        conn.close()


def test_upload_and_paste_through_the_real_ingest(file_db, monkeypatch):
    monkeypatch.setenv("CHANCERY_DB", str(file_db))
    at = AppTest.from_file(str(config.REPO_ROOT / "pages" / "data.py"), default_timeout=300)
    at.run()
    assert not at.exception
    good = ("---\ntitle: Envoy in Kabul\npublished: 2024-12-24\n---\nKABUL, Dec 24 — Pakistan's "
            "Special Representative for Afghanistan Mohammad Sadiq arrived in Kabul on Monday for "
            "talks with Afghan officials on security and trade.\n").encode()
    at.file_uploader(key="data_upload").set_value([
        ("envoy.md", good, "text/markdown"),
        ("broken.txt", bytes(range(256)) * 20, "text/plain"),
    ]).run()
    at.button(key="data_upload_go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    c = counts(file_db)
    assert c["articles"] == 1 and c["errors"] == 1 and c["events"] >= 1
    shown = " ".join(str(e.value) for e in [*at.success, *at.warning, *at.error, *at.markdown, *at.caption])
    assert "1 new article" in shown and "1 error" in shown and "binary" in shown
    at.text_area(key="data_paste_text").set_value(
        "ISLAMABAD — Afghan acting Foreign Minister Amir Khan Muttaqi met Pakistan's Deputy Prime "
        "Minister Ishaq Dar in Islamabad on Saturday.").run()
    at.button(key="data_paste_go").click().run()
    assert not at.exception
    assert counts(file_db)["articles"] == 2
