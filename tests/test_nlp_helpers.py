"""Helpers (no tests) for the NLP unit tests: run our components on spacy.blank("en") with
entities standing in for the statistical NER."""
from __future__ import annotations

import spacy
from spacy.tokens import Doc
from spacy.util import filter_spans

from analysis.extract.nlp import build_pipeline

_BLANK = None


def blank_nlp():
    """A blank English pipeline with our components (built once)."""
    global _BLANK
    if _BLANK is None:
        _BLANK = build_pipeline(spacy.blank("en"))
    return _BLANK


def run(text: str, persons: list[str] = (), orgs: list[str] = (), gpes: list[str] = (),
        dates: list[str] = (), published: str | None = None) -> Doc:
    """Tokenise ``text``, mark the given strings as PERSON/ORG/GPE/DATE (as the NER would),
    then run our components in order."""
    from analysis.extract.titles import ensure_extensions

    ensure_extensions()
    nlp = blank_nlp()
    doc = nlp.make_doc(text)
    doc._.published = published
    spans = []
    for label, items in (("PERSON", persons), ("ORG", orgs), ("GPE", gpes), ("DATE", dates)):
        for s in items:
            start = 0
            while (i := text.find(s, start)) >= 0:
                span = doc.char_span(i, i + len(s), label=label)
                assert span is not None, s
                spans.append(span)
                start = i + len(s)
    doc.set_ents(filter_spans(spans))
    for _, proc in nlp.pipeline:
        doc = proc(doc)
    return doc


def entities(doc: Doc) -> dict:
    return doc._.chancery["entities"]
