"""Opening the store: the single-writer transaction, read-only connections, the checks that
refuse a damaged, foreign or newer file before anything is written, and the data version the
dashboard's caches are keyed on.

Everything that writes goes through :func:`open_db` and :func:`write_tx` (``BEGIN IMMEDIATE``,
so a writer never fails half-way with "database is locked" after it has read). Readers use
:class:`analysis.store.reader.Reader` (short-lived read-only connections, :func:`connect_ro`).
"""
from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

import sqlite_utils

from analysis import config

from .migrations import MIGRATIONS
from .schema import SCHEMA_VERSION, _create_schema, _user_tables


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


_INSERT_SQL: dict[tuple[str, tuple[str, ...], str], str] = {}


def _cell(value: object) -> object:
    """A value as sqlite-utils stores it: dicts, lists and tuples as JSON text."""
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, default=repr, ensure_ascii=False)
    return value


def _insert_sql(table: str, cols: tuple[str, ...], conflict: str) -> str:
    key = (table, cols, conflict)
    sql = _INSERT_SQL.get(key)
    if sql is None:
        verb = f"INSERT OR {conflict.upper()}" if conflict else "INSERT"
        sql = (f"{verb} INTO [{table}] ({', '.join(f'[{c}]' for c in cols)}) "
               f"VALUES ({', '.join('?' * len(cols))})")
        _INSERT_SQL[key] = sql
    return sql


def insert_row(db: sqlite_utils.Database, table: str, row: Mapping[str, Any], conflict: str = "") -> int:
    """Insert one row (its keys are the columns) and return its rowid: what
    ``db[table].insert(row)`` does on an existing table, without sqlite-utils' per-call schema
    lookups (they were most of an article's write time). ``conflict``: "", "ignore" or "replace".
    """
    cols = tuple(row)
    cur = db.conn.execute(_insert_sql(table, cols, conflict), [_cell(row[c]) for c in cols])
    return cur.lastrowid


def insert_rows(db: sqlite_utils.Database, table: str, rows: Iterable[Mapping[str, Any]],
                conflict: str = "", plain: bool = False) -> None:
    """Insert rows in order (``db[table].insert_all(rows)`` on an existing table); rows with
    other columns than the first one's are written with their own statement, in order.
    ``plain``: the caller knows every value is a number, text or None (nothing to JSON-encode)."""
    batch: list[list[object]] = []
    cols: tuple[str, ...] | None = None
    for row in rows:
        these = tuple(row)
        if these != cols and batch:
            db.conn.executemany(_insert_sql(table, cols or (), conflict), batch)
            batch = []
        cols = these
        batch.append(list(row.values()) if plain else [_cell(row[c]) for c in these])
    if batch:
        db.conn.executemany(_insert_sql(table, cols or (), conflict), batch)


def bump_data_version(db: sqlite_utils.Database) -> None:
    """Increase ``meta.data_version``; caches in the dashboard are keyed on it."""
    db.execute(
        "UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'data_version'"
    )


def data_version(conn: sqlite3.Connection | sqlite_utils.Database) -> int:
    """The store's data version (0 for an empty store)."""
    row = conn.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()
    return int(row[0]) if row else 0
