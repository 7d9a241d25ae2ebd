"""Article cleaning: saved HTML pages and plain-text pages to a clean body plus metadata.

``clean_html`` runs trafilatura for the body and combines it with our own metadata rules
(JSON-LD ``NewsArticle`` fields, Open Graph / ``<meta>`` tags, the page's ``<h1>``), because
trafilatura's title keeps site suffixes ("… | Site") and its date guess is weaker than what the
page declares. ``clean_text`` handles plain-text pages saved from news sites: it splits off a
headline line and removes teasers, "Also See"/"Read More" lines and the furniture after an
end-of-article marker, using the data file ``resources/boilerplate.json``.

Plain-text rule (documented contract): when no boilerplate rule fires, the body is the input
text unchanged except that a headline line (see :func:`split_headline`) and the blank lines
after it are split off; a text without a headline line is returned whole.
"""
from __future__ import annotations

import html as html_lib
import json
import re
import warnings
from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urljoin, urlsplit

from analysis.config import RESOURCES

__all__ = [
    "clean_html",
    "clean_text",
    "detect_language",
    "load_rules",
    "marker_rule",
    "split_headline",
    "strip_site_suffix",
]

_WS = re.compile(r"\s+")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)
_TERMINAL = re.compile(r"[.!?…;:]['\"’”»)\]]*$")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
#: JSON-LD types whose fields describe the article itself.
_ARTICLE_TYPES = re.compile(r"(Article|BlogPosting|Report|NewsArticle|LiveBlogPosting|WebPage)$")
#: Meta tags holding the publication date, by priority.
_DATE_META = (
    "article:published_time", "og:published_time", "og:article:published_time",
    "datepublished", "publish-date", "publish_date", "pubdate", "publishdate",
    "sailthru.date", "parsely-pub-date", "dc.date.issued", "dc.date", "dcterms.created",
    "date", "article.published", "cxenseparse:recs:publishtime",
)
_MAX_YEAR_AHEAD = 1


#: Characters never stored: C0 controls but tab, newline and carriage return, DEL, C1 controls,
#: the non-characters U+FFFE/U+FFFF, and lone surrogates (which SQLite cannot encode).
_NEVER_STORED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


#: Entity remnants of wire copy whose "&" was lost ("#39;", "quot;", "#36;500"): a remnant
#: stands at a word start, never inside a word ("Powell #39;s", " quot;no quot;").
_LOST_AMP = re.compile(r"(?<![&;\w])(quot|amp|apos|lt|gt|nbsp);|(?<![&\d])(#\d{2,5});")
_TAG = re.compile(r"</?[a-zA-Z][^<>]{0,200}>")


def repair_wire(s: str | None) -> str | None:
    """Undo the escaping residue of wire and aggregator copy before NER sees it:

    - entity remnants without their "&" ("Barghouti won #39;t", " quot;no quot;", "#36;5bn")
      and entities escaped twice ("&amp;amp;", "&amp;quot;") become their characters;
    - a space before an apostrophe remnant goes (" #39;s" -> "'s");
    - tags revealed by the unescaping ("<b>") and AG News' backslash line breaks become spaces.

    Text without such residue comes back unchanged."""
    if not s or ("&" not in s and ";" not in s and "\\" not in s):
        return s
    out = re.sub(r"\s?(?<!&)#39;(?=s\b|t\b|d\b|ll\b|re\b|ve\b|m\b)", "&#39;", s)
    out = _LOST_AMP.sub(lambda m: "&" + (m.group(1) or m.group(2)) + ";", out)
    for _ in range(2):  # "&amp;quot;" is escaped twice
        if "&" not in out:
            break
        out = html_lib.unescape(out)
    if out != s:
        out = _TAG.sub(" ", out)
    out = re.sub(r"(?<![:\\])\\(?=[\w\s])", " ", out)
    return re.sub(r"[ \t]{2,}", " ", out) if out != s else s


def strip_control(s: str | None) -> str | None:
    """``s`` without NUL and other control characters (tabs and line breaks stay); a lone
    surrogate (from JSON such as ``"\\ud800"``) becomes U+FFFD. Every text the store keeps
    passes through here, so SQLite functions never see a NUL that would cut a text short."""
    if not s:
        return s
    s = _NEVER_STORED.sub("", s)
    return _SURROGATE.sub("\ufffd", s) if _SURROGATE.search(s) else s


def _norm(s: str | None) -> str:
    """Collapse whitespace and trim; ``None`` becomes ``""``."""
    return _WS.sub(" ", s or "").strip()


@lru_cache(maxsize=1)
def load_rules() -> dict[str, Any]:
    """The boilerplate rules from ``resources/boilerplate.json`` (read once per process)."""
    with open(RESOURCES / "boilerplate.json", encoding="utf-8") as fh:
        raw = json.load(fh)
    rules: dict[str, Any] = dict(raw)
    rules["_end"] = {_key(x) for x in raw["end_markers"]}
    rules["_drop"] = {_key(x) for x in raw["drop_lines"]}
    rules["_teaser"] = {_key(x) for x in raw["teaser_links"]}
    rules["_bio"] = [re.compile(p, re.IGNORECASE) for p in raw["bio_patterns"]]
    rules["_end_prefixes"] = tuple(x.lower() for x in raw["end_marker_prefixes"])
    rules["_drop_prefixes"] = tuple(x.lower() for x in raw["drop_prefixes"])
    rules["_byline"] = [re.compile(p, re.IGNORECASE) for p in raw["byline_patterns"]]
    rules["_dateline"] = [re.compile(p, re.IGNORECASE) for p in raw["date_line_patterns"]]
    # case-sensitive: the place is in capitals or capitalised words (the month is not)
    rules["_news_dateline"] = [re.compile(p) for p in raw.get("dateline_patterns", [])]
    rules["_readtime"] = [re.compile(p, re.IGNORECASE) for p in raw["read_time_patterns"]]
    rules["_stopwords"] = {lang: frozenset(words) for lang, words in raw["language_stopwords"].items()}
    return rules


def _key(line: str) -> str:
    """Lower-cased line without surrounding punctuation/arrows, for exact-line rules."""
    s = _norm(line).lower()
    return s.strip(" \t:.-–—|»«›>→←<*•·…!\"'")


# ---------------------------------------------------------------------------
# language
# ---------------------------------------------------------------------------



def detect_language(text: str | None) -> str | None:
    """Guess the ISO 639-1 language of ``text`` from stopword ratios (lists in boilerplate.json).

    Offline and model-free. Returns ``None`` when the text is too short (under 8 words) or no
    language's stopwords make up at least 10% of the words.
    """
    words = [w.lower() for w in _WORD.findall(text or "")[:2000]]
    if len(words) < 8:
        return None
    counts = Counter(words)  # each distinct word looked up once per language, not each word
    best, best_score = None, 0.0
    for lang, stop in load_rules()["_stopwords"].items():
        score = sum(n for w, n in counts.items() if w in stop) / len(words)
        if score > best_score:
            best, best_score = lang, score
    return best if best_score >= 0.10 else None


# ---------------------------------------------------------------------------
# plain text
# ---------------------------------------------------------------------------

def _is_headline(line: str) -> bool:
    """A line that reads as a headline: short, no sentence-ending period/colon/semicolon."""
    s = _norm(line)
    if not s or len(s) > 200 or len(s.split()) > 30:
        return False
    if s[-1] in ".,;:" and not s.endswith("..."):
        return False
    return bool(_WORD.search(s))


def split_headline(text: str, title: str | None = None) -> tuple[str | None, str]:
    """Split a headline line off the top of ``text``.

    The first line is a headline when more text follows and it is a Markdown heading
    (``# …``), or it is followed by a blank line and reads as a headline (at most 200
    characters / 30 words, not ending with ``.``, ``,``, ``;`` or ``:``). When ``title`` is given, a first line equal to it (whitespace-normalised) is
    split off too. Returns ``(headline or None, rest)``; ``rest`` is the input after the headline
    line and the blank lines that follow it, otherwise unchanged. Without a headline the input
    text is returned whole.
    """
    stripped = text.lstrip("\ufeff")
    m = re.match(r"[ \t]*\n*[ \t]*([^\n]*)(\n|$)", stripped)
    if not m:
        return None, text
    first = m.group(1)
    rest = stripped[m.end():]
    after = re.match(r"(?:[ \t]*\n)*", rest)
    rest_body = rest[after.end():] if after else rest
    if not rest_body.strip():
        return None, text
    md = re.match(r"#{1,6}\s+(.+)$", first.strip())
    if md:
        return _norm(md.group(1).rstrip("#")), rest_body
    if title and _norm(first) == _norm(title):
        return _norm(first), rest_body
    blank_after = after is not None and after.end() > 0
    if blank_after and _is_headline(first):
        return _norm(first), rest_body
    return None, text


def _paragraphs(text: str) -> list[str]:
    """Split text into paragraphs on blank lines; single line breaks inside stay."""
    return [p.strip() for p in re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n").replace("\r", "\n")) if p.strip()]


def _line_rule(line: str, rules: dict[str, Any]) -> str | None:
    """Which rule a single line triggers: ``"end"``, ``"drop"``, ``"teaser"`` or ``None``."""
    k = _key(line)
    low = _norm(line).lower()
    if not k:
        return None
    if k in rules["_teaser"]:
        return "teaser"
    if k in rules["_end"] or low.startswith(rules["_end_prefixes"]):
        return "end"
    if k in rules["_drop"] or low.startswith(rules["_drop_prefixes"]):
        return "drop"
    return None


def marker_rule(line: str) -> str | None:
    """Public form of the line rules: ``"end"`` (end-of-article marker such as "More to Follow"),
    ``"drop"`` (a furniture line such as "Also See: …"), ``"teaser"`` ("Read More »") or ``None``."""
    return _line_rule(line, load_rules())


def _is_sentence(p: str) -> bool:
    return bool(_TERMINAL.search(_norm(p)))


def _is_furniture(p: str, rules: dict[str, Any]) -> bool:
    """A short non-sentence line (a name, a section label) or a known author/site blurb."""
    s = _norm(p)
    if any(rx.search(s) for rx in rules["_bio"]):
        return True
    return len(s.split()) <= 4 and not _is_sentence(s)


def _strip_boilerplate(paras: list[str], rules: dict[str, Any]) -> tuple[list[str], bool]:
    """Apply the line rules to a list of paragraphs. Returns ``(kept, changed)``.

    - an end marker (e.g. "More to Follow", "Recent", "Related") after the first substantive
      paragraph ends the article;
    - a block of teasers (title, blurb, "Read More") ends the article at the first teaser title;
    - single lines such as "Also See: …" or "Advertisement" are dropped;
    - short furniture lines/blurbs ("News Desk", "Your trusted source …") left at the end go.
    """
    kept: list[str] = []
    changed = False
    substantive = 0
    for p in paras:
        lines = p.split("\n")
        rule = _line_rule(lines[0], rules) if len(lines) == 1 else None
        if rule == "end":
            changed = True
            if substantive:
                break
            continue  # a marker before any article text is page furniture
        if rule == "teaser" and substantive:
            # the first teaser (title line(s), optional blurb, "Read More") starts the sidebar
            def title_like(q: str) -> bool:
                return not _is_sentence(q) and len(q.split()) <= 25 and "\n" not in q

            if len(kept) >= 2 and _is_sentence(kept[-1]) and title_like(kept[-2]):
                kept.pop()
            dropped = 0
            while kept and dropped < 2 and title_like(kept[-1]):
                kept.pop()
                dropped += 1
            changed = True
            break
        if rule in ("drop", "teaser"):
            changed = True
            continue
        if len(lines) > 1:
            good = [ln for ln in lines if _line_rule(ln, rules) is None]
            if len(good) != len(lines):
                changed = True
            if not good:
                continue
            p = "\n".join(good)
        kept.append(p)
        if _is_sentence(p) and len(p.split()) >= 8:
            substantive += 1
    if changed:
        while len(kept) > 1 and _is_furniture(kept[-1], rules):
            kept.pop()
    return kept, changed


def _standfirst(paras: list[str], headline: str | None) -> bool:
    """Whether the first paragraph is a standfirst: one line, 6-60 words, no final punctuation,
    sharing at least two content words with the headline, with more body after it."""
    if not headline or len(paras) < 2:
        return False
    p = _norm(paras[0])
    if "\n" in paras[0] or _is_sentence(p) or not 6 <= len(p.split()) <= 60:
        return False
    hw = {w.lower() for w in _WORD.findall(headline) if len(w) > 3}
    pw = {w.lower() for w in _WORD.findall(p) if len(w) > 3}
    return len(hw & pw) >= 2


def _meta_line(line: str, rules: dict[str, Any]) -> dict[str, str] | None:
    """Parse a byline/dateline/reading-time line; ``None`` when the line is anything else.

    Byline patterns are case-sensitive on the name (capitalised words) but not on "By"."""
    s = _norm(line)
    if not s or len(s) > 160 or "\n" in line.strip():
        return None
    found: dict[str, str] = {}
    for part in re.split(r"\s+[|•·–—-]\s+|\s*\|\s*", s):
        part = part.strip()
        if not part:
            continue
        m = next((m for rx in rules["_byline"] if (m := rx.match(part))), None)
        if m and _byline_name_ok(m.group("author")):
            found.setdefault("author", m.group("author").strip())
            continue
        m = next((m for rx in rules["_dateline"] if (m := rx.match(part))), None)
        if m:
            day = _to_day(m.group("date"))
            if day:
                # an "Updated …" line is furniture too, but not the publication date
                key = "updated" if re.match(r"(last\s+)?updated", part, re.IGNORECASE) else "published"
                found.setdefault(key, day)
                continue
        if any(rx.match(part) for rx in rules["_readtime"]):
            found.setdefault("read_time", part)
            continue
        return None
    return found or None


def _byline_name_ok(name: str) -> bool:
    """Every name word starts upper-case (except particles); at most 12 words."""
    words = [w for w in re.split(r"[\s,&]+", name) if w and w.lower() not in ("and", "de", "van", "von", "al", "bin", "ul")]
    return 0 < len(words) <= 12 and all(w[:1].isupper() for w in words)


def _leading_meta(paras: list[str], rules: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """Remove byline/dateline/reading-time paragraphs among the first three paragraphs."""
    found: dict[str, str] = {}
    kept: list[str] = []
    for i, p in enumerate(paras):
        meta = _meta_line(p, rules) if i < 3 else None
        if meta:
            for k, v in meta.items():
                found.setdefault(k, v)
        else:
            kept.append(p)
    return kept, found


def dateline_date(text: str | None) -> str | None:
    """The date of a news dateline opening ``text`` ("ISLAMABAD, Nov 20, 2025 (Reuters) - …",
    the patterns in ``boilerplate.json``), as ``YYYY-MM-DD``; None when the text does not open
    with one or its date has no year."""
    if not text:
        return None
    head = text.lstrip()[:300]
    for rx in load_rules()["_news_dateline"]:
        m = rx.match(head)
        if m:
            return _to_day(m.group("date"))
    return None


def clean_text(text: str, title: str | None = None) -> dict[str, str | None]:
    """Clean a plain-text page: split off the headline, drop teasers and site furniture.

    When no boilerplate rule fires, ``text`` is the input unchanged apart from the headline
    line being split off (see :func:`split_headline`). When the page shows furniture (an
    end-of-article marker, teaser links, "Also See:" lines …) the body is rebuilt from the kept
    paragraphs joined by blank lines, and a summary line right under the headline (a standfirst
    without final punctuation that repeats headline words) moves to ``description``. Byline,
    dateline and reading-time lines among the first paragraphs ("By Jane Roe | December 24,
    2024", "5 min read") count as furniture: they leave the body and fill ``author`` and
    ``published``.

    Empty or whitespace-only text is returned as is (the caller decides it is an error).

    :param text: the page text.
    :param title: a known title; the first line is split off when it equals it.
    :returns: ``{"title", "text", "description", "author", "published"}``; ``title`` is the
        given title, else the headline found, else ``None``; ``author``/``published``
        (``YYYY-MM-DD``) come from byline/dateline lines at the top, else ``None``.
    """
    if text is None or not text.strip():
        return {"title": title or None, "text": text or "", "description": None, "author": None,
                "published": None}
    headline, rest = split_headline(text, title)
    rules = load_rules()
    paras = _paragraphs(rest)
    paras, found = _leading_meta(paras, rules)
    kept, changed = _strip_boilerplate(paras, rules)
    changed = changed or bool(found)
    description = None
    if changed:
        if _standfirst(kept, headline or title):
            description = _norm(kept.pop(0))
        body = "\n\n".join(kept)
    else:
        body = rest
    return {"title": title or headline, "text": body, "description": description,
            "author": _join_names([found["author"]]) if found.get("author") else None,
            "published": found.get("published")}


# ---------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------

def _decode(data: str | bytes) -> str:
    """Bytes to text: BOM / declared charset / UTF-8, else charset-normalizer's guess."""
    if isinstance(data, str):
        return data
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    head = data[:4096].decode("ascii", errors="ignore")
    m = re.search(r"""charset=["']?([\w-]+)""", head, re.IGNORECASE)
    if m:
        try:
            return data.decode(m.group(1), errors="replace")
        except LookupError:
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            from charset_normalizer import from_bytes

            best = from_bytes(data).best()
            if best is not None:
                return str(best)
        except ImportError:  # pragma: no cover
            pass
        return data.decode("latin-1")


def _parse(html: str):
    """Parse HTML with lxml; ``None`` when there is nothing parseable."""
    import lxml.html
    from lxml import etree

    html = html.replace("\x00", "")
    # lxml refuses str input with an encoding declaration
    html = re.sub(r"^\s*<\?xml[^>]*\?>", "", html)
    if not html.strip():
        return None
    try:
        return lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return None


def _jsonld_objects(tree) -> list[dict]:
    """All dict objects in the page's JSON-LD blocks (``@graph`` and lists flattened)."""
    out: list[dict] = []
    for raw in tree.xpath('//script[@type="application/ld+json"]/text()'):
        raw = raw.strip()
        if raw.startswith("<!--"):
            raw = raw[4:].rsplit("-->", 1)[0]
        try:
            data = json.loads(raw, strict=False)
        except ValueError:
            continue
        stack: list[Any] = [data]
        while stack and len(out) < 200:
            x = stack.pop(0)
            if isinstance(x, list):
                stack.extend(x)
            elif isinstance(x, dict):
                out.append(x)
                for key in ("@graph", "mainEntity"):
                    if isinstance(x.get(key), (list, dict)):
                        stack.append(x[key])
    return out


def _types(obj: dict) -> list[str]:
    t = obj.get("@type")
    if isinstance(t, str):
        return [t]
    if isinstance(t, list):
        return [str(x) for x in t]
    return []


#: Typographic quotes written as numeric entities in JSON-LD are WordPress's "texturize" output
#: for ASCII quotes the author typed (its og:title keeps them ASCII): restore the ASCII quote.
_WP_QUOTES = re.compile(r"&#(8216|8217|8220|8221|x2018|x2019|x201[cC]|x201[dD]);")


def _wp_quote(m: re.Match) -> str:
    code = m.group(1).lower()
    return "'" if code in ("8216", "8217", "x2018", "x2019") else '"'


def _ld_text(v: Any) -> str | None:
    """A JSON-LD value as clean text (first item of a list, ``name`` of an object)."""
    if isinstance(v, list):
        v = v[0] if v else None
    if isinstance(v, dict):
        v = v.get("name") or v.get("@value")
    if not isinstance(v, str):
        return None
    s = _norm(html_lib.unescape(_WP_QUOTES.sub(_wp_quote, v)))
    return s or None


def _ld_authors(v: Any) -> list[str]:
    items = v if isinstance(v, list) else [v]
    names = []
    for it in items:
        name = _ld_text(it)
        if name and name not in names and not name.startswith("http"):
            names.append(name)
    return names


def _meta(tree) -> dict[str, str]:
    """``<meta>`` tags by lower-cased property/name/itemprop (first occurrence wins)."""
    out: dict[str, str] = {}
    for el in tree.xpath("//meta"):
        content = el.get("content")
        if content is None:
            continue
        for attr in ("property", "name", "itemprop"):
            key = el.get(attr)
            if key:
                out.setdefault(key.strip().lower(), _norm(html_lib.unescape(content)))
    for el in tree.xpath("//time[@itemprop='datePublished'][@datetime]"):
        out.setdefault("datepublished", el.get("datetime"))
    return out


def _to_day(value: str | None) -> str | None:
    """An ISO-like date string to ``YYYY-MM-DD`` in the timezone it was written in."""
    if not value:
        return None
    m = _ISO_DATE.search(value)
    if not m:
        try:
            from dateutil import parser as dparser

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                d = dparser.parse(value, fuzzy=False).date()
        except (ValueError, OverflowError, ImportError):
            return None
    else:
        try:
            d = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
    if not 1990 <= d.year <= datetime.now().year + _MAX_YEAR_AHEAD:
        return None
    return d.isoformat()


def _site_names(meta: dict[str, str], ld_site: str | None, url: str | None) -> list[str]:
    names = [n for n in (meta.get("og:site_name"), ld_site, meta.get("application-name")) if n]
    host = urlsplit(url).hostname if url else None
    if host:
        host = host.lower().removeprefix("www.")
        names.append(host)
        names.append(host.split(".")[0])
    return names


def _host(url: str | None) -> str | None:
    """Host name without ``www.``, the outlet of last resort."""
    host = urlsplit(url).hostname if url else None
    return host.removeprefix("www.") if host else None


def _simple(s: str) -> str:
    return re.sub(r"[^a-z0-9]", "", s.lower())


def strip_site_suffix(title: str, sites: Iterable[str] = ()) -> str:
    """Remove trailing (or leading) " | Site Name" segments from a page title.

    A segment goes when it matches a known site name or host name, looks like a domain, or is a
    "by Author" credit; a short capitalised section label ("National") just before a removed
    site segment goes too. Separators come from ``boilerplate.json``.
    """
    seps = load_rules()["title_separators"]
    keys = {_simple(s) for s in sites if s and len(_simple(s)) >= 3}
    pattern = "|".join(re.escape(s) for s in seps)
    parts = re.split(f"({pattern})", title)
    # pairs of (separator before the segment, segment); the first has no separator
    segs: list[tuple[str, str]] = [("", parts[0])] + list(zip(parts[1::2], parts[2::2]))
    if len(segs) < 2:
        return _norm(title)

    def is_site(seg: str) -> bool:
        k = _simple(seg)
        if not k:
            return True
        if any(k == s or (len(s) >= 5 and (s in k or k in s) and len(seg.split()) <= 5) for s in keys):
            return True
        if re.fullmatch(r"[\w.-]+\.(com|net|org|co|uk|ca|au|in|za|news|tv|io|info|de|fr)(\.\w\w)?",
                        seg.strip(), re.IGNORECASE):
            return True
        return bool(re.match(r"^\s*by\s+[A-Z]", seg)) and len(seg.split()) <= 5

    removed = False
    while len(segs) > 1 and is_site(segs[-1][1]):
        segs.pop()
        removed = True
    while len(segs) > 1 and is_site(segs[0][1]):
        segs.pop(0)
        segs[0] = ("", segs[0][1])
        removed = True
    if not removed:
        return _norm(title)
    if len(segs) > 1:
        last = segs[-1][1].strip()
        rest_words = len(" ".join(s for _, s in segs[:-1]).split())
        if len(last.split()) <= 2 and last[:1].isupper() and rest_words >= 4:
            segs.pop()
    return _norm("".join(sep + seg for sep, seg in segs))


def _similar(a: str, b: str) -> float:
    """Share of ``a``'s words found in ``b`` (case-insensitive)."""
    wa = [w.lower() for w in _WORD.findall(a)]
    wb = {w.lower() for w in _WORD.findall(b)}
    if not wa:
        return 0.0
    return sum(1 for w in wa if w in wb) / len(wa)


def _choose_title(ld_headline: str | None, h1s: list[str], meta: dict[str, str],
                  page_title: str | None, sites: list[str]) -> str | None:
    """Title rule. The JSON-LD article headline, og:title and twitter:title (site suffix removed)
    are the declared headlines; when the JSON-LD headline and og:title disagree, the one the
    page prints in its ``<h1>`` wins, else the JSON-LD headline. Without declared headlines: the
    ``<h1>`` that agrees with ``<title>``, then ``<title>`` minus its site suffix, then the first
    ``<h1>``."""
    social = None
    for key in ("og:title", "twitter:title"):
        if meta.get(key):
            social = strip_site_suffix(meta[key], sites) or None
            if social:
                break
    refs = [t for t in (meta.get("og:title"), meta.get("twitter:title"), page_title) if t]
    shown = next((h for h in h1s if 2 <= len(h.split()) <= 40 and any(_similar(h, r) >= 0.6 for r in refs)),
                 None)
    if ld_headline and social and ld_headline != social and shown in (ld_headline, social):
        return shown
    if ld_headline or social:
        return ld_headline or social
    if shown:
        return shown
    if page_title:
        t = strip_site_suffix(page_title, sites)
        if t:
            return t
    return h1s[0] if h1s else None


def _page_metadata(tree, url: str | None) -> dict[str, Any]:
    """Metadata the page declares: JSON-LD, meta tags, h1, canonical link, html lang."""
    meta = _meta(tree)
    objs = _jsonld_objects(tree)
    art: dict[str, Any] = {}
    for obj in objs:
        ts = _types(obj)
        if any(_ARTICLE_TYPES.search(t) and t != "WebPage" for t in ts) and (obj.get("headline") or obj.get("datePublished")):
            art = obj
            break
    if not art:
        for obj in objs:
            if any(t == "WebPage" for t in _types(obj)) and obj.get("datePublished"):
                art = obj
                break
    ld_site = None
    pub = art.get("publisher") if art else None
    if isinstance(pub, (dict, list)):
        ld_site = _ld_text(pub)
    if not ld_site:
        for obj in objs:
            if "WebSite" in _types(obj) or "NewsMediaOrganization" in _types(obj):
                ld_site = _ld_text(obj.get("name"))
                if ld_site:
                    break
    h1s = [_norm(h.text_content()) for h in tree.xpath("//h1")[:5]]
    h1s = [h for h in h1s if h]
    titles = tree.xpath("//head/title") or tree.xpath("//title")
    page_title = _norm(titles[0].text_content()) if titles else None
    canonical = None
    for href in tree.xpath("//link[@rel='canonical']/@href") + [meta.get("og:url", "")]:
        href = (href or "").strip()
        if href and not href.startswith(("javascript:", "data:")):
            canonical = urljoin(url, href) if url else href
            if canonical.startswith(("http://", "https://")):
                break
            canonical = None
    lang = (tree.get("lang") or tree.get("xml:lang") or meta.get("og:locale") or
            meta.get("content-language") or (_ld_text(art.get("inLanguage")) if art else None) or "")
    m = re.match(r"([a-zA-Z]{2})(?:[-_]|$)", lang.strip())
    sites = _site_names(meta, ld_site, canonical or url)
    ld_headline = _ld_text(art.get("headline")) if art else None
    if ld_headline and len(ld_headline) > 300:
        ld_headline = None
    return {
        "h1": h1s[0] if h1s else None,
        "title": _choose_title(ld_headline, h1s, meta, page_title, sites),
        "published": _to_day(_ld_text(art.get("datePublished")) if art else None)
        or next((d for d in (_to_day(meta.get(k)) for k in _DATE_META) if d), None),
        "author": _author(art, meta, tree),
        "outlet": meta.get("og:site_name") or ld_site,
        "language": m.group(1).lower() if m else None,
        "url": canonical,
        "description": meta.get("og:description") or meta.get("description") or meta.get("twitter:description")
        or (_ld_text(art.get("description")) if art else None),
    }


def _author(art: dict, meta: dict[str, str], tree) -> str | None:
    """Authors, ``"; "``-joined: JSON-LD ``author`` names, else author meta tags, else the page's
    ``rel=author`` / ``itemprop=author`` byline."""
    names = _ld_authors(art.get("author")) if art and art.get("author") else []
    if not names:
        for key in ("author", "article:author", "parsely-author", "sailthru.author", "dc.creator", "byl"):
            val = meta.get(key)
            if val and not val.startswith("http"):
                names = [re.sub(r"^by\s+", "", val, flags=re.IGNORECASE)]
                break
    if not names:
        for el in tree.xpath("//*[@itemprop='author']//*[@itemprop='name'] | //a[@rel='author'] | "
                             "//*[@itemprop='author'][not(.//*[@itemprop='name'])]")[:5]:
            name = _norm(el.get("content") or el.text_content())
            name = re.sub(r"^by\s+", "", name, flags=re.IGNORECASE)
            if name and len(name.split()) <= 6 and name not in names:
                names.append(name)
    return _join_names(names)


def _join_names(names: Iterable[str]) -> str | None:
    """``"; "``-join author names, splitting "A and B" / "A, B & C" when every part is a full name."""
    split: list[str] = []
    for name in names:
        parts = [p.strip() for p in re.split(r",\s*|\s+and\s+|\s*&\s*", name) if p.strip()]
        for p in parts if len(parts) > 1 and all(len(p.split()) >= 2 for p in parts) else [name]:
            if p not in split:
                split.append(p)
    return "; ".join(split) or None


def _htmldate(tree, url: str | None) -> str | None:
    try:
        from htmldate import find_date

        found = find_date(tree, url=url, original_date=True, extensive_search=True,
                          outputformat="%Y-%m-%d")
    except Exception:  # noqa: BLE001 - htmldate raises many types on odd trees; no date is not an error
        return None
    return _to_day(found) if found else None


def _clean_body_lines(text: str, rules: dict[str, Any]) -> str:
    """Drop single furniture lines (e.g. "Read more: …", "Advertisement") from an extracted body."""
    out = []
    for line in text.split("\n"):
        if not line.strip():
            continue
        if _line_rule(line, rules) in ("drop", "teaser"):
            continue
        out.append(line.strip())
    return "\n\n".join(out)


def _drop_title_line(body: str, titles: list[str | None]) -> str:
    """Remove a leading paragraph that repeats the headline (the title is a separate field)."""
    first, _, rest = body.partition("\n\n")
    keys = {_simple(t) for t in titles if t}
    if rest and _simple(first) in keys:
        return rest
    return body


def clean_html(html: str | bytes, url: str | None = None) -> dict[str, str | None]:
    """Extract the article from a saved HTML page.

    The body comes from trafilatura (comments excluded, run without its metadata step); title,
    date, author, outlet, canonical URL and description come from what the page declares
    (JSON-LD article, Open Graph and ``<meta>`` tags, ``<h1>``), the date failing that from
    htmldate's guess, the outlet failing that from the URL's host. Dates are the day as written
    on the page (its own timezone).

    :param html: the page, as text or bytes (charset from BOM/declaration, else UTF-8/guessed).
    :param url: where the page came from; used when no canonical URL is declared.
    :returns: ``{"title", "text", "published", "author", "outlet", "language", "url", "description"}``.
    :raises ValueError: when the input is empty, not HTML, or has no extractable body.
    """
    import trafilatura

    if html is None:
        raise ValueError("empty HTML input")
    doc = _decode(html)
    if not doc.strip():
        raise ValueError("empty HTML input")
    tree = _parse(doc)
    if tree is None:
        raise ValueError("malformed HTML: nothing could be parsed")
    meta = _page_metadata(tree, url)
    try:
        res = trafilatura.bare_extraction(doc, url=url, with_metadata=False, include_comments=False,
                                          include_tables=True, as_dict=True)
    except Exception as exc:  # trafilatura surfaces lxml errors on broken markup
        raise ValueError(f"malformed HTML: {exc}") from exc
    res = res or {}
    body = _clean_body_lines(res.get("text") or "", load_rules())
    title = meta["title"] or None
    body = _drop_title_line(body, [title, meta.get("h1")])
    if not body.strip():
        raise ValueError("no extractable article body in the HTML page")
    published = meta["published"] or _htmldate(tree, url)
    return {
        "title": title,
        "text": body,
        "published": published,
        "author": meta["author"] or None,
        "outlet": meta["outlet"] or _host(meta["url"] or url),
        "language": meta["language"] or detect_language(body),
        "url": meta["url"] or url,
        "description": meta["description"] or None,
    }
