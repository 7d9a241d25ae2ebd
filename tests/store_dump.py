"""Helpers for tests that compare two stores (``from store_dump import dump, real_corpus``)."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

#: Columns that record when or in which run something was written: two equal ingests differ there.
VOLATILE = {
    "articles": {"ingested_at", "extracted_at"},
    "article_copies": {"seen_at"},
    "entities": {"created_at"},
    "ingest_errors": {"first_seen", "last_seen", "run_id"},
}
#: Tables whose rows say how (not what) the store was written.
SKIP = {"meta", "ingest_runs", "sqlite_sequence"}


def dump(path: str | Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every Chancery table (FTS shadow tables aside), without the volatile columns,
    in rowid order: ids are compared too, so the same articles in the same order are needed."""
    conn = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name")]
        fts = {r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'")}
        out: dict[str, list[tuple[Any, ...]]] = {}
        for t in tables:
            if t in SKIP or any(t.startswith(f + "_") for f in fts):
                continue
            cols = [r[1] for r in conn.execute(f"PRAGMA table_info([{t}])") if r[1] not in VOLATILE.get(t, set())]
            order = "rowid" if conn.execute(
                "SELECT sql FROM sqlite_master WHERE name = ?", [t]).fetchone()[0].upper().find("WITHOUT ROWID") < 0 \
                else ", ".join(f"[{c}]" for c in cols)
            out[t] = [tuple(r) for r in conn.execute(
                f"SELECT {', '.join(f'[{c}]' for c in cols)} FROM [{t}] ORDER BY {order}")]
        return out
    finally:
        conn.close()


def differences(a: dict[str, list], b: dict[str, list], limit: int = 3) -> list[str]:
    """What differs between two dumps, a few rows per table (empty when equal)."""
    out = []
    for t in sorted(set(a) | set(b)):
        ra, rb = a.get(t, []), b.get(t, [])
        if ra != rb:
            extra = [r for r in ra if r not in set(rb)][:limit]
            missing = [r for r in rb if r not in set(ra)][:limit]
            out.append(f"{t}: {len(ra)} vs {len(rb)} rows; only in first {extra}; only in second {missing}")
    return out


def agnews_jsonl(path: Path, csv_path: Path) -> int:
    """The 66 AG News rows judged in tests/data (title + description) as a JSON Lines file."""
    from analysis import config
    from analysis.evaluate.visits import load_items

    items = load_items(config.REPO_ROOT / "tests" / "data" / "agnews_visits_dev.json", csv_path, mode="desc")
    with path.open("w", encoding="utf-8") as f:
        for it in items:
            f.write(json.dumps({"id": it["id"], "title": it["title"], "text": it["text"]}, ensure_ascii=False) + "\n")
    return len(items)
