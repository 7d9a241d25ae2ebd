"""The store's schema: tables, indexes, views and the version this code writes.

The schema is documented in ``docs/SCHEMA.md``; :data:`SCHEMA_VERSION` changes with it, and each
step up is a numbered migration in :mod:`analysis.store.migrations`.
"""
from __future__ import annotations

import sqlite3
from typing import Any

import sqlite_utils

#: The schema this code writes. Each step up is a numbered function in :data:`MIGRATIONS`.
SCHEMA_VERSION = 10

#: The columns a report and an event share: what happened, where, when, and the sentence.
_WHAT_HAPPENED: dict[str, type] = {
    "kind": str, "cameo": str, "date": str, "status": str, "status_words": str, "background": int,
    "country": str, "place": str, "visitor_country": str, "destination_country": str,
    "destination_place": str, "evidence": str, "sentence_index": int, "start": int, "end": int,
    "quote": str,
}

# Declarative table definitions: name -> (columns, options). Order matters for foreign keys.
TABLES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "meta": ({"key": str, "value": str}, {"pk": "key"}),
    "articles": (
        {
            "id": int,
            "url": str,
            "canonical_url": str,
            "title": str,
            "outlet": str,
            "author": str,
            "published": str,
            "language": str,
            "text": str,
            "content_hash": str,
            "word_count": int,
            "source": str,
            "source_kind": str,
            "metadata": str,
            "ingested_at": str,
            "extractor_version": str,
            "extracted_at": str,
        },
        {"pk": "id", "not_null": {"text", "content_hash"}},
    ),
    "article_copies": (
        {
            "id": int,
            "article_id": int,
            "copy_key": str,
            "reason": str,
            "similarity": float,
            "url": str,
            "canonical_url": str,
            "title": str,
            "outlet": str,
            "source": str,
            "seen_at": str,
        },
        {"pk": "id", "foreign_keys": [("article_id", "articles", "id")]},
    ),
    "article_minhash": (
        {"article_id": int, "signature": bytes},
        {"pk": "article_id", "foreign_keys": [("article_id", "articles", "id")]},
    ),
    "article_lsh": (
        {"band": int, "bucket": str, "article_id": int},
        {"pk": ("band", "bucket", "article_id"), "foreign_keys": [("article_id", "articles", "id")]},
    ),
    "entities": (
        {
            "id": int,
            "key": str,
            "name": str,
            "kind": str,
            "country": str,
            "created_at": str,
            "curated": str,
            # kept by triggers (COUNT_TRIGGERS, schema 8): mention rows and event participations
            "n_mentions": int,
            "n_events": int,
        },
        {"pk": "id", "not_null": {"key", "name", "kind", "n_mentions", "n_events"},
         "defaults": {"n_mentions": 0, "n_events": 0}},
    ),
    "entity_aliases": (
        {"entity_id": int, "alias": str},
        {"pk": ("entity_id", "alias"), "foreign_keys": [("entity_id", "entities", "id")]},
    ),
    "mentions": (
        {
            "id": int,
            "article_id": int,
            "entity_id": int,
            "start": int,
            "end": int,
            "text": str,
            "label": str,
            "sentence_index": int,
        },
        {
            "pk": "id",
            "foreign_keys": [("article_id", "articles", "id"), ("entity_id", "entities", "id")],
        },
    ),
    "article_roles": (
        {
            "id": int,
            "article_id": int,
            "entity_id": int,
            "title": str,
            "country": str,
            "date": str,
            "evidence": str,
        },
        {
            "pk": "id",
            "foreign_keys": [("article_id", "articles", "id"), ("entity_id", "entities", "id")],
        },
    ),
    # One row per sentence that reports an event (what the extractor found), linked to the
    # real-world event it reports (``event_id``). ``block`` is the group of reports the event
    # layer merges together (analysis/store/events.py).
    "reports": (
        {
            "id": int,
            "article_id": int,
            "event_id": int,
            "block": str,
            **_WHAT_HAPPENED,
            "attributes": str,
        },
        {"pk": "id", "foreign_keys": [("article_id", "articles", "id")]},
    ),
    "report_participants": (
        {"report_id": int, "entity_id": int, "role": str},
        {
            "pk": ("report_id", "entity_id", "role"),
            "foreign_keys": [("report_id", "reports", "id"), ("entity_id", "entities", "id")],
        },
    ),
    # One row per real-world event: its reports merged. The date, place, evidence and article are
    # those of its best report; the status is its latest report's.
    "events": (
        {
            "id": int,
            "key": str,
            "block": str,
            "article_id": int,
            **_WHAT_HAPPENED,
            "reports": int,
            "articles": int,
            "outlets": int,
            "first_reported": str,
            "last_reported": str,
            "attributes": str,
            "curated": str,
            # the event's day, kept at write time (analysis/store/events.py set_days): its own
            # date, else its best report's publication date unless a background mention
            "day": str,
        },
        {"pk": "id", "foreign_keys": [("article_id", "articles", "id")]},
    ),
    # Events an analyst rejected (analysis/store/curation.py): out of every view, kept here so
    # they can be listed and the rejection undone.
    "events_rejected": (
        {"key": str, "block": str, "kind": str, "date": str, "evidence": str, "article_id": int,
         "log_id": int, "why": str, "row": str},
        {"pk": "key"},
    ),
    "event_participants": (
        {"event_id": int, "entity_id": int, "role": str},
        {
            "pk": ("event_id", "entity_id", "role"),
            "foreign_keys": [("event_id", "events", "id"), ("entity_id", "entities", "id")],
        },
    ),
    "topics": ({"id": str, "label": str}, {"pk": "id"}),
    "article_topics": (
        {"article_id": int, "topic_id": str, "score": float, "evidence": str},
        {
            "pk": ("article_id", "topic_id"),
            "foreign_keys": [("article_id", "articles", "id"), ("topic_id", "topics", "id")],
        },
    ),
    "ingest_runs": (
        {
            "id": int,
            "started_at": str,
            "finished_at": str,
            "sources": str,
            "new": int,
            "duplicates": int,
            "errors": int,
            "status": str,
            "message": str,
        },
        {"pk": "id"},
    ),
    "ingest_errors": (
        {
            "id": int,
            "error_key": str,
            "source": str,
            "item": str,
            "kind": str,
            "message": str,
            "run_id": int,
            "first_seen": str,
            "last_seen": str,
            "occurrences": int,
        },
        {"pk": "id"},
    ),
    # Counts kept at write time (analysis/store/aggregates.py): articles and topic tags per day.
    "article_days": ({"day": str, "n": int}, {"pk": "day"}),
    "topic_days": ({"day": str, "topic_id": str, "n": int}, {"pk": ("day", "topic_id")}),
    "article_countries": ({"article_id": int, "code": str}, {"pk": ("article_id", "code")}),
    "country_topics": ({"code": str, "topic_id": str, "n": int}, {"pk": ("code", "topic_id")}),
    # Kept by triggers (TALLY_TRIGGERS, schema 9): row counts of the big tables ("mentions",
    # "events:<kind>"), and per country code its events and the articles concerning it.
    "table_counts": ({"name": str, "n": int}, {"pk": "name", "not_null": {"n"}, "defaults": {"n": 0}}),
    "country_counts": ({"code": str, "events": int, "articles": int},
                       {"pk": "code", "not_null": {"events", "articles"}, "defaults": {"events": 0, "articles": 0}}),
    # Kept by triggers (EVENT_COUNTRY_TRIGGERS, schema 10): the countries of an event's
    # participants, by role, with how many participants give each (a profile's quotes and meetings).
    "event_countries": ({"event_id": int, "code": str, "role": str, "n": int},
                        {"pk": ("event_id", "code", "role"), "not_null": {"n"}}),
    # The unfiltered network, kept as of meta.network_version (analysis/store/network.py, schema 10).
    "network_edges": ({"kind": str, "u": str, "v": str, "weight": int, "reports": int, "articles": int,
                       "first": str, "last": str, "latest": str}, {"pk": ("kind", "u", "v")}),
    "network_nodes": ({"node": str, "entity_id": int, "entity_key": str, "name": str, "kind": str,
                       "country": str}, {"pk": "node"}),
    "curation_log": (
        {
            "id": int,
            "at": str,
            "action": str,
            "target_kind": str,
            "target_key": str,
            "payload": str,
            "note": str,
            "analyst": str,
            "old_value": str,
            "undone_at": str,
            "undone_by": int,
        },
        {"pk": "id"},
    ),
}

INDEXES: list[tuple[str, list[str], bool]] = [
    ("articles", ["content_hash"], True),
    ("articles", ["canonical_url"], False),
    ("articles", ["published"], False),
    ("article_copies", ["copy_key"], True),
    ("article_copies", ["canonical_url"], False),
    ("article_copies", ["article_id"], False),
    ("article_lsh", ["article_id"], False),
    ("entities", ["key"], True),
    ("entities", ["kind", "country"], False),
    ("entity_aliases", ["alias"], False),
    ("mentions", ["article_id"], False),
    ("mentions", ["entity_id"], False),
    ("mentions", ["entity_id", "article_id"], False),
    ("articles", ["published", "outlet"], False),
    ("article_roles", ["article_id"], False),
    ("article_roles", ["entity_id"], False),
    ("events", ["article_id"], False),
    ("events", ["kind", "date"], False),
    # event lists newest first, by kind or country, without walking the articles (schema 7)
    ("entities", ["kind", "n_events", "n_mentions"], False),  # the most active first (schema 8)
    ("events", ["day"], False),
    ("events", ["kind", "day"], False),
    ("events", ["visitor_country", "day"], False),
    ("events", ["destination_country", "day"], False),
    ("events", ["key"], True),
    ("events", ["block"], False),
    ("event_participants", ["entity_id"], False),
    ("reports", ["article_id"], False),
    ("reports", ["event_id"], False),
    ("reports", ["block"], False),
    ("report_participants", ["entity_id"], False),
    ("article_topics", ["topic_id"], False),
    ("ingest_errors", ["error_key"], True),
    ("curation_log", ["target_key"], False),
    ("article_countries", ["code", "article_id"], False),
    # covering indexes for the sidebar's choices on a large store (countries, topics, outlets)
    ("events", ["visitor_country"], False),
    ("events", ["destination_country"], False),
    ("articles", ["outlet"], False),
    ("article_topics", ["topic_id", "article_id"], False),
    ("events_rejected", ["block"], False),
    # the Network page's events read from the index alone, without the rows' sentences (schema 9)
    ("events", ["kind", "status", "day", "visitor_country", "destination_country", "country", "article_id",
                "reports", "articles"], False),
    # a profile's events by role from the index alone (schema 10)
    ("event_participants", ["entity_id", "role", "event_id"], False),
    ("event_countries", ["code", "role", "event_id"], False),
]

VIEWS = {
    # One row per (person, title, country) with the first and last date it was seen.
    # Titles that differ only in case ("special representative" / "Special Representative")
    # are one role; the capitalised form is shown.
    "roles": """
        SELECT entity_id, MIN(title) AS title, country,
               MIN(date) AS first_seen, MAX(date) AS last_seen,
               COUNT(DISTINCT article_id) AS articles
        FROM article_roles GROUP BY entity_id, lower(title), country
    """,
}

#: Each entity's mention rows and event participations, kept by SQLite itself on every insert,
#: delete and repointing of ``mentions`` and ``event_participants`` (whatever code writes
#: them), so the Profiles chooser and the sidebar read the most active entities from an index
#: instead of counting every mention (schema 8).
COUNT_TRIGGERS = [
    f"""CREATE TRIGGER IF NOT EXISTS {table}_count_{op} AFTER {event} ON {table}{when} BEGIN {body} END"""
    for table, col in (("mentions", "n_mentions"), ("event_participants", "n_events"))
    for op, event, when, body in (
        ("ins", "INSERT", " WHEN NEW.entity_id IS NOT NULL",
         f"UPDATE entities SET {col} = {col} + 1 WHERE id = NEW.entity_id;"),
        ("del", "DELETE", " WHEN OLD.entity_id IS NOT NULL",
         f"UPDATE entities SET {col} = {col} - 1 WHERE id = OLD.entity_id;"),
        ("upd", "UPDATE OF entity_id", " WHEN OLD.entity_id IS NOT NEW.entity_id",
         f"UPDATE entities SET {col} = {col} - 1 WHERE id = OLD.entity_id;"
         f" UPDATE entities SET {col} = {col} + 1 WHERE id = NEW.entity_id;"),
    )
]
def _tally(name: str, step: str, row: str) -> str:
    """Add ``step`` (SQL, may read ``ROW``) to the ``table_counts`` row ``name`` (SQL, may read
    ``ROW``), ``ROW`` being ``row`` (NEW or OLD)."""
    name, step = name.replace("ROW", row), step.replace("ROW", row)
    return (f"INSERT INTO table_counts (name, n) VALUES ({name}, {step})"
            f" ON CONFLICT(name) DO UPDATE SET n = n + excluded.n;")


def _country_step(col: str, row: str, step: str) -> str:
    """Add ``step`` to ``col`` of each distinct country code of event ``row`` (NEW or OLD) as
    visitor, destination or country (NULLs skipped)."""
    union = " UNION ".join(f"SELECT {row}.{c} AS code" for c in ("visitor_country", "destination_country", "country"))
    return (f"INSERT INTO country_counts (code, {col}) SELECT code, {step} FROM ({union}) WHERE code IS NOT NULL"
            f" ON CONFLICT(code) DO UPDATE SET {col} = {col} + ({step});")


_UNDATED = "(ROW.published IS NULL OR ROW.published = '')"


#: Row counts and per-country counts kept by SQLite on every write of ``mentions``, ``events``
#: and ``article_countries`` (schema 9), and of ``articles`` (schema 10), so the Data page's
#: figures, the Overview's counts and the most active countries read a few rows instead of
#: counting millions.
TALLY_TRIGGERS = [
    "CREATE TRIGGER IF NOT EXISTS mentions_tally_ins AFTER INSERT ON mentions BEGIN "
    + _tally("'mentions'", "1", "NEW") + " END",
    "CREATE TRIGGER IF NOT EXISTS mentions_tally_del AFTER DELETE ON mentions BEGIN "
    + _tally("'mentions'", "-1", "OLD") + " END",
    "CREATE TRIGGER IF NOT EXISTS events_tally_ins AFTER INSERT ON events BEGIN "
    + _tally("'events:' || ROW.kind", "1", "NEW") + " "
    + _country_step("events", "NEW", "1") + " END",
    "CREATE TRIGGER IF NOT EXISTS events_tally_del AFTER DELETE ON events BEGIN "
    + _tally("'events:' || ROW.kind", "-1", "OLD") + " "
    + _country_step("events", "OLD", "-1") + " END",
    "CREATE TRIGGER IF NOT EXISTS events_tally_upd AFTER UPDATE OF kind, visitor_country, destination_country,"
    " country ON events BEGIN "
    + _tally("'events:' || ROW.kind", "-1", "OLD") + " "
    + _tally("'events:' || ROW.kind", "1", "NEW") + " "
    + _country_step("events", "OLD", "-1") + " "
    + _country_step("events", "NEW", "1") + " END",
    # articles, and those without a publication date (schema 10)
    "CREATE TRIGGER IF NOT EXISTS articles_tally_ins AFTER INSERT ON articles BEGIN "
    + _tally("'articles'", "1", "NEW") + " " + _tally("'articles:undated'", _UNDATED, "NEW") + " END",
    "CREATE TRIGGER IF NOT EXISTS articles_tally_del AFTER DELETE ON articles BEGIN "
    + _tally("'articles'", "-1", "OLD") + " " + _tally("'articles:undated'", f"-{_UNDATED}", "OLD") + " END",
    "CREATE TRIGGER IF NOT EXISTS articles_tally_upd AFTER UPDATE OF published ON articles BEGIN "
    + _tally("'articles:undated'", _UNDATED.replace("ROW", "NEW") + " - " + _UNDATED.replace("ROW", "OLD"), "NEW")
    + " END",
    "CREATE TRIGGER IF NOT EXISTS article_countries_tally_ins AFTER INSERT ON article_countries BEGIN "
    "INSERT INTO country_counts (code, articles) VALUES (NEW.code, 1)"
    " ON CONFLICT(code) DO UPDATE SET articles = articles + 1; END",
    "CREATE TRIGGER IF NOT EXISTS article_countries_tally_del AFTER DELETE ON article_countries BEGIN "
    "UPDATE country_counts SET articles = articles - 1 WHERE code = OLD.code; END",
]
def _event_country(sign: str, row: str, entity: str) -> str:
    """Add ``sign`` (1 or -1) participations of ``row`` (NEW or OLD, a participant row) to
    ``event_countries`` under the country of entity ``entity``; rows that reach 0 go."""
    if sign == "1":
        return ("INSERT INTO event_countries (event_id, code, role, n)"
                f" SELECT {row}.event_id, e.country, COALESCE({row}.role, ''), 1 FROM entities e"
                f" WHERE e.id = {entity} AND e.country IS NOT NULL"
                " ON CONFLICT(event_id, code, role) DO UPDATE SET n = n + 1;")
    where = (f"event_id = {row}.event_id AND role = COALESCE({row}.role, '')"
             f" AND code = (SELECT country FROM entities WHERE id = {entity})")
    return (f"UPDATE event_countries SET n = n - 1 WHERE {where};"
            f" DELETE FROM event_countries WHERE {where} AND n <= 0;")


#: The countries of each event's participants (``event_countries``), kept by SQLite on every
#: write of ``event_participants`` and every change of an entity's country (schema 10), so a
#: country's profile finds its people's events in an index of codes instead of joining every
#: participation to its entity.
EVENT_COUNTRY_TRIGGERS = [
    "CREATE TRIGGER IF NOT EXISTS event_countries_ins AFTER INSERT ON event_participants BEGIN "
    + _event_country("1", "NEW", "NEW.entity_id") + " END",
    "CREATE TRIGGER IF NOT EXISTS event_countries_del AFTER DELETE ON event_participants BEGIN "
    + _event_country("-1", "OLD", "OLD.entity_id") + " END",
    "CREATE TRIGGER IF NOT EXISTS event_countries_upd AFTER UPDATE OF entity_id, role, event_id"
    " ON event_participants BEGIN "
    + _event_country("-1", "OLD", "OLD.entity_id") + " " + _event_country("1", "NEW", "NEW.entity_id") + " END",
    # an entity's country changes: its participations move from the old code to the new
    "CREATE TRIGGER IF NOT EXISTS event_countries_entity AFTER UPDATE OF country ON entities"
    " WHEN OLD.country IS NOT NEW.country BEGIN "
    "UPDATE event_countries SET n = n - (SELECT COUNT(*) FROM event_participants p WHERE p.entity_id = NEW.id"
    " AND p.event_id = event_countries.event_id AND COALESCE(p.role, '') = event_countries.role)"
    " WHERE code = OLD.country AND event_id IN (SELECT event_id FROM event_participants WHERE entity_id = NEW.id);"
    " DELETE FROM event_countries WHERE code = OLD.country AND n <= 0"
    " AND event_id IN (SELECT event_id FROM event_participants WHERE entity_id = NEW.id);"
    " INSERT INTO event_countries (event_id, code, role, n)"
    " SELECT p.event_id, NEW.country, COALESCE(p.role, ''), COUNT(*) FROM event_participants p"
    " WHERE p.entity_id = NEW.id AND NEW.country IS NOT NULL GROUP BY p.event_id, COALESCE(p.role, '')"
    " ON CONFLICT(event_id, code, role) DO UPDATE SET n = n + excluded.n; END",
]
#: :data:`EVENT_COUNTRY_TRIGGERS`' table, recounted (migration 10, a repair).
RECOUNT_EVENT_COUNTRIES = [
    "DELETE FROM event_countries",
    """INSERT INTO event_countries (event_id, code, role, n)
       SELECT p.event_id, e.country, COALESCE(p.role, ''), COUNT(*) FROM event_participants p
       JOIN entities e ON e.id = p.entity_id WHERE e.country IS NOT NULL
       GROUP BY p.event_id, e.country, COALESCE(p.role, '')""",
]

#: The counts :data:`TALLY_TRIGGERS` keep, recounted (migration 9, a repair).
RECOUNT_TALLIES = [
    "DELETE FROM table_counts",
    "INSERT INTO table_counts (name, n) SELECT 'mentions', COUNT(*) FROM mentions",
    "INSERT INTO table_counts (name, n) SELECT 'events:' || kind, COUNT(*) FROM events GROUP BY kind",
    "INSERT INTO table_counts (name, n) SELECT 'articles:undated', COUNT(*) FROM articles"
    " WHERE published IS NULL OR published = ''",
    "INSERT INTO table_counts (name, n) SELECT 'articles', COUNT(*) FROM articles",
    "DELETE FROM country_counts",
    """INSERT INTO country_counts (code, events) SELECT code, COUNT(DISTINCT id) FROM (
           SELECT id, visitor_country AS code FROM events WHERE visitor_country IS NOT NULL
           UNION ALL SELECT id, destination_country FROM events WHERE destination_country IS NOT NULL
           UNION ALL SELECT id, country FROM events WHERE country IS NOT NULL) GROUP BY code""",
    """INSERT INTO country_counts (code, articles) SELECT code, COUNT(*) FROM article_countries WHERE true
           GROUP BY code ON CONFLICT(code) DO UPDATE SET articles = excluded.articles""",
]

#: The counts the triggers keep, recounted (migration 8, a repair).
RECOUNT_ENTITIES = """UPDATE entities SET
    n_mentions = (SELECT COUNT(*) FROM mentions m WHERE m.entity_id = entities.id),
    n_events = (SELECT COUNT(*) FROM event_participants p WHERE p.entity_id = entities.id)"""

# Columns that are stored as JSON text.
_JSON_ARTICLE_FIELDS = ("metadata",)


def _create_schema(db: sqlite_utils.Database) -> None:
    """The whole current schema in an empty database (inside the caller's transaction)."""
    for name, (columns, options) in TABLES.items():
        db[name].create(columns, **options)
    _ensure_indexes_and_views(db)
    for sql in COUNT_TRIGGERS + TALLY_TRIGGERS + EVENT_COUNTRY_TRIGGERS:
        db.execute(sql)
    db["table_counts"].insert({"name": "mentions", "n": 0})
    db["articles"].enable_fts(["title", "text"], create_triggers=True, tokenize="porter")
    db["events"].enable_fts(["evidence"], create_triggers=True, tokenize="porter")
    db["reports"].enable_fts(["evidence"], create_triggers=True, tokenize="porter")
    db["meta"].insert({"key": "schema_version", "value": str(SCHEMA_VERSION)}, pk="key")
    db["meta"].insert({"key": "data_version", "value": "0"}, pk="key", ignore=True)


def _ensure_indexes_and_views(db: sqlite_utils.Database) -> None:
    for table, cols, unique in INDEXES:
        db[table].create_index(cols, unique=unique, if_not_exists=True)
    for name, sql in VIEWS.items():
        db.create_view(name, sql, replace=True)


def _index_name(table: str, columns: list[str]) -> str:
    """The name sqlite-utils gives an index."""
    return f"idx_{table}_{'_'.join(columns)}"


def _user_tables(conn: sqlite3.Connection | sqlite_utils.Database) -> set[str]:
    return {r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")}
