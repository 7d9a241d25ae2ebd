"""``python -m analysis``: a thin shell over the library. Each command is one library call.

Commands: ingest, stats, extract, reextract, evaluate (html | conll PATH | seed | events | dev),
export, curate, brief, bench.
The database is ``--db PATH``, else ``CHANCERY_DB``, else data/chancery.db.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Iterator, TextIO

from analysis import config


def _add_db(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", metavar="PATH", help="database file (default: $CHANCERY_DB or data/chancery.db)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m analysis",
        description="Chancery: diplomacy-news analytics. Ingest news, extract officials, visits, "
                    "meetings and topics, and query the store.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("ingest", help="ingest files, folders, URLs, RSS/Atom feeds, CSV/JSONL",
                       description="Ingest sources into the store. Bad items are recorded as errors and the "
                                   "rest lands; articles are written in input order, a batch per transaction "
                                   "and each article in a savepoint. Re-running adds nothing; a killed ingest "
                                   "is completed by the next run.")
    _add_db(p)
    p.add_argument("sources", nargs="*", metavar="SOURCE", help="file, folder, URL or feed")
    p.add_argument("--no-fetch", action="store_true", help="never use the network (feed entries keep their own text)")
    p.add_argument("--workers", type=int, default=1, metavar="N",
                   help="extract in N worker processes while this one reads and writes (default 1: in this "
                        "process); the store is the same whatever N")
    p.add_argument("--extracted", metavar="DIR",
                   help="load the shards of `extract --engine dask --out DIR` instead of SOURCEs: the same "
                        "writes (duplicates, events, corrections), no spaCy")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")

    p = sub.add_parser("stats", help="counts of articles, entities, events and errors",
                       description="Print the store's counts.")
    _add_db(p)
    p.add_argument("--json", action="store_true", help="print one JSON object")

    p = sub.add_parser("extract", help="extract from JSON Lines, .txt or .html files (writes nothing); "
                                       "--engine dask: a backfill into shards",
                       description="Read JSON Lines ({id, title, text|html, published, url}) from the files "
                                   "or standard input, or .txt/.md/.html files directly, and write one JSON "
                                   "line per input to standard output. Nothing is written to the store. "
                                   "With --engine dask, map the extraction with Dask over files and folders "
                                   "read as an ingest reads them (on this machine's processes, or the cluster "
                                   "of --scheduler) and write JSON Lines shards of clean articles and their "
                                   "extraction into --out DIR, for `ingest --extracted DIR`.")
    p.add_argument("files", nargs="*", metavar="FILE",
                   help=".jsonl, .txt, .md or .html (default: stdin); with --engine dask also folders, CSV, feeds")
    p.add_argument("--engine", choices=["local", "dask"], default="local",
                   help="local (default): this process, to standard output | dask: a backfill into --out")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="dask: a dask.distributed scheduler (tcp://host:8786); inputs and --out on a filesystem "
                        "its workers share (default: this machine's processes)")
    p.add_argument("--partitions", type=int, metavar="N", help="dask: partitions, one shard each (default: "
                                                             "about 1 MB of input each, at least 2 per worker)")
    p.add_argument("--out", metavar="DIR", help="dask: the folder for the shards (new or empty)")

    p = sub.add_parser("reextract", help="run extraction again over the stored articles",
                       description="Replace every article's extracted mentions, roles, events and topics "
                                   "with the current pipeline's output.")
    _add_db(p)
    p.add_argument("--quiet", action="store_true", help="no progress bar")

    p = sub.add_parser("evaluate", help="evaluation tables: html | conll [PATH] | seed | events | dev",
                       description="Score the system against third-party gold data in ../shared/eval "
                                   "('events': the store's events against ../shared/facts/events.csv; "
                                   "without --db on a new store of the sample corpus and the seed; "
                                   "'dev': visits, meetings and people's countries on the annotated "
                                   "development sets, or --set blind on our blind set).")
    p.add_argument("what", choices=["html", "conll", "seed", "events", "dev"], help="which evaluation")
    _add_db(p)
    p.add_argument("path", nargs="?", help="CoNLL-2003 file for 'conll'")
    p.add_argument("--limit", type=int, default=None, help="only the first N documents/pages")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--set", default="all", help="for 'dev': dev | agnews-a | blind | blind-bbc | blind-conll | blind-valid | all")
    p.add_argument("--errors", action="store_true", help="for 'dev': print every disagreement")

    p = sub.add_parser("export", help="export events (JSON Lines, CSV) or FollowTheMoney entities (ftm)",
                       description="Write every event under the filters as JSON Lines or CSV: key, kind, "
                                   "cameo, date, status, visitor, countries, place, people, reports, "
                                   "outlets, first_reported, articles, evidence.")
    p.add_argument("what", choices=["events", "ftm"],
                   help="events (JSON Lines or CSV) | ftm (FollowTheMoney entities for Aleph, JSON Lines)")
    _add_db(p)
    p.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
    p.add_argument("--out", metavar="FILE", help="write here (default: standard output)")
    p.add_argument("--from", dest="start", metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="end", metavar="YYYY-MM-DD")
    p.add_argument("--country", action="append", default=[], metavar="ISO3")
    p.add_argument("--pair", type=_pair_arg, metavar="ISO3-ISO3",
                   help="only events between these two countries, either direction (PAK-AFG)")
    p.add_argument("--kind", action="append", default=[], help="event kind (repeatable; default all)")

    p = sub.add_parser("curate", help="correct facts: reject/confirm/set/merge events, merge/split entities, undo",
                       description="Analysts' corrections. Each is a row of the curation log (who, when, "
                                   "why, old and new value) and holds across reextract and new ingests. "
                                   "Event keys are in `export events` and on the Visits page; entity keys "
                                   "look like person:ishaq-dar or country:PAK.")
    _add_db(p)
    p.add_argument("--by", metavar="NAME", help="who makes the correction (default: the OS user)")
    cs = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, helptext, args in (
            ("reject-event", "not a real event, or a background mention", ["KEY"]),
            ("confirm-event", "mark an event as checked", ["KEY"]),
            ("set-event", "correct an event's date, status or place", ["KEY"]),
            ("merge-events", "two events that are one: the second joins the first", ["KEEP", "OTHER"]),
            ("move-report", "take one report (HASH:SENTENCE:KIND, as `curate reports KEY` lists them) out of an "
                            "event into an event of its own", ["KEY", "REPORT"]),
            ("merge-entities", "one entity written two ways: OTHER becomes part of KEEP", ["KEEP", "OTHER"]),
            ("split-alias", "a name form wrongly taken for ENTITY becomes its own entity", ["ENTITY", "ALIAS"]),
            ("set-country", "set an entity's country", ["ENTITY", "ISO3"]),
            ("reject-entity", "not a person, organisation or place at all: remove it, keep its mentions as text",
             ["KEY"]),
            ("set-role", "give a person a role with its country and dates", ["ENTITY", "TITLE"]),
            ("set-date", "give an article (its id, or content hash) its publication date; `curate undated` "
                         "lists the articles without one", ["ARTICLE", "DAY"]),
            ("undo", "undo a correction by its log id", ["ID"])):
        q = cs.add_parser(name, help=helptext, description=helptext)
        for a in args:
            q.add_argument(a.lower(), metavar=a)
        q.add_argument("--why", metavar="TEXT", help="the reason, kept in the log")
        if name == "set-event":
            q.add_argument("--date", metavar="YYYY[-MM[-DD]]")
            q.add_argument("--status", help="occurred | planned | cancelled")
            q.add_argument("--place", metavar="PLACE")
        if name == "set-role":
            q.add_argument("--country", metavar="ISO3")
            q.add_argument("--from", dest="start", metavar="YYYY-MM-DD")
            q.add_argument("--to", dest="end", metavar="YYYY-MM-DD")
    q = cs.add_parser("undated", help="the articles without a publication date (in no dated view)")
    q.add_argument("--limit", type=int, default=200)
    q = cs.add_parser("reports", help="the reports of an event, with the references move-report takes")
    q.add_argument("key", metavar="KEY")
    q = cs.add_parser("log", help="the curation log (orphaned corrections marked)")
    q.add_argument("--format", choices=["table", "jsonl"], default="table")
    q = cs.add_parser("import", help="add corrections from a JSON Lines log (from `curate log --format jsonl`)")
    q.add_argument("file", metavar="FILE")

    p = sub.add_parser("brief", help="a briefing note with numbered references (md, docx, html)",
                       description="Write a briefing note built from the store's curated facts: key "
                                   "figures, the events of the period by country pair, what is new since "
                                   "a day, who met whom, quotes, a timeline figure, and a numbered "
                                   "reference (outlet, title, date, URL, the sentence) for every event. "
                                   "Rejected events never appear; corrected ones appear corrected.")
    _add_db(p)
    p.add_argument("--country", action="append", default=[], metavar="ISO3", help="repeatable")
    p.add_argument("--pair", type=_pair_arg, metavar="ISO3-ISO3",
                   help="only events between these two countries, either direction (PAK-AFG)")
    p.add_argument("--person", action="append", default=[], metavar="KEY", help="entity key, repeatable")
    p.add_argument("--from", dest="start", metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="end", metavar="YYYY-MM-DD")
    p.add_argument("--since", metavar="YYYY-MM-DD", help="list what is new since this day")
    p.add_argument("--title", help="the note's title (default: from the scope)")
    p.add_argument("--format", choices=["md", "docx", "html"], required=True)
    p.add_argument("--out", metavar="FILE", required=True)

    p = sub.add_parser("bench", help="benchmarks: extraction words/s vs plain spaCy | ingest | network costs",
                       description="'extraction' (default): extraction speed on the BBC texts in "
                                   "../shared/eval/bbc against the plain spaCy model. 'ingest': plain spaCy "
                                   "nlp.pipe, a single-process ingest and a --workers ingest into fresh stores, "
                                   "on the same texts in the same run (words/s, articles/s, ratios). 'network': "
                                   "milliseconds of each step of the Network page on a store.")
    p.add_argument("what", nargs="?", choices=["extraction", "ingest", "network", "corpus", "store", "pages",
                                               "browser"],
                   default="extraction",
                   help="extraction | ingest | network | corpus: ingest the real texts a benchmark store starts "
                        "from (the sample corpus, the BBC texts, the AG News test rows) into a new --db, with "
                        "--workers | store: build a benchmark store of --articles N by "
                        "replicating the real articles (and all their facts) of --from STORE into --db OUT, dates "
                        "spread, full-text indexes filled; it measures reads, not extraction | pages: cold and warm "
                        "median ms of every read a page makes on --db, and the ratio to a 1,000-article cut | "
                        "browser: seconds for each page's first visit to a fresh server to settle in headless "
                        "Chromium, on --db and a 1,000-article cut, and the dashboard's peak memory")
    p.add_argument("--texts", metavar="DIR", help="ingest: the .txt files under DIR (default ../shared/eval/bbc/raw)")
    p.add_argument("--limit", type=int, metavar="N", help="ingest: N of the texts, evenly spread (default all)")
    p.add_argument("--workers", type=int, default=2, metavar="N", help="ingest: worker processes (default 2)")
    p.add_argument("--rounds", type=int, default=3, metavar="K",
                   help="ingest: the texts in K slices, the three runs alternating on each (default 3)")
    _add_db(p)
    p.add_argument("--articles", type=int, help="store: how many articles the new store holds")
    p.add_argument("--from", dest="source", metavar="STORE", help="store: the real, ingested store to replicate")
    p.add_argument("--docs", type=int, default=200, help="number of BBC texts (default 200)")
    p.add_argument("--repeat", type=int, default=3, help="network: best of N runs; pages: warm runs, the median reported (default 3)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler = globals()[f"cmd_{args.command}"]
    try:
        return handler(args) or 0
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader stopped early (`... | head`): not an error
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - a store problem is one clear line, not a traceback
        import sqlite3

        from analysis import store

        if isinstance(exc, sqlite3.DatabaseError):
            exc = store.describe_error(exc, config.db_path(getattr(args, "db", None)))
        if isinstance(exc, store.StoreError):
            print(f"error: {exc}", file=sys.stderr)
            return 2
        raise


def _pair_arg(value: str) -> tuple[str, str]:
    """``--pair PAK-AFG``: two different ISO 3166-1 alpha-3 codes."""
    import pycountry

    from analysis.views.filters import parse_pair

    pair = parse_pair(value)
    if pair is None or not all(pycountry.countries.get(alpha_3=c) for c in pair):
        raise argparse.ArgumentTypeError(
            f"{value!r} is not two different ISO 3166-1 alpha-3 country codes joined by a hyphen (PAK-AFG)")
    return pair


def cmd_ingest(args: argparse.Namespace) -> int:
    from analysis.ingest import ingest_sources

    progress = not args.quiet and sys.stderr.isatty()
    if args.workers < 1:
        raise ValueError("--workers must be 1 or more")
    if args.extracted:
        from analysis.ingest import ingest_extracted

        if args.sources:
            raise ValueError("give either SOURCEs or --extracted DIR, not both")
        if args.workers != 1:
            raise ValueError("--extracted loads extraction results: there is nothing for --workers to extract")
        summary = ingest_extracted(args.db, args.extracted, progress=progress)
        if not summary["manifest"]:
            print(f"warning: {args.extracted} has no manifest.json (an extraction that did not finish?); "
                  f"loaded the {summary['shards']} shards found", file=sys.stderr)
    elif not args.sources:
        raise ValueError("give one or more SOURCEs (files, folders, URLs, feeds), or --extracted DIR")
    else:
        summary = ingest_sources(args.db, args.sources, progress=progress, fetch=not args.no_fetch,
                                 workers=args.workers)
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
        return 0
    for msg in summary["error_messages"]:
        print(f"error: {msg}", file=sys.stderr)
    print(f"{summary['new']} new, {summary['duplicates']} duplicates, "
          f"{summary['unchanged']} already stored, {summary['errors']} errors "
          f"({config.db_path(args.db)})")
    if summary.get("undated"):
        print(f"warning: {summary['undated']} of the new articles have no publication date, so they are in no "
              "dated view; give them one with `python -m analysis curate set-date ARTICLE YYYY-MM-DD`, "
              "in the files' front matter (date: ...), or on the Data page", file=sys.stderr)
    return 0


def _readable(path: Path) -> None:
    """Refuse a damaged, foreign or newer store with its one-line reason; upgrade an older one
    (its numbered migrations) before it is read, as the dashboard does."""
    from analysis import store

    problem = store.store_problem(path)
    if problem:
        raise store.StoreError(problem, path)
    store.upgrade_if_older(path)


def cmd_stats(args: argparse.Namespace) -> int:
    from analysis import store

    path = config.db_path(args.db)
    if not path.exists():
        raise FileNotFoundError(f"no database at {path}; run: python -m analysis ingest --db {path} SOURCE")
    _readable(path)
    conn = store.connect_ro(path)
    try:
        counts = store.stats(conn)
    finally:
        conn.close()
    if args.json:
        print(json.dumps(counts))
    else:
        width = max(map(len, counts))
        for k, v in counts.items():
            print(f"{k:<{width}}  {v:,}")
    return 0


def _extract_inputs(files: list[str], stdin: TextIO) -> Iterator[dict[str, Any] | Exception]:
    """Input records for ``extract``: JSON Lines from files or stdin; text/HTML files as one record."""
    from analysis.ingest import prepare
    from analysis.ingest.sources import Item, iter_file

    def jsonl(lines, name):
        for n, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
                if not isinstance(rec, dict):
                    raise ValueError("not an object")
                yield rec
            except ValueError as exc:
                yield ValueError(f"{name} line {n}: invalid JSON ({exc})")

    if not files:
        yield from jsonl(stdin, "stdin")
        return
    for f in files:
        path = Path(f)
        if path.suffix.lower() in (".jsonl", ".ndjson"):
            with path.open(encoding="utf-8", errors="replace") as fh:
                yield from jsonl(fh, f)
            continue
        if not path.exists():
            yield FileNotFoundError(f"no such file: {f}")
            continue
        for item in iter_file(path):
            if not isinstance(item, Item):
                yield ValueError(f"{f}: {item.message}")
                continue
            try:
                art = prepare(item)
            except Exception as exc:  # noqa: BLE001
                yield ValueError(f"{f}: {exc}")
                continue
            yield {"id": item.item and f"{path.name}#{item.item}" or path.name, "title": art["title"],
                   "text": art["text"], "published": art["published"], "url": art["url"], "clean": True}


def cmd_extract(args: argparse.Namespace) -> int:
    if args.engine == "dask":
        return _extract_dask(args)
    if args.scheduler or args.partitions or args.out:
        raise ValueError("--scheduler, --partitions and --out go with --engine dask")
    from analysis.extract import extract
    from analysis.ingest import clean_record

    status = 0
    for rec in _extract_inputs(args.files, sys.stdin):
        if isinstance(rec, Exception):
            print(json.dumps({"error": str(rec)}, ensure_ascii=False))
            print(f"error: {rec}", file=sys.stderr)
            status = 1
            continue
        try:
            out = extract(clean_record(rec))
        except Exception as exc:  # noqa: BLE001 - one line per input, in order
            out = {"id": rec.get("id"), "error": f"extraction failed: {exc}"}
            status = 1
        out.pop("clean", None)
        print(json.dumps(out, ensure_ascii=False), flush=True)
    return status


def _extract_dask(args: argparse.Namespace) -> int:
    import time

    from analysis.ingest import extract_to_shards

    if not args.files:
        raise ValueError("--engine dask reads files and folders: give one or more IN")
    if not args.out:
        raise ValueError("--engine dask needs --out DIR (the folder for the shards)")
    if args.partitions is not None and args.partitions < 1:
        raise ValueError("--partitions must be 1 or more")
    t0 = time.perf_counter()
    m = extract_to_shards(args.files, args.out, scheduler=args.scheduler, partitions=args.partitions)
    print(f"{m['lines']:,} items from {m['files']:,} files in {m['partitions']} shards in {args.out} "
          f"(extractor {m['extractor_version']}, {time.perf_counter() - t0:.1f} s); load them with "
          f"python -m analysis ingest --extracted {args.out}", file=sys.stderr)
    return 0


def cmd_reextract(args: argparse.Namespace) -> int:
    from analysis.ingest import reextract

    path = config.db_path(args.db)
    if not path.exists():
        raise FileNotFoundError(f"no database at {path}")
    res = reextract(path, progress=not args.quiet and sys.stderr.isatty())
    for msg in res["error_messages"]:
        print(f"error: {msg}", file=sys.stderr)
    print(f"re-extracted {res['articles']} articles with extractor {res['extractor_version']}; "
          f"{res['failed']} failed; {res['pruned_entities']} unreferenced entities removed")
    return 1 if res["failed"] else 0


def cmd_export(args: argparse.Namespace) -> int:
    from analysis.views import queries
    from analysis.views.filters import Filters
    from analysis.views.safe import csv_bytes

    path = config.db_path(args.db)
    if not path.exists():
        raise FileNotFoundError(f"no database at {path}")
    _readable(path)
    f = Filters(start=args.start, end=args.end, countries=tuple(args.country), pair=args.pair or ())
    if args.what == "ftm":
        from analysis.views import ftm

        out = open(args.out, "w", encoding="utf-8") if args.out else sys.stdout
        n = 0
        try:
            for line in ftm.export_lines(path, f):
                out.write(line)
                n += 1
        finally:
            if args.out:
                out.close()
        if args.out:
            print(f"{n} FollowTheMoney entities written to {args.out}", file=sys.stderr)
        return 0
    df = queries.export_events(path, f, tuple(args.kind) or None)
    if args.format == "csv":
        data = csv_bytes(df)
    else:
        data = "".join(json.dumps({k: (None if v != v else v) for k, v in row.items()}, ensure_ascii=False,
                                  default=str) + "\n" for row in df.to_dict("records")).encode("utf-8")
    if args.out:
        Path(args.out).write_bytes(data)
        print(f"{len(df)} events written to {args.out}", file=sys.stderr)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    if args.what == "events":
        from analysis.evaluate import events as eval_events

        return eval_events.main((["--db", args.db] if args.db else []) + (["--json"] if args.json else []))
    if args.what == "dev":
        from analysis.evaluate import dev as eval_dev

        return eval_dev.main(["--set", args.set] + (["--errors"] if args.errors else [])
                             + (["--json"] if args.json else []))
    if args.what == "html":
        from analysis.evaluate import html as eval_html

        result = eval_html.evaluate_html(limit=args.limit) if args.limit else eval_html.evaluate_html()
        print(json.dumps(result, default=str) if args.json else eval_html.format_report(result))
        return 0
    from analysis.evaluate import nlp as eval_nlp

    if args.what == "conll":
        if not args.path:
            args.path = str(config.SHARED_DIR / "eval" / "conll2003" / "test.txt")
        result = eval_nlp.evaluate_conll(args.path, limit_docs=args.limit)
        print(json.dumps(result, default=str) if args.json else eval_nlp.format_conll(result))
        return 0
    result = eval_nlp.evaluate_seed()
    print(json.dumps(result, default=str) if args.json else eval_nlp.format_seed(result))
    return 0 if result.get("passed", True) else 1


def cmd_curate(args: argparse.Namespace) -> int:
    from analysis.views import curate

    path = config.db_path(args.db)
    if not path.exists():
        raise FileNotFoundError(f"no database at {path}")
    _readable(path)
    act = args.action
    if act == "log":
        if args.format == "jsonl":
            sys.stdout.write(curate.export_jsonl(path))
            return 0
        df = curate.log_frame(path)
        orphaned = set(curate.orphans(path)["id"])
        if df.empty:
            print("no corrections yet")
        for r in df.itertuples():
            flags = " [undone]" if isinstance(r.undone_at, str) else (" [orphaned]" if r.id in orphaned else "")
            print(f"{r.id:>4}  {str(r.at)[:19]}  {r.analyst}  {r.action} {r.target_key}"
                  f"{'  ' + r.change if r.change else ''}{'  (was ' + r.was + ')' if r.was else ''}"
                  f"{'  why: ' + r.note if isinstance(r.note, str) else ''}{flags}")
        return 0
    if act == "undated":
        from analysis.views import queries

        df = queries.undated_articles(path, limit=args.limit)
        total = queries.summary(path)["undated"]
        print(f"{total} article(s) without a publication date" + (f"; the first {len(df)}:" if total > len(df) else ":"))
        for r in df.itertuples():
            print(f"{r.id:>6}  {r.content_hash[:16]}  {r.source}  {str(r.title or '')[:70]}")
        return 0
    if act == "reports":
        df = curate.reports(path, args.key)
        if df.empty:
            raise curate.CurationError(f"no event with key {args.key!r}")
        for r in df.itertuples():
            print(f"{r.report}  {r.published or 'undated'}  {str(r.title)[:60]}  |  {str(r.evidence)[:100]}")
        return 0
    try:
        if act == "import":
            res = curate.import_jsonl(path, Path(args.file).read_text(encoding="utf-8"))
            print(f"{res['added']} corrections added, {res['skipped']} already in the log, "
                  f"{res['orphaned']} orphaned (target not in this store)")
            return 0
        kw: dict[str, Any] = {"why": args.why, "by": args.by}
        if act == "set-event":
            pos: list[Any] = [args.key]
            kw.update(date=args.date, status=args.status, place=args.place)
        elif act in ("merge-events", "merge-entities"):
            pos = [args.keep, args.other]
        elif act == "move-report":
            pos = [args.key, args.report]
        elif act == "set-role":
            pos = [args.entity, args.title]
            kw.update(country=args.country, start=args.start, end=args.end)
        elif act == "split-alias":
            pos = [args.entity, args.alias]
        elif act == "set-country":
            pos = [args.entity, args.iso3]
        elif act == "set-date":
            act, pos = "set-article-date", [args.article, args.day]
        elif act == "undo":
            if not args.id.isdigit():
                raise curate.CurationError(f"undo takes a log id (a number), not {args.id!r}")
            pos = [int(args.id)]
        else:
            pos = [args.key]
        log_id = curate.apply(path, act, *pos, **kw)
    except curate.CurationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{act} recorded as correction {log_id} ({config.db_path(args.db)})")
    return 0


def cmd_brief(args: argparse.Namespace) -> int:
    import datetime
    import time

    import pycountry

    from analysis.views import brief

    path = config.db_path(args.db)
    if not path.exists():
        raise FileNotFoundError(f"no database at {path}")
    _readable(path)
    for name in ("start", "end", "since"):
        value = getattr(args, name)
        if value:
            try:
                datetime.date.fromisoformat(value)
            except ValueError:
                raise ValueError(f"--{'from' if name == 'start' else 'to' if name == 'end' else name} "
                                 f"must be a day as YYYY-MM-DD, not {value!r}") from None
    codes = tuple(c.strip().upper() for c in args.country)
    for c in codes:
        if not pycountry.countries.get(alpha_3=c):
            raise ValueError(f"--country {c!r} is not an ISO 3166-1 alpha-3 code (e.g. PAK, AFG)")
    t0 = time.perf_counter()
    scope = brief.Scope(countries=codes, pair=args.pair or (), people=tuple(args.person), start=args.start, end=args.end,
                        since=args.since, title=args.title)
    note = brief.build(path, scope)
    Path(args.out).write_bytes(brief.render(note, args.format))
    print(f"{len(note['events'])} events, {len(note['references'])} references written to {args.out} "
          f"({time.perf_counter() - t0:.1f} s)", file=sys.stderr)
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    if args.what == "corpus":
        from analysis.evaluate import bench

        if not args.db:
            raise ValueError("bench corpus needs --db OUT (a new file)")
        summary = bench.build_corpus(args.db, workers=args.workers, progress=sys.stderr.isatty())
        print(json.dumps(summary, ensure_ascii=False) if args.json else
              f"{summary['new']} new, {summary['duplicates']} duplicates, {summary['errors']} errors ({args.db})")
        return 0
    if args.what == "store":
        import time

        from analysis.store import replicate

        if not args.articles or not args.source or not args.db:
            raise ValueError("bench store needs --articles N --from STORE --db OUT")
        t0 = time.perf_counter()
        counts = replicate.replicate(args.source, args.db, args.articles)
        print(json.dumps(counts) if args.json else
              f"{counts['articles']:,} articles ({counts['events']:,} events, {counts['mentions']:,} mentions) "
              f"replicated from {args.source} into {args.db} in {time.perf_counter() - t0:.1f} s")
        return 0
    if args.what == "pages":
        from analysis.evaluate import bench

        path = config.db_path(args.db)
        if not path.exists():
            raise FileNotFoundError(f"no database at {path}")
        result = bench.pages_bench(path, repeat=args.repeat)
        print(json.dumps(result, indent=2) if args.json else bench.format_pages(result))
        return 0
    if args.what == "browser":
        from analysis.evaluate import browser

        path = config.db_path(args.db)
        if not path.exists():
            raise FileNotFoundError(f"no database at {path}")
        result = browser.browser_bench(path)
        print(json.dumps(result, indent=2) if args.json else browser.format_browser(result))
        return 0
    if args.what == "network":
        from analysis.evaluate import bench

        print(json.dumps(bench.network_costs(config.db_path(args.db), repeat=args.repeat), indent=2))
        return 0
    if args.what == "ingest":
        from analysis.evaluate import bench

        result = bench.ingest_bench(args.texts, limit=args.limit, workers=args.workers, rounds=args.rounds)
        print(json.dumps(result, indent=2) if args.json else bench.format_ingest(result))
        return 0
    from analysis.evaluate import nlp as eval_nlp

    result = eval_nlp.bench(n_docs=args.docs)
    print(json.dumps(result, default=str) if args.json else eval_nlp.format_bench(result))
    return 0
