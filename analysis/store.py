"""The SQLite store: schema, the single-writer transaction, idempotent saves, read-only readers.

Everything that writes goes through :func:`open_db` and :func:`write_tx` (``BEGIN IMMEDIATE``,
so a writer never fails half-way with "database is locked" after it has read). Readers such as
the dashboard use :func:`connect_ro`, a short-lived read-only connection.

The schema is documented in ``docs/SCHEMA.md``; :data:`SCHEMA_VERSION` changes with it.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import sqlite3
import time
import unicodedata
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator, Mapping

import sqlite_utils

from . import config

#: The schema this code writes. Each step up is a numbered function in :data:`MIGRATIONS`.
SCHEMA_VERSION = 3

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
        },
        {"pk": "id", "not_null": {"key", "name", "kind"}},
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
    "events": (
        {
            "id": int,
            "article_id": int,
            "kind": str,
            "cameo": str,
            "date": str,
            "status": str,
            "country": str,
            "place": str,
            "visitor_country": str,
            "destination_country": str,
            "destination_place": str,
            "evidence": str,
            "sentence_index": int,
            "start": int,
            "end": int,
            "quote": str,
            "attributes": str,
        },
        {"pk": "id", "foreign_keys": [("article_id", "articles", "id")]},
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
    "curation_log": (
        {
            "id": int,
            "at": str,
            "action": str,
            "target_kind": str,
            "target_key": str,
            "payload": str,
            "note": str,
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
    ("event_participants", ["entity_id"], False),
    ("article_topics", ["topic_id"], False),
    ("ingest_errors", ["error_key"], True),
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

# Columns that are stored as JSON text.
_JSON_ARTICLE_FIELDS = ("metadata",)


def utcnow() -> str:
    """Current UTC time as an ISO 8601 string (seconds)."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


class StoreError(Exception):
    """The store cannot be used as it is: damaged, not a Chancery store, made by a newer
    Chancery, or not writable. The message says what is wrong and what to do, in one line;
    the file is never changed."""

    def __init__(self, message: str, path: str | Path | None = None):
        super().__init__(message)
        self.path = str(path) if path is not None else None


def describe_error(exc: BaseException, path: str | Path) -> StoreError:
    """A :class:`StoreError` saying what an SQLite error on the store at ``path`` means."""
    if isinstance(exc, StoreError):
        return exc
    text = str(exc)
    low = text.lower()
    if "file is not a database" in low or "not a database" in low:
        msg = (f"{path} is not a Chancery store (not an SQLite database, or damaged beyond "
               "reading); it was not changed. Choose another store with --db or CHANCERY_DB, "
               "or move the file away.")
    elif "malformed" in low or "corrupt" in low:
        msg = (f"{path} is damaged ({text}); it was not changed. Restore it from a backup, or "
               "move it away and ingest again.")
    elif "readonly" in low or "read-only" in low:
        msg = (f"{path} cannot be written (read-only file or folder); nothing was changed. "
               "Make it and its folder writable, or copy the store somewhere writable.")
    elif "unable to open" in low:
        msg = (f"cannot open {path}: the file or its folder cannot be read or written (a store "
               "needs a writable folder for its -wal and -shm files). Check the path and its "
               "permissions.")
    elif "disk i/o" in low or "disk is full" in low or "database or disk is full" in low:
        msg = f"{path}: the disk failed or is full ({text}); nothing more was written."
    else:
        msg = f"{path}: {text}"
    return StoreError(msg, path)


def truncated(path: str | Path) -> str | None:
    """Why the SQLite file at ``path`` is shorter than its own header says (a truncated copy),
    or None. Reads the 100-byte header only."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(100)
        size = os.path.getsize(path)
    except OSError:
        return None
    if len(head) < 100 or not head.startswith(b"SQLite format 3\x00"):
        return None
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(head[28:32], "big")
    counter_ok = head[24:28] == head[92:96]
    if counter_ok and pages and size < pages * page_size:
        return f"truncated: {size:,} bytes where its header says {pages * page_size:,}"
    return None


def _refuse_truncated(path: Path) -> None:
    why = truncated(path)
    if why:
        raise StoreError(f"{path} is damaged ({why}); it was not changed. Restore it from a "
                         "backup, or move it away and ingest again.", path)


def _connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), isolation_level=None, timeout=30, check_same_thread=True)
    conn.execute("PRAGMA busy_timeout = 30000")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def _user_tables(conn: sqlite3.Connection | sqlite_utils.Database) -> set[str]:
    return {r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")}


def schema_version(conn: sqlite3.Connection | sqlite_utils.Database, path: str | Path = "the store") -> int | None:
    """The store's schema version; ``None`` for an empty database (no tables yet).

    :raises StoreError: when the database holds tables but is not a Chancery store, or when it
        was made by a newer Chancery than this one.
    """
    tables = _user_tables(conn)
    if not tables:
        return None
    if "meta" not in tables:
        raise StoreError(f"{path} is an SQLite database but not a Chancery store (no meta "
                         "table); it was not changed. Choose another store with --db or "
                         "CHANCERY_DB.", path)
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    try:
        version = int(row[0]) if row else None
    except (TypeError, ValueError):
        version = None
    if version is None:
        raise StoreError(f"{path} is not a Chancery store (no schema version); it was not "
                         "changed. Choose another store with --db or CHANCERY_DB.", path)
    if version > SCHEMA_VERSION:
        raise StoreError(f"{path} was made by a newer Chancery (schema {version}; this one knows "
                         f"up to {SCHEMA_VERSION}): upgrade Chancery to use it. It was not "
                         "changed.", path)
    return version


def open_db(path: str | Path | None = None) -> sqlite_utils.Database:
    """Open (creating when absent) the store for writing, in WAL mode with the schema in place.

    The file is inspected before anything is written: a database that is not a Chancery
    store, is damaged, or was made by a newer Chancery is refused and left as it was.

    :param path: database file; defaults to :func:`analysis.config.db_path`.
    :returns: a sqlite-utils ``Database`` in autocommit mode; wrap writes in :func:`write_tx`.
    :raises StoreError: see above; also when the file or its folder cannot be written.
    """
    p = config.db_path(path)
    for attempt in range(6):
        conn = None
        try:
            _refuse_truncated(p)
            conn = _connect(p)
            schema_version(conn, p)  # refuse before the first write (the WAL switch is one)
            db = sqlite_utils.Database(conn)
            if db.journal_mode != "wal":
                db.enable_wal()
            ensure_schema(db, p)
            return db
        except (sqlite3.DatabaseError, StoreError, OSError) as exc:
            if conn is not None:
                conn.close()
            if _transient(exc) and attempt < 5:
                # Another process is switching a new store to WAL or creating its schema at
                # this very moment; SQLite reports some of those states without waiting.
                time.sleep(0.05 * 2 ** attempt)
                continue
            if isinstance(exc, OSError) and not isinstance(exc, sqlite3.DatabaseError):
                raise StoreError(f"cannot create the store at {p}: {exc.strerror or exc}", p) from None
            raise describe_error(exc, p) from None
    raise AssertionError("unreachable")  # pragma: no cover


def _transient(exc: BaseException) -> bool:
    text = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and any(
        w in text for w in ("locked", "busy", "protocol", "already exists"))


def memory_db() -> sqlite_utils.Database:
    """An in-memory store with the schema, for tests."""
    db = sqlite_utils.Database(sqlite3.connect(":memory:", isolation_level=None))
    ensure_schema(db)
    return db


def ensure_schema(db: sqlite_utils.Database, path: str | Path = "the store") -> None:
    """Bring the store to :data:`SCHEMA_VERSION`: create a new store's schema, or run the
    numbered migrations from its version up. Idempotent, and done under the write lock
    (``BEGIN IMMEDIATE``) with the version read again inside it, so any number of processes may
    open a new or old store at once.

    :raises StoreError: for a store that is not Chancery's or is newer than this code.
    """
    if schema_version(db, path) == SCHEMA_VERSION:
        return
    with write_tx(db):
        version = schema_version(db, path)  # again, now that we hold the lock
        if version == SCHEMA_VERSION:
            return
        if version is None:
            _create_schema(db)
        else:
            for step in range(version + 1, SCHEMA_VERSION + 1):
                MIGRATIONS[step](db)
                db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(step)])


def _create_schema(db: sqlite_utils.Database) -> None:
    """The whole current schema in an empty database (inside the caller's transaction)."""
    for name, (columns, options) in TABLES.items():
        db[name].create(columns, **options)
    _ensure_indexes_and_views(db)
    db["articles"].enable_fts(["title", "text"], create_triggers=True, tokenize="porter")
    db["events"].enable_fts(["evidence"], create_triggers=True, tokenize="porter")
    db["meta"].insert({"key": "schema_version", "value": str(SCHEMA_VERSION)}, pk="key")
    db["meta"].insert({"key": "data_version", "value": "0"}, pk="key", ignore=True)


def _ensure_indexes_and_views(db: sqlite_utils.Database) -> None:
    for table, cols, unique in INDEXES:
        db[table].create_index(cols, unique=unique, if_not_exists=True)
    for name, sql in VIEWS.items():
        db.create_view(name, sql, replace=True)


# --- migrations: one function per schema version, each from the version before -----------------

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


def _index_name(table: str, columns: list[str]) -> str:
    """The name sqlite-utils gives an index."""
    return f"idx_{table}_{'_'.join(columns)}"


@contextlib.contextmanager
def write_tx(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """One write transaction, taken with ``BEGIN IMMEDIATE`` so the write lock is held from the
    start. sqlite-utils calls inside become savepoints. Rolls back on any exception."""
    conn = db.conn
    if conn.in_transaction:  # nested: let the outer transaction decide
        with db.atomic():
            yield db
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")


def connect_ro(path: str | Path | None = None) -> sqlite3.Connection:
    """A read-only connection for readers (pages, stats). Close it when done.

    :raises FileNotFoundError: when the database does not exist.
    :raises StoreError: when it cannot be opened (see :func:`describe_error`).
    """
    p = config.db_path(path)
    if not Path(p).exists():
        raise FileNotFoundError(f"no database at {p}")
    try:
        conn = sqlite3.connect(f"file:{Path(p).resolve()}?mode=ro", uri=True, timeout=30)
        conn.execute("PRAGMA busy_timeout = 30000")
    except sqlite3.DatabaseError as exc:
        raise describe_error(exc, p) from None
    conn.row_factory = sqlite3.Row
    return conn


def upgrade_if_older(path: str | Path | None = None) -> bool:
    """Run the migrations on an existing store of an older schema (readers such as the
    dashboard open stores read-only, so they call this first). True when it upgraded.

    :raises StoreError: as :func:`open_db`.
    """
    p = config.db_path(path)
    if not Path(p).exists() or Path(p).stat().st_size == 0:
        return False
    conn = connect_ro(p)
    try:
        version = schema_version(conn, p)
    except sqlite3.DatabaseError as exc:
        raise describe_error(exc, p) from None
    finally:
        conn.close()
    if version is None or version >= SCHEMA_VERSION:
        return False
    open_db(p).conn.close()
    return True


def store_problem(path: str | Path | None = None) -> str | None:
    """What stops the store at ``path`` from being read, in one line, or None when it can be.

    A missing or empty (0-byte) file is no problem: it is a store not built yet. Checks what
    can be checked quickly (SQLite header, Chancery's tables, schema version) and reads nothing
    else; damage deeper in the file shows when a query reaches it (:func:`describe_error`).
    """
    p = config.db_path(path)
    try:
        if not Path(p).exists() or Path(p).stat().st_size == 0:
            return None
        _refuse_truncated(Path(p))
        conn = connect_ro(p)
        try:
            version = schema_version(conn, p)
            if version is not None:
                conn.execute("SELECT 1 FROM articles LIMIT 1").fetchone()
        finally:
            conn.close()
    except StoreError as exc:
        return str(exc)
    except sqlite3.DatabaseError as exc:
        return str(describe_error(exc, p))
    except OSError as exc:
        return f"cannot read {p}: {exc.strerror or exc}"
    return None


def bump_data_version(db: sqlite_utils.Database) -> None:
    """Increase ``meta.data_version``; caches in the dashboard are keyed on it."""
    db.execute(
        "UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'data_version'"
    )


def data_version(conn: sqlite3.Connection | sqlite_utils.Database) -> int:
    """The store's data version (0 for an empty store)."""
    row = conn.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()
    return int(row[0]) if row else 0


# --- keys -----------------------------------------------------------------------------------

def content_hash(text: str) -> str:
    """SHA-256 of the text with case, punctuation and whitespace normalised."""
    norm = " ".join(re.findall(r"\w+", unicodedata.normalize("NFKC", text).casefold()))
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()


def slug(name: str) -> str:
    """Accent-free, lower-case, hyphenated form of a name, used in stable entity keys."""
    s = unicodedata.normalize("NFKD", name)
    s = "".join(c for c in s if not unicodedata.combining(c)).casefold()
    s = s.replace("’", "'").replace("'", "")
    return re.sub(r"[^0-9a-z]+", "-", s).strip("-")


def entity_key(name: str, kind: str, country: str | None = None) -> str:
    """Stable identifier of an entity across articles and re-extractions.

    Countries are keyed by their ISO 3166-1 alpha-3 code, everything else by kind and slug.
    """
    if kind == "country" and country:
        return f"country:{country}"
    return f"{kind}:{slug(name)}"


# --- writes ---------------------------------------------------------------------------------

def upsert_entity(db: sqlite_utils.Database, name: str, kind: str, country: str | None,
                  aliases: list[str] | tuple[str, ...] = ()) -> int:
    """Insert the entity when its key is new and add any new aliases; return its id.

    An existing entity keeps its name; a country learnt later fills an empty one.
    """
    key = entity_key(name, kind, country)
    row = db.execute("SELECT id, country FROM entities WHERE key = ?", [key]).fetchone()
    if row:
        entity_id = row[0]
        if country and not row[1]:
            db.execute("UPDATE entities SET country = ? WHERE id = ?", [country, entity_id])
    else:
        entity_id = db["entities"].insert(
            {"key": key, "name": name, "kind": kind, "country": country, "created_at": utcnow()}
        ).last_pk
    names = {name, *[a for a in aliases if a]}
    db["entity_aliases"].insert_all(
        ({"entity_id": entity_id, "alias": a} for a in sorted(names)), ignore=True
    )
    return entity_id


def clear_extraction(db: sqlite_utils.Database, article_id: int) -> None:
    """Delete what extraction stored for one article (entities themselves stay)."""
    db.execute(
        "DELETE FROM event_participants WHERE event_id IN (SELECT id FROM events WHERE article_id = ?)",
        [article_id],
    )
    for table in ("events", "mentions", "article_roles", "article_topics"):
        db.execute(f"DELETE FROM {table} WHERE article_id = ?", [article_id])


_PARTICIPANT_FIELDS = {
    "visitor": "visitor",
    "visitors": "visitor",
    "host": "host",
    "hosts": "host",
    "participants": "participant",
    "also_present": "present",
    "speaker": "speaker",
    "target": "target",
    "perpetrator": "perpetrator",
}
_EVENT_COLUMNS = {
    "kind", "cameo", "date", "status", "country", "place", "visitor_country",
    "destination_country", "destination_place", "evidence", "sentence_index", "start", "end",
    "quote",
}


def save_extraction(db: sqlite_utils.Database, article_id: int, result: Mapping[str, Any],
                    published: str | None, extractor_version: str) -> None:
    """Store one article's extraction result (the ``extract`` JSON contract), replacing any
    previous one. Call inside :func:`write_tx`."""
    clear_extraction(db, article_id)
    ids: dict[str, int] = {}
    for ent in result.get("entities", []):
        eid = upsert_entity(db, ent["name"], ent["kind"], ent.get("country"), ent.get("aliases", []))
        ids.setdefault(ent["name"], eid)
        for alias in ent.get("aliases", []):
            ids.setdefault(alias, eid)
        for role in ent.get("roles", []):
            db["article_roles"].insert({
                "article_id": article_id,
                "entity_id": eid,
                "title": role.get("title"),
                "country": role.get("country"),
                "date": role.get("date") or published,
                "evidence": role.get("evidence"),
            })
    db["mentions"].insert_all(
        (
            {
                "article_id": article_id,
                "entity_id": ids.get(m.get("entity") or ""),
                "start": m["start"],
                "end": m["end"],
                "text": m["text"],
                "label": m.get("label"),
                "sentence_index": m.get("sentence_index"),
            }
            for m in result.get("mentions", [])
        ),
        batch_size=500,
    )
    for ev in result.get("events", []):
        row = {k: ev.get(k) for k in _EVENT_COLUMNS}
        row["article_id"] = article_id
        extra = {k: v for k, v in ev.items() if k not in _EVENT_COLUMNS}
        row["attributes"] = json.dumps(extra, ensure_ascii=False)
        event_id = db["events"].insert(row).last_pk
        parts = []
        for field, role in _PARTICIPANT_FIELDS.items():
            value = ev.get(field)
            for name in ([value] if isinstance(value, str) else value or []):
                if name in ids:
                    parts.append({"event_id": event_id, "entity_id": ids[name], "role": role})
        db["event_participants"].insert_all(parts, ignore=True)
    for topic in result.get("topics", []):
        db["topics"].insert({"id": topic["id"], "label": topic.get("label") or topic["id"]},
                            ignore=True)
        db["article_topics"].insert({
            "article_id": article_id,
            "topic_id": topic["id"],
            "score": topic.get("score"),
            "evidence": json.dumps(topic.get("evidence", []), ensure_ascii=False),
        }, replace=True)
    db.execute(
        "UPDATE articles SET extractor_version = ?, extracted_at = ? WHERE id = ?",
        [extractor_version, utcnow(), article_id],
    )


def insert_article(db: sqlite_utils.Database, article: Mapping[str, Any]) -> int:
    """Insert a new article row and return its id. ``article`` holds the columns of
    ``articles``; ``metadata`` may be a dict."""
    row = {k: article.get(k) for k in TABLES["articles"][0] if k != "id"}
    for field in _JSON_ARTICLE_FIELDS:
        if isinstance(row.get(field), (dict, list)):
            row[field] = json.dumps(row[field], ensure_ascii=False)
    row.setdefault("ingested_at", None)
    row["ingested_at"] = row["ingested_at"] or utcnow()
    row["word_count"] = row.get("word_count") or len(article["text"].split())
    return db["articles"].insert(row).last_pk


def record_copy(db: sqlite_utils.Database, article_id: int, reason: str, *, url: str | None,
                canonical_url: str | None, title: str | None, outlet: str | None,
                source: str | None, similarity: float | None = None) -> bool:
    """Link a duplicate item to the stored article. Returns False when that copy was already
    linked (re-running an ingest adds nothing)."""
    copy_key = hashlib.sha256(
        json.dumps([article_id, canonical_url or "", source or "", title or ""]).encode()
    ).hexdigest()
    if db.execute("SELECT 1 FROM article_copies WHERE copy_key = ?", [copy_key]).fetchone():
        return False
    db["article_copies"].insert({
        "article_id": article_id, "copy_key": copy_key, "reason": reason,
        "similarity": similarity, "url": url, "canonical_url": canonical_url, "title": title,
        "outlet": outlet, "source": source, "seen_at": utcnow(),
    })
    return True


def record_error(db: sqlite_utils.Database, source: str, item: str | None, kind: str,
                 message: str, run_id: int | None = None) -> bool:
    """Record one ingest error. The same error for the same item is kept once (its count and
    last-seen time grow), so re-running a batch does not inflate the error count.

    :returns: True when the error is new.
    """
    key = hashlib.sha256(json.dumps([source, item or "", kind]).encode()).hexdigest()
    now = utcnow()
    row = db.execute("SELECT id FROM ingest_errors WHERE error_key = ?", [key]).fetchone()
    if row:
        db.execute(
            "UPDATE ingest_errors SET last_seen = ?, occurrences = occurrences + 1, message = ?,"
            " run_id = ? WHERE id = ?",
            [now, message, run_id, row[0]],
        )
        return False
    db["ingest_errors"].insert({
        "error_key": key, "source": source, "item": item, "kind": kind, "message": message,
        "run_id": run_id, "first_seen": now, "last_seen": now, "occurrences": 1,
    })
    return True


def log_curation(db: sqlite_utils.Database, action: str, target_kind: str, target_key: str,
                 payload: Mapping[str, Any] | None = None, note: str | None = None) -> int:
    """Append one analyst correction to the curation log and return its id."""
    return db["curation_log"].insert({
        "at": utcnow(), "action": action, "target_kind": target_kind, "target_key": target_key,
        "payload": json.dumps(payload or {}, ensure_ascii=False), "note": note,
    }).last_pk


# --- reads ----------------------------------------------------------------------------------

def stats(conn: sqlite3.Connection | sqlite_utils.Database) -> dict[str, int]:
    """Counts of the main tables, as printed by ``python -m analysis stats --json``.

    Only what an ingest adds is counted (runs are not), so re-running an ingest changes nothing.
    """
    def one(sql: str) -> int:
        return int(conn.execute(sql).fetchone()[0])

    return {
        "articles": one("SELECT COUNT(*) FROM articles"),
        "duplicates": one("SELECT COUNT(*) FROM article_copies"),
        "entities": one("SELECT COUNT(*) FROM entities"),
        "people": one("SELECT COUNT(*) FROM entities WHERE kind = 'person'"),
        "mentions": one("SELECT COUNT(*) FROM mentions"),
        "events": one("SELECT COUNT(*) FROM events"),
        "visits": one("SELECT COUNT(*) FROM events WHERE kind = 'visit'"),
        "meetings": one("SELECT COUNT(*) FROM events WHERE kind = 'meeting'"),
        "topic_tags": one("SELECT COUNT(*) FROM article_topics"),
        "errors": one("SELECT COUNT(*) FROM ingest_errors"),
        "schema_version": SCHEMA_VERSION,
        "data_version": data_version(conn),
    }
