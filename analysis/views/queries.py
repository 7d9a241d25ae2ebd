"""Read-only queries behind the dashboard pages.

Every function takes the database path first, opens a short-lived read-only connection
(:func:`analysis.store.connect_ro`), aggregates in SQL and returns a pandas DataFrame or plain
data; nothing here imports streamlit. Global filters travel as a :class:`Filters` value.

Conventions:
- an event's date is ``events.date`` or, when the extractor found none, its article's
  publication date (``COALESCE(ev.date, a.published)``), cut to ``YYYY-MM-DD``; event tables
  say which in ``date_from`` ("text" or "article") so a stand-in date is never taken for a fact;
- an article "concerns" a country when it mentions an entity of that country (the country
  itself, a place in it or one of its officials) or holds an event involving it;
- text filters go through :func:`analysis.safe.fts_query`; nothing typed reaches SQL unquoted.
"""
from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.views import safe
from analysis import store

#: Default cap on rows returned to a page table.
ROW_LIMIT = 500


@dataclass(frozen=True)
class Filters:
    """The dashboard's global filters (all optional; empty means "everything").

    :param start: first day included, ``YYYY-MM-DD``.
    :param end: last day included, ``YYYY-MM-DD``.
    :param countries: ISO 3166-1 alpha-3 codes.
    :param people: entity keys (``person:mohammad-sadiq``), stable across re-extraction.
    :param topics: topic ids from the taxonomy.
    """

    start: str | None = None
    end: str | None = None
    countries: tuple[str, ...] = field(default_factory=tuple)
    people: tuple[str, ...] = field(default_factory=tuple)
    topics: tuple[str, ...] = field(default_factory=tuple)

    def without_topics(self) -> Filters:
        return Filters(self.start, self.end, self.countries, self.people, ())

    @property
    def end_exclusive(self) -> str | None:
        if not self.end:
            return None
        try:
            return (date.fromisoformat(self.end[:10]) + timedelta(days=1)).isoformat()
        except ValueError:
            return None


NO_FILTERS = Filters()

# SQL snippets ---------------------------------------------------------------------------------

_EVENT_DATE = "substr(COALESCE(ev.date, a.published), 1, 10)"


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("?" for _ in values)


def _article_where(f: Filters, a: str = "a") -> tuple[list[str], list[Any]]:
    """WHERE conditions restricting articles (alias ``a``) to the filters."""
    where: list[str] = []
    params: list[Any] = []
    if f.start:
        where.append(f"{a}.published >= ?")
        params.append(f.start)
    if f.end_exclusive:
        where.append(f"{a}.published < ?")
        params.append(f.end_exclusive)
    if f.countries:
        c = list(f.countries)
        where.append(
            f"{a}.id IN (SELECT m.article_id FROM entities e JOIN mentions m ON m.entity_id = e.id"
            f" WHERE e.country IN ({_marks(c)})"
            f" UNION SELECT x.article_id FROM events x WHERE x.visitor_country IN ({_marks(c)})"
            f" OR x.destination_country IN ({_marks(c)}) OR x.country IN ({_marks(c)}))"
        )
        params += c * 4
    if f.people:
        p = list(f.people)
        where.append(
            f"{a}.id IN (SELECT m.article_id FROM entities e JOIN mentions m ON m.entity_id = e.id"
            f" WHERE e.key IN ({_marks(p)})"
            f" UNION SELECT x.article_id FROM events x JOIN event_participants xp ON xp.event_id = x.id"
            f" JOIN entities e ON e.id = xp.entity_id WHERE e.key IN ({_marks(p)}))"
        )
        params += p * 2
    if f.topics:
        t = list(f.topics)
        where.append(f"{a}.id IN (SELECT article_id FROM article_topics WHERE topic_id IN ({_marks(t)}))")
        params += t
    return where, params


def _event_where(f: Filters, dates: bool = True) -> tuple[list[str], list[Any]]:
    """WHERE conditions restricting events (alias ``ev``, article alias ``a``) to the filters;
    ``dates=False`` leaves the date range out (for :func:`_newest_events`)."""
    where: list[str] = []
    params: list[Any] = []
    if not dates:
        pass
    elif f.start:
        # "|| '-31'" keeps a month-only date ("2024-06") in a window starting inside that month;
        # it changes nothing for a full date (equal prefixes, longer string).
        where.append(f"{_EVENT_DATE} || '-31' >= ?")
        params.append(f.start)
    if dates and f.end:
        where.append(f"{_EVENT_DATE} <= ?")
        params.append(f.end[:10])
    if f.countries:
        c = list(f.countries)
        where.append(
            f"(ev.visitor_country IN ({_marks(c)}) OR ev.destination_country IN ({_marks(c)})"
            f" OR ev.country IN ({_marks(c)}) OR ev.id IN (SELECT xp.event_id FROM event_participants xp"
            f" JOIN entities e ON e.id = xp.entity_id WHERE e.country IN ({_marks(c)})))"
        )
        params += c * 4
    if f.people:
        p = list(f.people)
        where.append(
            f"ev.id IN (SELECT xp.event_id FROM event_participants xp JOIN entities e"
            f" ON e.id = xp.entity_id WHERE e.key IN ({_marks(p)}))"
        )
        params += p
    if f.topics:
        t = list(f.topics)
        where.append(
            f"ev.article_id IN (SELECT article_id FROM article_topics WHERE topic_id IN ({_marks(t)}))"
        )
        params += t
    return where, params


def _newest_events(f: Filters, cond: list[str], cparams: list[Any], limit: int) -> tuple[str, list[Any]]:
    """SQL (columns ``id, d``) for the ``limit`` newest events meeting ``cond`` and the date
    filters, cheaply on a large store.

    An event's day is its own date or else its article's publication date; joining every event
    to its (wide) article row to compute that is the main cost, so the two cases are taken
    apart: dated events through the events table, undated ones by walking the articles'
    publication-date index newest first. Each side stops after ``limit`` rows.
    """
    w1, p1 = ["ev.date IS NOT NULL", *cond], list(cparams)
    # Each article walked must find its events through the article_id index: left alone, the
    # planner answered "ev.id IN (list)" or "kind = ?" through other indexes once per article
    # (minutes on a large store). ``INDEXED BY`` and ``+ev.id`` keep it on the right path.
    w2 = ["ev.date IS NULL", *(c.replace("ev.id IN (", "+ev.id IN (") for c in cond)]
    p2 = list(cparams)
    if f.start:
        w1.append("substr(ev.date, 1, 10) || '-31' >= ?")  # month-only dates: see _event_where
        p1.append(f.start)
        w2.append("a.published >= ?")
        p2.append(f.start)
    if f.end:
        w1.append("substr(ev.date, 1, 10) <= ?")
        p1.append(f.end[:10])
        w2.append("a.published < ?")
        p2.append(f.end_exclusive)
    sql = f"""
        SELECT id, d FROM (SELECT ev.id, substr(ev.date, 1, 10) AS d FROM events ev {_and(w1)}
                           ORDER BY ev.date DESC, ev.id DESC LIMIT ?)
        UNION ALL
        SELECT id, d FROM (SELECT ev.id, substr(a.published, 1, 10) AS d
                           FROM articles a
                           CROSS JOIN events ev INDEXED BY idx_events_article_id ON ev.article_id = a.id
                           {_and(w2)}
                           ORDER BY a.published DESC, ev.id DESC LIMIT ?)
    """
    return sql, p1 + [limit] + p2 + [limit]


def _events_from(f: Filters) -> str:
    """FROM clause for event counts: articles are joined only when a date filter needs the
    publication date (the join is most of the cost on a large store)."""
    if f.start or f.end:
        return "events ev JOIN articles a ON a.id = ev.article_id"
    return "events ev"


def _and(where: Iterable[str]) -> str:
    w = list(where)
    return (" WHERE " + " AND ".join(w)) if w else ""


#: Errors meaning the store itself cannot be read (the dashboard shows its problem page).
STORE_ERRORS = (sqlite3.DatabaseError, store.StoreError)


def store_status(path: str | Path) -> str | None:
    """None when the store at ``path`` can be read (an older one is upgraded first, a missing
    or empty one is simply not built yet), else one line saying what is wrong."""
    problem = store.store_problem(path)
    if problem:
        return problem
    try:
        store.upgrade_if_older(path)
    except store.StoreError as exc:
        return str(exc)
    return None


def store_error_message(exc: BaseException, path: str | Path) -> str:
    """What a read error met while drawing a page says about the store (one line)."""
    return str(store.describe_error(exc, path))


@contextlib.contextmanager
def _ro(path: str | Path) -> Iterator[sqlite3.Connection]:
    conn = store.connect_ro(path)
    try:
        yield conn
    finally:
        conn.close()


def _df(conn: sqlite3.Connection, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
    return pd.read_sql_query(sql, conn, params=list(params))


def _in_list(codes: Sequence[str] | None) -> list[str]:
    return [c for c in (codes or []) if c]


# Cache key and options ------------------------------------------------------------------------

def cache_token(path: str | Path) -> tuple[int, ...]:
    """What the dashboard caches are keyed on: ``meta.data_version`` plus the highest row ids
    of the tables that grow, so a writer that forgets to bump the version still invalidates."""
    with _ro(path) as conn:
        row = conn.execute(
            "SELECT (SELECT COALESCE(MAX(id), 0) FROM articles),"
            " (SELECT COALESCE(MAX(id), 0) FROM events),"
            " (SELECT COALESCE(MAX(id), 0) FROM ingest_errors),"
            " (SELECT COALESCE(MAX(id), 0) FROM ingest_runs),"
            " (SELECT COALESCE(MAX(id), 0) FROM curation_log),"
            " (SELECT COUNT(*) FROM articles)"
        ).fetchone()
        return (store.data_version(conn), *[int(x) for x in row])


def filter_options(path: str | Path, people_limit: int = 300) -> dict[str, Any]:
    """Choices for the global filters: date range, countries, people and topics, each with a
    display name, most frequent first."""
    with _ro(path) as conn:
        lo, hi = conn.execute(
            "SELECT MIN(substr(published, 1, 10)), MAX(substr(published, 1, 10)) FROM articles"
            " WHERE published IS NOT NULL AND published != ''"
        ).fetchone()
        countries = _df(conn, """
            WITH codes AS (
                SELECT country AS code FROM entities WHERE country IS NOT NULL
                UNION ALL SELECT visitor_country FROM events WHERE visitor_country IS NOT NULL
                UNION ALL SELECT destination_country FROM events WHERE destination_country IS NOT NULL
            )
            SELECT code, COUNT(*) AS n,
                   COALESCE((SELECT name FROM entities WHERE key = 'country:' || code), code) AS name
            FROM codes GROUP BY code ORDER BY n DESC, code
        """)
        people = _df(conn, """
            WITH ev AS (SELECT entity_id, COUNT(*) AS events FROM event_participants GROUP BY entity_id)
            SELECT e.key, e.name, e.country, COALESCE(ev.events, 0) AS events
            FROM entities e LEFT JOIN ev ON ev.entity_id = e.id WHERE e.kind = 'person'
            ORDER BY events DESC, e.name LIMIT ?
        """, [people_limit])
        topics = _df(conn, """
            SELECT t.id, t.label, COUNT(at.article_id) AS n FROM topics t
            LEFT JOIN article_topics at ON at.topic_id = t.id GROUP BY t.id ORDER BY n DESC, t.label
        """)
        outlets = [r[0] for r in conn.execute(
            "SELECT outlet FROM articles WHERE outlet IS NOT NULL AND outlet != ''"
            " GROUP BY outlet ORDER BY COUNT(*) DESC, outlet LIMIT 500"
        )]
    return {
        "min_date": lo,
        "max_date": hi,
        "countries": dict(zip(countries["code"], countries["name"])),
        "people": dict(zip(people["key"], people["name"])),
        "topics": dict(zip(topics["id"], topics["label"])),
        "outlets": outlets,
    }


# Overview -------------------------------------------------------------------------------------

def summary(path: str | Path, f: Filters = NO_FILTERS) -> dict[str, Any]:
    """Corpus size and date range under the filters, and store-wide counts."""
    aw, ap = _article_where(f)
    ew, ep = _event_where(f)
    with _ro(path) as conn:
        n, lo, hi = conn.execute(
            "SELECT COUNT(*), MIN(substr(a.published, 1, 10)), MAX(substr(a.published, 1, 10))"
            f" FROM articles a{_and(aw)}", ap
        ).fetchone()
        outlets = conn.execute(
            f"SELECT COUNT(*) FROM (SELECT DISTINCT a.outlet FROM articles a{_and(aw)})", ap
        ).fetchone()[0]
        kinds = dict(conn.execute(
            f"SELECT ev.kind, COUNT(*) FROM {_events_from(f)}{_and(ew)} GROUP BY ev.kind", ep
        ).fetchall())
        st = store.stats(conn)
    return {
        "articles": int(n), "first": lo, "last": hi, "outlets": int(outlets),
        "visits": int(kinds.get("visit", 0)), "meetings": int(kinds.get("meeting", 0)),
        "events": int(sum(kinds.values())), "events_by_kind": kinds,
        "total_articles": st["articles"], "duplicates": st["duplicates"],
        "entities": st["entities"], "people": st["people"], "errors": st["errors"],
    }


def events(path: str | Path, f: Filters = NO_FILTERS, kinds: Sequence[str] | None = ("visit", "meeting"),
           *, entity_key: str | None = None, pair: tuple[str, str] | None = None,
           limit: int = ROW_LIMIT) -> pd.DataFrame:
    """Events (newest first) with their participants, evidence sentence and article.

    :param kinds: event kinds to keep (``None`` for all).
    :param entity_key: keep events this entity takes part in.
    :param pair: two country codes; keep events between them, in either direction.
    :returns: columns ``id, date, kind, status, cameo, visitor_country, destination_country,
        place, country, participants, participant_countries, evidence, quote, article_id, title,
        url, outlet, published``.
    """
    where, params = _event_where(f, dates=False)
    if kinds:
        where.append(f"ev.kind IN ({_marks(kinds)})")
        params += list(kinds)
    if entity_key:
        where.append("ev.id IN (SELECT xp.event_id FROM event_participants xp JOIN entities e"
                     " ON e.id = xp.entity_id WHERE e.key = ?)")
        params.append(entity_key)
    if pair:
        x, y = pair
        where.append(
            "((ev.visitor_country = ? AND COALESCE(ev.destination_country, ev.country) = ?)"
            " OR (ev.visitor_country = ? AND COALESCE(ev.destination_country, ev.country) = ?)"
            " OR (ev.kind != 'visit' AND ev.id IN (SELECT p1.event_id FROM event_participants p1"
            " JOIN entities e1 ON e1.id = p1.entity_id JOIN event_participants p2"
            " ON p2.event_id = p1.event_id JOIN entities e2 ON e2.id = p2.entity_id"
            " WHERE e1.country = ? AND e2.country = ?)))"
        )
        params += [x, y, y, x, x, y]
    newest, nparams = _newest_events(f, where, params, limit)
    sql = f"""
        WITH sel AS ({newest})
        SELECT ev.id, sel.d AS date,
               CASE WHEN ev.date IS NULL THEN 'article' ELSE 'text' END AS date_from,
               ev.kind, ev.status, ev.cameo,
               ev.visitor_country, ev.destination_country,
               COALESCE(ev.destination_place, ev.place) AS place, ev.country,
               (SELECT group_concat(e.name || ' (' || p.role || ')', '; ')
                  FROM event_participants p JOIN entities e ON e.id = p.entity_id
                  WHERE p.event_id = ev.id) AS participants,
               (SELECT group_concat(DISTINCT e.country)
                  FROM event_participants p JOIN entities e ON e.id = p.entity_id
                  WHERE p.event_id = ev.id AND e.country IS NOT NULL) AS participant_countries,
               ev.evidence, ev.quote, ev.article_id, a.title, a.url, a.outlet,
               substr(a.published, 1, 10) AS published
        FROM sel CROSS JOIN events ev ON ev.id = sel.id CROSS JOIN articles a ON a.id = ev.article_id
        ORDER BY sel.d DESC, ev.id DESC LIMIT ?
    """
    with _ro(path) as conn:
        df = _df(conn, sql, nparams + [limit])
    df["pair"] = [_pair_label(r) for r in df.itertuples()]
    return df


def _s(v: Any) -> str:
    return v if isinstance(v, str) else ""


def _pair_label(r: Any) -> str:
    visitor, dest, country = _s(r.visitor_country), _s(r.destination_country), _s(r.country)
    if r.kind == "visit" and (visitor or dest):
        return f"{visitor or '?'} → {dest or country or '?'}"
    codes = sorted(set(filter(None, _s(r.participant_countries).split(","))) |
                   ({country} if country else set()))
    return " – ".join(codes) if codes else "?"


def event_people(path: str | Path, f: Filters = NO_FILTERS,
                 kinds: Sequence[str] | None = ("visit", "meeting"), limit: int = 5000) -> pd.DataFrame:
    """One row per (event, person taking part) for the newest ``limit`` events: for
    timelines by official."""
    where, params = _event_where(f, dates=False)
    if kinds:
        where.append(f"ev.kind IN ({_marks(kinds)})")
        params += list(kinds)
    newest, nparams = _newest_events(f, where, params, limit)
    sql = f"""
        WITH sel AS ({newest})
        SELECT ev.id AS event_id, sel.d AS date, ev.kind, ev.status, e.key, e.name,
               e.country AS person_country, p.role, ev.visitor_country, ev.destination_country,
               COALESCE(ev.destination_place, ev.place) AS place, ev.evidence, ev.article_id,
               a.title, a.url
        FROM sel CROSS JOIN events ev ON ev.id = sel.id CROSS JOIN articles a ON a.id = ev.article_id
        CROSS JOIN event_participants p ON p.event_id = ev.id
        CROSS JOIN entities e ON e.id = p.entity_id
        WHERE e.kind = 'person' ORDER BY sel.d DESC, ev.id DESC LIMIT ?
    """
    with _ro(path) as conn:
        return _df(conn, sql, nparams + [limit])


def latest_events(path: str | Path, f: Filters = NO_FILTERS, kinds: Sequence[str] = ("visit",),
                  limit: int = 10) -> pd.DataFrame:
    """The newest events of the given kinds (for the Overview)."""
    return events(path, f, kinds, limit=limit)


def visit_gaps(path: str | Path, f: Filters = NO_FILTERS) -> pd.DataFrame:
    """Per directed country pair (visitor → destination): number of visits that took place,
    first and last date, days since the last one (to today) and the mean gap between visits.
    Planned and cancelled visits are left out."""
    where, params = _event_where(f)
    where += ["ev.kind = 'visit'", "ev.visitor_country IS NOT NULL",
              "COALESCE(ev.destination_country, ev.country) IS NOT NULL",
              "COALESCE(ev.status, 'occurred') = 'occurred'"]
    sql = f"""
        WITH v AS (
            SELECT ev.visitor_country AS visitor, COALESCE(ev.destination_country, ev.country) AS host,
                   {_EVENT_DATE} AS date
            FROM events ev JOIN articles a ON a.id = ev.article_id {_and(where)}
            GROUP BY 1, 2, 3
        ), g AS (
            SELECT visitor, host, date,
                   julianday(date) - julianday(LAG(date) OVER (PARTITION BY visitor, host ORDER BY date)) AS gap
            FROM v
        )
        SELECT visitor, host, COUNT(*) AS visits, MIN(date) AS first, MAX(date) AS last,
               CAST(julianday('now') - julianday(MAX(date)) AS INTEGER) AS days_since_last,
               ROUND(AVG(gap), 1) AS mean_gap_days
        FROM g GROUP BY visitor, host ORDER BY last DESC
    """
    with _ro(path) as conn:
        return _df(conn, sql, params)


def pair_visits(path: str | Path, a_code: str, b_code: str, f: Filters = NO_FILTERS) -> pd.DataFrame:
    """Visits between two countries in both directions, oldest first, with the days elapsed
    since the previous visit between them (``gap_days``)."""
    where, params = _event_where(f)
    where += ["ev.kind = 'visit'", "COALESCE(ev.status, 'occurred') = 'occurred'",
              ("((ev.visitor_country = ? AND COALESCE(ev.destination_country, ev.country) = ?)"
               " OR (ev.visitor_country = ? AND COALESCE(ev.destination_country, ev.country) = ?))")]
    params += [a_code, b_code, b_code, a_code]
    sql = f"""
        WITH v AS (
            SELECT {_EVENT_DATE} AS date, ev.visitor_country AS visitor,
                   COALESCE(ev.destination_country, ev.country) AS host,
                   MIN(ev.id) AS event_id, MIN(ev.evidence) AS evidence, MIN(a.title) AS title,
                   MIN(a.url) AS url, COUNT(*) AS reports
            FROM events ev JOIN articles a ON a.id = ev.article_id {_and(where)}
            GROUP BY 1, 2, 3
        )
        SELECT date, visitor, host,
               CAST(julianday(date) - julianday(LAG(date) OVER (ORDER BY date)) AS INTEGER) AS gap_days,
               reports, evidence, title, url, event_id
        FROM v ORDER BY date
    """
    with _ro(path) as conn:
        return _df(conn, sql, params)


def rising_topics(path: str | Path, f: Filters = NO_FILTERS, days: int = 30) -> pd.DataFrame:
    """Topics whose share of articles grew most in the last ``days`` days of the (filtered)
    corpus against the ``days`` before. The window ends at the newest article (or the filter's
    end date), so an old corpus still shows what was rising at its end."""
    g = f.without_topics()
    aw, ap = _article_where(g)
    with _ro(path) as conn:
        end = f.end or conn.execute(
            f"SELECT MAX(substr(a.published, 1, 10)) FROM articles a{_and(aw)}", ap).fetchone()[0]
        if not end:
            return pd.DataFrame(columns=["topic_id", "label", "recent", "recent_share", "prior",
                                         "prior_share", "change"])
        end_d = date.fromisoformat(end[:10])
        mid = (end_d - timedelta(days=days)).isoformat()
        start = (end_d - timedelta(days=2 * days)).isoformat()
        stop = (end_d + timedelta(days=1)).isoformat()
        sql = f"""
            WITH arts AS (
                SELECT a.id, CASE WHEN a.published >= ? THEN 1 ELSE 0 END AS recent
                FROM articles a {_and(aw + ['a.published >= ?', 'a.published < ?'])}
            ), tot AS (
                SELECT SUM(recent) AS r, SUM(1 - recent) AS p FROM arts
            )
            SELECT t.id AS topic_id, t.label,
                   SUM(arts.recent) AS recent, 1.0 * SUM(arts.recent) / MAX(tot.r, 1) AS recent_share,
                   SUM(1 - arts.recent) AS prior, 1.0 * SUM(1 - arts.recent) / MAX(tot.p, 1) AS prior_share
            FROM arts JOIN article_topics at ON at.article_id = arts.id
            JOIN topics t ON t.id = at.topic_id, tot
            GROUP BY t.id
        """
        df = _df(conn, sql, [mid] + ap + [start, stop])
    df["change"] = df["recent_share"] - df["prior_share"]
    if f.topics:
        df = df[df["topic_id"].isin(f.topics)]
    return df.sort_values(["change", "recent"], ascending=False).reset_index(drop=True)


def top_entities(path: str | Path, f: Filters = NO_FILTERS, kind: str = "person",
                 limit: int = 10) -> pd.DataFrame:
    """Most active entities of a kind under the filters, ranked by events taken part in (for
    countries: events involving the country code), then by mentions in (filtered) articles.
    Mentions, not distinct articles, are counted: that is an index-only count on a big store."""
    ew, ep = _event_where(f)
    aw, ap = _article_where(f)
    if kind == "country" and not ew:
        ev_sql = """
            SELECT e.id AS entity_id, x.events FROM (
                SELECT code, COUNT(DISTINCT id) AS events FROM (
                    SELECT id, visitor_country AS code FROM events WHERE visitor_country IS NOT NULL
                    UNION ALL SELECT id, destination_country FROM events WHERE destination_country IS NOT NULL
                    UNION ALL SELECT id, country FROM events WHERE country IS NOT NULL)
                GROUP BY code) x
            JOIN entities e ON e.kind = 'country' AND e.country = x.code
        """
    elif kind == "country":
        ev_sql = f"""
            SELECT e.id AS entity_id, COUNT(DISTINCT ev.id) AS events
            FROM {_events_from(f)}
            JOIN entities e ON e.kind = 'country' AND e.country IN
                 (ev.visitor_country, ev.destination_country, ev.country)
            {_and(ew)} GROUP BY e.id
        """
    elif not ew:  # no filter: the participants table alone answers
        ev_sql = """
            SELECT entity_id, COUNT(DISTINCT event_id) AS events FROM event_participants
            GROUP BY entity_id
        """
    else:
        ev_sql = f"""
            SELECT p.entity_id, COUNT(DISTINCT ev.id) AS events
            FROM {_events_from(f)}
            JOIN event_participants p ON p.event_id = ev.id {_and(ew)} GROUP BY p.entity_id
        """
    art_where = _and(aw + ["m.entity_id = e.id"])
    sql = f"""
        WITH evc AS ({ev_sql}),
        cand AS (
            SELECT e.id, e.key, e.name, e.country, COALESCE(evc.events, 0) AS events
            FROM entities e LEFT JOIN evc ON evc.entity_id = e.id
            WHERE e.kind = ? ORDER BY events DESC, e.name LIMIT ?
        )
        SELECT e.id, e.key, e.name, e.country, e.events,
               (SELECT COUNT(*) FROM mentions m
                {"JOIN articles a ON a.id = m.article_id" if aw else ""} {art_where}) AS mentions
        FROM cand e ORDER BY e.events DESC, mentions DESC, e.name
    """
    with _ro(path) as conn:
        df = _df(conn, sql, ep + [kind, limit + 5] + ap)
    df = df[(df["events"] > 0) | (df["mentions"] > 0)]
    return df.sort_values(["events", "mentions", "name"], ascending=[False, False, True]).head(limit) \
        .reset_index(drop=True)


def ingest_runs(path: str | Path, limit: int = 20) -> pd.DataFrame:
    """The latest ingest runs, newest first."""
    with _ro(path) as conn:
        return _df(conn, "SELECT id, started_at, finished_at, status, new, duplicates, errors, sources,"
                         " message FROM ingest_runs ORDER BY id DESC LIMIT ?", [limit])


def last_ingest(path: str | Path) -> dict[str, Any] | None:
    """The newest ingest run as a dict (``None`` when there was none)."""
    df = ingest_runs(path, 1)
    return None if df.empty else {k: (None if pd.isna(v) else v) for k, v in df.iloc[0].items()}


def ingest_errors(path: str | Path, run_id: int | None = None, limit: int = ROW_LIMIT) -> pd.DataFrame:
    """Recorded ingest errors (newest first), optionally of one run."""
    where = " WHERE run_id = ?" if run_id is not None else ""
    params: list[Any] = [run_id] if run_id is not None else []
    with _ro(path) as conn:
        return _df(conn, "SELECT id, last_seen, kind, source, item, message, occurrences, run_id"
                         f" FROM ingest_errors{where} ORDER BY last_seen DESC, id DESC LIMIT ?",
                   params + [limit])


def store_stats(path: str | Path) -> dict[str, int]:
    """Counts of the main tables (:func:`analysis.store.stats`)."""
    with _ro(path) as conn:
        return store.stats(conn)


# Topics ---------------------------------------------------------------------------------------

def _period_expr(freq: str, col: str = "a.published") -> str:
    day = f"substr({col}, 1, 10)"
    if freq == "month":
        return f"substr({col}, 1, 7) || '-01'"
    if freq == "week":  # the Monday starting the ISO week
        return f"date({day}, '-' || ((CAST(strftime('%w', {day}) AS INTEGER) + 6) % 7) || ' days')"
    raise ValueError(f"freq must be 'week' or 'month', not {freq!r}")


def topic_series(path: str | Path, f: Filters = NO_FILTERS, freq: str = "month") -> pd.DataFrame:
    """Topic frequency per period as a share of all (filtered) articles of the period.

    The topic filter chooses which topics are returned; it does not shrink the denominator.
    Periods with articles but no article of a topic get a zero row, so lines do not skip.

    :returns: columns ``period, topic_id, label, n, total, share``.
    """
    g = f.without_topics()
    aw, ap = _article_where(g)
    aw.append("a.published IS NOT NULL AND a.published != ''")
    per = _period_expr(freq)
    tw = f" WHERE at.topic_id IN ({_marks(f.topics)})" if f.topics else ""
    sql = f"""
        WITH arts AS (SELECT a.id, {per} AS period FROM articles a {_and(aw)}),
        tot AS (SELECT period, COUNT(*) AS total FROM arts GROUP BY period),
        tc AS (
            SELECT arts.period, at.topic_id, COUNT(*) AS n
            FROM arts JOIN article_topics at ON at.article_id = arts.id {tw}
            GROUP BY arts.period, at.topic_id
        ),
        used AS (SELECT DISTINCT topic_id FROM tc)
        SELECT tot.period, used.topic_id, t.label, COALESCE(tc.n, 0) AS n, tot.total,
               1.0 * COALESCE(tc.n, 0) / tot.total AS share
        FROM tot CROSS JOIN used JOIN topics t ON t.id = used.topic_id
        LEFT JOIN tc ON tc.period = tot.period AND tc.topic_id = used.topic_id
        WHERE tot.period IS NOT NULL
        ORDER BY tot.period, used.topic_id
    """
    with _ro(path) as conn:
        return _df(conn, sql, ap + list(f.topics))


_ARTICLE_COUNTRIES = """
    SELECT m.article_id, e.country AS code FROM mentions m JOIN entities e ON e.id = m.entity_id
    WHERE e.kind = 'country' AND e.country IS NOT NULL
    UNION SELECT article_id, visitor_country FROM events WHERE visitor_country IS NOT NULL
    UNION SELECT article_id, destination_country FROM events WHERE destination_country IS NOT NULL
    UNION SELECT article_id, country FROM events WHERE country IS NOT NULL
"""


_COUNTRY_ARTICLES = """
    SELECT m.article_id FROM entities e JOIN mentions m ON m.entity_id = e.id
    WHERE e.kind = 'country' AND e.country = ?
    UNION SELECT article_id FROM events WHERE visitor_country = ? OR destination_country = ? OR country = ?
"""


def country_topic_matrix(path: str | Path, f: Filters = NO_FILTERS, max_countries: int = 20) -> pd.DataFrame:
    """Articles per (country, topic) for the countries with most articles, with the share of
    the country's articles that carry the topic. A country here is one named in the article
    (as a country entity) or involved in one of its events.

    :returns: columns ``code, country, topic_id, label, n, country_articles, share``.
    """
    g = f.without_topics()
    aw, ap = _article_where(g)
    tw = f" AND at.topic_id IN ({_marks(f.topics)})" if f.topics else ""
    sql = f"""
        WITH ac AS (
            SELECT DISTINCT x.article_id, x.code FROM ({_ARTICLE_COUNTRIES}) x
            JOIN articles a ON a.id = x.article_id {_and(aw)}
        ),
        cn AS (SELECT code, COUNT(*) AS country_articles FROM ac GROUP BY code
               ORDER BY country_articles DESC LIMIT ?)
        SELECT cn.code, COALESCE((SELECT name FROM entities WHERE key = 'country:' || cn.code), cn.code)
                 AS country,
               at.topic_id, t.label, COUNT(*) AS n, cn.country_articles,
               1.0 * COUNT(*) / cn.country_articles AS share
        FROM cn JOIN ac ON ac.code = cn.code
        JOIN article_topics at ON at.article_id = ac.article_id {tw}
        JOIN topics t ON t.id = at.topic_id
        GROUP BY cn.code, at.topic_id ORDER BY cn.country_articles DESC, cn.code, t.label
    """
    with _ro(path) as conn:
        return _df(conn, sql, ap + [max_countries] + list(f.topics))


def topic_articles(path: str | Path, f: Filters = NO_FILTERS, topic_id: str | None = None, *,
                   period: str | None = None, freq: str = "month", country: str | None = None,
                   limit: int = ROW_LIMIT) -> pd.DataFrame:
    """Articles behind one chart point or heatmap cell: a topic, optionally one period (as
    returned by :func:`topic_series`) and one country code."""
    aw, ap = _article_where(f.without_topics())
    if topic_id:
        aw.append("a.id IN (SELECT article_id FROM article_topics WHERE topic_id = ?)")
        ap.append(topic_id)
    if period:
        aw.append(f"{_period_expr(freq)} = ?")
        ap.append(period[:10])
    if country:
        aw.append(f"a.id IN ({_COUNTRY_ARTICLES})")
        ap += [country] * 4
    sql = f"""
        SELECT a.id, substr(a.published, 1, 10) AS published, a.title, a.outlet, a.url,
               (SELECT at.evidence FROM article_topics at WHERE at.article_id = a.id AND at.topic_id = ?)
                 AS topic_evidence
        FROM articles a {_and(aw)} ORDER BY a.published DESC, a.id DESC LIMIT ?
    """
    with _ro(path) as conn:
        df = _df(conn, sql, [topic_id] + ap + [limit])
    df["topic_evidence"] = [", ".join(_json_list(v)) for v in df["topic_evidence"]]
    return df


def _json_list(v: Any) -> list[str]:
    if not v:
        return []
    try:
        out = json.loads(v)
    except (TypeError, ValueError):
        return [str(v)]
    return [str(x) for x in out] if isinstance(out, list) else [str(out)]


# Articles -------------------------------------------------------------------------------------

def search_articles(path: str | Path, f: Filters = NO_FILTERS, text: str | None = None, *,
                    outlet: str | None = None, limit: int = 200) -> pd.DataFrame:
    """Articles matching the filters and, when ``text`` holds anything searchable, a full-text
    search over titles and bodies (best match first; otherwise newest first).

    ``text`` goes through :func:`analysis.safe.fts_query`, so any input is safe.

    :returns: columns ``id, published, title, outlet, url, snippet, events, topics``.
    """
    aw, ap = _article_where(f)
    if outlet:
        aw.append("a.outlet = ?")
        ap.append(outlet)
    q = safe.fts_query(text)
    cols = """a.id, substr(a.published, 1, 10) AS published, a.title, a.outlet, a.url,
              (SELECT COUNT(*) FROM events x WHERE x.article_id = a.id) AS events,
              (SELECT group_concat(topic_id, ', ') FROM article_topics x WHERE x.article_id = a.id)
                AS topics"""
    if q:
        sql = f"""
            SELECT {cols}, snippet(articles_fts, 1, '«', '»', '…', 16) AS snippet
            FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid
            {_and(['articles_fts MATCH ?'] + aw)} ORDER BY bm25(articles_fts) LIMIT ?
        """
        params = [q] + ap + [limit]
    else:
        sql = f"""
            SELECT {cols}, substr(a.text, 1, 200) AS snippet
            FROM articles a {_and(aw)} ORDER BY a.published DESC, a.id DESC LIMIT ?
        """
        params = ap + [limit]
    with _ro(path) as conn:
        return _df(conn, sql, params)


def search_evidence(path: str | Path, f: Filters = NO_FILTERS, text: str | None = None,
                    limit: int = 200) -> pd.DataFrame:
    """Events whose evidence sentence matches ``text`` (safe FTS5), best match first.

    :returns: an empty frame when ``text`` holds nothing searchable.
    """
    q = safe.fts_query(text)
    cols = ["id", "date", "kind", "status", "evidence", "article_id", "title", "url"]
    if not q:
        return pd.DataFrame(columns=cols)
    where, params = _event_where(f)
    sql = f"""
        SELECT ev.id, {_EVENT_DATE} AS date, ev.kind, ev.status, ev.evidence, ev.article_id,
               a.title, a.url
        FROM events_fts JOIN events ev ON ev.id = events_fts.rowid
        JOIN articles a ON a.id = ev.article_id
        {_and(['events_fts MATCH ?'] + where)} ORDER BY bm25(events_fts) LIMIT ?
    """
    with _ro(path) as conn:
        return _df(conn, sql, [q] + params + [limit])


def article(path: str | Path, article_id: int) -> dict[str, Any] | None:
    """One article with everything extracted from it: mentions (with entity), entities, roles,
    events (with participants), topics (with the words that triggered them) and duplicates."""
    with _ro(path) as conn:
        row = conn.execute(
            "SELECT id, title, url, outlet, author, published, text, word_count, source,"
            " extractor_version, extracted_at FROM articles WHERE id = ?", [int(article_id)]
        ).fetchone()
        if row is None:
            return None
        out: dict[str, Any] = dict(row)
        out["mentions"] = _df(conn, """
            SELECT m.start, m."end", m.text, m.label, m.entity_id, e.key, e.name, e.kind, e.country
            FROM mentions m LEFT JOIN entities e ON e.id = m.entity_id
            WHERE m.article_id = ? ORDER BY m.start
        """, [article_id])
        out["entities"] = _df(conn, """
            SELECT e.id, e.key, e.name, e.kind, e.country, COUNT(*) AS mentions
            FROM mentions m JOIN entities e ON e.id = m.entity_id
            WHERE m.article_id = ? GROUP BY e.id ORDER BY mentions DESC, e.name
        """, [article_id])
        out["roles"] = _df(conn, """
            SELECT e.name, r.title, r.country, r.date, r.evidence
            FROM article_roles r JOIN entities e ON e.id = r.entity_id WHERE r.article_id = ?
        """, [article_id])
        out["events"] = _df(conn, """
            SELECT ev.id, ev.kind, ev.date, ev.status, ev.cameo, ev.visitor_country,
                   ev.destination_country, COALESCE(ev.destination_place, ev.place) AS place,
                   (SELECT group_concat(e.name || ' (' || p.role || ')', '; ')
                      FROM event_participants p JOIN entities e ON e.id = p.entity_id
                      WHERE p.event_id = ev.id) AS participants,
                   ev.evidence
            FROM events ev WHERE ev.article_id = ? ORDER BY ev.start, ev.id
        """, [article_id])
        out["topics"] = _df(conn, """
            SELECT t.id, t.label, at.score, at.evidence FROM article_topics at
            JOIN topics t ON t.id = at.topic_id WHERE at.article_id = ? ORDER BY at.score DESC
        """, [article_id])
        out["copies"] = _df(conn, """
            SELECT reason, similarity, title, outlet, url, seen_at FROM article_copies
            WHERE article_id = ? ORDER BY seen_at
        """, [article_id])
    out["topics"]["evidence"] = [", ".join(_json_list(v)) for v in out["topics"]["evidence"]]
    return out


# Profiles -------------------------------------------------------------------------------------

def entities(path: str | Path, kinds: Sequence[str] | None = ("person", "country", "organization"),
             search: str | None = None, limit: int = ROW_LIMIT) -> pd.DataFrame:
    """Entities to choose a profile from, most mentioned first; ``search`` matches names and
    aliases (case-insensitive substring, as plain text)."""
    where, params = [], []
    if kinds:
        where.append(f"e.kind IN ({_marks(kinds)})")
        params += list(kinds)
    if search and search.strip():
        s = safe.clean_control(search.strip())[:100].casefold()
        where.append("e.id IN (SELECT entity_id FROM entity_aliases WHERE instr(lower(alias), ?) > 0)")
        params.append(s)
    sql = f"""
        SELECT e.id, e.key, e.name, e.kind, e.country,
               (SELECT COUNT(*) FROM mentions m WHERE m.entity_id = e.id) AS mentions,
               (SELECT COUNT(*) FROM event_participants p WHERE p.entity_id = e.id) AS events
        FROM entities e {_and(where)} ORDER BY events DESC, mentions DESC, e.name LIMIT ?
    """
    with _ro(path) as conn:
        return _df(conn, sql, params + [limit])


def profile(path: str | Path, entity_id: int, f: Filters = NO_FILTERS, limit: int = ROW_LIMIT) -> dict[str, Any] | None:
    """Everything known about one official, country or organisation, each with its sources.

    :returns: ``None`` for an unknown id, else a dict with ``entity`` (dict), ``aliases`` (list)
        and DataFrames ``roles`` (first/last seen), ``role_sources``, ``visits_made``,
        ``visits_hosted``, ``meetings``, ``counterparts``, ``topics`` and ``quotes``.
    """
    with _ro(path) as conn:
        row = conn.execute("SELECT id, key, name, kind, country FROM entities WHERE id = ?",
                           [int(entity_id)]).fetchone()
        if row is None:
            return None
        ent = dict(row)
        eid, code = ent["id"], ent["country"]
        is_country = ent["kind"] == "country" and bool(code)
        aliases = [r[0] for r in conn.execute(
            "SELECT alias FROM entity_aliases WHERE entity_id = ? AND alias != ? ORDER BY alias",
            [eid, ent["name"]])]
        out: dict[str, Any] = {"entity": ent, "aliases": aliases}
        out["roles"] = _df(conn, """
            SELECT title, country, first_seen, last_seen, articles FROM roles
            WHERE entity_id = ? ORDER BY first_seen, title
        """, [eid])
        out["role_sources"] = _df(conn, """
            SELECT r.title, r.country, substr(r.date, 1, 10) AS date, r.evidence, r.article_id,
                   a.title AS article, a.url
            FROM article_roles r JOIN articles a ON a.id = r.article_id
            WHERE r.entity_id = ? ORDER BY r.date DESC LIMIT ?
        """, [eid, limit])
        ew, ep = _event_where(f)
        nw, npar = _event_where(f, dates=False)
        part = "ev.id IN (SELECT event_id FROM event_participants WHERE entity_id = ?{role})"

        def ev_df(extra: list[str], extra_params: list[Any]) -> pd.DataFrame:
            newest, params = _newest_events(f, nw + extra, npar + extra_params, limit)
            sql = f"""
                WITH sel AS ({newest})
                SELECT ev.id, sel.d AS date, ev.kind, ev.status, ev.visitor_country,
                       COALESCE(ev.destination_country, ev.country) AS destination_country,
                       COALESCE(ev.destination_place, ev.place) AS place,
                       (SELECT group_concat(e.name || ' (' || p.role || ')', '; ')
                          FROM event_participants p JOIN entities e ON e.id = p.entity_id
                          WHERE p.event_id = ev.id) AS participants,
                       ev.evidence, ev.quote, ev.article_id, a.title, a.url
                FROM sel CROSS JOIN events ev ON ev.id = sel.id
                CROSS JOIN articles a ON a.id = ev.article_id
                ORDER BY sel.d DESC, ev.id DESC LIMIT ?
            """
            return _df(conn, sql, params + [limit])

        if is_country:
            out["visits_made"] = ev_df(["ev.kind = 'visit'", "ev.visitor_country = ?"], [code])
            out["visits_hosted"] = ev_df(
                ["ev.kind = 'visit'", "COALESCE(ev.destination_country, ev.country) = ?"], [code])
            out["meetings"] = ev_df(
                ["ev.kind = 'meeting'", ("(ev.country = ? OR ev.id IN (SELECT p.event_id FROM"
                 " event_participants p JOIN entities e ON e.id = p.entity_id WHERE e.country = ?))")],
                [code, code])
        else:
            out["visits_made"] = ev_df(["ev.kind = 'visit'", part.format(role=" AND role = 'visitor'")], [eid])
            out["visits_hosted"] = ev_df(["ev.kind = 'visit'", part.format(role=" AND role = 'host'")], [eid])
            out["meetings"] = ev_df(["ev.kind = 'meeting'", part.format(role="")], [eid])
        if is_country:
            out["counterparts"] = _df(conn, f"""
                SELECT CASE WHEN ev.visitor_country = ? THEN COALESCE(ev.destination_country, ev.country)
                            ELSE ev.visitor_country END AS counterpart,
                       'country' AS kind,
                       SUM(ev.visitor_country = ?) AS visits_made,
                       SUM(ev.visitor_country != ?) AS visits_hosted,
                       MAX({_EVENT_DATE}) AS last
                FROM events ev JOIN articles a ON a.id = ev.article_id
                {_and(ew + ["ev.kind = 'visit'", "(ev.visitor_country = ? OR COALESCE(ev.destination_country, ev.country) = ?)",
                            "ev.visitor_country IS NOT NULL", "COALESCE(ev.destination_country, ev.country) IS NOT NULL",
                            "ev.visitor_country != COALESCE(ev.destination_country, ev.country)"])}
                GROUP BY counterpart ORDER BY visits_made + visits_hosted DESC, last DESC LIMIT ?
            """, [code, code, code] + ep + [code, code, limit])
            topic_arts = _COUNTRY_ARTICLES
            topic_params: list[Any] = [code] * 4
        else:
            out["counterparts"] = _df(conn, f"""
                SELECT e2.name AS counterpart, e2.kind, e2.country, e2.key,
                       COUNT(DISTINCT ev.id) AS events, MAX({_EVENT_DATE}) AS last,
                       group_concat(DISTINCT ev.kind) AS kinds
                FROM event_participants p1 JOIN events ev ON ev.id = p1.event_id
                JOIN articles a ON a.id = ev.article_id
                JOIN event_participants p2 ON p2.event_id = ev.id AND p2.entity_id != p1.entity_id
                JOIN entities e2 ON e2.id = p2.entity_id
                {_and(ew + ["p1.entity_id = ?"])}
                GROUP BY e2.id ORDER BY events DESC, last DESC LIMIT ?
            """, ep + [eid, limit])
            topic_arts = "SELECT article_id FROM mentions WHERE entity_id = ?"
            topic_params = [eid]
        aw, ap = _article_where(f.without_topics())
        out["topics"] = _df(conn, f"""
            WITH arts AS (SELECT a.id FROM articles a {_and(aw + [f'a.id IN ({topic_arts})'])})
            SELECT t.id AS topic_id, t.label, COUNT(*) AS articles,
                   1.0 * COUNT(*) / (SELECT COUNT(*) FROM arts) AS share
            FROM arts JOIN article_topics at ON at.article_id = arts.id JOIN topics t ON t.id = at.topic_id
            GROUP BY t.id ORDER BY articles DESC
        """, ap + topic_params)
        if is_country:
            speaker = ("ev.id IN (SELECT p.event_id FROM event_participants p JOIN entities e"
                       " ON e.id = p.entity_id WHERE p.role = 'speaker' AND e.country = ?)")
            qparam: Any = code
        else:
            speaker = part.format(role=" AND role = 'speaker'")
            qparam = eid
        out["quotes"] = ev_df(["(ev.kind IN ('statement', 'quote') OR ev.quote IS NOT NULL)", speaker], [qparam])
    return out


def country_rows(events_df: pd.DataFrame) -> pd.DataFrame:
    """One row per (event, country involved) from :func:`events` output, with the country in
    ``country_involved`` (visitor, destination, place or a participant's country)."""
    rows = []
    for r in events_df.to_dict("records"):
        codes = {_s(r.get("visitor_country")), _s(r.get("destination_country")), _s(r.get("country"))}
        codes |= set(_s(r.get("participant_countries")).split(","))
        for code in sorted(c for c in codes if c):
            rows.append({**r, "country_involved": code})
    return pd.DataFrame(rows, columns=[*events_df.columns, "country_involved"])


def entity_id(path: str | Path, key: str) -> int | None:
    """The id of the entity with this stable key (``person:mohammad-sadiq``, ``country:PAK``)."""
    with _ro(path) as conn:
        row = conn.execute("SELECT id FROM entities WHERE key = ?", [key]).fetchone()
    return int(row[0]) if row else None
