"""Components: paragraph sentence boundaries and the gazetteer entity ruler.

``chancery_paragraphs`` (before the parser) starts a sentence after every line break, so a
headline, a dateline paragraph or a list item never runs into the next sentence.

``chancery_gazetteer`` (after ``ner``) matches every known country, demonym, city,
organisation and official (``analysis/resources/*.json``) with a ``PhraseMatcher`` on the exact
token text (plus the all-caps form, for headlines and datelines) and writes them into
``doc.ents`` with ``ent_id_`` = ``"kind|canonical name|ISO3"``; the gazetteer wins over the
statistical NER except when the NER span is a longer name that merely contains a place
("Bank of China", "Kabul University", and a person whose given name comes before a place's
name: "Ricardo Lagos").
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from analysis.extract.resources import Gazetteer, get_resources

#: NER labels whose longer spans may legitimately contain a place or a country name.
CONTAINER_LABELS = {"ORG", "FAC", "WORK_OF_ART", "EVENT", "LAW", "PRODUCT"}
PLACE_KINDS = {"country", "demonym", "place"}


DATELINE_DASHES = {"-", "—", "–", "--", ":"}


_ISO_DATE = re.compile(r"^(1[89]|20)\d\d-[01]\d-[0-3]\d$")


def dated_line(doc: Doc, first: int, lines: int = 3) -> tuple[int, int, int, str | None, str] | None:
    """Wire copy's dateline on a line of its own, a place in capitals and the filing date
    ("PRAGUE 1996-12-06", "DURBAN, South Africa 1996-12-06"), among the first ``lines`` lines
    from token ``first`` (a byline may come before it): ``(start, end)`` of the place's words,
    the index of the token after the line, the gazetteer's place name (None for a country) and
    its country; else None."""
    i = first
    for _ in range(lines):
        while i < len(doc) and doc[i].is_space:
            i += 1
        end = i
        while end < len(doc) and not (doc[end].is_space and "\n" in doc[end].text):
            end += 1
        toks = [t for t in doc[i:end] if not t.is_space]
        # the date as one token or split at its hyphens ("1996 - 12 - 06")
        n = next((k for k in (1, 5) if len(toks) > k and _ISO_DATE.match("".join(t.text for t in toks[-k:]))), 0)
        if n and toks[0].is_upper and toks[0].is_alpha and len(toks) <= 8 + n:
            stop = next((t.i for t in toks if t.text == ","), toks[-n].i)
            gaz = get_resources().gazetteer
            hit = gaz.lookup(doc[toks[0].i:stop].text)
            if not (hit and hit[0] in PLACE_KINDS) and stop < toks[-n].i:  # "DURBAN, South Africa"
                hit = gaz.lookup(doc[stop + 1:toks[-n].i].text)
                hit = hit if hit and hit[0] == "country" else None
            if hit and hit[0] in PLACE_KINDS and hit[2]:
                return toks[0].i, stop, end + 1, hit[1] if hit[0] == "place" else None, hit[2]
            return None
        i = end + 1
        if i >= len(doc):
            break
    return None


def dateline_end(doc: Doc, start: int) -> int | None:
    """If a paragraph starting at token ``start`` opens with a dateline ("KABUL (Reuters) -",
    "ISLAMABAD, May 6 —", "NEW DELHI, AUG 29:"), the index of its closing dash, else None."""
    first = doc[start] if start < len(doc) else None
    if first is None or not (first.is_alpha and first.is_upper and len(first) >= 3):
        return None
    depth = 0
    for j in range(start + 1, min(len(doc), start + 14)):
        t = doc[j]
        if t.text == "(":
            depth += 1
        elif t.text == ")":
            depth -= 1
        elif depth == 0 and t.text in DATELINE_DASHES:
            return j if j > start else None
        elif depth == 0 and t.is_alpha and t.text[0].islower() or t.is_space and "\n" in t.text:
            return None
    return None


@Language.component("chancery_paragraphs")
def paragraphs(doc: Doc) -> Doc:
    """Mark a sentence start after each whitespace token holding a line break, and after a
    dateline; the dateline's token range is kept in ``doc._.chancery["datelines"]``."""
    from analysis.extract.titles import state

    starts = [0] if len(doc) else []
    for tok in doc[:-1]:
        if tok.is_space and "\n" in tok.text:
            doc[tok.i + 1].is_sent_start = True
            starts.append(tok.i + 1)
    if len(doc) and doc[0].is_space and len(doc) > 1:
        doc[1].is_sent_start = True
        starts.append(1)
    datelines = []
    for s in starts:
        end = dateline_end(doc, s)
        if end is not None:
            datelines.append((s, end))
            if end + 1 < len(doc):
                doc[end + 1].is_sent_start = True
    state(doc)["datelines"] = datelines
    return doc


def entity_id(kind: str, name: str, country: str | None) -> str:
    """The ``ent_id_`` string a gazetteer span carries."""
    return f"{kind}|{name}|{country or ''}"


def parse_entity_id(value: str) -> tuple[str, str, str | None] | None:
    """Inverse of :func:`entity_id`; None for spans the gazetteer did not name."""
    if not value or value.count("|") != 2:
        return None
    kind, name, country = value.split("|")
    return kind, name, country or None


class GazetteerRuler:
    """Phrase matcher over the gazetteer; see the module docstring."""

    def __init__(self, nlp: Language, gazetteer: Gazetteer | None = None) -> None:
        self.gaz = gazetteer or get_resources().gazetteer
        self.matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
        seen: set[str] = set()
        docs: dict[str, list[Doc]] = {}
        for surface, key in self.gaz.surfaces:
            forms = {surface}
            if surface not in self.gaz.case_sensitive:
                forms.add(surface.upper())
            forms |= {variant.replace("'", "’") for variant in forms}
            for form in forms:
                if form in seen:
                    continue
                seen.add(form)
                docs.setdefault(key, []).append(nlp.make_doc(form))
        titles = get_resources().titles
        self.title_words = {t.split()[0].lower() for t in titles["titles"]} | {
            m.lower() for m in titles["modifiers"]}
        from analysis.extract.nerfix import RESOURCES, read_word_list

        self.given = set(read_word_list(RESOURCES / "nerfix_given_names.txt"))
        self.keys: dict[int, str] = {}
        for key, pattern_docs in docs.items():
            self.matcher.add(key, pattern_docs)
            self.keys[nlp.vocab.strings[key]] = key

    def spans(self, doc: Doc) -> list[Span]:
        """Gazetteer spans of ``doc``, longest first when they overlap."""
        out = []
        for match_id, start, end in self.matcher(doc):
            key = self.keys.get(match_id) or doc.vocab.strings[match_id]
            kind, name, country, label = self.gaz.names[key]
            out.append(Span(doc, start, end, label=label,
                            span_id=entity_id(kind, name, country)))
        return filter_spans(out)

    def __call__(self, doc: Doc) -> Doc:
        gaz_spans = self.spans(doc)
        if not gaz_spans:
            return doc
        ents = list(doc.ents)
        keep_gaz = []
        covered = [None] * len(doc)
        for i, e in enumerate(ents):
            for t in range(e.start, e.end):
                covered[t] = i
        drop = set()
        for s in gaz_spans:
            kind = s.id_.split("|", 1)[0]
            hits = {covered[t] for t in range(s.start, s.end) if covered[t] is not None}
            contained_in_longer = [
                ents[i] for i in hits
                if ents[i].start <= s.start and ents[i].end >= s.end
                and len(ents[i]) > len(s) and (ents[i].label_ in CONTAINER_LABELS or (
                    # "Ricardo Lagos", "George Washington": a given name, then a place's name
                    ents[i].label_ == "PERSON" and s.start > ents[i].start
                    and doc[ents[i].start].text in self.given))
            ]
            if contained_in_longer and kind in PLACE_KINDS and not (
                    # "British PM Blair", "Afghan Foreign Minister X" are not organisations
                    kind in ("demonym", "country") and s.start == contained_in_longer[0].start
                    and s.end < len(doc) and doc[s.end].lower_ in self.title_words):
                continue
            same = [ents[i] for i in hits if ents[i].start == s.start and ents[i].end == s.end]
            if same and (same[0].label_ == "PERSON") == (kind == "person") \
                    and same[0].label_ in ("ORG", "PERSON", "GPE", "LOC", "NORP", "FAC"):
                # the NER found the same span: keep its label (a club named after its city is
                # an ORG), add the gazetteer identity
                s = Span(doc, s.start, s.end, label=same[0].label_, span_id=s.id_)
            keep_gaz.append(s)
            drop |= hits
        new = [e for i, e in enumerate(ents) if i not in drop] + keep_gaz
        doc.set_ents(filter_spans(new))
        return doc


@Language.factory("chancery_gazetteer")
def make_gazetteer(nlp: Language, name: str) -> GazetteerRuler:
    """Factory for :class:`GazetteerRuler` with the default resources."""
    return GazetteerRuler(nlp)


def gazetteer_spans(doc: Doc) -> Iterable[tuple[Span, tuple[str, str, str | None]]]:
    """The entities of ``doc`` that carry a gazetteer identity."""
    for e in doc.ents:
        parsed = parse_entity_id(e.id_)
        if parsed:
            yield e, parsed
