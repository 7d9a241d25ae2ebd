"""The store's read API: the :class:`Reader` the views receive, and the SQL dialect.

A view never opens a file: it is given a :class:`Reader` (or a path, turned into one by
:func:`as_reader`) and reads through a :class:`Session`, one read-only connection that lives for
one call (``with reader.session() as s: s.df(sql, params)``). Everything in the SQL the views
write that only SQLite understands (full-text search, index hints,
temporary tables and their pragma, date arithmetic) comes from :attr:`Reader.dialect`, so a second
backend (PostgreSQL, say) is a new ``Reader``/``Dialect`` pair here and no change in the views.
"""
from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from analysis import config

from .db import connect_ro, data_version
from .writes import stats


class SQLiteDialect:
    """The SQLite spellings of what the views need beyond plain SQL."""

    name = "sqlite"

    # --- full-text search (FTS5 tables kept by triggers: articles_fts, events_fts) -------------
    @staticmethod
    def fts_table(table: str) -> str:
        """The full-text index of ``table`` (its rowid is the row's id)."""
        return f"{table}_fts"

    @staticmethod
    def fts_match(table: str) -> str:
        """Condition: the full-text index of ``table`` matches the query bound to ``?``."""
        return f"{table}_fts MATCH ?"

    @staticmethod
    def fts_rank(table: str) -> str:
        """ORDER BY expression, best match first: FTS5's ``rank`` column, bm25 as the function
        gives it, but computed by FTS5 for the rows an ``ORDER BY rank LIMIT`` keeps (a third of
        the time on a common word)."""
        return f"{table}_fts.rank"

    @staticmethod
    def fts_count(table: str) -> str:
        """SELECT of how many rows the full-text index of ``table`` matches (query bound to ``?``):
        a walk of the term lists, without ranking."""
        return f"SELECT COUNT(*) FROM {table}_fts WHERE {table}_fts MATCH ?"

    @staticmethod
    def fts_newest(table: str) -> str:
        """ORDER BY expression for newest row first, sorted descending: the index is walked
        backwards and stops at the limit (ranking every match of a word in most rows costs as
        much as the store is big)."""
        return f"{table}_fts.rowid"

    @staticmethod
    def fts_snippet(table: str, column: int, tokens: int = 16) -> str:
        """A short excerpt of the matching column, matches between « and »."""
        return f"snippet({table}_fts, {int(column)}, '«', '»', '…', {int(tokens)})"

    # --- planner hints, lists, temporary tables -------------------------------------------------
    @staticmethod
    def index_hint(index: str) -> str:
        """Placed after a table in FROM: make the planner use this index."""
        return f"INDEXED BY {index}"

    @staticmethod
    def temp_tables(tables: Sequence[tuple[str, str]], indexes: Sequence[tuple[str, str]] = ()) -> list[str]:
        """Statements creating temporary tables (``(name, SELECT ...)``), in memory and dropped
        with the connection, and indexes on them (``(name, "table(columns)")``)."""
        out = ["PRAGMA temp_store = MEMORY"]
        out += [f"DROP TABLE IF EXISTS temp.{name}" for name, _ in reversed(tables)]
        out += [f"CREATE TEMP TABLE {name} AS {select}" for name, select in tables]
        out += [f"CREATE INDEX temp.{name} ON {target}" for name, target in indexes]
        return out

    # --- dates -----------------------------------------------------------------------------------
    @staticmethod
    def period_start(freq: str, expr: str) -> str:
        """The first day of the period (``week``: its Monday; ``month``; ``quarter``; ``year``)
        holding an ISO date."""
        day = f"substr({expr}, 1, 10)"
        if freq == "month":
            return f"substr({expr}, 1, 7) || '-01'"
        if freq == "quarter":
            return (f"substr({expr}, 1, 4) || '-' || printf('%02d', ((CAST(substr({expr}, 6, 2) AS INTEGER) - 1) / 3) * 3 + 1)"
                    " || '-01'")
        if freq == "year":
            return f"substr({expr}, 1, 4) || '-01-01'"
        if freq == "week":
            return f"date({day}, '-' || ((CAST(strftime('%w', {day}) AS INTEGER) + 6) % 7) || ' days')"
        raise ValueError(f"freq must be 'week', 'month', 'quarter' or 'year', not {freq!r}")

    @staticmethod
    def days_between(later: str, earlier: str) -> str:
        """Days from ``earlier`` to ``later`` (ISO dates), as a real number."""
        return f"julianday({later}) - julianday({earlier})"

    @staticmethod
    def days_since(expr: str) -> str:
        """Whole days from an ISO date to today."""
        return f"CAST(julianday('now') - julianday({expr}) AS INTEGER)"


class Session:
    """One read-only connection, for one view call (several statements, one snapshot)."""

    def __init__(self, conn: sqlite3.Connection, dialect: SQLiteDialect):
        self.conn = conn
        self.dialect = dialect

    def execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    def rows(self, sql: str, params: Any = ()) -> list[sqlite3.Row]:
        return self.conn.execute(sql, params).fetchall()

    def one(self, sql: str, params: Any = ()) -> sqlite3.Row | None:
        return self.conn.execute(sql, params).fetchone()

    def df(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> pd.DataFrame:
        return pd.read_sql_query(sql, self.conn, params=params if isinstance(params, dict) else list(params))

class Reader:
    """Read access to one store. Cheap to make; holds no connection between calls.

    :param path: the store file (default: :func:`analysis.config.db_path`).
    """

    dialect = SQLiteDialect()

    def __init__(self, path: str | Path | None = None):
        self.path = Path(config.db_path(path))

    def __repr__(self) -> str:
        return f"Reader({str(self.path)!r})"

    def exists(self) -> bool:
        return self.path.exists()

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """A :class:`Session` on a new read-only connection, closed at the end of the block.

        :raises FileNotFoundError: when there is no store.
        :raises StoreError: when it cannot be opened.
        """
        conn = connect_ro(self.path)
        try:
            yield Session(conn, self.dialect)
        finally:
            conn.close()

    def data_version(self) -> int:
        with self.session() as s:
            return data_version(s.conn)

    def stats(self) -> dict[str, int]:
        """Counts of the main tables (:func:`analysis.store.writes.stats`)."""
        with self.session() as s:
            return stats(s.conn)

    def cache_token(self) -> tuple[int, ...]:
        """What caches of view results are keyed on: ``meta.data_version`` plus the highest row
        ids of the tables that grow, so a writer that forgets to bump the version still
        invalidates."""
        with self.session() as s:
            row = s.one(
                "SELECT (SELECT COALESCE(MAX(id), 0) FROM articles),"
                " (SELECT COALESCE(MAX(id), 0) FROM events),"
                " (SELECT COALESCE(MAX(id), 0) FROM ingest_errors),"
                " (SELECT COALESCE(MAX(id), 0) FROM ingest_runs),"
                " (SELECT COALESCE(MAX(id), 0) FROM curation_log),"
                # the articles, kept by triggers (schema 10): a delete shows too
                " (SELECT COALESCE((SELECT n FROM table_counts WHERE name = 'articles'), 0))"
            )
            return (data_version(s.conn), *[int(x) for x in row])


def as_reader(source: Reader | str | Path | None) -> Reader:
    """A :class:`Reader` for a reader, a store path, or None (the configured store)."""
    return source if isinstance(source, Reader) else Reader(source)
