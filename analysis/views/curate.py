"""Corrections, as the pages and the CLI make them: each call is one write transaction on the
store at ``path`` running one function of :mod:`analysis.store.curation` (what the actions do,
and how they stick across re-extraction, is documented there).

Every function raises :class:`CurationError` with a message for the analyst when the
correction cannot be made (unknown key, bad date or code).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from analysis import store
from analysis.store import curation
from analysis.store.curation import ACTIONS, EVENT_FIELDS, CurationError, analyst  # noqa: F401

__all__ = ["ACTIONS", "EVENT_FIELDS", "CurationError", "analyst", "apply", "log_frame", "orphans",
           "rejected", "export_jsonl", "import_jsonl"]

#: action -> the store function making it
_FUNCTIONS = {
    "reject-event": curation.reject_event,
    "confirm-event": curation.confirm_event,
    "set-event": curation.set_event,
    "merge-events": curation.merge_events,
    "move-report": curation.move_report,
    "merge-entities": curation.merge_entities,
    "split-alias": curation.split_alias,
    "set-country": curation.set_country,
    "reject-entity": curation.reject_entity,
    "set-role": curation.set_role,
    "set-article-date": curation.set_article_date,
    "undo": curation.undo,
}


def _write(path: str | Path, fn, *args: Any, **kwargs: Any) -> Any:
    db = store.open_db(path)
    try:
        with store.write_tx(db):
            result = fn(db, *args, **kwargs)
            store.bump_data_version(db)
            store.refresh_network(db)
        return result
    finally:
        db.close()


def apply(path: str | Path, action: str, *args: Any, **kwargs: Any) -> int:
    """Make correction ``action`` (one of :data:`ACTIONS` or ``undo``) with its arguments, e.g.
    ``apply(db, "reject-event", key, why="background mention", by="Ayesha")``; returns the log
    row's id."""
    if action not in _FUNCTIONS:
        raise CurationError(f"unknown correction {action!r}; one of {', '.join(_FUNCTIONS)}")
    return _write(path, _FUNCTIONS[action], *args, **kwargs)


def _read(path: str | Path, fn) -> Any:
    conn = store.connect_ro(path)
    try:
        return fn(conn)
    finally:
        conn.close()


_COLUMNS = ["id", "at", "analyst", "action", "target_key", "change", "was", "note", "undone_at"]


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    out = []
    for c in rows:
        payload = {k: v for k, v in (c.get("payload") or {}).items() if k not in ("block", "other_block")}
        out.append({**c, "change": ", ".join(f"{k}={v}" for k, v in payload.items()),
                    "was": ", ".join(f"{k}={v}" for k, v in (c.get("old_value") or {}).items()
                                     if k != "aliases")})
    return pd.DataFrame(out, columns=_COLUMNS)


def log_frame(path: str | Path) -> pd.DataFrame:
    """The curation log as a table, newest first."""
    return _frame(_read(path, curation.log)).iloc[::-1].reset_index(drop=True)


def orphans(path: str | Path) -> pd.DataFrame:
    """Corrections whose target the store no longer has (kept, shown, applied if it comes back)."""
    return _frame(_read(path, curation.orphans))


def rejected(path: str | Path) -> pd.DataFrame:
    """The events analysts rejected (key, kind, date, evidence, why)."""
    return pd.DataFrame(_read(path, curation.rejected_events),
                        columns=["key", "kind", "date", "evidence", "article_id", "log_id", "why"])


def export_jsonl(path: str | Path) -> str:
    """The log as JSON Lines, to share with colleagues."""
    return _read(path, curation.export_jsonl)


def import_jsonl(path: str | Path, text: str) -> dict[str, int]:
    """Add corrections from JSON Lines (see :func:`analysis.store.curation.import_jsonl`)."""
    return _write(path, curation.import_jsonl, text)


def reports(path: str | Path, key: str) -> pd.DataFrame:
    """The reports of event ``key`` with their stable references (for ``move-report``)."""
    def read(conn):
        rows = conn.execute(
            "SELECT a.content_hash, r.sentence_index, r.kind, r.evidence, a.title, substr(a.published, 1, 10)"
            " FROM reports r JOIN events e ON e.id = r.event_id JOIN articles a ON a.id = r.article_id"
            " WHERE e.key = ? ORDER BY a.published, r.article_id, r.sentence_index", [key]).fetchall()
        return pd.DataFrame([{"report": curation.report_ref(h, si, k), "evidence": ev, "title": t, "published": d}
                             for h, si, k, ev, t, d in rows], columns=["report", "evidence", "title", "published"])

    return _read(path, read)
