"""Date resolution against the publication date."""
from __future__ import annotations

import pytest

from analysis.nlp.dates import is_specific, resolve_date


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
