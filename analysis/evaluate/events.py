"""``python -m analysis evaluate events [--db PATH]``: the store's events against the verified
events of ``../shared/facts/events.csv``.

Without ``--db`` a temporary store is built from the sample corpus and the seed page (what the
dashboard shows on its first run). A verified event is *found* when some stored event

- is of a compatible kind (a visit for a visit; a meeting or talks for a meeting or talks; an
  agreement or ceasefire for an agreement),
- falls within the trip's dates (its own date, a month holding the day, or, undated and not a
  background mention, its first report within a week after the day),
- and has a country and a person in common with it (visitor, counterparts, mediators; a person
  matches by full name or surname); a verified event that names no one, only groups ("Moscow
  Format participants", "Uzbek and Afghan delegations"), needs two countries in common instead.

It also counts the real visits that appear as more than one event, and the visits that carry a
date where no real visit of those people took place: a dated visit event (that took place)
matching no verified trip (a visit, or a meeting, talks or agreement abroad) by its visitor and
host within the trip's dates.
"""
from __future__ import annotations

import argparse
import csv
import json
import re
import tempfile
import unicodedata
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from analysis import config, model
from analysis.store import as_reader

FACTS = config.SHARED_DIR / "facts" / "events.csv"

_COMPATIBLE = {
    model.VISIT: {model.VISIT},
    model.MEETING: {model.MEETING, model.TALKS},
    model.TALKS: {model.TALKS, model.MEETING},
    model.AGREEMENT: {model.AGREEMENT, model.CEASEFIRE},
}
#: Days after a verified event's day within which a stored event still is that trip.
_AFTER = {model.VISIT: 7, model.MEETING: 1, model.TALKS: 5, model.AGREEMENT: 2}

#: The events the issue names, by the words of their summary.
NAMED = {
    "Doha talks": ("talks", "Doha"),
    "Istanbul talks": ("talks", "Istanbul"),
    "Doha ceasefire": ("agreement", "ceasefire"),
    "Saudi defence agreement": ("agreement", "Defence"),
}


def _norm(s: str) -> str:
    s = unicodedata.normalize("NFKD", s)
    return re.sub(r"[^a-z ]", "", "".join(c for c in s if not unicodedata.combining(c)).casefold()).strip()


#: Words that make a name in the facts a group ("Afghan delegation", "Moscow Format
#: participants"), not a person.
_GROUP_WORDS = {"delegation", "delegations", "participants", "officials", "side", "sides", "led"}


def _names(field: str) -> set[str]:
    """The people a facts field names (groups left out; "X led by Y" gives Y)."""
    out = set()
    for part in re.split(r";|,| and ", field.replace("Mediators:", "")):
        part = re.sub(r"\(.*?\)", "", part).strip()
        if " led by " in part:
            part = part.split(" led by ", 1)[1]
        if part and not (set(_norm(part).split()) & _GROUP_WORDS):
            out.add(_norm(part))
    return out


def _person_match(fact_people: set[str], names: set[str]) -> bool:
    for a in fact_people:
        for b in names:
            if a == b or (a.split() and b.split() and a.split()[-1] == b.split()[-1] and len(a.split()[-1]) > 3):
                return True
    return False


def load_facts(path: Path = FACTS) -> list[dict[str, Any]]:
    rows = []
    with open(path, encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            d = r["date"]
            day = date.fromisoformat(d) if len(d) == 10 else date.fromisoformat(d[:7] + "-01")
            rows.append({
                **r, "day": day, "month_only": len(d) == 7,
                "people": _names(r["visitor"]) | _names(r["counterparts"]),
                "visitors": _names(r["visitor"]),
                "countries": set(filter(None, re.split(r"[;, ]+", r["visitor_country_iso3"] + ";" +
                                                        r["host_country_iso3"]))),
                "host": r["host_country_iso3"].strip(),
                "visitor_countries": set(filter(None, re.split(r"[;, ]+", r["visitor_country_iso3"]))),
            })
    return rows


def load_events(source: Any) -> list[dict[str, Any]]:
    with as_reader(source).session() as s:
        events = [dict(r) for r in s.rows(
            "SELECT id, key, kind, date, status, background, visitor_country, destination_country,"
            " country, place, first_reported, reports, evidence FROM events")]
        parts: dict[int, list[tuple[str, str | None, str]]] = {}
        for r in s.rows("SELECT p.event_id, e.name, e.country, p.role FROM event_participants p"
                        " JOIN entities e ON e.id = p.entity_id"):
            parts.setdefault(r[0], []).append((r[1], r[2], r[3]))
    for ev in events:
        ps = parts.get(ev["id"], [])
        ev["names"] = {_norm(n) for n, _, _ in ps}
        ev["visitor_names"] = {_norm(n) for n, _, role in ps if role == model.VISITOR}
        ev["countries"] = {c for c in (ev["visitor_country"], ev["destination_country"], ev["country"]) if c}
        ev["countries"] |= {c for _, c, _ in ps if c}
        ev["host"] = ev["destination_country"] or ev["country"]
    return events


def _in_dates(fact: dict[str, Any], ev: dict[str, Any]) -> bool:
    lo = fact["day"] - timedelta(days=1)
    hi = fact["day"] + timedelta(days=_AFTER.get(fact["kind"], 2) + (30 if fact["month_only"] else 0))
    d = ev.get("date")
    if d and len(d) >= 10:
        return lo <= date.fromisoformat(d[:10]) <= hi
    if d and len(d) == 7:
        m = date.fromisoformat(d + "-01")
        return m <= hi and (m.replace(day=28) + timedelta(days=4)).replace(day=1) > lo
    if d:  # a year
        return int(d[:4]) in (lo.year, hi.year)
    if ev.get("background") or not ev.get("first_reported"):
        return False
    first = date.fromisoformat(ev["first_reported"][:10])
    return lo <= first <= hi + timedelta(days=7)


def matches(fact: dict[str, Any], ev: dict[str, Any]) -> bool:
    """A stored event is the verified one: compatible kind, within its dates, a country in
    common and a person in common (when the verified event names nobody, only groups such as
    "Moscow Format participants", two countries in common instead)."""
    if ev["kind"] not in _COMPATIBLE.get(fact["kind"], {fact["kind"]}) or not _in_dates(fact, ev):
        return False
    common = fact["countries"] & ev["countries"]
    if not fact["people"]:
        return len(common) >= min(2, len(fact["countries"]))
    return bool(common) and _person_match(fact["people"], ev["names"])


def _travelled(fact: dict[str, Any]) -> bool:
    """A verified event for which its visitor travelled (a visit, or a meeting, talks or
    agreement abroad)."""
    return bool(fact["host"]) and fact["host"] not in fact["visitor_countries"]


def _same_visit(fact: dict[str, Any], ev: dict[str, Any]) -> bool:
    """A visit event of the verified trip's visitor (by name, or by country when it names
    none) to its host, within the trip's dates."""
    if not _travelled(fact) or ev["kind"] != model.VISIT or not _in_dates(fact, ev):
        return False
    if ev["host"] and ev["host"] != fact["host"]:
        return False
    if ev["visitor_names"]:
        return _person_match(fact["visitors"], ev["visitor_names"])
    return bool(ev["visitor_country"]) and ev["visitor_country"] in fact["visitor_countries"]


def evaluate(source: Any, facts_path: Path = FACTS) -> dict[str, Any]:
    facts = load_facts(facts_path)
    events = load_events(source)
    found, duplicated, rows = 0, [], []
    for f in facts:
        hits = [e for e in events if matches(f, e)]
        found += bool(hits)
        visits = [e for e in events if _same_visit(f, e)] if f["kind"] == model.VISIT else []
        if len(visits) > 1:
            duplicated.append({"fact": f"{f['date']} {f['visitor']} → {f['host']}",
                               "events": [e["key"] for e in visits]})
        rows.append({"date": f["date"], "kind": f["kind"], "who": f["visitor"], "host": f["host"],
                     "found": bool(hits), "events": [e["key"] for e in hits]})
    visit_facts = [f for f in facts if _travelled(f)]
    false_dated = [e["key"] for e in events if e["kind"] == model.VISIT and e.get("date")
                   and (e.get("status") or model.OCCURRED) == model.OCCURRED
                   and not any(_same_visit(f, e) for f in visit_facts)]
    named = {}
    for label, (kind, word) in NAMED.items():
        fs = [f for f in facts if f["kind"] == kind and word.casefold() in (f["summary"] + f["place"]).casefold()]
        named[label] = [{"date": f["date"], "events": [
            {"key": e["key"], "people": sorted(e["names"])} for e in events if matches(f, e)]} for f in fs]
    return {"facts": len(facts), "found": found, "events": len(events),
            "visits_as_several_events": len(duplicated), "duplicated": duplicated,
            "visits_dated_without_a_real_visit": len(false_dated), "false_dated": false_dated,
            "named": named, "rows": rows}


def format_report(res: dict[str, Any]) -> str:
    lines = [
        f"verified events found: {res['found']} of {res['facts']} (store events: {res['events']})",
        f"real visits appearing as more than one event: {res['visits_as_several_events']}",
        f"visits dated where no real visit of those people took place: "
        f"{res['visits_dated_without_a_real_visit']}",
    ]
    for d in res["duplicated"]:
        lines.append(f"  several: {d['fact']}: {', '.join(d['events'])}")
    for k in res["false_dated"]:
        lines.append(f"  no such visit: {k}")
    for label, fs in res["named"].items():
        for f in fs:
            evs = "; ".join(f"{e['key']} ({', '.join(e['people'])})" for e in f["events"]) or "NOT FOUND"
            lines.append(f"{label} {f['date']}: {evs}")
    lines.append("not found:")
    lines += [f"  {r['date']} {r['kind']} {r['who']} → {r['host']}" for r in res["rows"] if not r["found"]]
    return "\n".join(lines)


def build_sample_store(path: Path) -> Path:
    from analysis.ingest import ingest_sources, sample_sources

    ingest_sources(path, sample_sources(), fetch=False)
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m analysis evaluate events", description=__doc__.split("\n")[0])
    ap.add_argument("--db", help="a store to evaluate (default: a new one of the sample corpus and the seed)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        if args.db:
            from analysis import store

            db = Path(args.db)
            if not db.exists():
                raise SystemExit(f"error: no database at {db}")
            store.upgrade_if_older(db)
        else:
            db = build_sample_store(Path(tmp) / "sample.db")
        res = evaluate(db)
    print(json.dumps(res, default=str, indent=1) if args.json else format_report(res))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
