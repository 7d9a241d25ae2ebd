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
        if name not in existing:
            db[name].create(columns, **options)
    if "articles_fts" not in existing:
        db["articles"].enable_fts(["title", "text"], create_triggers=True, tokenize="porter")
    if "events_fts" not in existing:
        db["events"].enable_fts(["evidence"], create_triggers=True, tokenize="porter")
    db.execute("DROP VIEW IF EXISTS roles")
    for table, cols, unique in INDEXES:
        db[table].create_index(cols, unique=unique, if_not_exists=True)
    db.create_view("roles", VIEWS["roles"], replace=True)


def _migrate_3(db: sqlite_utils.Database) -> None:
    """3: ``ingest_runs.message`` (why a run failed); runs end ``finished`` (was ``done``)."""
    if "message" not in db["ingest_runs"].columns_dict:
        db.execute("ALTER TABLE ingest_runs ADD COLUMN message TEXT")
    db.execute("UPDATE ingest_runs SET status = 'finished' WHERE status = 'done'")


#: schema version -> the function that brings a store from the version before to it.
MIGRATIONS: dict[int, Any] = {2: _migrate_2, 3: _migrate_3}
