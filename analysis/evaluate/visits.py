"""Visit precision and recall on a hand-judged set of AG News World items.

``python -m analysis.evaluate.visits [--annotations tests/data/agnews_visits_dev.json]``
reads the rows named in the annotation file from ``../shared/eval/agnews/test.csv``, extracts
title + description with :func:`analysis.extract.extract_many`, and prints precision, recall
and every disagreement. A predicted visit is right when its destination country equals the
judged one and its visitor country (or, when the judged country is null, the visitor's last
name) agrees. Domestic visits in the annotations are scored separately (the product codes
visits abroad).
"""
from __future__ import annotations

import argparse
import csv
import html
import json
import re
from pathlib import Path
from typing import Any

from analysis import config

DEFAULT_ANNOTATIONS = config.REPO_ROOT / "tests" / "data" / "agnews_visits_dev.json"


def agnews_text(s: str) -> str:
    """Undo the AG News escapes: backslash line breaks, '#39;' and 'quot;' entity residue."""
    s = s.replace("\\", " ")
    s = re.sub(r"\s?#(\d+);", lambda m: "&#" + m.group(1) + ";", s)
    s = re.sub(r"\bquot;", "&quot;", s)
    s = html.unescape(html.unescape(s))
    s = re.sub(r"<[^>]+>", " ", s)
    return " ".join(s.split())


def load_items(annotations: Path, csv_path: Path, mode: str = "joined") -> list[dict[str, Any]]:
    """Extractor input items for the annotated rows."""
    ann = json.loads(annotations.read_text(encoding="utf-8"))
    with open(csv_path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    items = []
    for a in ann["items"]:
        _, title, desc = rows[a["row"]][:3]
        title, desc = agnews_text(title), agnews_text(desc)
        item = {"id": str(a["row"]), "clean": True, "gold": a["visits"]}
        if mode == "joined":
            item.update(title=title, text=f"{title}.\n{desc}" if not title.endswith(".") else f"{title}\n{desc}")
        else:
            item.update(title=title, text=desc)
        items.append(item)
    return items


def _last(name: str | None) -> str:
    return (name or "").split()[-1].lower() if name else ""


def matches(pred: dict[str, Any], gold: dict[str, Any]) -> bool:
    """Whether a predicted visit is the judged one (see the module docstring)."""
    if pred.get("destination_country") != gold["destination_country"]:
        return False
    if gold.get("visitor_country"):
        return pred.get("visitor_country") == gold["visitor_country"] or (
            bool(gold.get("visitor")) and _last(pred.get("visitor")) == _last(gold["visitor"]))
    return bool(gold.get("visitor")) and _last(pred.get("visitor")) == _last(gold["visitor"])


def score(items: list[dict[str, Any]], outputs: list[dict[str, Any]],
          include_domestic: bool = False) -> dict[str, Any]:
    """Precision, recall and the disagreements."""
    tp = fp = fn = status_ok = 0
    errors = []
    for item, out in zip(items, outputs):
        gold = [g for g in item["gold"] if include_domestic or not g.get("domestic")]
        skip = [g for g in item["gold"] if g.get("domestic") and not include_domestic]
        preds = [e for e in out["events"] if e["kind"] == "visit"]
        used = set()
        for p in preds:
            hit = next((k for k, g in enumerate(gold) if k not in used and matches(p, g)), None)
            if hit is not None:
                used.add(hit)
                tp += 1
                status_ok += p.get("status") == gold[hit].get("status")
            elif any(matches(p, g) for g in skip):
                continue
            else:
                fp += 1
                errors.append(("FP", item["id"], {k: p.get(k) for k in (
                    "visitor", "visitor_country", "destination_place", "destination_country",
                    "status", "date")}, p.get("evidence", "")[:160]))
        for k, g in enumerate(gold):
            if k not in used:
                fn += 1
                errors.append(("FN", item["id"], g, ""))
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": round(p, 3), "recall": round(r, 3),
            "status_accuracy": round(status_ok / tp, 3) if tp else 0.0, "errors": errors}


def main(argv: list[str] | None = None) -> int:
    from analysis.extract import extract_many
    from analysis.ingest import clean_record

    ap = argparse.ArgumentParser(description="visit precision/recall on AG News annotations")
    ap.add_argument("--annotations", type=Path, default=DEFAULT_ANNOTATIONS)
    ap.add_argument("--csv", type=Path, default=config.SHARED_DIR / "eval" / "agnews" / "test.csv")
    ap.add_argument("--mode", choices=["joined", "separate"], default="joined")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    items = load_items(args.annotations, args.csv, args.mode)
    outputs = list(extract_many([clean_record(dict(i)) for i in items]))
    for dom in (False, True):
        res = score(items, outputs, include_domestic=dom)
        print(f"{'with' if dom else 'without'} domestic visits: items {len(items)}  "
              f"tp {res['tp']}  fp {res['fp']}  fn {res['fn']}  "
              f"precision {res['precision']:.3f}  recall {res['recall']:.3f}  "
              f"status right {res['status_accuracy']:.3f}")
    if not args.quiet:
        for e in score(items, outputs)["errors"]:
            print(*e, sep="  ")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
