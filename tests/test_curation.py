"""Issue 11: analysts' corrections stick. Each correction is made through the same functions the
pages and the CLI use (``analysis.views.curate``), then the store is rebuilt the ways it is in
use (``reextract``, a new ingest of a report of the same event) and the correction must still
hold wherever facts are read."""
from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from analysis import store
from analysis.ingest import ingest_sources, reextract
from analysis.views import curate, queries
from analysis.views.filters import Filters

SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "000_0d9ee7f76d7cf8bd.txt"


@pytest.fixture
def db(sample_db, tmp_path) -> Path:
    path = tmp_path / "chancery.db"
    shutil.copy(sample_db, path)
    return path


def rows(path: Path, sql: str, params=()) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, list(params)).fetchall()
    finally:
        conn.close()


def keys(path: Path) -> set[str]:
    return set(queries.export_events(path, Filters())["key"])


def a_background_event(path: Path) -> str:
    found = rows(path, "SELECT key FROM events WHERE background = 1 ORDER BY key LIMIT 1")
    return found[0][0] if found else rows(path, "SELECT key FROM events WHERE date IS NULL ORDER BY key LIMIT 1")[0][0]


def test_a_rejected_event_stays_rejected_after_reextract_and_a_new_ingest(db):
    key = a_background_event(db)
    log_id = curate.apply(db, "reject-event", key, why="background mention", by="Ayesha")
    assert key not in keys(db)
    assert list(curate.rejected(db)["key"]) == [key]
    reextract(db)
    if SEED.exists():
        ingest_sources(db, [str(SEED)], progress=False)
    assert key not in keys(db)
    assert key in set(curate.rejected(db)["key"])
    log = curate.log_frame(db)
    row = log[log["id"] == log_id].iloc[0]
    assert (row["analyst"], row["action"], row["target_key"], row["note"]) == (
        "Ayesha", "reject-event", key, "background mention")
    # undo gives it back, and the undo is a row of its own
    curate.apply(db, "undo", log_id)
    assert key in keys(db)
    assert curate.rejected(db).empty
    assert list(curate.log_frame(db)["action"])[:2] == ["undo", "reject-event"]


def test_a_corrected_event_shows_the_correction_and_keeps_the_original(db):
    key, date, place = rows(db, "SELECT key, date, COALESCE(destination_place, place) FROM events"
                                " WHERE kind = 'visit' AND date IS NOT NULL ORDER BY key LIMIT 1")[0]
    curate.apply(db, "set-event", key, date="2024-02-29", place="Gwadar", why="the text says so")
    reextract(db)
    got = rows(db, "SELECT date, destination_place, curated FROM events WHERE key = ?", [key])[0]
    assert got[:2] == ("2024-02-29", "Gwadar")
    assert json.loads(got[2])["original"] == {"date": date, "place": place}
    ev = queries.export_events(db, Filters())
    assert ev[ev["key"] == key].iloc[0]["place"] == "Gwadar"


@pytest.mark.parametrize("kwargs,message", [
    ({"date": "2025-02-30"}, "YYYY"),
    ({"date": "next week"}, "YYYY"),
    ({"status": "maybe"}, "status"),
    ({}, "say what to correct"),
])
def test_a_bad_correction_is_refused_and_writes_nothing(db, kwargs, message):
    key = rows(db, "SELECT key FROM events ORDER BY key LIMIT 1")[0][0]
    with pytest.raises(curate.CurationError, match=message):
        curate.apply(db, "set-event", key, **kwargs)
    assert curate.log_frame(db).empty


def test_unknown_targets_are_refused_with_the_key_named(db):
    with pytest.raises(curate.CurationError, match="no event with key 'visit:XXX'"):
        curate.apply(db, "reject-event", "visit:XXX")
    with pytest.raises(curate.CurationError, match="no entity"):
        curate.apply(db, "set-country", "person:nobody-at-all", "PAK")
    with pytest.raises(curate.CurationError, match="ISO 3166"):
        curate.apply(db, "set-country", "person:ishaq-dar", "XYZ")
    with pytest.raises(curate.CurationError, match="one kind"):
        curate.apply(db, "merge-entities", "person:ishaq-dar", "country:PAK")


def test_two_events_merged_stay_one(db):
    a, b = [r[0] for r in rows(db, "SELECT key FROM events WHERE kind = 'visit' AND destination_country = 'CHN'"
                                   " ORDER BY key LIMIT 2")]
    n = rows(db, "SELECT SUM(reports) FROM events WHERE key IN (?, ?)", [a, b])[0][0]
    curate.apply(db, "merge-events", a, b)
    reextract(db)
    assert a in keys(db) and b not in keys(db)
    assert rows(db, "SELECT reports FROM events WHERE key = ?", [a])[0][0] == n
    assert json.loads(rows(db, "SELECT curated FROM events WHERE key = ?", [a])[0][0])["merged"] == [b]


def test_merged_entities_stay_merged_and_undo_separates_them(db):
    keep, other = "person:ishaq-dar", "person:khawaja-muhammad-asif"
    n_keep = rows(db, "SELECT COUNT(*) FROM mentions m JOIN entities e ON e.id = m.entity_id WHERE e.key = ?", [keep])[0][0]
    n_other = rows(db, "SELECT COUNT(*) FROM mentions m JOIN entities e ON e.id = m.entity_id WHERE e.key = ?", [other])[0][0]
    log_id = curate.apply(db, "merge-entities", keep, other)
    reextract(db)
    assert not rows(db, "SELECT 1 FROM entities WHERE key = ?", [other])
    assert rows(db, "SELECT COUNT(*) FROM mentions m JOIN entities e ON e.id = m.entity_id WHERE e.key = ?",
                [keep])[0][0] == n_keep + n_other
    curate.apply(db, "undo", log_id)
    reextract(db)
    assert rows(db, "SELECT COUNT(*) FROM mentions m JOIN entities e ON e.id = m.entity_id WHERE e.key = ?",
                [other])[0][0] == n_other


def test_a_country_set_by_an_analyst_survives_reextract(db):
    key = rows(db, "SELECT key FROM entities WHERE kind = 'person' AND country IS NULL ORDER BY key LIMIT 1")[0][0]
    log_id = curate.apply(db, "set-country", key, "afg")
    reextract(db)
    assert rows(db, "SELECT country FROM entities WHERE key = ?", [key]) == [("AFG",)]
    curate.apply(db, "undo", log_id)
    assert rows(db, "SELECT country FROM entities WHERE key = ?", [key]) == [(None,)]


def test_an_alias_split_off_becomes_its_own_entity(db):
    key, alias = rows(db, "SELECT e.key, a.alias FROM entity_aliases a JOIN entities e ON e.id = a.entity_id"
                          " JOIN mentions m ON m.entity_id = e.id AND m.text = a.alias"
                          " WHERE e.kind = 'person' AND a.alias != e.name ORDER BY e.key LIMIT 1")[0]
    curate.apply(db, "split-alias", key, alias)
    reextract(db)
    assert not rows(db, "SELECT 1 FROM mentions m JOIN entities e ON e.id = m.entity_id WHERE e.key = ? AND m.text = ?",
                    [key, alias])
    assert rows(db, "SELECT COUNT(*) FROM mentions m JOIN entities e ON e.id = m.entity_id WHERE e.key = ?",
                [store.entity_key(alias, "person")])[0][0] > 0


def test_the_log_travels_as_json_lines_and_orphans_are_kept(db, tmp_path):
    key = a_background_event(db)
    curate.apply(db, "reject-event", key)
    curate.apply(db, "set-country", "person:ishaq-dar", "PAK")
    text = curate.export_jsonl(db)
    assert [json.loads(line)["action"] for line in text.splitlines()] == ["reject-event", "set-country"]
    # a colleague's store with the same articles: the corrections apply there
    other = tmp_path / "colleague.db"
    shutil.copy(db, other)
    conn = sqlite3.connect(other)
    conn.execute("DELETE FROM curation_log")
    conn.commit()
    conn.close()
    reextract(other)
    assert key in keys(other)
    assert curate.import_jsonl(other, text) == {"added": 2, "skipped": 0, "orphaned": 0}
    assert key not in keys(other)
    assert curate.import_jsonl(other, text)["skipped"] == 2
    # an empty store has neither target: both kept, both orphaned
    empty = tmp_path / "empty.db"
    store.open_db(empty).conn.close()
    assert curate.import_jsonl(empty, text) == {"added": 2, "skipped": 0, "orphaned": 2}
    assert len(curate.orphans(empty)) == 2


def test_a_bad_log_line_is_named_and_nothing_is_imported(db):
    good = json.dumps({"action": "set-country", "target_key": "person:ishaq-dar", "payload": {"country": "PAK"}})
    with pytest.raises(curate.CurationError, match="line 2"):
        curate.import_jsonl(db, good + "\n{not json\n")
    assert curate.log_frame(db).empty


def test_cli_curate(db, capsys):
    from analysis.cli import main

    key = a_background_event(db)
    assert main(["curate", "--db", str(db), "--by", "Omar", "reject-event", key, "--why", "old news"]) == 0
    assert main(["curate", "--db", str(db), "reject-event", "visit:none"]) == 2
    assert "no event with key" in capsys.readouterr().err
    assert main(["curate", "--db", str(db), "log"]) == 0
    out = capsys.readouterr().out
    assert "Omar" in out and "reject-event" in out and "old news" in out
    assert main(["curate", "--db", str(db), "undo", "nine"]) == 2


def test_a_schema_4_store_gains_curation_on_open(file_db):
    conn = sqlite3.connect(file_db)
    for table, col in (("curation_log", "analyst"), ("curation_log", "old_value"), ("curation_log", "undone_at"),
                       ("curation_log", "undone_by"), ("events", "curated"), ("entities", "curated")):
        conn.execute(f"ALTER TABLE {table} DROP COLUMN {col}")
    conn.execute("DROP TABLE events_rejected")
    conn.execute("UPDATE meta SET value = '4' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    db = store.open_db(file_db)
    assert db["meta"].get("schema_version")["value"] == str(store.SCHEMA_VERSION)
    assert {"analyst", "old_value", "undone_at"} <= set(db["curation_log"].columns_dict)
    assert db["events_rejected"].exists() and "curated" in db["events"].columns_dict
    db.conn.close()


def test_a_rejected_entity_stays_out_after_reextract_and_undo_brings_it_back(db):
    key = "person:winter-games" if rows(db, "SELECT 1 FROM entities WHERE key = 'person:winter-games'") else \
        rows(db, "SELECT key FROM entities WHERE kind = 'person' ORDER BY key LIMIT 1")[0][0]
    n = rows(db, "SELECT COUNT(*) FROM mentions m JOIN entities e ON e.id = m.entity_id WHERE e.key = ?", [key])[0][0]
    log_id = curate.apply(db, "reject-entity", key, why="a sports event, not a person")
    reextract(db)
    assert not rows(db, "SELECT 1 FROM entities WHERE key = ?", [key])
    assert curate.orphans(db).empty
    curate.apply(db, "undo", log_id)
    reextract(db)
    assert rows(db, "SELECT COUNT(*) FROM mentions m JOIN entities e ON e.id = m.entity_id WHERE e.key = ?",
                [key])[0][0] == n


def test_a_report_moved_out_stays_an_event_of_its_own(db):
    key = rows(db, "SELECT key FROM events WHERE reports >= 2 ORDER BY key LIMIT 1")[0][0]
    refs = list(curate.reports(db, key)["report"])
    curate.apply(db, "move-report", key, refs[-1], why="another round of talks")
    reextract(db)
    moved = f"{key}/{refs[-1]}"
    assert {key, moved} <= keys(db)
    assert rows(db, "SELECT reports FROM events WHERE key = ?", [moved]) == [(1,)]
    assert list(curate.reports(db, moved)["report"]) == [refs[-1]]
    with pytest.raises(curate.CurationError, match="no report"):
        curate.apply(db, "move-report", key, "000000000000:0:visit")


def test_a_role_set_by_an_analyst_shows_with_its_dates_and_survives_reextract(db):
    log_id = curate.apply(db, "set-role", "person:ishaq-dar", "Deputy Prime Minister", country="PAK",
                          start="2024-08-17", end="2025-11-30")
    reextract(db)
    got = rows(db, "SELECT r.title, r.country, r.first_seen, r.last_seen FROM roles r JOIN entities e ON e.id = r.entity_id"
                   " WHERE e.key = 'person:ishaq-dar' AND r.first_seen = '2024-08-17'")
    assert got == [("Deputy Prime Minister", "PAK", "2024-08-17", "2025-11-30")]
    with pytest.raises(curate.CurationError, match="YYYY-MM-DD"):
        curate.apply(db, "set-role", "person:ishaq-dar", "Minister", start="17 August")
    curate.apply(db, "undo", log_id)
    assert not rows(db, "SELECT 1 FROM article_roles WHERE article_id IS NULL")


def test_events_merged_across_blocks_stay_merged_when_either_block_is_rebuilt(db):
    from analysis.store import events as store_events

    a, b = rows(db, "SELECT e1.key, e2.key FROM events e1 JOIN events e2 ON e1.kind = 'visit' AND e2.kind = 'visit'"
                    " AND e1.block != e2.block ORDER BY e1.key, e2.key LIMIT 1")[0]
    curate.apply(db, "merge-events", a, b)
    n = rows(db, "SELECT reports FROM events WHERE key = ?", [a])[0][0]
    conn = store.open_db(db)
    with store.write_tx(conn):
        block = conn.execute("SELECT block FROM events WHERE key = ?", [a]).fetchone()[0]
        store_events.rebuild_block(conn, block)
    conn.conn.close()
    assert rows(db, "SELECT reports FROM events WHERE key = ?", [a])[0][0] == n
    assert not rows(db, "SELECT 1 FROM reports WHERE event_id IS NOT NULL AND event_id NOT IN (SELECT id FROM events)")


def test_an_articles_entities_written_at_once_equal_those_written_one_by_one(sample_db, tmp_path):
    """``upsert_entities`` (one lookup, one alias insert for an article) writes the same rows,
    ids and aliases as ``upsert_entity`` called for each, merges and rejections in force."""
    from store_dump import dump

    from analysis.store.writes import upsert_entities, upsert_entity

    first = rows(sample_db, "SELECT key FROM entities WHERE kind = 'person' ORDER BY key LIMIT 3")
    merged, kept, rejected = (k for (k,) in first)
    no_country = rows(sample_db, "SELECT name, kind FROM entities WHERE country IS NULL AND kind != 'country'"
                                 " ORDER BY key LIMIT 1")
    ents = [
        {"name": "Ada Newcomer", "kind": "person", "country": None, "aliases": ["Newcomer", "Ms Newcomer"]},
        {"name": merged.split(":", 1)[1].replace("-", " ").title(), "kind": "person", "country": None, "aliases": []},
        {"name": rejected.split(":", 1)[1].replace("-", " ").title(), "kind": "person", "country": None,
         "aliases": ["x"]},
        {"name": "Ada Newcomer", "kind": "person", "country": "FRA", "aliases": ["A. Newcomer"]},
        {"name": "Lagos", "kind": "place", "country": "NGA", "aliases": []},
    ]
    if no_country:
        ents.append({"name": no_country[0][0], "kind": no_country[0][1], "country": "KEN", "aliases": ["Alias"]})
    paths = []
    for n in (1, 2):
        path = tmp_path / f"s{n}.db"
        shutil.copy(sample_db, path)
        curate.apply(path, "merge-entities", kept, merged)
        curate.apply(path, "reject-entity", rejected, why="not a person")
        db = store.open_db(path)
        with store.write_tx(db):
            if n == 1:
                got = [upsert_entity(db, e["name"], e["kind"], e["country"], e["aliases"]) for e in ents]
            else:
                got = upsert_entities(db, ents)
        db.close()
        paths.append((path, got))
    (p1, ids1), (p2, ids2) = paths
    assert ids1 == ids2 and ids1[2] is None and ids1[0] == ids1[3]
    d1, d2 = dump(p1), dump(p2)
    assert len(d1.pop("curation_log")) == len(d2.pop("curation_log")) == 2  # its times may differ
    assert d1 == d2
