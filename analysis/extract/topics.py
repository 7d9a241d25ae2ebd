"""Component ``chancery_topics``: topic tags from the editable taxonomy
``analysis/resources/topics.json``.

A term is a lower-case word, a word prefix ending in ``*`` (``terror*``) or a phrase
(``human rights``, matched with a ``PhraseMatcher`` on ``LOWER``). A topic is tagged when it
has at least ``min_hits`` hits; its score is ``hits / (hits + 2)`` and its evidence the
distinct words that triggered it, most frequent first. Results in ``doc._.chancery["topics"]``.
"""
from __future__ import annotations

from collections import Counter
from typing import Any

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from analysis.extract.resources import Resources, get_resources
from analysis.extract.titles import ensure_extensions, state


class TopicTagger:
    """See the module docstring."""

    def __init__(self, nlp: Language, resources: Resources | None = None,
                 taxonomy: dict[str, Any] | None = None) -> None:
        ensure_extensions()
        tax = taxonomy or (resources or get_resources()).topics
        self.min_hits = int(tax.get("min_hits", 2))
        self.labels = {t["id"]: t["label"] for t in tax["topics"]}
        self.order = [t["id"] for t in tax["topics"]]
        self.words: dict[str, list[str]] = {}
        self.prefixes: dict[str, list[str]] = {}
        self.phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        for t in tax["topics"]:
            for term in t["terms"]:
                term = term.lower()
                if " " in term:
                    self.phrases.add(t["id"], [nlp.make_doc(term)])
                elif term.endswith("*"):
                    self.prefixes.setdefault(term[:-1], []).append(t["id"])
                else:
                    self.words.setdefault(term, []).append(t["id"])
        self.lens = sorted({len(p) for p in self.prefixes})
        self._cache: dict[str, tuple[str, ...]] = {}

    def topics_of(self, word: str) -> tuple[str, ...]:
        """Topic ids a single lower-case word triggers (memoised per word form)."""
        hit = self._cache.get(word)
        if hit is None:
            ids = list(self.words.get(word, ()))
            for n in self.lens:
                if n > len(word):
                    break
                ids.extend(self.prefixes.get(word[:n], ()))
            hit = tuple(dict.fromkeys(ids))
            if len(self._cache) < 200_000:
                self._cache[word] = hit
        return hit

    def count(self, doc: Doc) -> dict[str, Counter]:
        """Hits per topic id in ``doc``: trigger word -> count."""
        hits: dict[str, Counter] = {}
        for tok in doc:
            if tok.is_alpha or "-" in tok.text:
                for tid in self.topics_of(tok.lower_):
                    hits.setdefault(tid, Counter())[tok.lower_] += 1
        for match_id, s, e in self.phrases(doc):
            tid = doc.vocab.strings[match_id]
            hits.setdefault(tid, Counter())[doc[s:e].text.lower()] += 1
        return hits

    def rank(self, hits: dict[str, dict[str, int]]) -> list[dict[str, Any]]:
        """The topic tags for these hits (see the module docstring), best first."""
        out = []
        for tid in self.order:
            c = Counter(hits.get(tid) or {})
            if not c:
                continue
            n = sum(c.values())
            if n < self.min_hits:
                continue
            out.append({"id": tid, "label": self.labels[tid], "score": round(n / (n + 2), 3),
                        "evidence": [w for w, _ in c.most_common(8)]})
        out.sort(key=lambda t: -t["score"])
        return out

    def __call__(self, doc: Doc) -> Doc:
        hits = self.count(doc)
        st = state(doc)
        # Kept (as plain dicts: docs may travel between processes) so that the pieces of a
        # long article can be summed.
        st["topic_hits"] = {tid: dict(c) for tid, c in hits.items()}
        st["topics"] = self.rank(hits)
        return doc


@Language.factory("chancery_topics")
def make_topics(nlp: Language, name: str) -> TopicTagger:
    """Factory for :class:`TopicTagger` with the default taxonomy."""
    return TopicTagger(nlp)
