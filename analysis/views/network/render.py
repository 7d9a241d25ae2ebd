"""The network as a standalone, safe, offline HTML page (pyvis / vis-network).

Rendering follows the project's rules: pyvis 0.3.2 with integer ids, every label and tooltip
escaped with :func:`html_text`, no heading or menus, options written here, resources inlined,
and every remaining remote ``<script src>``/``<link href>`` stripped so the page works offline.
"""
from __future__ import annotations

import html
import math
import re
from typing import Any

import networkx as nx

from analysis import model

from .graph import EDGE_KINDS

#: Node colours by kind.
NODE_COLOURS: dict[str, str] = {
    model.PERSON: "#4c78a8",
    model.COUNTRY: "#f58518",
    model.ORGANIZATION: "#54a24b",
}
#: Edge colours by kind.
EDGE_COLOURS: dict[str, str] = {
    "affiliation": "#bbbbbb",
    model.MEETING: "#4c78a8",
    model.VISIT: "#e45756",
}
#: Longest text put in a label or tooltip.
MAX_TEXT = 200

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
                     title=_node_title(d), color=NODE_COLOURS.get(kind, "#999999"),
                     value=float(d.get("degree", 0)) or 1.0,
                     shape="diamond" if kind == "country" else "dot",
                     mass=1 + 2 * math.sqrt(d.get("degree", 0) / max_deg))
    for u, v, d in g.edges(data=True):
        kinds = [k for k in d.get("kinds", "").split(",") if k]
        main = max(kinds, key=lambda k: d.get(k, 0)) if kinds else model.MEETING
        net.add_edge(ids[u], ids[v], value=float(d.get("weight", 1)), title=_edge_title(g, u, v, d),
                     color=EDGE_COLOURS.get(main, "#999999"),
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




def view_html(source: Any, f: Any, view: Any, height: int = 640) -> str:
    """The page's graph as HTML in one call (so it can be cached as one value): the graph of the
    events ``f`` keeps (:func:`.graph.full_graph`), cut by ``view``, drawn by :func:`to_html`."""
    from .graph import apply_view, full_graph

    return to_html(apply_view(full_graph(source, f, view), view), height=height)
