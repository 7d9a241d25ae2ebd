"""The event layer: the reports (one per sentence that reports something) merged into events
(one per real-world happening), each with a stable key.

Reports are grouped into *blocks* that can hold the same event, and each block is clustered
again from scratch whenever one of its reports changes, so the events of a block are a function
of its reports alone: the same reports give the same events and keys whatever the order of
ingest or re-extraction.

- a visit's block is its host country;
- a meeting's, talks' or agreement's is its kind group and month (its own date's, else its
  article's): the place is often missing from one report of a meeting and given in another;
- a statement or attack is its own event (its block is its article).

Within a block two reports are one event when they name the same visitor (visits; or the same
visiting country when one names nobody) or share a participant (the rest), and their dates fit
one trip (:data:`WINDOW_DAYS` after the first day for visits). Reports are taken in order of
precision: a day, then no date (placed at the article's date), then a month, then a year; a
month or year report joins a fitting event only when exactly one fits. A background mention
without a date (``background``) joins the latest fitting event before its article, else it is an
undated event of its own. The event takes its date from its best report (the first day given;
else a month; else a year), its status from its latest report, its place and evidence from its
best report; its participants are every report's.
"""
from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import sqlite_utils

from analysis import model

from .db import insert_row


#: Kinds merged together (a report of "talks" and one of a "meeting" of the same people on the
#: same day are one event); other kinds are their own group.
KIND_GROUPS = {model.MEETING: "meeting", model.TALKS: "meeting"}
#: Days after an event's first day within which a report of the same sides still is that event,
#: by kind group, and by kind where a kind lasts longer than its group (a round of talks).
WINDOW_DAYS = {"visit": 6, "meeting": 1, model.TALKS: 6}
#: How many days after an event an undated (not background) report may still be news of it.
REPORTED_AFTER_DAYS = 7
#: How many days before an event a report of it as planned may be published.
PREVIEW_DAYS = 14
#: Undated reports of the same sides in articles this many days apart are one event.
UNDATED_SAME_DAYS = 3
#: Kinds whose reports are never merged across sentences.
SINGLE_KINDS = (model.STATEMENT, model.ATTACK)


def kind_group(kind: str) -> str:
    return KIND_GROUPS.get(kind, kind)


def block_of(report: dict[str, Any], published: str | None = None) -> str:
    """The block key of a report (see the module docstring); ``published`` is its article's
    publication date."""
    kind = report["kind"]
    if kind in SINGLE_KINDS:
        return f"{kind}|article:{report['article_id']}"
    group = kind_group(kind)
    if kind == model.VISIT:
        host = report.get("destination_country") or report.get("country") or ""
        return f"{group}|{host}"
    # meetings, talks, agreements: by month (of the report's own date, else of its article), as
    # their place is often not given in one report of them and given in another
    own = str(report.get("date") or "")
    month = own[:7] if len(own) >= 7 else str(published or "")[:7]
    return f"{group}|{month}"


# --- dates ------------------------------------------------------------------------------------

def _span(value: str | None) -> tuple[date, date, int] | None:
    """(first day, last day, precision 3 day / 2 month / 1 year) of a YYYY[-MM[-DD]] date."""
    if not value:
        return None
    try:
        parts = [int(p) for p in str(value)[:10].split("-")]
        if len(parts) >= 3:
            d = date(parts[0], parts[1], parts[2])
            return d, d, 3
        if len(parts) == 2:
            last = calendar.monthrange(parts[0], parts[1])[1]
            return date(parts[0], parts[1], 1), date(parts[0], parts[1], last), 2
        return date(parts[0], 1, 1), date(parts[0], 12, 31), 1
    except ValueError:
        return None


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


# --- clustering -------------------------------------------------------------------------------

@dataclass
class _Report:
    id: int
    row: dict[str, Any]
    published: date | None
    outlet: str | None
    article_hash: str
    people: set[str]            # entity keys of people taking part
    parties: set[str]           # entity keys of every participant (people, countries, organisations)
    span: tuple[date, date, int] | None

    @property
    def background(self) -> bool:
        return bool(self.row.get("background")) and self.span is None


@dataclass
class _Cluster:
    reports: list[_Report] = field(default_factory=list)
    lo: date | None = None
    hi: date | None = None

    def people(self) -> set[str]:
        return set().union(*(r.people for r in self.reports)) if self.reports else set()

    def parties(self) -> set[str]:
        return set().union(*(r.parties for r in self.reports)) if self.reports else set()

    def add(self, r: _Report, lo: date | None, hi: date | None) -> None:
        self.reports.append(r)
        if lo is not None:
            self.lo = lo if self.lo is None else min(self.lo, lo)
            self.hi = hi if self.hi is None else max(self.hi, hi)


def _same_sides(group: str, c: _Cluster, r: _Report) -> bool:
    if group == "visit":
        # one delegation: the same visiting country (its members are named in different
        # reports); a visitor without a country is matched by name
        cc = {x.row.get("visitor_country") for x in c.reports} - {None, ""}
        rc = r.row.get("visitor_country")
        if cc and rc:
            return rc in cc
        return bool(c.people() & r.people)
    # one meeting: two people in common, or one named side contained in the other ("Dar met
    # Muttaqi" and "Dar, Muttaqi and Wang Yi held the trilateral"); a visitor who met several
    # people on a trip shares only himself with each meeting, which is not enough
    for cp, rp in ((c.people(), r.people), (c.parties(), r.parties)):
        if cp and rp:
            common = cp & rp
            return len(common) >= 2 or (bool(common) and (cp <= rp or rp <= cp))
    return False


def _fits(group: str, c: _Cluster, lo: date, hi: date, kind: str | None = None) -> bool:
    """Whether a report of [lo, hi] fits the event: together they span at most one trip (or
    one round of talks, when the event or the report is talks)."""
    if c.lo is None:
        return False
    kinds = {kind} | {r.row.get("kind") for r in c.reports}
    window = max([WINDOW_DAYS.get(group, 0)] + [WINDOW_DAYS.get(k, 0) for k in kinds if k])
    return (max(hi, c.hi) - min(lo, c.lo)).days <= window


def _reported_during(c: _Cluster, r: _Report) -> bool:
    """Whether an undated report may be news of the event: published from the day before it
    began (:data:`PREVIEW_DAYS` before, for a report of a planned event) to
    :data:`REPORTED_AFTER_DAYS` after it ended."""
    if c.lo is None or r.published is None:
        return False
    before = PREVIEW_DAYS if r.row.get("status") == model.PLANNED else 1
    return c.lo - timedelta(days=before) <= r.published <= c.hi + timedelta(days=REPORTED_AFTER_DAYS)


def cluster(group: str, reports: list[_Report]) -> list[_Cluster]:
    """The events of one block: its reports clustered (deterministic: reports are sorted first)."""
    order = sorted(reports, key=lambda r: (
        -(r.span[2] if r.span else 0), r.span[0] if r.span else date.max,
        r.published or date.max, r.article_hash, r.row.get("sentence_index") or 0, r.id))
    clusters: list[_Cluster] = []
    if group in SINGLE_KINDS:
        for r in order:
            c = _Cluster()
            c.add(r, *(r.span[:2] if r.span else (None, None)))
            clusters.append(c)
        return clusters
    days = [r for r in order if r.span and r.span[2] == 3]
    undated = [r for r in order if r.span is None and not r.background]
    coarse = [r for r in order if r.span and r.span[2] < 3]
    background = [r for r in order if r.background]
    for r in days:
        lo, hi, _ = r.span
        home = next((c for c in clusters if _same_sides(group, c, r)
                     and _fits(group, c, lo, hi, r.row.get("kind"))), None)
        if home is None:
            home = _Cluster()
            clusters.append(home)
        home.add(r, lo, hi)
    for r in undated:  # news of an event near its article's date
        fitting = [c for c in clusters if _same_sides(group, c, r) and _reported_during(c, r)]
        if fitting:
            max(fitting, key=lambda c: (c.lo, _published(c))).add(r, None, None)
            continue
        home = next((c for c in clusters if c.lo is None and not _is_background(c) and
                     _coarse_span(c) is None and _same_sides(group, c, r) and r.published and
                     abs((_published(c) - r.published).days) <= UNDATED_SAME_DAYS), None)
        if home is None:
            home = _Cluster()
            clusters.append(home)
        home.add(r, None, None)
    for r in coarse:
        lo, hi, _ = r.span
        fitting = [c for c in clusters if c.lo is not None and _same_sides(group, c, r)
                   and c.lo >= lo and c.hi <= hi]
        if len(fitting) == 1:
            fitting[0].add(r, None, None)
            continue
        home = next((c for c in clusters if c.lo is None and _same_sides(group, c, r)
                     and (_coarse_span(c) == r.span or (_coarse_span(c) is None and not _is_background(c)
                                                       and lo <= _published(c) <= hi + timedelta(days=7)))), None)
        if home is None:
            home = _Cluster()
            clusters.append(home)
        home.reports.append(r)
    for r in background:
        # the event it recalls: the latest one of those sides before its article (an undated
        # event counts from its first report)
        # (a mention naming people joins only an event of theirs: "Raisi's visit" recalls a
        # visit by Raisi, not any earlier Iranian visit)
        before = [c for c in clusters if _same_sides(group, c, r) and not _is_background(c)
                  and r.published is not None and _when(c) <= r.published
                  and (not r.people or bool(r.people & c.people()))]
        if before:
            max(before, key=_when).add(r, None, None)
            continue
        home = next((c for c in clusters if _is_background(c) and _same_sides(group, c, r)), None)
        if home is None:
            home = _Cluster()
            clusters.append(home)
        home.reports.append(r)
    return clusters


def _when(c: _Cluster) -> date:
    """When an event began, as far as its reports say: its first day, else its month's or
    year's first day, else its first report's publication."""
    if c.lo is not None:
        return c.lo
    span = _coarse_span(c)
    return span[0] if span else _published(c)


def _is_background(c: _Cluster) -> bool:
    return all(r.background for r in c.reports)


def _published(c: _Cluster) -> date:
    return min((r.published for r in c.reports if r.published), default=date.max)


def _coarse_span(c: _Cluster) -> tuple[date, date, int] | None:
    spans = [r.span for r in c.reports if r.span]
    return max(spans, key=lambda s: s[2]) if spans else None


# --- the event row ----------------------------------------------------------------------------

def _best(c: _Cluster) -> _Report:
    """The report an event takes its date, place and evidence from: the most precise date,
    then the earliest day, then the earliest article."""
    return min(c.reports, key=lambda r: (
        -(r.span[2] if r.span else 0), r.background, r.span[0] if r.span else date.max,
        r.published or date.max, r.article_hash, r.row.get("sentence_index") or 0, r.id))


def _latest(c: _Cluster) -> _Report:
    return max(c.reports, key=lambda r: (r.published or date.min, r.article_hash,
                                          r.row.get("sentence_index") or 0, r.id))


def _first_filled(reports: Iterable[_Report], column: str) -> Any:
    for r in reports:
        if r.row.get(column):
            return r.row[column]
    return None


def event_row(group: str, c: _Cluster) -> dict[str, Any]:
    latest = _latest(c)
    status = latest.row.get("status") or model.default_status()
    # the date of the event as it happened: a report with its final status says it best (a
    # preview's "next week" gives way to the report of the visit)
    final = [r for r in c.reports if (r.row.get("status") or model.default_status()) == status]
    best = _best(_Cluster(final)) if final else _best(c)
    ranked = [best] + [r for r in c.reports if r is not best]
    days = [r.span[0] for r in (final or c.reports) if r.span and r.span[2] == 3]
    if not days:
        days = [r.span[0] for r in c.reports if r.span and r.span[2] == 3]
    if days:
        day = min(days).isoformat()
    elif best.span is not None:
        day = best.row.get("date")
    else:
        day = _first_filled([r for r in ranked if r.span], "date")
    published = sorted(r.published.isoformat() for r in c.reports if r.published)
    row = {k: _first_filled(ranked, k) for k in (
        "country", "place", "visitor_country", "destination_country", "destination_place", "quote")}
    row.update({
        "kind": best.row["kind"],
        "cameo": best.row.get("cameo"),
        "date": day,
        "status": latest.row.get("status") or best.row.get("status"),
        "status_words": latest.row.get("status_words"),
        "background": int(_is_background(c)),
        "article_id": best.row["article_id"],
        "evidence": best.row.get("evidence"),
        "sentence_index": best.row.get("sentence_index"),
        "start": best.row.get("start"),
        "end": best.row.get("end"),
        "reports": len(c.reports),
        "articles": len({r.row["article_id"] for r in c.reports}),
        "outlets": len({r.outlet for r in c.reports if r.outlet}),
        "first_reported": published[0] if published else None,
        "last_reported": published[-1] if published else None,
        "attributes": best.row.get("attributes") or "{}",
    })
    # the CAMEO code goes with the status (a planned visit is 036, once made 042)
    same_status = [r for r in ranked if r.row.get("status") == row["status"] and r.row.get("cameo")]
    if same_status:
        row["cameo"] = same_status[0].row["cameo"]
        row["kind"] = same_status[0].row["kind"]
    return row


def event_key(group: str, row: dict[str, Any], c: _Cluster, names: dict[int, str]) -> str:
    """A readable key derived from what the event is: kind, sides, date (or, undated, its first
    report's day), e.g. ``visit:PAK-AFG:mohammad-sadiq:2024-12-23``."""
    kind = row["kind"]
    if kind in SINGLE_KINDS:
        r = c.reports[0]
        return f"{kind}:{r.article_hash[:12]}:{r.row.get('sentence_index') or 0}"
    when = row["date"] or ("undated-" + (row["first_reported"] or "")[:10])
    people = sorted({names[p] for r in c.reports for p in r.row["_people_ids"] if p in names})
    if group == "visit":
        visitors = sorted({names[p] for r in c.reports for p in r.row["_visitor_ids"] if p in names})
        who = "+".join(visitors[:2]) or "-"
        host = row.get("destination_country") or row.get("country") or "-"
        return f"visit:{row.get('visitor_country') or '-'}-{host}:{who}:{when}"
    who = "+".join(people[:3]) or "+".join(sorted({names[p] for r in c.reports
                                                   for p in r.row["_party_ids"] if p in names})[:3]) or "-"
    return f"{group}:{row.get('country') or '-'}:{who}:{when}"


# --- reading a block, writing its events ------------------------------------------------------

def _load_block(db: sqlite_utils.Database, block: str) -> tuple[list[_Report], dict[int, str]]:
    rows = [dict(zip([d[0] for d in cur.description], r)) for cur in [db.execute(
        "SELECT r.*, a.published AS _published, a.outlet AS _outlet, a.content_hash AS _hash"
        " FROM reports r JOIN articles a ON a.id = r.article_id WHERE r.block = ? ORDER BY r.id",
        [block])] for r in cur.fetchall()]
    if not rows:
        return [], {}
    ids = [r["id"] for r in rows]
    parts: dict[int, list[tuple[int, str, str, str]]] = {}
    names: dict[int, str] = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        for rid, eid, role, key, kind in db.execute(
                "SELECT p.report_id, p.entity_id, p.role, e.key, e.kind FROM report_participants p"
                f" JOIN entities e ON e.id = p.entity_id WHERE p.report_id IN ({','.join('?' * len(chunk))})",
                chunk).fetchall():
            parts.setdefault(rid, []).append((eid, role, key, kind))
            names[eid] = key.split(":", 1)[-1]
    out = []
    for row in rows:
        ps = parts.get(row["id"], [])
        row["_people_ids"] = [e for e, _, _, k in ps if k == model.PERSON]
        row["_visitor_ids"] = [e for e, role, _, k in ps if role == model.VISITOR]
        row["_party_ids"] = [e for e, _, _, _ in ps]
        out.append(_Report(
            id=row["id"], row=row, published=_day(row.pop("_published")), outlet=row.pop("_outlet"),
            article_hash=row.pop("_hash") or "",
            people={key for _, _, key, k in ps if k == model.PERSON},
            parties={key for _, _, key, _ in ps},
            span=_span(row.get("date"))))
    return out, names


def rebuild_block(db: sqlite_utils.Database, block: str) -> int:
    """Cluster one block's reports again and replace its events; returns how many it has.
    Call inside a write transaction."""
    old = [r[0] for r in db.execute("SELECT id FROM events WHERE block = ?", [block]).fetchall()]
    for i in range(0, len(old), 500):
        chunk = old[i:i + 500]
        marks = ",".join("?" * len(chunk))
        db.execute(f"DELETE FROM event_participants WHERE event_id IN ({marks})", chunk)
        db.execute(f"DELETE FROM events WHERE id IN ({marks})", chunk)
    reports, names = _load_block(db, block)
    if not reports:
        if db["events_rejected"].exists():
            db.execute("DELETE FROM events_rejected WHERE block = ?", [block])
        return 0
    group = block.split("|", 1)[0]
    used: set[str] = set()
    clusters = cluster(group, reports)
    rows = []
    for c in clusters:
        row = event_row(group, c)
        key = event_key(group, row, c, names)
        base, n = key, 2
        while key in used:
            key, n = f"{base}~{n}", n + 1
        used.add(key)
        rows.append((c, row, key))
    # a key may exist in another block (another visiting country for one visitor): make it unique
    for c, row, key in sorted(rows, key=lambda x: x[2]):
        final, n = key, 2
        while db.execute("SELECT 1 FROM events WHERE key = ?", [final]).fetchone():
            final, n = f"{key}~{n}", n + 1
        row.update(key=final, block=block)
        event_id = insert_row(db, "events", row)
        ids = [r.id for r in c.reports]
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            db.execute(f"UPDATE reports SET event_id = ? WHERE id IN ({','.join('?' * len(chunk))})",
                       [event_id, *chunk])
        db.execute(
            "INSERT OR IGNORE INTO event_participants (event_id, entity_id, role)"
            f" SELECT DISTINCT ?, entity_id, role FROM report_participants WHERE report_id IN"
            f" ({','.join('?' * len(ids))})", [event_id, *ids])
    from . import curation  # analysts' corrections hold on every rebuild

    curation.apply_block(db, block)
    set_days(db, block)  # after the corrections: a corrected date moves the day
    return len(rows)


#: An event's day (the views' definition, analysis/views/filters.py): its own date
#: (``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``), else, unless it is a background mention, the
#: publication day of its best report's article; NULL when neither.
DAY_SQL = ("substr(COALESCE(NULLIF(events.date, ''), CASE WHEN events.background THEN NULL ELSE"
           " (SELECT published FROM articles WHERE articles.id = events.article_id) END), 1, 10)")


def set_days(db: Any, block: str | None = None, article_id: int | None = None) -> None:
    """Write ``events.day`` (:data:`DAY_SQL`) for one block's events, one article's, or all."""
    if block is not None:
        db.execute(f"UPDATE events SET day = {DAY_SQL} WHERE block = ?", [block])
    elif article_id is not None:
        db.execute(f"UPDATE events SET day = {DAY_SQL} WHERE article_id = ?", [article_id])
    else:
        db.execute(f"UPDATE events SET day = {DAY_SQL}")


def blocks_of_article(db: sqlite_utils.Database, article_id: int) -> set[str]:
    return {r[0] for r in db.execute("SELECT DISTINCT block FROM reports WHERE article_id = ?",
                                     [article_id]).fetchall() if r[0]}


def rebuild_blocks(db: sqlite_utils.Database, blocks: Iterable[str]) -> int:
    return sum(rebuild_block(db, b) for b in sorted(set(blocks)))


def rebuild_all(db: sqlite_utils.Database) -> int:
    """Every block clustered again (a migration, or after re-extraction); returns the events."""
    db.execute("DELETE FROM event_participants")
    db.execute("DELETE FROM events")
    if db["events_rejected"].exists():
        db.execute("DELETE FROM events_rejected")
    blocks = [r[0] for r in db.execute("SELECT DISTINCT block FROM reports WHERE block IS NOT NULL")]
    return rebuild_blocks(db, blocks)
