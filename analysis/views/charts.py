"""Plotly figures built from :mod:`analysis.views.queries` results.

Plotly renders a subset of HTML in hover text, titles, legend entries and tick labels, so every
string that comes from an article or an entity passes through :func:`analysis.views.safe.escape_text`
before it enters a figure; the only markup in a figure is ours (``<b>``, ``<br>``). Hover text is
given as ``text`` with ``hovertemplate="%{text}<extra></extra>"`` so plotly adds nothing.
Points carry ``customdata`` (ids) so that a page can react to a selection.
"""
from __future__ import annotations

import math
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from analysis import model
from analysis.views.safe import escape_text as esc

# orjson 3.8 (plotly's "auto" JSON engine when installed) dies with "Illegal instruction" on
# this machine's CPU when serialising numpy datetime arrays holding NaT, taking the whole
# Streamlit server down. The standard library encoder is fast enough for our figure sizes.
pio.json.config.default_engine = "json"

_KIND_COLOURS = {model.VISIT: "#1f77b4", model.MEETING: "#ff7f0e", model.STATEMENT: "#2ca02c",
                 model.TALKS: "#9467bd", model.AGREEMENT: "#8c564b", model.CEASEFIRE: "#e377c2"}
_STATUS_SYMBOLS = {model.OCCURRED: "circle", model.PLANNED: "circle-open", model.CANCELLED: "x"}
_HOVER = "%{text}<extra></extra>"


def _layout(fig: go.Figure, title: str | None, height: int | None = None) -> go.Figure:
    fig.update_layout(
        title=esc(title) if title else None,
        height=height,
        margin={"l": 10, "r": 10, "t": 40 if title else 10, "b": 10},
        legend={"orientation": "h", "y": -0.15},
        hoverlabel={"align": "left"},
    )
    return fig


def empty_figure(message: str) -> go.Figure:
    """A blank figure carrying a short (escaped) message."""
    fig = go.Figure()
    fig.add_annotation(text=esc(message), showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _layout(fig, None, 200)


def _dates(values: Any) -> list[str | None]:
    """Dates as ``YYYY-MM-DD`` strings (``None`` when missing): plotly parses them on a date
    axis, and no numpy datetime array reaches the JSON encoder."""
    out: list[str | None] = []
    for v in values:
        v = _v(v)
        out.append(str(v)[:10] if v else None)
    return out


def _v(x: Any) -> Any:
    """None for missing values (pandas gives NaN for missing text in some columns)."""
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else x


def _event_hover(r: Any, label: str) -> str:
    r = {k: _v(v) for k, v in r.items()}
    lines = [
        f"<b>{esc(r.get('kind'))}</b> {esc(r.get('date'))} ({esc(r.get('status') or 'status unknown')})",
        esc(label),
    ]
    if r.get("place"):
        lines.append("at " + esc(r.get("place")))
    if r.get("participants"):
        lines.append(esc(r.get("participants"), max_chars=200, wrap=80))
    if r.get("evidence"):
        lines.append("“" + esc(r.get("evidence"), max_chars=300, wrap=80) + "”")
    if r.get("title"):
        lines.append("source: " + esc(r.get("title"), max_chars=120))
    if r.get("reports"):
        n, outlets = int(r["reports"]), int(r.get("outlets") or 0)
        lines.append(f"{n} report{'s' if n != 1 else ''}" + (
            f" in {outlets} outlet{'s' if outlets != 1 else ''}" if outlets else ""))
    return "<br>".join(lines)


def events_timeline(df: pd.DataFrame, group_col: str, title: str | None = None,
                    max_groups: int = 30) -> go.Figure:
    """Events as points on a time axis, one row per group (a country pair, an official or a
    country), coloured by kind, the marker showing the status (open = planned, x = cancelled).

    :param df: rows with at least ``date, kind, status, <group_col>``; optionally ``id``/
        ``event_id``, ``place``, ``participants``, ``evidence``, ``title``, ``reports``,
        ``outlets`` (an event's reports and the outlets they came from).
    :param max_groups: keep the groups with most events (the rest would be unreadable).
    """
    if df.empty or group_col not in df:
        return empty_figure("No events for these filters.")
    df = df[df["date"].notna() & df[group_col].notna()].copy()
    if df.empty:
        return empty_figure("No dated events for these filters.")
    top = df[group_col].value_counts().head(max_groups).index
    df = df[df[group_col].isin(top)]
    order = list(df.groupby(group_col)["date"].max().sort_values().index)
    fig = go.Figure()
    id_col = "event_id" if "event_id" in df else ("id" if "id" in df else None)
    for kind, part in df.groupby("kind", sort=True):
        recs = part.to_dict("records")
        fig.add_trace(go.Scatter(
            x=_dates(part["date"]),
            y=[esc(v) for v in part[group_col]],
            mode="markers",
            name=esc(kind),
            marker={"size": 11, "color": _KIND_COLOURS.get(str(kind), "#7f7f7f"),
                    "symbol": [_STATUS_SYMBOLS.get(str(_v(s)), "circle") for s in part["status"]],
                    "line": {"width": 1.5, "color": _KIND_COLOURS.get(str(kind), "#7f7f7f")}},
            text=[_event_hover(r, str(r[group_col])) for r in recs],
            hovertemplate=_HOVER,
            customdata=[int(v) for v in part[id_col]] if id_col else None,
        ))
    fig.update_yaxes(categoryorder="array", categoryarray=[esc(v) for v in order], title=None)
    fig.update_xaxes(title=None)
    return _layout(fig, title, max(260, 60 + 26 * len(order)))


def topic_lines(trends: dict[str, Any], title: str | None = None, max_topics: int = 12) -> go.Figure:
    """Share of articles per period for each topic (lines, counts in the hover) over the number
    of articles per period (bars), from :func:`analysis.views.trends.topic_trends`.

    A period with too few articles has no share point and a grey bar; an empty period breaks
    the lines (no line is drawn across it); baseline topics (on nearly every article) are in
    the legend, hidden until clicked.
    """
    from plotly.subplots import make_subplots

    lines, periods = trends["lines"], trends["periods"]
    if periods.empty:
        return empty_figure("No topic tags for these filters.")
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.74, 0.26], vertical_spacing=0.06)
    minimum = int(trends["min_articles"])

    def add(part: pd.DataFrame, label: str, topic_id: str, **style: Any) -> None:
        part = part.sort_values("period")
        text = []
        for p, n, t, s, d in zip(part["period"], part["n"], part["total"], part["share"], part["drawn"]):
            if not t:
                text.append(f"<b>{esc(label)}</b><br>{esc(p)}: no articles")
            elif not d:
                text.append(f"<b>{esc(label)}</b><br>{esc(p)}: {int(n)} of {int(t)} articles "
                            f"(fewer than {minimum}: share not drawn)")
            else:
                text.append(f"<b>{esc(label)}</b><br>{esc(p)}: {int(n)} of {int(t)} articles ({float(s):.0%})")
        fig.add_trace(go.Scatter(
            x=_dates(part["period"]),
            y=[float(v) if d and v == v and v is not None else None for v, d in zip(part["share"], part["drawn"])],
            mode="lines+markers", connectgaps=False, name=esc(label, max_chars=40),
            text=text, hovertemplate=_HOVER, customdata=[[topic_id, p] for p in part["period"]], **style,
        ), row=1, col=1)

    top = lines.groupby("topic_id")["n"].sum().sort_values(ascending=False).head(max_topics).index
    for topic_id in top:
        part = lines[lines["topic_id"] == topic_id]
        add(part, str(part["label"].iloc[0]), topic_id)
    base = trends["baseline"]
    for r in base.to_dict("records"):
        part = trends["baseline_lines"][trends["baseline_lines"]["topic_id"] == r["topic_id"]]
        add(part, f"{r['label']} (baseline: {float(r['share']):.0%} of articles)", r["topic_id"],
            visible="legendonly", line={"dash": "dot", "color": "#999999"})
    fig.add_trace(go.Bar(
        x=_dates(periods["period"]), y=[int(t) for t in periods["total"]], name="articles",
        marker={"color": ["#9ecae1" if e else "#d9d9d9" for e in periods["enough"]]},
        text=[f"{esc(p)}: {int(t)} article(s)" + ("" if e else f" (fewer than {minimum}: shares not drawn)")
              for p, t, e in zip(periods["period"], periods["total"], periods["enough"])],
        hovertemplate=_HOVER, textposition="none", showlegend=False,
    ), row=2, col=1)
    fig.update_yaxes(tickformat=".0%", title="share of articles", rangemode="tozero", row=1, col=1)
    fig.update_yaxes(title="articles", rangemode="tozero", row=2, col=1)
    fig.update_xaxes(title=None)
    return _layout(fig, title, 520)


def country_topic_heatmap(matrix: pd.DataFrame, title: str | None = None) -> go.Figure:
    """Country × topic grid: colour = share of the country's articles carrying the topic.

    Drawn as square markers rather than a plotly heatmap trace so cells can be selected
    (``st.plotly_chart(on_select=...)``); ``customdata`` is ``[country code, topic id]``.
    """
    if matrix.empty:
        return empty_figure("No countries with topic tags for these filters.")
    countries = list(dict.fromkeys(matrix["country"]))
    topics = sorted(dict.fromkeys(matrix["label"]))
    size = max(14, min(40, int(520 / max(len(topics), len(countries), 1))))
    fig = go.Figure(go.Scatter(
        x=[esc(v, max_chars=30) for v in matrix["label"]],
        y=[esc(v, max_chars=30) for v in matrix["country"]],
        mode="markers",
        marker={"symbol": "square", "size": size, "color": [float(v) for v in matrix["share"]], "colorscale": "Blues",
                "cmin": 0, "cmax": max(float(matrix["share"].max()), 0.01), "showscale": True,
                "colorbar": {"title": {"text": "share"}, "tickformat": ".0%"},
                "line": {"width": 0.5, "color": "#888"}},
        text=[f"<b>{esc(c)}</b> × <b>{esc(t)}</b><br>{int(n)} of {int(ca)} articles ({s:.0%})"
              for c, t, n, ca, s in zip(matrix["country"], matrix["label"], matrix["n"],
                                        matrix["country_articles"], matrix["share"])],
        hovertemplate=_HOVER,
        customdata=[[c, t] for c, t in zip(matrix["code"], matrix["topic_id"])],
    ))
    fig.update_xaxes(categoryorder="array", categoryarray=[esc(t, max_chars=30) for t in topics],
                     tickangle=-35, title=None)
    fig.update_yaxes(categoryorder="array",
                     categoryarray=[esc(c, max_chars=30) for c in reversed(countries)], title=None)
    return _layout(fig, title, max(300, 80 + size * len(countries)))


def ranked_bars(df: pd.DataFrame, label_col: str, value_col: str, title: str | None = None,
                hover_cols: tuple[str, ...] = (), percent: bool = False) -> go.Figure:
    """Horizontal bars, largest on top (rising topics, most active officials…)."""
    if df.empty:
        return empty_figure("Nothing to show for these filters.")
    d = df.iloc[::-1]
    text = []
    for r in d.to_dict("records"):
        parts = [f"<b>{esc(r[label_col])}</b>"]
        parts += [f"{esc(c)}: {esc(_fmt(r[c]))}" for c in hover_cols]
        text.append("<br>".join(parts))
    fig = go.Figure(go.Bar(
        x=[float(v) for v in d[value_col]], y=[esc(v, max_chars=40) for v in d[label_col]], orientation="h",
        text=text, hovertemplate=_HOVER, textposition="none",
    ))
    if percent:
        fig.update_xaxes(tickformat=".0%")
    return _layout(fig, title, max(220, 50 + 24 * len(d)))


def kind_bars(rows: list[dict[str, Any]], title: str | None = None) -> go.Figure:
    """Stacked bars of events per period by kind, from ``{"period", "kind", "n"}`` rows (the
    briefing's timeline table); periods stay in the order given."""
    if not rows:
        return empty_figure("No dated event in this scope.")
    df = pd.DataFrame(rows)
    fig = go.Figure()
    for kind, g in df.groupby("kind", sort=False):
        fig.add_bar(x=[esc(p) for p in g["period"]], y=list(g["n"]), name=esc(kind),
                    text=[f"{esc(p)}: {n} {esc(kind).lower()}" for p, n in zip(g["period"], g["n"])],
                    hovertemplate=_HOVER, textposition="none")
    fig.update_layout(barmode="stack")
    fig.update_xaxes(type="category")
    fig.update_yaxes(title="events")
    return _layout(fig, title, 300)


def roles_timeline(roles: pd.DataFrame, title: str | None = None) -> go.Figure:
    """Each (title, country) role as a line from first to last seen."""
    roles = roles[roles["first_seen"].notna()] if not roles.empty else roles
    if roles.empty:
        return empty_figure("No dated roles recorded.")
    fig = go.Figure()
    for r in roles.to_dict("records"):
        label = esc(f"{r['title']} ({r['country'] or '?'})", max_chars=60)
        hover = (f"<b>{label}</b><br>first seen {esc(r['first_seen'])}, last seen "
                 f"{esc(r['last_seen'])}<br>{int(r['articles'])} article(s)")
        fig.add_trace(go.Scatter(
            x=_dates([r["first_seen"], r["last_seen"] or r["first_seen"]]), y=[label, label],
            mode="lines+markers", line={"width": 8}, showlegend=False, text=[hover, hover],
            hovertemplate=_HOVER,
        ))
    return _layout(fig, title, max(160, 60 + 34 * len(roles)))


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.2f}" if abs(v) >= 1 or v == 0 else f"{v:.1%}"
    return str(v)


def warm_up() -> None:
    """Draw one small figure of every kind above, on made-up rows (no store is read), and
    serialise it as ``st.plotly_chart`` does (``to_dict``, then JSON). Plotly loads the
    validators of each trace and layout property on first use, and pandas its Arrow group-by
    on the first ``groupby`` of text: together about a tenth of a second that would otherwise
    fall on an analyst's first chart page. The dashboard runs this once per server process, in
    the background, after its first page (``pages/_common.warm_up``)."""
    days = ["2025-01-01", "2025-02-01"]
    events = pd.DataFrame({"id": [1, 2], "date": days, "kind": [model.VISIT, model.MEETING],
                           "status": [model.OCCURRED, model.PLANNED], "pair": ["A → B", "A → B"],
                           "place": ["P", None], "participants": ["X", "Y"], "evidence": ["S", "S"],
                           "title": ["T", "T"], "reports": [1, 2], "outlets": [1, 1]})
    lines = pd.DataFrame({"period": days, "topic_id": ["t", "t"], "label": ["T", "T"], "n": [1, 2],
                          "total": [4, 5], "share": [0.25, 0.4], "drawn": [True, True]})
    trend = {"lines": lines, "periods": pd.DataFrame({"period": days, "total": [4, 5], "enough": [True, False]}),
             "min_articles": 1, "baseline_lines": lines,
             "baseline": pd.DataFrame({"topic_id": ["t"], "label": ["T"], "share": [0.9]})}
    matrix = pd.DataFrame({"country": ["A"], "code": ["AAA"], "label": ["T"], "topic_id": ["t"], "n": [1],
                           "country_articles": [2], "share": [0.5]})
    roles = pd.DataFrame({"title": ["T"], "country": ["AAA"], "first_seen": [days[0]], "last_seen": [days[1]],
                          "articles": [1]})
    for fig in (events_timeline(events, "pair"), topic_lines(trend), country_topic_heatmap(matrix),
                ranked_bars(lines, "label", "share", None, ("n",), percent=True),
                kind_bars([{"period": "2025-01", "kind": model.VISIT, "n": 1}]), roles_timeline(roles),
                empty_figure("")):
        pio.to_json(fig.to_dict(), validate=False)
