"""The topic tagger with its editable taxonomy."""
from __future__ import annotations

import spacy

from analysis.extract.titles import ensure_extensions
from analysis.extract.topics import TopicTagger
from tests.test_nlp_helpers import run

TAXONOMY = {"min_hits": 2, "topics": [
    {"id": "security", "label": "Security", "terms": ["security", "stabil*"]},
    {"id": "rights", "label": "Human rights", "terms": ["human rights", "women"]},
    {"id": "trade", "label": "Trade", "terms": ["trade"]},
]}


def tag(text):
    ensure_extensions()
    nlp = spacy.blank("en")
    tagger = TopicTagger(nlp, taxonomy=TAXONOMY)
    return {t["id"]: t for t in tagger(nlp.make_doc(text))._.chancery["topics"]}


def test_words_prefixes_and_phrases():
    topics = tag("Security and stability first; stabilising the region. Human rights of women.")
    assert set(topics["security"]["evidence"]) == {"security", "stability", "stabilising"}
    assert topics["security"]["score"] == round(3 / 5, 3)
    assert set(topics["rights"]["evidence"]) == {"human rights", "women"}


def test_single_hit_is_not_a_topic():
    assert "trade" not in tag("One word about trade only.")


def test_default_taxonomy_on_a_diplomatic_text():
    doc = run("Both sides discussed security, bilateral cooperation and trade, economic growth, "
              "and condemned the terrorist attack and its militants. Condolences and sympathy.")
    ids = {t["id"] for t in doc._.chancery["topics"]}
    assert {"diplomacy", "economy_trade", "counterterrorism", "condolence"} <= ids
    assert "security" not in ids  # one hit only
    for t in doc._.chancery["topics"]:
        assert t["evidence"] and 0 < t["score"] < 1 and t["label"]
