"""Numbered migrations: one function per schema version, each from the version before.

:func:`analysis.store.db.ensure_schema` runs them in order under the write lock; an old store
opens and upgrades.
"""
from __future__ import annotations

from typing import Any

import sqlite_utils

from .schema import INDEXES, TABLES, VIEWS, _user_tables


def _migrate_2(db: sqlite_utils.Database) -> None:
    """2: the ``roles`` view merges titles that differ only in case; the entity and
    date/outlet indexes that stores of version 1 may lack (and any table they lack)."""
    existing = _user_tables(db)
    for name, (columns, options) in TABLES.items():
        if name in _V2_TABLES and name not in existing:
            db[name].create(columns, **options)
    if "articles_fts" not in existing:
        db["articles"].enable_fts(["title", "text"], create_triggers=True, tokenize="porter")
    if "events_fts" not in existing:
        db["events"].enable_fts(["evidence"], create_triggers=True, tokenize="porter")
    db.execute("DROP VIEW IF EXISTS roles")
    for table, cols, unique in INDEXES:  # those of this version's tables (later ones add theirs)
        if table in _V2_TABLES and set(cols) <= set(db[table].columns_dict):
            db[table].create_index(cols, unique=unique, if_not_exists=True)
    db.create_view("roles", VIEWS["roles"], replace=True)


def _migrate_3(db: sqlite_utils.Database) -> None:
    """3: ``ingest_runs.message`` (why a run failed); runs end ``finished`` (was ``done``)."""
    if "message" not in db["ingest_runs"].columns_dict:
        db.execute("ALTER TABLE ingest_runs ADD COLUMN message TEXT")
    db.execute("UPDATE ingest_runs SET status = 'finished' WHERE status = 'done'")


def _migrate_4(db: sqlite_utils.Database) -> None:
    """4: events become real-world events. The rows of ``events`` (one per sentence) move to
    ``reports`` (same ids) and ``event_participants`` to ``report_participants``; ``events`` and
    ``event_participants`` are made anew and filled by merging the reports
    (:func:`analysis.store.events.rebuild_all`)."""
    from . import events

    existing = _user_tables(db)
    if "key" in db["events"].columns_dict:  # the tables are this version's already
        return
    if "reports_fts" in existing:
        db["reports"].disable_fts()
    for name in ("report_participants", "reports"):
        if name in existing:
            db[name].drop()
    for name in ("reports", "report_participants"):
        columns, options = TABLES[name]
        db[name].create(columns, **options)
    old = set(db["events"].columns_dict)
    shared = [c for c in TABLES["reports"][0] if c in old]
    db.execute(f"INSERT INTO reports ({', '.join(shared)}) SELECT {', '.join(shared)} FROM events")
    db.execute("INSERT INTO report_participants (report_id, entity_id, role)"
               " SELECT event_id, entity_id, role FROM event_participants")
    db.execute("UPDATE reports SET background = 0")
    if "events_fts" in existing:
        db["events"].disable_fts()
    db["event_participants"].drop()
    db["events"].drop()
    for name in ("events", "event_participants"):
        columns, options = TABLES[name]
        db[name].create(columns, **options)
    for table, cols, unique in INDEXES:
        if table in ("events", "event_participants", "reports", "report_participants"):
            db[table].create_index(cols, unique=unique, if_not_exists=True)
    db["events"].enable_fts(["evidence"], create_triggers=True, tokenize="porter")
    db["reports"].enable_fts(["evidence"], create_triggers=True, tokenize="porter")
    rows = db.execute("SELECT r.id, r.kind, r.article_id, r.visitor_country, r.destination_country,"
                      " r.country, r.date, a.published FROM reports r JOIN articles a ON a.id = r.article_id"
                      ).fetchall()
    for rid, kind, article_id, vc, dc, country, day, published in rows:
        if kind == "visit" and not vc:  # the visitor's country, as saves do now
            found = db.execute(
                "SELECT e.country FROM report_participants p JOIN entities e ON e.id = p.entity_id"
                " WHERE p.report_id = ? AND p.role = 'visitor' AND e.country IS NOT NULL LIMIT 1",
                [rid]).fetchone()
            vc = found[0] if found else None
            db.execute("UPDATE reports SET visitor_country = ? WHERE id = ?", [vc, rid])
        block = events.block_of({"kind": kind, "article_id": article_id, "visitor_country": vc,
                                 "destination_country": dc, "country": country, "date": day}, published)
        db.execute("UPDATE reports SET block = ? WHERE id = ?", [block, rid])
    events.rebuild_all(db)


def _migrate_5(db: sqlite_utils.Database) -> None:
    """5: curation. ``curation_log`` gains who (``analyst``), the old value and undo columns;
    ``events`` and ``entities`` gain ``curated`` (what a correction changed, and the original);
    ``events_rejected`` keeps the events analysts rejected."""
    for table, cols in (("curation_log", {"analyst": "TEXT", "old_value": "TEXT", "undone_at": "TEXT",
                                          "undone_by": "INTEGER"}),
                        ("events", {"curated": "TEXT"}), ("entities", {"curated": "TEXT"})):
        have = db[table].columns_dict
        for col, typ in cols.items():
            if col not in have:
                db.execute(f"ALTER TABLE {table} ADD COLUMN {col} {typ}")
    if "events_rejected" not in _user_tables(db):
        columns, options = TABLES["events_rejected"]
        db["events_rejected"].create(columns, **options)
    for table, cols, unique in INDEXES:
        if table in ("curation_log", "events_rejected"):
            db[table].create_index(cols, unique=unique, if_not_exists=True)


def _migrate_6(db: sqlite_utils.Database) -> None:
    """6: ``article_days``, ``topic_days``, ``article_countries`` and ``country_topics``, kept at
    write time, filled by a recount."""
    from . import aggregates

    existing = _user_tables(db)
    for name in ("article_days", "topic_days", "article_countries", "country_topics"):
        if name not in existing:
            columns, options = TABLES[name]
            db[name].create(columns, **options)
    for table, cols, unique in INDEXES:  # article_countries' and the sidebar's covering indexes
        db[table].create_index(cols, unique=unique, if_not_exists=True)
    aggregates.rebuild(db)


def _migrate_7(db: sqlite_utils.Database) -> None:
    """7: ``events.day``, the event's day kept at write time, and indexes on it, so that event
    lists read newest first without walking the articles by publication date."""
    from . import events

    if "day" not in db["events"].columns_dict:
        db.execute("ALTER TABLE events ADD COLUMN day TEXT")
    events.set_days(db)
    for table, cols, unique in INDEXES:
        if table == "events":
            db[table].create_index(cols, unique=unique, if_not_exists=True)


def _migrate_8(db: sqlite_utils.Database) -> None:
    """8: ``entities.n_mentions`` and ``n_events``, kept by triggers, recounted here, and an
    index for the most active entities of a kind."""
    from .schema import COUNT_TRIGGERS, RECOUNT_ENTITIES

    have = db["entities"].columns_dict
    for col in ("n_mentions", "n_events"):
        if col not in have:
            db.execute(f"ALTER TABLE entities ADD COLUMN {col} INTEGER NOT NULL DEFAULT 0")
    for sql in COUNT_TRIGGERS:
        db.execute(sql)
    db.execute(RECOUNT_ENTITIES)
    for table, cols, unique in INDEXES:
        if table == "entities":
            db[table].create_index(cols, unique=unique, if_not_exists=True)


def _migrate_9(db: sqlite_utils.Database) -> None:
    """9: ``table_counts`` and ``country_counts``, kept by triggers, counted here."""
    from .schema import RECOUNT_TALLIES, TALLY_TRIGGERS

    existing = _user_tables(db)
    for name in ("table_counts", "country_counts"):
        if name not in existing:
            columns, options = TABLES[name]
            db[name].create(columns, **options)
    for sql in TALLY_TRIGGERS:
        db.execute(sql)
    for sql in RECOUNT_TALLIES:
        db.execute(sql)
    for table, cols, unique in INDEXES:  # the Network page's covering index
        if table == "events":
            db[table].create_index(cols, unique=unique, if_not_exists=True)


def _migrate_10(db: sqlite_utils.Database) -> None:
    """10: ``network_edges`` and ``network_nodes``, the unfiltered network kept at write time,
    counted here; an index of participations by entity and role; the undated articles among
    the tallies; ``event_countries``, the countries of each event's participants, kept by
    triggers."""
    from . import network
    from .schema import EVENT_COUNTRY_TRIGGERS, RECOUNT_EVENT_COUNTRIES, RECOUNT_TALLIES, TALLY_TRIGGERS

    existing = _user_tables(db)
    for name in ("network_edges", "network_nodes", "event_countries"):
        if name not in existing:
            columns, options = TABLES[name]
            db[name].create(columns, **options)
    for table, cols, unique in INDEXES:  # a profile's events by role, and by country
        if table in ("event_participants", "event_countries"):
            db[table].create_index(cols, unique=unique, if_not_exists=True)
    for sql in TALLY_TRIGGERS + EVENT_COUNTRY_TRIGGERS:  # the tallies now with the undated articles
        db.execute(sql)
    for sql in RECOUNT_TALLIES + RECOUNT_EVENT_COUNTRIES:
        db.execute(sql)
    network.refresh(db)


#: The tables as version 2 had them (migration 2 creates only these).
_V2_TABLES = ("articles", "article_copies", "article_minhash", "article_lsh", "entities",
              "entity_aliases", "mentions", "article_roles", "events", "event_participants",
              "topics", "article_topics", "ingest_runs", "ingest_errors", "meta", "curation_log")


#: schema version -> the function that brings a store from the version before to it.
MIGRATIONS: dict[int, Any] = {2: _migrate_2, 3: _migrate_3, 4: _migrate_4, 5: _migrate_5, 6: _migrate_6,
                              7: _migrate_7, 8: _migrate_8, 9: _migrate_9, 10: _migrate_10}
