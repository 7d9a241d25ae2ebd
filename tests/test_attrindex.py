"""The attribute ruler's indexed matches are the Matcher's, so the tokens come out the same."""
from __future__ import annotations

import pytest

from analysis import config
from analysis.extract.attrindex import IndexedMatches, index_attribute_ruler
from analysis.extract.nlp import get_nlp, load_plain_model

EDGES = ["", " ", "\n\n", "I ain't gonna do it, y'all. Let's go, c'mon!", "He got ta say nothin' there.",
         "There is a man; there were two. Is there?", "U.S.-China talks\t\tin  Kabul\n\n\nended."]


@pytest.fixture(scope="module")
def plain():
    return load_plain_model()


def test_indexed_matches_equal_the_matchers_on_real_text(plain):
    texts = [p.read_text(encoding="utf-8") for p in sorted(config.SAMPLE_DIR.glob("*.md"))] + EDGES
    ruler = plain.get_pipe("attribute_ruler")
    fast = IndexedMatches(ruler)
    with plain.select_pipes(disable=["attribute_ruler", "lemmatizer", "ner"]):
        docs = list(plain.pipe(texts))
    assert sum(len(d) for d in docs) > 15_000
    for doc in docs:
        assert fast(doc) == sorted(set(ruler.match(doc)))
    assert fast.cache  # the per-form cache is in use


def test_the_pipeline_uses_the_index_and_tags_as_with_the_matcher():
    nlp = get_nlp()
    ruler = nlp.get_pipe("attribute_ruler")
    assert isinstance(ruler.match, IndexedMatches)
    texts = [p.read_text(encoding="utf-8") for p in sorted(config.SAMPLE_DIR.glob("*.md"))[:8]]

    def tokens():
        return [[(t.pos_, t.tag_, t.lemma_, str(t.morph)) for t in doc] for doc in nlp.pipe(texts)]

    fast = tokens()
    index, apply = ruler.match, ruler.set_annotations
    assert {"match", "set_annotations"} <= set(vars(ruler))  # ours, in place of the class's
    del ruler.match, ruler.set_annotations  # the class's methods: spaCy's Matcher and Spans
    try:
        slow = tokens()
    finally:
        ruler.match, ruler.set_annotations = index, apply
    assert fast == slow


def test_a_rule_the_index_does_not_support_keeps_the_matcher():
    import spacy

    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    ruler.add([[{"LOWER": "a", "OP": "+"}]], {"POS": "DET"})
    before = ruler.match
    assert index_attribute_ruler(nlp) is False and ruler.match == before
    nlp2 = spacy.blank("en")
    ruler2 = nlp2.add_pipe("attribute_ruler")
    ruler2.add([[{"LOWER": "kabul"}]], {"POS": "PROPN"})
    fast = IndexedMatches(ruler2)
    doc = nlp2.make_doc("In Kabul and kabul")
    assert fast(doc) == sorted(set(ruler2.match(doc))) and len(fast(doc)) == 2
