"""Components that correct the statistical NER (casing, document-level consistency).

Placeholder: ``add_ner_fixes`` adds nothing yet.
"""
from __future__ import annotations


def add_ner_fixes(nlp):
    """Add the NER-correcting components right after ``ner``; returns ``nlp``."""
    return nlp
