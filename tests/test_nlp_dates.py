"""Date resolution against the publication date."""
from __future__ import annotations

import pytest

from analysis.extract.dates import is_specific, resolve_date


@pytest.mark.parametrize("text, published, prefer, expected", [
    ("December 23, 2024", None, "past", "2024-12-23"),
    ("the evening of December 23, 2024", None, "past", "2024-12-23"),
    ("on Monday", "2004-10-14", "past", "2004-10-11"),        # a Thursday: the Monday before
    ("Monday", "2004-10-14", "future", "2004-10-18"),          # planned: the Monday after
    ("Thursday", "2004-10-14", "past", "2004-10-14"),          # same day
    ("next week", "2004-10-14", "future", "2004-10-21"),
    ("yesterday", "2004-10-14", "past", "2004-10-13"),
    ("tomorrow", "2004-10-14", "future", "2004-10-15"),
    ("Oct 12", "2004-10-14", "past", "2004-10-12"),
    ("Dec. 5", "2004-10-14", "past", "2003-12-05"),            # the last December 5
    ("Dec. 5", "2004-10-14", "future", "2004-12-05"),
    ("Monday", None, "past", None),                            # no reference date
    ("three days", "2004-10-14", "past", None),                # a duration
    ("two-day", "2004-10-14", "past", None),
    ("recently", "2004-10-14", "past", None),
    ("2024", "2004-10-14", "past", None),                      # a year is not a day
    ("last month", "2004-10-14", "past", None),
])
def test_resolve_date(text, published, prefer, expected):
    assert resolve_date(text, published, prefer) == expected


def test_is_specific():
    assert is_specific("May 6") and not is_specific("the past five years")


@pytest.mark.parametrize("text, published, prefer, expected", [
    ("June 2024", "2025-01-01", "past", "2024-06"),
    ("in February 2023", None, "past", "2023-02"),
    ("April", "2025-05-30", "past", "2025-04"),
    ("June", "2025-05-30", "past", "2024-06"),
    ("June", "2025-05-30", "future", "2025-06"),
    ("Sept. 2024", None, "past", "2024-09"),
    ("April", None, "past", None),          # no reference: unknown, never guessed
    ("Monday", "2025-01-01", "past", None),  # a day, not a month: resolve_date's job
    ("three months", "2025-01-01", "past", None),
    ("December 23, 2024", None, "past", None),
])
def test_month_without_a_day(text, published, prefer, expected):
    from analysis.extract.dates import resolve_month

    assert resolve_month(text, published, prefer) == expected


def test_background_visit_gets_its_month_not_the_article_date():
    from analysis.extract import extract

    out = extract({"id": "m", "published": "2025-05-30", "clean": True,
                   "text": "Pakistan's Deputy Prime Minister Ishaq Dar paid a one-day visit to Kabul in April "
                           "for talks on security and trade."})
    (visit,) = [e for e in out["events"] if e["kind"] == "visit"]
    assert visit["date"] == "2025-04"


def test_month_of_another_clause_is_not_the_visit_date():
    from analysis.extract import extract

    out = extract({"id": "r", "published": "2025-04-19", "clean": True,
                   "text": "Pakistan's special representative for Afghanistan, Mohammad Sadiq, who was "
                           "reappointed in December 2024, had held talks in Kabul with Muttaqi."})
    assert all(e.get("date") != "2024-12" for e in out["events"])
