"""Analysts' corrections: a log of what was changed, applied whenever facts are written.

Every correction is a row of ``curation_log``: the action, the target's stable key (an event
key such as ``visit:PAK-AFG:mohammad-sadiq:2024-12-23`` or an entity key such as
``person:ishaq-dar``), the old and the new value, why, when and by whom. The store's facts are
rebuilt from the extractor's reports (ingest, ``reextract``, a new extractor version); each
rebuild replays the corrections that are in force, so they stick:

- on events (:func:`apply_block`, after a block's events are rebuilt): ``reject-event`` moves
  the event to ``events_rejected`` (shown nowhere but in the curation views, where it can be
  undone); ``confirm-event`` marks it; ``set-event`` changes its date, status or place, keeping
  the original in ``events.curated``; ``merge-events`` moves the second event's reports into the
  first;
- on entities (:func:`entity_key_for`, :func:`apply_entities`, on every save):
  ``merge-entities`` repoints everything of the second entity to the first, and later writes of
  the second's key go to the first; ``split-alias`` takes a name form away from an entity (its
  mentions become an entity of their own); ``set-country`` gives a person a country;
  ``reject-entity`` removes something that is not an entity at all ("Winter Games" read as a
  person): its mentions stay as text and later writes of its key are dropped; ``set-role``
  gives a person a title (with country and dates), shown beside the roles the articles give;
- on articles: ``set-article-date`` gives an article (by its content hash, so it survives a
  rebuilt store) its publication date: its day counts and the events its reports make move
  with it, and an ingest of the same text takes the date before extracting
  (:func:`article_dates`).

``undo`` marks a correction undone and rebuilds what it touched. A correction whose target no
longer exists (the extractor no longer finds that event) is *orphaned*: listed by
:func:`orphans`, never dropped. The log exports and imports as JSON Lines (:func:`export_jsonl`,
:func:`import_jsonl`), so colleagues can share corrections.
"""
from __future__ import annotations

import datetime
import getpass
import json
import re
from collections.abc import Iterable
from typing import Any

import sqlite_utils

from . import aggregates
from .db import utcnow

EVENT_ACTIONS = ("reject-event", "confirm-event", "set-event", "merge-events", "move-report")
ENTITY_ACTIONS = ("merge-entities", "split-alias", "set-country", "reject-entity", "set-role")
ARTICLE_ACTIONS = ("set-article-date",)
ACTIONS = EVENT_ACTIONS + ENTITY_ACTIONS + ARTICLE_ACTIONS
#: Event fields ``set-event`` may correct.
EVENT_FIELDS = ("date", "status", "place")
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


class CurationError(ValueError):
    """A correction that cannot be made (unknown target, bad value); the message says why."""


def analyst(name: str | None = None) -> str:
    """Who makes a correction: the name given (the sidebar's), else the OS user."""
    if name and name.strip():
        return name.strip()[:80]
    try:
        return getpass.getuser()
    except Exception:  # no user name in this environment
        return "unknown"


# --- reading the log ---------------------------------------------------------------------------

def _rows(conn: Any, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
    cur = conn.execute(sql, list(params))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def _decode(row: dict[str, Any]) -> dict[str, Any]:
    out = dict(row)
    for k in ("payload", "old_value"):
        try:
            out[k] = json.loads(out[k]) if out.get(k) else None
        except (TypeError, ValueError):
            out[k] = None
    return out


def log(conn: Any, include_undone: bool = True) -> list[dict[str, Any]]:
    """Every correction, oldest first, with its payload and old value decoded."""
    where = "" if include_undone else " WHERE undone_at IS NULL AND action != 'undo'"
    return [_decode(r) for r in _rows(conn, f"SELECT * FROM curation_log{where} ORDER BY id")]


def in_force(conn: Any, actions: Iterable[str] = ACTIONS) -> list[dict[str, Any]]:
    acts = list(actions)
    return [_decode(r) for r in _rows(
        conn, f"SELECT * FROM curation_log WHERE undone_at IS NULL AND action IN"
        f" ({','.join('?' * len(acts))}) ORDER BY id", acts)]


def orphans(conn: Any) -> list[dict[str, Any]]:
    """Corrections in force whose target no longer exists (not an event, a rejected event or an
    entity of the store); they stay in the log and apply again if the target comes back."""
    out = []
    for c in in_force(conn):
        if c["action"] in EVENT_ACTIONS:
            keys = [c["target_key"]] + ([c["payload"].get("other")] if c["action"] == "merge-events" else [])
            for k in keys:
                if not _event_exists(conn, k) and not (c["action"] == "merge-events" and k != c["target_key"]
                                                       and _merged_into(conn, k)):
                    out.append(c)
                    break
        elif c["action"] == "merge-entities":
            if not conn.execute("SELECT 1 FROM entities WHERE key = ?", [c["payload"].get("into")]).fetchone():
                out.append(c)
        elif c["action"] == "reject-entity":
            continue  # gone is what it asks for
        elif c["action"] in ARTICLE_ACTIONS:
            if not conn.execute("SELECT 1 FROM articles WHERE content_hash = ?", [c["target_key"]]).fetchone():
                out.append(c)
        elif not conn.execute("SELECT 1 FROM entities WHERE key = ?", [c["target_key"]]).fetchone():
            out.append(c)
    return out


def _event_exists(conn: Any, key: str) -> bool:
    return bool(conn.execute("SELECT 1 FROM events WHERE key = ?", [key]).fetchone()
                or conn.execute("SELECT 1 FROM events_rejected WHERE key = ?", [key]).fetchone())


def _merged_into(conn: Any, key: str) -> bool:
    return bool(conn.execute(
        "SELECT 1 FROM events WHERE curated LIKE ?", [f'%"merged": [%{json.dumps(key)}%']).fetchone())


def curated_events(conn: Any) -> dict[str, dict[str, Any]]:
    """``{event key: curated JSON}`` of the events corrections changed (for marks in lists)."""
    return {k: json.loads(v) for k, v in conn.execute(
        "SELECT key, curated FROM events WHERE curated IS NOT NULL").fetchall()}


def rejected_events(conn: Any) -> list[dict[str, Any]]:
    """The rejected events: key, kind, date, evidence, the log row that rejected them."""
    return _rows(conn, "SELECT key, kind, date, evidence, article_id, log_id, why FROM events_rejected"
                       " ORDER BY date DESC, key")


# --- making corrections -----------------------------------------------------------------------

def _write(db: sqlite_utils.Database, action: str, target_kind: str, target_key: str,
           payload: dict[str, Any], old: Any, why: str | None, by: str | None,
           at: str | None = None) -> int:
    return db["curation_log"].insert({
        "at": at or utcnow(), "action": action, "target_kind": target_kind, "target_key": target_key,
        "payload": json.dumps(payload, ensure_ascii=False, sort_keys=True),
        "old_value": json.dumps(old, ensure_ascii=False, sort_keys=True) if old is not None else None,
        "note": (why or "").strip()[:2000] or None, "analyst": analyst(by),
    }).last_pk


def _event(db: Any, key: str) -> dict[str, Any]:
    rows = _rows(db, "SELECT * FROM events WHERE key = ?", [key])
    if not rows:
        raise CurationError(f"no event with key {key!r} (see the Visits page or `python -m analysis"
                            " export events` for the keys)")
    return rows[0]


def _entity(db: Any, key: str) -> dict[str, Any]:
    rows = _rows(db, "SELECT * FROM entities WHERE key = ?", [key])
    if not rows:
        raise CurationError(f"no entity with key {key!r} (keys look like person:ishaq-dar or country:PAK)")
    return rows[0]


def reject_event(db: sqlite_utils.Database, key: str, why: str | None = None, by: str | None = None) -> int:
    """Reject an event (not a real event, or a background mention); it is shown nowhere."""
    ev = _event(db, key)
    log_id = _write(db, "reject-event", "event", key, {"block": ev["block"]}, None, why, by)
    _rebuild(db, ev["block"])
    return log_id


def confirm_event(db: sqlite_utils.Database, key: str, why: str | None = None, by: str | None = None) -> int:
    """Mark an event as checked by an analyst."""
    ev = _event(db, key)
    log_id = _write(db, "confirm-event", "event", key, {"block": ev["block"]}, None, why, by)
    _rebuild(db, ev["block"])
    return log_id


def set_event(db: sqlite_utils.Database, key: str, *, date: str | None = None, status: str | None = None,
              place: str | None = None, why: str | None = None, by: str | None = None) -> int:
    """Correct an event's date (YYYY[-MM[-DD]]), status or place."""
    from analysis import model

    ev = _event(db, key)
    new = {k: v.strip() for k, v in (("date", date), ("status", status), ("place", place))
           if v is not None and v.strip()}
    if not new:
        raise CurationError("say what to correct: --date, --status or --place")
    if "date" in new and not _valid_date(new["date"]):
        raise CurationError(f"the date must be YYYY, YYYY-MM or YYYY-MM-DD, not {new['date']!r}")
    if "status" in new and new["status"] not in model.statuses():
        raise CurationError(f"the status must be one of {', '.join(model.statuses())}, not {new['status']!r}")
    old = {k: _place(ev) if k == "place" else ev.get(k) for k in new}
    log_id = _write(db, "set-event", "event", key, {"block": ev["block"], **new}, old, why, by)
    _rebuild(db, ev["block"])
    return log_id


def _rebuild(db: sqlite_utils.Database, *blocks: str) -> None:
    """Build the blocks' events again from their reports; the rebuild replays every correction
    in force (a rejected event is rejected again, not lost)."""
    from . import events

    events.rebuild_blocks(db, {b for b in blocks if b})


def _valid_date(value: str) -> bool:
    if not _DATE.match(value):
        return False
    parts = [int(p) for p in value.split("-")]
    try:
        datetime.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        return False
    return True


def _place(ev: dict[str, Any]) -> str | None:
    return ev.get("destination_place") or ev.get("place")


def merge_events(db: sqlite_utils.Database, keep: str, other: str, why: str | None = None,
                 by: str | None = None) -> int:
    """Merge event ``other`` into ``keep`` (two reports of one happening the store keeps apart)."""
    if keep == other:
        raise CurationError("an event cannot be merged with itself")
    a, b = _event(db, keep), _event(db, other)
    log_id = _write(db, "merge-events", "event", keep,
                    {"block": a["block"], "other": other, "other_block": b["block"]}, None, why, by)
    _rebuild(db, a["block"], b["block"])
    return log_id


def merge_entities(db: sqlite_utils.Database, keep: str, other: str, why: str | None = None,
                   by: str | None = None) -> int:
    """One real-world entity written two ways: ``other`` becomes part of ``keep``."""
    if keep == other:
        raise CurationError("an entity cannot be merged with itself")
    a, b = _entity(db, keep), _entity(db, other)
    if a["kind"] != b["kind"]:
        raise CurationError(f"{keep} is a {a['kind']} and {other} a {b['kind']}: only entities of one"
                            " kind can be merged")
    aliases = [r[0] for r in db.execute("SELECT alias FROM entity_aliases WHERE entity_id = ?", [b["id"]])]
    log_id = _write(db, "merge-entities", "entity", other, {"into": keep},
                    {"name": b["name"], "country": b["country"], "aliases": aliases}, why, by)
    _repoint(db, b["id"], a["id"])
    db.execute("DELETE FROM entities WHERE id = ?", [b["id"]])
    _mark_entity(db, a["id"], {"merged": [other]})
    _rebuild_blocks_of_entity(db, a["id"])
    return log_id


def split_alias(db: sqlite_utils.Database, key: str, alias: str, why: str | None = None,
                by: str | None = None) -> int:
    """A name form wrongly taken for ``key`` ("Dar" for another Dar): its mentions become an
    entity of their own."""
    ent = _entity(db, key)
    alias = alias.strip()
    if alias == ent["name"]:
        raise CurationError(f"{alias!r} is the entity's own name; merge or rename instead")
    if not db.execute("SELECT 1 FROM entity_aliases WHERE entity_id = ? AND alias = ?",
                      [ent["id"], alias]).fetchone():
        raise CurationError(f"{key} has no alias {alias!r}")
    log_id = _write(db, "split-alias", "entity", key, {"alias": alias}, None, why, by)
    apply_entities(db)
    return log_id


def set_country(db: sqlite_utils.Database, key: str, iso3: str, why: str | None = None,
                by: str | None = None) -> int:
    """Set an entity's country (ISO 3166-1 alpha-3)."""
    import pycountry

    ent = _entity(db, key)
    iso3 = iso3.strip().upper()
    if not pycountry.countries.get(alpha_3=iso3):
        raise CurationError(f"{iso3!r} is not an ISO 3166-1 alpha-3 country code (e.g. PAK, AFG)")
    log_id = _write(db, "set-country", "entity", key, {"country": iso3}, {"country": ent["country"]}, why, by)
    apply_entities(db)
    return log_id


def reject_entity(db: sqlite_utils.Database, key: str, why: str | None = None, by: str | None = None) -> int:
    """Not a person, organisation or place at all ("Winter Games" taken for a person): the
    entity goes, its mentions stay as plain text, and later writes of its key are dropped."""
    ent = _entity(db, key)
    aliases = [r[0] for r in db.execute("SELECT alias FROM entity_aliases WHERE entity_id = ?", [ent["id"]])]
    log_id = _write(db, "reject-entity", "entity", key, {"kind": ent["kind"]},
                    {"name": ent["name"], "country": ent["country"], "aliases": aliases}, why, by)
    _drop_entity(db, ent["id"])
    return log_id


def is_rejected_entity(db: Any, key: str) -> bool:
    """True when an analyst rejected entity ``key`` (its writes are dropped)."""
    return bool(db.execute("SELECT 1 FROM curation_log WHERE action = 'reject-entity' AND target_key = ?"
                           " AND undone_at IS NULL", [key]).fetchone())


def redirects_entities(db: Any) -> bool:
    """Whether a merge or rejection of an entity is in force: when none is, an entity's writes
    need not look up their own (:func:`entity_key_for`, :func:`is_rejected_entity`)."""
    return db.execute("SELECT 1 FROM curation_log WHERE action IN ('merge-entities', 'reject-entity')"
                      " AND undone_at IS NULL LIMIT 1").fetchone() is not None


def _drop_entity(db: sqlite_utils.Database, entity_id: int) -> None:
    articles = [r[0] for r in db.execute("SELECT DISTINCT article_id FROM mentions WHERE entity_id = ?", [entity_id])]
    blocks = {r[0] for r in db.execute(
        "SELECT DISTINCT r.block FROM report_participants p JOIN reports r ON r.id = p.report_id"
        " WHERE p.entity_id = ? AND r.block IS NOT NULL", [entity_id])}
    db.execute("UPDATE mentions SET entity_id = NULL WHERE entity_id = ?", [entity_id])
    for table in ("article_roles", "entity_aliases", "report_participants", "event_participants"):
        db.execute(f"DELETE FROM {table} WHERE entity_id = ?", [entity_id])
    db.execute("DELETE FROM entities WHERE id = ?", [entity_id])
    aggregates.article_countries_for(db, articles)
    from . import events

    events.rebuild_blocks(db, blocks)


def undo(db: sqlite_utils.Database, log_id: int, why: str | None = None, by: str | None = None) -> int:
    """Undo correction ``log_id``: it is marked undone (kept in the log) and what it touched is
    rebuilt from the reports."""
    rows = [_decode(r) for r in _rows(db, "SELECT * FROM curation_log WHERE id = ?", [log_id])]
    if not rows:
        raise CurationError(f"no correction {log_id} in the log (see `python -m analysis curate log`)")
    c = rows[0]
    if c["action"] == "undo":
        raise CurationError(f"{log_id} is an undo; undo cannot be undone, make the correction again")
    if c["undone_at"]:
        raise CurationError(f"correction {log_id} was undone already ({c['undone_at']})")
    undo_id = _write(db, "undo", c["target_kind"], c["target_key"], {"undoes": log_id}, None, why, by)
    db.execute("UPDATE curation_log SET undone_at = ?, undone_by = ? WHERE id = ?", [utcnow(), undo_id, log_id])
    if c["action"] in EVENT_ACTIONS:
        from . import events

        blocks = {c["payload"].get("block"), c["payload"].get("other_block")} - {None}
        events.rebuild_blocks(db, blocks)
    elif c["action"] == "merge-entities":
        _unmerge(db, c)
    elif c["action"] == "set-country":
        ent = db.execute("SELECT id FROM entities WHERE key = ?", [c["target_key"]]).fetchone()
        if ent:
            db.execute("UPDATE entities SET country = ?, curated = NULL WHERE id = ?",
                       [(c["old_value"] or {}).get("country"), ent[0]])
            aggregates.entity_changed(db, ent[0])
        apply_entities(db)
    elif c["action"] == "split-alias":
        _unsplit(db, c)
    elif c["action"] == "set-article-date":
        art = db.execute("SELECT id FROM articles WHERE content_hash = ?", [c["target_key"]]).fetchone()
        if art:
            later = article_dates(db, [c["target_key"]]).get(c["target_key"])  # an older one still in force
            _date_article(db, art[0], later or (c["old_value"] or {}).get("published"))
    elif c["action"] == "set-role":
        db.execute("DELETE FROM article_roles WHERE article_id IS NULL AND evidence LIKE ?",
                   [f"set by an analyst (correction {log_id})%"])
    elif c["action"] == "reject-entity":
        from .writes import upsert_entity

        old = c["old_value"] or {}
        forms = sorted({old.get("name"), *old.get("aliases", [])} - {None})
        if forms and db.execute(f"SELECT 1 FROM mentions WHERE entity_id IS NULL AND text IN"
                                f" ({','.join('?' * len(forms))})", forms).fetchone():
            eid = upsert_entity(db, old["name"], c["payload"].get("kind") or "person", old.get("country"),
                                old.get("aliases", []), redirect=False)
            db.execute(f"UPDATE mentions SET entity_id = ? WHERE entity_id IS NULL AND text IN"
                       f" ({','.join('?' * len(forms))})", [eid, *forms])
            aggregates.entity_changed(db, eid)
    return undo_id


# --- applying ----------------------------------------------------------------------------------

def entity_key_for(db: Any, key: str) -> str:
    """The key a write of entity ``key`` goes to: the kept entity of a merge in force."""
    seen = {key}
    while True:
        row = db.execute("SELECT payload FROM curation_log WHERE action = 'merge-entities' AND target_key = ?"
                         " AND undone_at IS NULL ORDER BY id DESC LIMIT 1", [key]).fetchone()
        if not row:
            return key
        nxt = json.loads(row[0]).get("into")
        if not nxt or nxt in seen:
            return key
        seen.add(nxt)
        key = nxt


def apply_entities(db: sqlite_utils.Database, article_id: int | None = None) -> None:
    """Replay the entity corrections in force: countries set, aliases split off (for one
    article's mentions when ``article_id`` is given)."""
    for c in in_force(db, ("set-country", "split-alias", "reject-entity", "set-role")):
        ent = db.execute("SELECT id, country, curated FROM entities WHERE key = ?", [c["target_key"]]).fetchone()
        if not ent:
            continue
        if c["action"] == "reject-entity":
            _drop_entity(db, ent[0])
        elif c["action"] == "set-role":
            _roles(db, ent[0], c)
        elif c["action"] == "set-country":
            new = c["payload"]["country"]
            if ent[1] != new:
                db.execute("UPDATE entities SET country = ? WHERE id = ?", [new, ent[0]])
                aggregates.entity_changed(db, ent[0])
            _mark_entity(db, ent[0], {"country": {"from": (c["old_value"] or {}).get("country"), "log": c["id"]}})
        else:
            _split(db, ent[0], c, article_id)


def _split(db: sqlite_utils.Database, entity_id: int, c: dict[str, Any], article_id: int | None) -> None:
    from .writes import upsert_entity

    alias = c["payload"]["alias"]
    kind = db.execute("SELECT kind FROM entities WHERE id = ?", [entity_id]).fetchone()[0]
    db.execute("DELETE FROM entity_aliases WHERE entity_id = ? AND alias = ?", [entity_id, alias])
    where, params = "entity_id = ? AND text = ?", [entity_id, alias]
    if article_id is not None:
        where += " AND article_id = ?"
        params.append(article_id)
    if not db.execute(f"SELECT 1 FROM mentions WHERE {where}", params).fetchone():
        return
    new_id = upsert_entity(db, alias, kind, None, [], redirect=False)
    if new_id == entity_id:
        return
    moved = [r[0] for r in db.execute(f"SELECT DISTINCT article_id FROM mentions WHERE {where}", params)]
    db.execute(f"UPDATE mentions SET entity_id = ? WHERE {where}", [new_id, *params])
    aggregates.article_countries_for(db, moved)
    _mark_entity(db, new_id, {"split_from": c["target_key"], "log": c["id"]})


def _unsplit(db: sqlite_utils.Database, c: dict[str, Any]) -> None:
    from .writes import entity_key

    ent = db.execute("SELECT id, kind FROM entities WHERE key = ?", [c["target_key"]]).fetchone()
    alias = c["payload"]["alias"]
    if not ent:
        return
    split = db.execute("SELECT id FROM entities WHERE key = ?", [entity_key(alias, ent[1])]).fetchone()
    db["entity_aliases"].insert({"entity_id": ent[0], "alias": alias}, ignore=True)
    if split and split[0] != ent[0]:
        db.execute("UPDATE mentions SET entity_id = ? WHERE entity_id = ? AND text = ?", [ent[0], split[0], alias])
        aggregates.entity_changed(db, ent[0])


def _repoint(db: sqlite_utils.Database, old_id: int, new_id: int) -> None:
    """Everything of entity ``old_id`` now belongs to ``new_id``."""
    db.execute("UPDATE mentions SET entity_id = ? WHERE entity_id = ?", [new_id, old_id])
    db.execute("UPDATE article_roles SET entity_id = ? WHERE entity_id = ?", [new_id, old_id])
    for table, cols in (("entity_aliases", "alias"), ("report_participants", "report_id, role"),
                        ("event_participants", "event_id, role")):
        db.execute(f"INSERT OR IGNORE INTO {table} (entity_id, {cols}) SELECT ?, {cols} FROM {table}"
                   " WHERE entity_id = ?", [new_id, old_id])
        db.execute(f"DELETE FROM {table} WHERE entity_id = ?", [old_id])
    row = db.execute("SELECT country FROM entities WHERE id = ?", [new_id]).fetchone()
    if row and not row[0]:
        db.execute("UPDATE entities SET country = (SELECT country FROM entities WHERE id = ?) WHERE id = ?",
                   [old_id, new_id])
    aggregates.entity_changed(db, new_id)


def _unmerge(db: sqlite_utils.Database, c: dict[str, Any]) -> None:
    """Undo a merge: the other entity comes back with its name forms; the mentions written in
    those forms (and not in the kept entity's own name) go back to it, and its events are
    rebuilt. A ``reextract`` gives back the rest (its roles and report participants)."""
    from .writes import upsert_entity

    old = c["old_value"] or {}
    keep = db.execute("SELECT id, kind, name FROM entities WHERE key = ?", [c["payload"]["into"]]).fetchone()
    if not keep or not old.get("name"):
        return
    forms = [a for a in {old["name"], *old.get("aliases", [])} if a != keep[2]]
    if forms and db.execute(f"SELECT 1 FROM mentions WHERE entity_id = ? AND text IN ({','.join('?' * len(forms))})",
                            [keep[0], *forms]).fetchone():
        other_id = upsert_entity(db, old["name"], keep[1], old.get("country"), old.get("aliases", []),
                                 redirect=False)
        db.execute(f"UPDATE mentions SET entity_id = ? WHERE entity_id = ? AND text IN ({','.join('?' * len(forms))})",
                   [other_id, keep[0], *forms])
        aggregates.entity_changed(db, other_id)
        aggregates.entity_changed(db, keep[0])
        db.execute(f"DELETE FROM entity_aliases WHERE entity_id = ? AND alias IN ({','.join('?' * len(forms))})"
                   " AND alias NOT IN (SELECT text FROM mentions WHERE entity_id = ?)",
                   [keep[0], *forms, keep[0]])
    cur = db.execute("SELECT curated FROM entities WHERE id = ?", [keep[0]]).fetchone()
    if cur and cur[0]:
        data = json.loads(cur[0])
        data["merged"] = [k for k in data.get("merged", []) if k != c["target_key"]]
        if not data["merged"]:
            data.pop("merged")
        db.execute("UPDATE entities SET curated = ? WHERE id = ?", [json.dumps(data) if data else None, keep[0]])
    _rebuild_blocks_of_entity(db, keep[0])


def _mark_entity(db: sqlite_utils.Database, entity_id: int, mark: dict[str, Any]) -> None:
    row = db.execute("SELECT curated FROM entities WHERE id = ?", [entity_id]).fetchone()
    data = json.loads(row[0]) if row and row[0] else {}
    for k, v in mark.items():
        if isinstance(v, list):
            data[k] = sorted(set(data.get(k, [])) | set(v))
        else:
            data[k] = v
    text = json.dumps(data, sort_keys=True)
    if not row or text != row[0]:  # replayed on every save: write only a change
        db.execute("UPDATE entities SET curated = ? WHERE id = ?", [text, entity_id])


def _rebuild_blocks_of_entity(db: sqlite_utils.Database, entity_id: int) -> None:
    from . import events

    blocks = {r[0] for r in db.execute(
        "SELECT DISTINCT r.block FROM report_participants p JOIN reports r ON r.id = p.report_id"
        " WHERE p.entity_id = ? AND r.block IS NOT NULL", [entity_id])}
    events.rebuild_blocks(db, blocks)


def apply_block(db: sqlite_utils.Database, block: str) -> None:
    """Replay the event corrections in force on one block's freshly built events (called by
    :func:`analysis.store.events.rebuild_block`)."""
    if not db["events_rejected"].exists():  # a store being migrated to version 5
        return
    db.execute("DELETE FROM events_rejected WHERE block = ?", [block])
    keys = {r[0]: r[1] for r in db.execute("SELECT key, id FROM events WHERE block = ?", [block])}
    todo = [c for c in in_force(db, EVENT_ACTIONS)
            if c["target_key"] in keys or (c["action"] == "merge-events" and c["payload"].get("other") in keys)]
    for c in todo:
        key = c["target_key"]
        row = db.execute("SELECT id FROM events WHERE key = ?", [key]).fetchone()
        if not row:
            continue
        event_id = row[0]
        if c["action"] == "reject-event":
            _reject(db, event_id, c)
        elif c["action"] == "confirm-event":
            _mark_event(db, event_id, {"confirmed": {"by": c["analyst"], "at": c["at"], "log": c["id"]}})
        elif c["action"] == "set-event":
            _set(db, event_id, c)
        elif c["action"] == "merge-events":
            other = db.execute("SELECT id FROM events WHERE key = ?", [c["payload"]["other"]]).fetchone()
            if other and other[0] != event_id:
                _merge(db, event_id, other[0], c)
            elif not other and c["payload"].get("other_block") not in (None, block) \
                    and c["target_key"] in keys:
                # the other event's block still points its reports at this event's old row:
                # build it again, and its rebuild merges it in
                from . import events

                events.rebuild_block(db, c["payload"]["other_block"])
        elif c["action"] == "move-report":
            _move(db, event_id, c)


def _mark_event(db: sqlite_utils.Database, event_id: int, mark: dict[str, Any]) -> None:
    row = db.execute("SELECT curated FROM events WHERE id = ?", [event_id]).fetchone()
    data = json.loads(row[0]) if row and row[0] else {}
    mark = dict(mark)
    log_id = mark.pop("log", None)
    for k, v in mark.items():
        if k == "original":
            data.setdefault("original", {})
            for f, val in v.items():
                data["original"].setdefault(f, val)
        elif isinstance(v, list):
            data[k] = sorted(set(data.get(k, [])) | set(v))
        else:
            data[k] = v
    data["log"] = sorted(set(data.get("log", [])) | ({log_id} if log_id else set()))
    db.execute("UPDATE events SET curated = ? WHERE id = ?", [json.dumps(data, sort_keys=True), event_id])


def _reject(db: sqlite_utils.Database, event_id: int, c: dict[str, Any]) -> None:
    ev = _rows(db, "SELECT * FROM events WHERE id = ?", [event_id])[0]
    db["events_rejected"].insert({
        "key": ev["key"], "block": ev["block"], "kind": ev["kind"], "date": ev["date"],
        "evidence": ev["evidence"], "article_id": ev["article_id"], "log_id": c["id"], "why": c.get("note"),
        "row": json.dumps(ev, ensure_ascii=False, default=str)}, replace=True)
    db.execute("UPDATE reports SET event_id = NULL WHERE event_id = ?", [event_id])
    db.execute("DELETE FROM event_participants WHERE event_id = ?", [event_id])
    db.execute("DELETE FROM events WHERE id = ?", [event_id])


def _set(db: sqlite_utils.Database, event_id: int, c: dict[str, Any]) -> None:
    ev = _rows(db, "SELECT date, status, place, destination_place, kind FROM events WHERE id = ?", [event_id])[0]
    sets, params, original = [], [], {}
    for f in EVENT_FIELDS:
        if f not in c["payload"]:
            continue
        value = c["payload"][f]
        if f == "place":
            original["place"] = _place(ev)
            cols = ["place", "destination_place"] if ev["kind"] == "visit" else ["place"]
        else:
            original[f] = ev[f]
            cols = [f]
        for col in cols:
            sets.append(f"{col} = ?")
            params.append(value)
    if sets:
        db.execute(f"UPDATE events SET {', '.join(sets)} WHERE id = ?", [*params, event_id])
    _mark_event(db, event_id, {"original": original, "corrected": sorted(original), "log": c["id"],
                               "by": c["analyst"]})


def report_ref(content_hash: str, sentence_index: Any, kind: str) -> str:
    """A report's stable reference: its article's content hash (12 characters), the sentence,
    the kind (``3f2a9c1b7d20:4:visit``); it survives re-extraction as long as the sentence does."""
    return f"{(content_hash or '')[:12]}:{sentence_index if sentence_index is not None else '-'}:{kind}"


def _report_id(db: Any, event_id: int, ref: str) -> int | None:
    for rid, h, si, kind in db.execute(
            "SELECT r.id, a.content_hash, r.sentence_index, r.kind FROM reports r JOIN articles a"
            " ON a.id = r.article_id WHERE r.event_id = ?", [event_id]).fetchall():
        if report_ref(h, si, kind) == ref:
            return rid
    return None


def move_report(db: sqlite_utils.Database, key: str, ref: str, why: str | None = None,
                by: str | None = None) -> int:
    """Take one report (``ref``: see :func:`report_ref`) out of event ``key``: it becomes an
    event of its own (the extractor merged two happenings)."""
    ev = _event(db, key)
    if not _report_id(db, ev["id"], ref):
        raise CurationError(f"event {key} has no report {ref!r} (the Visits page's event detail lists them)")
    if ev["reports"] <= 1:
        raise CurationError(f"event {key} has one report only; reject it instead")
    log_id = _write(db, "move-report", "event", key, {"block": ev["block"], "report": ref}, None, why, by)
    _rebuild(db, ev["block"])
    return log_id


def _recount(db: sqlite_utils.Database, event_id: int) -> None:
    db.execute("""
        UPDATE events SET
          reports = (SELECT COUNT(*) FROM reports WHERE event_id = :id),
          articles = (SELECT COUNT(DISTINCT article_id) FROM reports WHERE event_id = :id),
          outlets = (SELECT COUNT(DISTINCT a.outlet) FROM reports r JOIN articles a ON a.id = r.article_id
                     WHERE r.event_id = :id AND a.outlet IS NOT NULL AND a.outlet != ''),
          first_reported = (SELECT MIN(a.published) FROM reports r JOIN articles a ON a.id = r.article_id
                            WHERE r.event_id = :id),
          last_reported = (SELECT MAX(a.published) FROM reports r JOIN articles a ON a.id = r.article_id
                           WHERE r.event_id = :id)
        WHERE id = :id""", {"id": event_id})


def _participants(db: sqlite_utils.Database, event_id: int) -> None:
    db.execute("DELETE FROM event_participants WHERE event_id = ?", [event_id])
    db.execute("INSERT OR IGNORE INTO event_participants (event_id, entity_id, role)"
               " SELECT DISTINCT ?, p.entity_id, p.role FROM report_participants p JOIN reports r"
               " ON r.id = p.report_id WHERE r.event_id = ?", [event_id, event_id])


def _move(db: sqlite_utils.Database, event_id: int, c: dict[str, Any]) -> None:
    rid = _report_id(db, event_id, c["payload"]["report"])
    if rid is None:
        return
    if db.execute("SELECT COUNT(*) FROM reports WHERE event_id = ?", [event_id]).fetchone()[0] <= 1:
        return
    rep = _rows(db, "SELECT * FROM reports WHERE id = ?", [rid])[0]
    ev = _rows(db, "SELECT * FROM events WHERE id = ?", [event_id])[0]
    new = {k: rep.get(k) for k in ("kind", "cameo", "date", "status", "status_words", "background", "country",
                                   "place", "visitor_country", "destination_country", "destination_place",
                                   "evidence", "sentence_index", "start", "end", "quote", "article_id", "attributes")}
    base = f"{ev['key']}/{c['payload']['report']}"
    new.update(key=base, block=ev["block"], curated=json.dumps({"moved_from": ev["key"], "log": [c["id"]]}))
    db.execute("DELETE FROM events WHERE key = ?", [base])
    new_id = db["events"].insert(new).last_pk
    db.execute("UPDATE reports SET event_id = ? WHERE id = ?", [new_id, rid])
    for eid in (event_id, new_id):
        _recount(db, eid)
        _participants(db, eid)
    _mark_event(db, event_id, {"moved_out": [c["payload"]["report"]], "log": c["id"], "by": c["analyst"]})


def set_role(db: sqlite_utils.Database, key: str, title: str, *, country: str | None = None,
             start: str | None = None, end: str | None = None, why: str | None = None,
             by: str | None = None) -> int:
    """Give a person a role with its dates ("Foreign Minister", PAK, 2024-03-11 to 2025-11-30):
    shown with the roles the articles give, marked as set by an analyst."""
    import pycountry

    _entity(db, key)  # it must exist
    title = " ".join((title or "").split())[:200]
    if not title:
        raise CurationError("give the role's title")
    if country:
        country = country.strip().upper()
        if not pycountry.countries.get(alpha_3=country):
            raise CurationError(f"{country!r} is not an ISO 3166-1 alpha-3 country code (e.g. PAK, AFG)")
    for name, d in (("from", start), ("to", end)):
        if d and not (_valid_date(d) and len(d) == 10):
            raise CurationError(f"--{name} must be a day as YYYY-MM-DD, not {d!r}")
    if start and end and start > end:
        raise CurationError("the role ends before it starts")
    log_id = _write(db, "set-role", "entity", key, {"title": title, "country": country, "from": start, "to": end},
                    None, why, by)
    apply_entities(db)
    return log_id


def _roles(db: sqlite_utils.Database, entity_id: int, c: dict[str, Any]) -> None:
    tag = f"set by an analyst (correction {c['id']})" + (f": {c['note']}" if c.get("note") else "")
    db.execute("DELETE FROM article_roles WHERE article_id IS NULL AND entity_id = ? AND evidence = ?",
               [entity_id, tag])
    p = c["payload"]
    for day in dict.fromkeys(d for d in (p.get("from"), p.get("to")) if d) or [None]:
        db["article_roles"].insert({"article_id": None, "entity_id": entity_id, "title": p["title"],
                                    "country": p.get("country"), "date": day, "evidence": tag})


def _merge(db: sqlite_utils.Database, keep_id: int, other_id: int, c: dict[str, Any]) -> None:
    db.execute("UPDATE reports SET event_id = ? WHERE event_id = ?", [keep_id, other_id])
    db.execute("INSERT OR IGNORE INTO event_participants (event_id, entity_id, role)"
               " SELECT ?, entity_id, role FROM event_participants WHERE event_id = ?", [keep_id, other_id])
    db.execute("DELETE FROM event_participants WHERE event_id = ?", [other_id])
    db.execute("DELETE FROM events WHERE id = ?", [other_id])
    _recount(db, keep_id)
    _mark_event(db, keep_id, {"merged": [c["payload"]["other"]], "log": c["id"], "by": c["analyst"]})


# --- sharing -----------------------------------------------------------------------------------

# --- articles ----------------------------------------------------------------------------------

def _article(db: Any, ref: Any) -> dict[str, Any]:
    """An article by id (``57``) or content hash."""
    ref = str(ref).strip()
    rows = (_rows(db, "SELECT id, content_hash, published, title FROM articles WHERE id = ?", [int(ref)])
            if ref.isdigit() else
            _rows(db, "SELECT id, content_hash, published, title FROM articles WHERE content_hash = ?", [ref]))
    if not rows:
        raise CurationError(f"no article {ref!r} (give its id, as on the Articles page, or its content hash)")
    return rows[0]


def set_article_date(db: sqlite_utils.Database, ref: Any, day: str, why: str | None = None,
                     by: str | None = None) -> int:
    """Give article ``ref`` (id or content hash) its publication date ``day`` (YYYY-MM-DD)."""
    art = _article(db, ref)
    day = str(day or "").strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", day) or not _valid_date(day):
        raise CurationError(f"the publication date must be a day as YYYY-MM-DD, not {day!r}")
    log_id = _write(db, "set-article-date", "article", art["content_hash"], {"published": day},
                    {"published": art["published"]}, why, by)
    _date_article(db, art["id"], day)
    return log_id


def article_dates(conn: Any, hashes: Iterable[str]) -> dict[str, str]:
    """``{content hash: day}`` of the publication dates analysts set and still in force (the
    newest correction of each article wins), for the ingest path to use before extracting."""
    hashes = [h for h in dict.fromkeys(hashes) if h]
    out: dict[str, str] = {}
    for k in range(0, len(hashes), 400):
        chunk = hashes[k:k + 400]
        for key, payload in conn.execute(
                f"SELECT target_key, payload FROM curation_log WHERE action = 'set-article-date'"
                f" AND undone_at IS NULL AND target_key IN ({','.join('?' * len(chunk))}) ORDER BY id",
                chunk).fetchall():
            day = (json.loads(payload) or {}).get("published")
            if day:
                out[key] = day
    return out


def _date_article(db: sqlite_utils.Database, article_id: int, day: str | None) -> None:
    """Move an article to publication day ``day`` (None: undated): its day counts, and the
    blocks of its reports (an undated meeting is grouped by its article's month) rebuilt."""
    from . import events

    aggregates.add_article(db, article_id, -1)
    aggregates.add_topics(db, article_id, -1)
    blocks = events.blocks_of_article(db, article_id)
    db.execute("UPDATE articles SET published = ? WHERE id = ?", [day, article_id])
    aggregates.add_article(db, article_id, 1)
    aggregates.add_topics(db, article_id, 1)
    for row in _rows(db, "SELECT * FROM reports WHERE article_id = ?", [article_id]):
        block = events.block_of(row, day)
        if block != row["block"]:
            db.execute("UPDATE reports SET block = ? WHERE id = ?", [block, row["id"]])
        blocks.add(block)
    events.rebuild_blocks(db, blocks)


_EXPORT = ("id", "at", "analyst", "action", "target_kind", "target_key", "payload", "old_value", "note",
           "undone_at", "undone_by")


def export_jsonl(conn: Any) -> str:
    """The whole log as JSON Lines (one correction a line, undone ones and undos included)."""
    return "".join(json.dumps({k: c.get(k) for k in _EXPORT}, ensure_ascii=False) + "\n" for c in log(conn))


def import_jsonl(db: sqlite_utils.Database, text: str) -> dict[str, int]:
    """Add a colleague's corrections (JSON Lines as :func:`export_jsonl` writes them). A line
    already in the log (same time, action, target and payload) is skipped; a correction that
    was undone there is imported undone. Returns ``{"added", "skipped", "orphaned"}``; a bad
    line raises :class:`CurationError` naming it, before anything is written."""
    parsed = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            c = json.loads(line)
            if not isinstance(c, dict) or c.get("action") not in ACTIONS + ("undo",) or not c.get("target_key"):
                raise ValueError("not a correction")
            payload = c.get("payload") or {}
            if not isinstance(payload, dict):
                raise ValueError("payload is not an object")
        except ValueError as exc:
            raise CurationError(f"line {n} is not a correction of a Chancery curation log ({exc})") from None
        parsed.append((c, payload))
    added = skipped = 0
    blocks: set[str] = set()
    for c, payload in parsed:
        if c["action"] == "undo":
            continue  # an undone correction carries undone_at; the undo rows are not replayed
        body = json.dumps(payload, ensure_ascii=False, sort_keys=True)
        if db.execute("SELECT 1 FROM curation_log WHERE at = ? AND action = ? AND target_key = ? AND payload = ?",
                      [c.get("at"), c["action"], c["target_key"], body]).fetchone():
            skipped += 1
            continue
        log_id = _write(db, c["action"], c.get("target_kind") or "", c["target_key"], payload,
                        c.get("old_value"), c.get("note"), c.get("analyst"), at=c.get("at"))
        if c.get("undone_at"):
            db.execute("UPDATE curation_log SET undone_at = ? WHERE id = ?", [c["undone_at"], log_id])
        added += 1
        if c["action"] in EVENT_ACTIONS:
            blocks |= {payload.get("block"), payload.get("other_block")} - {None}
        elif c["action"] == "set-article-date" and not c.get("undone_at"):
            art = db.execute("SELECT id FROM articles WHERE content_hash = ?", [c["target_key"]]).fetchone()
            if art and payload.get("published") and _valid_date(str(payload["published"])):
                _date_article(db, art[0], str(payload["published"]))
        elif c["action"] == "merge-entities" and not c.get("undone_at"):
            a = db.execute("SELECT id FROM entities WHERE key = ?", [payload.get("into")]).fetchone()
            b = db.execute("SELECT id FROM entities WHERE key = ?", [c["target_key"]]).fetchone()
            if a and b and a[0] != b[0]:
                _repoint(db, b[0], a[0])
                db.execute("DELETE FROM entities WHERE id = ?", [b[0]])
                _mark_entity(db, a[0], {"merged": [c["target_key"]]})
    apply_entities(db)
    from . import events

    events.rebuild_blocks(db, {b for b in blocks
                               if db.execute("SELECT 1 FROM reports WHERE block = ?", [b]).fetchone()})
    return {"added": added, "skipped": skipped, "orphaned": len(orphans(db))}
