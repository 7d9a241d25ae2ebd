"""Read-only queries behind the dashboard pages.

Every function takes the store first, as a :class:`analysis.store.Reader` or a path, reads it
through one short read-only session (:meth:`analysis.store.Reader.session`), aggregates in SQL
and returns a pandas DataFrame or plain data; nothing here imports streamlit. Global filters
travel as a :class:`analysis.views.filters.Filters` value, which builds its own conditions; the
shared definitions (an event's day, host, place, "concerns a country", "took place") are in
:mod:`analysis.views.filters`, SQLite's own spellings in the reader's dialect.

Event tables say where a date comes from in ``date_from`` ("text" or "article"), so a stand-in
date is never taken for a fact. Text filters go through :func:`analysis.views.safe.fts_query`;
nothing typed reaches SQL unquoted.
"""
from __future__ import annotations

import functools
from dataclasses import replace
import json
import sqlite3
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Union

import pandas as pd

from analysis import model, store
from analysis.store import Reader, as_reader
from analysis.views import safe
from analysis.views.filters import (ARTICLE_COUNTRIES, NO_FILTERS, Filters, and_where, articles_concerning,
                                    event_day, event_place, host_country, marks, participates, quoted,
                                    took_place)

#: Default cap on rows returned to a page table.
ROW_LIMIT = 500
#: Rows of each list a profile shows (the newest; the counts are of every row).
PROFILE_ROWS = 100
#: Above this many statements by a country's people, its profile finds their newest by walking
#: the events in date order (see :func:`profile`).
WALK_SPEAKERS = 1000
#: Full-text matches up to which results are ranked best first (beyond: newest first).
RANKED_MATCHES = 20_000

#: A store to read: a :class:`~analysis.store.Reader`, or a path (the configured store if None).
Source = Union[Reader, str, Path, None]

_DAY = event_day()
_HOST = host_country()
_PLACE = event_place()
_VISIT = quoted(model.VISIT)
_MEETING = quoted(model.MEETING)
_RELATIONS = tuple(model.relation_kinds())


def _newest_events(f: Filters, cond: list[str], cparams: list[Any], limit: int) -> tuple[str, list[Any]]:
    """SQL (columns ``id, d``) for the ``limit`` newest events meeting ``cond`` and the date
    filters: events with a day newest first through the ``events(day)`` indexes, then (with no
    date filter) those without one, newest stored first. Each side stops after ``limit`` rows,
    so the cost grows with the page, not with the store."""
    w1, p1 = ["ev.day IS NOT NULL", *cond], list(cparams)
    if f.start:
        w1.append("ev.day || '-31' >= ?")  # month-only dates: see Filters.event_conditions
        p1.append(f.start)
    if f.end:
        w1.append("ev.day <= ?")
        p1.append(f.end[:10])
    sql = f"""
        SELECT id, d FROM (SELECT ev.id, ev.day AS d FROM events ev {and_where(w1)}
                           ORDER BY ev.day DESC, ev.id DESC LIMIT ?)"""
    params = p1 + [limit]
    if not f.dated:  # a day-less event is in no window
        sql += f"""
        UNION ALL
        SELECT id, d FROM (SELECT ev.id, NULL AS d FROM events ev {and_where(["ev.day IS NULL", *cond])}
                           ORDER BY ev.id DESC LIMIT ?)"""
        params += list(cparams) + [limit]
    return sql, params


def _listed_events(f: Filters, kinds: Sequence[str] | None,
                   entity_key: str | None = None) -> tuple[list[str], list[Any]]:
    """Conditions for an event list: the filters (their window is applied by
    :func:`_newest_events`), the kinds, and the entity taking part."""
    where, params = f.event_conditions(dates=False)
    if kinds:
        where.append(f"ev.kind IN ({marks(kinds)})")
        params += list(kinds)
    if entity_key:
        where.append(participates(1))
        params.append(entity_key)
    return where, params


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


# Cache key and options ------------------------------------------------------------------------

def cache_token(source: Source) -> tuple[int, ...]:
    """What the dashboard's caches are keyed on (:meth:`analysis.store.Reader.cache_token`)."""
    return as_reader(source).cache_token()


def filter_options(source: Source, people_limit: int = 300) -> dict[str, Any]:
    """Choices for the global filters: date range, countries, people and topics, each with a
    display name, most frequent first."""
    with as_reader(source).session() as conn:
        lo, hi = conn.execute(
            "SELECT MIN(substr(published, 1, 10)), MAX(substr(published, 1, 10)) FROM articles"
            " WHERE published IS NOT NULL AND published != ''"
        ).fetchone()
        countries = conn.df("""
            WITH codes AS (
                SELECT country AS code FROM entities WHERE country IS NOT NULL
                UNION ALL SELECT visitor_country FROM events WHERE visitor_country IS NOT NULL
                UNION ALL SELECT destination_country FROM events WHERE destination_country IS NOT NULL
            )
            SELECT code, COUNT(*) AS n,
                   COALESCE((SELECT name FROM entities WHERE key = 'country:' || code), code) AS name
            FROM codes GROUP BY code ORDER BY n DESC, code
        """)
        people = conn.df("""
            SELECT e.key, e.name, e.country, e.n_events AS events FROM entities e
            WHERE e.kind = 'person' ORDER BY e.n_events DESC, e.name LIMIT ?
        """, [people_limit])
        topics = conn.df("""
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

#: How many distinct outlets the articles have (NULL counted as one, as DISTINCT does), one
#: step through ``articles(outlet)`` per outlet.
_DISTINCT_OUTLETS = """
    WITH RECURSIVE o(x) AS (
        SELECT (SELECT MIN(outlet) FROM articles)
        UNION ALL SELECT (SELECT MIN(outlet) FROM articles WHERE outlet > o.x) FROM o WHERE o.x IS NOT NULL)
    SELECT COUNT(x) + EXISTS(SELECT 1 FROM articles WHERE outlet IS NULL) FROM o"""


def summary(source: Source, f: Filters = NO_FILTERS) -> dict[str, Any]:
    """Corpus size and date range under the filters, and store-wide counts."""
    aw, ap = f.article_conditions()
    ew, ep = f.event_conditions()
    with as_reader(source).session() as conn:
        if aw:
            n, lo, hi = conn.execute(
                "SELECT COUNT(*), MIN(substr(a.published, 1, 10)), MAX(substr(a.published, 1, 10))"
                f" FROM articles a{and_where(aw)}", ap
            ).fetchone()
        else:  # the first and last day straight from the publication-date index
            n, lo, hi = conn.execute(
                "SELECT (SELECT COUNT(*) FROM articles),"
                " (SELECT substr(MIN(published), 1, 10) FROM articles WHERE published > ''),"
                " (SELECT substr(MAX(published), 1, 10) FROM articles WHERE published > '')").fetchone()
        if aw:
            outlets = conn.execute(
                f"SELECT COUNT(*) FROM (SELECT DISTINCT a.outlet FROM articles a{and_where(aw)})", ap
            ).fetchone()[0]
        else:  # a hop through the outlet index per outlet, not a walk of every article
            outlets = conn.execute(_DISTINCT_OUTLETS).fetchone()[0]
        if ew:
            kinds = dict(conn.execute(
                f"SELECT ev.kind, COUNT(*) FROM events ev{and_where(ew)} GROUP BY ev.kind", ep
            ).fetchall())
        else:  # the counts kept by triggers (schema 9)
            kinds = {name.split(":", 1)[1]: n for name, n in conn.execute(
                "SELECT name, n FROM table_counts WHERE name LIKE 'events:%' AND n > 0").fetchall()}
        st = dict(zip(("duplicates", "entities", "people", "errors"), conn.execute(
            "SELECT (SELECT COUNT(*) FROM article_copies), (SELECT COUNT(*) FROM entities),"
            f" (SELECT COUNT(*) FROM entities WHERE kind = {quoted(model.PERSON)}),"
            " (SELECT COUNT(*) FROM ingest_errors)").fetchone()))
        st["articles"] = int(n) if not aw else conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        undated = conn.execute(  # kept by triggers (schema 10)
            "SELECT COALESCE((SELECT n FROM table_counts WHERE name = 'articles:undated'), 0)").fetchone()[0]
    return {
        "articles": int(n), "first": lo, "last": hi, "outlets": int(outlets), "undated": int(undated),
        "visits": int(kinds.get(model.VISIT, 0)), "meetings": int(kinds.get(model.MEETING, 0)),
        "events": int(sum(kinds.values())), "events_by_kind": kinds,
        "total_articles": st["articles"], "duplicates": st["duplicates"],
        "entities": st["entities"], "people": st["people"], "errors": st["errors"],
    }


def events(source: Source, f: Filters = NO_FILTERS, kinds: Sequence[str] | None = _RELATIONS,
           *, entity_key: str | None = None, pair: tuple[str, str] | None = None,
           limit: int = ROW_LIMIT, offset: int = 0) -> pd.DataFrame:
    """Events (newest first) with their participants, evidence sentence and article.

    :param kinds: event kinds to keep (``None`` for all).
    :param entity_key: keep events this entity takes part in.
    :param pair: two country codes; keep events between them, in either direction.
    :param limit: at most this many events, after skipping the ``offset`` newest (a page of a
        long list: the cost grows with ``offset + limit``, not with the store).
    :returns: columns ``id, date, kind, status, cameo, visitor_country, destination_country,
        place, country, participants, participant_countries, evidence, quote, article_id, title,
        url, outlet, published``.
    """
    r = as_reader(source)
    if pair:
        f = replace(f, pair=tuple(pair))
    where, params = _listed_events(f, kinds, entity_key)
    offset = max(0, int(offset))
    newest, nparams = _newest_events(f, where, params, limit + offset)
    sql = f"""
        WITH sel0 AS ({newest}),
        sel AS (SELECT id, d FROM sel0 ORDER BY d IS NULL, d DESC, id DESC LIMIT ? OFFSET ?)
        SELECT ev.id, ev.key, sel.d AS date,
               CASE WHEN ev.date IS NOT NULL THEN 'text' WHEN ev.background THEN 'not given'
                    ELSE 'article' END AS date_from,
               ev.kind, ev.status, ev.cameo,
               ev.visitor_country, ev.destination_country,
               {_PLACE} AS place, ev.country,
               (SELECT group_concat(e.name || ' (' || p.role || ')', '; ')
                  FROM event_participants p JOIN entities e ON e.id = p.entity_id
                  WHERE p.event_id = ev.id) AS participants,
               (SELECT group_concat(DISTINCT e.country)
                  FROM event_participants p JOIN entities e ON e.id = p.entity_id
                  WHERE p.event_id = ev.id AND e.country IS NOT NULL) AS participant_countries,
               ev.evidence, ev.quote, ev.article_id, a.title, a.url, a.outlet,
               substr(a.published, 1, 10) AS published,
               ev.reports, ev.articles, ev.outlets, substr(ev.first_reported, 1, 10) AS first_reported,
               ev.curated, a.metadata
        FROM sel CROSS JOIN events ev ON ev.id = sel.id CROSS JOIN articles a ON a.id = ev.article_id
        ORDER BY sel.d IS NULL, sel.d DESC, ev.id DESC
    """
    with r.session() as conn:
        df = conn.df(sql, nparams + [limit, offset])
    cols = [df[c].tolist() for c in ("kind", "visitor_country", "destination_country", "country",
                                     "participant_countries")]
    df["pair"] = [_pair_label(*row) for row in zip(*cols)]
    df["sources"] = [", ".join(article_sources(m)) for m in df.pop("metadata").tolist()]
    df["curated"] = [curation_mark(v) for v in df["curated"].tolist()]
    return df


def count_events(source: Source, f: Filters = NO_FILTERS, kinds: Sequence[str] | None = _RELATIONS) -> int:
    """How many events :func:`events` would list with no limit (for "the newest 500 of N")."""
    where, params = f.event_conditions()
    if kinds:
        where.append(f"ev.kind IN ({marks(kinds)})")
        params += list(kinds)
    with as_reader(source).session() as conn:
        return int(conn.execute(f"SELECT COUNT(*) FROM events ev{and_where(where)}", params).fetchone()[0])


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of ``df`` as dicts of plain Python values, as ``df.to_dict("records")`` gives
    them (None for a missing string, NaN for a missing number) at a third of its cost on
    Arrow-backed string columns: a column's ``tolist`` is one conversion, not one a cell."""
    cols = [str(c) for c in df.columns]
    return [dict(zip(cols, row)) for row in zip(*(df[c].tolist() for c in df.columns))] if cols else \
        [{} for _ in range(len(df))]


def article_sources(metadata: Any) -> list[str]:
    """The fact sources an article's metadata lists (our sample articles' ``sources`` front
    matter: URLs separated by ``;``), else ``[]``."""
    if isinstance(metadata, str):
        return list(_sources_of(metadata))
    return list(_sources_of_value(metadata))


@functools.lru_cache(maxsize=4096)
def _sources_of(metadata: str) -> tuple[str, ...]:
    return tuple(_sources_of_value(metadata))


def _sources_of_value(metadata: Any) -> list[str]:
    try:
        meta = json.loads(metadata) if isinstance(metadata, str) else (metadata or {})
    except ValueError:
        return []
    value = meta.get("sources") if isinstance(meta, dict) else None
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [s.strip() for s in str(value or "").split(";") if s.strip()]


def entity_curation_mark(value: Any) -> str:
    """What corrections changed on an entity (its ``curated`` JSON), for its profile:
    "merged with person:arkadag; country set by an analyst (was none)"; "" when nothing."""
    try:
        cur = json.loads(value) if isinstance(value, str) else {}
    except ValueError:
        return ""
    if not isinstance(cur, dict):
        return ""
    parts = []
    if cur.get("merged"):
        parts.append("merged with " + ", ".join(cur["merged"]))
    if isinstance(cur.get("country"), dict):
        parts.append(f"country set by an analyst (was {cur['country'].get('from') or 'none'})")
    if cur.get("split_from"):
        parts.append(f"split off from {cur['split_from']}")
    return "; ".join(parts)


def curation_mark(value: Any) -> str:
    """How a list shows an event an analyst corrected: "corrected: date (was 2025-04-18)",
    "merged with 1 other event(s)", "confirmed"; "" for an event as extracted."""
    try:
        cur = json.loads(value) if isinstance(value, str) else (value or {})
    except ValueError:
        return ""
    if not isinstance(cur, dict) or not cur:
        return ""
    parts = []
    original = cur.get("original") or {}
    if original:
        parts.append("corrected: " + ", ".join(f"{k} (was {v if isinstance(v, str) and v else 'none'})"
                                                for k, v in original.items()))
    if cur.get("merged"):
        parts.append(f"merged with {len(cur['merged'])} other event(s)")
    if cur.get("moved_out"):
        parts.append(f"{len(cur['moved_out'])} report(s) moved out to an event of their own")
    if cur.get("moved_from"):
        parts.append(f"split off from {cur['moved_from']}")
    if cur.get("confirmed"):
        c = cur["confirmed"]
        parts.append(f"confirmed by {c.get('by')}" if isinstance(c, dict) and c.get("by") else "confirmed")
    return "; ".join(parts)


def _s(v: Any) -> str:
    return v if isinstance(v, str) else ""


def _pair_label(kind: Any, visitor: Any, dest: Any, country: Any, participant_countries: Any) -> str:
    visitor, dest, country = _s(visitor), _s(dest), _s(country)
    if kind == model.VISIT and (visitor or dest):
        return f"{visitor or '?'} → {dest or country or '?'}"
    codes = sorted(set(filter(None, _s(participant_countries).split(","))) |
                   ({country} if country else set()))
    return " – ".join(codes) if codes else "?"


def who(participants: Any) -> tuple[str, list[str]]:
    """"Ishaq Dar (visitor); Wang Yi (host)" -> ("Ishaq Dar, hosted by Wang Yi", [names])."""
    by_role: dict[str, list[str]] = defaultdict(list)
    names: list[str] = []
    for part in _s(participants).split("; "):
        if not part:
            continue
        name, _, role = part.rpartition(" (")
        name, role = (name or part), role.rstrip(")")
        if name not in names:
            names.append(name)
            by_role[role].append(name)
    visitors, hosts = by_role.pop(model.VISITOR, []), by_role.pop(model.HOST, [])
    rest = [n for n in names if n not in visitors and n not in hosts]
    text = ", ".join(visitors + rest)
    if hosts:
        text = f"{text}, hosted by {', '.join(hosts)}" if text else f"hosted by {', '.join(hosts)}"
    return text, names


def event_reports(source: Source, event_id: int) -> pd.DataFrame:
    """Every report behind one event, oldest article first: the sentence, the date and status
    that report gives (and the words that decided the status), its article and outlet.

    :returns: columns ``report_id, date, status, status_words, background, kind, evidence,
        participants, article_id, title, outlet, url, published``.
    """
    with as_reader(source).session() as conn:
        return conn.df("""
            SELECT rp.id AS report_id, rp.date, rp.status, rp.status_words, rp.background, rp.kind,
                   rp.evidence,
                   (SELECT group_concat(e.name || ' (' || p.role || ')', '; ')
                      FROM report_participants p JOIN entities e ON e.id = p.entity_id
                      WHERE p.report_id = rp.id) AS participants,
                   rp.article_id, a.title, a.outlet, a.url, substr(a.published, 1, 10) AS published
            FROM reports rp JOIN articles a ON a.id = rp.article_id
            WHERE rp.event_id = ? ORDER BY a.published, rp.article_id, rp.sentence_index, rp.id
        """, [int(event_id)])


#: The columns of :func:`export_events`, in order.
EXPORT_COLUMNS = ["key", "kind", "cameo", "date", "status", "visitor", "visitor_country",
                  "destination_country", "place", "country", "people", "reports", "outlets",
                  "first_reported", "articles", "sources", "evidence", "curated"]


def export_events(source: Source, f: Filters = NO_FILTERS, kinds: Sequence[str] | None = None,
                  limit: int | None = None, offset: int = 0) -> pd.DataFrame:
    """One row per event under the filters, newest first, for ``python -m analysis export
    events`` and the Visits page's download: :data:`EXPORT_COLUMNS`. ``date`` is the event's own
    date (``YYYY-MM-DD``, ``YYYY-MM``, ``YYYY``) or empty; ``people`` every participant's name;
    ``outlets`` the outlets that reported it; ``articles`` its articles as ``id url`` pairs."""
    r = as_reader(source)
    if limit:  # the newest first, found without computing every event's columns
        lw, lp = _listed_events(f, kinds)
        offset = max(0, int(offset))
        newest, nparams = _newest_events(f, lw, lp, int(limit) + offset)
        head = (f"WITH sel0 AS ({newest}), sel AS (SELECT id, d FROM sel0"
                " ORDER BY d IS NULL, d DESC, id DESC LIMIT ? OFFSET ?) ")
        source_rows = "sel CROSS JOIN events ev ON ev.id = sel.id"
        order = "sel.d IS NULL, sel.d DESC, ev.id DESC"
        params = nparams + [int(limit), offset]
        where: list[str] = []
    else:
        where, params = f.event_conditions()
        if kinds:
            where.append(f"ev.kind IN ({marks(kinds)})")
            params += list(kinds)
        head, source_rows = "", "events ev"
        order = f'{event_day("ev")} IS NULL, {event_day("ev")} DESC, ev.id DESC'
    sql = f"""{head}
        SELECT ev.id, ev.key, ev.kind, ev.cameo, ev.date, ev.status,
               (SELECT group_concat(e.name, '; ') FROM event_participants p JOIN entities e
                  ON e.id = p.entity_id WHERE p.event_id = ev.id AND p.role = {quoted(model.VISITOR)}) AS visitor,
               ev.visitor_country, ev.destination_country, {_PLACE} AS place, ev.country,
               (SELECT group_concat(DISTINCT e.name) FROM event_participants p JOIN entities e
                  ON e.id = p.entity_id WHERE p.event_id = ev.id) AS people,
               ev.reports,
               (SELECT group_concat(DISTINCT a.outlet) FROM reports rp JOIN articles a
                  ON a.id = rp.article_id WHERE rp.event_id = ev.id) AS outlets,
               substr(ev.first_reported, 1, 10) AS first_reported,
               (SELECT group_concat(DISTINCT a.id || CASE WHEN COALESCE(a.url, '') != '' THEN ' ' || a.url ELSE '' END) FROM reports rp
                  JOIN articles a ON a.id = rp.article_id WHERE rp.event_id = ev.id) AS articles,
               (SELECT a.metadata FROM articles a WHERE a.id = ev.article_id) AS metadata,
               ev.evidence, ev.curated
        FROM {source_rows} {and_where(where)}
        ORDER BY {order}
    """
    with r.session() as conn:
        df = conn.df(sql, params)
    for col in ("people", "outlets", "articles"):
        df[col] = [", ".join(sorted(str(v).split(","))) if isinstance(v, str) else "" for v in df[col]]
    df["sources"] = [" ; ".join(article_sources(m)) for m in df["metadata"]]
    df["curated"] = [curation_mark(v) for v in df["curated"]]
    return df[EXPORT_COLUMNS]


def event_people(source: Source, f: Filters = NO_FILTERS,
                 kinds: Sequence[str] | None = _RELATIONS, limit: int = 5000, offset: int = 0) -> pd.DataFrame:
    """One row per (event, person taking part) for the newest ``limit`` events after the
    ``offset`` newest (the events of one page of :func:`events`): for timelines by official."""
    r = as_reader(source)
    where, params = _listed_events(f, kinds)
    offset = max(0, int(offset))
    newest, nparams = _newest_events(f, where, params, limit + offset)
    sql = f"""
        WITH sel0 AS ({newest}),
        sel AS (SELECT id, d FROM sel0 ORDER BY d IS NULL, d DESC, id DESC LIMIT {int(limit)} OFFSET {offset})
        SELECT ev.id AS event_id, sel.d AS date, ev.kind, ev.status, e.key, e.name,
               e.country AS person_country, p.role, ev.visitor_country, ev.destination_country,
               {_PLACE} AS place, ev.evidence, ev.article_id,
               a.title, a.url, ev.reports, ev.outlets
        FROM sel CROSS JOIN events ev ON ev.id = sel.id CROSS JOIN articles a ON a.id = ev.article_id
        CROSS JOIN event_participants p ON p.event_id = ev.id
        CROSS JOIN entities e ON e.id = p.entity_id
        WHERE e.kind = 'person' ORDER BY sel.d DESC, ev.id DESC
    """
    with r.session() as conn:
        return conn.df(sql, nparams)


def latest_events(source: Source, f: Filters = NO_FILTERS, kinds: Sequence[str] = (model.VISIT,),
                  limit: int = 10) -> pd.DataFrame:
    """The newest events of the given kinds (for the Overview)."""
    return events(source, f, kinds, limit=limit)


def visit_gaps(source: Source, f: Filters = NO_FILTERS) -> pd.DataFrame:
    """Per directed country pair (visitor → destination): number of visits that took place,
    first and last date, days since the last one (to today) and the mean gap between visits.
    Planned and cancelled visits are left out."""
    r = as_reader(source)
    d = r.dialect
    where, params = f.event_conditions()
    where += [f"ev.kind = {_VISIT}", "ev.visitor_country IS NOT NULL",
              f"{_HOST} IS NOT NULL", took_place(), f"{_DAY} IS NOT NULL"]
    sql = f"""
        WITH v AS (
            SELECT ev.visitor_country AS visitor, {_HOST} AS host,
                   {_DAY} AS date
            FROM events ev JOIN articles a ON a.id = ev.article_id {and_where(where)}
            GROUP BY 1, 2, 3
        ), g AS (
            SELECT visitor, host, date,
                   {d.days_between("date", "LAG(date) OVER (PARTITION BY visitor, host ORDER BY date)")} AS gap
            FROM v
        )
        SELECT visitor, host, COUNT(*) AS visits, MIN(date) AS first, MAX(date) AS last,
               {d.days_since("MAX(date)")} AS days_since_last,
               ROUND(AVG(gap), 1) AS mean_gap_days
        FROM g GROUP BY visitor, host ORDER BY last DESC
    """
    with r.session() as conn:
        return conn.df(sql, params)


def pair_visits(source: Source, a_code: str, b_code: str, f: Filters = NO_FILTERS) -> pd.DataFrame:
    """Visits between two countries in both directions, oldest first, with the days elapsed
    since the previous visit between them (``gap_days``)."""
    r = as_reader(source)
    d = r.dialect
    where, params = f.event_conditions()
    where += [f"ev.kind = {_VISIT}", took_place(), f"{_DAY} IS NOT NULL",
              (f"((ev.visitor_country = ? AND {_HOST} = ?)"
               f" OR (ev.visitor_country = ? AND {_HOST} = ?))")]
    params += [a_code, b_code, b_code, a_code]
    sql = f"""
        WITH v AS (
            SELECT {_DAY} AS date, ev.visitor_country AS visitor,
                   {_HOST} AS host,
                   MIN(ev.id) AS event_id, MIN(ev.evidence) AS evidence, MIN(a.title) AS title,
                   MIN(a.url) AS url, SUM(ev.reports) AS reports, MIN(ev.key) AS key
            FROM events ev JOIN articles a ON a.id = ev.article_id {and_where(where)}
            GROUP BY 1, 2, 3
        )
        SELECT date, visitor, host,
               CAST({d.days_between("date", "LAG(date) OVER (ORDER BY date)")} AS INTEGER) AS gap_days,
               reports, evidence, title, url, event_id, key
        FROM v ORDER BY date
    """
    with r.session() as conn:
        return conn.df(sql, params)


def pair_summary(source: Source, a_code: str, b_code: str, f: Filters = NO_FILTERS) -> dict[str, Any]:
    """The answer to "when was the last visit between these two countries, who, and what
    about" (the Visits page's lead in the between-two-countries mode), under the filters.

    :returns: ``names`` (code -> country name), ``counts`` (events between them by kind),
        ``visits`` (visits that took place, by direction ``"PAK → AFG"``), ``last_visit`` and
        ``last_other`` (the newest dated visit that took place, and the newest dated event of
        another kind): each a dict with ``date, kind, status, direction, participants, place,
        evidence, title, url, outlet, key, article_id, topics`` (the article's topic labels),
        or None.
    """
    g = replace(f, pair=(a_code, b_code))
    evs = events(source, g, None, limit=ROW_LIMIT)
    with as_reader(source).session() as conn:
        names = {c: n for c, n in conn.execute(
            "SELECT country, name FROM entities WHERE kind = 'country' AND country IN (?, ?)",
            [a_code, b_code]).fetchall()}

        def topics_of(article_id: int) -> list[str]:
            return [t for (t,) in conn.execute(
                "SELECT t.label FROM article_topics x JOIN topics t ON t.id = x.topic_id"
                " WHERE x.article_id = ? ORDER BY x.score DESC, t.label", [int(article_id)])]

        def first(df: pd.DataFrame) -> dict[str, Any] | None:
            df = df[df["date"].notna()]
            if df.empty:
                return None
            r = {k: (None if not isinstance(v, (list, dict)) and pd.isna(v) else v)
                 for k, v in df.iloc[0].to_dict().items()}
            direction = (f"{r['visitor_country']} → {r['destination_country'] or r['country'] or '?'}"
                         if r["kind"] == model.VISIT else r["pair"])
            return {"date": r["date"], "kind": r["kind"], "status": r["status"], "direction": direction,
                    "participants": r["participants"], "who": who(r["participants"])[0], "place": r["place"], "evidence": r["evidence"],
                    "title": r["title"], "url": r["url"], "outlet": r["outlet"], "key": r["key"],
                    "article_id": int(r["article_id"]), "topics": topics_of(r["article_id"])}

        happened = evs["status"].fillna(model.default_status()) == model.OCCURRED
        visits = evs[(evs["kind"] == model.VISIT) & happened]
        out = {
            "names": names,
            "counts": evs["kind"].value_counts().to_dict(),
            "visits": visits["pair"].value_counts().to_dict(),
            "last_visit": first(visits),
            "last_other": first(evs[(evs["kind"] != model.VISIT) & happened]),
        }
    return out


def _rising_from_counts(r: Any, f: Filters, days: int, anchor: str | None = None) -> pd.DataFrame:
    """:func:`rising_topics` without a country or person filter, from the day counts."""
    cols = ["topic_id", "label", "recent", "recent_share", "prior", "prior_share", "change"]
    dw, dp = _day_window(f)
    with r.session() as conn:
        end = anchor or f.end or conn.execute(
            f"SELECT MAX(day) FROM article_days {and_where(dw + ['n > 0'])}", dp).fetchone()[0]
        if not end:
            return pd.DataFrame(columns=cols)
        end_d = date.fromisoformat(end[:10])
        mid = (end_d - timedelta(days=days)).isoformat()
        start = (end_d - timedelta(days=2 * days)).isoformat()
        stop = end_d.isoformat()
        win = ["day >= ?", "day <= ?"] + (["day >= ?"] if f.start else [])
        wp = [start, stop] + ([f.start[:10]] if f.start else [])
        r_tot, p_tot = conn.execute(
            f"SELECT COALESCE(SUM(CASE WHEN day >= ? THEN n END), 0), COALESCE(SUM(CASE WHEN day < ? THEN n END), 0)"
            f" FROM article_days {and_where(win)}", [mid, mid] + wp).fetchone()
        df = conn.df(f"""
            SELECT t.id AS topic_id, t.label,
                   SUM(CASE WHEN td.day >= ? THEN td.n ELSE 0 END) AS recent,
                   SUM(CASE WHEN td.day < ? THEN td.n ELSE 0 END) AS prior
            FROM topic_days td JOIN topics t ON t.id = td.topic_id {and_where([f"td.{w}" for w in win])}
            GROUP BY t.id HAVING SUM(td.n) > 0""", [mid, mid] + wp)
    df["recent_share"] = df["recent"] / max(int(r_tot), 1)
    df["prior_share"] = df["prior"] / max(int(p_tot), 1)
    df["change"] = df["recent_share"] - df["prior_share"]
    if f.topics:
        df = df[df["topic_id"].isin(f.topics)]
    return df[cols].sort_values(["change", "recent"], ascending=False).reset_index(drop=True)


def rising_window(source: Source, f: Filters = NO_FILTERS, days: int = 30, anchor: str | None = None) -> dict[str, Any]:
    """The two windows :func:`rising_topics` compares, in words for the page: the anchor (the
    last day of the recent window) and where it comes from (``chosen``, ``filter end`` or
    ``newest article``), the first and last day of each window and its number of articles."""
    g = f.without_topics()
    aw, ap = g.article_conditions()
    with as_reader(source).session() as conn:
        newest = conn.execute(  # without a filter, straight from the publication-date index
            f"SELECT MAX(substr(a.published, 1, 10)) FROM articles a{and_where(aw)}" if aw else
            "SELECT substr(MAX(published), 1, 10) FROM articles WHERE published > ''", ap).fetchone()[0]
        end = anchor or f.end or newest
        if not end:
            return {"anchor": None, "anchor_from": None, "newest": None}
        end_d = date.fromisoformat(end[:10])
        mid, start = end_d - timedelta(days=days), end_d - timedelta(days=2 * days)
        count = f"SELECT COUNT(*) FROM articles a{and_where(aw + ['a.published >= ?', 'a.published < ?'])}"
        recent = conn.execute(count, ap + [mid.isoformat(), (end_d + timedelta(days=1)).isoformat()]).fetchone()[0]
        prior = conn.execute(count, ap + [start.isoformat(), mid.isoformat()]).fetchone()[0]
    return {"anchor": end_d.isoformat(), "newest": newest,
            "anchor_from": "chosen" if anchor else ("filter end" if f.end else "newest article"),
            "recent_from": mid.isoformat(), "recent_to": end_d.isoformat(), "recent_articles": int(recent),
            "prior_from": start.isoformat(), "prior_to": (mid - timedelta(days=1)).isoformat(),
            "prior_articles": int(prior)}


def rising_topics(source: Source, f: Filters = NO_FILTERS, days: int = 30, *, anchor: str | None = None,
                  use_counts: bool = True) -> pd.DataFrame:
    """Topics whose share of articles grew most in the ``days`` days up to ``anchor`` against
    the ``days`` before. Without an anchor the window ends at the filter's end date, else at the
    newest article, so an old corpus still shows what was rising at its end
    (:func:`rising_window` says which). Without a country or person filter the day counts kept
    at write time answer (``use_counts=False``: the query over the articles)."""
    g = f.without_topics()
    if use_counts and not f.by_subject:
        return _rising_from_counts(as_reader(source), f, days, anchor)
    aw, ap = g.article_conditions()
    with as_reader(source).session() as conn:
        end = anchor or f.end or conn.execute(
            f"SELECT MAX(substr(a.published, 1, 10)) FROM articles a{and_where(aw)}", ap).fetchone()[0]
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
                FROM articles a {and_where(aw + ['a.published >= ?', 'a.published < ?'])}
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
        df = conn.df(sql, [mid] + ap + [start, stop])
    df["change"] = df["recent_share"] - df["prior_share"]
    if f.topics:
        df = df[df["topic_id"].isin(f.topics)]
    return df.sort_values(["change", "recent"], ascending=False).reset_index(drop=True)


def top_entities(source: Source, f: Filters = NO_FILTERS, kind: str = model.PERSON,
                 limit: int = 10) -> pd.DataFrame:
    """Most active entities of a kind under the filters, ranked by events taken part in (for
    countries: events involving the country code), then by mentions in (filtered) articles.
    Mentions, not distinct articles, are counted: that is an index-only count on a big store."""
    ew, ep = f.event_conditions()
    aw, ap = f.article_conditions()
    if kind == "country" and not ew:  # the counts kept by triggers (schema 9)
        ev_sql = """
            SELECT e.id AS entity_id, x.events FROM country_counts x
            JOIN entities e ON e.kind = 'country' AND e.country = x.code WHERE x.events > 0
        """
    elif kind == "country":
        ev_sql = f"""
            SELECT e.id AS entity_id, COUNT(DISTINCT ev.id) AS events
            FROM events ev
            JOIN entities e ON e.kind = 'country' AND e.country IN
                 (ev.visitor_country, ev.destination_country, ev.country)
            {and_where(ew)} GROUP BY e.id
        """
    elif not ew:  # no filter: the participants table alone answers
        ev_sql = """
            SELECT entity_id, COUNT(DISTINCT event_id) AS events FROM event_participants
            GROUP BY entity_id
        """
    else:
        ev_sql = f"""
            SELECT p.entity_id, COUNT(DISTINCT ev.id) AS events
            FROM events ev
            JOIN event_participants p ON p.event_id = ev.id {and_where(ew)} GROUP BY p.entity_id
        """
    if not ew and not aw and kind != "country":
        fast = _top_entities_from_counts(source, kind, limit)
        if fast is not None:
            return fast
    art_where = and_where(aw + ["m.entity_id = e.id"])
    # the mention rows of an entity are kept in entities.n_mentions (schema 8)
    mentions_sql = (f"(SELECT COUNT(*) FROM mentions m JOIN articles a ON a.id = m.article_id {art_where})"
                    if aw else "e.n_mentions")
    sql = f"""
        WITH evc AS ({ev_sql}),
        cand AS (
            SELECT e.id, e.key, e.name, e.country, e.n_mentions, COALESCE(evc.events, 0) AS events
            FROM entities e LEFT JOIN evc ON evc.entity_id = e.id
            WHERE e.kind = ? ORDER BY events DESC, e.name LIMIT ?
        )
        SELECT e.id, e.key, e.name, e.country, e.events,
               {mentions_sql} AS mentions
        FROM cand e ORDER BY e.events DESC, mentions DESC, e.name
    """
    with as_reader(source).session() as conn:
        df = conn.df(sql, ep + [kind, limit + 5] + ap)
    df = df[(df["events"] > 0) | (df["mentions"] > 0)]
    return df.sort_values(["events", "mentions", "name"], ascending=[False, False, True]).head(limit) \
        .reset_index(drop=True)


def undated_articles(source: Source, limit: int = ROW_LIMIT) -> pd.DataFrame:
    """Articles without a publication date (in no dated view), newest stored first: id, title,
    outlet, url, source (short), content_hash, when stored. ``curate set-date`` (or the Data
    page) gives them one."""
    with as_reader(source).session() as conn:
        # each half read newest first through the publication-date index, then merged
        df = conn.df("""
            SELECT id, title, outlet, url, source, content_hash, ingested_at FROM articles WHERE id IN (
                SELECT id FROM (SELECT id FROM articles WHERE published IS NULL ORDER BY id DESC LIMIT ?)
                UNION ALL SELECT id FROM (SELECT id FROM articles WHERE published = '' ORDER BY id DESC LIMIT ?))
            ORDER BY id DESC LIMIT ?""", [limit, limit, limit])
    df["source"] = [source_names([s]) if isinstance(s, str) else "" for s in df["source"]]
    return df


def _top_entities_from_counts(source: Source, kind: str, limit: int, pool: int | None = None) -> pd.DataFrame | None:
    """:func:`top_entities` without filters, from the counts the triggers keep: the ``pool``
    entities with most participation rows (then mentions) get their exact number of distinct
    events; None when an entity outside the pool could still belong in the answer (rows are
    one per event and role, never fewer than events)."""
    pool = pool or limit + 15
    with as_reader(source).session() as conn:
        df = conn.df("""
            WITH cand AS (SELECT id, key, name, country, n_events, n_mentions FROM entities
                          WHERE kind = ? ORDER BY n_events DESC, n_mentions DESC LIMIT ?)
            SELECT id, key, name, country, n_events,
                   (SELECT COUNT(DISTINCT event_id) FROM event_participants p WHERE p.entity_id = cand.id) AS events,
                   n_mentions AS mentions FROM cand""", [kind, pool])
    if df.empty:
        return df[["id", "key", "name", "country", "events", "mentions"]]
    last = (int(df["n_events"].iloc[-1]), int(df["mentions"].iloc[-1]))  # the pool's weakest, by rows
    df = df.sort_values(["events", "mentions", "name"], ascending=[False, False, True])
    kept = df[(df["events"] > 0) | (df["mentions"] > 0)].head(limit)
    # An entity outside the pool has at most ``last`` (events never exceed rows): the answer is
    # exact when the weakest one kept beats that, else the full count decides.
    if len(df) == pool and (len(kept) < limit or (int(kept["events"].iloc[-1]), int(kept["mentions"].iloc[-1])) <= last):
        return None
    return kept[["id", "key", "name", "country", "events", "mentions"]].reset_index(drop=True)


def ingest_runs(source: Source, limit: int = 20) -> pd.DataFrame:
    """The latest ingest runs, newest first."""
    with as_reader(source).session() as conn:
        return conn.df("SELECT id, started_at, finished_at, status, new, duplicates, errors, sources,"
                         " message FROM ingest_runs ORDER BY id DESC LIMIT ?", [limit])


def source_names(value: Any, limit: int = 6) -> str:
    """An ingest run's sources (stored as a JSON list of paths and URLs) as a short line for a
    page: file and folder names without their directories, URLs as they are (credentials were
    removed when stored), at most ``limit`` then "and N more"."""
    try:
        items = json.loads(value) if isinstance(value, str) else list(value or [])
    except (TypeError, ValueError):
        return str(value or "")
    if not isinstance(items, list):
        items = [items]
    names = []
    for x in (str(i) for i in items):
        if "://" in x or x in ("reextract", "paste", "upload") or "/" not in x and "\\" not in x:
            names.append(x)
        else:
            names.append(Path(x).name or x)
    more = len(names) - limit
    return ", ".join(names[:limit]) + (f" and {more} more" if more > 0 else "")


def timestamp_text(value: Any) -> str:
    """A stored timestamp (ISO 8601, UTC) in full and readable: ``2026-12-01 10:32:05 UTC``;
    empty for none; anything else as it is."""
    if not isinstance(value, str) or not value.strip():
        return ""
    v = value.strip()
    try:
        from datetime import datetime, timezone

        t = datetime.fromisoformat(v.replace("Z", "+00:00"))
    except ValueError:
        return v
    if t.tzinfo is not None:
        t = t.astimezone(timezone.utc)
    return t.strftime("%Y-%m-%d %H:%M:%S") + " UTC"


def last_ingest(source: Source) -> dict[str, Any] | None:
    """The newest ingest run as a dict (``None`` when there was none)."""
    df = ingest_runs(source, 1)
    return None if df.empty else {k: (None if pd.isna(v) else v) for k, v in df.iloc[0].items()}


def ingest_errors(source: Source, run_id: int | None = None, limit: int = ROW_LIMIT) -> pd.DataFrame:
    """Recorded ingest errors (newest first), optionally of one run."""
    where = " WHERE run_id = ?" if run_id is not None else ""
    params: list[Any] = [run_id] if run_id is not None else []
    with as_reader(source).session() as conn:
        return conn.df("SELECT id, last_seen, kind, source, item, message, occurrences, run_id"
                         f" FROM ingest_errors{where} ORDER BY last_seen DESC, id DESC LIMIT ?",
                   params + [limit])


def store_stats(source: Source) -> dict[str, int]:
    """Counts of the main tables (:meth:`analysis.store.Reader.stats`)."""
    return as_reader(source).stats()


# Topics ---------------------------------------------------------------------------------------

#: The end of a topic series query: every period (``tot``) crossed with every topic that occurs
#: (``tc``), zero where the topic is absent, so lines do not skip.
_SERIES_ROWS = """used AS (SELECT DISTINCT topic_id FROM tc)
        SELECT tot.period, used.topic_id, t.label, COALESCE(tc.n, 0) AS n, tot.total,
               1.0 * COALESCE(tc.n, 0) / tot.total AS share
        FROM tot CROSS JOIN used JOIN topics t ON t.id = used.topic_id
        LEFT JOIN tc ON tc.period = tot.period AND tc.topic_id = used.topic_id
        WHERE tot.period IS NOT NULL
        ORDER BY tot.period, used.topic_id
"""


def topic_series(source: Source, f: Filters = NO_FILTERS, freq: str = "month", *,
                 use_counts: bool = True) -> pd.DataFrame:
    """Topic frequency per period as a share of all (filtered) articles of the period.

    The topic filter chooses which topics are returned; it does not shrink the denominator.
    Periods with articles but no article of a topic get a zero row, so lines do not skip.
    Without a country or person filter the day counts kept at write time answer
    (``use_counts=False``: the query over the articles, as with those filters).

    :returns: columns ``period, topic_id, label, n, total, share``.
    """
    r = as_reader(source)
    d = r.dialect
    if use_counts and not f.by_subject:
        return _topic_series_from_counts(r, f, freq)
    g = f.without_topics()
    aw, ap = g.article_conditions()
    aw.append("a.published IS NOT NULL AND a.published != ''")
    per = d.period_start(freq, "a.published")
    tw = f" WHERE at.topic_id IN ({marks(f.topics)})" if f.topics else ""
    sql = f"""
        WITH arts AS (SELECT a.id, {per} AS period FROM articles a {and_where(aw)}),
        tot AS (SELECT period, COUNT(*) AS total FROM arts GROUP BY period),
        tc AS (
            SELECT arts.period, at.topic_id, COUNT(*) AS n
            FROM arts JOIN article_topics at ON at.article_id = arts.id {tw}
            GROUP BY arts.period, at.topic_id
        ),
        {_SERIES_ROWS}"""
    with r.session() as conn:
        return conn.df(sql, ap + list(f.topics))


def period_totals(source: Source, f: Filters = NO_FILTERS, freq: str = "month") -> pd.DataFrame:
    """Articles per period under the filters (topics aside), periods with articles only.
    Without a country or person filter the day counts kept at write time answer.

    :returns: columns ``period, total``."""
    r = as_reader(source)
    d = r.dialect
    g = f.without_topics()
    if not f.by_subject:
        dw, dp = _day_window(g)
        sql = (f"SELECT {d.period_start(freq, 'day')} AS period, SUM(n) AS total FROM article_days"
               f" {and_where(dw)} GROUP BY period HAVING SUM(n) > 0 ORDER BY period")
        params = dp
    else:
        aw, params = g.article_conditions()
        aw.append("a.published IS NOT NULL AND a.published != ''")
        sql = (f"SELECT {d.period_start(freq, 'a.published')} AS period, COUNT(*) AS total FROM articles a"
               f" {and_where(aw)} GROUP BY period ORDER BY period")
    with r.session() as conn:
        return conn.df(sql, params)


def article_day_range(source: Source, f: Filters = NO_FILTERS) -> tuple[str | None, str | None]:
    """The first and last publication day under the filters (topics aside); from the day
    counts' key without a country or person filter."""
    r = as_reader(source)
    g = f.without_topics()
    with r.session() as conn:
        if not f.by_subject:
            dw, dp = _day_window(g)
            w = and_where(dw + ["n > 0"])
            lo = conn.execute(f"SELECT MIN(day) FROM article_days {w}", dp).fetchone()[0]
            hi = conn.execute(f"SELECT MAX(day) FROM article_days {w}", dp).fetchone()[0]
        else:
            aw, ap = g.article_conditions()
            lo, hi = conn.execute("SELECT MIN(substr(a.published, 1, 10)), MAX(substr(a.published, 1, 10))"
                                  f" FROM articles a {and_where(aw + ['a.published > ' + quoted('')])}",
                                  ap).fetchone()
    return lo, hi


def _day_window(f: Filters) -> tuple[list[str], list[Any]]:
    where, params = [], []
    if f.start:
        where.append("day >= ?")
        params.append(f.start[:10])
    if f.end:
        where.append("day <= ?")
        params.append(f.end[:10])
    return where, params


def _topic_series_from_counts(r: Any, f: Filters, freq: str) -> pd.DataFrame:
    """:func:`topic_series` without a country or person filter, from the day counts kept at
    write time (``article_days``, ``topic_days``): it sums days, not articles."""
    d = r.dialect
    per = d.period_start(freq, "day")
    dw, dp = _day_window(f)
    tw = dw + ([f"topic_id IN ({marks(f.topics)})"] if f.topics else [])
    sql = f"""
        WITH tot AS (SELECT {per} AS period, SUM(n) AS total FROM article_days {and_where(dw)}
                     GROUP BY period HAVING SUM(n) > 0),
        tc AS (SELECT {per} AS period, topic_id, SUM(n) AS n FROM topic_days {and_where(tw)}
               GROUP BY period, topic_id HAVING SUM(n) > 0),
        {_SERIES_ROWS}"""
    with r.session() as conn:
        return conn.df(sql, dp + dp + list(f.topics))


def _country_topics_from_counts(r: Any, f: Filters, max_countries: int) -> pd.DataFrame:
    """:func:`country_topic_matrix` without a date, country or person filter, from the
    ``country_topics`` counts kept at write time."""
    tw = [f"ct.topic_id IN ({marks(f.topics)})"] if f.topics else []
    sql = f"""
        WITH cn AS (SELECT code, articles AS country_articles FROM country_counts WHERE articles > 0
                    ORDER BY country_articles DESC, code LIMIT ?)
        SELECT cn.code, COALESCE((SELECT name FROM entities WHERE key = 'country:' || cn.code), cn.code)
                 AS country,
               ct.topic_id, t.label, ct.n, cn.country_articles, 1.0 * ct.n / cn.country_articles AS share
        FROM cn JOIN country_topics ct ON ct.code = cn.code AND ct.n > 0
        JOIN topics t ON t.id = ct.topic_id {and_where(tw)}
        ORDER BY cn.country_articles DESC, cn.code, t.label
    """
    with r.session() as conn:
        return conn.df(sql, [max_countries] + list(f.topics))


def country_topic_matrix(source: Source, f: Filters = NO_FILTERS, max_countries: int = 20, *,
                         use_counts: bool = True) -> pd.DataFrame:
    """Articles per (country, topic) for the countries with most articles, with the share of
    the country's articles that carry the topic. A country's articles are those that concern
    it (:func:`analysis.views.filters.articles_concerning`). Without a date, country or person
    filter the counts kept at write time answer (``use_counts=False``: the article query).

    :returns: columns ``code, country, topic_id, label, n, country_articles, share``.
    """
    g = f.without_topics()
    if use_counts and not (f.dated or f.by_subject):
        return _country_topics_from_counts(as_reader(source), f, max_countries)
    aw, ap = g.article_conditions()
    tw = f" AND at.topic_id IN ({marks(f.topics)})" if f.topics else ""
    sql = f"""
        WITH ac AS (
            SELECT DISTINCT x.article_id, x.code FROM ({ARTICLE_COUNTRIES}) x
            JOIN articles a ON a.id = x.article_id {and_where(aw)}
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
    with as_reader(source).session() as conn:
        return conn.df(sql, ap + [max_countries] + list(f.topics))


def topic_articles(source: Source, f: Filters = NO_FILTERS, topic_id: str | None = None, *,
                   period: str | None = None, freq: str = "month", country: str | None = None,
                   limit: int = ROW_LIMIT) -> pd.DataFrame:
    """Articles behind one chart point or heatmap cell: a topic, optionally one period (as
    returned by :func:`topic_series`) and one country code."""
    r = as_reader(source)
    d = r.dialect
    aw, ap = (f.without_topics()).article_conditions()
    if topic_id:
        aw.append("a.id IN (SELECT article_id FROM article_topics WHERE topic_id = ?)")
        ap.append(topic_id)
    if period:
        aw.append(f"{d.period_start(freq, 'a.published')} = ?")
        ap.append(period[:10])
    if country:
        concerning, times = articles_concerning(1)
        aw.append(f"a.id IN ({concerning})")
        ap += [country] * times
    sql = f"""
        SELECT a.id, substr(a.published, 1, 10) AS published, a.title, a.outlet, a.url,
               (SELECT at.evidence FROM article_topics at WHERE at.article_id = a.id AND at.topic_id = ?)
                 AS topic_evidence
        FROM articles a {and_where(aw)} ORDER BY a.published DESC, a.id DESC LIMIT ?
    """
    with r.session() as conn:
        df = conn.df(sql, [topic_id] + ap + [limit])
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

def search_articles(source: Source, f: Filters = NO_FILTERS, text: str | None = None, *,
                    outlet: str | None = None, limit: int = 200) -> pd.DataFrame:
    """Articles matching the filters and, when ``text`` holds anything searchable, a full-text
    search over titles and bodies (best match first; otherwise newest first).

    ``text`` goes through :func:`analysis.views.safe.fts_query`, so any input is safe.

    :returns: columns ``id, published, title, outlet, url, snippet, events, topics``.
    """
    r = as_reader(source)
    d = r.dialect
    aw, ap = f.article_conditions()
    if outlet:
        aw.append("a.outlet = ?")
        ap.append(outlet)
    q = safe.fts_query(text)
    cols = """a.id, substr(a.published, 1, 10) AS published, a.title, a.outlet, a.url,
              (SELECT COUNT(DISTINCT x.event_id) FROM reports x WHERE x.article_id = a.id) AS events,
              (SELECT group_concat(topic_id, ', ') FROM article_topics x WHERE x.article_id = a.id)
                AS topics"""
    if q:
        fts = d.fts_table("articles")
        with r.session() as conn:
            matches = int(conn.execute(d.fts_count("articles"), [q]).fetchone()[0])
        # A word in most articles ("said") is not ranked: bm25 over every match costs as much
        # as the store is big. Those come newest stored first (``attrs["order"]`` says which).
        ranked = matches <= RANKED_MATCHES
        order = d.fts_rank("articles") if ranked else d.fts_newest("articles")
        sql = f"""
            WITH hits AS (
                SELECT {fts}.rowid AS id, {order} AS o FROM {fts} JOIN articles a ON a.id = {fts}.rowid
                {and_where([d.fts_match("articles")] + aw)} ORDER BY {order}{"" if ranked else " DESC"} LIMIT ?)
            SELECT {cols}, {d.fts_snippet("articles", 1)} AS snippet
            FROM hits CROSS JOIN {fts} ON {fts}.rowid = hits.id CROSS JOIN articles a ON a.id = hits.id
            WHERE {d.fts_match("articles")} ORDER BY hits.o{"" if ranked else " DESC"}
        """
        params = [q] + ap + [limit, q]
        with r.session() as conn:
            df = conn.df(sql, params)
        df.attrs["order"] = "best match" if ranked else "newest"
        df.attrs["matches"] = matches
        return df
    else:
        sql = f"""
            SELECT {cols}, substr(a.text, 1, 200) AS snippet
            FROM articles a {and_where(aw)} ORDER BY a.published DESC, a.id DESC LIMIT ?
        """
        params = ap + [limit]
    with r.session() as conn:
        return conn.df(sql, params)


#: Evidence sentences a search lists (the best matches).
EVIDENCE_ROWS = 100


def search_evidence(source: Source, f: Filters = NO_FILTERS, text: str | None = None,
                    limit: int = EVIDENCE_ROWS) -> pd.DataFrame:
    """Reports whose sentence matches ``text`` (safe FTS5), best match first, with the event
    each reports (``id``, ``key``) and the article it is in; the ``limit`` best.

    :returns: an empty frame when ``text`` holds nothing searchable.
    """
    r = as_reader(source)
    d = r.dialect
    q = safe.fts_query(text)
    cols = ["id", "key", "date", "kind", "status", "evidence", "article_id", "title", "url"]
    if not q:
        return pd.DataFrame(columns=cols)
    where, params = f.event_conditions()
    sql = f"""
        SELECT ev.id, ev.key, {_DAY} AS date, ev.kind, ev.status, rp.evidence, rp.article_id,
               ra.title, ra.url
        FROM {d.fts_table("reports")} JOIN reports rp ON rp.id = {d.fts_table("reports")}.rowid
        JOIN events ev ON ev.id = rp.event_id JOIN articles a ON a.id = ev.article_id
        JOIN articles ra ON ra.id = rp.article_id
        {and_where([d.fts_match("reports")] + where)} ORDER BY {d.fts_rank("reports")} LIMIT ?
    """
    with r.session() as conn:
        return conn.df(sql, [q] + params + [limit])


def article(source: Source, article_id: int) -> dict[str, Any] | None:
    """One article with everything extracted from it: mentions (with entity), entities, roles,
    events (with participants), topics (with the words that triggered them) and duplicates."""
    with as_reader(source).session() as conn:
        row = conn.execute(
            "SELECT id, title, url, outlet, author, published, text, word_count, source,"
            " extractor_version, extracted_at, metadata FROM articles WHERE id = ?", [int(article_id)]
        ).fetchone()
        if row is None:
            return None
        out: dict[str, Any] = dict(row)
        out["mentions"] = conn.df("""
            SELECT m.start, m."end", m.text, m.label, m.entity_id, e.key, e.name, e.kind, e.country
            FROM mentions m LEFT JOIN entities e ON e.id = m.entity_id
            WHERE m.article_id = ? ORDER BY m.start
        """, [article_id])
        out["entities"] = conn.df("""
            SELECT e.id, e.key, e.name, e.kind, e.country, COUNT(*) AS mentions
            FROM mentions m JOIN entities e ON e.id = m.entity_id
            WHERE m.article_id = ? GROUP BY e.id ORDER BY mentions DESC, e.name
        """, [article_id])
        out["roles"] = conn.df("""
            SELECT e.name, r.title, r.country, r.date, r.evidence
            FROM article_roles r JOIN entities e ON e.id = r.entity_id WHERE r.article_id = ?
        """, [article_id])
        out["events"] = conn.df(f"""
            SELECT ev.event_id AS id, x.key, ev.kind, ev.date, ev.status, ev.cameo, ev.visitor_country,
                   ev.destination_country, {_PLACE} AS place,
                   (SELECT group_concat(e.name || ' (' || p.role || ')', '; ')
                      FROM report_participants p JOIN entities e ON e.id = p.entity_id
                      WHERE p.report_id = ev.id) AS participants,
                   ev.evidence, x.reports, x.curated
            FROM reports ev LEFT JOIN events x ON x.id = ev.event_id
            WHERE ev.article_id = ? ORDER BY ev.start, ev.id
        """, [article_id])
        out["topics"] = conn.df("""
            SELECT t.id, t.label, at.score, at.evidence FROM article_topics at
            JOIN topics t ON t.id = at.topic_id WHERE at.article_id = ? ORDER BY at.score DESC
        """, [article_id])
        out["copies"] = conn.df("""
            SELECT reason, similarity, title, outlet, url, seen_at FROM article_copies
            WHERE article_id = ? ORDER BY seen_at
        """, [article_id])
    out["topics"]["evidence"] = [", ".join(_json_list(v)) for v in out["topics"]["evidence"]]
    out["sources"] = article_sources(out.pop("metadata"))
    out["events"]["curated"] = [curation_mark(v) if k == k and k is not None else "rejected"
                                for k, v in zip(out["events"]["key"], out["events"]["curated"])]
    return out


# Profiles -------------------------------------------------------------------------------------

def entities(source: Source, kinds: Sequence[str] | None = (model.PERSON, model.COUNTRY, model.ORGANIZATION),
             search: str | None = None, limit: int = ROW_LIMIT) -> pd.DataFrame:
    """Entities to choose a profile from, most mentioned first; ``search`` matches names and
    aliases (case-insensitive substring, as plain text)."""
    where, params = [], []
    if kinds:
        where.append(f"e.kind IN ({marks(kinds)})")
        params += list(kinds)
    if search and search.strip():
        s = safe.clean_control(search.strip())[:100].casefold()
        where.append("e.id IN (SELECT entity_id FROM entity_aliases WHERE instr(lower(alias), ?) > 0)")
        params.append(s)
    sql = f"""
        SELECT e.id, e.key, e.name, e.kind, e.country, e.n_mentions AS mentions, e.n_events AS events
        FROM entities e {and_where(where)} ORDER BY e.n_events DESC, e.n_mentions DESC, e.name LIMIT ?
    """
    with as_reader(source).session() as conn:
        return conn.df(sql, params + [limit])


def profile(source: Source, entity_id: int, f: Filters = NO_FILTERS, limit: int = PROFILE_ROWS, *,
            use_counts: bool = True) -> dict[str, Any] | None:
    """Everything known about one official, country or organisation, each with its sources.
    A country's topics without filters come from the counts kept at write time
    (``use_counts=False``: the query over its articles). Each event list and the role sentences
    hold the ``limit`` newest rows; ``counts`` says how many there are in all.

    :returns: ``None`` for an unknown id, else a dict with ``entity`` (dict), ``aliases`` (list),
        DataFrames ``roles`` (first/last seen), ``role_sources``, ``visits_made``,
        ``visits_hosted``, ``meetings``, ``counterparts``, ``topics`` and ``quotes``, and
        ``counts`` (``role_sources``, ``visits_made``, ``visits_hosted``, ``meetings``,
        ``quotes``: every row, not only those returned).
    """
    r = as_reader(source)
    with r.session() as conn:
        row = conn.execute("SELECT id, key, name, kind, country, curated FROM entities WHERE id = ?",
                           [int(entity_id)]).fetchone()
        if row is None:
            return None
        ent = dict(row)
        ent["curated"] = entity_curation_mark(ent.get("curated"))
        eid, code = ent["id"], ent["country"]
        is_country = ent["kind"] == "country" and bool(code)
        aliases = [r[0] for r in conn.execute(
            "SELECT alias FROM entity_aliases WHERE entity_id = ? AND alias != ? ORDER BY alias",
            [eid, ent["name"]])]
        out: dict[str, Any] = {"entity": ent, "aliases": aliases}
        out["roles"] = conn.df("""
            SELECT title, country, first_seen, last_seen, articles FROM roles
            WHERE entity_id = ? ORDER BY first_seen, title
        """, [eid])
        out["role_sources"] = conn.df("""
            SELECT r.title, r.country, substr(r.date, 1, 10) AS date, r.evidence, r.article_id,
                   a.title AS article, a.url
            FROM article_roles r JOIN articles a ON a.id = r.article_id
            WHERE r.entity_id = ? ORDER BY r.date DESC LIMIT ?
        """, [eid, limit])
        ew, ep = f.event_conditions()
        nw, npar = f.event_conditions(dates=False)
        part = "ev.id IN (SELECT event_id FROM event_participants WHERE entity_id = ?{role})"

        counts: dict[str, int] = {}
        out["counts"] = counts
        counts["role_sources"] = int(conn.execute("SELECT COUNT(*) FROM article_roles WHERE entity_id = ?",
                                                  [eid]).fetchone()[0])

        def ev_count(extra: list[str], extra_params: list[Any]) -> int:
            return int(conn.execute(f"SELECT COUNT(*) FROM events ev {and_where(ew + extra)}",
                                    ep + extra_params).fetchone()[0])

        def listed(name: str, extra: list[str], extra_params: list[Any], *,
                   total: tuple[str, list[Any]] | None = None) -> None:
            """``total``: a count of the same rows read from an index alone, used when no
            filter narrows the list."""
            out[name] = ev_df(extra, extra_params)
            if len(out[name]) < limit:
                counts[name] = len(out[name])
            elif total is not None and not ew:
                counts[name] = int(conn.execute(*total).fetchone()[0])
            else:
                counts[name] = ev_count(extra, extra_params)

        def ev_df(extra: list[str], extra_params: list[Any]) -> pd.DataFrame:
            newest, params = _newest_events(f, nw + extra, npar + extra_params, limit)
            sql = f"""
                WITH sel0 AS ({newest}),
                sel AS (SELECT id, d FROM sel0 ORDER BY d DESC, id DESC LIMIT ?)
                SELECT ev.id, sel.d AS date, ev.kind, ev.status, ev.visitor_country,
                       {_HOST} AS destination_country,
                       {_PLACE} AS place,
                       (SELECT group_concat(e.name || ' (' || p.role || ')', '; ')
                          FROM event_participants p JOIN entities e ON e.id = p.entity_id
                          WHERE p.event_id = ev.id) AS participants,
                       ev.evidence, ev.quote, ev.article_id, a.title, a.url
                FROM sel CROSS JOIN events ev ON ev.id = sel.id
                CROSS JOIN articles a ON a.id = ev.article_id
                ORDER BY sel.d DESC, ev.id DESC
            """
            return conn.df(sql, params + [limit])

        if is_country:
            listed("visits_made", [f"ev.kind = {_VISIT}", "ev.visitor_country = ?"], [code])
            listed("visits_hosted", [f"ev.kind = {_VISIT}", f"{_HOST} = ?"], [code])
            # the country's people's events from event_countries, kept by triggers (schema 10),
            # probed per meeting (EXISTS): the walk follows the meetings' (kind, day) index
            # and stops at the page, where an IN list would read every event of the country
            listed("meetings", [f"ev.kind = {_MEETING}",
                                "(ev.country = ? OR EXISTS (SELECT 1 FROM event_countries ec"
                                " WHERE ec.event_id = ev.id AND ec.code = ?))"],
                   [code, code])
        else:
            listed("visits_made", [f"ev.kind = {_VISIT}", part.format(role=f" AND role = {quoted(model.VISITOR)}")], [eid])
            listed("visits_hosted", [f"ev.kind = {_VISIT}", part.format(role=f" AND role = {quoted(model.HOST)}")], [eid])
            listed("meetings", [f"ev.kind = {_MEETING}", part.format(role="")], [eid])
        if is_country:
            out["counterparts"] = conn.df(f"""
                SELECT CASE WHEN ev.visitor_country = ? THEN {_HOST}
                            ELSE ev.visitor_country END AS counterpart,
                       'country' AS kind,
                       SUM(ev.visitor_country = ?) AS visits_made,
                       SUM(ev.visitor_country != ?) AS visits_hosted,
                       MAX({_DAY}) AS last
                FROM events ev JOIN articles a ON a.id = ev.article_id
                {and_where(ew + [f"ev.kind = {_VISIT}", f"(ev.visitor_country = ? OR {_HOST} = ?)",
                                 "ev.visitor_country IS NOT NULL", f"{_HOST} IS NOT NULL",
                                 f"ev.visitor_country != {_HOST}"])}
                GROUP BY counterpart ORDER BY visits_made + visits_hosted DESC, last DESC LIMIT ?
            """, [code, code, code] + ep + [code, code, limit])
            topic_arts, times = articles_concerning(1)
            topic_params: list[Any] = [code] * times
        else:
            out["counterparts"] = conn.df(f"""
                SELECT e2.name AS counterpart, e2.kind, e2.country, e2.key,
                       COUNT(DISTINCT ev.id) AS events, MAX({_DAY}) AS last,
                       group_concat(DISTINCT ev.kind) AS kinds
                FROM event_participants p1 JOIN events ev ON ev.id = p1.event_id
                JOIN articles a ON a.id = ev.article_id
                JOIN event_participants p2 ON p2.event_id = ev.id AND p2.entity_id != p1.entity_id
                JOIN entities e2 ON e2.id = p2.entity_id
                {and_where(ew + ["p1.entity_id = ?"])}
                GROUP BY e2.id ORDER BY events DESC, last DESC LIMIT ?
            """, ep + [eid, limit])
            topic_arts = "SELECT article_id FROM mentions WHERE entity_id = ?"
            topic_params = [eid]
        aw, ap = (f.without_topics()).article_conditions()
        if is_country and not aw and use_counts:  # the country x topic counts kept at write time
            out["topics"] = conn.df("""
                SELECT t.id AS topic_id, t.label, ct.n AS articles,
                       1.0 * ct.n / (SELECT articles FROM country_counts WHERE code = ?) AS share
                FROM country_topics ct JOIN topics t ON t.id = ct.topic_id
                WHERE ct.code = ? AND ct.n > 0 ORDER BY articles DESC, t.id
            """, [code, code])
        else:
            # without an article filter the entity's articles come from the index alone
            arts = (f"SELECT DISTINCT article_id AS id FROM ({topic_arts})" if not aw else
                    f"SELECT a.id FROM articles a {and_where(aw + [f'a.id IN ({topic_arts})'])}")
            out["topics"] = conn.df(f"""
                WITH arts AS MATERIALIZED ({arts})
                SELECT t.id AS topic_id, t.label, COUNT(*) AS articles,
                       1.0 * COUNT(*) / (SELECT COUNT(*) FROM arts) AS share
                FROM arts JOIN article_topics at ON at.article_id = arts.id JOIN topics t ON t.id = at.topic_id
                GROUP BY t.id ORDER BY articles DESC, t.id
            """, ap + topic_params)
        # Quotes: the events whose speaker is this person or one of this country's people (a
        # speaker is recorded only for a statement); counted from the participants' index.
        spoke = quoted(model.SPEAKER)
        if is_country:
            many = conn.execute("SELECT COUNT(*) FROM event_countries WHERE code = ? AND role = ?",
                                [code, model.SPEAKER]).fetchone()[0]
            # a common speaker: probe events in date order until the page is full; a rare one:
            # read its few events and sort them (each way reads about WALK_SPEAKERS rows at most)
            speaker = (f"EXISTS (SELECT 1 FROM event_countries ec WHERE ec.event_id = ev.id"
                       f" AND ec.code = ? AND ec.role = {spoke})" if many > WALK_SPEAKERS else
                       f"ev.id IN (SELECT event_id FROM event_countries WHERE code = ? AND role = {spoke})")
            total = (f"SELECT COUNT(*) FROM event_countries WHERE code = ? AND role = {spoke}", [code])
            qparams: list[Any] = [code]
        else:
            speaker = part.format(role=f" AND role = {spoke}")
            total = (f"SELECT COUNT(*) FROM event_participants WHERE entity_id = ? AND role = {spoke}", [eid])
            qparams = [eid]
        listed("quotes", [speaker], qparams, total=total)
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


def entity_id(source: Source, key: str) -> int | None:
    """The id of the entity with this stable key (``person:mohammad-sadiq``, ``country:PAK``)."""
    with as_reader(source).session() as conn:
        row = conn.execute("SELECT id FROM entities WHERE key = ?", [key]).fetchone()
    return int(row[0]) if row else None
