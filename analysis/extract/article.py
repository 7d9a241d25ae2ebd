"""Extraction: one article in, the JSON contract in the README ("The `extract` contract") out.

``extract(article)`` and ``extract_many(articles)`` take clean articles (ingestion cleans:
:func:`analysis.ingest.clean_record`), run the spaCy pipeline of :mod:`analysis.extract.nlp` and assemble the output: the clean text,
mentions with character offsets into it, canonical entities with roles and aliases, events with
their evidence sentence, and topic tags. What is printed by ``python -m analysis extract`` is
what the store keeps (``store.save_extraction``).
"""
from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from typing import Any

from spacy.tokens import Doc

from analysis import model

EXTRACTOR_VERSION = "1.9"
#: Longest text analysed as one spaCy document, in characters. Longer articles are analysed in
#: windows of at most this size (see :func:`windows`): spaCy refuses texts over
#: ``nlp.max_length`` (1,000,000) and its parser's memory grows with the document.
WINDOW_CHARS = 50_000
#: About the most characters analysed in one ``nlp.pipe`` batch (memory grows with it).
BATCH_CHARS = 100_000
_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)\]]*\s")

#: Labels of mentions the kinds map to when a mention names a known entity.
_KIND_LABEL = {k: model.mention_label(k) for k in (model.PERSON, model.ORGANIZATION)}


def get_nlp():
    """The full pipeline (loaded once per process); see :func:`analysis.extract.nlp.get_nlp`."""
    from analysis.extract.nlp import get_nlp as _get

    return _get()


def prepare(item: dict[str, Any]) -> dict[str, Any]:
    """The article to analyse: ``{"id", "title", "text", "published", "url"}`` from a clean
    article (cleaning is ingestion's: :func:`analysis.ingest.clean_record` turns a raw record,
    HTML or page text, into one)."""
    return {"id": item.get("id"), "title": item.get("title"), "published": _iso_date(item.get("published")),
            "text": item.get("text") or "", "url": item.get("url")}


def _iso_date(value: Any) -> str | None:
    if not value:
        return None
    m = re.match(r"\d{4}-\d{2}-\d{2}", str(value))
    return m.group(0) if m else None


def title_lead(article: dict[str, Any]) -> str:
    """The headline to analyse in front of the body ("" when the body already starts with it):
    wire copy often names the visit only in its headline ("Musharraf visits Afghanistan")."""
    title = " ".join((article.get("title") or "").split())
    if not title or len(title) > 300:
        return ""
    head = " ".join(article["text"][: len(title) + 300].split())
    return "" if title.casefold() in head.casefold() else title


def make_doc(nlp, article: dict[str, Any]) -> Doc:
    """Tokenise the article (headline + body, see :func:`title_lead`) and attach its
    publication date for date resolution. ``article["offset"]`` is set to where the body
    starts in the analysed text."""
    from analysis.extract.titles import ensure_extensions

    ensure_extensions()
    lead = title_lead(article)
    article["offset"] = len(lead) + 2 if lead else 0
    doc = nlp.make_doc(f"{lead}\n\n{article['text']}" if lead else article["text"])
    doc._.published = article["published"]
    doc._.chancery = {"offset": article["offset"]}
    return doc


def assemble(article: dict[str, Any], doc: Doc) -> dict[str, Any]:
    """The contract's output dict for an analysed doc."""
    st = doc._.chancery or {}
    ents = st.get("entities", {})
    offset = article.get("offset", 0)
    sents = list(doc.sents) if len(doc) else []
    n_lead = sum(1 for s in sents if s.start_char < offset)
    sent_starts = [s.start for s in sents]
    mentions = []
    used: set[str] = set()
    for start, end, label, name in st.get("mentions", []):
        span = doc[start:end]
        rec = ents.get(name) if name else None
        if span.start_char < offset:  # in the headline: an entity, but no body offsets
            if rec is not None:
                used.add(name)
            continue
        if rec is not None:
            used.add(name)
            label = _KIND_LABEL.get(rec["kind"], label)
            if rec["kind"] in (model.COUNTRY, model.PLACE) and label not in ("GPE", "LOC", "FAC", "NORP"):
                label = "GPE"
        mentions.append({
            "start": span.start_char - offset, "end": span.end_char - offset, "text": span.text,
            "label": label, "entity": name if rec is not None else None,
            "sentence_index": bisect.bisect_right(sent_starts, span.start) - 1 - n_lead,
        })
    published = article.get("published")
    entities = []
    # "implied": the country a capital stands for ("Washington's negotiator"), named by no
    # mention; an entity when an event names it
    acting = {v for ev in st.get("events", []) for f in model.role_fields()
              for v in (ev.get(f) if isinstance(ev.get(f), list) else [ev.get(f)]) if v}
    for name, rec in ents.items():
        if name not in used and not (rec.get("implied") and name in acting):
            continue
        roles = [dict(r, date=published) if published else dict(r) for r in rec["roles"]]
        entities.append({"name": rec["name"], "kind": rec["kind"], "country": rec["country"],
                         "roles": roles, "aliases": list(rec["aliases"])})
    names = {e["name"] for e in entities}
    events = []
    for ev in st.get("events", []):
        if not _participants_known(ev, names):
            continue
        ev = dict(ev)
        if ev.get("start") is not None and ev["start"] < offset:
            if ev["kind"] not in (model.VISIT, model.MEETING):
                continue
            ev.update(source="title", start=None, end=None, sentence_index=None)
        elif offset and ev.get("start") is not None:
            ev.update(start=ev["start"] - offset, end=ev["end"] - offset,
                      sentence_index=ev["sentence_index"] - n_lead)
        events.append(ev)
    return {"id": article.get("id"), "title": article.get("title"), "published": published,
            "text": article["text"], "mentions": mentions, "entities": entities,
            "events": events, "topics": st.get("topics", [])}


def _participants_known(ev: dict[str, Any], names: set[str]) -> bool:
    """Every participant an event names (in a field the model gives a role) must be an entity
    of the same output."""
    for field in model.role_fields():
        value = ev.get(field)
        if isinstance(value, list):
            if any(p not in names for p in value):
                return False
        elif value and value not in names:
            return False
    return True


def extract(item: dict[str, Any]) -> dict[str, Any]:
    """Extract one article ``{"id", "title", "text" or "html", "published", "url"}`` (see the
    module docstring); ``"clean": True`` skips cleaning."""
    return next(iter(extract_many([item], batch_size=1)))


def windows(text: str, size: int | None = None) -> list[tuple[int, int]]:
    """Cut ``text`` into consecutive ``(start, end)`` slices of at most ``size`` characters,
    at a paragraph break where there is one in the second half of the window, else a line
    break, a sentence end, a space, or (for one unbroken run of characters) anywhere."""
    size = size or WINDOW_CHARS
    n = len(text)
    if n <= size:
        return [(0, n)]
    out: list[tuple[int, int]] = []
    start = 0
    while start < n:
        end = min(start + size, n)
        if end < n:
            lo = start + size // 2
            cut = text.rfind("\n\n", lo, end)
            if cut == -1:
                cut = text.rfind("\n", lo, end)
            if cut == -1:
                ends = list(_SENTENCE_END.finditer(text, lo, end))
                cut = ends[-1].end() - 1 if ends else -1
            if cut == -1:
                cut = text.rfind(" ", lo, end)
            if cut != -1:
                end = cut + 1
        out.append((start, end))
        start = end
    return out


def _body_sentences(doc: Doc, offset: int) -> int:
    return sum(1 for s in doc.sents if s.start_char >= offset) if len(doc) else 0


def _merge_windows(nlp, article: dict[str, Any], parts: list[tuple[dict, dict, dict, int]]) -> dict[str, Any]:
    """One output for a long article from the outputs of its windows: offsets and sentence
    numbers shifted to the whole text, entities merged by name, topic hits summed."""
    mentions: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    entities: dict[str, dict[str, Any]] = {}
    hits: dict[str, dict[str, int]] = {}
    sentences = 0
    for piece, out, topic_hits, n_sentences in parts:
        base = piece["window_start"]
        for m in out["mentions"]:
            mentions.append(dict(m, start=m["start"] + base, end=m["end"] + base,
                                 sentence_index=m["sentence_index"] + sentences))
        for ev in out["events"]:
            ev = dict(ev)
            if ev.get("start") is not None:
                ev.update(start=ev["start"] + base, end=ev["end"] + base)
            if ev.get("sentence_index") is not None:
                ev["sentence_index"] += sentences
            events.append(ev)
        for ent in out["entities"]:
            cur = entities.get(ent["name"])
            if cur is None:
                entities[ent["name"]] = dict(ent, roles=list(ent["roles"]), aliases=list(ent["aliases"]))
                continue
            cur["country"] = cur["country"] or ent["country"]
            cur["roles"].extend(r for r in ent["roles"] if r not in cur["roles"])
            cur["aliases"].extend(a for a in ent["aliases"] if a not in cur["aliases"])
        for tid, counts in topic_hits.items():
            bucket = hits.setdefault(tid, {})
            for word, k in counts.items():
                bucket[word] = bucket.get(word, 0) + k
        sentences += n_sentences
    topics = nlp.get_pipe("chancery_topics").rank(hits) if "chancery_topics" in nlp.pipe_names else []
    return {"id": article.get("id"), "title": article.get("title"), "published": article.get("published"),
            "text": article["text"], "mentions": mentions, "entities": list(entities.values()),
            "events": events, "topics": topics}


def extract_many(items: Iterable[dict[str, Any]], batch_size: int = 32,
                 n_process: int = 1) -> Iterator[dict[str, Any]]:
    """Extract many items with ``nlp.pipe`` (much faster than one by one), in input order.

    Items are analysed in groups of at most ``batch_size`` articles and about
    :data:`BATCH_CHARS` characters, so memory stays bounded whatever the articles' sizes. An
    article longer than :data:`WINDOW_CHARS` is analysed in windows (:func:`windows`) and its
    results merged, offsets pointing into the whole text; nothing is lost to spaCy's length
    limit. What is lost: a name introduced in one window is not resolved against a short form
    of it in another.

    :param n_process: worker processes for ``nlp.pipe`` (our per-document results are plain
        data, so documents can travel between processes).
    """
    nlp = get_nlp()
    group: list[dict[str, Any]] = []
    chars = 0
    for item in items:
        art = prepare(item)
        if len(art["text"]) > WINDOW_CHARS:
            yield from _pipe(nlp, group, batch_size, n_process)
            group, chars = [], 0
            yield _extract_long(nlp, art, n_process)
            continue
        group.append(art)
        chars += len(art["text"])
        if len(group) >= batch_size or chars >= BATCH_CHARS:
            yield from _pipe(nlp, group, batch_size, n_process)
            group, chars = [], 0
    yield from _pipe(nlp, group, batch_size, n_process)


def _pipe(nlp, articles: list[dict[str, Any]], batch_size: int, n_process: int) -> Iterator[dict[str, Any]]:
    if not articles:
        return
    docs = (make_doc(nlp, art) for art in articles)
    for art, doc in zip(articles, nlp.pipe(docs, batch_size=batch_size, n_process=n_process)):
        yield assemble(art, doc)


def _extract_long(nlp, art: dict[str, Any], n_process: int) -> dict[str, Any]:
    """One long article, window by window, a few windows (:data:`BATCH_CHARS`) at a time."""
    pieces = []
    for w, (start, end) in enumerate(windows(art["text"])):
        pieces.append({"id": art["id"], "title": art["title"] if w == 0 else None,
                       "published": art["published"], "url": art["url"],
                       "text": art["text"][start:end], "window_start": start})
    per_batch = max(1, BATCH_CHARS // WINDOW_CHARS)
    docs = (make_doc(nlp, piece) for piece in pieces)
    parts: list[tuple[dict, dict, dict, int]] = []
    for piece, doc in zip(pieces, nlp.pipe(docs, batch_size=per_batch, n_process=n_process)):
        st = doc._.chancery or {}
        parts.append((piece, assemble(piece, doc), st.get("topic_hits") or {},
                      _body_sentences(doc, piece["offset"])))
    return _merge_windows(nlp, art, parts)
