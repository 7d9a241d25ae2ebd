"""Tests for analysis.ingest.cleaning: HTML pages, plain-text pages, language guess."""
from __future__ import annotations

import json

import pytest

from analysis.ingest.cleaning import (
    clean_html,
    clean_text,
    detect_language,
    marker_rule,
    split_headline,
    strip_site_suffix,
)
from tests.conftest import shared_path

BODY = (
    "<p>The foreign minister arrived in Islamabad on Tuesday for two days of talks on trade, "
    "border security and the reopening of transit routes between the two countries.</p>"
    "<p>Officials said the delegation would also meet the prime minister and members of the "
    "parliamentary committee on foreign affairs before returning home on Thursday evening.</p>"
    "<p>Analysts said the visit signalled a thaw after months of strained relations, although "
    "several disputes over refugees and tariffs remain unresolved for now.</p>"
)


def page(head: str = "", body: str = BODY, extra: str = "") -> str:
    """A small article page; ``head`` goes into <head>, ``extra`` after the article."""
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>{head}</head><body>"
            f"<nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
            f"<article>{body}</article>{extra}<footer>Copyright Example Media</footer></body></html>")


# --- clean_html ---------------------------------------------------------------------------

def test_html_title_suffix_stripped_from_title_tag():
    r = clean_html(page("<title>Minister visits Islamabad for trade talks | Example Times</title>"
                        "<meta property='og:site_name' content='Example Times'>"))
    assert r["title"] == "Minister visits Islamabad for trade talks"
    assert r["outlet"] == "Example Times"


@pytest.mark.parametrize("raw,site,expected", [
    ("Talks resume in Kabul - The Daily Example", "The Daily Example", "Talks resume in Kabul"),
    ("Talks resume in Kabul | example.com", "", "Talks resume in Kabul"),
    ("Talks resume in Kabul | Example News | by Jane Roe", "Example News", "Talks resume in Kabul"),
    ("Example News - Talks resume in Kabul", "Example News", "Talks resume in Kabul"),
    # a dash inside the headline is not a site suffix
    ("Talks resume - then stall again over tariffs", "Example News", "Talks resume - then stall again over tariffs"),
])
def test_strip_site_suffix(raw, site, expected):
    assert strip_site_suffix(raw, [site]) == expected


def test_html_og_title_preferred_over_suffixed_title():
    head = ("<title>Minister visits Islamabad - World - Example Times</title>"
            "<meta property='og:title' content='Minister visits Islamabad for trade talks'>")
    assert clean_html(page(head))["title"] == "Minister visits Islamabad for trade talks"


def test_html_jsonld_headline_date_author():
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Envoy&#8217;s visit to Kabul",
          "datePublished": "2024-12-23T22:15:00+05:00", "author": [{"@type": "Person", "name": "A. Writer"},
                                                                     {"@type": "Person", "name": "B. Reporter"}],
          "publisher": {"@type": "Organization", "name": "Example Wire"}}
    head = (f"<title>Something else entirely | Example Wire</title>"
            f"<script type='application/ld+json'>{json.dumps(ld)}</script>")
    r = clean_html(page(head))
    assert r["title"] == "Envoy's visit to Kabul"
    # the day as written on the page, not converted to UTC
    assert r["published"] == "2024-12-23"
    assert r["author"] == "A. Writer; B. Reporter"
    assert r["outlet"] == "Example Wire"


def test_html_jsonld_in_graph_and_meta_date_fallback():
    ld = {"@context": "https://schema.org", "@graph": [{"@type": "WebSite", "name": "Example Site"},
                                                       {"@type": "Article", "headline": "Graph headline"}]}
    head = (f"<script type='application/ld+json'>{json.dumps(ld)}</script>"
            "<meta property='article:published_time' content='2023-05-04T08:00:00Z'>")
    r = clean_html(page(head))
    assert r["title"] == "Graph headline"
    assert r["published"] == "2023-05-04"


def test_html_h1_breaks_tie_between_declared_headlines():
    ld = {"@type": "NewsArticle", "headline": "SEO headline about the minister's visit"}
    head = (f"<script type='application/ld+json'>{json.dumps(ld)}</script>"
            "<meta property='og:title' content='Minister lands in Islamabad for talks'>")
    body = "<h1>Minister lands in Islamabad for talks</h1>" + BODY
    assert clean_html(page(head, body))["title"] == "Minister lands in Islamabad for talks"


def test_html_canonical_url_language_description():
    head = ("<link rel='canonical' href='/world/visit-123'>"
            "<meta name='description' content='A short summary.'>")
    r = clean_html(page(head), url="https://news.example.org/world/visit-123?utm_source=x")
    assert r["url"] == "https://news.example.org/world/visit-123"
    assert r["language"] == "en"
    assert r["description"] == "A short summary."
    r2 = clean_html(page())
    assert r2["url"] is None


def test_html_body_is_article_only():
    extra = ("<aside><h3>Related</h3><ul><li><a href='/a'>Teaser one about football</a></li>"
             "<li><a href='/b'>Teaser two about celebrities</a></li></ul></aside>")
    r = clean_html(page("<title>x</title>", BODY + "<p>Read more: Earlier talks collapsed</p>", extra))
    assert r["text"].startswith("The foreign minister arrived in Islamabad")
    assert "unresolved for now." in r["text"]
    for junk in ("Teaser one", "Home", "Copyright Example Media", "Read more:"):
        assert junk not in r["text"]


def test_html_repeated_headline_not_in_body():
    body = "<h1>Minister visits Islamabad</h1>" + BODY
    r = clean_html(page("<meta property='og:title' content='Minister visits Islamabad'>", body))
    assert not r["text"].startswith("Minister visits Islamabad")


def test_html_bytes_with_declared_charset():
    html = page("<title>Café diplomacy</title>").replace("charset='utf-8'", "charset='iso-8859-1'")
    r = clean_html(html.encode("latin-1"))
    assert r["title"] == "Café diplomacy"


@pytest.mark.parametrize("bad", ["", "   \n ", b"", "<<<>>>%%%", "\x00\x00", "<html><body></body></html>",
                                 "<div>" * 50000 + "x" + "</div>" * 50000])
def test_html_without_body_raises_value_error(bad):
    with pytest.raises(ValueError):
        clean_html(bad)


def test_html_malformed_but_readable():
    html = "<html><body><div><p>" + BODY.replace("</p>", "")  # nothing closed
    r = clean_html(html)
    assert "transit routes" in r["text"]


# --- clean_text ---------------------------------------------------------------------------

SAVED = """Envoy Holds Talks in Kabul

Envoy visits Kabul, holds talks with Afghan officials on security and trade

The special envoy met the acting interior minister in Kabul on Monday and discussed border security at length.

Also See: Another Story About Something Else

Both sides agreed to meet again next month to review progress, officials said on Tuesday.

More to Follow

Web Desk

Your trusted source for news and analysis.

Recent

Teaser Headline Number One

A blurb about a different story that is not part of this article at all.

Read More »
"""


def test_clean_text_saved_page():
    r = clean_text(SAVED)
    assert r["title"] == "Envoy Holds Talks in Kabul"
    assert r["text"].startswith("The special envoy met")
    assert r["text"].endswith("officials said on Tuesday.")
    assert r["description"].startswith("Envoy visits Kabul, holds talks")
    for junk in ("Also See", "More to Follow", "Web Desk", "trusted source", "Recent", "Teaser Headline", "Read More"):
        assert junk not in r["text"]


def test_clean_text_teaser_block_without_end_marker():
    text = ("Talks in Kabul\n\nThe envoy met the minister in Kabul on Monday and discussed border security.\n\n"
            "Both sides agreed to meet again next month, officials said.\n\n"
            "Qatar mediation under scrutiny\n\nA blurb about mediation shifting from dialogue to patronage.\n\n"
            "Read More »\n\nSecond teaser title\n\nSecond blurb sentence here.\n\nRead More »\n")
    r = clean_text(text)
    assert r["text"].endswith("officials said.")
    assert "Qatar" not in r["text"]


def test_clean_text_plain_article_unchanged_after_headline():
    text = ("US duo in first spam conviction\n\nA brother and sister have been convicted of sending spam.\n\n"
            "They will be sentenced next year. Related cases are pending\n")
    r = clean_text(text)
    assert r["title"] == "US duo in first spam conviction"
    assert r["text"] == text.split("\n\n", 1)[1]
    assert r["description"] is None


@pytest.mark.parametrize("text", [
    "Met the ambassador today. He said the visit went well.",
    "Sadiq met Haqqani in Kabul.\nThey discussed trade.",
    "Notes from the meeting\nSadiq met Haqqani in Kabul and discussed trade.",  # no blank line: not a headline
    "A first paragraph that ends with a full stop.\n\nAnd a second one.",
])
def test_clean_text_without_headline_keeps_full_text(text):
    r = clean_text(text)
    assert r["title"] is None
    assert r["text"] == text


def test_clean_text_given_title_and_markdown_heading():
    assert clean_text("# Kabul talks\n\nBody text here.")["title"] == "Kabul talks"
    r = clean_text("Kabul talks resume.\n\nBody text here.", title="Kabul talks resume.")
    assert r == {"title": "Kabul talks resume.", "text": "Body text here.", "description": None,
                 "author": None, "published": None}
    assert clean_text("Body only, no headline.", title="Given")["title"] == "Given"


def test_clean_text_empty_is_returned_as_is():
    empty = {"title": None, "description": None, "author": None, "published": None}
    assert clean_text("   \n") == {**empty, "text": "   \n"}
    assert clean_text("") == {**empty, "text": ""}


def test_clean_text_byline_and_dateline_become_metadata():
    text = ("Envoy in Kabul\n\nBy Jane Roe and John Doe | December 24, 2024\n\n3 min read\n\n"
            "The envoy met the minister in Kabul on Monday to discuss border trade and security.\n\n"
            "By the end of the day both sides had agreed to meet again.")
    r = clean_text(text)
    assert r["author"] == "Jane Roe; John Doe"
    assert r["published"] == "2024-12-24"
    assert r["text"].startswith("The envoy met the minister")
    assert r["text"].endswith("agreed to meet again.")


@pytest.mark.parametrize("line", ["By Monday the talks had ended.", "Kabul, December 24", "By the time talks began"])
def test_clean_text_sentences_are_not_bylines(line):
    text = f"Envoy in Kabul\n\n{line}\n\nThe envoy met the minister in Kabul on Monday to discuss trade."
    r = clean_text(text)
    assert r["text"].startswith(line)
    assert r["author"] is None and r["published"] is None


def test_clean_text_updated_line_is_not_the_publication_date():
    r = clean_text("Envoy in Kabul\n\nUpdated on Dec. 3, 2024 at 10:15 am\n\nThe envoy met the minister on Monday.")
    assert r["published"] is None
    assert r["text"] == "The envoy met the minister on Monday."


@pytest.mark.parametrize("line,rule", [
    ("More to Follow", "end"), ("Recent", "end"), ("Related Articles:", "end"),
    ("Also See: Pakistan and Afghanistan agree", "drop"), ("Advertisement", "drop"),
    ("Read More »", "teaser"), ("The minister recently said more talks would follow.", None), (".", None),
])
def test_marker_rule(line, rule):
    assert marker_rule(line) == rule


def test_split_headline_rules():
    assert split_headline("Headline\n\nBody.") == ("Headline", "Body.")
    assert split_headline("Headline only") == (None, "Headline only")
    assert split_headline("A sentence ends here.\n\nBody.") == (None, "A sentence ends here.\n\nBody.")


def test_seed_against_gold():
    gold = json.loads(shared_path("gold", "seed-000.json").read_text(encoding="utf-8"))["article"]
    text = shared_path("seeds", "000_0d9ee7f76d7cf8bd.txt").read_text(encoding="utf-8")
    r = clean_text(text)
    assert r["title"] == gold["title"]
    assert r["text"].startswith(gold["body_starts_with"])
    assert r["text"].endswith(gold["body_ends_with"])
    for teaser in gold["teaser_titles_not_in_body"]:
        assert teaser not in r["text"]
    for junk in ("Also See", "More to Follow", "News Desk", "Read More", "Recent"):
        assert junk not in r["text"]
    assert r["description"] and r["description"] not in r["text"]


def test_bbc_texts_unchanged_apart_from_headline():
    """Plain articles with nothing to clean: the body is the input minus the headline line."""
    root = shared_path("eval", "bbc", "raw")
    files = sorted(root.glob("*/*.txt"))
    assert len(files) > 2000
    changed = []
    for f in files:
        raw = f.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("latin-1")
        first, _, rest = text.partition("\n")
        r = clean_text(text)
        if r["text"] != rest.lstrip("\n") or r["title"] != " ".join(first.split()):
            changed.append(f.name)
    assert changed == []


# --- detect_language ----------------------------------------------------------------------

@pytest.mark.parametrize("text,lang", [
    ("The minister said that the talks with the delegation were held in a friendly atmosphere.", "en"),
    ("Le ministre a déclaré que les discussions avec la délégation se sont déroulées dans une bonne ambiance.", "fr"),
    ("Der Minister sagte, dass die Gespräche mit der Delegation in einer freundlichen Atmosphäre stattfanden.", "de"),
    ("El ministro dijo que las conversaciones con la delegación se celebraron en un ambiente cordial y que no hay problemas.", "es"),
    ("Too short", None),
    ("", None),
])
def test_detect_language(text, lang):
    assert detect_language(text) == lang
