"""A briefing note built from the store's curated facts, with a citation for every fact.

:func:`build` gathers, for a scope (countries, people, a period, "new since" a day), the
key figures, the events as a dated list grouped by country pair, what is new since the day,
who met whom, notable quotes and a timeline figure; every event carries numbered references
to the reports behind it (outlet, title, date, URL where there is one, the sample articles'
``sources``) with the sentence that says so. Rejected events are not in the store's events and
never appear; corrected ones appear corrected, marked as such.

:func:`to_markdown`, :func:`to_html` and :func:`to_docx` render the same note. The HTML is
one self-contained file (the figure inline, every value escaped, no request to another host);
the DOCX has headings, a table, the figure and endnote-style references (python-docx).
"""
from __future__ import annotations

import functools
import html
import io
import re
from base64 import b64encode
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from collections.abc import Callable
from typing import Any

import pandas as pd

from analysis import model
from analysis.store import as_reader

from . import queries
from .filters import Filters
from .queries import Source
from .safe import safe_url

#: Events listed in a note at most (newest first); the figures count them all.
MAX_EVENTS = 300
MAX_QUOTES = 8
#: A sample article's fact sources shown per reference (the rest are counted).
MAX_SOURCES = 3
FORMATS = ("md", "docx", "html")


@dataclass(frozen=True)
class Scope:
    """What a note covers. ``countries``: ISO3 codes (events involving any of them);
    ``people``: entity keys; ``start``/``end``: the period (YYYY-MM-DD, inclusive); ``since``:
    the day from which events, officials and topics count as new; ``pair``: two country codes,
    only events between them (either direction)."""

    countries: tuple[str, ...] = ()
    pair: tuple[str, ...] = ()
    people: tuple[str, ...] = ()
    start: str | None = None
    end: str | None = None
    since: str | None = None
    title: str | None = None

    @property
    def filters(self) -> Filters:
        return Filters(start=self.start, end=self.end, countries=tuple(self.countries), people=tuple(self.people),
                       pair=tuple(self.pair))


def _text(v: Any) -> str:
    return v if isinstance(v, str) else ("" if v is None or v != v else str(v))


def _label(kind: str) -> str:
    return model.vocabulary()["event_kinds"].get(kind, {}).get("label", kind)


def _plural(kind: str) -> str:
    return model.vocabulary()["event_kinds"].get(kind, {}).get("plural", kind)


def _country_names(source: Source) -> dict[str, str]:
    with as_reader(source).session() as conn:
        return {c: n for c, n in conn.execute(
            "SELECT country, name FROM entities WHERE kind = 'country' AND country IS NOT NULL").fetchall()}


def _reports(source: Source, event_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if not event_ids:
        return out
    with as_reader(source).session() as conn:
        for i in range(0, len(event_ids), 400):
            chunk = [int(x) for x in event_ids[i:i + 400]]
            for row in conn.rows(f"""
                SELECT rp.event_id, rp.evidence, rp.article_id, a.title, a.outlet, a.url,
                       substr(a.published, 1, 10) AS published, a.metadata
                FROM reports rp JOIN articles a ON a.id = rp.article_id
                WHERE rp.event_id IN ({','.join('?' * len(chunk))})
                ORDER BY a.published, rp.article_id, rp.sentence_index, rp.id""", chunk):
                r = dict(row)  # plain rows: a DataFrame of a few hundred reports cost more than its query
                out[int(r["event_id"])].append(r)
    return out


@functools.lru_cache(maxsize=4096)
def _safe_sources_of(metadata: str) -> tuple[str, ...]:
    return tuple(u for u in map(safe_url, queries.article_sources(metadata)) if u)


def _safe_sources(metadata: Any) -> tuple[str, ...]:
    """The http(s) fact sources of an article's metadata (memoised: an article cited for several
    sentences, or in several notes, is read once)."""
    if isinstance(metadata, str):
        return _safe_sources_of(metadata)
    return tuple(u for u in map(safe_url, queries.article_sources(metadata)) if u)


class _References:
    """Numbered references, one per (article, sentence), numbered in order of first citation.
    Only http(s) URLs are kept (an article's ``javascript:`` URL is dropped)."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self._index: dict[tuple[int, str], int] = {}

    def cite(self, r: dict[str, Any]) -> int:
        k = (int(r["article_id"]), _text(r.get("evidence")))
        if k not in self._index:
            self.items.append({
                "n": len(self.items) + 1, "outlet": _text(r.get("outlet")), "title": _text(r.get("title")),
                "date": _text(r.get("published")), "url": safe_url(r.get("url")) or "",
                "sources": list(_safe_sources(r.get("metadata"))),
                "sentence": _text(r.get("evidence")),
                "article_id": int(r["article_id"])})
            self._index[k] = len(self.items)
        return self._index[k]


def build(source: Source, scope: Scope) -> dict[str, Any]:
    """The note's content (see the module docstring) as plain data."""
    f = scope.filters
    names = _country_names(source)
    summary = queries.summary(source, f)
    ev = queries.events(source, f, model.relation_kinds(), limit=MAX_EVENTS)
    ids = [int(i) for i in ev["id"]]
    reports = _reports(source, ids)
    refs = _References()
    items = []
    records = queries.records(ev)
    for r in records:
        eid = int(r["id"])
        who, people = queries.who(r.get("participants"))
        where = ", ".join(x for x in (_text(r.get("place")),
                                      names.get(_text(r.get("destination_country")) or _text(r.get("country")), ""))
                          if x)
        cite = [refs.cite(x) for x in reports.get(eid, [])[:3]]
        items.append({
            "id": eid, "key": r["key"], "date": _text(r.get("date")), "date_from": _text(r.get("date_from")),
            "kind": r["kind"], "what": _label(r["kind"]), "status": _text(r.get("status")),
            "who": who, "people": people, "where": where, "pair": _text(r.get("pair")),
            "evidence": _text(r.get("evidence")), "quote": _text(r.get("quote")),
            "first_reported": _text(r.get("first_reported")), "reports": int(r.get("reports") or 0),
            "refs": cite, "curated": _text(r.get("curated"))})
    pairs: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for it in items:
        pairs[it["pair"] or "other"].append(it)
    pair_list = sorted(pairs.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    kinds = Counter(it["kind"] for it in items)
    countries: Counter[str] = Counter()
    for r in records:
        codes = {_text(r.get(k)) for k in ("visitor_country", "destination_country", "country")}
        codes |= set(_text(r.get("participant_countries")).split(","))
        countries.update(codes - {""})
    officials = queries.top_entities(source, f, model.PERSON, limit=8)
    met = []
    for it in items:
        if it["kind"] in (model.MEETING, model.TALKS) and len(it["people"]) >= 2:
            met.append({"who": " and ".join(it["people"][:4]), "date": it["date"], "where": it["where"],
                        "status": it["status"], "refs": it["refs"]})
    quotes = [{"quote": it["quote"], "who": it["who"], "date": it["date"], "refs": it["refs"]}
              for it in items if it["quote"]][:MAX_QUOTES]
    new = _new_since(source, scope, items) if scope.since else None
    return {
        "title": scope.title or _title(scope, names),
        "scope": _scope_line(scope, names, summary),
        "generated": date.today().isoformat(),
        "figures": {
            "articles": summary["articles"], "outlets": summary["outlets"],
            "events": len(items), "events_by_kind": {(_label(k) if n == 1 else _plural(k)): n for k, n in kinds.most_common()},
            "countries": [(names.get(c, c), n) for c, n in countries.most_common(8)],
            "officials": [(r["name"], _text(r["country"]), int(r["events"])) for r in queries.records(officials)],
            "truncated": len(items) >= MAX_EVENTS},
        "pairs": [{"pair": p, "events": evs} for p, evs in pair_list],
        "events": items, "met": met, "quotes": quotes, "new": new,
        "references": refs.items, "timeline": timeline_table(items),
        "figure_caption": timeline_caption(items),
    }


def _title(scope: Scope, names: dict[str, str]) -> str:
    if scope.pair:
        return "Briefing: " + " and ".join(names.get(c, c) for c in scope.pair)
    if scope.countries:
        return "Briefing: " + " and ".join(names.get(c, c) for c in scope.countries)
    if scope.people:
        return "Briefing: " + ", ".join(k.split(":", 1)[-1].replace("-", " ").title() for k in scope.people)
    return "Briefing: all stored news"


def _scope_line(scope: Scope, names: dict[str, str], summary: dict[str, Any]) -> str:
    parts = []
    if scope.pair:
        parts.append("events between " + " and ".join(f"{names.get(c, c)} ({c})" for c in scope.pair)
                     + ", in either direction")
    if scope.countries:
        parts.append("events involving " + " or ".join(f"{names.get(c, c)} ({c})" for c in scope.countries))
    if scope.people:
        parts.append("people: " + ", ".join(scope.people))
    lo, hi = scope.start or summary.get("first") or "the first report", scope.end or summary.get("last") or "the last"
    parts.append(f"from {lo} to {hi}")
    if scope.since:
        parts.append(f"new since {scope.since}")
    parts.append(f"{summary['articles']} articles from {summary['outlets']} outlet(s)")
    return "Scope: " + "; ".join(parts) + "."


def _new_since(source: Source, scope: Scope, items: list[dict[str, Any]]) -> dict[str, Any]:
    since = scope.since or ""
    f = scope.filters
    events = [it for it in items if it["first_reported"] and it["first_reported"] >= since]
    aw, ap = f.article_conditions()
    where = " AND ".join(aw) if aw else "1"
    with as_reader(source).session() as conn:
        people = conn.df(f"""
            SELECT e.name, e.country, MIN(substr(a.published, 1, 10)) AS first_seen,
                   (SELECT r.title FROM roles r WHERE r.entity_id = e.id ORDER BY r.articles DESC LIMIT 1) AS role
            FROM mentions m JOIN articles a ON a.id = m.article_id JOIN entities e ON e.id = m.entity_id
            WHERE e.kind = 'person' AND e.id IN (SELECT m2.entity_id FROM mentions m2 JOIN articles a ON a.id = m2.article_id
                                                 WHERE {where})
            GROUP BY e.id HAVING first_seen >= ? ORDER BY first_seen, e.name LIMIT 20""", ap + [since])
    try:
        end = date.fromisoformat((scope.end or max((it["first_reported"] for it in items), default=since))[:10])
        days = max(7, (end - date.fromisoformat(since[:10])).days + 1)
    except ValueError:
        days = 30
    topics = queries.rising_topics(source, f, days=days)
    topics = topics[topics["change"] > 0].head(5)
    return {"since": since, "events": events,
            "officials": [(r["name"], _text(r["role"]), _text(r["country"]), r["first_seen"])
                          for r in people.to_dict("records")],
            "topics": [(r["label"], f"{int(r['recent'])} articles, {r['recent_share']:.0%}",
                        f"{int(r['prior'])}, {r['prior_share']:.0%}") for r in topics.to_dict("records")],
            "topic_days": days}


#: Most bars the timeline draws: a longer range is drawn by quarter, then by year.
MAX_BARS = 48
PERIODS = ("month", "quarter", "year")


def _period_index(month: str, period: str) -> int:
    """A running number for the period holding ``month`` (YYYY-MM)."""
    y, m = int(month[:4]), int(month[5:7])
    return {"month": y * 12 + m - 1, "quarter": y * 4 + (m - 1) // 3, "year": y}[period]


def _period_label(k: int, period: str) -> str:
    if period == "month":
        return f"{k // 12:04d}-{k % 12 + 1:02d}"
    if period == "quarter":
        return f"{k // 4:04d}-Q{k % 4 + 1}"
    return f"{k:04d}"


def _month(day: str) -> str | None:
    """``YYYY-MM`` of an event's date, None when it has none."""
    if len(day) >= 7 and day[:4].isdigit() and day[5:7].isdigit() and 1 <= int(day[5:7]) <= 12:
        return day[:7]
    return None


def timeline_period(items: list[dict[str, Any]]) -> str | None:
    """The period the timeline counts by: the finest of month, quarter and year whose range
    (first to last dated event) takes at most :data:`MAX_BARS` bars; None with no dated event."""
    months = [m for m in (_month(it["date"]) for it in items) if m]
    if not months:
        return None
    lo, hi = min(months), max(months)
    return next((name for name in PERIODS
                 if _period_index(hi, name) - _period_index(lo, name) + 1 <= MAX_BARS), "year")


def timeline_caption(items: list[dict[str, Any]]) -> str:
    return f"Events by {timeline_period(items) or 'month'} (dated events only)"


def timeline_table(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The timeline's counts: ``{"period", "kind", "n"}`` for every period of the range (empty
    ones with ``n`` 0) and every kind present, by :func:`timeline_period`; [] with no dated event."""
    period = timeline_period(items)
    if period is None:
        return []
    counts: Counter[tuple[int, str]] = Counter(
        (_period_index(m, period), it["what"]) for it in items if (m := _month(it["date"])))
    kinds = list(dict.fromkeys(kind for _, kind in counts))
    ks = [k for k, _ in counts]
    return [{"period": _period_label(k, period), "kind": kind, "n": counts.get((k, kind), 0)}
            for kind in kinds for k in range(min(ks), max(ks) + 1)]


def figure_png(b: dict[str, Any]) -> bytes | None:
    """The note's timeline as a PNG (drawn once, when a file that holds it is rendered)."""
    if "figure_png" not in b:
        b["figure_png"] = timeline_png(b.get("timeline") or [], b.get("figure_caption") or "")
    return b["figure_png"]


def timeline_png(rows: list[dict[str, Any]], title: str) -> bytes | None:
    """:func:`timeline_table` rows as stacked bars by kind, a PNG drawn offline (matplotlib);
    None with no row. At most :data:`MAX_BARS` bars a kind, whatever the range."""
    if not rows:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    table = pd.DataFrame(rows).pivot_table(index="period", columns="kind", values="n", sort=False,
                                           aggfunc="sum", fill_value=0)
    labels = list(table.index)
    fig, ax = plt.subplots(figsize=(7.5, 2.8), dpi=150)
    bottom = None
    for kind in table.columns:
        ax.bar(range(len(table)), table[kind], bottom=bottom, label=kind, width=0.8)
        bottom = table[kind] if bottom is None else bottom + table[kind]
    step = max(1, len(table) // 12)
    ax.set_xticks(range(0, len(table), step))
    ax.set_xticklabels(labels[::step], rotation=45, ha="right", fontsize=7)
    ax.set_ylabel("events", fontsize=8)
    ax.tick_params(axis="y", labelsize=7)
    ax.set_title(title, fontsize=9)
    ax.set_ylim(0, max(1, float(table.sum(axis=1).max())) * 1.35)
    ax.legend(fontsize=7, frameon=False, ncol=min(5, len(table.columns)), loc="upper left")
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


# --- rendering ------------------------------------------------------------------------------------

def _more(sources: list[str]) -> str:
    n = len(sources) - MAX_SOURCES
    return f" and {n} more" if n > 0 else ""


def _refs(ns: list[int]) -> str:
    return "".join(f"[{n}]" for n in ns)


def _event_line(it: dict[str, Any]) -> str:
    parts = [it["date"] or "date not given", it["what"] + (f" ({it['status']})" if it["status"] else "")]
    if it["who"]:
        parts.append(it["who"])
    if it["where"]:
        parts.append("in " + it["where"])
    line = " · ".join(parts)
    if it["curated"]:
        line += f" [{it['curated']}]"
    return line


_MD_SPECIAL = re.compile(r"[\\`*_\[\]<>|]")


def _md(s: str) -> str:
    """Text for Markdown: characters that would become markup or a link are escaped."""
    t = _text(s)
    return _MD_SPECIAL.sub(r"\\\g<0>", t).replace("\n", " ") if _MD_SPECIAL.search(t) else t.replace("\n", " ")


def to_markdown(b: dict[str, Any], *, preview: bool = False) -> str:
    """The note as Markdown that pastes cleanly into an editor. ``preview=True`` (the Briefing
    page) escapes every value with :func:`analysis.views.safe.escape_markdown` instead and shows
    URLs as text, so nothing from an article can become a link or markup when Streamlit renders it."""
    if preview:
        from .safe import escape_markdown

        return _to_markdown(b, escape_markdown, escape_markdown)
    return _to_markdown(b, _md, lambda u: f"<{u}>")


#: Characters of the note the Briefing page previews (a long note is cut at a line there; the
#: downloads hold it whole): a browser takes seconds to draw 300 KB of Markdown.
PREVIEW_CHARS = 40_000


def preview_markdown(b: dict[str, Any], max_chars: int = PREVIEW_CHARS) -> tuple[str, bool]:
    """The page's preview (:func:`to_markdown` with ``preview=True``), cut at the last line
    break before ``max_chars`` when longer; returns the text and whether it was cut."""
    text = to_markdown(b, preview=True)
    if len(text) <= max_chars:
        return text, False
    cut = text.rfind("\n", 0, max_chars)
    return text[:cut if cut > 0 else max_chars], True


def _to_markdown(b: dict[str, Any], esc: Callable[[Any], str], link: Callable[[str], str]) -> str:
    fig = b["figures"]
    lines = [f"# {esc(b['title'])}", "", esc(b["scope"]), "", f"Prepared {b['generated']} with Chancery.", "",
             "## Key figures", ""]
    lines.append(f"- {fig['events']} events" + (" (the newest listed)" if fig["truncated"] else "") + ": "
                 + ", ".join(f"{n} {esc(k.lower())}" for k, n in fig["events_by_kind"].items()))
    lines.append(f"- {fig['articles']} articles, {fig['outlets']} outlet(s)")
    if fig["countries"]:
        lines.append("- Countries: " + ", ".join(f"{esc(c)} ({n})" for c, n in fig["countries"]))
    if fig["officials"]:
        lines.append("- Most active officials: " + ", ".join(
            f"{esc(n)}{' (' + c + ')' if c else ''}: {k}" for n, c, k in fig["officials"]))
    lines += ["", "The timeline figure is in the DOCX and HTML versions of this note.", ""]
    if b["new"]:
        new = b["new"]
        lines += [f"## New since {new['since']}", ""]
        lines += [f"- {esc(_event_line(it))} {_refs(it['refs'])}" for it in new["events"]] or ["- No new events."]
        if new["officials"]:
            lines += ["", "New officials in the news: " + "; ".join(
                f"{esc(n)}{', ' + esc(r) if r else ''}{' (' + c + ')' if c else ''}, first {d}"
                for n, r, c, d in new["officials"])]
        if new["topics"]:
            lines += ["", f"Topics rising (last {new['topic_days']} days against the {new['topic_days']} before): "
                      + "; ".join(f"{esc(t)} ({a} of articles; before: {p})" for t, a, p in new["topics"])]
        lines.append("")
    lines += ["## Events by country pair", ""]
    if not b["pairs"]:
        lines += ["No events in this scope.", ""]
    for grp in b["pairs"]:
        lines += [f"### {esc(grp['pair'])}", ""]
        lines += [f"- {esc(_event_line(it))} {_refs(it['refs'])}" for it in grp["events"]]
        lines.append("")
    if b["met"]:
        lines += ["## Who met whom", ""]
        lines += [f"- {it['date'] or 'date not given'}: {esc(it['who'])}{' in ' + esc(it['where']) if it['where'] else ''}"
                  f" ({it['status']}) {_refs(it['refs'])}" for it in b["met"]]
        lines.append("")
    if b["quotes"]:
        lines += ["## Notable quotes", ""]
        lines += [f"> \u201c{esc(q['quote'])}\u201d ({esc(q['who']) or 'unattributed'}, {q['date'] or 'undated'})"
                  f" {_refs(q['refs'])}\n" for q in b["quotes"]]
    lines += ["## References", ""]
    for r in b["references"]:
        src = f" {link(r['url'])}" if r["url"] else ""
        extra = f" Sources: {', '.join(link(u) for u in r['sources'][:MAX_SOURCES])}{_more(r['sources'])}." \
            if r["sources"] else ""
        lines.append(f"{r['n']}. {esc(r['outlet'] or 'unknown outlet')}, \u201c{esc(r['title'])}\u201d, "
                     f"{r['date'] or 'undated'}.{src}{extra} \u2014 \u201c{esc(r['sentence'])}\u201d")
    return "\n".join(lines) + "\n"


def to_html(b: dict[str, Any]) -> str:
    """One self-contained, escaped HTML document (no script, no external resource)."""
    e = html.escape
    fig = b["figures"]

    def refs(ns: list[int]) -> str:
        return "".join(f'<sup><a href="#ref-{n}">[{n}]</a></sup>' for n in ns)

    def ev(it: dict[str, Any]) -> str:
        return f"<li>{e(_event_line(it))} {refs(it['refs'])}</li>"

    out = ["<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">",
           "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\">",
           f"<title>{e(b['title'])}</title><style>body{{font-family:sans-serif;max-width:52em;margin:2em auto;"
           "line-height:1.4}} table{{border-collapse:collapse}} td,th{{border:1px solid #ccc;padding:.2em .5em}}"
           " .ref{{font-size:.9em}}</style></head><body>",
           f"<h1>{e(b['title'])}</h1><p>{e(b['scope'])}</p><p>Prepared {e(b['generated'])} with Chancery.</p>",
           "<h2>Key figures</h2><table><tr><th>what</th><th>count</th></tr>"]
    out += [f"<tr><td>{e(k)}</td><td>{n}</td></tr>" for k, n in fig["events_by_kind"].items()]
    out.append(f"<tr><td>articles</td><td>{fig['articles']}</td></tr></table>")
    if fig["officials"]:
        out.append("<p>Most active officials: " + e(", ".join(
            f"{n}{' (' + c + ')' if c else ''}: {k}" for n, c, k in fig["officials"])) + "</p>")
    png = figure_png(b)
    if png:
        out.append(f'<p><img alt="{e(b.get("figure_caption") or "Events timeline")}" style="max-width:100%" '
                   f'src="data:image/png;base64,{b64encode(png).decode()}"></p>')
    if b["new"]:
        new = b["new"]
        out.append(f"<h2>New since {e(new['since'])}</h2><ul>" + "".join(ev(it) for it in new["events"]) + "</ul>")
        if new["officials"]:
            out.append("<p>New officials in the news: " + e("; ".join(
                f"{n}{', ' + r if r else ''}{' (' + c + ')' if c else ''}, first {d}"
                for n, r, c, d in new["officials"])) + "</p>")
        if new["topics"]:
            out.append("<p>Topics rising: " + e("; ".join(f"{t} ({a} of articles; before: {p})"
                                                        for t, a, p in new["topics"])) + "</p>")
    out.append("<h2>Events by country pair</h2>")
    for grp in b["pairs"]:
        out.append(f"<h3>{e(grp['pair'])}</h3><ul>" + "".join(ev(it) for it in grp["events"]) + "</ul>")
    if b["met"]:
        out.append("<h2>Who met whom</h2><ul>" + "".join(
            f"<li>{e(it['date'] or 'date not given')}: {e(it['who'])}"
            f"{' in ' + e(it['where']) if it['where'] else ''} ({e(it['status'])}) {refs(it['refs'])}</li>"
            for it in b["met"]) + "</ul>")
    if b["quotes"]:
        out.append("<h2>Notable quotes</h2>" + "".join(
            f"<blockquote>\u201c{e(q['quote'])}\u201d ({e(q['who'] or 'unattributed')}, {e(q['date'] or 'undated')})"
            f" {refs(q['refs'])}</blockquote>" for q in b["quotes"]))
    out.append("<h2>References</h2><ol class=\"ref\">")
    for r in b["references"]:
        url = f" {e(r['url'])}" if r["url"] else ""
        src = f" Sources: {e(', '.join(r['sources'][:MAX_SOURCES]) + _more(r['sources']))}." if r["sources"] else ""
        out.append(f"<li id=\"ref-{r['n']}\">{e(r['outlet'] or 'unknown outlet')}, \u201c{e(r['title'])}\u201d, "
                   f"{e(r['date'] or 'undated')}.{url}{src} \u2014 \u201c{e(r['sentence'])}\u201d</li>")
    out.append("</ol></body></html>")
    return "\n".join(out)


def to_docx(b: dict[str, Any]) -> bytes:
    """The note as a Word document (python-docx): headings, a table of key figures, the
    timeline figure, the dated events with bracketed reference numbers, and the references."""
    from docx import Document
    from docx.shared import Inches, Pt

    doc = Document()
    doc.core_properties.title = b["title"]
    doc.core_properties.author = "Chancery"
    doc.add_heading(b["title"], level=0)
    doc.add_paragraph(b["scope"])
    doc.add_paragraph(f"Prepared {b['generated']} with Chancery.")
    fig = b["figures"]
    doc.add_heading("Key figures", level=1)
    table = doc.add_table(rows=1, cols=2)
    table.style = "Light Grid Accent 1"
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "What", "Count"
    for k, n in [*fig["events_by_kind"].items(), ("Articles", fig["articles"]), ("Outlets", fig["outlets"])]:
        row = table.add_row().cells
        row[0].text, row[1].text = str(k), str(n)
    if fig["officials"]:
        doc.add_paragraph("Most active officials: " + ", ".join(
            f"{n}{' (' + c + ')' if c else ''}: {k}" for n, c, k in fig["officials"]))
    png = figure_png(b)
    if png:
        doc.add_picture(io.BytesIO(png), width=Inches(6.3))

    def cited(text: str, ns: list[int], style: str | None = "List Bullet") -> None:
        p = doc.add_paragraph(style=style)
        p.add_run(text + " ")
        if ns:
            run = p.add_run(_refs(ns))
            run.font.superscript = True

    if b["new"]:
        new = b["new"]
        doc.add_heading(f"New since {new['since']}", level=1)
        for it in new["events"] or []:
            cited(_event_line(it), it["refs"])
        if not new["events"]:
            doc.add_paragraph("No new events.")
        if new["officials"]:
            doc.add_paragraph("New officials in the news: " + "; ".join(
                f"{n}{', ' + r if r else ''}{' (' + c + ')' if c else ''}, first {d}" for n, r, c, d in new["officials"]))
        if new["topics"]:
            doc.add_paragraph("Topics rising: " + "; ".join(f"{t} ({a} of articles; before: {p})"
                                                            for t, a, p in new["topics"]))
    doc.add_heading("Events by country pair", level=1)
    if not b["pairs"]:
        doc.add_paragraph("No events in this scope.")
    for grp in b["pairs"]:
        doc.add_heading(grp["pair"], level=2)
        for it in grp["events"]:
            cited(_event_line(it), it["refs"])
    if b["met"]:
        doc.add_heading("Who met whom", level=1)
        for it in b["met"]:
            cited(f"{it['date'] or 'date not given'}: {it['who']}{' in ' + it['where'] if it['where'] else ''}"
                  f" ({it['status']})", it["refs"])
    if b["quotes"]:
        doc.add_heading("Notable quotes", level=1)
        for q in b["quotes"]:
            cited(f"\u201c{q['quote']}\u201d ({q['who'] or 'unattributed'}, {q['date'] or 'undated'})", q["refs"],
                  style="Quote")
    doc.add_heading("References", level=1)
    for r in b["references"]:
        p = doc.add_paragraph(style="List Number")
        p.add_run(f"[{r['n']}] {r['outlet'] or 'unknown outlet'}, \u201c{r['title']}\u201d, {r['date'] or 'undated'}.")
        if r["url"]:
            p.add_run(f" {r['url']}")
        if r["sources"]:
            p.add_run(" Sources: " + ", ".join(r["sources"][:MAX_SOURCES]) + _more(r["sources"]) + ".")
        s = p.add_run(f" \u201c{r['sentence']}\u201d")
        s.italic = True
        for run in p.runs:
            run.font.size = Pt(9)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def render(b: dict[str, Any], fmt: str) -> bytes:
    """The note in ``fmt`` (md, html or docx) as bytes."""
    if fmt == "md":
        return to_markdown(b).encode("utf-8")
    if fmt == "html":
        return to_html(b).encode("utf-8")
    if fmt == "docx":
        return to_docx(b)
    raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")


def build_file(source: Source, scope: Scope, fmt: str) -> bytes:
    """The note for ``scope`` rendered as ``fmt``."""
    return render(build(source, scope), fmt)


def build_text(source: Source, scope: Scope) -> dict[str, Any]:
    """The note for ``scope`` with its Markdown, ``{"note", "md"}`` (the Briefing page's preview
    and quick download; the HTML and DOCX, which hold the timeline's picture, are rendered from
    the note on click)."""
    note = build(source, scope)
    return {"note": note, "md": render(note, "md")}
