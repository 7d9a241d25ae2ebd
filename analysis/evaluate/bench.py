"""``python -m analysis.evaluate.bench [DB] [--start D] [--end D] [--country C ...]``: what each
step of the Network page costs on a store (milliseconds, best of ``--repeat``), as JSON."""
from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path

from analysis.views import network as N
from analysis.views.filters import NO_FILTERS, Filters


def _best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return round(min(times), 2)


def network_costs(source: str | Path | None, f: Filters = NO_FILTERS,
                  view: N.GraphView = N.GraphView(), repeat: int = 3) -> dict[str, float]:
    """Milliseconds (best of ``repeat``) for each step the Network page runs."""
    g = N.full_graph(source, f, view)
    shown = N.apply_view(g, view)
    first_edge = list(shown.edges)[:1]
    out = {
        "full_graph_ms": _best(lambda: N.full_graph(source, f, view), repeat),
        "apply_view_ms": _best(lambda: N.apply_view(g, view), repeat),
        "to_html_ms": _best(lambda: N.to_html(shown), repeat),
        "gexf_ms": _best(lambda: N.to_gexf(shown), repeat),
        "graphml_ms": _best(lambda: N.to_graphml(shown), repeat),
        "nodes": float(shown.number_of_nodes()),
        "edges": float(shown.number_of_edges()),
        "all_nodes": float(g.number_of_nodes()),
    }
    if first_edge:
        u, v = first_edge[0]
        out["edge_evidence_ms"] = _best(lambda: N.edge_evidence(source, u, v, f), repeat)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m analysis.evaluate.bench", description=__doc__.split("\n")[0])
    ap.add_argument("db", nargs="?", default=None)
    ap.add_argument("--start")
    ap.add_argument("--end")
    ap.add_argument("--country", action="append", default=[])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    f = Filters(start=args.start, end=args.end, countries=tuple(args.country))
    print(json.dumps(network_costs(args.db, f, repeat=args.repeat), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
