"""Escaping in one place: full-text queries, Markdown and plotly text.

Article text and entity names come from the web and are hostile until proven otherwise. Pages
never hand them to ``st.markdown`` or to a plotly figure without going through this module, and
user search input reaches SQLite FTS5 only through :func:`fts_query`.

- :func:`fts_query` turns anything a user types into an FTS5 query that means "all these words
  or phrases", or ``None`` when nothing searchable is left.
- :func:`escape_markdown` makes text render literally in ``st.markdown`` (no links, images,
  emphasis, headings, colour directives, math, HTML).
- :func:`escape_text` makes text render literally in plotly hover text, titles and tick labels,
  which accept a subset of HTML.
"""
from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: Longest search input considered, in characters; the rest is ignored.
MAX_QUERY_CHARS = 256
#: Most terms (words or quoted phrases) kept in one search.
MAX_QUERY_TERMS = 16

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")
_TERM = re.compile(r'"([^"]*)"|(\S+)')
_WORD = re.compile(r"\w", re.UNICODE)
# Every ASCII punctuation character may be backslash-escaped in CommonMark; escaping all of them
# disables links, images, emphasis, code, headings, lists, tables, HTML, Streamlit's
# ``:color[...]``/``:material/...:`` directives and ``$`` math at once.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~:$&\"'=^%@;,/?])")


# GitHub-flavoured Markdown turns bare URLs, ``www.`` names and e-mail addresses in *text* into
# links (Streamlit's renderer finds them after escapes are undone), so a word joiner (U+2060,
# invisible) goes after the scheme or ``www`` and after ``@``: nothing is left to autolink.
_AUTOLINK = re.compile(r"(?i)\b(https?|ftp|mailto|xmpp|www)(?=[:.])")


def break_autolinks(text: str) -> str:
    """``text`` with an invisible word joiner where a Markdown renderer would see a bare URL
    (``http://``, ``www.``) or an e-mail address, so none becomes a live link."""
    return _AUTOLINK.sub("\\1\u2060", text).replace("@", "@\u2060")


def clean_control(text: str) -> str:
    """Remove NUL, control, bidi-override and zero-width characters (newlines and tabs stay)."""
    return _CONTROL.sub("", text)


def fts_query(user_input: str | None, *, prefix: bool = True) -> str | None:
    """Turn free user input into a safe FTS5 MATCH expression.

    Every whitespace-separated word, or ``"quoted phrase"``, becomes one double-quoted FTS5
    string, so FTS5 operators (``AND``/``OR``/``NOT``/``NEAR(``), column filters (``title:x``),
    ``^``, ``-x``, parentheses and stray quotes lose their meaning; terms are ANDed. A trailing
    ``*`` on a word of at least two word characters is kept as a prefix search when ``prefix``.

    :param user_input: anything, including ``None``, NUL bytes and very long strings.
    :returns: the MATCH expression, or ``None`` when nothing searchable remains (the caller then
        skips full-text search instead of sending an empty or invalid query).
    """
    if not user_input:
        return None
    text = unicodedata.normalize("NFKC", str(user_input))
    text = clean_control(text.replace("\x00", " "))[:MAX_QUERY_CHARS]
    terms: list[str] = []
    for m in _TERM.finditer(text):
        raw = m.group(1) if m.group(1) is not None else m.group(2)
        star = False
        if m.group(2) is not None and prefix and raw.endswith("*"):
            core = raw.rstrip("*")
            star = len(_WORD.findall(core)) >= 2 and bool(_WORD.match(core[-1:] or " "))
            raw = core
        if not _WORD.search(raw):
            continue  # only punctuation: nothing FTS could match
        term = '"' + raw.replace('"', '""') + '"'
        terms.append(term + ("*" if star else ""))
        if len(terms) >= MAX_QUERY_TERMS:
            break
    return " ".join(terms) or None


def escape_markdown(text: object, *, max_chars: int | None = None) -> str:
    """Make ``text`` render literally in ``st.markdown`` (never as Markdown, HTML or directives).

    Backslash-escapes every ASCII punctuation character, removes control characters, strips
    leading indentation (which would start a code block) and keeps paragraph breaks.

    :param max_chars: cut the text to this many characters first (an ellipsis marks the cut).
    """
    if text is None:
        return ""
    s = clean_control(str(text)).replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    if max_chars is not None and len(s) > max_chars:
        s = s[:max_chars].rstrip() + "…"
    return _paragraphs(_MD_SPECIAL.sub(r"\\\1", break_autolinks(s)))


def _paragraphs(escaped: str) -> str:
    """Markdown layout of already-escaped text: blank lines separate paragraphs, single newlines
    become hard breaks, leading indentation (a code block) is dropped."""
    paragraphs = re.split(r"\n\s*\n", escaped)
    out = []
    for para in paragraphs:
        lines = [line.strip() for line in para.split("\n")]
        lines = [line for line in lines if line]
        if lines:
            # A single newline is a soft break in Markdown; keep the author's line as a hard break.
            out.append("  \n".join(lines))
    return "\n\n".join(out)


def escape_text(text: object, *, max_chars: int | None = None, wrap: int | None = None) -> str:
    """Make ``text`` render literally in plotly hover text, titles and labels.

    Plotly interprets ``<b>``, ``<br>``, ``<a href>`` and entities in these strings, so the text
    is HTML-escaped; newlines become ``<br>`` (our own markup). ``wrap`` inserts ``<br>`` line
    breaks at word boundaries every ``wrap`` characters, for long evidence sentences.
    """
    if text is None:
        return ""
    s = clean_control(str(text)).replace("\r", "")
    if max_chars is not None and len(s) > max_chars:
        s = s[:max_chars].rstrip() + "…"
    lines = []
    for para in s.split("\n"):
        if wrap:
            lines.extend(_wrap(para, wrap))
        else:
            lines.append(para)
    return "<br>".join(html.escape(line, quote=True) for line in lines)


def _wrap(text: str, width: int) -> list[str]:
    out, cur = [], ""
    for word in text.split(" "):
        if cur and len(cur) + 1 + len(word) > width:
            out.append(cur)
            cur = word
        else:
            cur = f"{cur} {word}" if cur else word
    out.append(cur)
    return out


def safe_url(url: object) -> str | None:
    """Return ``url`` when it is an absolute http(s) URL without control characters or spaces,
    else ``None``; only such URLs may become links (``javascript:`` and ``data:`` never do)."""
    if not isinstance(url, str):
        return None
    u = url.strip()
    if not re.match(r"(?i)^https?://[^\s/?#]+", u) or _CONTROL.search(u) or re.search(r"[\s<>\"']", u):
        return None
    return u


def highlight_markdown(text: object, spans: Iterable[tuple[int, int]], *,
                       max_chars: int | None = None) -> str:
    """Markdown for ``text`` with the character ranges ``spans`` in bold, all text escaped.

    Spans outside the text, overlapping an earlier span, crossing a line break or holding no
    word character are left plain. The bold markers are the only Markdown in the result.
    """
    if text is None:
        return ""
    s = str(text).replace("\r\n", "\n").replace("\r", "\n")
    if max_chars is not None and len(s) > max_chars:
        s = s[:max_chars]
    parts: list[str] = []
    pos = 0
    for start, end in sorted({(int(a), int(b)) for a, b in spans}):
        if start < pos or start >= end or end > len(s):
            continue
        inner = s[start:end]
        if "\n" in inner or not _WORD.search(inner) or inner != inner.strip():
            continue
        parts.append(_escape_inline(s[pos:start]))
        parts.append("**" + _escape_inline(inner) + "**")
        pos = end
    parts.append(_escape_inline(s[pos:]))
    out = _paragraphs("".join(parts))
    if max_chars is not None and len(str(text)) > max_chars:
        out += "…"
    return out


def _escape_inline(s: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", break_autolinks(clean_control(s).replace("\t", " ")))


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """Neutralise spreadsheet formulas in one CSV cell (OWASP "CSV injection"): text starting
    with ``= + - @``, a tab or a carriage return gets a leading apostrophe, so Excel or LibreOffice
    shows it instead of evaluating ``=HYPERLINK(...)`` from an article title. Other values pass."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_bytes(df: pd.DataFrame) -> bytes:
    """A DataFrame as UTF-8 CSV bytes with every text cell passed through :func:`csv_cell`."""
    from pandas.api.types import is_numeric_dtype

    out = df.copy()
    for col in out.columns:
        if not is_numeric_dtype(out[col]):
            out[col] = out[col].map(csv_cell)
    return out.to_csv(index=False).encode("utf-8")
