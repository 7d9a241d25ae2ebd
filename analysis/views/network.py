"""The officials–countries network: SQL aggregates → a networkx graph → safe, offline pyvis HTML.

Three kinds of edge, all counted in SQLite (one short read-only connection per call):

* ``affiliation`` person–country, from ``entities.country``; weight = the person's events;
* ``meeting`` person–person (or with a country/organisation that took part), from the
  participants of ``meeting`` events; weight = the pair's meetings;
* ``visit`` country–country, from a visit's ``visitor_country`` → ``destination_country``;
  weight = the visits between the pair (both directions; each direction is kept apart).

An "event" is counted once per distinct day for the same pair (for affiliations: once per kind,
day and set of participants), so the same meeting reported by five articles weighs 1
(``reports`` keeps the number of event rows). Cancelled events are left
out. Dates are the event's date, else the article's publication date.

Node keys are strings: ``"c:PAK"`` for a country (ISO 3166-1 alpha-3), ``"e:42"`` for any other
entity. The HTML renderer maps them to integers, so no stored text ever becomes a DOM id.

Rendering follows ``ENGINEERING.md``: pyvis 0.3.2 with integer ids, every label and tooltip
escaped with :func:`html_text`, no heading or menus, options written here, resources inlined, and
every remaining remote ``<script src>``/``<link href>`` stripped so the page works offline.
"""
from __future__ import annotations

import html
import io
import json
import math
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import networkx as nx
import pandas as pd

from analysis import store

#: Node kinds shown on the graph and their colours.
NODE_KINDS: dict[str, str] = {
    "person": "#4c78a8",
    "country": "#f58518",
    "organization": "#54a24b",
}
#: Edge kinds and their colours.
EDGE_KINDS: dict[str, str] = {
    "affiliation": "#bbbbbb",
    "meeting": "#4c78a8",
    "visit": "#e45756",
}
#: Default number of nodes kept, by weighted degree, so the graph stays readable and fast.
DEFAULT_TOP_N = 150
#: Longest text put in a label or tooltip.
MAX_TEXT = 200

_EVENT_KINDS = ("visit", "meeting")


@dataclass(frozen=True)
class NetworkFilter:
    """What part of the store the graph shows. Hashable, so pages can cache on it.

    :param start: first day kept (``YYYY-MM-DD``, inclusive), or None.
    :param end: last day kept (inclusive), or None.
    :param countries: ISO alpha-3 codes; when set, only events involving one of them count.
    :param node_kinds: node kinds kept (``person``, ``country``, ``organization``).
    :param edge_kinds: edge kinds kept (``affiliation``, ``meeting``, ``visit``).
    :param min_weight: edges lighter than this are dropped (then isolated nodes).
    :param top_n: keep only this many nodes by weighted degree (None or 0: all).
    :param ego: a node key; when set, only that node and its neighbours within ``radius``.
    :param focus: node keys (the dashboard's global people filter); when set and ``ego`` is
        not, the union of their neighbourhoods within ``radius``.
    :param radius: ego radius in hops.
    """

    start: str | None = None
    end: str | None = None
    countries: tuple[str, ...] = ()
    node_kinds: tuple[str, ...] = tuple(NODE_KINDS)
    edge_kinds: tuple[str, ...] = tuple(EDGE_KINDS)
    min_weight: int = 1
    top_n: int | None = DEFAULT_TOP_N
    ego: str | None = None
    focus: tuple[str, ...] = ()
    radius: int = 1

    def without_view(self) -> NetworkFilter:
        """The same data filter with no ego view and no top-N cap."""
        return replace(self, ego=None, focus=(), top_n=None)


# --- SQL --------------------------------------------------------------------------------------

# The filter is applied once per call into two temporary tables of the read-only connection
# (SQLite keeps them in memory and drops them with the connection); every aggregate then reads
# them. A CTE referenced by several joins is re-evaluated by SQLite and was minutes at scale.
_EFFECTIVE_DATE = """substr(CASE WHEN e.date IS NOT NULL AND e.date != '' THEN e.date
                         ELSE (SELECT published FROM articles WHERE id = e.article_id) END, 1, 10)"""

# The event filter (date window, not cancelled, involves a selected country) on alias x.
_EVENT_FILTER = """
    (:start IS NULL OR x.d || '-31' >= :start) AND (:end IS NULL OR x.d <= :end)
    AND (json_array_length(:countries) = 0
         OR x.vc IN (SELECT value FROM json_each(:countries))
         OR x.dc IN (SELECT value FROM json_each(:countries))
         OR x.ec IN (SELECT value FROM json_each(:countries))
         OR EXISTS (SELECT 1 FROM event_participants fp JOIN entities fn ON fn.id = fp.entity_id
                    WHERE fp.event_id = x.id
                      AND fn.country IN (SELECT value FROM json_each(:countries))))
"""

_SETUP = [
    "PRAGMA temp_store = MEMORY",
    "DROP TABLE IF EXISTS temp.net_part",
    "DROP TABLE IF EXISTS temp.net_ev",
    f"""CREATE TEMP TABLE net_ev AS
        SELECT x.* FROM (
            SELECT e.id, e.kind, e.article_id, {_EFFECTIVE_DATE} AS d,
                   e.visitor_country AS vc, e.destination_country AS dc, e.country AS ec
            FROM events e
            WHERE e.kind IN ('visit', 'meeting') AND COALESCE(e.status, '') != 'cancelled'
        ) AS x
        WHERE {_EVENT_FILTER}""",
    """CREATE TEMP TABLE net_part AS
        SELECT DISTINCT p.event_id, ev.kind AS ekind, ev.d, ev.article_id, n.id AS entity_id,
               n.name, n.kind, n.country,
               CASE WHEN n.kind = 'country' AND n.country IS NOT NULL THEN 'c:' || n.country
                    ELSE 'e:' || n.id END AS node
        FROM net_ev ev JOIN event_participants p ON p.event_id = ev.id
        JOIN entities n ON n.id = p.entity_id""",
    "CREATE INDEX temp.net_part_event ON net_part(event_id, node)",
]

_SQL_MEETINGS = """
SELECT p1.node AS u, p2.node AS v, COUNT(DISTINCT p1.d) AS weight,
       COUNT(DISTINCT p1.event_id) AS reports, COUNT(DISTINCT p1.article_id) AS articles,
       MIN(p1.d) AS first, MAX(p1.d) AS last,
       MAX(COALESCE(p1.d, '') || '|' || printf('%012d', p1.event_id)) AS latest
FROM net_part p1 JOIN net_part p2 ON p2.event_id = p1.event_id AND p2.node > p1.node
WHERE p1.ekind = 'meeting'
GROUP BY p1.node, p2.node
"""

_SQL_VISITS = """
SELECT 'c:' || vc AS src, 'c:' || dc AS dst, COUNT(DISTINCT d) AS weight,
       COUNT(*) AS reports, COUNT(DISTINCT article_id) AS articles,
       MIN(d) AS first, MAX(d) AS last, MAX(COALESCE(d, '') || '|' || printf('%012d', id)) AS latest
FROM net_ev
WHERE kind = 'visit' AND vc IS NOT NULL AND dc IS NOT NULL AND vc != dc
GROUP BY vc, dc
"""

# Person (or organisation) → its country, weighted by the person's events in the window,
# counted once per kind and day (the same meeting in five reports counts once).
_SQL_AFFILIATION = """
SELECT node AS u, 'c:' || country AS v, COUNT(DISTINCT ekind || '|' || COALESCE(d, '')) AS weight,
       COUNT(DISTINCT event_id) AS reports, COUNT(DISTINCT article_id) AS articles,
       MIN(d) AS first, MAX(d) AS last,
       MAX(COALESCE(d, '') || '|' || printf('%012d', event_id)) AS latest
FROM net_part
WHERE kind != 'country' AND country IS NOT NULL
GROUP BY node, country
"""

# Node attributes for every entity node that takes part in a kept event.
_SQL_ENTITY_NODES = """
SELECT DISTINCT node, entity_id, name, kind, country FROM net_part
"""

_SQL_COUNTRY_NAMES = """
SELECT country, name FROM entities WHERE kind = 'country' AND country IS NOT NULL
"""


def _ev_params(flt: NetworkFilter) -> dict[str, Any]:
    return {"start": flt.start or None, "end": flt.end or None,
            "countries": json.dumps([c for c in flt.countries if c])}


def _setup(conn: sqlite3.Connection, flt: NetworkFilter) -> None:
    params = _ev_params(flt)
    for sql in _SETUP:
        conn.execute(sql, params if ":start" in sql else [])


def _rows(conn: sqlite3.Connection, sql: str, params: Any = ()) -> list[sqlite3.Row]:
    return conn.execute(sql, params).fetchall()


# --- building ---------------------------------------------------------------------------------

def _country_label(code: str, names: dict[str, str]) -> str:
    name = names.get(code)
    if not name:
        try:
            import pycountry

            found = pycountry.countries.get(alpha_3=code)
            name = getattr(found, "common_name", None) or getattr(found, "name", None)
        except (ImportError, LookupError, KeyError):
            name = None
    return f"{name} ({code})" if name and name != code else code


def full_graph(path: str | Path | None, flt: NetworkFilter = NetworkFilter()) -> nx.Graph:
    """The whole graph for the filter's date window and countries, before node-kind, weight,
    ego and top-N filters (see :func:`apply_view`).

    Nodes carry ``name``, ``kind``, ``country`` and (for entities) ``entity_id``; edges carry
    ``weight`` (events), ``reports`` (event rows), ``articles``, ``first``, ``last``, ``kinds``
    (comma-separated edge kinds) and one count per kind (``meeting``, ``visit``,
    ``affiliation``); visit edges also ``visits_uv``/``visits_vu`` per direction, with
    ``u < v`` in key order.

    :raises FileNotFoundError: when the database does not exist.
    """
    conn = store.connect_ro(path)
    try:
        _setup(conn, flt)
        country_names = {r["country"]: r["name"] for r in _rows(conn, _SQL_COUNTRY_NAMES)}
        entity_nodes = _rows(conn, _SQL_ENTITY_NODES)
        meetings = _rows(conn, _SQL_MEETINGS) if "meeting" in flt.edge_kinds else []
        visits = _rows(conn, _SQL_VISITS) if "visit" in flt.edge_kinds else []
        affil = _rows(conn, _SQL_AFFILIATION) if "affiliation" in flt.edge_kinds else []
    finally:
        conn.close()

    g = nx.Graph()

    def add_country(node: str) -> None:
        if node not in g:
            code = node[2:]
            g.add_node(node, name=_country_label(code, country_names), kind="country",
                       country=code, entity_id=-1)

    for r in entity_nodes:
        if r["node"].startswith("c:"):
            add_country(r["node"])
        else:
            kind = r["kind"] if r["kind"] in NODE_KINDS else "organization"
            g.add_node(r["node"], name=r["name"] or "", kind=kind, country=r["country"] or "",
                       entity_id=int(r["entity_id"]))

    def add_edge(u: str, v: str, kind: str, r: sqlite3.Row, direction: int = 0) -> None:
        for n in (u, v):
            if n.startswith("c:"):
                add_country(n)
        a, b = sorted((u, v))
        if g.has_edge(a, b):
            data = g.edges[a, b]
        else:
            g.add_edge(a, b, weight=0, reports=0, articles=0, first=r["first"] or "",
                       last=r["last"] or "", kinds="", meeting=0, visit=0, affiliation=0,
                       visits_uv=0, visits_vu=0, latest="", evidence="", evidence_event=-1)
            data = g.edges[a, b]
        data["weight"] += int(r["weight"])
        data["reports"] += int(r["reports"])
        data["articles"] += int(r["articles"])
        data[kind] += int(r["weight"])
        if direction:
            data["visits_uv" if (u, v) == (a, b) else "visits_vu"] += int(r["weight"])
        data["first"] = min(x for x in (data["first"], r["first"] or "") if x) if (
            data["first"] or r["first"]) else ""
        data["last"] = max(data["last"], r["last"] or "")
        data["latest"] = max(data["latest"], r["latest"] or "")
        kinds = [k for k in data["kinds"].split(",") if k]
        if kind not in kinds:
            data["kinds"] = ",".join(sorted([*kinds, kind]))

    for r in meetings:
        add_edge(r["u"], r["v"], "meeting", r)
    for r in visits:
        add_edge(r["src"], r["dst"], "visit", r, direction=1)
    for r in affil:
        if r["u"] in g:
            add_edge(r["u"], r["v"], "affiliation", r)
    for n, d in g.nodes(data=True):
        d["degree"] = int(sum(w for _, _, w in g.edges(n, data="weight")))
    _attach_latest_evidence(path, g)
    return g


def _attach_latest_evidence(path: str | Path | None, g: nx.Graph) -> None:
    """Give every edge the evidence sentence of its latest event (``evidence``,
    ``evidence_event``), for tooltips; one indexed query per 500 edges."""
    wanted: dict[int, list[tuple[str, str]]] = {}
    for u, v, d in g.edges(data=True):
        latest = d.pop("latest", "")
        if "|" in latest:
            wanted.setdefault(int(latest.rsplit("|", 1)[1]), []).append((u, v))
    if not wanted:
        return
    ids = sorted(wanted)
    conn = store.connect_ro(path)
    try:
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            for row in conn.execute(
                    f"SELECT id, evidence FROM events WHERE id IN ({','.join('?' * len(chunk))})",
                    chunk):
                for u, v in wanted[row[0]]:
                    g.edges[u, v]["evidence"] = row[1] or ""
                    g.edges[u, v]["evidence_event"] = int(row[0])
    finally:
        conn.close()


def apply_view(g: nx.Graph, flt: NetworkFilter) -> nx.Graph:
    """Node-kind, minimum-weight, ego and top-N filters on a graph from :func:`full_graph`.

    The ego view is taken before the top-N cap, so an entity's neighbourhood is complete up to
    the cap. Weighted degree (``degree``) is recomputed on the result; ties keep key order.
    """
    h = g.subgraph([n for n, k in g.nodes(data="kind") if k in flt.node_kinds]).copy()
    min_w = max(1, int(flt.min_weight or 1))
    h.remove_edges_from([(u, v) for u, v, w in h.edges(data="weight") if w < min_w])
    centres = [flt.ego] if flt.ego is not None else list(dict.fromkeys(flt.focus))
    if centres:
        centres = [c for c in centres if c in h]
        if not centres:
            return nx.Graph()
        radius = max(1, int(flt.radius or 1))
        keep_nodes: set[str] = set()
        for c in centres:
            keep_nodes |= set(nx.ego_graph(h, c, radius=radius))
        h = h.subgraph(keep_nodes).copy()
    h.remove_nodes_from([n for n in list(h) if h.degree(n) == 0 and n not in centres])
    for n in h:
        h.nodes[n]["degree"] = int(sum(w for _, _, w in h.edges(n, data="weight")))
    if flt.top_n and h.number_of_nodes() > flt.top_n:
        ranked = sorted(h.nodes, key=lambda n: (-h.nodes[n]["degree"], n))
        keep = set(ranked[: flt.top_n]) | set(centres)
        h = h.subgraph(keep).copy()
    return h


def build_graph(path: str | Path | None, flt: NetworkFilter = NetworkFilter()) -> nx.Graph:
    """The graph the page shows: :func:`full_graph` then :func:`apply_view`."""
    return apply_view(full_graph(path, flt), flt)


def node_table(g: nx.Graph) -> pd.DataFrame:
    """Nodes as a table, heaviest first: key, name, kind, country, weighted degree, neighbours."""
    rows = [
        {"key": n, "name": d.get("name", ""), "kind": d.get("kind", ""),
         "country": d.get("country", ""), "weighted_degree": d.get("degree", 0),
         "neighbours": g.degree(n)}
        for n, d in g.nodes(data=True)
    ]
    df = pd.DataFrame(rows, columns=["key", "name", "kind", "country", "weighted_degree",
                                     "neighbours"])
    return df.sort_values(["weighted_degree", "name"], ascending=[False, True],
                          ignore_index=True)


def edge_table(g: nx.Graph) -> pd.DataFrame:
    """Edges as a table, heaviest first, with both end names; ``u`` < ``v`` in key order."""
    rows = []
    for u, v, d in g.edges(data=True):
        u, v = sorted((u, v))
        rows.append({
            "u": u, "v": v, "source": g.nodes[u].get("name", u), "target": g.nodes[v].get("name", v),
            "kinds": d.get("kinds", ""), "weight": d.get("weight", 0),
            "reports": d.get("reports", 0), "articles": d.get("articles", 0),
            "first": d.get("first", ""), "last": d.get("last", ""),
        })
    df = pd.DataFrame(rows, columns=["u", "v", "source", "target", "kinds", "weight", "reports",
                                     "articles", "first", "last"])
    return df.sort_values(["weight", "source", "target"], ascending=[False, True, True],
                          ignore_index=True)


# --- evidence ---------------------------------------------------------------------------------

_EVIDENCE_COLUMNS = ["date", "kind", "status", "evidence", "article", "outlet", "url",
                     "published", "place", "visitor_country", "destination_country", "cameo",
                     "event_id", "article_id"]


def _node_entities(conn: sqlite3.Connection, node: str) -> list[int]:
    """Entity ids behind a node key (a country node stands for its country entities)."""
    if node.startswith("e:"):
        try:
            return [int(node[2:])]
        except ValueError:
            return []
    if node.startswith("c:"):
        return [r[0] for r in conn.execute(
            "SELECT id FROM entities WHERE kind = 'country' AND country = ?", [node[2:]])]
    return []


def _took_part(ids: list[int], name: str, params: dict[str, Any]) -> str:
    """SQL 'event e had one of these entities as participant'; adds the ids to ``params``."""
    marks = []
    for i, entity_id in enumerate(ids):
        params[f"{name}{i}"] = entity_id
        marks.append(f":{name}{i}")
    return (f"e.id IN (SELECT event_id FROM event_participants "
            f"WHERE entity_id IN ({','.join(marks) or 'NULL'}))")


def edge_evidence(path: str | Path | None, u: str, v: str,
                  flt: NetworkFilter = NetworkFilter(), limit: int = 500) -> pd.DataFrame:
    """The events (with evidence sentence and article) behind the edge ``u``–``v``, newest
    first, under the same date and country filter as the graph.

    Country–country: the visits between them (either direction) and meetings both took part
    in. Person–country affiliation: the person's events, plus the sentences that gave the
    person a role of that country (``kind`` = ``role``). Any other pair: the meetings both took
    part in. Reads only the events of the two ends (indexed), not the whole table.
    """
    a, b = sorted((u, v))
    params: dict[str, Any] = {**_ev_params(flt), "limit": int(limit)}
    conn = store.connect_ro(path)
    try:
        ids_a, ids_b = _node_entities(conn, a), _node_entities(conn, b)
        both = (f"(e.kind = 'meeting' AND {_took_part(ids_a, 'a', params)} "
                f"AND {_took_part(ids_b, 'b', params)})")
        if a.startswith("c:") and b.startswith("c:"):
            params.update(ca=a[2:], cb=b[2:])
            cond = ("(e.kind = 'visit' AND ((e.visitor_country = :ca AND e.destination_country = :cb)"
                    " OR (e.visitor_country = :cb AND e.destination_country = :ca))) OR " + both)
        elif a.startswith("c:") or b.startswith("c:"):
            cond = _took_part(ids_b if a.startswith("c:") else ids_a, "p", params)
        else:
            cond = both
        sql = f"""
            SELECT x.* FROM (
                SELECT e.id, e.kind, {_EFFECTIVE_DATE} AS d, e.visitor_country AS vc,
                       e.destination_country AS dc, e.country AS ec, e.status, e.cameo,
                       COALESCE(e.place, e.destination_place) AS place, e.evidence, e.article_id
                FROM events e
                WHERE e.kind IN ('visit', 'meeting') AND COALESCE(e.status, '') != 'cancelled'
                  AND ({cond})
            ) AS x
            WHERE {_EVENT_FILTER}
        """
        rows = [dict(r) for r in conn.execute(
            f"""SELECT ev.id AS event_id, ev.kind, ev.d AS date, ev.status, ev.cameo,
                       ev.vc AS visitor_country, ev.dc AS destination_country, ev.place,
                       ev.evidence, a.id AS article_id, a.title AS article, a.outlet, a.url,
                       a.published
                FROM ({sql}) AS ev JOIN articles a ON a.id = ev.article_id
                ORDER BY ev.d DESC, ev.id LIMIT :limit""",
            params)]
        roles: list[dict[str, Any]] = []
        if a.startswith("c:") != b.startswith("c:"):
            person, country = (b, a) if a.startswith("c:") else (a, b)
            if person.startswith("e:"):
                roles = [dict(r) for r in conn.execute(
                    """SELECT 'role' AS kind, substr(COALESCE(r.date, a.published), 1, 10) AS date,
                              r.title AS place, r.evidence, a.id AS article_id, a.title AS article,
                              a.outlet, a.url, a.published
                       FROM article_roles r JOIN articles a ON a.id = r.article_id
                       WHERE r.entity_id = ? AND r.country = ?
                         AND (? IS NULL OR substr(COALESCE(r.date, a.published), 1, 10) >= ?)
                         AND (? IS NULL OR substr(COALESCE(r.date, a.published), 1, 10) <= ?)
                       ORDER BY date DESC LIMIT ?""",
                    [int(person[2:]), country[2:], flt.start, flt.start, flt.end, flt.end,
                     int(limit)])]
    finally:
        conn.close()
    df = pd.DataFrame(rows + roles)
    for col in _EVIDENCE_COLUMNS:
        if col not in df.columns:
            df[col] = None
    return df[_EVIDENCE_COLUMNS]


def store_version(path: str | Path | None) -> int | None:
    """The store's data version (pages key their caches on it), or None without a store."""
    try:
        conn = store.connect_ro(path)
    except FileNotFoundError:
        return None
    try:
        return store.data_version(conn)
    except sqlite3.OperationalError:  # a file that is not (yet) a Chancery store
        return None
    finally:
        conn.close()


def nodes_for_entity_keys(path: str | Path | None, keys: Iterable[str]) -> list[str]:
    """Node keys for stored entity keys (``person:mohammad-sadiq``, ``country:PAK``), in the
    order given; unknown keys are left out."""
    keys = [k for k in dict.fromkeys(keys) if k]
    if not keys:
        return []
    conn = store.connect_ro(path)
    try:
        rows = {r["key"]: r for r in conn.execute(
            f"SELECT key, id, kind, country FROM entities WHERE key IN ({','.join('?' * len(keys))})",
            keys)}
    finally:
        conn.close()
    out = []
    for k in keys:
        r = rows.get(k)
        if r is not None:
            out.append(f"c:{r['country']}" if r["kind"] == "country" and r["country"]
                       else f"e:{r['id']}")
    return out


def date_bounds(path: str | Path | None) -> tuple[str | None, str | None]:
    """First and last effective date of any visit or meeting in the store.

    Dated events are read through the ``events(kind, date)`` index; only undated ones (which
    take their article's publication date) are joined to ``articles``.
    """
    conn = store.connect_ro(path)
    try:
        lows, highs = [], []
        for kind in _EVENT_KINDS:
            for sql in (
                "SELECT MIN(date), MAX(date) FROM events WHERE kind = ? AND date > ''",
                """SELECT MIN(a.published), MAX(a.published) FROM events e
                   JOIN articles a ON a.id = e.article_id
                   WHERE e.kind = ? AND (e.date IS NULL OR e.date = '')""",
            ):
                lo, hi = conn.execute(sql, [kind]).fetchone()
                if lo:
                    lows.append(str(lo)[:10])
                if hi:
                    highs.append(str(hi)[:10])
    finally:
        conn.close()
    return (min(lows) if lows else None, max(highs) if highs else None)


def country_options(path: str | Path | None) -> list[str]:
    """Country codes that occur in visits, meetings or people's affiliations, sorted."""
    conn = store.connect_ro(path)
    try:
        rows = conn.execute(
            """SELECT visitor_country FROM events WHERE visitor_country IS NOT NULL
               UNION SELECT destination_country FROM events WHERE destination_country IS NOT NULL
               UNION SELECT country FROM events WHERE country IS NOT NULL
               UNION SELECT country FROM entities WHERE country IS NOT NULL"""
        ).fetchall()
    finally:
        conn.close()
    return sorted({r[0] for r in rows if r[0]})


# --- exports ----------------------------------------------------------------------------------

def _export_copy(g: nx.Graph) -> nx.Graph:
    """A copy with only str/int/float attributes (the GEXF and GraphML writers reject None)."""
    h = nx.Graph()
    for n, d in g.nodes(data=True):
        h.add_node(n, **{k: ("" if v is None else v) for k, v in d.items()
                         if isinstance(v, (str, int, float)) or v is None},
                   label=str(d.get("name", n)))
    for u, v, d in g.edges(data=True):
        h.add_edge(u, v, **{k: ("" if x is None else x) for k, x in d.items()
                            if isinstance(x, (str, int, float)) or x is None})
    return h


def to_gexf(g: nx.Graph) -> bytes:
    """The graph as GEXF 1.2 (for Gephi)."""
    buf = io.BytesIO()
    nx.write_gexf(_export_copy(g), buf)
    return buf.getvalue()


def to_graphml(g: nx.Graph) -> bytes:
    """The graph as GraphML."""
    buf = io.BytesIO()
    nx.write_graphml(_export_copy(g), buf)
    return buf.getvalue()


# --- safe HTML --------------------------------------------------------------------------------

#: Zero-width space used to break ``href`` and ``javascript:`` in displayed text.
ZWSP = "\u200b"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_HREF = re.compile(r"href", re.IGNORECASE)
_SCHEME = re.compile(r"(java|vb)script(\s*):", re.IGNORECASE)


def html_text(value: Any, limit: int = MAX_TEXT) -> str:
    """Text for a pyvis label or tooltip: control characters removed, cut to ``limit``,
    HTML-escaped (``<``, ``>``, ``&``; quotes stay, as names have apostrophes and the text only
    ever lands in text nodes and JSON strings), and the words ``href`` and ``javascript:``
    broken with a zero-width space: pyvis 0.3.2 renders every tooltip as raw HTML once any
    tooltip contains ``href``, and a script URL has no business in a name."""
    s = _CONTROL.sub("", "" if value is None else str(value))
    if len(s) > limit:
        s = s[: limit - 1] + "…"
    s = html.escape(s, quote=False)
    s = _HREF.sub(lambda m: m.group(0)[:2] + ZWSP + m.group(0)[2:], s)
    return _SCHEME.sub(lambda m: m.group(0)[:-1] + ZWSP + ":", s)


def _node_title(d: dict[str, Any]) -> str:
    lines = [str(d.get("name", "")), f"{d.get('kind', '')}" + (
        f" · {d['country']}" if d.get("country") and d.get("kind") != "country" else ""),
        f"weighted degree {d.get('degree', 0)}"]
    return html_text("\n".join(lines), limit=MAX_TEXT * 2)


def _edge_title(g: nx.Graph, u: str, v: str, d: dict[str, Any]) -> str:
    nu, nv = g.nodes[u].get("name", u), g.nodes[v].get("name", v)
    parts = [f"{nu} — {nv}"]
    for kind in EDGE_KINDS:
        if d.get(kind):
            parts.append(f"{kind}: {d[kind]}")
    if d.get("visit"):
        parts.append(f"visits {nu} → {nv}: {d.get('visits_uv', 0)}, "
                     f"{nv} → {nu}: {d.get('visits_vu', 0)}")
    parts.append(f"{d.get('first', '')} … {d.get('last', '')}; {d.get('articles', 0)} article(s)")
    if d.get("evidence"):
        ev = str(d["evidence"])
        parts.append("latest: " + (ev if len(ev) <= MAX_TEXT else ev[: MAX_TEXT - 1] + "…"))
    return html_text("\n".join(parts), limit=MAX_TEXT * 3)


def vis_options(physics: bool = True) -> dict[str, Any]:
    """The vis-network options: a seeded layout, stabilisation, physics off once stable."""
    return {
        "layout": {"randomSeed": 7, "improvedLayout": True},
        "interaction": {"hover": True, "tooltipDelay": 150, "navigationButtons": False,
                        "keyboard": False, "multiselect": False, "hideEdgesOnDrag": True},
        "nodes": {"shape": "dot", "font": {"size": 16, "face": "sans-serif"},
                  "scaling": {"min": 8, "max": 40,
                              "label": {"enabled": True, "min": 14, "max": 30,
                                        "drawThreshold": 6}}},
        "edges": {"smooth": False, "scaling": {"min": 1, "max": 8},
                  "color": {"inherit": False}},
        "physics": {
            "enabled": bool(physics),
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {"gravitationalConstant": -60, "springLength": 110,
                                 "springConstant": 0.06, "avoidOverlap": 0.4},
            "stabilization": {"enabled": True, "iterations": 400, "updateInterval": 50,
                              "fit": True},
            "minVelocity": 0.75,
        },
    }


# Scripts and stylesheets pyvis links from the network (Bootstrap, CDN fallbacks).
_REMOTE_TAG = re.compile(
    r"<script\b[^>]*\bsrc\s*=\s*['\"]?\s*(?:https?:)?//[^>]*>\s*</script\s*>"
    r"|<link\b[^>]*\bhref\s*=\s*['\"]?\s*(?:https?:)?//[^>]*/?>",
    re.IGNORECASE | re.DOTALL,
)
_EMPTY_HEADING = re.compile(r"<center>\s*<h1>\s*</h1>\s*</center>", re.IGNORECASE)
_DRAW_CALL = "drawGraph();\n"
_STOP_PHYSICS = """drawGraph();
              // Chancery: freeze the layout once it is stable, so the graph stops moving.
              network.once("stabilizationIterationsDone", function () {
                  network.setOptions({physics: {enabled: false}});
              });
"""


def strip_remote(doc: str) -> str:
    """Remove every ``<script src>`` and ``<link href>`` that points at another host."""
    return _REMOTE_TAG.sub("", doc)


def to_html(g: nx.Graph, height: int = 640, physics: bool = True) -> str:
    """A standalone, offline HTML page drawing ``g`` with vis-network (through pyvis).

    Node ids are integers (position in key order); labels and tooltips go through
    :func:`html_text`; nothing loads from another host.

    :raises RuntimeError: if the generated page still links a remote resource or switched to
        raw-HTML tooltips (a pyvis change would have to be looked at).
    """
    from pyvis.network import Network  # imported lazily: only the network page needs it

    net = Network(height=f"{int(height)}px", width="100%", directed=False, notebook=False,
                  cdn_resources="in_line", select_menu=False, filter_menu=False, heading="")
    ids = {n: i for i, n in enumerate(sorted(g.nodes))}
    max_deg = max([d.get("degree", 0) for _, d in g.nodes(data=True)] or [1]) or 1
    for n, d in g.nodes(data=True):
        kind = d.get("kind", "person")
        net.add_node(ids[n], label=html_text(d.get("name", ""), limit=60),
                     title=_node_title(d), color=NODE_KINDS.get(kind, "#999999"),
                     value=float(d.get("degree", 0)) or 1.0,
                     shape="diamond" if kind == "country" else "dot",
                     mass=1 + 2 * math.sqrt(d.get("degree", 0) / max_deg))
    for u, v, d in g.edges(data=True):
        kinds = [k for k in d.get("kinds", "").split(",") if k]
        main = max(kinds, key=lambda k: d.get(k, 0)) if kinds else "meeting"
        net.add_edge(ids[u], ids[v], value=float(d.get("weight", 1)), title=_edge_title(g, u, v, d),
                     color=EDGE_KINDS.get(main, "#999999"),
                     dashes=(kinds == ["affiliation"]))
    net.options = vis_options(physics and g.number_of_nodes() > 1)
    doc = net.generate_html(notebook=False)
    doc = strip_remote(doc)
    doc = _EMPTY_HEADING.sub("", doc)
    if physics:
        doc = doc.replace(_DRAW_CALL, _STOP_PHYSICS, 1)
    doc = doc.replace("<html>", '<!DOCTYPE html>\n<html lang="en">', 1)
    if _REMOTE_TAG.search(doc) or "popup.innerHTML" in doc:
        raise RuntimeError("network HTML still links a remote resource or uses raw-HTML tooltips")
    return doc


def timed_summary(path: str | Path | None, flt: NetworkFilter = NetworkFilter(),
                  repeat: int = 3) -> dict[str, float]:
    """Milliseconds (best of ``repeat``) for each step the page runs, for benchmarks."""
    import time

    def best(fn) -> float:
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            fn()
            times.append((time.perf_counter() - t) * 1000)
        return round(min(times), 2)

    g = full_graph(path, flt)
    view = apply_view(g, flt)
    first_edge = list(view.edges)[:1]
    out = {
        "full_graph_ms": best(lambda: full_graph(path, flt)),
        "apply_view_ms": best(lambda: apply_view(g, flt)),
        "to_html_ms": best(lambda: to_html(view)),
        "gexf_ms": best(lambda: to_gexf(view)),
        "graphml_ms": best(lambda: to_graphml(view)),
        "nodes": float(view.number_of_nodes()),
        "edges": float(view.number_of_edges()),
        "all_nodes": float(g.number_of_nodes()),
    }
    if first_edge:
        u, v = first_edge[0]
        out["edge_evidence_ms"] = best(lambda: edge_evidence(path, u, v, flt))
    return out


def main(argv: list[str] | None = None) -> int:
    """``python -m analysis.network [DB] [--start D] [--end D] [--country C ...]``: print what
    each network step costs on a store (milliseconds, best of 3) as JSON."""
    import argparse

    ap = argparse.ArgumentParser(prog="python -m analysis.network", description=main.__doc__)
    ap.add_argument("db", nargs="?", default=None)
    ap.add_argument("--start")
    ap.add_argument("--end")
    ap.add_argument("--country", action="append", default=[])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    flt = NetworkFilter(start=args.start, end=args.end, countries=tuple(args.country))
    print(json.dumps(timed_summary(args.db, flt, repeat=args.repeat), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
