"""The one ingest path, shared by the CLI, the Data page and the tests.

source → items (:mod:`analysis.ingest.sources`) → clean article (:func:`prepare`) → duplicate check
(:mod:`analysis.ingest.dedupe`) → extraction in batches (:mod:`analysis.ingest.workers`: a
thread of this process, or ``workers`` processes) → the batch written in input order, one ``BEGIN IMMEDIATE``
transaction with a savepoint per article (:mod:`analysis.store`). A backfill extracted elsewhere
(:mod:`analysis.ingest.backfill`) is written by the same :class:`Ingester`.

Every bad item becomes one recorded error and the rest of the batch lands. Running the same
ingest again adds nothing; an ingest killed midway leaves a consistent store and the next run
completes it.
"""
from __future__ import annotations

import re
import sqlite3
import sys
import urllib.parse
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis import config, store
from analysis.ingest import dedupe
from analysis.ingest.sources import Fetcher, Item, ItemError, Produced, SourceError, iter_bytes, iter_items
from analysis.ingest.workers import ExtractorPool, Failed, Job, ThreadExtractor, extract_batch
from analysis.store import curation

#: Articles extracted (one ``nlp.pipe`` pass) and written (one transaction) together.
BATCH = 32


@dataclass
class Summary:
    """What one ingest did. ``unchanged`` counts items already stored by an earlier run."""

    new: int = 0
    duplicates: int = 0
    unchanged: int = 0
    errors: int = 0
    #: new articles stored without a publication date (missing from every dated view)
    undated: int = 0
    error_messages: list[str] = field(default_factory=list)
    article_ids: list[int] = field(default_factory=list)
    run_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "new": self.new, "duplicates": self.duplicates, "unchanged": self.unchanged,
            "errors": self.errors, "undated": self.undated, "error_messages": list(self.error_messages),
            "article_ids": list(self.article_ids), "run_id": self.run_id,
        }

    def line(self) -> str:
        """The closing summary line."""
        return (f"{self.new} new, {self.duplicates} duplicates, {self.unchanged} already stored, "
                f"{self.errors} errors" + (f", {self.undated} of the new without a date" if self.undated else ""))


def _one_line(message: str, limit: int = 300) -> str:
    """An error message as one line of at most ``limit`` characters."""
    return " ".join(message.split())[:limit]


# --- cleaning ---------------------------------------------------------------------------------

def _host(url: str | None) -> str | None:
    if not url:
        return None
    host = urllib.parse.urlsplit(url).hostname or ""
    return host[4:] if host.startswith("www.") else (host or None)


def _strip_marker_lines(text: str) -> str:
    from analysis.ingest import cleaning

    paras = [p.strip() for p in text.split("\n\n") if p.strip()]
    return "\n\n".join(p for p in paras if cleaning.marker_rule(p) is None)


def prepare(item: Item) -> dict[str, Any]:
    """Clean one item into an article row (without id).

    :raises SourceError: ``empty`` when no article text is left after cleaning.
    :raises ValueError: from the HTML cleaner for pages with no extractable body.
    """
    from analysis.ingest import cleaning
    from analysis.ingest.fetch import redact

    # Control characters go before the cleaners see the text (lxml refuses some); the fields
    # that are stored are passed once more at the end (titles and names come from the page too).
    sc = cleaning.strip_control
    html, raw_text = sc(item.html), sc(item.text)
    if html is not None:
        c = cleaning.clean_html(html, item.url)
        prefer_item_title = item.kind in ("feed-entry", "jsonl", "csv")
        title = (item.title if prefer_item_title and item.title else None) or c.get("title") or item.title
        url = item.url or c.get("url")
        declared = c.get("url")
    elif item.kind == "feed-entry":
        # A feed entry's own content is already a body (often cut short and followed by
        # "Continue reading..."): drop marker lines only, never whole paragraphs.
        c = {"text": _strip_marker_lines(raw_text or "")}
        title, url, declared = item.title, item.url, None
    else:
        c = cleaning.clean_text(raw_text or "", title=item.title)
        title = item.title or c.get("title")
        url = item.url
        declared = None
    text = (c.get("text") or "").strip()
    if not text:
        raise SourceError("empty", "no article text left after cleaning")
    url, declared = redact(sc(url)), redact(sc(declared))
    metadata = dict(item.metadata)
    if c.get("description"):
        metadata.setdefault("description", c["description"])
    if item.locator != item.source:
        metadata.setdefault("item", item.item)
    language = c.get("language")
    if not language:
        language = cleaning.detect_language(text)
    return {
        "url": url,
        "canonical_url": dedupe.canonical_url(declared) or dedupe.canonical_url(url),
        "title": (sc(title) or "").strip() or None,
        "outlet": sc(item.outlet or c.get("outlet")) or _host(url),
        "author": sc(item.author or c.get("author")),
        # a dateline opening the body ("ISLAMABAD, Nov 20, 2025 -") when nothing else dates it
        "published": item.published or c.get("published") or cleaning.dateline_date(text),
        "language": language,
        "text": text,
        "content_hash": store.content_hash(text),
        "source": item.locator,
        "source_kind": item.kind,
        "metadata": metadata,
    }


_RAW_PAGE = re.compile(r"<(html|body|div|p|article)\b", re.IGNORECASE)


def clean_record(rec: dict[str, Any]) -> dict[str, Any]:
    """A record of the extraction contract (``{"id", "title", "text" or "html", "published",
    "url"}``) as the clean article :func:`analysis.extract.extract` takes: control characters
    removed, HTML (or page text that is HTML) through :func:`cleaning.clean_html`, plain text
    through :func:`cleaning.clean_text`; a record marked ``"clean": True`` is left as it is."""
    from analysis.ingest import cleaning

    sc = cleaning.strip_control
    title, published = sc(rec.get("title")), rec.get("published")
    text, html = sc(rec.get("text")) or "", sc(rec.get("html"))
    if not rec.get("clean"):
        title = cleaning.repair_wire(title)
        if html is None:
            text = cleaning.repair_wire(text) or ""
        if html is None and text and _RAW_PAGE.search(text[:2000]):
            html, text = text, ""
        cleaned = cleaning.clean_html(html, rec.get("url")) if html is not None else cleaning.clean_text(text, title)
        text = cleaned.get("text") or text
        title = title or cleaned.get("title")
        published = published or cleaned.get("published")
    return {"id": rec.get("id"), "title": title, "text": text, "published": published,
            "url": rec.get("url"), "clean": True}


# --- duplicate check --------------------------------------------------------------------------

def find_existing(db, art: dict[str, Any], sig) -> tuple[int, str, float | None] | None:
    """The stored article this one duplicates, as (article id, reason, similarity), or None."""
    same = store.article_with_hash(db, art["content_hash"])
    if same is not None:
        return same, "same content", 1.0
    cu = art.get("canonical_url")
    if cu:
        same = store.article_with_url(db, cu)
        if same is not None:
            return same, "same URL", None
    near = dedupe.find_near_duplicate(db, sig)
    if near:
        return near[0], "near duplicate", round(near[1], 3)
    return None


# --- the pipeline -----------------------------------------------------------------------------

def _extract_input(art: dict[str, Any], article_id: Any = None) -> dict[str, Any]:
    return {"id": article_id, "title": art.get("title"), "text": art["text"],
            "published": art.get("published"), "url": art.get("url"), "clean": True}


def _extractor_version() -> str:
    from analysis.extract import EXTRACTOR_VERSION

    return EXTRACTOR_VERSION


@dataclass
class Slot:
    """One produced item on its way to the store, in input order: an error to record, or a
    clean article with its duplicate signature and (once extracted) its extraction result."""

    source: str
    item: str | None
    error: tuple[str, str] | None = None  # (kind, message)
    art: dict[str, Any] | None = None
    sig: Any = None
    extract: bool = False  # sent to extraction (False: a duplicate of what is stored, or an error)
    result: dict[str, Any] | Failed | None = None


def prepared(p: Produced) -> Slot:
    """An item cleaned (:func:`prepare`) into a :class:`Slot`, or the error an ingest records
    for it (a reader's, an empty text, a page that cannot be cleaned)."""
    if isinstance(p, ItemError):
        return Slot(p.source, p.item, error=(p.kind, p.message))
    try:
        art = prepare(p)
    except SourceError as exc:
        return Slot(p.source, p.item, error=(exc.kind, str(exc)))
    except Exception as exc:  # noqa: BLE001 - one bad page must not stop the batch
        return Slot(p.source, p.item, error=("malformed", _one_line(f"could not clean: {exc}")))
    return Slot(p.source, p.item, art=art)


class _NeedsExtraction(Exception):
    """An article judged a duplicate before extraction is not one when it is written."""


class _ExtractionFailed(Exception):
    """The extraction of an article that is not a duplicate failed (its message)."""


class Ingester:
    """Runs items through prepare → dedupe → extract → store against one database.

    Items are read and cleaned in order, and articles not stored yet are extracted in batches
    of ``batch_size``: in a thread of this process (:class:`ThreadExtractor`, which parses the
    next batch while this thread writes the last), or with ``workers`` > 1 in that many worker
    processes (:class:`ExtractorPool`), while this thread goes on reading. This process is the only
    writer: each batch's items are written in input order in one transaction, each item in a
    savepoint of its own, so one bad item becomes its recorded error and the rest lands, and
    the store is the same whatever the number of workers. A killed ingest loses at most the
    batch being written; the next run completes it.

    :param on_progress: called as ``on_progress(done, total)`` after each batch is written
        (``total`` None when the number of items is not known in advance).
    """

    def __init__(self, db_path: str | Path | None = None, *, progress: bool = False,
                 fetch: bool = True, batch_size: int = BATCH, workers: int = 1,
                 pool: ExtractorPool | None = None,
                 on_progress: Callable[[int, int | None], None] | None = None):
        self.db_path = config.db_path(db_path)
        self.db = store.open_db(self.db_path)
        self.progress = progress
        self.on_progress = on_progress
        self.fetcher = Fetcher(enabled=fetch)
        self.batch_size = max(1, batch_size)
        self.summary = Summary()
        self.extractor_version = _extractor_version()
        self._own_pool = pool is None
        self.pool: ExtractorPool | ThreadExtractor = (
            pool if pool is not None else ExtractorPool(workers) if workers > 1 else ThreadExtractor())
        self._queue: deque[tuple[list[Slot], list[Slot], Job | None]] = deque()
        self._hashes: set[str] = set()
        self.done = 0
        self.total: int | None = None
        self._bar: Any = None

    def close(self) -> None:
        if self._own_pool:
            self.pool.close()
        self.db.conn.close()

    # errors
    def error(self, source: str, item: str | None, kind: str, message: str) -> None:
        with store.write_tx(self.db):
            store.record_error(self.db, source, item, kind, message, self.summary.run_id)
        self.summary.errors += 1
        where = f"{source}" + (f" [{item}]" if item else "")
        self.summary.error_messages.append(f"{where}: {message}")

    def start_run(self, sources: list[str]) -> None:
        with store.write_tx(self.db):
            self.summary.run_id = store.start_run(self.db, sources)

    def finish_run(self, status: str = "finished", message: str | None = None) -> None:
        """Close the run row: ``finished``, ``failed`` (with the reason) or ``interrupted``."""
        s = self.summary
        with store.write_tx(self.db):
            store.finish_run(self.db, s.run_id, status, message, new=s.new,
                             duplicates=s.duplicates, errors=s.errors)

    def run(self, produced: Iterable[Produced | Slot], sources: list[str], total: int | None = None) -> Summary:
        """Ingest every item (or ready :class:`Slot`, see :mod:`analysis.ingest.backfill`);
        returns the summary (also kept on ``self.summary``).

        :param total: how many items ``produced`` holds, when known (the progress bar's total).

        The run row always ends ``finished``, ``interrupted`` (Ctrl-C, a stopped page) or
        ``failed`` (the store itself failed; the reason is kept), never ``running``.
        """
        try:
            self.start_run(sources)
        except sqlite3.DatabaseError as exc:
            raise store.describe_error(exc, self.db_path) from None
        self.total = total
        self._bar = _progress(total, self.progress)
        try:
            self._report()
            self._run(produced)
        except KeyboardInterrupt:
            self._close_quietly("interrupted", "interrupted by the user")
            raise
        except BaseException as exc:
            self._close_quietly("failed", f"{type(exc).__name__}: {exc}"[:300])
            raise
        finally:
            if self._bar is not None:
                self._bar.close()
        self.finish_run()
        return self.summary

    def _close_quietly(self, status: str, message: str) -> None:
        self._queue.clear()
        try:
            if self.db.conn.in_transaction:
                self.db.conn.rollback()
            self.finish_run(status, message)
        except Exception:  # noqa: BLE001, S110 - the store itself is failing; the original error wins
            pass

    # reading
    def _slot(self, p: Produced | Slot) -> Slot:
        """The slot of one item: cleaned, and marked for extraction unless it is an error or
        already stored (an exact or near duplicate: it is linked, or skipped, when written)."""
        slot = p if isinstance(p, Slot) else prepared(p)
        art = slot.art
        if art is None:
            return slot
        try:
            if slot.sig is None:
                slot.sig = dedupe.signature(art["text"])
            if slot.result is not None:  # extracted already (a backfill's shard)
                return slot
            known = art["content_hash"] in self._hashes or find_existing(self.db, art, slot.sig) is not None
        except Exception as exc:  # noqa: BLE001 - as a page that cannot be cleaned
            return Slot(slot.source, slot.item, error=("malformed", _one_line(f"could not clean: {exc}")))
        slot.extract = not known
        if slot.extract:
            self._hashes.add(art["content_hash"])
        return slot

    def _run(self, produced: Iterable[Produced | Slot]) -> None:
        group: list[Slot] = []
        n = 0
        for p in produced:
            slot = self._slot(p)
            group.append(slot)
            n += slot.extract or slot.result is not None
            if n >= self.batch_size or len(group) >= 4 * self.batch_size:
                self._dispatch(group)
                group, n = [], 0
        if group:
            self._dispatch(group)
        self._drain(wait=True)

    def apply_curated_dates(self, arts: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """An analyst's ``set-article-date`` correction for the same text (a rebuilt store, an
        imported log) gives the article its date before it is extracted; returns the articles
        whose date it changed."""
        dates = curation.article_dates(self.db, [a.get("content_hash") for a in arts])
        changed = []
        for a in arts:
            if a.get("content_hash") in dates and a.get("published") != dates[a["content_hash"]]:
                a["published"] = dates[a["content_hash"]]
                changed.append(a)
        return changed

    def _dispatch(self, group: list[Slot]) -> None:
        """Send a group's articles to extraction; write the group (and any earlier ones that
        are ready) when their results are in, in order."""
        todo = [s for s in group if s.extract]
        self.apply_curated_dates([s.art for s in todo])  # type: ignore[misc]
        inputs = [_extract_input(s.art) for s in todo]  # type: ignore[arg-type]
        self._queue.append((group, todo, self.pool.submit(inputs) if inputs else None))
        self._drain(wait=False)

    def _drain(self, wait: bool) -> None:
        """Write the queued groups whose extraction is done, oldest first; with ``wait``, all
        of them. At most ``2 x workers`` groups are left in flight."""
        limit = 2 * self.pool.workers
        while self._queue:
            group, todo, job = self._queue[0]
            if not (wait or job is None or job.done() or len(self._queue) > limit):
                return
            self._queue.popleft()
            if job is not None:
                for s, r in zip(todo, self.pool.result(job)):
                    s.result = r
            self._write(group)

    # writing
    def _write(self, group: list[Slot]) -> None:
        """Write a group in one transaction, each item in a savepoint; the summary and the
        progress count it once it is committed."""
        outcomes: list[tuple[Any, ...]] = []
        with store.write_tx(self.db):
            for slot in group:
                outcomes.append(self._write_slot(slot))
            if any(o[0] in ("new", "duplicate") for o in outcomes):
                store.bump_data_version(self.db)
        s = self.summary
        for o in outcomes:
            if o[0] == "new":
                s.new += 1
                s.article_ids.append(o[1])
                s.undated += int(o[2])
            elif o[0] == "duplicate":
                s.duplicates += 1
            elif o[0] == "unchanged":
                s.unchanged += 1
            else:
                s.errors += 1
                s.error_messages.append(o[1])
        for slot in group:
            if slot.extract:  # stored, or failed: from now on the store answers for it
                self._hashes.discard(slot.art["content_hash"])  # type: ignore[index]
        self.done += len(group)
        self._report()

    def _report(self) -> None:
        if self._bar is not None:
            self._bar.set_postfix_str(self.summary.line(), refresh=False)
            self._bar.update(self.done - self._bar.n)
        if self.on_progress is not None:
            self.on_progress(self.done, self.total)

    def _record(self, slot: Slot, kind: str, message: str) -> tuple[str, str]:
        store.record_error(self.db, slot.source, slot.item, kind, message, self.summary.run_id)
        where = f"{slot.source}" + (f" [{slot.item}]" if slot.item else "")
        return ("error", f"{where}: {message}")

    def _write_slot(self, slot: Slot) -> tuple[Any, ...]:
        """Write one item inside the group's transaction. A failure that leaves the
        transaction itself gone (the store is failing) is raised: the group rolls back."""
        if slot.error is not None:
            return self._record(slot, *slot.error)
        try:
            with store.write_tx(self.db):  # a savepoint
                return self._store(slot)
        except _ExtractionFailed as exc:
            return self._record(slot, "extraction", _one_line(f"extraction failed: {exc}"))
        except _NeedsExtraction:
            # through the extractor, the only user of the pipeline while an ingest runs
            slot.result = self.pool.result(self.pool.submit([_extract_input(slot.art)]))[0]  # type: ignore[arg-type]
            return self._write_slot(slot)
        except Exception as exc:  # rolled back to the savepoint; carry on
            if not self.db.conn.in_transaction:
                raise
            return self._record(slot, "store", _one_line(f"could not save: {type(exc).__name__}: {exc}"))

    def _duplicate(self, art: dict[str, Any], sig) -> str | None:
        """Link ``art`` to the stored article it duplicates ("duplicate"), or skip it when
        this source was stored before ("unchanged"); None when it is new."""
        hit = find_existing(self.db, art, sig)
        if hit is None:
            return None
        article_id, reason, sim = hit
        if store.known_locator(self.db, art["source"]):
            return "unchanged"
        added = store.record_copy(self.db, article_id, reason, url=art.get("url"),
                                  canonical_url=art.get("canonical_url"), title=art.get("title"),
                                  outlet=art.get("outlet"), source=art["source"], similarity=sim)
        return "duplicate" if added else "unchanged"

    def _store(self, slot: Slot) -> tuple[Any, ...]:
        art, sig, result = slot.art, slot.sig, slot.result
        assert art is not None
        # Checked again when written: an earlier item of this run may be its original.
        dup = self._duplicate(art, sig)
        if dup:
            return (dup,)
        if result is None:
            raise _NeedsExtraction
        if isinstance(result, Failed):
            raise _ExtractionFailed(result.message)
        row = dict(art)
        row["extractor_version"] = self.extractor_version
        if result.get("text") and result["text"] != art["text"]:
            row["text"] = result["text"]
        article_id = store.insert_article(self.db, row)
        dedupe.save_signature(self.db, article_id, sig)
        store.save_extraction(self.db, article_id, result, art.get("published"), self.extractor_version)
        return ("new", article_id, not row.get("published"))


def _progress(total: int | None, enabled: bool):
    """The CLI's progress bar: items written, of ``total`` when known, with a rate and an ETA."""
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit=" items", file=sys.stderr, dynamic_ncols=True, smoothing=0.1)


def count_items(sources: Iterable[str | Path], fetch: bool = True) -> int | None:
    """How many items an ingest of ``sources`` will see (files, feed entries, CSV rows, JSON
    Lines records, and one per error), counted without cleaning or extracting anything: a text
    or HTML file is one item (it is not read), other files are read and split as the ingest
    splits them; None when a source is a URL to fetch (its size is not known)."""
    from analysis.ingest.sources import HTML_EXT, TEXT_EXT, folder_entries, is_url, iter_file

    sources = [str(s) for s in sources]
    if fetch and any(is_url(s) for s in sources):
        return None
    offline = Fetcher(enabled=False)

    def items_of(path: Path) -> int:
        if path.suffix.lower() in TEXT_EXT | HTML_EXT:
            return 1  # read or not, such a file is one item (or one error)
        return sum(1 for _ in iter_file(path, offline))

    n = 0
    for s in sources:
        path = Path(s)
        try:
            if path.is_dir() and not is_url(s):
                n += sum(1 if isinstance(e, ItemError) else items_of(e) for e in folder_entries(path))
            elif path.is_file() and path.suffix.lower() in TEXT_EXT | HTML_EXT:
                n += 1
            else:  # a URL refused offline, a missing path, a bulk file, a feed
                n += sum(1 for _ in _expand([s], offline))
        except Exception:  # noqa: BLE001 - as the ingest: a reader that fails is one error
            n += 1
    return n


def _expand(sources: Iterable[str | Path], fetcher: Fetcher) -> Iterator[Produced]:
    for s in sources:
        try:
            yield from iter_items(s, fetcher)
        except Exception as exc:  # noqa: BLE001 - a reader bug must not lose the batch
            yield ItemError(str(s), "malformed", f"could not read: {exc}"[:300])


# --- public entry points ----------------------------------------------------------------------

def ingest_sources(db_path: str | Path | None, sources: Iterable[str | Path], *,
                   progress: bool = False, fetch: bool = True, workers: int = 1,
                   on_progress: Callable[[int, int | None], None] | None = None) -> dict[str, Any]:
    """Ingest files, folders (recursively), URLs and feeds.

    :param db_path: the store (None: ``CHANCERY_DB`` or data/chancery.db).
    :param fetch: fetch URLs and feed entries' pages from the network.
    :param workers: extraction processes (1: extract in this process).
    :param on_progress: ``on_progress(done, total)`` after each batch written; ``total`` is
        counted first (:func:`count_items`), None for URLs.
    :returns: the summary dict: new, duplicates, unchanged, errors, error_messages, article_ids.
    """
    from analysis.ingest.fetch import redact

    sources = [redact(str(s)) or str(s) for s in sources]  # credentials are never kept or sent
    total = count_items(sources, fetch) if (progress or on_progress) else None
    ing = Ingester(db_path, progress=progress, fetch=fetch, workers=workers, on_progress=on_progress)
    try:
        return ing.run(_expand(sources, ing.fetcher), sources, total=total).as_dict()
    finally:
        ing.close()


def ingest_bytes(db_path: str | Path | None, name: str, data: bytes, *, fetch: bool = True,
                 on_progress: Callable[[int, int | None], None] | None = None) -> dict[str, Any]:
    """Ingest an uploaded file's bytes (its name gives the type).

    :param on_progress: ``on_progress(done, total)`` after each batch written (the items are
        counted first)."""
    ing = Ingester(db_path, fetch=fetch, on_progress=on_progress)
    try:
        label = f"upload:{name}"
        total = (sum(1 for _ in iter_bytes(name, data, source=label, fetcher=Fetcher(enabled=False)))
                 if on_progress else None)
        return ing.run(iter_bytes(name, data, source=label, fetcher=ing.fetcher), [label], total=total).as_dict()
    finally:
        ing.close()


def ingest_text(db_path: str | Path | None, text: str, *, title: str | None = None,
                url: str | None = None, published: str | None = None,
                outlet: str | None = None) -> dict[str, Any]:
    """Ingest pasted text as one article."""
    ing = Ingester(db_path)
    try:
        label = "paste:" + store.content_hash(text or "")[:12]
        if not (text or "").strip():
            produced: list[Produced] = [ItemError(label, "empty", "pasted text is empty")]
        else:
            from dataclasses import replace as _with

            from analysis.ingest.sources import text_item, normalise_date, split_front_matter

            # Front matter pasted with the text is read as in a file; the form's fields win.
            meta, body = split_front_matter(text)
            item = text_item(label, body, meta, kind="paste")
            given = {"title": title, "url": url, "published": normalise_date(published), "outlet": outlet}
            produced = [_with(item, **{k: v for k, v in given.items() if v})]
        return ing.run(produced, [label]).as_dict()
    finally:
        ing.close()


def reextract(db_path: str | Path | None = None, *, progress: bool = False,
              batch_size: int = BATCH,
              on_progress: Callable[[int, int | None], None] | None = None) -> dict[str, Any]:
    """Run extraction again over every stored article (after a change of rules or model).

    Articles are extracted ``batch_size`` at a time and each batch's facts replaced in one
    transaction, each article in a savepoint; entity ids stay stable. Entities no longer
    referenced anywhere are removed. An article whose extraction or save fails keeps its
    previous facts, is counted in ``failed`` and recorded in ``ingest_errors`` (kind
    ``reextract``); the rest go on. The work is one row of ``ingest_runs`` (sources
    ``["reextract"]``), closed ``finished``, ``failed`` or ``interrupted``.

    :param on_progress: ``on_progress(done, total)`` (articles) after each batch.
    """
    db = store.open_db(config.db_path(db_path))
    version = _extractor_version()
    done = failed = 0
    pruned = 0
    messages: list[str] = []
    with store.write_tx(db):
        run_id = store.start_run(db, ["reextract"])

    def close(status: str, message: str | None = None) -> None:
        with store.write_tx(db):
            store.finish_run(db, run_id, status, message, errors=failed)

    bar = None
    try:
        ids = store.article_ids(db)
        bar = _progress(len(ids), progress)
        if on_progress:
            on_progress(0, len(ids))
        for start in range(0, len(ids), batch_size):
            chunk = ids[start:start + batch_size]
            stored = store.articles_to_extract(db, chunk)
            sources = {r["id"]: r.pop("source") for r in stored}
            inputs = [{**r, "clean": True} for r in stored]
            results = extract_batch(inputs)
            fails: list[tuple[int, str]] = []
            saved = 0
            with store.write_tx(db):
                for inp, result in zip(inputs, results):
                    if not isinstance(result, Failed):
                        try:
                            with store.write_tx(db):  # a savepoint
                                store.save_extraction(db, inp["id"], result, inp["published"], version)
                            saved += 1
                            continue
                        except Exception as exc:  # rolled back: the old facts stay
                            if not db.conn.in_transaction:
                                raise
                            result = Failed(f"{type(exc).__name__}: {exc}")
                    msg = _one_line(f"re-extraction failed: {result.message}")
                    store.record_error(db, sources[inp["id"]] or f"article {inp['id']}", f"article {inp['id']}",
                                       "reextract", msg, run_id)
                    fails.append((inp["id"], msg))
                if saved:
                    store.bump_data_version(db)
            done += saved
            failed += len(fails)
            messages += [f"article {i}: {m}" for i, m in fails]
            if bar is not None:
                bar.update(len(chunk))
            if on_progress:
                on_progress(min(start + len(chunk), len(ids)), len(ids))
        with store.write_tx(db):
            pruned = store.prune_orphan_entities(db)
    except KeyboardInterrupt:
        close("interrupted", "interrupted by the user")
        db.conn.close()
        raise
    except BaseException as exc:
        try:
            close("failed", _one_line(f"{type(exc).__name__}: {exc}"))
        finally:
            db.conn.close()
        raise
    finally:
        if bar is not None:
            bar.close()
    close("finished")
    db.conn.close()
    return {"articles": done, "failed": failed, "pruned_entities": pruned,
            "extractor_version": version, "error_messages": messages, "run_id": run_id}


def sample_sources() -> list[Path]:
    """The bundled sample corpus, plus the project's seed page when ../shared is beside the repo."""
    out = [config.SAMPLE_DIR]
    seeds = config.SHARED_DIR / "seeds"
    if seeds.is_dir():
        out.append(seeds)
    return out


def ensure_sample_db(path: str | Path | None = None, *, progress: bool = False) -> dict[str, Any]:
    """Build (or complete) a store from the sample corpus. Idempotent."""
    return ingest_sources(path, sample_sources(), progress=progress, fetch=False)
