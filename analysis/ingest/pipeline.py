"""The one ingest path, shared by the CLI, the Data page and the tests.

source → items (:mod:`analysis.ingest.sources`) → clean article (:func:`prepare`) → duplicate check
(:mod:`analysis.ingest.dedupe`) → extraction (:mod:`analysis.extract`) → one ``BEGIN IMMEDIATE``
transaction per article (:mod:`analysis.store`).

Every bad item becomes one recorded error and the rest of the batch lands. Running the same
ingest again adds nothing; an ingest killed midway leaves a consistent store and the next run
completes it.
"""
from __future__ import annotations

import re
import sqlite3
import sys
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from analysis import config, store
from analysis.store import curation
from analysis.ingest import dedupe
from analysis.ingest.sources import Fetcher, Item, ItemError, Produced, SourceError, iter_bytes, iter_items

BATCH = 16


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

def _extractor() -> tuple[Callable[[list[dict]], list[dict]], str]:
    from analysis import extract as ex

    many = getattr(ex, "extract_many", None)
    if many is None:
        def many(items):  # type: ignore[no-redef]
            return [ex.extract(i) for i in items]
    return many, ex.EXTRACTOR_VERSION


def _extract_input(art: dict[str, Any], article_id: Any = None) -> dict[str, Any]:
    return {"id": article_id, "title": art.get("title"), "text": art["text"],
            "published": art.get("published"), "url": art.get("url"), "clean": True}


class Ingester:
    """Runs items through prepare → dedupe → extract → store against one database."""

    def __init__(self, db_path: str | Path | None = None, *, progress: bool = False,
                 fetch: bool = True, batch_size: int = BATCH):
        self.db_path = config.db_path(db_path)
        self.db = store.open_db(self.db_path)
        self.progress = progress
        self.fetcher = Fetcher(enabled=fetch)
        self.batch_size = batch_size
        self.summary = Summary()
        self._extract, self.extractor_version = _extractor()

    def close(self) -> None:
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

    def run(self, produced: Iterable[Produced], sources: list[str]) -> Summary:
        """Ingest every item; returns the summary (also kept on ``self.summary``).

        The run row always ends ``finished``, ``interrupted`` (Ctrl-C, a stopped page) or
        ``failed`` (the store itself failed; the reason is kept), never ``running``.
        """
        try:
            self.start_run(sources)
        except sqlite3.DatabaseError as exc:
            raise store.describe_error(exc, self.db_path) from None
        try:
            self._run(produced)
        except KeyboardInterrupt:
            self._close_quietly("interrupted", "interrupted by the user")
            raise
        except BaseException as exc:
            self._close_quietly("failed", f"{type(exc).__name__}: {exc}"[:300])
            raise
        self.finish_run()
        return self.summary

    def _close_quietly(self, status: str, message: str) -> None:
        try:
            if self.db.conn.in_transaction:
                self.db.conn.rollback()
            self.finish_run(status, message)
        except Exception:  # noqa: BLE001 - the store itself is failing; the original error wins
            pass

    def _run(self, produced: Iterable[Produced]) -> None:
        pending: list[tuple[dict[str, Any], Any]] = []
        bar = _progress(produced, self.progress)
        for p in bar:
            if isinstance(p, ItemError):
                self.error(p.source, p.item, p.kind, p.message)
                continue
            try:
                art = prepare(p)
                sig = dedupe.signature(art["text"])
                if self._handle_duplicate(art, sig, in_tx=False):
                    continue
            except SourceError as exc:
                self.error(p.source, p.item, exc.kind, str(exc))
                continue
            except Exception as exc:  # noqa: BLE001 - one bad page must not stop the batch
                self.error(p.source, p.item, "malformed", _one_line(f"could not clean: {exc}"))
                continue
            pending.append((art, sig))
            if len(pending) >= self.batch_size:
                self._flush(pending)
                pending = []
            if hasattr(bar, "set_postfix_str"):
                bar.set_postfix_str(self.summary.line(), refresh=False)
        if pending:
            self._flush(pending)

    def _handle_duplicate(self, art: dict[str, Any], sig, in_tx: bool) -> bool:
        """Link or skip ``art`` when it is already stored; True when handled."""
        hit = find_existing(self.db, art, sig)
        if hit is None:
            return False
        article_id, reason, sim = hit
        if store.known_locator(self.db, art["source"]):
            self.summary.unchanged += 1
            return True

        def link():
            return store.record_copy(self.db, article_id, reason, url=art.get("url"),
                                     canonical_url=art.get("canonical_url"), title=art.get("title"),
                                     outlet=art.get("outlet"), source=art["source"], similarity=sim)

        if in_tx:
            added = link()
        else:
            with store.write_tx(self.db):
                added = link()
                if added:
                    store.bump_data_version(self.db)
        if added:
            self.summary.duplicates += 1
        else:
            self.summary.unchanged += 1
        return True

    def _curated_dates(self, pending: list[tuple[dict[str, Any], Any]]) -> None:
        """An analyst's ``set-article-date`` correction for the same text (a rebuilt store, an
        imported log) gives the article its date before it is extracted."""
        dates = curation.article_dates(self.db, [a.get("content_hash") for a, _ in pending])
        for a, _ in pending:
            if a.get("content_hash") in dates:
                a["published"] = dates[a["content_hash"]]

    def _flush(self, pending: list[tuple[dict[str, Any], Any]]) -> None:
        """Extract and store a batch. ``extract_many`` is lazy, so its results are read inside
        the ``try``: any failure falls back to one article at a time, and an article whose
        extraction or save fails becomes that article's recorded error."""
        self._curated_dates(pending)
        try:
            results: list[Any] = list(self._extract([_extract_input(a) for a, _ in pending]))
            if len(results) != len(pending):
                raise RuntimeError("extraction returned a different number of results")
        except Exception:  # noqa: BLE001 - fall back to one at a time to isolate the bad one
            results = []
            for a, _ in pending:
                try:
                    results.append(list(self._extract([_extract_input(a)]))[0])
                except Exception as exc:  # noqa: BLE001
                    results.append(exc)
        for (art, sig), result in zip(pending, results):
            item = (art.get("metadata") or {}).get("item")
            source = art["source"][: -len(item) - 1] if item and art["source"].endswith(f"#{item}") else art["source"]
            if isinstance(result, Exception):
                self.error(source, item, "extraction", _one_line(f"extraction failed: {type(result).__name__}: {result}"))
                continue
            try:
                self._store(art, sig, result)
            except Exception as exc:  # noqa: BLE001 - the transaction rolled back; carry on
                self.error(source, item, "store", _one_line(f"could not save: {type(exc).__name__}: {exc}"))

    def _store(self, art: dict[str, Any], sig, result: dict[str, Any]) -> None:
        with store.write_tx(self.db):
            # Re-check inside the write lock: another writer or an earlier item may have won.
            if self._handle_duplicate(art, sig, in_tx=True):
                return
            row = dict(art)
            row["extractor_version"] = self.extractor_version
            if result.get("text") and result["text"] != art["text"]:
                row["text"] = result["text"]
            article_id = store.insert_article(self.db, row)
            dedupe.save_signature(self.db, article_id, sig)
            store.save_extraction(self.db, article_id, result, art.get("published"),
                                  self.extractor_version)
            store.bump_data_version(self.db)
        self.summary.new += 1
        if not row.get("published"):
            self.summary.undated += 1
        self.summary.article_ids.append(article_id)


def _progress(it: Iterable, enabled: bool):
    if not enabled:
        return it
    from tqdm import tqdm

    return tqdm(it, unit=" items", file=sys.stderr, dynamic_ncols=True)


def _expand(sources: Iterable[str | Path], fetcher: Fetcher) -> Iterator[Produced]:
    for s in sources:
        try:
            yield from iter_items(s, fetcher)
        except Exception as exc:  # noqa: BLE001 - a reader bug must not lose the batch
            yield ItemError(str(s), "malformed", f"could not read: {exc}"[:300])


# --- public entry points ----------------------------------------------------------------------

def ingest_sources(db_path: str | Path | None, sources: Iterable[str | Path], *,
                   progress: bool = False, fetch: bool = True) -> dict[str, Any]:
    """Ingest files, folders (recursively), URLs and feeds.

    :param db_path: the store (None: ``CHANCERY_DB`` or data/chancery.db).
    :param fetch: fetch URLs and feed entries' pages from the network.
    :returns: the summary dict: new, duplicates, unchanged, errors, error_messages, article_ids.
    """
    from analysis.ingest.fetch import redact

    sources = [redact(str(s)) or str(s) for s in sources]  # credentials are never kept or sent
    ing = Ingester(db_path, progress=progress, fetch=fetch)
    try:
        return ing.run(_expand(sources, ing.fetcher), sources).as_dict()
    finally:
        ing.close()


def ingest_bytes(db_path: str | Path | None, name: str, data: bytes, *,
                 fetch: bool = True) -> dict[str, Any]:
    """Ingest an uploaded file's bytes (its name gives the type)."""
    ing = Ingester(db_path, fetch=fetch)
    try:
        label = f"upload:{name}"
        return ing.run(iter_bytes(name, data, source=label, fetcher=ing.fetcher), [label]).as_dict()
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

            from analysis.ingest.sources import _text_item, normalise_date, split_front_matter

            # Front matter pasted with the text is read as in a file; the form's fields win.
            meta, body = split_front_matter(text)
            item = _text_item(label, body, meta, kind="paste")
            given = {"title": title, "url": url, "published": normalise_date(published), "outlet": outlet}
            produced = [_with(item, **{k: v for k, v in given.items() if v})]
        return ing.run(produced, [label]).as_dict()
    finally:
        ing.close()


def reextract(db_path: str | Path | None = None, *, progress: bool = False,
              batch_size: int = BATCH) -> dict[str, Any]:
    """Run extraction again over every stored article (after a change of rules or model).

    Each article's mentions, roles, events and topics are replaced in its own transaction;
    entity ids stay stable. Entities no longer referenced anywhere are removed. An article
    whose extraction or save fails keeps its previous facts, is counted in ``failed`` and
    recorded in ``ingest_errors`` (kind ``reextract``); the rest go on. The work is one row of
    ``ingest_runs`` (sources ``["reextract"]``), closed ``finished``, ``failed`` or
    ``interrupted``.
    """
    db = store.open_db(config.db_path(db_path))
    many, version = _extractor()
    done = failed = 0
    pruned = 0
    messages: list[str] = []
    with store.write_tx(db):
        run_id = store.start_run(db, ["reextract"])

    def fail(article_id: int, source: str, exc: BaseException) -> None:
        nonlocal failed
        failed += 1
        msg = _one_line(f"re-extraction failed: {type(exc).__name__}: {exc}")
        messages.append(f"article {article_id}: {msg}")
        with store.write_tx(db):
            store.record_error(db, source or f"article {article_id}", f"article {article_id}",
                               "reextract", msg, run_id)

    def close(status: str, message: str | None = None) -> None:
        with store.write_tx(db):
            store.finish_run(db, run_id, status, message, errors=failed)

    try:
        ids = store.article_ids(db)
        bar = _progress(range(0, len(ids), batch_size), progress)
        for start in bar:
            chunk = ids[start:start + batch_size]
            stored = store.articles_to_extract(db, chunk)
            sources = {r["id"]: r.pop("source") for r in stored}
            inputs = [{**r, "clean": True} for r in stored]
            try:
                results: list[Any] = list(many(inputs))
            except Exception:  # noqa: BLE001 - isolate the failing article
                results = []
                for inp in inputs:
                    try:
                        results.append(list(many([inp]))[0])
                    except Exception as exc:  # noqa: BLE001
                        results.append(exc)
            for inp, result in zip(inputs, results):
                if isinstance(result, Exception):
                    fail(inp["id"], sources[inp["id"]], result)
                    continue
                try:
                    with store.write_tx(db):
                        store.save_extraction(db, inp["id"], result, inp["published"], version)
                        store.bump_data_version(db)
                except Exception as exc:  # noqa: BLE001 - rolled back: the old facts stay
                    fail(inp["id"], sources[inp["id"]], exc)
                    continue
                done += 1
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
