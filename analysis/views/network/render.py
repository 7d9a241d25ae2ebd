"""The network as a standalone, safe, offline HTML page (pyvis / vis-network).

Rendering follows the project's rules: pyvis 0.3.2 with integer ids, every label and tooltip
escaped with :func:`html_text`, no heading or menus, options written here, resources inlined,
and every remaining remote ``<script src>``/``<link href>`` stripped so the page works offline.
"""
from __future__ import annotations

import hashlib
import html
import math
import re
import shutil
from pathlib import Path
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


#: How each node kind and edge colour is drawn, in words, for the legend under the graph.
NODE_LEGEND: dict[str, str] = {
    model.PERSON: "blue dots: people",
    model.COUNTRY: "orange diamonds: countries",
    model.ORGANIZATION: "green dots: organisations",
}
EDGE_LEGEND: dict[str, str] = {
    model.VISIT: "red: visits",
    model.MEETING: "blue: meetings and talks",
    "affiliation": "dashed grey: a person's country",
}


def _main_kind(d: dict[str, Any]) -> str:
    """The kind an edge is drawn as: its heaviest kind (a pair that met and visited is drawn as
    whichever it did more); an edge that is only a person's country is dashed."""
    kinds = [k for k in d.get("kinds", "").split(",") if k]
    if not kinds:
        return model.MEETING
    if kinds == ["affiliation"]:
        return "affiliation"
    return max((k for k in kinds if k != "affiliation"), key=lambda k: d.get(k, 0))


def legend(g: nx.Graph) -> str:
    """The legend of what :func:`to_html` draws for ``g``: only the node kinds and edge colours
    present ("Nodes: blue dots: people; orange diamonds: countries. Edges: red: visits.")."""
    nodes = {d.get("kind") for _, d in g.nodes(data=True)}
    edges = {_main_kind(d) for _, _, d in g.edges(data=True)}
    parts = []
    shown = [text for kind, text in NODE_LEGEND.items() if kind in nodes]
    if shown:
        parts.append("Nodes: " + "; ".join(shown) + ".")
    shown = [text for kind, text in EDGE_LEGEND.items() if kind in edges]
    if shown:
        parts.append("Edges: " + "; ".join(shown) + ".")
    return " ".join(parts)


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


#: The find box above the graph (our markup; no article text in it).
_FIND_BOX = """<body>
        <div class="chancery-find" style="font: 14px sans-serif; margin: 4px 0 6px 0;">
            <label for="chancery-find">Find a node</label>
            <input id="chancery-find" list="chancery-names" autocomplete="off" size="36"
                   placeholder="a name in this view, then Enter" aria-label="Find a node by name">
            <datalist id="chancery-names"></datalist>
            <span id="chancery-found" role="status" style="color: #a33; margin-left: 6px;"></span>
        </div>"""
#: Finding a node, and telling the dashboard about a click. The node table is JSON, read as
#: data and shown through ``.value``/``textContent`` only (never parsed as HTML). A click posts
#: ``{type: "chancery-node", key: <entity key>}`` to the page holding the frame (the dashboard
#: turns it into an ego view or a profile); in a downloaded file there is no such page.
_FIND_SCRIPT = """
              // Chancery: find a node by name, and pass a click on a node to the dashboard.
              (function () {
                  var table = __NODES__;
                  var input = document.getElementById("chancery-find");
                  var list = document.getElementById("chancery-names");
                  var found = document.getElementById("chancery-found");
                  var ids = Object.keys(table);
                  ids.forEach(function (id) {
                      var o = document.createElement("option");
                      o.value = table[id][0];
                      list.appendChild(o);
                  });
                  function find(q) {
                      q = q.trim().toLowerCase();
                      if (!q) { return null; }
                      var hit = ids.filter(function (i) { return table[i][0].toLowerCase() === q; });
                      if (!hit.length) {
                          hit = ids.filter(function (i) { return table[i][0].toLowerCase().indexOf(q) >= 0; });
                      }
                      return hit.length ? Number(hit[0]) : null;
                  }
                  function go() {
                      var id = find(input.value);
                      if (id === null) {
                          found.textContent = input.value.trim() ? "no node of that name in this view" : "";
                          return;
                      }
                      found.textContent = "";
                      network.selectNodes([id]);
                      network.focus(id, {scale: 1.5, animation: {duration: 400, easingFunction: "easeInOutQuad"}});
                  }
                  input.addEventListener("change", go);
                  input.addEventListener("keydown", function (e) { if (e.key === "Enter") { go(); } });
                  network.on("click", function (p) {
                      if (p.nodes.length !== 1 || window.parent === window) { return; }
                      var n = table[p.nodes[0]];
                      if (n && n[1]) { window.parent.postMessage({type: "chancery-node", key: n[1]}, "*"); }
                  });
              })();
"""


def _js_string(text: str) -> str:
    """A JavaScript string literal with every character but ASCII letters, digits and spaces
    written as a ``\\uXXXX`` escape: safe inside a ``<script>`` (no ``<``, quote or line
    separator survives), and no article text appears in the page as it was written."""
    out = []
    for ch in text:
        if ch.isascii() and (ch.isalnum() or ch == " "):
            out.append(ch)
        else:
            b = ch.encode("utf-16-be", "surrogatepass")
            out += [f"\\u{int.from_bytes(b[k:k + 2], 'big'):04x}" for k in range(0, len(b), 2)]
    return '"' + "".join(out) + '"'


def _script_json(table: dict[str, list[str]]) -> str:
    """The find box's node table (``{"0": [name, entity key], ...}``) as a JavaScript object
    literal whose strings are :func:`_js_string` literals."""
    return "{" + ", ".join(f"{_js_string(k)}: [{', '.join(_js_string(v) for v in vals)}]"
                           for k, vals in table.items()) + "}"


def _plain(value: Any, limit: int = MAX_TEXT) -> str:
    """A name as plain text for the find box: control characters removed, cut to ``limit``."""
    s = _CONTROL.sub("", "" if value is None else str(value))
    return s if len(s) <= limit else s[: limit - 1] + "…"


def strip_remote(doc: str) -> str:
    """Remove every ``<script src>`` and ``<link href>`` that points at another host."""
    return _REMOTE_TAG.sub("", doc)


#: Pixels between nodes in the layout computed here (networkx's unit square, scaled).
LAYOUT_SCALE = 100


def layout(g: nx.Graph) -> dict[Any, tuple[float, float]]:
    """Node positions in pixels: a seeded force-directed layout (networkx's spring layout, at
    twice its default spacing so the hubs stay readable), the same for the same graph on every
    visit, spread with the number of nodes. Computed here, so the browser draws a still graph at
    once instead of running its physics (which took most of the Network page's time to settle);
    nodes can still be dragged."""
    nodes = list(g.nodes)
    if not nodes:
        return {}
    if len(nodes) == 1:
        return {nodes[0]: (0.0, 0.0)}
    pos = nx.spring_layout(g, seed=7, iterations=80, weight=None, k=2.0 / math.sqrt(len(nodes)))
    span = LAYOUT_SCALE * math.sqrt(len(nodes))
    return {n: (round(float(pos[n][0]) * span, 1), round(float(pos[n][1]) * span, 1)) for n in nodes}


def to_html(g: nx.Graph, height: int = 640, physics: bool = False) -> str:
    """A standalone, offline HTML page drawing ``g`` with vis-network (through pyvis).

    Node ids are integers (position in key order); labels and tooltips go through
    :func:`html_text`; nothing loads from another host. Nodes are placed by :func:`layout`
    and drawn still; ``physics=True`` lets the browser's physics settle them instead (then
    freezes them).

    :raises RuntimeError: if the generated page still links a remote resource or switched to
        raw-HTML tooltips (a pyvis change would have to be looked at).
    """
    from pyvis.network import Network  # imported lazily: only the network page needs it

    net = Network(height=f"{int(height)}px", width="100%", directed=False, notebook=False,
                  cdn_resources="in_line", select_menu=False, filter_menu=False, heading="")
    ids = {n: i for i, n in enumerate(sorted(g.nodes))}
    max_deg = max([d.get("degree", 0) for _, d in g.nodes(data=True)] or [1]) or 1
    pos = {} if physics else layout(g)
    for n, d in g.nodes(data=True):
        kind = d.get("kind", "person")
        at = {"x": pos[n][0], "y": pos[n][1]} if n in pos else {}
        net.add_node(ids[n], label=html_text(d.get("name", ""), limit=60),
                     title=_node_title(d), color=NODE_COLOURS.get(kind, "#999999"),
                     value=float(d.get("degree", 0)) or 1.0,
                     shape="diamond" if kind == "country" else "dot",
                     mass=1 + 2 * math.sqrt(d.get("degree", 0) / max_deg), **at)
    for u, v, d in g.edges(data=True):
        net.add_edge(ids[u], ids[v], value=float(d.get("weight", 1)), title=_edge_title(g, u, v, d),
                     color=EDGE_COLOURS.get(_main_kind(d), "#999999"),
                     dashes=(_main_kind(d) == "affiliation"))
    net.options = vis_options(physics and g.number_of_nodes() > 1)
    doc = net.generate_html(notebook=False)
    doc = strip_remote(doc)
    doc = _EMPTY_HEADING.sub("", doc)
    if physics:
        doc = doc.replace(_DRAW_CALL, _STOP_PHYSICS, 1)
    table = {str(ids[n]): [_plain(d.get("name", "")), str(d.get("entity_key") or "")] for n, d in g.nodes(data=True)}
    doc = doc.replace("<body>", _FIND_BOX, 1)
    doc = doc.replace("        </script>\n    </body>", _FIND_SCRIPT.replace("__NODES__", _script_json(table))
                      + "        </script>\n    </body>", 1)
    doc = doc.replace("<html>", '<!DOCTYPE html>\n<html lang="en">', 1)
    if _REMOTE_TAG.search(doc) or "popup.innerHTML" in doc:
        raise RuntimeError("network HTML still links a remote resource or uses raw-HTML tooltips")
    return doc




#: vis-network's script and stylesheet, which pyvis inlines into every page (690 KB of the
#: page): :func:`link_assets` links them instead, from where :func:`publish_assets` put them.
VIS_ASSETS = (("vis-network.min.js", "script"), ("vis-network.css", "style"))
#: The folder under a static root that :func:`publish_assets` fills (pyvis's vis-network version).
VIS_FOLDER = "vis-9.1.2"
_ASSET_URL = re.compile(r"^/?[A-Za-z0-9._~/-]*$")


def _vis_lib() -> Path:
    import pyvis

    return Path(pyvis.__file__).parent / "templates" / "lib" / VIS_FOLDER


def _inline_tag(name: str, tag: str) -> tuple[str, str]:
    """The tag pyvis writes for asset ``name`` (its text, as Jinja includes it, without the
    file's trailing newline), and the tag that links it instead."""
    text = (_vis_lib() / name).read_text(encoding="utf-8").rstrip("\n")
    inline = f"<{tag}>{text}</{tag}>"
    return inline, ("<script src=\"{}/" + name + "\"></script>" if tag == "script"
                    else "<link rel=\"stylesheet\" href=\"{}/" + name + "\">")


def publish_assets(root: Path) -> bool:
    """Copy vis-network's script and stylesheet from the installed pyvis into
    ``root/VIS_FOLDER`` (the dashboard's static folder), unless identical copies are there
    already. False if they cannot be written (a read-only checkout): pages then keep them
    inline."""
    dest = Path(root) / VIS_FOLDER
    try:
        dest.mkdir(parents=True, exist_ok=True)
        for name, _ in VIS_ASSETS:
            src, out = _vis_lib() / name, dest / name
            if out.is_file() and hashlib.sha256(out.read_bytes()).digest() == \
                    hashlib.sha256(src.read_bytes()).digest():
                continue
            tmp = out.with_suffix(out.suffix + ".tmp")
            shutil.copyfile(src, tmp)
            tmp.replace(out)  # a page being served never reads a half-written file
    except OSError:
        return False
    return True


def link_assets(doc: str, url: str) -> str:
    """``doc`` (from :func:`to_html`) with vis-network's inline script and stylesheet replaced
    by links to ``url`` (a path on the dashboard's own host, such as
    ``/app/static/vis-9.1.2``): the browser then fetches them once and keeps them cached,
    instead of receiving 690 KB with every drawing. A document that does not hold them as
    pyvis writes them is returned unchanged.

    :raises ValueError: if ``url`` is not a plain path on the same host.
    """
    if not _ASSET_URL.match(url) or url.startswith("//"):
        raise ValueError(f"not a path on this host: {url!r}")
    for name, tag in VIS_ASSETS:
        inline, linked = _inline_tag(name, tag)
        doc = doc.replace(inline, linked.format(url.rstrip("/")), 1)
    return doc


def inline_assets(doc: str, url: str) -> str:
    """The reverse of :func:`link_assets`: a standalone page again (for a download that must
    work offline, away from the dashboard)."""
    for name, tag in VIS_ASSETS:
        inline, linked = _inline_tag(name, tag)
        doc = doc.replace(linked.format(url.rstrip("/")), inline, 1)
    return doc


def warm_up() -> None:
    """Draw a two-node graph with :func:`to_html`: pyvis, its page template (compiled on first
    use) and the layout's code load once per server process, before an analyst's first visit
    to the Network page (``pages/_common.warm_up`` runs this in the background)."""
    g = nx.Graph()
    g.add_node("c:AAA", name="A", kind="country", degree=1)
    g.add_node("e:1", name="B", kind="person", degree=1, country="AAA")
    g.add_edge("c:AAA", "e:1", weight=1, kinds="affiliation", affiliation=1)
    to_html(g)


def view_html(source: Any, f: Any, view: Any, height: int = 640, assets: str | None = None) -> str:
    """The page's graph as HTML in one call (so it can be cached as one value): the graph of the
    events ``f`` keeps (:func:`.graph.full_graph`), cut by ``view``, drawn by :func:`to_html`,
    with vis-network linked from ``assets`` (:func:`link_assets`) when given."""
    from .graph import apply_view, full_graph

    doc = to_html(apply_view(full_graph(source, f, view), view), height=height)
    return link_assets(doc, assets) if assets else doc
