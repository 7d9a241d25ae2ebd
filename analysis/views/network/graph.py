"""The officials-countries network as a networkx graph, built from SQL aggregates.

Three kinds of edge, all counted in SQLite (one read-only session per call):

* ``affiliation`` person-country, from ``entities.country``; weight = the person's events;
* ``meeting`` person-person (or with a country/organisation that took part), from the
  participants of meetings, talks, agreements and every other kind that relates two sides
  except visits; weight = the pair's events;
* ``visit`` country-country, from a visit's visitor country to its host country
  (:func:`analysis.views.filters.host_country`); weight = the visits between the pair (both
  directions; each direction is kept apart).

Weights count events, not reports: the same meeting reported by five articles is one event
(:mod:`analysis.store.events`) and weighs 1 (``reports`` and ``articles`` keep how often it was
reported). Cancelled events are left out. Which events
count is decided by the dashboard's :class:`~analysis.views.filters.Filters` (dates, countries,
topics; the page passes people as the ego focus instead); how the graph is cut down for display
by a :class:`GraphView`.

Node keys are strings: ``"c:PAK"`` for a country (ISO 3166-1 alpha-3), ``"e:42"`` for any other
entity. :mod:`.render` maps them to integers, so no stored text ever becomes a DOM id.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Union

import networkx as nx
import pandas as pd

from analysis import model
from analysis.store import Reader, as_reader
from analysis.store import network as NET
from analysis.views.filters import (NO_FILTERS, Filters, event_day, event_place, host_country, kinds_in,
                                    not_cancelled, quoted)

#: Node kinds shown on the graph (colours: :mod:`.render`).
NODE_KINDS: tuple[str, ...] = (model.PERSON, model.COUNTRY, model.ORGANIZATION)
#: Edge kinds.
EDGE_KINDS: tuple[str, ...] = ("affiliation", model.MEETING, model.VISIT)
#: Default number of nodes kept, by weighted degree, so the graph stays readable and fast.
DEFAULT_TOP_N = 150

Source = Union[Reader, str, Path, None]


@dataclass(frozen=True)
class GraphView:
    """How much of the graph is shown. Hashable, so pages can cache on it.

    :param node_kinds: node kinds kept (``person``, ``country``, ``organization``).
    :param edge_kinds: edge kinds kept (``affiliation``, ``meeting``, ``visit``).
    :param min_weight: edges lighter than this are dropped (then isolated nodes).
    :param top_n: keep only this many nodes by weighted degree (None or 0: all).
    :param ego: a node key; when set, only that node and its neighbours within ``radius``.
    :param focus: node keys (the dashboard's global people filter); when set and ``ego`` is
        not, the union of their neighbourhoods within ``radius``.
    :param radius: ego radius in hops.
    """

    node_kinds: tuple[str, ...] = NODE_KINDS
    edge_kinds: tuple[str, ...] = EDGE_KINDS
    min_weight: int = 1
    top_n: int | None = DEFAULT_TOP_N
    ego: str | None = None
    focus: tuple[str, ...] = ()
    radius: int = 1


# --- SQL --------------------------------------------------------------------------------------

# The statements are the store's (analysis/store/network.py), which also keeps the unfiltered
# answer at write time. The filter is applied once per call into two temporary tables of the
# read-only session (in memory, dropped with the connection); every aggregate then reads them.
# A CTE referenced by several joins is re-evaluated by SQLite and was minutes at scale.

_RELATIONS = kinds_in(model.relation_kinds(), "e")

_SQL_COUNTRY_NAMES = f"""
SELECT country, name FROM entities WHERE kind = {quoted(model.COUNTRY)} AND country IS NOT NULL
"""


def _kept_events(f: Filters) -> tuple[str, list[Any]]:
    """SELECT (id, kind, article_id, d, vc, dc, ec) of the relations the filters keep."""
    where, params = f.event_conditions(ev="e")
    return NET.kept_events(where), params


def _setup(session: Any, f: Filters) -> None:
    kept, params = _kept_events(f)
    d = session.dialect
    for sql in d.temp_tables([("net_ev", kept), ("net_part", NET.PARTICIPANTS)], [NET.TEMP_INDEX]):
        session.execute(sql, params if sql.startswith("CREATE TEMP TABLE net_ev") else [])


def _graph_rows(s: Any, f: Filters, view: "GraphView") -> tuple[list[Any], dict[str, list[Any]]]:
    """The entity nodes and the edges of each kind the view asks for: from the network kept at
    write time when no filter narrows the events and it is current, else counted now."""
    kinds = [k for k in NET.EDGES if k in view.edge_kinds]
    if not f.event_conditions(ev="e")[0] and NET.kept(s):
        nodes = s.rows("SELECT node, entity_id, entity_key, name, kind, country FROM network_nodes")
        edges = {k: s.rows("SELECT u, v, weight, reports, articles, first, last, latest FROM network_edges"
                           " WHERE kind = ?", [k]) for k in kinds}
        return nodes, edges
    _setup(s, f)
    return s.rows(NET.ENTITY_NODES), {k: s.rows(NET.EDGES[k]) for k in kinds}


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


def full_graph(source: Source, f: Filters = NO_FILTERS, view: GraphView = GraphView()) -> nx.Graph:
    """The whole graph of the events the filters keep, with the view's edge kinds, before
    node-kind, weight, ego and top-N cuts (see :func:`apply_view`).

    Nodes carry ``name``, ``kind``, ``country`` and (for entities) ``entity_id``; edges carry
    ``weight`` (events), ``reports`` (event rows), ``articles``, ``first``, ``last``, ``kinds``
    (comma-separated edge kinds) and one count per kind (``meeting``, ``visit``,
    ``affiliation``); visit edges also ``visits_uv``/``visits_vu`` per direction, with
    ``u < v`` in key order.

    :raises FileNotFoundError: when the database does not exist.
    """
    reader = as_reader(source)
    with reader.session() as s:
        country_names = {r["country"]: r["name"] for r in s.rows(_SQL_COUNTRY_NAMES)}
        entity_nodes, edges = _graph_rows(s, f, view)
    meetings = edges.get(model.MEETING, [])
    visits = edges.get(model.VISIT, [])
    affil = edges.get("affiliation", [])

    g = nx.Graph()

    def add_country(node: str) -> None:
        if node not in g:
            code = node[2:]
            g.add_node(node, name=_country_label(code, country_names), kind="country",
                       country=code, entity_id=-1, entity_key=f"{model.COUNTRY}:{code}")

    for r in entity_nodes:
        if r["node"].startswith("c:"):
            add_country(r["node"])
        else:
            kind = r["kind"] if r["kind"] in NODE_KINDS else "organization"
            g.add_node(r["node"], name=r["name"] or "", kind=kind, country=r["country"] or "",
                       entity_id=int(r["entity_id"]), entity_key=r["entity_key"] or "")

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
        add_edge(r["u"], r["v"], model.MEETING, r)
    for r in visits:
        add_edge(r["u"], r["v"], model.VISIT, r, direction=1)
    for r in affil:
        if r["u"] in g:
            add_edge(r["u"], r["v"], "affiliation", r)
    for n, d in g.nodes(data=True):
        d["degree"] = int(sum(w for _, _, w in g.edges(n, data="weight")))
    _attach_latest_evidence(reader, g)
    return g


def _attach_latest_evidence(reader: Reader, g: nx.Graph) -> None:
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
    with reader.session() as s:
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            for row in s.execute(
                    f"SELECT id, evidence FROM events WHERE id IN ({','.join('?' * len(chunk))})",
                    chunk):
                for u, v in wanted[row[0]]:
                    g.edges[u, v]["evidence"] = row[1] or ""
                    g.edges[u, v]["evidence_event"] = int(row[0])


def apply_view(g: nx.Graph, view: GraphView = GraphView()) -> nx.Graph:
    """Node-kind, minimum-weight, ego and top-N filters on a graph from :func:`full_graph`.

    The ego view is taken before the top-N cap, so an entity's neighbourhood is complete up to
    the cap. Weighted degree (``degree``) is recomputed on the result; ties keep key order.
    """
    h = g.subgraph([n for n, k in g.nodes(data="kind") if k in view.node_kinds]).copy()
    min_w = max(1, int(view.min_weight or 1))
    h.remove_edges_from([(u, v) for u, v, w in h.edges(data="weight") if w < min_w])
    centres = [view.ego] if view.ego is not None else list(dict.fromkeys(view.focus))
    if centres:
        centres = [c for c in centres if c in h]
        if not centres:
            return nx.Graph()
        radius = max(1, int(view.radius or 1))
        keep_nodes: set[str] = set()
        for c in centres:
            keep_nodes |= set(nx.ego_graph(h, c, radius=radius))
        h = h.subgraph(keep_nodes).copy()
    h.remove_nodes_from([n for n in list(h) if h.degree(n) == 0 and n not in centres])
    for n in h:
        h.nodes[n]["degree"] = int(sum(w for _, _, w in h.edges(n, data="weight")))
    if view.top_n and h.number_of_nodes() > view.top_n:
        ranked = sorted(h.nodes, key=lambda n: (-h.nodes[n]["degree"], n))
        keep = set(ranked[: view.top_n]) | set(centres)
        h = h.subgraph(keep).copy()
    return h


def build_graph(source: Source, f: Filters = NO_FILTERS, view: GraphView = GraphView()) -> nx.Graph:
    """The graph the page shows: :func:`full_graph` then :func:`apply_view`."""
    return apply_view(full_graph(source, f, view), view)


def node_table(g: nx.Graph) -> pd.DataFrame:
    """Nodes as a table, heaviest first: key, name, kind, country, weighted degree, neighbours."""
    rows = [
        {"key": n, "entity_key": d.get("entity_key", ""), "name": d.get("name", ""), "kind": d.get("kind", ""),
         "country": d.get("country", ""), "weighted_degree": d.get("degree", 0),
         "neighbours": g.degree(n)}
        for n, d in g.nodes(data=True)
    ]
    df = pd.DataFrame(rows, columns=["key", "entity_key", "name", "kind", "country", "weighted_degree",
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

_EVIDENCE_COLUMNS = ["date", "kind", "status", "evidence", "curated", "article", "outlet", "url",
                     "published", "place", "visitor_country", "destination_country", "cameo",
                     "key", "event_id", "article_id"]


def _node_entities(s: Any, node: str) -> list[int]:
    """Entity ids behind a node key (a country node stands for its country entities)."""
    if node.startswith("e:"):
        try:
            return [int(node[2:])]
        except ValueError:
            return []
    if node.startswith("c:"):
        return [r[0] for r in s.execute(
            f"SELECT id FROM entities WHERE kind = {quoted(model.COUNTRY)} AND country = ?", [node[2:]])]
    return []


def _took_part(ids: list[int], params: list[Any]) -> str:
    """SQL 'event e had one of these entities as participant'; adds the ids to ``params``."""
    params += ids
    return (f"e.id IN (SELECT event_id FROM event_participants "
            f"WHERE entity_id IN ({','.join('?' * len(ids)) or 'NULL'}))")


def edge_evidence(source: Source, u: str, v: str, f: Filters = NO_FILTERS,
                  limit: int = 500) -> pd.DataFrame:
    """The reports (sentence and article) of the events behind the edge ``u``-``v``, newest
    event first, under the same filters as the graph.

    Country-country: the visits between them (either direction) and meetings both took part
    in. Person-country affiliation: the person's events, plus the sentences that gave the
    person a role of that country (``kind`` = ``role``). Any other pair: the meetings both took
    part in. Reads only the events of the two ends (indexed), not the whole table.
    """
    a, b = sorted((u, v))
    with as_reader(source).session() as s:
        ids_a, ids_b = _node_entities(s, a), _node_entities(s, b)
        params: list[Any] = []
        if a.startswith("c:") and b.startswith("c:"):
            params += [a[2:], b[2:], b[2:], a[2:]]
            host = host_country("e")
            cond = (f"(e.kind = {quoted(model.VISIT)} AND ((e.visitor_country = ? AND {host} = ?)"
                    f" OR (e.visitor_country = ? AND {host} = ?))) OR ")
        elif a.startswith("c:") or b.startswith("c:"):
            cond = _took_part(ids_b if a.startswith("c:") else ids_a, params)
        else:
            cond = ""
        if not (a.startswith("c:") != b.startswith("c:")):
            cond += f"(e.kind = {quoted(model.MEETING)} AND {_took_part(ids_a, params)}"
            cond += f" AND {_took_part(ids_b, params)})"
        where, fparams = f.event_conditions(ev="e")
        # every report of the edge's events: the sentence and the article of each
        rows = [dict(r) for r in s.execute(
            f"""SELECT e.id AS event_id, e.key, e.kind, {event_day("e")} AS date, e.status, e.cameo,
                       e.visitor_country, {host_country("e")} AS destination_country,
                       {event_place("e")} AS place, rp.evidence, a.id AS article_id,
                       a.title AS article, a.outlet, a.url, a.published, e.curated
                FROM events e JOIN reports rp ON rp.event_id = e.id JOIN articles a ON a.id = rp.article_id
                WHERE {" AND ".join([_RELATIONS, not_cancelled("e"), f"({cond})", *where])}
                ORDER BY date DESC, e.id, a.published, rp.id LIMIT ?""",
            params + fparams + [int(limit)])]
        roles: list[dict[str, Any]] = []
        if a.startswith("c:") != b.startswith("c:"):
            person, country = (b, a) if a.startswith("c:") else (a, b)
            if person.startswith("e:"):
                roles = [dict(r) for r in s.execute(
                    """SELECT 'role' AS kind, substr(COALESCE(r.date, a.published), 1, 10) AS date,
                              r.title AS place, r.evidence, a.id AS article_id, a.title AS article,
                              a.outlet, a.url, a.published
                       FROM article_roles r JOIN articles a ON a.id = r.article_id
                       WHERE r.entity_id = ? AND r.country = ?
                         AND (? IS NULL OR substr(COALESCE(r.date, a.published), 1, 10) >= ?)
                         AND (? IS NULL OR substr(COALESCE(r.date, a.published), 1, 10) <= ?)
                       ORDER BY date DESC LIMIT ?""",
                    [int(person[2:]), country[2:], f.start, f.start, f.end, f.end, int(limit)])]
    from analysis.views.queries import curation_mark

    df = pd.DataFrame(rows + roles)
    for col in _EVIDENCE_COLUMNS:
        if col not in df.columns:
            df[col] = None
    df["curated"] = [curation_mark(v) for v in df["curated"]]
    return df[_EVIDENCE_COLUMNS]


def newest_evidence(ev: pd.DataFrame, limit: int = 100) -> pd.DataFrame:
    """The first ``limit`` reports and the first ``limit`` roles of :func:`edge_evidence` (both
    newest first): what the page's grid shows of a heavy edge, whose rows would otherwise all
    be sent on every visit."""
    is_role = ev["kind"].eq("role")
    return pd.concat([ev[~is_role].head(limit), ev[is_role].head(limit)])


def store_version(source: Source) -> int | None:
    """The store's data version, or None without a store (or for a file that is not one)."""
    try:
        return as_reader(source).data_version()
    except FileNotFoundError:
        return None
    except sqlite3.OperationalError:  # a file that is not (yet) a Chancery store
        return None


def nodes_for_entity_keys(source: Source, keys: Iterable[str]) -> list[str]:
    """Node keys for stored entity keys (``person:mohammad-sadiq``, ``country:PAK``), in the
    order given; unknown keys are left out."""
    keys = [k for k in dict.fromkeys(keys) if k]
    if not keys:
        return []
    with as_reader(source).session() as s:
        rows = {r["key"]: r for r in s.execute(
            f"SELECT key, id, kind, country FROM entities WHERE key IN ({','.join('?' * len(keys))})",
            keys)}
    out = []
    for k in keys:
        r = rows.get(k)
        if r is not None:
            out.append(f"c:{r['country']}" if r["kind"] == model.COUNTRY and r["country"]
                       else f"e:{r['id']}")
    return out


def date_bounds(source: Source) -> tuple[str | None, str | None]:
    """First and last day (:func:`analysis.views.filters.event_day`, kept in ``events.day``) of
    any visit, meeting or other relation: two index lookups a kind through ``events(kind, day)``."""
    lows, highs = [], []
    with as_reader(source).session() as s:
        for kind in model.relation_kinds():
            lo, hi = s.one("SELECT (SELECT MIN(day) FROM events WHERE kind = ? AND day > ''),"
                           " (SELECT MAX(day) FROM events WHERE kind = ? AND day > '')", [kind, kind])
            if lo:
                lows.append(str(lo)[:10])
            if hi:
                highs.append(str(hi)[:10])
    return (min(lows) if lows else None, max(highs) if highs else None)
