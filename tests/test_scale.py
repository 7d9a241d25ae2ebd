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
    assert {"visits events", "topics topic_trends month", "network full_graph", "briefing build_text"} <= names
    assert all(r["warm_ms"] >= 0 for r in res["rows"])
    assert res["articles"] == 120
    with pytest.raises(FileNotFoundError):
        replicate.replicate(tmp_path / "none.db", tmp_path / "x.db", 5)


def _counts(path: Path) -> tuple[list, list]:
    return (q(path, "SELECT day, n FROM article_days WHERE n != 0 ORDER BY day"),
            q(path, "SELECT day, topic_id, n FROM topic_days WHERE n != 0 ORDER BY day, topic_id"))


def test_day_counts_kept_at_write_time_equal_a_recount(sample_db, tmp_path):
    import shutil

    from analysis import store
    from analysis.ingest import ingest_text, reextract
    from analysis.store import aggregates

    path = tmp_path / "s.db"
    shutil.copy(sample_db, path)
    ingest_text(path, "Pakistan's foreign minister visited Kabul on Monday for security talks.",
                title="A new report", published="2025-11-20")
    reextract(path)
    kept = _counts(path)
    db = store.open_db(path)
    with store.write_tx(db):
        aggregates.rebuild(db)
    db.conn.close()
    assert _counts(path) == kept
    assert sum(n for _, n in kept[0]) == q(path, "SELECT COUNT(*) FROM articles WHERE published IS NOT NULL")[0][0]


@pytest.mark.parametrize("start,end,topics", [(None, None, ()), ("2024-01-01", "2025-06-30", ()),
                                              (None, None, ("security",))])
def test_topic_reads_from_the_day_counts_equal_the_article_queries(sample_db, start, end, topics):
    from analysis.views import queries
    from analysis.views.filters import Filters

    f = Filters(start=start, end=end, topics=topics)
    for freq in ("week", "month"):
        a = queries.topic_series(sample_db, f, freq)
        b = queries.topic_series(sample_db, f, freq, use_counts=False)
        assert a.reset_index(drop=True).equals(b.reset_index(drop=True))
    for days in (30, 90):
        a = queries.rising_topics(sample_db, f, days).sort_values("topic_id").reset_index(drop=True)
        b = queries.rising_topics(sample_db, f, days, use_counts=False).sort_values("topic_id").reset_index(drop=True)
        assert list(a["topic_id"]) == list(b["topic_id"])
        assert (a[["recent", "prior"]].values == b[["recent", "prior"]].values).all()


def test_a_schema_5_store_gains_its_day_counts_on_open(sample_db, tmp_path):
    import shutil

    from analysis import store

    path = tmp_path / "old.db"
    shutil.copy(sample_db, path)
    kept = _counts(path)
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE article_days")
    conn.execute("DROP TABLE topic_days")
    conn.execute("UPDATE meta SET value = '5' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    store.open_db(path).conn.close()
    assert _counts(path) == kept and kept[0]


def test_article_countries_kept_at_write_time_equal_a_recount_after_corrections(sample_db, tmp_path):
    import shutil

    from analysis import store
    from analysis.ingest import reextract
    from analysis.store import aggregates
    from analysis.views import curate

    path = tmp_path / "s.db"
    shutil.copy(sample_db, path)
    kept = lambda: (q(path, "SELECT article_id, code FROM article_countries ORDER BY article_id, code"),  # noqa: E731
                    q(path, "SELECT code, topic_id, n FROM country_topics WHERE n != 0 ORDER BY code, topic_id"))
    nobody = q(path, "SELECT key FROM entities WHERE kind = 'person' AND country IS NULL ORDER BY key LIMIT 1")[0][0]
    curate.apply(path, "set-country", nobody, "NPL")
    assert ("NPL",) in q(path, "SELECT DISTINCT code FROM article_countries")
    curate.apply(path, "merge-entities", "person:ishaq-dar", "person:khawaja-muhammad-asif")
    reextract(path)
    before = kept()
    db = store.open_db(path)
    with store.write_tx(db):
        aggregates.rebuild(db)
    db.conn.close()
    assert kept() == before


@pytest.mark.parametrize("topics", [(), ("security",)])
def test_the_country_topic_grid_from_the_counts_equals_the_article_query(sample_db, topics):
    from analysis.views import queries
    from analysis.views.filters import Filters

    f = Filters(topics=topics)
    a = queries.country_topic_matrix(sample_db, f)
    b = queries.country_topic_matrix(sample_db, f, use_counts=False)
    key = ["code", "topic_id"]
    assert a.sort_values(key).reset_index(drop=True).equals(b.sort_values(key).reset_index(drop=True))


@pytest.mark.parametrize("filters", [{}, {"start": "2024-05-01", "end": "2025-06-30"}, {"countries": ("PAK",)},
                                     {"people": ("person:ishaq-dar",)}])
def test_a_capped_event_export_is_the_head_of_the_full_one(sample_db, filters, tmp_path):
    from analysis.views import queries
    from analysis.views.filters import Filters

    big = tmp_path / "big.db"
    replicate.replicate(sample_db, big, 400)
    f = Filters(**filters)
    for kinds in (None, ("visit",)):
        capped = queries.export_events(big, f, kinds, limit=150)
        full = queries.export_events(big, f, kinds)
        assert list(capped["key"]) == list(full["key"].head(150))


def test_stats_itemise_every_event_kind(sample_db):
    from analysis import model, store

    conn = store.connect_ro(sample_db)
    try:
        s = store.stats(conn)
    finally:
        conn.close()
    plurals = [model.vocabulary()["event_kinds"][k]["plural"].lower() for k in model.event_kinds()]
    assert all(p in s for p in plurals)
    assert sum(s[p] for p in plurals) == s["events"]


@pytest.mark.parametrize("filters", [dict(), dict(countries=("PAK",)), dict(start="2025-01-01"),
                                     dict(pair=("PAK", "AFG"))])
def test_event_pages_tile_the_whole_list(sample_db, filters):
    """A page of events (limit, offset) is that slice of the whole list, for the table, the
    timeline by official and the download alike; the count is the length of the whole list."""
    from analysis.views import queries
    from analysis.views.filters import Filters

    f = Filters(**filters)
    whole = queries.events(sample_db, f, limit=100_000)
    assert queries.count_events(sample_db, f) == len(whole) > 0
    size = max(1, len(whole) // 3)
    pages = [queries.events(sample_db, f, limit=size, offset=o) for o in range(0, len(whole), size)]
    assert [k for p in pages for k in p["key"]] == list(whole["key"])
    exported = [k for o in range(0, len(whole), size)
                for k in queries.export_events(sample_db, f, queries._RELATIONS, limit=size, offset=o)["key"]]
    assert exported == list(whole["key"])
    people = queries.event_people(sample_db, f, limit=size, offset=size)
    assert set(people["event_id"]) <= set(pages[1]["id"]) if len(pages) > 1 else people.empty


def test_a_word_in_too_many_articles_comes_newest_first(sample_db, monkeypatch):
    from analysis.views import queries

    ranked = queries.search_articles(sample_db, text="said")
    assert ranked.attrs == {"order": "best match", "matches": ranked.attrs["matches"]} and len(ranked)
    monkeypatch.setattr(queries, "RANKED_MATCHES", 3)
    newest = queries.search_articles(sample_db, text="said", limit=50)
    assert newest.attrs["order"] == "newest" and newest.attrs["matches"] == ranked.attrs["matches"]
    assert list(newest["id"]) == sorted(newest["id"], reverse=True)
    assert set(newest["id"]) <= set(queries.search_articles(sample_db, text="said", limit=10_000)["id"])
    assert all("«" in s for s in newest["snippet"])  # the snippet of the match, as when ranked
    narrowed = queries.search_articles(sample_db, queries.Filters(countries=("AFG",)), text="said", limit=50)
    conn = sqlite3.connect(sample_db)
    afg = {r[0] for r in conn.execute("SELECT article_id FROM article_countries WHERE code = 'AFG'")}
    conn.close()
    assert len(narrowed) and set(narrowed["id"]) <= afg and list(narrowed["id"]) == sorted(narrowed["id"], reverse=True)


def _stale_days(path) -> int:
    from analysis.store import events as E

    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"SELECT COUNT(*) FROM events WHERE day IS NOT {E.DAY_SQL}").fetchone()[0]
    finally:
        conn.close()


def test_the_event_day_kept_at_write_time_follows_every_change(sample_db, tmp_path):
    """``events.day`` equals its definition after an ingest, a corrected event date, a dated
    article, an undo, a replicated store, and on a schema-6 store opened (migration 7)."""
    import shutil

    from analysis import store
    from analysis.views import curate, queries

    db = tmp_path / "s.db"
    shutil.copy(sample_db, db)
    assert _stale_days(db) == 0
    with sqlite3.connect(db) as c:
        n_events, n_days = c.execute("SELECT COUNT(*), COUNT(day) FROM events").fetchone()
    assert n_days > 0.9 * n_events  # only background mentions without a date have none
    ev = queries.events(db, limit=50)
    undated_key = ev[ev["date_from"] == "article"]["key"].iloc[0]
    curate.apply(db, "set-event", undated_key, date="2021-03-04")
    assert _stale_days(db) == 0
    assert undated_key in set(queries.events(db, queries.Filters(start="2021-03-01", end="2021-03-31"), None)["key"])
    art = int(ev[ev["date_from"] == "article"]["article_id"].iloc[-1])
    log = curate.apply(db, "set-article-date", art, "2020-01-02")
    assert _stale_days(db) == 0
    curate.apply(db, "undo", log)
    assert _stale_days(db) == 0
    big = tmp_path / "big.db"
    replicate.replicate(db, big, 150)
    assert _stale_days(big) == 0
    # a schema-6 store: no day column, version 6; opening it adds and fills the column
    old = tmp_path / "old.db"
    shutil.copy(sample_db, old)
    with sqlite3.connect(old) as c:
        for (name,) in c.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND sql LIKE '%day%'"
                                 " AND tbl_name = 'events'").fetchall():
            c.execute(f"DROP INDEX {name}")
        c.execute("ALTER TABLE events DROP COLUMN day")
        c.execute("UPDATE meta SET value = '6' WHERE key = 'schema_version'")
    store.open_db(old).close()
    assert _stale_days(old) == 0
    with sqlite3.connect(old) as c:
        assert c.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(store.SCHEMA_VERSION)


def test_a_country_profile_topics_from_the_counts_equal_the_article_query(sample_db):
    from analysis.views import queries

    for code in ("PAK", "AFG", "CHN"):
        eid = queries.entity_id(sample_db, f"country:{code}")
        fast = queries.profile(sample_db, eid)["topics"]
        slow = queries.profile(sample_db, eid, use_counts=False)["topics"]
        assert len(fast) > 0
        assert fast.to_dict("records") == slow.to_dict("records"), code


def _stale_entity_counts(path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(
            "SELECT COUNT(*) FROM entities e WHERE n_mentions != (SELECT COUNT(*) FROM mentions m WHERE m.entity_id = e.id)"
            " OR n_events != (SELECT COUNT(*) FROM event_participants p WHERE p.entity_id = e.id)").fetchone()[0]
    finally:
        conn.close()


def _stale_tallies(path) -> list:
    """Differences between ``table_counts``/``country_counts`` (schema 9) and a recount."""
    from analysis.store.schema import RECOUNT_EVENT_COUNTRIES, RECOUNT_TALLIES

    def read(conn):
        return (sorted(conn.execute("SELECT name, n FROM table_counts WHERE n != 0"))
                + sorted(conn.execute("SELECT code, events, articles FROM country_counts WHERE events OR articles"))
                + sorted(conn.execute("SELECT event_id, code, role, n FROM event_countries")))

    conn = sqlite3.connect(path)
    try:
        kept = read(conn)
        conn.execute("SAVEPOINT recount")
        for sql in RECOUNT_TALLIES + RECOUNT_EVENT_COUNTRIES:
            conn.execute(sql)
        fresh = read(conn)
        assert conn.execute("SELECT COUNT(*) FROM event_countries").fetchone()[0] > 0
        conn.execute("ROLLBACK TO recount")
        assert fresh
        return [x for x in kept if x not in fresh] + [x for x in fresh if x not in kept]
    finally:
        conn.close()


def _stale_counts(path) -> tuple[int, list]:
    return _stale_entity_counts(path), _stale_tallies(path)


def test_entity_counts_kept_by_triggers_equal_a_recount(sample_db, tmp_path):
    """``entities.n_mentions`` and ``n_events`` (schema 8), the row counts and the per-country
    counts (schema 9) hold after an ingest, merges, a split, a rejection, their undoing, a
    re-extraction, and on a schema-7 store opened (migrations 8 and 9)."""
    import shutil

    from analysis import store
    from analysis.ingest import reextract
    from analysis.views import curate, queries

    db = tmp_path / "s.db"
    shutil.copy(sample_db, db)
    assert _stale_counts(db) == (0, [])
    people = queries.entities(db, ("person",), limit=20)
    assert people["events"].iloc[0] > 0 and list(people["events"]) == sorted(people["events"], reverse=True)
    keep, other = people["key"].iloc[0], people["key"].iloc[1]
    merged = curate.apply(db, "merge-entities", keep, other)
    assert _stale_counts(db) == (0, [])
    alias = queries.profile(db, int(people["id"].iloc[0]))["aliases"]
    split = curate.apply(db, "split-alias", keep, alias[0]) if alias else None
    rejected = curate.apply(db, "reject-entity", people["key"].iloc[5])
    assert _stale_counts(db) == (0, [])
    moved = curate.apply(db, "set-country", people["key"].iloc[3], "FRA")
    assert _stale_counts(db) == (0, [])
    for log_id in [i for i in (moved, rejected, split, merged) if i]:
        curate.apply(db, "undo", log_id)
        assert _stale_counts(db) == (0, [])
    undated = queries.undated_articles(db, 5)
    before = queries.summary(db)["undated"]
    assert before == len(queries.undated_articles(db, 100_000)) > 0
    dated = curate.apply(db, "set-article-date", int(undated["id"].iloc[0]), "2024-05-01")
    assert queries.summary(db)["undated"] == before - 1 and _stale_counts(db) == (0, [])
    curate.apply(db, "undo", dated)
    assert queries.summary(db)["undated"] == before and _stale_counts(db) == (0, [])
    reextract(db)
    assert _stale_counts(db) == (0, [])
    old = tmp_path / "old.db"
    shutil.copy(sample_db, old)
    with sqlite3.connect(old) as c:
        for (name,) in c.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%_count_%'"):
            c.execute(f"DROP TRIGGER {name}")
        c.execute("DROP INDEX IF EXISTS idx_entities_kind_n_events_n_mentions")
        c.execute("ALTER TABLE entities DROP COLUMN n_mentions")
        c.execute("ALTER TABLE entities DROP COLUMN n_events")
        for (name,) in c.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'"
                                 " AND (name LIKE '%_tally_%' OR name LIKE 'event_countries_%')"):
            c.execute(f"DROP TRIGGER {name}")
        c.execute("DROP TABLE event_countries")
        c.execute("DROP TABLE table_counts")
        c.execute("DROP TABLE country_counts")
        c.execute("UPDATE meta SET value = '7' WHERE key = 'schema_version'")
    store.open_db(old).close()
    assert sqlite3.connect(old).execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (str(store.SCHEMA_VERSION),)
    assert _stale_counts(old) == (0, [])


@pytest.mark.parametrize("kind", ["person", "organization"])
def test_most_active_entities_from_the_counts_are_exact(sample_db, kind):
    """Without filters the most active entities come from the counts the triggers keep, and are
    exactly the entities with most distinct events, then most mentions (a recount)."""
    from analysis.views import queries

    conn = sqlite3.connect(sample_db)
    rows = conn.execute("""
        SELECT e.key, (SELECT COUNT(DISTINCT event_id) FROM event_participants p WHERE p.entity_id = e.id) AS ev,
               (SELECT COUNT(*) FROM mentions m WHERE m.entity_id = e.id) AS mn, e.name
        FROM entities e WHERE e.kind = ?""", [kind]).fetchall()
    conn.close()
    expected = [(k, ev, mn) for k, ev, mn, _ in sorted(rows, key=lambda r: (-r[1], -r[2], r[3])) if ev or mn][:10]
    got = queries.top_entities(sample_db, kind=kind)
    assert list(zip(got["key"], got["events"], got["mentions"])) == expected
    assert queries._top_entities_from_counts(sample_db, kind, 10) is not None  # the counts answered


def test_most_active_countries_and_the_store_figures_from_the_tallies_are_exact(sample_db):
    """Countries ranked by the events naming them (the per-country counts) and by mentions
    (``n_mentions``), and the Data page's figures, equal a count over the rows themselves."""
    from analysis import model
    from analysis.store import writes
    from analysis.views import queries

    conn = sqlite3.connect(sample_db)
    rows = conn.execute("""
        SELECT e.key, (SELECT COUNT(DISTINCT ev.id) FROM events ev
                       WHERE e.country IN (ev.visitor_country, ev.destination_country, ev.country)) AS ev,
               (SELECT COUNT(*) FROM mentions m WHERE m.entity_id = e.id) AS mn, e.name
        FROM entities e WHERE e.kind = 'country'""").fetchall()
    expected = [(k, ev, mn) for k, ev, mn, _ in sorted(rows, key=lambda r: (-r[1], -r[2], r[3])) if ev or mn][:10]
    got = queries.top_entities(sample_db, kind=model.COUNTRY)
    assert list(zip(got["key"], got["events"], got["mentions"])) == expected
    stats = writes.stats(conn)
    assert stats["mentions"] == conn.execute("SELECT COUNT(*) FROM mentions").fetchone()[0] > 0
    by_kind = dict(conn.execute("SELECT kind, COUNT(*) FROM events GROUP BY kind"))
    assert stats["events"] == sum(by_kind.values()) and stats["visits"] == by_kind[model.VISIT]
    summary = queries.summary(sample_db)
    assert summary["events_by_kind"] == by_kind
    assert summary["outlets"] == conn.execute("SELECT COUNT(DISTINCT outlet) + MAX(outlet IS NULL) FROM articles"
                                              ).fetchone()[0]
    conn.close()


@pytest.mark.parametrize("kind,walk", [("person", 1000), ("country", 1000), ("country", 0)])
def test_a_profile_lists_the_newest_rows_and_counts_them_all(sample_db, kind, walk, monkeypatch):
    """Issue 12: each profile list holds the ``limit`` newest rows (a page of the whole list)
    and ``counts`` is the length of the whole list, under filters too; a country's quotes are
    the same whether its speakers' events are read as a list (few) or probed in date order
    (``walk`` 0: many)."""
    from analysis.views import queries
    from analysis.views.filters import Filters

    monkeypatch.setattr(queries, "WALK_SPEAKERS", walk)
    eid = int(queries.top_entities(sample_db, kind=kind, limit=1)["id"].iloc[0])
    for f in (Filters(), Filters(start="2025-01-01")):
        whole = queries.profile(sample_db, eid, f, limit=100_000)
        cut = queries.profile(sample_db, eid, f, limit=2)
        for name in ("visits_made", "visits_hosted", "meetings", "quotes"):
            assert cut["counts"][name] == whole["counts"][name] == len(whole[name]), name
            assert list(cut[name]["id"]) == list(whole[name]["id"].head(2)), name
        assert cut["counts"]["role_sources"] == whole["counts"]["role_sources"] == len(whole["role_sources"])
    assert whole["counts"]["meetings"] + whole["counts"]["visits_made"] > 2  # the cut did cut something


def test_a_profiles_quotes_are_the_statements_of_its_speakers(sample_db, tmp_path):
    """A profile's quotes are the events its person (or a person of its country) speaks in,
    each a statement with its quote, and for a country, read either way, the same rows."""
    from analysis import model
    from analysis.views import queries

    big = tmp_path / "big.db"  # the sample's one statement becomes many (with shifted dates)
    replicate.replicate(sample_db, big, 400)
    with sqlite3.connect(big) as c:
        code = c.execute("SELECT code FROM event_countries WHERE role = ? GROUP BY code"
                         " ORDER BY COUNT(*) DESC LIMIT 1", [model.SPEAKER]).fetchone()[0]
    eid = queries.entity_id(big, f"country:{code}")
    rows = {}
    for walk in (0, 10**9):
        queries.WALK_SPEAKERS, old = walk, queries.WALK_SPEAKERS
        try:
            p = queries.profile(big, eid, limit=10**6)
        finally:
            queries.WALK_SPEAKERS = old
        rows[walk] = list(p["quotes"]["id"])
        assert set(p["quotes"]["kind"]) == {model.STATEMENT} and p["quotes"]["quote"].notna().all()
    assert rows[0] == rows[10**9] and len(rows[0]) >= 2
    with sqlite3.connect(big) as c:
        spoken = {r[0] for r in c.execute(
            "SELECT p.event_id FROM event_participants p JOIN entities e ON e.id = p.entity_id"
            " WHERE e.country = ? AND p.role = ?", [code, model.SPEAKER])}
    assert set(rows[0]) == spoken


def test_the_benchmark_corpus_is_the_three_real_sources(tmp_path, capsys):
    """``bench corpus`` ingests the sample corpus, the BBC texts and the AG News test rows (as
    JSON Lines, the CSV having no header) into a new store, and refuses an existing file."""
    import json

    from analysis.cli import main
    from analysis.evaluate import bench

    paths = bench.corpus_sources(tmp_path)
    assert [Path(p).name for p in paths] == ["sample", "raw", "agnews.jsonl"]
    rows = [json.loads(line) for line in Path(paths[2]).read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 7600 and all(r["title"] and r["text"] for r in rows)
    assert not any("#39;" in r["text"] or "\\n" in r["text"] for r in rows[:500])
    existing = tmp_path / "x.db"
    existing.write_bytes(b"")
    assert main(["bench", "corpus", "--db", str(existing)]) == 2
    assert "builds a new store" in capsys.readouterr().err
