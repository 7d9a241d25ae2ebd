"""Every write to the store: stable keys, entities, an article and its extracted facts,
copies, errors (one transaction per article, taken by the caller with
:func:`analysis.store.db.write_tx`), and the store-wide counts.
"""
from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import unicodedata
from typing import Any, Mapping

import sqlite_utils

from analysis import model


from . import aggregates, curation, events
from .db import data_version, insert_row, insert_rows, utcnow
from .schema import _JSON_ARTICLE_FIELDS, SCHEMA_VERSION, TABLES



# --- keys -----------------------------------------------------------------------------------

def content_hash(text: str) -> str:
    """SHA-256 of the text with case, punctuation and whitespace normalised."""
    norm = " ".join(re.findall(r"\w+", unicodedata.normalize("NFKC", text).casefold()))
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()


def slug(name: str) -> str:
    """Accent-free, lower-case, hyphenated form of a name, used in stable entity keys."""
    s = unicodedata.normalize("NFKD", name)
    s = "".join(c for c in s if not unicodedata.combining(c)).casefold()
    s = s.replace("’", "'").replace("'", "")
    return re.sub(r"[^0-9a-z]+", "-", s).strip("-")


def entity_key(name: str, kind: str, country: str | None = None) -> str:
    """Stable identifier of an entity across articles and re-extractions.

    Countries are keyed by their ISO 3166-1 alpha-3 code, everything else by kind and slug.
    """
    if kind == "country" and country:
        return f"country:{country}"
    return f"{kind}:{slug(name)}"


# --- writes ---------------------------------------------------------------------------------

def upsert_entity(db: sqlite_utils.Database, name: str, kind: str, country: str | None,
                  aliases: list[str] | tuple[str, ...] = (), redirect: bool = True) -> int | None:
    """Insert the entity when its key is new and add any new aliases; return its id.

    An existing entity keeps its name; a country learnt later fills an empty one. An entity an
    analyst merged into another is written to that one, and one an analyst rejected (not an
    entity at all) is not written: None (``redirect``; see :mod:`analysis.store.curation`).
    """
    key = entity_key(name, kind, country)
    if redirect:
        key = curation.entity_key_for(db, key)
        if curation.is_rejected_entity(db, key):
            return None
    row = db.execute("SELECT id, country FROM entities WHERE key = ?", [key]).fetchone()
    if row:
        entity_id = row[0]
        if country and not row[1]:
            db.execute("UPDATE entities SET country = ? WHERE id = ?", [country, entity_id])
            aggregates.entity_changed(db, entity_id)
    else:
        entity_id = insert_row(
            db, "entities", {"key": key, "name": name, "kind": kind, "country": country, "created_at": utcnow()})
    names = {name, *[a for a in aliases if a]}
    insert_rows(db, "entity_aliases", ({"entity_id": entity_id, "alias": a} for a in sorted(names)), "ignore")
    return entity_id


def upsert_entities(db: sqlite_utils.Database, ents: list[Mapping[str, Any]],
                    redirect: bool = True) -> list[int | None]:
    """:func:`upsert_entity` for each of an article's entities, in order (the same rows, ids
    and aliases), with one lookup of the existing ones and one insert of all the aliases: an
    article names a dozen or more, and each statement is a round trip the extraction thread
    waits on for the GIL. ``ents``: ``{"name", "kind", "country", "aliases"}`` mappings."""
    keys = []
    for ent in ents:
        key = entity_key(ent["name"], ent["kind"], ent.get("country"))
        if redirect:
            key = curation.entity_key_for(db, key)
            if curation.is_rejected_entity(db, key):
                key = None
        keys.append(key)
    wanted = sorted({k for k in keys if k})
    known: dict[str, list[Any]] = {}
    for i in range(0, len(wanted), 500):
        chunk = wanted[i:i + 500]
        for key, entity_id, country in db.execute(
                f"SELECT key, id, country FROM entities WHERE key IN ({','.join('?' * len(chunk))})", chunk):
            known[key] = [entity_id, country]
    ids: list[int | None] = []
    aliases: list[dict[str, Any]] = []
    for ent, key in zip(ents, keys):
        if key is None:
            ids.append(None)
            continue
        name, country = ent["name"], ent.get("country")
        row = known.get(key)
        if row:
            entity_id = row[0]
            if country and not row[1]:
                db.execute("UPDATE entities SET country = ? WHERE id = ?", [country, entity_id])
                aggregates.entity_changed(db, entity_id)
                row[1] = country
        else:
            entity_id = insert_row(db, "entities", {"key": key, "name": name, "kind": ent["kind"],
                                                    "country": country, "created_at": utcnow()})
            known[key] = [entity_id, country]
        ids.append(entity_id)
        names = {name, *[a for a in ent.get("aliases", ()) if a]}
        aliases.extend({"entity_id": entity_id, "alias": a} for a in sorted(names))
    insert_rows(db, "entity_aliases", aliases, "ignore")
    return ids


def clear_extraction(db: sqlite_utils.Database, article_id: int) -> set[str]:
    """Delete what extraction stored for one article (entities themselves stay) and return the
    event blocks its reports were in (their events are rebuilt by the caller)."""
    blocks = events.blocks_of_article(db, article_id)
    aggregates.add_topics(db, article_id, -1)
    db.execute(
        "DELETE FROM report_participants WHERE report_id IN (SELECT id FROM reports WHERE article_id = ?)",
        [article_id],
    )
    for table in ("reports", "mentions", "article_roles", "article_topics"):
        db.execute(f"DELETE FROM {table} WHERE article_id = ?", [article_id])
    return blocks


#: Field of an extracted event -> the participant role recorded (from the domain vocabulary).
_PARTICIPANT_FIELDS = model.role_fields()
_EVENT_COLUMNS = {
    "kind", "cameo", "date", "status", "status_words", "country", "place", "visitor_country",
    "destination_country", "destination_place", "evidence", "sentence_index", "start", "end",
    "quote",
}


def save_extraction(db: sqlite_utils.Database, article_id: int, result: Mapping[str, Any],
                    published: str | None, extractor_version: str) -> None:
    """Store one article's extraction result (the ``extract`` JSON contract), replacing any
    previous one. Call inside :func:`write_tx`."""
    blocks = clear_extraction(db, article_id)
    ids: dict[str, int] = {}
    countries: dict[str, str | None] = {}
    redirect = curation.redirects_entities(db)  # else no entity's own lookups are needed
    ents = result.get("entities", [])
    for ent, eid in zip(ents, upsert_entities(db, ents, redirect=redirect)):
        if eid is None:  # rejected by an analyst: its mentions stay plain text
            continue
        ids.setdefault(ent["name"], eid)
        countries.setdefault(ent["name"], ent.get("country"))
        for alias in ent.get("aliases", []):
            ids.setdefault(alias, eid)
        for role in ent.get("roles", []):
            insert_row(db, "article_roles", {
                "article_id": article_id,
                "entity_id": eid,
                "title": role.get("title"),
                "country": role.get("country"),
                "date": role.get("date") or published,
                "evidence": role.get("evidence"),
            })
    insert_rows(
        db, "mentions",
        (
            {
                "article_id": article_id,
                "entity_id": ids.get(m.get("entity") or ""),
                "start": m["start"],
                "end": m["end"],
                "text": m["text"],
                "label": m.get("label"),
                "sentence_index": m.get("sentence_index"),
            }
            for m in result.get("mentions", [])
        ),
        plain=True,
    )
    for ev in result.get("events", []):
        row = {k: ev.get(k) for k in _EVENT_COLUMNS}
        row["article_id"] = article_id
        row["background"] = int(bool(ev.get("background")))
        visitor = ev.get("visitor")
        if not row.get("visitor_country") and isinstance(visitor, str):
            row["visitor_country"] = countries.get(visitor)
        extra = {k: v for k, v in ev.items() if k not in _EVENT_COLUMNS and k != "background"}
        row["attributes"] = json.dumps(extra, ensure_ascii=False)
        row["block"] = events.block_of(row, published)
        blocks.add(row["block"])
        report_id = insert_row(db, "reports", row)
        parts = []
        for field, role in _PARTICIPANT_FIELDS.items():
            value = ev.get(field)
            for name in ([value] if isinstance(value, str) else value or []):
                if name in ids:
                    parts.append({"report_id": report_id, "entity_id": ids[name], "role": role})
        insert_rows(db, "report_participants", parts, "ignore")
    curation.apply_entities(db, article_id)
    events.rebuild_blocks(db, blocks)
    for topic in result.get("topics", []):
        insert_row(db, "topics", {"id": topic["id"], "label": topic.get("label") or topic["id"]}, "ignore")
        insert_row(db, "article_topics", {
            "article_id": article_id,
            "topic_id": topic["id"],
            "score": topic.get("score"),
            "evidence": json.dumps(topic.get("evidence", []), ensure_ascii=False),
        }, "replace")
    aggregates.add_topics(db, article_id, 1)
    aggregates.article_countries_for(db, [article_id])
    db.execute(
        "UPDATE articles SET extractor_version = ?, extracted_at = ? WHERE id = ?",
        [extractor_version, utcnow(), article_id],
    )


def insert_article(db: sqlite_utils.Database, article: Mapping[str, Any]) -> int:
    """Insert a new article row and return its id. ``article`` holds the columns of
    ``articles``; ``metadata`` may be a dict."""
    row = {k: article.get(k) for k in TABLES["articles"][0] if k != "id"}
    for field in _JSON_ARTICLE_FIELDS:
        if isinstance(row.get(field), (dict, list)):
            row[field] = json.dumps(row[field], ensure_ascii=False)
    row.setdefault("ingested_at", None)
    row["ingested_at"] = row["ingested_at"] or utcnow()
    row["word_count"] = row.get("word_count") or len(article["text"].split())
    article_id = insert_row(db, "articles", row)
    aggregates.add_article(db, article_id)
    return article_id


def record_copy(db: sqlite_utils.Database, article_id: int, reason: str, *, url: str | None,
                canonical_url: str | None, title: str | None, outlet: str | None,
                source: str | None, similarity: float | None = None) -> bool:
    """Link a duplicate item to the stored article. Returns False when that copy was already
    linked (re-running an ingest adds nothing)."""
    copy_key = hashlib.sha256(
        json.dumps([article_id, canonical_url or "", source or "", title or ""]).encode()
    ).hexdigest()
    if db.execute("SELECT 1 FROM article_copies WHERE copy_key = ?", [copy_key]).fetchone():
        return False
    db["article_copies"].insert({
        "article_id": article_id, "copy_key": copy_key, "reason": reason,
        "similarity": similarity, "url": url, "canonical_url": canonical_url, "title": title,
        "outlet": outlet, "source": source, "seen_at": utcnow(),
    })
    return True


def record_error(db: sqlite_utils.Database, source: str, item: str | None, kind: str,
                 message: str, run_id: int | None = None) -> bool:
    """Record one ingest error. The same error for the same item is kept once (its count and
    last-seen time grow), so re-running a batch does not inflate the error count.

    :returns: True when the error is new.
    """
    key = hashlib.sha256(json.dumps([source, item or "", kind]).encode()).hexdigest()
    now = utcnow()
    row = db.execute("SELECT id FROM ingest_errors WHERE error_key = ?", [key]).fetchone()
    if row:
        db.execute(
            "UPDATE ingest_errors SET last_seen = ?, occurrences = occurrences + 1, message = ?,"
            " run_id = ? WHERE id = ?",
            [now, message, run_id, row[0]],
        )
        return False
    db["ingest_errors"].insert({
        "error_key": key, "source": source, "item": item, "kind": kind, "message": message,
        "run_id": run_id, "first_seen": now, "last_seen": now, "occurrences": 1,
    })
    return True




# --- ingest bookkeeping: runs, duplicates, signatures, re-extraction -------------------------

def start_run(db: sqlite_utils.Database, sources: list[str]) -> int:
    """Open an ``ingest_runs`` row (``running``) and return its id; runs still ``running`` from
    a process that died are closed ``interrupted`` first. Call inside :func:`write_tx`."""
    db.execute("UPDATE ingest_runs SET status = 'interrupted' WHERE status = 'running'")
    return db["ingest_runs"].insert({
        "started_at": utcnow(), "sources": json.dumps(sources, ensure_ascii=False),
        "new": 0, "duplicates": 0, "errors": 0, "status": "running",
    }).last_pk


def finish_run(db: sqlite_utils.Database, run_id: int, status: str, message: str | None = None,
               **counts: int) -> None:
    """Close a run row: ``finished``, ``failed`` or ``interrupted``, with its counts; the
    network kept for the default view is recounted (whatever the run wrote before it ended)."""
    from . import network

    db["ingest_runs"].update(run_id, {"finished_at": utcnow(), "status": status, "message": message,
                                      **counts})
    network.refresh(db)


def known_locator(db: sqlite_utils.Database, locator: str) -> bool:
    """Whether an item from this source locator is stored already (as an article or a copy)."""
    return bool(
        db.execute("SELECT 1 FROM articles WHERE source = ? LIMIT 1", [locator]).fetchone()
        or db.execute("SELECT 1 FROM article_copies WHERE source = ? LIMIT 1", [locator]).fetchone()
    )


def article_with_hash(db: sqlite_utils.Database, content_hash: str) -> int | None:
    row = db.execute("SELECT id FROM articles WHERE content_hash = ?", [content_hash]).fetchone()
    return row[0] if row else None


def article_with_url(db: sqlite_utils.Database, canonical_url: str) -> int | None:
    """The article stored under this canonical URL, or of which a copy was seen there."""
    row = db.execute("SELECT id FROM articles WHERE canonical_url = ? LIMIT 1", [canonical_url]).fetchone()
    if not row:
        row = db.execute("SELECT article_id FROM article_copies WHERE canonical_url = ? LIMIT 1",
                         [canonical_url]).fetchone()
    return row[0] if row else None


def signature_candidates(db: Any, bands: list[tuple[int, str]], limit: int = 50) -> list[tuple[int, bytes]]:
    """(article id, MinHash signature bytes) of stored articles sharing an LSH bucket."""
    where = " OR ".join("(band = ? AND bucket = ?)" for _ in bands)
    params = [v for pair in bands for v in pair]
    return [(r[0], r[1]) for r in db.execute(
        f"SELECT DISTINCT m.article_id, m.signature FROM article_lsh l "
        f"JOIN article_minhash m ON m.article_id = l.article_id WHERE {where} LIMIT {int(limit)}",
        params,
    ).fetchall()]


def save_signature(db: sqlite_utils.Database, article_id: int, signature: bytes,
                   bands: list[tuple[int, str]]) -> None:
    """Store an article's MinHash signature and LSH buckets (inside a write)."""
    insert_row(db, "article_minhash", {"article_id": article_id, "signature": signature}, "replace")
    insert_rows(db, "article_lsh", ({"band": b, "bucket": h, "article_id": article_id} for b, h in bands),
                "ignore")


def article_ids(db: sqlite_utils.Database) -> list[int]:
    return [r[0] for r in db.execute("SELECT id FROM articles ORDER BY id").fetchall()]


def articles_to_extract(db: sqlite_utils.Database, ids: list[int]) -> list[dict[str, Any]]:
    """Stored clean articles as extraction inputs (with their ``source``)."""
    rows = db.execute(
        "SELECT id, title, text, published, url, source FROM articles WHERE id IN"
        f" ({','.join('?' * len(ids))}) ORDER BY id", ids).fetchall()
    return [{"id": r[0], "title": r[1], "text": r[2], "published": r[3], "url": r[4], "source": r[5]}
            for r in rows]


def prune_orphan_entities(db: sqlite_utils.Database) -> int:
    """Delete entities that no mention, role, report, event or curation refers to; returns the count."""
    orphan = (
        "SELECT id FROM entities e WHERE NOT EXISTS (SELECT 1 FROM mentions m WHERE m.entity_id = e.id)"
        " AND NOT EXISTS (SELECT 1 FROM article_roles r WHERE r.entity_id = e.id)"
        " AND NOT EXISTS (SELECT 1 FROM report_participants p WHERE p.entity_id = e.id)"
        " AND NOT EXISTS (SELECT 1 FROM event_participants p WHERE p.entity_id = e.id)"
        " AND NOT EXISTS (SELECT 1 FROM curation_log c WHERE c.target_key = e.key)"
    )
    ids = [r[0] for r in db.execute(orphan).fetchall()]
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        marks = ",".join("?" * len(chunk))
        db.execute(f"DELETE FROM entity_aliases WHERE entity_id IN ({marks})", chunk)
        db.execute(f"DELETE FROM entities WHERE id IN ({marks})", chunk)
    return len(ids)


# --- reads ----------------------------------------------------------------------------------

def stats(conn: sqlite3.Connection | sqlite_utils.Database) -> dict[str, int]:
    """Counts of the main tables, as printed by ``python -m analysis stats --json``.

    Only what an ingest adds is counted (runs are not), so re-running an ingest changes nothing.
    Events are itemised by every kind of the domain vocabulary.
    """
    def one(sql: str, params: list[Any] | None = None) -> int:
        return int(conn.execute(sql, params or []).fetchone()[0])

    # mentions and events by kind from the counts the triggers keep (schema 9)
    tallies = dict(conn.execute("SELECT name, n FROM table_counts").fetchall())
    by_kind = {name.split(":", 1)[1]: n for name, n in tallies.items() if name.startswith("events:")}
    labels = model.vocabulary()["event_kinds"]
    kinds = {labels[k].get("plural", k).lower(): int(by_kind.get(k, 0)) for k in model.event_kinds()}
    return {
        "articles": one("SELECT COUNT(*) FROM articles"),
        "duplicates": one("SELECT COUNT(*) FROM article_copies"),
        "entities": one("SELECT COUNT(*) FROM entities"),
        "people": one("SELECT COUNT(*) FROM entities WHERE kind = ?", [model.PERSON]),
        "mentions": int(tallies.get("mentions", 0)),
        "events": int(sum(by_kind.values())),
        "reports": one("SELECT COUNT(*) FROM reports"),
        **kinds,  # visits, meetings, talks, agreements, ceasefires, statements, attacks
        "topic_tags": one("SELECT COUNT(*) FROM article_topics"),
        "errors": one("SELECT COUNT(*) FROM ingest_errors"),
        "schema_version": SCHEMA_VERSION,
        "data_version": data_version(conn),
    }
