"""The network as files for other tools: GEXF 1.2 (Gephi) and GraphML."""
from __future__ import annotations

import io

import networkx as nx


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
