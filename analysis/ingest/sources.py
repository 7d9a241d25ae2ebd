"""Turning anything an analyst has into items: files, folders, saved pages, URLs, RSS/Atom feeds,
CSV and JSONL bulk files, pasted text and uploads.

Readers do I/O and splitting only. Each yields :class:`Item` objects, or :class:`ItemError` for an
input that cannot become an article (empty, binary, too large, malformed, unreachable), so the
caller can record the error and carry on with the rest of the batch.
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
import stat
import urllib.parse
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterator, Union

from analysis import config

TEXT_EXT = {".txt", ".md", ".markdown", ".text"}
HTML_EXT = {".html", ".htm", ".xhtml"}
FEED_EXT = {".rss", ".atom", ".xml", ".feed"}
JSONL_EXT = {".jsonl", ".ndjson"}
CSV_EXT = {".csv", ".tsv"}
JSON_EXT = {".json"}
USER_AGENT = "Chancery/0.1 (+offline news analysis)"


@dataclass
class Item:
    """One would-be article, before cleaning.

    ``source`` names where it came from (a path, URL or "paste"); ``item`` locates it inside a
    multi-item source (feed entry, JSONL line). Exactly one of ``html``/``text`` is set.
    """

    source: str
    kind: str  # text | html | feed-entry | jsonl | csv | url | paste | upload
    item: str | None = None
    html: str | None = None
    text: str | None = None
    title: str | None = None
    url: str | None = None
    published: str | None = None
    author: str | None = None
    outlet: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def locator(self) -> str:
        """Stable identity of this item: source plus position, used for idempotent re-runs."""
        return f"{self.source}#{self.item}" if self.item else self.source


@dataclass
class ItemError:
    """An input that could not become an item, with a one-line reason."""

    source: str
    kind: str  # empty | binary | too_large | encoding | malformed | network | blocked | unsupported
    #           | missing | unreadable | special | symlink
    message: str
    item: str | None = None


Produced = Union[Item, ItemError]


class SourceError(Exception):
    """A whole source could not be read; ``kind`` is one of ItemError's kinds."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


# --- bytes and text ---------------------------------------------------------------------------

def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode bytes to text: UTF-8 (BOM allowed), else the charset-normalizer guess, else
    Windows-1252/Latin-1, which always succeeds.

    :raises SourceError: ``empty`` for no content, ``binary`` for data that is not text.
    """
    if not data or not data.strip():
        raise SourceError("empty", "empty file (no text)")
    head = data[:8192]
    if b"\x00" in head and not (head.startswith(b"\xff\xfe") or head.startswith(b"\xfe\xff")):
        raise SourceError("binary", "binary data, not text (NUL bytes)")
    for bom, enc in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return data.decode(enc, errors="replace"), enc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:200_000]).best()
        if best is not None and best.encoding and best.encoding.lower() not in ("utf_8", "utf-8"):
            text = data.decode(best.encoding, errors="replace")
            if _looks_textual(text):
                return text, best.encoding
    except Exception:  # noqa: BLE001 - detection is best effort; fall back below
        pass
    text = data.decode("cp1252", errors="replace")
    if not _looks_textual(text):
        text = data.decode("latin-1")
        if not _looks_textual(text):
            raise SourceError("binary", "binary data, not text")
        return text, "latin-1"
    return text, "cp1252"


def _looks_textual(text: str) -> bool:
    sample = text[:20000]
    if not sample:
        return False
    bad = sum(1 for c in sample if (ord(c) < 32 and c not in "\t\n\r\f") or c == "\ufffd")
    return bad / len(sample) < 0.02


FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*\r?\n", re.S)


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """Split a ``---`` block of ``key: value`` lines from the top of a text file.

    :returns: (metadata, body); metadata is empty when the text has no front matter.
    """
    m = FRONT_MATTER.match(text)
    if not m:
        return {}, text
    meta: dict[str, str] = {}
    for line in m.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep and re.fullmatch(r"[A-Za-z_][\w-]*", key.strip()):
            meta[key.strip().lower()] = value.strip()
    if not meta:
        return {}, text
    return meta, text[m.end():]


def normalise_date(value: Any) -> str | None:
    """A date-like value (ISO string, struct_time, datetime, free text) as YYYY-MM-DD, or None."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "tm_year"):
        return f"{value.tm_year:04d}-{value.tm_mon:02d}-{value.tm_mday:02d}"
    s = str(value).strip()
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", s)
    if m:
        try:
            return date(int(m[1]), int(m[2]), int(m[3])).isoformat()
        except ValueError:
            return None
    try:
        import dateparser

        d = dateparser.parse(s, settings={"PREFER_DAY_OF_MONTH": "first", "RETURN_AS_TIMEZONE_AWARE": False})
    except Exception:  # noqa: BLE001
        d = None
    return d.date().isoformat() if d else None


# --- network ----------------------------------------------------------------------------------

class Fetcher:
    """HTTP(S) GET with a short timeout, a size cap and memory of unreachable hosts, so that an
    offline machine fails each host once and quickly instead of waiting on every link."""

    def __init__(self, timeout: float | None = None, max_bytes: int | None = None,
                 enabled: bool = True):
        self.timeout = timeout if timeout is not None else config.fetch_timeout()
        self.max_bytes = max_bytes if max_bytes is not None else config.max_bytes()
        self.enabled = enabled
        self.dead_hosts: dict[str, str] = {}
        self.failures = 0

    def fetch(self, url: str) -> tuple[bytes, str]:
        """Return (body, content type), under the fetch policy of :mod:`analysis.ingest.fetch`.

        :raises SourceError: ``network`` with the reason, ``blocked`` for an internal address,
            ``too_large`` over the size cap, ``unsupported`` for anything but http(s).
        """
        from analysis.ingest.fetch import FetchError, fetch_url, redact

        shown = (redact(url) or "")[:200]
        parts = urllib.parse.urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
            raise SourceError("unsupported", f"not an http(s) URL: {shown}")
        if not self.enabled:
            raise SourceError("network", "network fetching is off")
        host = parts.hostname or ""
        if host in self.dead_hosts:
            raise SourceError("network", f"{host} unreachable earlier in this run ({self.dead_hosts[host]})")
        if self.failures >= 3 and len(self.dead_hosts) >= 3:
            raise SourceError("network", "network unreachable (3 hosts failed in this run)")
        try:
            resp = fetch_url(url, timeout=self.timeout, max_bytes=self.max_bytes,
                             user_agent=USER_AGENT)
        except FetchError as exc:
            if exc.kind == "network" and not str(exc).startswith("HTTP "):
                self.dead_hosts[host] = str(exc)[:120]
                self.failures += 1
            raise SourceError(exc.kind, str(exc)) from None
        return resp.body, resp.content_type


def is_url(s: str) -> bool:
    """True for an http(s) URL."""
    return bool(re.match(r"https?://", s.strip(), re.I))


# --- readers ----------------------------------------------------------------------------------

def iter_items(source: str | Path, fetcher: Fetcher | None = None) -> Iterator[Produced]:
    """Yield the items of one source: a URL, a file, or a folder (recursively, sorted).

    Only regular files are read. In a folder, hidden entries are skipped, and a symlink is
    followed only when it leads to a file inside that folder; every other entry that cannot be
    read (a symlink leading out, a FIFO, socket or device, an unreadable file or sub-folder)
    becomes one recorded error.
    """
    fetcher = fetcher or Fetcher()
    s = str(source)
    if is_url(s):
        from analysis.ingest.fetch import redact

        yield from _iter_url(redact(s.strip()) or s, fetcher)
        return
    path = Path(s)
    if path.is_dir():
        yield from _iter_folder(path, fetcher)
        return
    if not path.exists() and not path.is_symlink():
        yield ItemError(s, "missing", f"no such file or folder: {s}")
        return
    yield from iter_file(path, fetcher)


def _iter_folder(root: Path, fetcher: Fetcher) -> Iterator[Produced]:
    """The items of the files under ``root``, sorted (see :func:`folder_entries`)."""
    for entry in folder_entries(root):
        if isinstance(entry, ItemError):
            yield entry
        else:
            yield from iter_file(entry, fetcher)


def folder_entries(root: Path) -> Iterator[Path | ItemError]:
    """The files under ``root`` an ingest reads, sorted, without following links out of it
    (see iter_items), and an error for each entry that cannot be read; nothing is read yet."""
    base = root.resolve()
    problems: list[ItemError] = []

    def on_error(exc: OSError) -> None:
        where = getattr(exc, "filename", None) or str(root)
        problems.append(ItemError(str(where), "unreadable", f"cannot read folder: {exc.strerror or exc}"))

    entries: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=on_error, followlinks=False):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for d in list(dirnames):
            if (here / d).is_symlink():  # os.walk would not descend; say so
                dirnames.remove(d)
                entries.append(here / d)
        entries.extend(here / f for f in filenames if not f.startswith("."))
    yield from problems
    for child in sorted(entries):
        if child.is_symlink():
            try:
                target = child.resolve(strict=True)
            except (OSError, RuntimeError) as exc:
                yield ItemError(str(child), "missing", f"broken symlink: {exc}")
                continue
            if target != base and base not in target.parents:
                yield ItemError(str(child), "symlink",
                                "symlink leads outside the folder given: not followed")
                continue
            if target.is_dir():
                continue  # a folder inside the tree: its files are read where they are
        yield child


def _special_kind(mode: int) -> str | None:
    for test, name in ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISDIR, "a folder")):
        if test(mode):
            return name
    return None if stat.S_ISREG(mode) else "not a regular file"


def read_regular_file(path: Path, limit: int) -> bytes:
    """The bytes of a regular file, never more than ``limit`` + 1 of them.

    The file is opened without blocking and checked with ``fstat`` on the open descriptor, so a
    FIFO, socket or device is refused without being read (and cannot be swapped in between a
    check and the open).

    :raises SourceError: ``special`` for anything but a regular file, ``unreadable`` when the
        file cannot be opened or read, ``missing`` when it is gone, ``too_large`` over the limit.
    """
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise SourceError("missing", f"no such file: {path}") from None
    except OSError as exc:
        raise SourceError("unreadable", f"cannot read: {exc.strerror or exc}") from None
    kind = _special_kind(st.st_mode)
    if kind:
        raise SourceError("special", f"{kind}, not a regular file: not read")
    if st.st_size > limit:
        raise SourceError("too_large", f"file is {st.st_size / 1e6:.1f} MB, over the {limit / 1e6:.1f} MB "
                                       "limit (set CHANCERY_MAX_BYTES to raise it)")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise SourceError("missing", f"no such file: {path}") from None
    except OSError as exc:
        raise SourceError("unreadable", f"cannot read: {exc.strerror or exc}") from None
    try:
        kind = _special_kind(os.fstat(fd).st_mode)
        if kind:
            raise SourceError("special", f"{kind}, not a regular file: not read")
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise SourceError("unreadable", f"cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if size > limit:
        raise SourceError("too_large", f"file grew past the {limit / 1e6:.1f} MB limit while read "
                                       "(set CHANCERY_MAX_BYTES to raise it)")
    return b"".join(chunks)


def iter_file(path: Path, fetcher: Fetcher | None = None) -> Iterator[Produced]:
    """Yield the items of one file, checking its type and size first (see
    :func:`read_regular_file`)."""
    src = str(path.resolve())
    try:
        data = read_regular_file(path, config.max_bytes())
    except SourceError as exc:
        yield ItemError(src, exc.kind, str(exc))
        return
    yield from iter_bytes(path.name, data, source=src, fetcher=fetcher)


def iter_bytes(name: str, data: bytes, source: str | None = None,
               fetcher: Fetcher | None = None, url: str | None = None) -> Iterator[Produced]:
    """Yield the items of an in-memory file (an upload, a download, a file's bytes).

    The type comes from the file name's extension, or from the content when it has none.
    """
    source = source or name
    if len(data) > config.max_bytes():
        yield ItemError(source, "too_large",
                        f"{len(data) / 1e6:.1f} MB, over the {config.max_bytes() / 1e6:.1f} MB limit")
        return
    ext = Path(name).suffix.lower()
    if ext == ".gz":
        try:
            data = _gunzip(data)
        except (OSError, EOFError, SourceError) as exc:
            yield ItemError(source, "malformed" if not isinstance(exc, SourceError) else exc.kind,
                            f"cannot decompress: {exc}")
            return
        name = name[:-3]
        ext = Path(name).suffix.lower()
    if ext in (".pdf", ".docx", ".doc", ".zip", ".gz", ".png", ".jpg", ".jpeg", ".gif", ".exe"):
        yield ItemError(source, "unsupported", f"unsupported file type {ext}: use text, HTML, feeds, CSV or JSONL")
        return
    if ext in CSV_EXT:
        yield from _iter_csv(source, data, delimiter="\t" if ext == ".tsv" else ",")
        return
    if ext in JSONL_EXT:
        yield from _iter_jsonl(source, data)
        return
    try:
        text, _enc = decode_bytes(data)
    except SourceError as exc:
        yield ItemError(source, exc.kind, str(exc))
        return
    kind = _sniff(ext, text)
    if kind == "feed":
        yield from _iter_feed(source, data, fetcher or Fetcher())
    elif kind == "html":
        yield Item(source=source, kind="html", html=text, url=url)
    elif kind == "json":
        yield from _iter_json(source, text)
    else:
        meta, body = split_front_matter(text)
        yield text_item(source, body, meta, kind="text", url=url)


def _gunzip(data: bytes) -> bytes:
    """Decompress gzip data, refusing output over the size limit (zip bombs)."""
    import gzip
    import zlib

    limit = config.max_bytes()
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = d.decompress(data, limit + 1)
    if len(out) > limit:
        raise SourceError("too_large", f"decompressed size over the {limit / 1e6:.1f} MB limit")
    if not d.eof:
        raise gzip.BadGzipFile("truncated gzip data")
    return out


def _sniff(ext: str, text: str) -> str:
    head = text[:2000].lstrip("\ufeff \t\r\n").lower()
    if ext in FEED_EXT or (ext not in TEXT_EXT | HTML_EXT and head.startswith("<?xml")):
        if re.search(r"<(rss|feed|rdf:rdf)[\s>]", text[:5000], re.I):
            return "feed"
        if ext in FEED_EXT:
            return "feed"  # let the feed parser report what is wrong
    if ext in HTML_EXT:
        return "html"
    if ext in JSON_EXT:
        return "json"
    if ext in TEXT_EXT:
        return "text"
    if re.search(r"<(rss|feed|rdf:rdf)[\s>]", text[:5000], re.I):
        return "feed"
    if head.startswith(("<!doctype html", "<html")) or re.search(r"<(body|article|p)[\s>]", text[:5000], re.I):
        return "html"
    if head.startswith(("{", "[")):
        return "json"
    return "text"


def text_item(source: str, body: str, meta: dict[str, Any], kind: str, url: str | None = None,
               item: str | None = None) -> Item:
    known = {"title", "published", "date", "url", "author", "outlet", "source"}
    return Item(
        source=source, kind=kind, item=item, text=body,
        title=meta.get("title") or None,
        url=meta.get("url") or url,
        published=normalise_date(meta.get("published") or meta.get("date")),
        author=meta.get("author") or None,
        outlet=meta.get("outlet") or meta.get("source") or None,
        metadata={k: v for k, v in meta.items() if k not in known},
    )


def _record_item(source: str, rec: dict[str, Any], where: str, kind: str) -> Produced:
    if not isinstance(rec, dict):
        return ItemError(source, "malformed", f"{where}: expected an object with title/text", item=where)
    rec = {str(k).strip().lower(): v for k, v in rec.items()}
    text = rec.get("text") or rec.get("body") or rec.get("content") or rec.get("description")
    html = rec.get("html")
    if not (isinstance(text, str) and text.strip()) and not (isinstance(html, str) and html.strip()):
        return ItemError(source, "empty", f"{where}: no text", item=where)
    meta = {k: v for k, v in rec.items() if k not in ("text", "body", "content", "html")}
    it = text_item(source, text if isinstance(text, str) else "", {k: (str(v) if v is not None else None) for k, v in meta.items()},
                    kind=kind, item=where)
    if isinstance(html, str) and html.strip() and not (isinstance(text, str) and text.strip()):
        it.html, it.text = html, None
    if rec.get("id") is not None:
        it.metadata["id"] = str(rec["id"])
    return it


def _iter_jsonl(source: str, data: bytes) -> Iterator[Produced]:
    try:
        text, _ = decode_bytes(data)
    except SourceError as exc:
        yield ItemError(source, exc.kind, str(exc))
        return
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        where = f"line {n}"
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            yield ItemError(source, "malformed", f"{where}: invalid JSON ({exc.msg} at column {exc.colno})", item=where)
            continue
        yield _record_item(source, rec, where, "jsonl")


def _iter_json(source: str, text: str) -> Iterator[Produced]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        yield ItemError(source, "malformed", f"invalid JSON ({exc.msg} at line {exc.lineno})")
        return
    records = data if isinstance(data, list) else [data]
    for n, rec in enumerate(records, 1):
        yield _record_item(source, rec, f"record {n}", "jsonl")


def _iter_csv(source: str, data: bytes, delimiter: str = ",") -> Iterator[Produced]:
    try:
        text, _ = decode_bytes(data)
    except SourceError as exc:
        yield ItemError(source, exc.kind, str(exc))
        return
    csv.field_size_limit(config.max_bytes())
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
        if not reader.fieldnames or not {f.strip().lower() for f in reader.fieldnames} & {"text", "body", "content", "html", "description"}:
            yield ItemError(source, "malformed", "CSV needs a text (or body/content/html) column")
            return
        for n, row in enumerate(reader, 2):
            yield _record_item(source, dict(row), f"row {n}", "csv")
    except csv.Error as exc:
        yield ItemError(source, "malformed", f"CSV error: {exc}")


def _html_to_text(fragment: str) -> str:
    """Text of an HTML fragment (a feed entry's content), paragraphs kept apart."""
    import html as htmlmod

    s = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", fragment)
    s = re.sub(r"(?i)<\s*(br|/p|/div|/li|/h\d)\s*/?>", "\n\n", s)
    s = re.sub(r"<[^>]+>", " ", s)
    s = htmlmod.unescape(s)
    paras = [" ".join(p.split()) for p in re.split(r"\n\s*\n", s)]
    return "\n\n".join(p for p in paras if p)


def _iter_feed(source: str, data: bytes, fetcher: Fetcher) -> Iterator[Produced]:
    import feedparser

    parsed = feedparser.parse(data)
    entries = parsed.get("entries") or []
    if not entries:
        reason = parsed.get("bozo_exception")
        yield ItemError(source, "malformed", f"not a readable RSS/Atom feed ({reason or 'no entries'})")
        return
    outlet = (parsed.get("feed") or {}).get("title")
    from analysis.ingest.fetch import redact

    for n, entry in enumerate(entries, 1):
        link = redact(entry.get("link"))
        where = f"entry {n}" + (f" {link}" if link else "")
        title = entry.get("title")
        published = normalise_date(entry.get("published_parsed") or entry.get("updated_parsed")
                                   or entry.get("published") or entry.get("updated"))
        author = entry.get("author")
        if link and is_url(link) and fetcher.enabled:
            try:
                body, _ctype = fetcher.fetch(link)
                text, _ = decode_bytes(body)
                yield Item(source=source, kind="feed-entry", item=where, html=text, url=link,
                           title=title, published=published, author=author, outlet=outlet)
                continue
            except SourceError:
                pass  # keep the entry's own content below
        content = ""
        for c in entry.get("content") or []:
            if len(c.get("value", "")) > len(content):
                content = c.get("value", "")
        summary = entry.get("summary") or ""
        raw = content if len(content) > len(summary) else summary
        text = _html_to_text(raw) if raw else ""
        if not text.strip():
            yield ItemError(source, "empty", f"{where}: no text in the entry and the page could not be fetched", item=where)
            continue
        yield Item(source=source, kind="feed-entry", item=where, text=text, url=link, title=title,
                   published=published, author=author, outlet=outlet, metadata={"from_feed": True})


def _iter_url(url: str, fetcher: Fetcher) -> Iterator[Produced]:
    try:
        body, ctype = fetcher.fetch(url)
    except SourceError as exc:
        yield ItemError(url, exc.kind, str(exc))
        return
    name = urllib.parse.urlsplit(url).path.rsplit("/", 1)[-1] or "index.html"
    if "xml" in ctype or "rss" in ctype or "atom" in ctype:
        name = "feed.xml"
    elif "html" in ctype and not name.lower().endswith(tuple(HTML_EXT)):
        name += ".html"
    yield from iter_bytes(name, body, source=url, fetcher=fetcher, url=url)
