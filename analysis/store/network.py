"""The officials-countries network's SQL, and its unfiltered aggregate kept at write time.

The Network page's graph (:mod:`analysis.views.network.graph`) is three kinds of edge counted
over the events a filter keeps: ``meeting`` between two participants of any relation but a
visit, ``visit`` from a visitor country to its host country, ``affiliation`` from a person to
their country. The statements here compute them for any extra conditions on the events
(``e`` is the events alias); the views add the filters' conditions.

Without a filter the answer is kept: :func:`refresh` writes every edge (``network_edges``) and
every entity node (``network_nodes``) and records the data version it was computed at in
``meta.network_version``. It runs when an ingest or re-extraction run ends, after a correction,
after a benchmark store is built and on migration 10; a reader uses the kept rows only when
``network_version`` equals the store's data version, else it counts again, so a write that did
not refresh (or one still under way) is never shown stale. The default view then reads a few
hundred rows instead of joining every event's participants.
"""
from __future__ import annotations

from typing import Any

import sqlite_utils

from analysis import model


def _q(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


_RELATIONS = f"e.kind IN ({', '.join(_q(k) for k in model.relation_kinds())})"
_NOT_CANCELLED = f"COALESCE(e.status, '') != {_q(model.CANCELLED)}"


def kept_events(conditions: list[str]) -> str:
    """SELECT (id, kind, article_id, reports, articles, d, vc, dc, ec) of the relations that are
    not cancelled and meet ``conditions`` (SQL on alias ``e``); the day is ``events.day``, the
    host ``COALESCE(destination_country, country)``, as :mod:`analysis.views.filters` defines them."""
    return f"""SELECT e.id, e.kind, e.article_id, e.reports, e.articles, e.day AS d,
                      e.visitor_country AS vc, COALESCE(e.destination_country, e.country) AS dc, e.country AS ec
               FROM events e WHERE {" AND ".join([_RELATIONS, _NOT_CANCELLED, *conditions])}"""


#: The kept events' participants as graph nodes ("c:PAK" for a country, "e:42" for any other).
PARTICIPANTS = f"""
    SELECT DISTINCT p.event_id, ev.kind AS ekind, ev.d, ev.article_id, ev.reports, ev.articles,
           n.id AS entity_id, n.key AS entity_key,
           n.name, n.kind, n.country,
           CASE WHEN n.kind = {_q(model.COUNTRY)} AND n.country IS NOT NULL THEN 'c:' || n.country
                ELSE 'e:' || n.id END AS node
    FROM net_ev ev JOIN event_participants p ON p.event_id = ev.id
    JOIN entities n ON n.id = p.entity_id"""

#: Edges, each with (u, v, weight, reports, articles, first, last, latest), read from the
#: temporary tables ``net_ev`` (:func:`kept_events`) and ``net_part`` (:data:`PARTICIPANTS`).
MEETINGS = f"""
SELECT p1.node AS u, p2.node AS v, COUNT(DISTINCT p1.event_id) AS weight,
       SUM(p1.reports) AS reports, SUM(p1.articles) AS articles,
       MIN(p1.d) AS first, MAX(p1.d) AS last,
       MAX(COALESCE(p1.d, '') || '|' || printf('%012d', p1.event_id)) AS latest
FROM net_part p1 JOIN net_part p2 ON p2.event_id = p1.event_id AND p2.node > p1.node
WHERE p1.ekind != {_q(model.VISIT)}
GROUP BY p1.node, p2.node
"""

VISITS = f"""
SELECT 'c:' || vc AS u, 'c:' || dc AS v, COUNT(*) AS weight,
       SUM(reports) AS reports, SUM(articles) AS articles,
       MIN(d) AS first, MAX(d) AS last, MAX(COALESCE(d, '') || '|' || printf('%012d', id)) AS latest
FROM net_ev
WHERE kind = {_q(model.VISIT)} AND vc IS NOT NULL AND dc IS NOT NULL AND vc != dc
GROUP BY vc, dc
"""

# Person (or organisation) -> its country, weighted by the person's events in the window.
AFFILIATION = f"""
SELECT node AS u, 'c:' || country AS v, COUNT(DISTINCT event_id) AS weight,
       SUM(reports) AS reports, SUM(articles) AS articles,
       MIN(d) AS first, MAX(d) AS last,
       MAX(COALESCE(d, '') || '|' || printf('%012d', event_id)) AS latest
FROM net_part
WHERE kind != {_q(model.COUNTRY)} AND country IS NOT NULL
GROUP BY node, country
"""

#: Edge kind -> its statement.
EDGES = {model.MEETING: MEETINGS, model.VISIT: VISITS, "affiliation": AFFILIATION}

#: Node attributes for every entity node that takes part in a kept event.
ENTITY_NODES = """
SELECT DISTINCT node, entity_id, entity_key, name, kind, country FROM net_part
"""

#: The temporary tables (created in memory, dropped with the connection or by :func:`refresh`).
TEMP_TABLES = ("net_ev", "net_part")
TEMP_INDEX = ("net_part_event", "net_part(event_id, node)")

_EDGE_COLS = ("u", "v", "weight", "reports", "articles", "first", "last", "latest")
_NODE_COLS = ("node", "entity_id", "entity_key", "name", "kind", "country")


def refresh(db: sqlite_utils.Database) -> None:
    """Recount the unfiltered network into ``network_edges`` and ``network_nodes`` and mark it
    as of the current data version (call inside the write transaction, after the version bump)."""
    from .db import data_version

    db.execute("PRAGMA temp_store = MEMORY")
    for name in reversed(TEMP_TABLES):
        db.execute(f"DROP TABLE IF EXISTS temp.{name}")
    try:
        db.execute(f"CREATE TEMP TABLE net_ev AS {kept_events([])}")
        db.execute(f"CREATE TEMP TABLE net_part AS {PARTICIPANTS}")
        db.execute(f"CREATE INDEX temp.{TEMP_INDEX[0]} ON {TEMP_INDEX[1]}")
        db.execute("DELETE FROM network_edges")
        db.execute("DELETE FROM network_nodes")
        cols = ", ".join(_EDGE_COLS)
        for kind, sql in EDGES.items():
            db.execute(f"INSERT INTO network_edges (kind, {cols}) SELECT {_q(kind)}, {cols} FROM ({sql})")
        db.execute(f"INSERT INTO network_nodes ({', '.join(_NODE_COLS)}) {ENTITY_NODES}")
    finally:
        for name in reversed(TEMP_TABLES):
            db.execute(f"DROP TABLE IF EXISTS temp.{name}")
    db.execute("INSERT INTO meta (key, value) VALUES ('network_version', ?)"
               " ON CONFLICT(key) DO UPDATE SET value = excluded.value", [str(data_version(db))])


def kept(session: Any) -> bool:
    """Whether the kept network is that of the store as it is now (a read session)."""
    row = session.one("SELECT (SELECT value FROM meta WHERE key = 'network_version'),"
                      " (SELECT value FROM meta WHERE key = 'data_version')")
    return row is not None and row[0] is not None and row[0] == row[1]
