"""Benchmark stores of any size made from a real one (``python -m analysis bench store``).

:func:`replicate` copies a real, ingested store and then either cuts it to its first N articles
or tiles it up to N: each copy repeats every article with all its extracted facts (mentions,
roles, topics, reports and their participants, events and theirs), with ids offset, content
hashes and URLs made unique, and every date shifted by a whole number of the corpus' spans, so
the copies follow each other in time instead of piling onto the same days. Entities are shared
between copies (the same officials, over more years), as in a long-running store. Full-text
indexes are filled by the tables' own triggers; ``ANALYZE`` runs at the end.

Nothing here is extracted: the text and the facts are the real store's, repeated. It measures
what reads cost as a store grows, not what extraction finds.
"""
from __future__ import annotations

import math
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

from . import aggregates, events, network
from .db import bump_data_version, open_db, write_tx

#: Columns copied per table (ids and the columns rewritten are handled separately).
_ARTICLE_COLS = ("title", "outlet", "author", "language", "text", "word_count", "source", "source_kind",
                 "metadata", "ingested_at", "extractor_version", "extracted_at")


def _cols(conn: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]


def _shift(expr: str, days: str) -> str:
    """SQL shifting a YYYY[-MM[-DD]] date (or a timestamp) ``expr`` by ``days`` days, keeping its
    precision."""
    return (f"CASE WHEN {expr} IS NULL THEN NULL"
            f" WHEN length({expr}) >= 10 THEN date(substr({expr}, 1, 10), '+' || {days} || ' days')"
            f" WHEN length({expr}) = 7 THEN substr(date({expr} || '-15', '+' || {days} || ' days'), 1, 7)"
            f" WHEN length({expr}) = 4 THEN substr(date({expr} || '-07-01', '+' || {days} || ' days'), 1, 4)"
            f" ELSE {expr} END")


def _span_days(conn: sqlite3.Connection) -> int:
    lo, hi = conn.execute("SELECT MIN(substr(published, 1, 10)), MAX(substr(published, 1, 10)) FROM articles"
                          " WHERE published IS NOT NULL").fetchone()
    if not lo:
        return 365
    try:
        return max(30, (date.fromisoformat(hi) - date.fromisoformat(lo)).days + 1)
    except ValueError:
        return 365


def _cut(conn: sqlite3.Connection, n: int) -> None:
    """Keep the first ``n`` articles and the facts that belong to them."""
    keep = conn.execute("SELECT id FROM articles ORDER BY id LIMIT 1 OFFSET ?", [n - 1]).fetchone()
    if keep is None:
        return
    last = keep[0]
    conn.execute("DELETE FROM report_participants WHERE report_id IN (SELECT id FROM reports WHERE article_id > ?)",
                 [last])
    for table in ("reports", "mentions", "article_roles", "article_topics", "article_copies",
                  "article_minhash", "article_lsh"):
        conn.execute(f"DELETE FROM {table} WHERE article_id > ?", [last])
    conn.execute("DELETE FROM event_participants WHERE event_id NOT IN"
                 " (SELECT DISTINCT event_id FROM reports WHERE event_id IS NOT NULL)")
    conn.execute("DELETE FROM events WHERE id NOT IN (SELECT DISTINCT event_id FROM reports WHERE event_id IS NOT NULL)")
    conn.execute("UPDATE events SET article_id = (SELECT MIN(article_id) FROM reports r WHERE r.event_id = events.id)"
                 " WHERE article_id > ?", [last])
    conn.execute("DELETE FROM articles WHERE id > ?", [last])


def _tile(conn: sqlite3.Connection, n: int) -> None:
    """Repeat the articles (and their facts) until there are ``n``."""
    base = conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    if base == 0 or n <= base:
        return
    max_a = conn.execute("SELECT MAX(id) FROM articles").fetchone()[0]
    max_r = conn.execute("SELECT COALESCE(MAX(id), 0) FROM reports").fetchone()[0]
    max_e = conn.execute("SELECT COALESCE(MAX(id), 0) FROM events").fetchone()[0]
    max_m = conn.execute("SELECT COALESCE(MAX(rowid), 0) FROM mentions").fetchone()[0]
    span = _span_days(conn)
    conn.execute("CREATE TEMP TABLE src_articles AS SELECT id FROM articles ORDER BY id")
    rep_cols = [c for c in _cols(conn, "reports") if c not in ("id", "article_id", "event_id", "date")]
    ev_cols = [c for c in _cols(conn, "events") if c not in ("id", "key", "article_id", "date", "first_reported",
                                                             "last_reported")]
    role_cols = [c for c in _cols(conn, "article_roles") if c not in ("id", "article_id", "date")]
    men_cols = [c for c in _cols(conn, "mentions") if c not in ("id", "article_id")]
    copies = math.ceil(n / base)
    for k in range(1, copies):
        room = min(base, n - k * base)
        if room <= 0:
            break
        oa, orr, oe, days = k * max_a, k * max_r, k * max_e, str(k * span)
        conn.execute("DELETE FROM src_articles")
        conn.execute("INSERT INTO src_articles SELECT id FROM articles WHERE id <= ? ORDER BY id LIMIT ?",
                     [max_a, room])
        cols = ", ".join(_ARTICLE_COLS)
        conn.execute(f"""
            INSERT INTO articles (id, url, canonical_url, published, content_hash, {cols})
            SELECT id + {oa}, CASE WHEN COALESCE(url, '') != '' THEN url || '#copy-{k}' END,
                   CASE WHEN COALESCE(canonical_url, '') != '' THEN canonical_url || '#copy-{k}' END,
                   {_shift('published', days)}, content_hash || ':copy-{k}', {cols}
            FROM articles WHERE id IN (SELECT id FROM src_articles)""")
        mc = ", ".join(f'"{c}"' for c in men_cols)
        has_id = "id" in _cols(conn, "mentions")
        conn.execute(f"""
            INSERT INTO mentions ({'id, ' if has_id else ''}article_id, {mc})
            SELECT {f'id + {k * max_m}, ' if has_id else ''}article_id + {oa}, {mc} FROM mentions
            WHERE article_id IN (SELECT id FROM src_articles)""")
        rc = ", ".join(role_cols)
        conn.execute(f"""
            INSERT INTO article_roles (article_id, date, {rc})
            SELECT article_id + {oa}, {_shift('date', days)}, {rc} FROM article_roles
            WHERE article_id IN (SELECT id FROM src_articles)""")
        conn.execute(f"""
            INSERT INTO article_topics (article_id, topic_id, score, evidence)
            SELECT article_id + {oa}, topic_id, score, evidence FROM article_topics
            WHERE article_id IN (SELECT id FROM src_articles)""")
        pc = ", ".join(f'"{c}"' for c in rep_cols)
        conn.execute(f"""
            INSERT INTO reports (id, article_id, event_id, date, {pc})
            SELECT id + {orr}, article_id + {oa}, CASE WHEN event_id IS NOT NULL THEN event_id + {oe} END,
                   {_shift('date', days)}, {pc}
            FROM reports WHERE id <= {max_r} AND article_id IN (SELECT id FROM src_articles)""")
        conn.execute(f"""
            INSERT INTO report_participants (report_id, entity_id, role)
            SELECT p.report_id + {orr}, p.entity_id, p.role FROM report_participants p
            JOIN reports r ON r.id = p.report_id
            WHERE r.id <= {max_r} AND r.article_id IN (SELECT id FROM src_articles)""")
        ec = ", ".join(f'"{c}"' for c in ev_cols)
        conn.execute(f"""
            INSERT INTO events (id, key, article_id, date, first_reported, last_reported, {ec})
            SELECT id + {oe}, key || '~copy-{k}', article_id + {oa}, {_shift('date', days)},
                   {_shift('first_reported', days)}, {_shift('last_reported', days)}, {ec}
            FROM events WHERE id <= {max_e} AND article_id IN (SELECT id FROM src_articles)""")
        conn.execute(f"""
            INSERT INTO event_participants (event_id, entity_id, role)
            SELECT event_id + {oe}, entity_id, role FROM event_participants
            WHERE event_id <= {max_e} AND event_id IN (SELECT id FROM events WHERE id <= {max_e}
                                                       AND article_id IN (SELECT id FROM src_articles))""")
        # reports of an event whose best article is outside a partial copy point nowhere: drop them
        conn.execute(f"UPDATE reports SET event_id = NULL WHERE id > {orr} AND event_id IS NOT NULL"
                     " AND event_id NOT IN (SELECT id FROM events)")
        conn.commit()
    conn.execute("DROP TABLE src_articles")


def replicate(source: str | Path, out: str | Path, n_articles: int) -> dict[str, Any]:
    """Write to ``out`` a store of ``n_articles`` made from the real store ``source`` (see the
    module docstring); returns its counts. ``out`` is replaced."""
    source, out = Path(source), Path(out)
    if n_articles < 1:
        raise ValueError("--articles must be at least 1")
    if not source.exists():
        raise FileNotFoundError(f"no store at {source}")
    if out.resolve() == source.resolve():
        raise ValueError("--db must be a new file, not the store replicated")
    src = open_db(source)  # checks it is a Chancery store and upgrades it
    src.conn.close()
    for p in (out, Path(f"{out}-wal"), Path(f"{out}-shm")):
        if p.exists():
            p.unlink()
    with sqlite3.connect(source) as s, sqlite3.connect(out) as d:
        s.backup(d)
    conn = sqlite3.connect(out, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("BEGIN")
        base = conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        if n_articles < base:
            _cut(conn, n_articles)
            conn.commit()
        else:
            conn.commit()
            conn.execute("BEGIN")
            _tile(conn, n_articles)
            if conn.in_transaction:
                conn.commit()
    finally:
        conn.close()
    db = open_db(out)
    try:
        with write_tx(db):
            aggregates.rebuild(db)
            events.set_days(db)  # the copies' days, from their shifted dates
            bump_data_version(db)
            network.refresh(db)
        db.execute("ANALYZE")
        counts = {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                  for t in ("articles", "mentions", "reports", "events", "entities", "article_topics")}
    finally:
        db.conn.close()
    return counts
