"""The store: schema, WAL, the single-writer transaction, read-only readers, idempotent saves."""
from __future__ import annotations

import sqlite3
import threading

import pytest
import sqlite_utils

from analysis import store


RESULT = {
    "entities": [
        {"name": "Mohammad Sadiq", "kind": "person", "country": "PAK",
         "roles": [{"title": "Special Representative for Afghanistan", "country": "PAK", "evidence": "S1."}],
         "aliases": ["Sadiq", "Ambassador Mohammad Sadiq"]},
        {"name": "Afghanistan", "kind": "country", "country": "AFG", "roles": [], "aliases": ["Afghan"]},
        {"name": "Kabul", "kind": "place", "country": "AFG", "roles": [], "aliases": []},
    ],
    "mentions": [
        {"start": 0, "end": 5, "text": "Sadiq", "label": "PERSON", "entity": "Sadiq", "sentence_index": 0},
        {"start": 15, "end": 20, "text": "Kabul", "label": "GPE", "entity": "Kabul", "sentence_index": 0},
    ],
    "events": [
        {"kind": "visit", "visitor": "Mohammad Sadiq", "visitor_country": "PAK", "destination_country": "AFG",
         "destination_place": "Kabul", "date": "2024-12-23", "status": "occurred", "cameo": "042",
         "evidence": "Sadiq arrived in Kabul.", "sentence_index": 0, "start": 0, "end": 23},
    ],
    "topics": [{"id": "security", "label": "Security", "score": 0.8, "evidence": ["security"]}],
}


def add_article(db, text="Sadiq arrived in Kabul.", title="T"):
    with store.write_tx(db):
        aid = store.insert_article(db, {"title": title, "text": text, "content_hash": store.content_hash(text),
                                        "published": "2024-12-23", "source": f"test:{title}"})
        store.save_extraction(db, aid, RESULT, "2024-12-23", "test-1")
    return aid


def test_schema_tables_views_fts(file_db):
    db = sqlite_utils.Database(file_db)
    names = set(db.table_names())
    assert set(store.TABLES) <= names
    assert {"articles_fts", "events_fts"} <= names
    assert "roles" in db.view_names()
    assert db.journal_mode == "wal"
    assert db["meta"].get("schema_version")["value"] == str(store.SCHEMA_VERSION)


def test_save_extraction_and_provenance(mem_db):
    aid = add_article(mem_db)
    ents = {r["key"]: r for r in mem_db["entities"].rows}
    assert {"person:mohammad-sadiq", "country:AFG", "place:kabul"} <= set(ents)
    sadiq = ents["person:mohammad-sadiq"]["id"]
    aliases = {r["alias"] for r in mem_db["entity_aliases"].rows_where("entity_id = ?", [sadiq])}
    assert aliases == {"Mohammad Sadiq", "Sadiq", "Ambassador Mohammad Sadiq"}
    (m,) = [r for r in mem_db["mentions"].rows if r["text"] == "Sadiq"]
    assert m["entity_id"] == sadiq and m["article_id"] == aid
    (ev,) = list(mem_db["events"].rows)
    assert ev["evidence"] == "Sadiq arrived in Kabul." and ev["cameo"] == "042"
    parts = list(mem_db["event_participants"].rows)
    assert parts == [{"event_id": ev["id"], "entity_id": sadiq, "role": "visitor"}]
    (role,) = list(mem_db.query("SELECT * FROM roles"))
    assert role["first_seen"] == role["last_seen"] == "2024-12-23"


def test_save_extraction_replaces_and_keeps_entity_ids(mem_db):
    aid = add_article(mem_db)
    before = {r["key"]: r["id"] for r in mem_db["entities"].rows}
    with store.write_tx(mem_db):
        store.save_extraction(mem_db, aid, RESULT, "2024-12-23", "test-2")
    after = {r["key"]: r["id"] for r in mem_db["entities"].rows}
    assert before == after
    assert mem_db["events"].count == 1 and mem_db["mentions"].count == 2
    assert mem_db["articles"].get(aid)["extractor_version"] == "test-2"


def test_roles_first_and_last_seen_across_articles(mem_db):
    add_article(mem_db)
    with store.write_tx(mem_db):
        aid = store.insert_article(mem_db, {"title": "Later", "text": "x y", "content_hash": "h2", "published": "2025-03-01"})
        store.save_extraction(mem_db, aid, RESULT, "2025-03-01", "t")
    (role,) = list(mem_db.query("SELECT * FROM roles"))
    assert (role["first_seen"], role["last_seen"], role["articles"]) == ("2024-12-23", "2025-03-01", 2)


def test_write_tx_rolls_back(mem_db):
    with pytest.raises(RuntimeError):
        with store.write_tx(mem_db):
            store.insert_article(mem_db, {"title": "x", "text": "t", "content_hash": "h"})
            raise RuntimeError("boom")
    assert mem_db["articles"].count == 0
    assert not mem_db.conn.in_transaction


def test_errors_are_kept_once(mem_db):
    with store.write_tx(mem_db):
        assert store.record_error(mem_db, "f.txt", None, "empty", "empty file")
        assert not store.record_error(mem_db, "f.txt", None, "empty", "empty file")
    (row,) = list(mem_db["ingest_errors"].rows)
    assert row["occurrences"] == 2


def test_fts_with_sqlite_utils_search(file_db):
    db = store.open_db(file_db)
    add_article(db, text="Talks in Kabul on border security.", title="Border talks")
    hits = list(db["articles"].search("border"))
    assert [h["title"] for h in hits] == ["Border talks"]
    assert list(db["events"].search("arrived"))


def test_read_only_connection_cannot_write(file_db):
    conn = store.connect_ro(file_db)
    with pytest.raises(sqlite3.OperationalError):
        conn.execute("INSERT INTO meta (key, value) VALUES ('x', 'y')")
    conn.close()
    with pytest.raises(FileNotFoundError):
        store.connect_ro(file_db.parent / "absent.db")


def test_reader_during_write_is_not_locked(file_db):
    """A reader keeps reading while the writer holds BEGIN IMMEDIATE (WAL)."""
    db = store.open_db(file_db)
    add_article(db)
    errors = []
    db.conn.execute("BEGIN IMMEDIATE")
    store.insert_article(db, {"title": "pending", "text": "p", "content_hash": "hp"})

    def read():
        try:
            conn = store.connect_ro(file_db)
            errors.append(conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0])
            conn.close()
        except Exception as exc:  # pragma: no cover - the failure being tested for
            errors.append(exc)

    t = threading.Thread(target=read)
    t.start()
    t.join(10)
    db.conn.execute("COMMIT")
    assert errors == [1]


@pytest.mark.parametrize("name, kind, country, key", [
    ("Mohammad Sadiq", "person", "PAK", "person:mohammad-sadiq"),
    ("Amir Khan Muttaqi", "person", None, "person:amir-khan-muttaqi"),
    ("Türkiye", "country", "TUR", "country:TUR"),
    ("Chargé d’Affaires Office", "organization", None, "organization:charge-daffaires-office"),
])
def test_entity_keys_are_stable(name, kind, country, key):
    assert store.entity_key(name, kind, country) == key


def test_content_hash_ignores_case_space_punctuation():
    assert store.content_hash("Hello,  World!") == store.content_hash("hello world")
    assert store.content_hash("a b") != store.content_hash("a c")


def test_roles_merge_titles_that_differ_only_in_case_and_old_stores_upgrade(file_db):
    db = store.open_db(file_db)
    with store.write_tx(db):
        for n, (title, day) in enumerate([("special representative for Afghanistan", "2025-04-19"),
                                          ("Special Representative for Afghanistan", "2023-02-22")]):
            aid = store.insert_article(db, {"title": f"A{n}", "text": f"t{n}", "content_hash": f"h{n}", "published": day})
            store.save_extraction(db, aid, {"entities": [{"name": "Mohammad Sadiq", "kind": "person", "country": "PAK",
                                                          "roles": [{"title": title, "country": "PAK"}]}]}, day, "t")
    (role,) = list(db.query("SELECT * FROM roles"))
    assert (role["title"], role["first_seen"], role["last_seen"], role["articles"]) == (
        "Special Representative for Afghanistan", "2023-02-22", "2025-04-19", 2)
    # A store written by schema 1 (roles grouped by exact title) is brought up to date on open.
    db.execute("DROP VIEW roles")
    db.execute("CREATE VIEW roles AS SELECT entity_id, title, country FROM article_roles GROUP BY entity_id, title, country")
    db.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    version = store.data_version(db)
    db.conn.close()
    db = store.open_db(file_db)
    assert len(list(db.query("SELECT * FROM roles"))) == 1
    assert db["meta"].get("schema_version")["value"] == str(store.SCHEMA_VERSION)
    assert store.data_version(db) == version
