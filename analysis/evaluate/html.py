"""``python -m analysis evaluate html``: our HTML cleaning vs plain ``trafilatura.extract``.

Data (read at run time from ``../shared/eval/html-extraction``, never copied into the repo):

- ``scrapinghub-aeb``: 181 pages with gold ``articleBody``; mean per-page bag-of-words F1
  (lower-cased ``\\w+`` tokens, multiset overlap).
- ``fundus-en``: 84 pages with gold title, publishing date and body; titles must match exactly
  (whitespace-normalised), dates on the day, body F1 for information.
- ``trafilatura-en`` (optional, information): share of "with" snippets found and "without"
  snippets absent.

"Plain" is ``trafilatura.extract(html, url=url, with_metadata=True, output_format="json")`` with
default options; "ours" is :func:`analysis.ingest.cleaning.clean_html`.
"""
from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from analysis import config
from analysis.ingest.cleaning import clean_html

_TOKEN = re.compile(r"\w+", re.UNICODE)

#: Targets from the task brief, checked by the tests and shown in the report.
TARGETS = {"aeb_f1": 0.95, "fundus_title_share": 0.85, "fundus_date_share": 0.95}


def default_root() -> Path:
    """``../shared/eval/html-extraction`` beside the repository."""
    return config.SHARED_DIR / "eval" / "html-extraction"


def bow_prf(gold: str, pred: str | None) -> tuple[float, float, float]:
    """Bag-of-words precision, recall and F1 of ``pred`` against ``gold``.

    Tokens are lower-cased ``\\w+`` runs, compared as multisets. An empty prediction scores 0
    against a non-empty gold; two empty texts score 1.
    """
    g = Counter(_TOKEN.findall((gold or "").lower()))
    p = Counter(_TOKEN.findall((pred or "").lower()))
    tp = sum((g & p).values())
    n_p, n_g = sum(p.values()), sum(g.values())
    if not n_p and not n_g:
        return 1.0, 1.0, 1.0
    prec = tp / n_p if n_p else 0.0
    rec = tp / n_g if n_g else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return prec, rec, f1


def _norm(s: str | None) -> str:
    return " ".join((s or "").split())


def _read_gz(path: Path) -> str:
    return gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")


def _plain(html: str, url: str | None) -> dict[str, Any]:
    """Plain trafilatura with default options: the body from ``trafilatura.extract`` (text
    output), title and date from ``trafilatura.extract_metadata``."""
    import trafilatura

    text = trafilatura.extract(html, url=url)
    meta = trafilatura.extract_metadata(html, default_url=url)
    return {"title": meta.title if meta else None, "author": meta.author if meta else None,
            "published": ((meta.date if meta else None) or "")[:10] or None, "text": text}


def _ours(html: str, url: str | None) -> dict[str, Any]:
    try:
        return clean_html(html, url=url)
    except ValueError:
        return {}


def _timed(fn: Callable[[str, str | None], dict], html: str, url: str | None, acc: list[float]) -> dict:
    t0 = time.perf_counter()
    out = fn(html, url)
    acc.append(time.perf_counter() - t0)
    return out


def evaluate_html(root: Path | None = None, with_snippets: bool = True, limit: int | None = None) -> dict[str, Any]:
    """Run both extractors over the evaluation sets and return the figures.

    :param root: the ``html-extraction`` folder (default: :func:`default_root`).
    :param with_snippets: also run the trafilatura-en snippet checks (information only).
    :param limit: only the first N pages of each set (quick runs; targets need all pages).
    :returns: ``{"systems": {"ours": {...}, "plain": {...}}, "counts": {...}, "failures": {...}}``.
    :raises FileNotFoundError: when the evaluation data is missing.
    """
    root = Path(root) if root else default_root()
    if not root.exists():
        raise FileNotFoundError(f"evaluation data not found: {root}")
    systems = {"ours": _ours, "plain": _plain}
    res: dict[str, dict[str, Any]] = {k: {"times": []} for k in systems}
    failures: dict[str, list[dict]] = {k: [] for k in systems}

    # Zyte / scrapinghub article-extraction-benchmark
    gt = json.loads((root / "scrapinghub-aeb" / "ground-truth.json").read_text(encoding="utf-8"))
    if limit:
        gt = dict(list(gt.items())[:limit])
    for key, item in gt.items():
        html = _read_gz(root / "scrapinghub-aeb" / "html" / f"{key}.html.gz")
        for name, fn in systems.items():
            out = _timed(fn, html, item.get("url"), res[name]["times"])
            res[name].setdefault("aeb", []).append(bow_prf(item.get("articleBody", ""), out.get("text")))

    # fundus English pages
    expected = json.loads((root / "fundus-en" / "expected.json").read_text(encoding="utf-8"))[:limit or None]
    for rec in expected:
        html = _read_gz(root / "fundus-en" / rec["file"])
        gold_day = (rec.get("publishing_date") or "")[:10] or None
        for name, fn in systems.items():
            out = _timed(fn, html, rec.get("url"), res[name]["times"])
            r = res[name]
            title_ok = _norm(out.get("title")) == _norm(rec.get("title"))
            date_ok = (out.get("published") or None) == gold_day
            r["titles"] = r.get("titles", 0) + title_ok
            r["dates"] = r.get("dates", 0) + date_ok
            gold_authors = rec.get("authors") if isinstance(rec.get("authors"), list) else []
            ours_authors = [a.strip() for a in (out.get("author") or "").split(";") if a.strip()]
            r["authors"] = r.get("authors", 0) + (set(gold_authors) == set(ours_authors))
            r.setdefault("fundus_f1", []).append(bow_prf(rec.get("body_text", ""), out.get("text"))[2])
            if not (title_ok and date_ok):
                failures[name].append({"file": rec["file"], "title": out.get("title"), "gold_title": rec.get("title"),
                                       "published": out.get("published"), "gold_date": gold_day})

    counts = {"aeb": len(gt), "fundus": len(expected)}
    # trafilatura-en snippets (information)
    snip_path = root / "trafilatura-en" / "evaldata_en.json"
    if with_snippets and snip_path.exists():
        entries = json.loads(snip_path.read_text(encoding="utf-8"))
        if isinstance(entries, dict):
            entries = [dict(v, url=v.get("url") or k) for k, v in entries.items()]
        entries = entries[:limit or None]
        counts["snippet_pages"] = len(entries)
        for e in entries:
            name_ = Path(e.get("file") or e.get("source_path") or "").name
            path = root / "trafilatura-en" / "html" / f"{name_}.gz"
            if not name_ or not path.is_file():
                continue
            html = _read_gz(path) if path.suffix == ".gz" else path.read_text(encoding="utf-8", errors="replace")
            for name, fn in systems.items():
                out = _timed(fn, html, e.get("url"), res[name]["times"])
                text = _norm(out.get("text"))
                r = res[name]
                w, wo = e.get("with") or [], e.get("without") or []
                r["with_found"] = r.get("with_found", 0) + sum(1 for s in w if _norm(s) in text)
                r["without_absent"] = r.get("without_absent", 0) + sum(1 for s in wo if _norm(s) not in text)
                r["with_total"] = r.get("with_total", 0) + len(w)
                r["without_total"] = r.get("without_total", 0) + len(wo)
                if e.get("title"):
                    r["tf_titles"] = r.get("tf_titles", 0) + (_norm(out.get("title")) == _norm(e["title"]))
                    r["tf_titles_total"] = r.get("tf_titles_total", 0) + 1
                if e.get("date"):
                    r["tf_dates"] = r.get("tf_dates", 0) + ((out.get("published") or "") == e["date"][:10])
                    r["tf_dates_total"] = r.get("tf_dates_total", 0) + 1

    summary: dict[str, dict[str, Any]] = {}
    for name, r in res.items():
        aeb = r.get("aeb", [])
        s = {
            "aeb_f1": statistics.mean(x[2] for x in aeb) if aeb else 0.0,
            "aeb_precision": statistics.mean(x[0] for x in aeb) if aeb else 0.0,
            "aeb_recall": statistics.mean(x[1] for x in aeb) if aeb else 0.0,
            "fundus_titles": r.get("titles", 0),
            "fundus_dates": r.get("dates", 0),
            "fundus_authors": r.get("authors", 0),
            "fundus_f1": statistics.mean(r["fundus_f1"]) if r.get("fundus_f1") else 0.0,
            "pages": len(r["times"]),
            "seconds": sum(r["times"]),
            "ms_per_page": 1000 * statistics.mean(r["times"]) if r["times"] else 0.0,
        }
        if "with_total" in r:
            s["snippets_with"] = (r["with_found"], r["with_total"])
            s["snippets_without"] = (r["without_absent"], r["without_total"])
            s["snippet_titles"] = (r.get("tf_titles", 0), r.get("tf_titles_total", 0))
            s["snippet_dates"] = (r.get("tf_dates", 0), r.get("tf_dates_total", 0))
        summary[name] = s
    return {"systems": summary, "counts": counts, "failures": failures, "targets": dict(TARGETS), "limit": limit}


def format_report(result: dict[str, Any]) -> str:
    """One plain-text table: ours vs plain trafilatura, with the targets."""
    o, p = result["systems"]["ours"], result["systems"]["plain"]
    c = result["counts"]
    t = result["targets"]
    nf = c["fundus"]

    def frac(n: int) -> str:
        return f"{n}/{nf} ({100 * n / nf:.1f}%)" if nf else "-"

    rows = [
        ("metric", "ours", "plain trafilatura", "target (ours)"),
        (f"AEB body F1 (mean, {c['aeb']} pages)", f"{o['aeb_f1']:.4f}", f"{p['aeb_f1']:.4f}", f">= {t['aeb_f1']:.2f}"),
        ("AEB body precision / recall", f"{o['aeb_precision']:.3f} / {o['aeb_recall']:.3f}",
         f"{p['aeb_precision']:.3f} / {p['aeb_recall']:.3f}", ""),
        ("fundus titles exact", frac(o["fundus_titles"]), frac(p["fundus_titles"]), f">= {t['fundus_title_share']:.0%}"),
        ("fundus dates (day)", frac(o["fundus_dates"]), frac(p["fundus_dates"]), f">= {t['fundus_date_share']:.0%}"),
        ("fundus author lists exact", frac(o["fundus_authors"]), frac(p["fundus_authors"]), "info"),
        ("fundus body F1 (mean)", f"{o['fundus_f1']:.4f}", f"{p['fundus_f1']:.4f}", "info"),
    ]
    if "snippets_with" in o:
        rows.append((f"trafilatura-en 'with' found ({c.get('snippet_pages', 0)} pages)",
                     "{}/{}".format(*o["snippets_with"]), "{}/{}".format(*p["snippets_with"]), "info"))
        rows.append(("trafilatura-en 'without' absent",
                     "{}/{}".format(*o["snippets_without"]), "{}/{}".format(*p["snippets_without"]), "info"))
        rows.append(("trafilatura-en titles exact",
                     "{}/{}".format(*o["snippet_titles"]), "{}/{}".format(*p["snippet_titles"]), "info"))
        rows.append(("trafilatura-en dates (day)",
                     "{}/{}".format(*o["snippet_dates"]), "{}/{}".format(*p["snippet_dates"]), "info"))
    rows.append(("time per page (ms)", f"{o['ms_per_page']:.1f}", f"{p['ms_per_page']:.1f}", "info"))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = []
    for i, r in enumerate(rows):
        lines.append("  ".join(cell.ljust(widths[j]) for j, cell in enumerate(r)).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    ok = (o["aeb_f1"] >= t["aeb_f1"] and o["fundus_titles"] >= t["fundus_title_share"] * nf
          and o["fundus_dates"] >= t["fundus_date_share"] * nf)
    lines.append("")
    if result.get("limit"):
        lines.append(f"partial run (first {result['limit']} pages of each set): targets not checked")
    else:
        lines.append("targets met" if ok else "TARGETS NOT MET")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Print the report; ``--failures`` also lists fundus pages where ours missed."""
    ap = argparse.ArgumentParser(prog="python -m analysis.evaluate.html", description=__doc__.splitlines()[0])
    ap.add_argument("--root", type=Path, default=None, help="html-extraction folder (default ../shared/...)")
    ap.add_argument("--no-snippets", action="store_true", help="skip the trafilatura-en snippet checks")
    ap.add_argument("--failures", action="store_true", help="list fundus title/date misses of ours")
    ap.add_argument("--limit", type=int, default=None, help="only the first N pages of each set")
    args = ap.parse_args(argv)
    result = evaluate_html(args.root, with_snippets=not args.no_snippets, limit=args.limit)
    print(format_report(result))
    if args.failures:
        for f in result["failures"]["ours"]:
            print(json.dumps(f, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
