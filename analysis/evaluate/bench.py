"""``python -m analysis.evaluate.bench [DB] [--start D] [--end D] [--country C ...]``: what each
step of the Network page costs on a store (milliseconds, best of ``--repeat``), as JSON."""
from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path

from analysis import config
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


# --- the real store the benchmark stores are made from (issue 12) -----------------------------------

def corpus_sources(workdir: str | Path) -> list[str]:
    """The real texts a benchmark store starts from: the sample corpus, the BBC texts and the
    7,600 AG News test rows (written to JSON Lines under ``workdir``, as the dataset's CSV has
    no header; its escapes undone as the evaluation undoes them)."""
    import csv
    import json

    from analysis.evaluate.visits import agnews_text

    shared = config.SHARED_DIR / "eval"
    out = Path(workdir) / "agnews.jsonl"
    with open(shared / "agnews" / "test.csv", newline="", encoding="utf-8") as f, \
            open(out, "w", encoding="utf-8") as w:
        for row in csv.reader(f):
            if len(row) == 3:
                w.write(json.dumps({"title": agnews_text(row[1]), "text": agnews_text(row[2])}) + "\n")
    return [str(config.REPO_ROOT / "data" / "sample"), str(shared / "bbc" / "raw"), str(out)]


def build_corpus(db: str | Path, workers: int = 2, progress: bool = False) -> dict[str, object]:
    """Ingest :func:`corpus_sources` into a new store ``db`` (the store ``bench store`` replicates)."""
    import tempfile

    from analysis.ingest import ingest_sources

    if Path(db).exists():
        raise ValueError(f"{db} exists: bench corpus builds a new store")
    with tempfile.TemporaryDirectory() as tmp:
        return ingest_sources(db, corpus_sources(tmp), progress=progress, workers=workers)


# --- the pages' reads on stores of several sizes (issue 12) ----------------------------------------

def page_calls(source: str | Path) -> dict[str, Callable[[], object]]:
    """Every read a page makes on its default view (and the usual follow-ups), by name."""
    from analysis import model
    from analysis.views import brief, curate, queries, trends

    f = NO_FILTERS
    ev = queries.events(source, f, limit=5)
    event_id = int(ev["id"].iloc[0]) if len(ev) else None
    arts = queries.search_articles(source, f, None, limit=1)
    article_id = int(arts["id"].iloc[0]) if len(arts) else None
    person = queries.top_entities(source, f, model.PERSON, limit=1)
    person_id = int(person["id"].iloc[0]) if len(person) else None
    country = queries.top_entities(source, f, model.COUNTRY, limit=1)
    country_id = int(country["id"].iloc[0]) if len(country) else None
    calls: dict[str, Callable[[], object]] = {
        "sidebar filter_options": lambda: queries.filter_options(source),
        "overview summary": lambda: queries.summary(source, f),
        "overview latest_events": lambda: queries.latest_events(source, f),
        "overview rising_topics": lambda: queries.rising_topics(source, f),
        "overview rising_window": lambda: queries.rising_window(source, f),
        "overview undated_articles": lambda: queries.undated_articles(source, 10),
        "overview top officials": lambda: queries.top_entities(source, f, model.PERSON),
        "overview top countries": lambda: queries.top_entities(source, f, model.COUNTRY),
        "overview last_ingest": lambda: queries.last_ingest(source),
        # the Visits page: one page of 500 events (and its timeline by official, its download)
        "visits count_events": lambda: queries.count_events(source, f, model.relation_kinds()),
        "visits events": lambda: queries.events(source, f, model.relation_kinds(), limit=500),
        "visits event_people": lambda: queries.event_people(source, f, model.relation_kinds(), limit=500),
        "visits export_events": lambda: queries.export_events(source, f, model.relation_kinds(), limit=500),
        "visits visit_gaps": lambda: queries.visit_gaps(source, f),
        # the Topics chart: its period chosen, then its series (at most trends.MAX_PERIODS periods)
        "topics auto_freq": lambda: trends.auto_freq(source, f),
        "topics topic_trends week": lambda: trends.topic_trends(source, f, "week"),
        "topics topic_trends month": lambda: trends.topic_trends(source, f, "month"),
        "topics topic_trends year": lambda: trends.topic_trends(source, f, "year"),
        "topics country_topic_matrix": lambda: queries.country_topic_matrix(source, f),
        "topics topic_articles": lambda: queries.topic_articles(source, f),
        "network full_graph": lambda: N.full_graph(source, f, N.GraphView()),
        "articles search (none)": lambda: queries.search_articles(source, f, None),
        "articles search 'said'": lambda: queries.search_articles(source, f, "said"),
        "articles search 'Kabul'": lambda: queries.search_articles(source, f, "Kabul"),
        "articles search_evidence 'visit'": lambda: queries.search_evidence(source, f, "visit"),
        "profiles entities": lambda: queries.entities(source),
        "data store_stats": lambda: queries.store_stats(source),
        "data ingest_runs": lambda: queries.ingest_runs(source),
        "data ingest_errors": lambda: queries.ingest_errors(source),
        "data curation log": lambda: curate.log_frame(source),
        "briefing build_text": lambda: brief.build_text(source, brief.Scope()),
    }
    if event_id is not None:
        calls["visits event_reports"] = lambda: queries.event_reports(source, event_id)
    pair = tuple(queries.top_entities(source, f, model.COUNTRY, limit=2)["country"])
    if len(pair) == 2 and all(isinstance(c, str) for c in pair):
        g = Filters(pair=pair)
        calls["visits pair_summary"] = lambda: queries.pair_summary(source, pair[0], pair[1], g)
        calls["visits events of a pair"] = lambda: queries.events(source, g, model.relation_kinds(), limit=500)
    if article_id is not None:
        calls["articles article"] = lambda: queries.article(source, article_id)
    if person_id is not None:
        calls["profiles person profile"] = lambda: queries.profile(source, person_id, f)
    if country_id is not None:
        calls["profiles country profile"] = lambda: queries.profile(source, country_id, f)
    return calls


def _cold_warm(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    t = time.perf_counter()
    fn()
    cold = (time.perf_counter() - t) * 1000
    warm = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        warm.append((time.perf_counter() - t) * 1000)
    warm.sort()
    return round(cold, 1), round(warm[len(warm) // 2], 1)


def page_costs(source: str | Path, repeat: int = 5) -> dict[str, tuple[float, float]]:
    """``{call: (cold ms, warm median ms)}`` for :func:`page_calls` on one store."""
    return {name: _cold_warm(fn, repeat) for name, fn in page_calls(source).items()}


def pages_bench(db: str | Path, base: str | Path | None = None, repeat: int = 5) -> dict[str, object]:
    """The pages' reads on ``db`` and on a 1,000-article cut of it (or ``base``), in one run."""
    import tempfile

    from analysis.store import replicate as R

    tmp = None
    if base is None:
        tmp = tempfile.TemporaryDirectory()
        base = Path(tmp.name) / "1k.db"
        R.replicate(db, base, 1000)
    try:
        from analysis.store import connect_ro

        def articles(p):
            c = connect_ro(p)
            try:
                return c.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
            finally:
                c.close()

        small, big = page_costs(base, repeat), page_costs(db, repeat)
        rows = []
        for name, (cold, warm) in big.items():
            s_cold, s_warm = small.get(name, (None, None))
            rows.append({"call": name, "cold_ms": cold, "warm_ms": warm, "base_warm_ms": s_warm,
                         "ratio": round(warm / s_warm, 1) if s_warm else None})
        return {"db": str(db), "articles": articles(db), "base_articles": articles(base), "rows": rows}
    finally:
        if tmp is not None:
            tmp.cleanup()


def format_pages(result: dict[str, object]) -> str:
    lines = [f"{result['db']}: {result['articles']:,} articles; ratio to a {result['base_articles']:,}-article"
             " store in the same run (warm medians)",
             f"{'call':<36} {'cold ms':>9} {'warm ms':>9} {'1k warm':>9} {'ratio':>7}"]
    for r in result["rows"]:  # type: ignore[union-attr]
        lines.append(f"{r['call']:<36} {r['cold_ms']:>9.1f} {r['warm_ms']:>9.1f} "
                     f"{(r['base_warm_ms'] or 0):>9.1f} {(str(r['ratio']) + 'x') if r['ratio'] else '':>7}")
    return "\n".join(lines)


# --- ingest speed (issue 12): plain spaCy, a single-process ingest, a --workers ingest -------------

def _bench_files(texts: str | Path | None, limit: int | None) -> list[Path]:
    from analysis import config

    base = Path(texts) if texts else config.SHARED_DIR / "eval" / "bbc" / "raw"
    paths = sorted(p for p in base.rglob("*.txt") if p.is_file())
    if not paths:
        raise FileNotFoundError(f"no .txt files under {base}")
    if limit and limit < len(paths):  # evenly spread, so that a subset mixes the categories
        step = len(paths) / limit
        paths = [paths[int(i * step)] for i in range(limit)]
    return paths


def _decoded(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def ingest_bench(texts: str | Path | None = None, limit: int | None = None, workers: int = 2,
                 rounds: int = 3) -> dict[str, object]:
    """Words and articles per second of plain spaCy ``nlp.pipe``, of a single-process ingest and
    of a ``workers``-process ingest, on the same texts in the same run.

    The texts are cut into ``rounds`` interleaved slices and the three runs alternate on each
    slice (their order rotating), so that a change in the machine's speed during the run falls
    on all three alike; each mode's times are summed over the slices. Both ingests write into
    fresh stores of their own (the same ones across slices, as a resumed ingest would).
    Loading models is not timed: the plain model and our pipeline are loaded, and the worker
    pool started and warmed (its start is reported apart), before the clock starts.
    Words are whitespace-separated tokens of the files' text, the same count for all three.
    """
    import os
    import tempfile

    from analysis.extract.nlp import get_nlp, load_plain_model
    from analysis.ingest import BATCH, ExtractorPool, Ingester, extract_batch
    from analysis.ingest.pipeline import _expand

    files = _bench_files(texts, limit)
    rounds = max(1, min(rounds, len(files)))
    slices = [files[r::rounds] for r in range(rounds)]
    words = {p: len(_decoded(p).split()) for p in files}
    plain = load_plain_model()
    warm = [_decoded(p) for p in files[:4]]
    list(plain.pipe(warm, batch_size=BATCH))
    get_nlp()
    extract_batch([{"id": None, "title": None, "text": t, "published": None, "url": None, "clean": True} for t in warm])
    t0 = time.perf_counter()
    pool = ExtractorPool(workers)
    pool.warm()
    pool_start = time.perf_counter() - t0
    seconds = {"plain": 0.0, "single": 0.0, "workers": 0.0}
    cpu = {"plain": 0.0, "single": 0.0, "workers": 0.0}  # this process's CPU time (not the workers')
    summaries: dict[str, list[dict[str, object]]] = {"single": [], "workers": []}
    with tempfile.TemporaryDirectory() as tmp, pool:
        dbs = {"single": Path(tmp) / "single.db", "workers": Path(tmp) / "workers.db"}

        def run_plain(part: list[Path]) -> None:
            texts_ = [_decoded(p) for p in part]
            t, c = time.perf_counter(), time.process_time()
            for _ in plain.pipe(texts_, batch_size=BATCH):
                pass
            seconds["plain"] += time.perf_counter() - t
            cpu["plain"] += time.process_time() - c

        def run_ingest(mode: str, part: list[Path]) -> None:
            sources = [str(p) for p in part]
            t, c = time.perf_counter(), time.process_time()
            ing = Ingester(dbs[mode], fetch=False, pool=pool if mode == "workers" else None)
            try:
                s = ing.run(_expand(sources, ing.fetcher), sources)
            finally:
                ing.close()
            seconds[mode] += time.perf_counter() - t
            cpu[mode] += time.process_time() - c
            summaries[mode].append(s.as_dict())

        steps = [("plain", run_plain), ("single", lambda part: run_ingest("single", part)),
                 ("workers", lambda part: run_ingest("workers", part))]
        for r, part in enumerate(slices):
            for _name, fn in steps[r % 3:] + steps[:r % 3]:
                fn(part)

    def totals(mode: str) -> dict[str, int]:
        return {k: sum(int(s[k]) for s in summaries[mode]) for k in ("new", "duplicates", "unchanged", "errors")}

    n_words, n_docs = sum(words.values()), len(files)
    out: dict[str, object] = {"texts": str(Path(texts) if texts else "../shared/eval/bbc/raw"), "docs": n_docs,
                              "words": n_words, "rounds": rounds, "n_workers": workers, "batch": BATCH,
                              "pool_start_seconds": round(pool_start, 2)}
    for mode in ("plain", "single", "workers"):
        sec = seconds[mode]
        out[mode] = {"seconds": round(sec, 2), "cpu_seconds": round(cpu[mode], 2),
                     "words_per_sec": round(n_words / sec, 1), "articles_per_sec": round(n_docs / sec, 2),
                     **(totals(mode) if mode != "plain" else {})}
    out["single_over_plain"] = round(seconds["plain"] / seconds["single"], 3)
    out["single_over_plain_cpu"] = round(cpu["plain"] / cpu["single"], 3)
    out["workers_over_single"] = round(seconds["single"] / seconds["workers"], 3)
    out["load_average"] = [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None
    return out


def format_ingest(result: dict[str, object]) -> str:
    """The ingest benchmark as a short table."""
    head = (f"bench ingest: {result['docs']:,} texts from {result['texts']}, {result['words']:,} words, "
            f"{result['rounds']} alternating rounds, batches of {result['batch']}")
    lines = [head, f"{'run':<26} {'seconds':>8} {'words/s':>9} {'articles/s':>11}  stored"]
    labels = {"plain": "plain spaCy nlp.pipe", "single": "ingest, single process",
              "workers": f"ingest, --workers {result['n_workers']}"}
    for mode, label in labels.items():
        r = result[mode]
        stored = "" if mode == "plain" else f"  {r['new']} new, {r['duplicates']} dup, {r['errors']} errors"  # type: ignore[index]
        lines.append(f"{label:<26} {r['seconds']:>8.1f} {r['words_per_sec']:>9,.0f} "  # type: ignore[index]
                     f"{r['articles_per_sec']:>11.2f}{stored}")  # type: ignore[index]
    lines.append(f"single / plain: {result['single_over_plain']:.2f}x (CPU time: {result['single_over_plain_cpu']:.2f}x)"
                 f"   workers / single: {result['workers_over_single']:.2f}x   (worker pool start, not timed: "
                 f"{result['pool_start_seconds']:.1f} s; load average after the run "
                 f"{', '.join(str(x) for x in result['load_average'] or [])})")
    return "\n".join(lines)
