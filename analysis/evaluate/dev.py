"""``python -m analysis evaluate dev [--set NAME] [--errors]``: visits, meetings and people's
countries on hand-annotated real news, scored the way the held-out evaluation scores them.

Sets (all read from ``../shared``; nothing of their text is in the repository):

- ``dev``: ``../shared/gold/dev/dev.json``, 160 items of BBC business/tech/entertainment/sport,
  saved pages and feeds, annotated by the team (development data);
- ``agnews-a``: ``../shared/gold/dev/agnews_world_a.json``, 120 AG News World rows (development
  data since its release; the other AG News test rows are the evaluation pool and never read);
- ``blind``: our own blind sets, annotated before any output was seen: ``blind-bbc``
  (``tests/data/blind_people.json`` and ``tests/data/blind_events.json``, BBC texts outside the
  development set), ``blind-conll`` (``tests/data/blind_conll.json``, Reuters wire copy of
  December 1996: documents of the CoNLL-2003 test file, read by :func:`conll_document`; scored
  blind once with extractor 1.7, development data since) and ``blind-valid``
  (``tests/data/blind_conll_valid.json``, 50 Reuters documents of August 1996 from the
  CoNLL-2003 validation file, annotated for extractor 1.8's round).
  Score them once per round of extraction changes and never tune on their misses.

Matching:

- a predicted visit matches a gold visit when the destination countries agree and, where the
  gold names a visitor, the surnames agree (else the visitor countries agree); visits marked
  optional in the gold are ignored either way;
- a predicted meeting or talks (with at least one named person among its participants: talks
  between governments or firms with nobody named are no meetings) matches a gold meeting when
  at least two participants' surnames (or all of them, when the gold names fewer) agree;
- a person's country is right when the predicted person sharing the gold surname carries the
  gold country. Coverage is counted per basis (``stated``: the text says it; ``known``: a
  reader knows it); a given country is wrong when it differs from the gold one (for a gold
  ``unknown`` or ``international`` person, any country given is wrong).
"""
from __future__ import annotations

import argparse
import csv
import functools
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from typing import Any

from analysis import config

DEV_DIR = config.SHARED_DIR / "gold" / "dev"
AGNEWS_CSV = config.SHARED_DIR / "eval" / "agnews" / "test.csv"
BLIND_FILES = (config.REPO_ROOT / "tests" / "data" / "blind_people.json",
               config.REPO_ROOT / "tests" / "data" / "blind_events.json",
               config.REPO_ROOT / "tests" / "data" / "blind_conll.json",
               config.REPO_ROOT / "tests" / "data" / "blind_conll_valid.json")
SETS = ("dev", "agnews-a", "blind", "blind-bbc", "blind-conll", "blind-valid")
#: The files of each blind set (``blind``: all of them).
_BLIND_SETS = {"blind": BLIND_FILES, "blind-bbc": BLIND_FILES[:2], "blind-conll": BLIND_FILES[2:3],
               "blind-valid": BLIND_FILES[3:]}


def fold(s: str | None) -> str:
    """Accent- and case-free form."""
    return unicodedata.normalize("NFKD", s or "").encode("ascii", "ignore").decode().lower()


def surname(name: str | None) -> str:
    """Last word of a name, folded ("George W Bush" -> "bush")."""
    words = fold(name).replace(".", " ").split()
    return words[-1] if words else ""


# --------------------------------------------------------------------------- loading

def _bbc_item(path: str) -> tuple[str, str]:
    raw = (config.SHARED_DIR / "eval" / path).read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    lines = text.split("\n")
    return lines[0].strip(), "\n".join(lines[1:]).strip()


_DATE = re.compile(r"\b(1[89]\d\d|20\d\d)-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])\b")


@functools.lru_cache(maxsize=4)
def _conll_docs(path: str) -> list[dict[str, Any]]:
    from .nlp import read_conll

    return read_conll(config.SHARED_DIR / "eval" / path)


def conll_document(path: str, index: int) -> tuple[str, str, str | None]:
    """Headline, body and date of document ``index`` (0-based, in ``-DOCSTART-`` order) of a
    CoNLL-2003 file under ``shared/eval`` (``conll2003/test.txt``), as a reader would see it:
    each sentence detokenized (Moses rules, sacremoses) on its own line, the first sentence as
    the headline, the date the first dateline carries ("LONDON 1996-08-30") as its date."""
    try:
        from sacremoses import MosesDetokenizer
    except ImportError:
        raise RuntimeError("the CoNLL documents of the blind set need sacremoses: "
                           "pip install -r requirements-dev.txt") from None
    doc = _conll_docs(path)[index]
    sentences: list[list[str]] = []
    for w, start in zip(doc["words"], doc["sent_starts"]):
        if start or not sentences:
            sentences.append([])
        sentences[-1].append(w)
    md = MosesDetokenizer(lang="en")
    lines = [md.detokenize(s).replace(" n't", "n't") for s in sentences]  # "does n't": the treebank's split
    m = next((m for m in map(_DATE.search, lines) if m), None)
    return lines[0], "\n".join(lines[1:]), m.group(0) if m else None


def load_set(name: str) -> list[dict[str, Any]]:
    """Items ``{"id", "title", "text", "published", "gold": {...}}`` of one set."""
    if name == "dev":
        data = json.loads((DEV_DIR / "dev.json").read_text(encoding="utf-8"))["items"]
        return [{"id": g["id"], "title": g["title"], "text": g["text"],
                 "published": g.get("published"), "gold": _gold(g)} for g in data]
    if name == "agnews-a":
        data = json.loads((DEV_DIR / "agnews_world_a.json").read_text(encoding="utf-8"))["items"]
        with open(AGNEWS_CSV, newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
        items = []
        for g in data:
            # the wire copy as the dataset gives it: the extractor's cleaning must cope with
            # its entity residue ("#39;", "quot;")
            _, title, desc = rows[g["row"]][:3]
            items.append({"id": f"agnews-{g['row']}", "title": title, "text": desc,
                          "published": None, "gold": _gold(g, people_key="people_countries")})
        return items
    if name.startswith("blind"):
        files = _BLIND_SETS.get(name)
        if files is None:
            raise ValueError(f"unknown set {name!r}; choose from {', '.join(SETS)}")
        items: dict[str, dict[str, Any]] = {}
        for path in files:
            if not path.exists():
                continue
            for g in json.loads(path.read_text(encoding="utf-8"))["items"]:
                if "doc" in g:  # a CoNLL-2003 document: Reuters wire copy of 1996
                    title, text, published = conll_document(g["path"], int(g["doc"]))
                    key = f"{g['path']}#{g['doc']}"
                else:
                    (title, text), published, key = _bbc_item(g["path"]), None, g["path"]
                item = items.setdefault(key, {"id": key, "title": title, "text": text,
                                              "published": published, "gold": _gold({})})
                gold = _gold(g)
                for k, v in gold.items():
                    if v is not None:
                        item["gold"][k] = v
        return list(items.values())
    raise ValueError(f"unknown set {name!r}; choose from {', '.join(SETS)}")


def _gold(g: dict[str, Any], people_key: str = "people") -> dict[str, Any]:
    people = g.get(people_key)
    return {
        "visits": g.get("visits", []) if "visits" in g else [],
        "optional_visits": g.get("optional_visits", []),
        "meetings": g.get("meetings", []) if "meetings" in g else [],
        "optional_meetings": g.get("optional_meetings", []),
        "people": people,  # None when the set does not annotate people
    }


# --------------------------------------------------------------------------- scoring

def _visit_match(p: dict[str, Any], g: dict[str, Any]) -> bool:
    if p.get("destination_country") != g.get("destination_country"):
        return False
    if g.get("visitor"):
        return surname(p.get("visitor")) == surname(g["visitor"])
    return bool(g.get("visitor_country")) and p.get("visitor_country") == g["visitor_country"]


def _people_of(ev: dict[str, Any]) -> set[str]:
    out = set()
    for field in ("participants", "hosts", "visitor", "also_present", "counterparts"):
        v = ev.get(field)
        for x in v if isinstance(v, list) else [v] if v else []:
            out.add(surname(x))
    return out


def _meeting_match(p: dict[str, Any], g: dict[str, Any]) -> bool:
    gold = {surname(x) for x in g.get("participants", [])}
    return len(_people_of(p) & gold) >= min(2, len(gold))


def _pr(tp: int, fp: int, fn: int) -> dict[str, Any]:
    return {"tp": tp, "fp": fp, "fn": fn,
            "precision": round(tp / (tp + fp), 3) if tp + fp else None,
            "recall": round(tp / (tp + fn), 3) if tp + fn else None}


def _tally(counts: Counter, errors: list, what: str, item_id: str, preds: list[dict[str, Any]],
           gold: list[dict[str, Any]], optional: list[dict[str, Any]], match: Callable,
           show_pred: Callable, show_gold: Callable) -> None:
    """Match predictions one-to-one with gold; a prediction matching an optional gold item is
    neither right nor wrong."""
    used: set[int] = set()
    for p in preds:
        hit = next((k for k, g in enumerate(gold) if k not in used and match(p, g)), None)
        if hit is not None:
            used.add(hit)
            counts["tp"] += 1
        elif not any(match(p, g) for g in gold + optional):
            counts["fp"] += 1
            errors.append((f"{what} FP", item_id, show_pred(p)))
    for k, g in enumerate(gold):
        if k not in used:
            counts["fn"] += 1
            errors.append((f"{what} FN", item_id, show_gold(g)))


def score(items: list[dict[str, Any]], outputs: list[dict[str, Any]]) -> dict[str, Any]:
    """Visit and meeting precision/recall, person-country coverage and wrong rate."""
    v = Counter()
    m = Counter()
    people = Counter()
    errors: list[tuple[str, str, str]] = []
    for item, out in zip(items, outputs):
        gold = item["gold"]
        evs = out.get("events", [])
        pv = [e for e in evs if e["kind"] == "visit"]
        _tally(v, errors, "visit", item["id"], pv, gold["visits"], gold["optional_visits"],
               _visit_match,
               lambda p: f"{p.get('visitor')} ({p.get('visitor_country')}) -> "
                         f"{p.get('destination_country')} | {p.get('evidence', '')[:110]}",
               lambda g: f"{g.get('visitor')} ({g.get('visitor_country')}) -> "
                         f"{g.get('destination_country')}")
        people_names = {e["name"] for e in out.get("entities", []) if e["kind"] == "person"}
        # talks between governments or firms with nobody named are not meetings (gold rules)
        pm = [e for e in evs if e["kind"] in ("meeting", "talks")
              and people_names & set(e.get("participants") or [])]
        _tally(m, errors, "meeting", item["id"], pm, gold["meetings"], gold["optional_meetings"],
               _meeting_match,
               lambda p: f"{sorted(_people_of(p))} | {p.get('evidence', '')[:110]}",
               lambda g: f"{g.get('participants')}")
        # people
        if gold["people"] is None:
            continue
        pred = [e for e in out.get("entities", []) if e["kind"] == "person"]
        for gp in gold["people"]:
            basis = gp.get("basis") or ("stated" if gp.get("country") else "unknown")
            people[f"{basis} total"] += 1
            same = [e for e in pred if surname(e["name"]) == surname(gp["name"])]
            exact = [e for e in same if fold(e["name"]) == fold(gp["name"])]
            chosen = (exact or same or [None])[0]
            given = chosen.get("country") if chosen else None
            if not given:
                if gp.get("country"):
                    errors.append((f"person {basis} missing", item["id"], gp["name"]))
                continue
            people["given"] += 1
            if given == gp.get("country"):
                people[f"{basis} right"] += 1
            else:
                people["wrong"] += 1
                people[f"{basis} wrong"] += 1
                errors.append((f"person {basis} WRONG", item["id"],
                               f"{gp['name']}: gold {gp.get('country')} given {given}"))
    res: dict[str, Any] = {"items": len(items), "visits": _pr(v["tp"], v["fp"], v["fn"]),
                           "meetings": _pr(m["tp"], m["fp"], m["fn"])}
    if people:
        res["people"] = {
            b: {"total": people[f"{b} total"], "right": people[f"{b} right"],
                "wrong": people[f"{b} wrong"],
                "coverage": round(people[f"{b} right"] / people[f"{b} total"], 3)
                if people[f"{b} total"] else None}
            for b in ("stated", "known", "unknown", "international")}
        res["people"]["given"] = people["given"]
        res["people"]["wrong_rate"] = round(people["wrong"] / people["given"], 3) if people["given"] else None
    res["errors"] = errors
    return res


def evaluate(name: str) -> dict[str, Any]:
    """Extract one set's items and score them."""
    from analysis.extract import extract_many
    from analysis.ingest import clean_record

    items = load_set(name)
    outputs = list(extract_many([clean_record({k: i[k] for k in ("id", "title", "text", "published")})
                                 for i in items]))
    return score(items, outputs)


def format_result(name: str, res: dict[str, Any]) -> str:
    """One block of figures per set."""
    def pr(x: dict[str, Any]) -> str:
        f = lambda v: "-" if v is None else f"{v:.2f}"
        return f"P {f(x['precision'])} R {f(x['recall'])} (tp {x['tp']} fp {x['fp']} fn {x['fn']})"

    lines = [f"{name}: {res['items']} items", f"  visits    {pr(res['visits'])}",
             f"  meetings  {pr(res['meetings'])}"]
    if "people" in res:
        p = res["people"]
        for b in ("stated", "known"):
            q = p[b]
            cov = "-" if q["coverage"] is None else f"{q['coverage']:.2f}"
            lines.append(f"  person->country {b:6} {q['right']}/{q['total']} = {cov} ({q['wrong']} wrong)")
        wr = "-" if p["wrong_rate"] is None else f"{p['wrong_rate']:.3f}"
        lines.append(f"  countries given {p['given']}, wrong {wr} "
                     f"(unknown people given one: {p['unknown']['wrong']}, "
                     f"international: {p['international']['wrong']})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="visits, meetings, people's countries on annotated sets")
    ap.add_argument("--set", choices=SETS + ("all",), default="all",
                    help="dev | agnews-a | blind (blind-bbc, blind-conll and blind-valid) | all (dev and agnews-a; a blind set only when named)")
    ap.add_argument("--errors", action="store_true", help="print every disagreement")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    names = ("dev", "agnews-a") if args.set == "all" else (args.set,)
    out = {}
    for name in names:
        res = evaluate(name)
        out[name] = res
        if not args.json:
            print(format_result(name, res))
            if args.errors:
                for e in res["errors"]:
                    print("   ", *e, sep="  ")
    if args.json:
        print(json.dumps(out, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
