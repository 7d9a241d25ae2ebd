"""Topic trends that hold up on small samples.

:func:`topic_trends` turns :func:`analysis.views.queries.topic_series` into what the Topics page
draws, by three rules:

- **every period is there**: periods of the range with no article are rows with a total of 0,
  so a line stops there instead of being drawn straight across;
- **a share needs enough articles**: a period with fewer than ``min_articles`` articles keeps
  its counts but no share (``share`` is empty, ``drawn`` false), so one or two articles never
  show as 0% or 100%;
- **a topic on (nearly) every article is a baseline**: a topic carried by at least
  :data:`BASELINE_SHARE` of the articles of the range says nothing about change; it is
  reported as a baseline (the page draws it hidden, behind a legend entry) rather than as a
  trend line that squashes the others.

:func:`auto_freq` picks the finest period (week, month, quarter, year) whose typical period
holds ``min_articles`` articles, so a small corpus opens on quarters rather than on a month
chart of gaps.

Without a start date the chart covers at most :data:`MAX_PERIODS` periods, up to the newest
article (or the filter's end): two years by week, ten by month, twenty-five by quarter, a
century by year. A store of several decades is not drawn as thousands of points nobody can read,
and the chart costs the same whatever the years the store covers; the result says where it was
cut (``clipped_from``), and a start date in the sidebar shows any earlier range.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any

import pandas as pd

from . import queries
from .filters import NO_FILTERS, Filters
from .queries import Source

#: The periods a topic chart can use, finest first.
FREQS = ("week", "month", "quarter", "year")
#: Fewest articles a period needs before its topic shares are drawn.
MIN_ARTICLES = 5
#: A topic carried by at least this share of the range's articles is a baseline, not a trend.
BASELINE_SHARE = 0.9
_PANDAS_FREQ = {"week": "W-MON", "month": "MS", "quarter": "QS", "year": "YS"}
_PERIOD_FREQ = {"week": "W-SUN", "month": "M", "quarter": "Q", "year": "Y"}
#: Most periods a chart covers when no start date is chosen.
MAX_PERIODS = {"week": 104, "month": 120, "quarter": 100, "year": 100}


def period_range(first: str, last: str, freq: str) -> list[str]:
    """Every period start (``YYYY-MM-DD``) from the period holding ``first`` to the one
    holding ``last``."""
    if freq not in _PANDAS_FREQ:
        raise ValueError(f"freq must be one of {', '.join(FREQS)}, not {freq!r}")
    lo, hi = pd.Timestamp(first[:10]), pd.Timestamp(last[:10])
    if freq == "week":
        lo = lo - pd.Timedelta(days=lo.weekday())
    else:
        lo = lo.to_period({"month": "M", "quarter": "Q", "year": "Y"}[freq]).start_time
    return [d.date().isoformat() for d in pd.date_range(lo, hi, freq=_PANDAS_FREQ[freq])]


def window_start(last: str, freq: str, periods: int) -> str:
    """The first day of the ``periods`` periods of ``freq`` ending with the one holding ``last``."""
    p = pd.Period(pd.Timestamp(last[:10]), _PERIOD_FREQ[freq])
    return (p - (periods - 1)).start_time.date().isoformat()


def _totals(series: pd.DataFrame) -> pd.DataFrame:
    return series[["period", "total"]].drop_duplicates("period").sort_values("period")


def auto_freq(source: Source, f: Filters = NO_FILTERS, min_articles: int = MIN_ARTICLES) -> str:
    """The finest of :data:`FREQS` whose median period (empty ones included, from the first
    article to the last) holds at least ``min_articles`` articles; ``year`` when none does.
    Without a start date it is judged on the month chart's window (the last
    ``MAX_PERIODS["month"]`` months up to the newest article), so its cost does not grow with
    the years a store covers."""
    if not f.start:
        first, last = queries.article_day_range(source, f)
        if first and last and first < window_start(last, "month", MAX_PERIODS["month"]):
            f = replace(f, start=window_start(last, "month", MAX_PERIODS["month"]))
    month = queries.period_totals(source, f, "month")
    if month.empty:
        return "month"
    per_month = pd.Series(month["total"].to_numpy(), index=pd.to_datetime(month["period"]))
    full = per_month.reindex(pd.to_datetime(period_range(month["period"].iloc[0], month["period"].iloc[-1],
                                                         "month")), fill_value=0)
    if full.median() >= 4 * min_articles:  # weeks are worth asking for
        week = queries.period_totals(source, f, "week")
        weeks = pd.Series(week["total"].to_numpy(), index=week["period"]).reindex(
            period_range(week["period"].iloc[0], week["period"].iloc[-1], "week"), fill_value=0)
        if weeks.median() >= min_articles:
            return "week"
    if full.median() >= min_articles:
        return "month"
    for freq, rule in (("quarter", "QS"), ("year", "YS")):
        if full.resample(rule).sum().median() >= min_articles:
            return freq
    return "year"


def topic_trends(source: Source, f: Filters = NO_FILTERS, freq: str = "month",
                 min_articles: int = MIN_ARTICLES, max_periods: int | None = None) -> dict[str, Any]:
    """The topic chart's data under the three rules of the module docstring, over at most
    ``max_periods`` periods (default :data:`MAX_PERIODS`) when the filters give no start date.

    :returns: ``freq``, ``min_articles``;
        ``periods``: ``period, total, enough`` for every period of the range;
        ``lines``: ``period, topic_id, label, n, total, share, drawn`` for every trend topic and
        period (``share`` empty where not drawn);
        ``baseline``: ``topic_id, label, n, total, share`` of the baseline topics (their share
        of all the range's articles), with their per-period rows in ``baseline_lines``;
        ``articles``: articles in the range; ``thin``: periods with articles but too few;
        ``clipped_from``: the first day drawn when older articles were left out, else None.
    """
    min_articles = max(1, int(min_articles))
    if freq not in _PANDAS_FREQ:
        raise ValueError(f"freq must be one of {', '.join(FREQS)}, not {freq!r}")
    clipped_from = None
    cap = MAX_PERIODS[freq] if max_periods is None else int(max_periods)
    if cap > 0 and not f.start:
        first, last = queries.article_day_range(source, f)
        if last and first:
            start = window_start(last, freq, cap)
            if first < start:
                clipped_from = start
                f = replace(f, start=start)
    series = queries.topic_series(source, f, freq)
    cols = ["period", "topic_id", "label", "n", "total", "share", "drawn"]
    if series.empty:
        empty = pd.DataFrame(columns=cols)
        return {"freq": freq, "min_articles": min_articles, "articles": 0, "thin": 0, "clipped_from": None,
                "periods": pd.DataFrame(columns=["period", "total", "enough"]),
                "lines": empty, "baseline": pd.DataFrame(columns=["topic_id", "label", "n", "total", "share"]),
                "baseline_lines": empty}
    totals = _totals(series)
    every = period_range(str(totals["period"].iloc[0]), str(totals["period"].iloc[-1]), freq)
    periods = totals.set_index("period")["total"].reindex(every, fill_value=0).rename("total").reset_index()
    periods = periods.rename(columns={"index": "period"})
    periods["total"] = periods["total"].astype(int)
    periods["enough"] = periods["total"] >= min_articles
    articles = int(periods["total"].sum())

    labels = series.drop_duplicates("topic_id").set_index("topic_id")["label"]
    grid = pd.MultiIndex.from_product([every, list(labels.index)], names=["period", "topic_id"])
    lines = (series.set_index(["period", "topic_id"])["n"].reindex(grid, fill_value=0).reset_index())
    lines["label"] = lines["topic_id"].map(labels)
    lines = lines.merge(periods, on="period", how="left")
    lines["drawn"] = lines["enough"]
    lines["share"] = [n / t if d and t else None for n, t, d in zip(lines["n"], lines["total"], lines["drawn"])]
    lines = lines[cols]

    overall = lines.groupby(["topic_id", "label"], as_index=False)["n"].sum()
    overall["total"] = articles
    overall["share"] = overall["n"] / max(articles, 1)
    is_base = (overall["share"] >= BASELINE_SHARE) & (overall["n"] >= min_articles)
    baseline = overall[is_base].sort_values("share", ascending=False).reset_index(drop=True)
    base_ids = set(baseline["topic_id"])
    return {
        "freq": freq, "min_articles": min_articles, "articles": articles, "clipped_from": clipped_from,
        "thin": int(((periods["total"] > 0) & ~periods["enough"]).sum()),
        "periods": periods,
        "lines": lines[~lines["topic_id"].isin(base_ids)].reset_index(drop=True),
        "baseline": baseline,
        "baseline_lines": lines[lines["topic_id"].isin(base_ids)].reset_index(drop=True),
    }
