"""The officials-countries network: :mod:`.graph` builds it (SQL aggregates into networkx, the
view cuts, the evidence behind an edge), :mod:`.render` draws it as safe offline HTML, and
:mod:`.export` writes GEXF and GraphML."""
from __future__ import annotations

from .export import to_gexf, to_graphml
from .graph import (DEFAULT_TOP_N, EDGE_KINDS, NODE_KINDS, GraphView, apply_view, build_graph,
                    date_bounds, edge_evidence, edge_table, full_graph, newest_evidence, node_table,
                    nodes_for_entity_keys, store_version)
from .render import (EDGE_COLOURS, MAX_TEXT, NODE_COLOURS, VIS_FOLDER, ZWSP, html_text, inline_assets, legend,
                     link_assets, publish_assets, strip_remote, to_html, view_html, vis_options)

__all__ = ["DEFAULT_TOP_N", "EDGE_COLOURS", "EDGE_KINDS", "MAX_TEXT", "NODE_COLOURS", "NODE_KINDS",
           "VIS_FOLDER", "ZWSP", "GraphView", "apply_view", "build_graph", "date_bounds", "edge_evidence",
           "edge_table", "full_graph", "html_text", "inline_assets", "legend", "link_assets", "newest_evidence", "node_table", "nodes_for_entity_keys",
           "publish_assets", "store_version", "strip_remote", "to_gexf", "to_graphml", "to_html", "view_html", "vis_options"]
