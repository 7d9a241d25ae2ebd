"""Escaping helpers, tested with tables of hostile input (datasette's test_fts style)."""
from __future__ import annotations

import re

import pytest

from analysis.views import safe
from analysis import store

HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "</script><script>alert(1)</script>",
    "[x](javascript:alert(1))",
    "![img](http://evil.example/x.png)",
    "<https://evil.example>",
    ":red[boom] :material/home: $x^2$",
    "# Heading\n- list\n> quote\n    code",
    "**bold** _it_ `code` ~~del~~ | a | b |",
    "&lt;script&gt;",
]


@pytest.mark.parametrize("user_input,expected", [
    ("Kabul", '"Kabul"'),
    ("Modi's", '"Modi\'s"'),
    ("U.S.-China", '"U.S.-China"'),
    ("NEAR(a b)", '"NEAR(a" "b)"'),
    ("-x", '"-x"'),
    ("title:x", '"title:x"'),
    ('a"b', '"a""b"'),
    ('"border security" Kabul', '"border security" "Kabul"'),
    ("Sadi*", '"Sadi"*'),
    ("S*", '"S"'),
    ("a OR b", '"a" "OR" "b"'),
    ("\x00Kabul\x01\u202e", '"Kabul"'),
    ("", None),
    ("   ", None),
    ("\x00", None),
    ("*", None),
    ("( ) ^ - : \"", None),
    (None, None),
])
def test_fts_query_table(user_input, expected):
    assert safe.fts_query(user_input) == expected


def test_fts_query_caps_length_and_terms():
    assert len(safe.fts_query("x" * 10_000)) <= safe.MAX_QUERY_CHARS + 2
    q = safe.fts_query(" ".join(f"w{i}" for i in range(100)))
    assert q.count('"') == 2 * safe.MAX_QUERY_TERMS


@pytest.mark.parametrize("user_input", [
    "Modi's", "U.S.-China", "NEAR(", "NEAR(a b", "*", "-x", "title:x", "text:x", '"', '"""',
    "a AND", "AND", "NOT x", "(", ")", "^x", "x:", "{title text}: x", "\x00", "a\x00b", "'",
    "x" * 3000, "🙂", "Ñoño*", "' OR 1=1 --", "\\", "+", "a NEAR/2 b", *HOSTILE,
])
def test_fts_query_never_raises_in_sqlite(user_input):
    db = store.memory_db()
    db["articles"].insert({"text": "Sadiq met Haqqani in Kabul", "title": "t", "content_hash": "h"})
    q = safe.fts_query(user_input)
    if q is not None:
        db.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?", [q]).fetchall()


def test_fts_query_matches_what_was_meant():
    db = store.memory_db()
    db["articles"].insert({"text": "Sadiq met Haqqani in Kabul on border security", "title": "U.S.-China",
                           "content_hash": "h"})

    def hits(q):
        return db.execute("SELECT COUNT(*) FROM articles_fts WHERE articles_fts MATCH ?",
                          [safe.fts_query(q)]).fetchone()[0]

    assert hits("kabul sadiq") == 1
    assert hits("Haqq*") == 1
    assert hits("U.S.-China") == 1
    assert hits('"security border"') == 0  # a phrase keeps its order
    assert hits("title:kabul") == 0  # not a column filter: the literal words "title kabul"


@pytest.mark.parametrize("payload", HOSTILE)
def test_escape_markdown_leaves_no_markdown(payload):
    out = safe.escape_markdown(payload)
    # every ASCII punctuation character is escaped, so no link/image/HTML/directive can form
    unescaped = re.sub(r"\\[!-/:-@\[-`{-~]", "", out)
    assert not re.search(r"[!-/:-@\[-`{-~]", unescaped.replace("  \n", "").replace("\n", "")), out
    assert "<" not in out.replace("\\<", "")
    assert "](" not in out


def test_escape_markdown_keeps_paragraphs_and_drops_control():
    assert safe.escape_markdown("a\n\n  b\nc\x00") == "a\n\nb  \nc"
    assert safe.escape_markdown(None) == ""
    assert safe.escape_markdown("abcdef", max_chars=3) == "abc…"


@pytest.mark.parametrize("payload", HOSTILE)
def test_escape_text_for_plotly(payload):
    out = safe.escape_text(payload)
    assert "<" not in out.replace("<br>", "") and ">" not in out.replace("<br>", "")
    assert safe.escape_text("<b>x</b>") == "&lt;b&gt;x&lt;/b&gt;"
    assert safe.escape_text("a\nb") == "a<br>b"
    assert safe.escape_text("one two three four", wrap=8) == "one two<br>three<br>four"


def test_highlight_markdown():
    text = "Sadiq <img src=x onerror=alert(1)> met [Haqqani](javascript:alert(1)).\n\nKabul"
    h, k = text.find("Haqqani"), text.find("Kabul")
    out = safe.highlight_markdown(text, [(0, 5), (h, h + 7), (h + 2, h + 5), (k, k + 99), (k, k + 5)])
    assert out.startswith("**Sadiq** \\<img src\\=x onerror\\=alert\\(1\\)\\>")
    assert "**Haqqani**" in out and "](" not in out and "<img" not in out.replace("\\<", "")
    assert out.endswith("**Kabul**")
    # overlapping and out-of-range spans are ignored rather than corrupting the text
    assert out.count("**") == 6


@pytest.mark.parametrize("url,ok", [
    ("https://example.org/a?b=1", True), ("http://x.y", True), ("javascript:alert(1)", False),
    ("JAVASCRIPT:alert(1)", False), ("data:text/html,<script>", False), ("//evil.example", False),
    ("https://x.y/<script>", False), ("https://x.y/a b", False), (None, False), ("", False),
    ("ftp://x.y", False), ("https://", False),
])
def test_safe_url(url, ok):
    assert (safe.safe_url(url) is not None) == ok


@pytest.mark.parametrize("cell,expected", [
    ("=HYPERLINK(\"http://evil\",\"x\")", "'=HYPERLINK(\"http://evil\",\"x\")"),
    ("+1", "'+1"), ("-x", "'-x"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("Kabul", "Kabul"), ("", ""), (None, None), (-3, -3), (2.5, 2.5),
])
def test_csv_cell(cell, expected):
    assert safe.csv_cell(cell) == expected


def test_csv_bytes():
    import pandas as pd

    data = safe.csv_bytes(pd.DataFrame({"title": ["=cmd|' /C calc'!A0", "ok"], "n": [-1, 2]}))
    assert data.decode().splitlines() == ["title,n", "'=cmd|' /C calc'!A0,-1", "ok,2"]
