"""Resolving a date expression against the publication date ("on Monday", "next week",
"December 23, 2024") with dateparser; durations and vague expressions give None.

A month without a day ("in June 2024", "in April") resolves separately, to ``YYYY-MM``, by
:func:`resolve_month`: the facts' own convention where only the month is sure."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from functools import lru_cache

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_RELATIVE = {"today": 0, "tonight": 0, "yesterday": -1, "tomorrow": 1}
_DURATION = re.compile(r"\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten|several|few)"
                       r"[- ](day|week|month|year)s?\b(?! ago)", re.IGNORECASE)
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _ref(published: str | None) -> date | None:
    if published and _ISO.match(published[:10]):
        try:
            return date.fromisoformat(published[:10])
        except ValueError:
            return None
    return None


def is_specific(text: str) -> bool:
    """True when ``text`` names a day: a month name with a day or year, a weekday, today...,
    or next/last/this week; False for durations ("three days") and vague words ("recently")."""
    t = text.lower()
    if _DURATION.search(t):
        return False
    words = re.findall(r"[a-z]+|\d+", t)
    if any(w in _RELATIVE for w in words) or any(w in _WEEKDAYS for w in words):
        return True
    if "week" in words and any(w in ("next", "last", "this") for w in words):
        return True
    has_month = any(w[:3] in _MONTHS for w in words if w.isalpha() and len(w) >= 3)
    has_num = any(w.isdigit() for w in words)
    return bool(has_month and has_num) or bool(re.search(r"\d{4}-\d{2}-\d{2}", t))


@lru_cache(maxsize=4096)
def resolve_date(text: str, published: str | None = None, prefer: str = "past") -> str | None:
    """The ISO date (YYYY-MM-DD) a date expression refers to, or None.

    :param text: the expression, e.g. "on Monday", "next week", "December 23, 2024".
    :param published: the article's publication date (YYYY-MM-DD), the reference for relative
        expressions; without it only absolute dates resolve.
    :param prefer: "past" for things that happened, "future" for planned ones.
    """
    text = " ".join(text.replace("’", "'").split())
    text = re.sub(r"^(on|by|from|since|until|this|the|evening of|morning of)\s+", "", text, flags=re.IGNORECASE)
    text = re.sub(r"^the\s+(evening|morning|afternoon|night)\s+of\s+", "", text, flags=re.IGNORECASE)
    if not text or not is_specific(text):
        return None
    ref = _ref(published)
    low = text.lower()
    words = low.split()
    if low in _RELATIVE:
        return (ref + timedelta(days=_RELATIVE[low])).isoformat() if ref else None
    has_year = bool(re.search(r"\b(19|20)\d{2}\b", text))
    if ref is None and not has_year:
        return None
    if ref is not None and ("week" in words):
        delta = {"next": 7, "last": -7, "this": 0}.get(words[0], None)
        if delta is None:
            return None
        return (ref + timedelta(days=delta)).isoformat()
    wd = [w for w in words if w in _WEEKDAYS]
    if wd and not has_year and not any(w[:3] in _MONTHS for w in words if w not in _WEEKDAYS):
        if ref is None:
            return None
        target = _WEEKDAYS.index(wd[0])
        if prefer == "future" or words[0] == "next":
            delta = (target - ref.weekday()) % 7 or 7
        else:
            delta = -((ref.weekday() - target) % 7)
        return (ref + timedelta(days=delta)).isoformat()
    import dateparser  # slow to import: only when a date must be resolved

    base = datetime.combine(ref, datetime.min.time()) if ref else datetime(2000, 1, 1)
    settings = {"RELATIVE_BASE": base, "PREFER_DATES_FROM": prefer,
                "REQUIRE_PARTS": ["day"], "RETURN_AS_TIMEZONE_AWARE": False,
                "PREFER_DAY_OF_MONTH": "first"}
    try:
        dt = dateparser.parse(text, languages=["en"], settings=settings)
    except Exception:  # noqa: BLE001 - dateparser raises assorted errors on odd input
        return None
    if dt is None:
        return None
    return dt.date().isoformat()


_MONTH_ONLY = re.compile(
    r"^(?:in\s+|early\s+|mid-?\s*|late\s+|the\s+end\s+of\s+|end\s+of\s+)*"
    r"(january|february|march|april|may|june|july|august|september|october|november|december|"
    r"jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\.?(?:,?\s+((?:19|20)\d{2}))?$",
    re.IGNORECASE,
)


@lru_cache(maxsize=4096)
def resolve_month(text: str, published: str | None = None, prefer: str = "past") -> str | None:
    """The month (YYYY-MM) of an expression that names a month but no day, or None.

    "June 2024" gives 2024-06 whatever the reference; a bare "April" is the last April at or
    before the publication date ("past") or the next one at or after it ("future").
    """
    m = _MONTH_ONLY.match(" ".join(text.split()))
    if not m:
        return None
    month = _MONTHS.index(m.group(1).lower()[:3]) + 1
    if m.group(2):
        return f"{int(m.group(2)):04d}-{month:02d}"
    ref = _ref(published)
    if ref is None:
        return None
    year = ref.year
    if prefer == "future" and month < ref.month:
        year += 1
    elif prefer != "future" and month > ref.month:
        year -= 1
    return f"{year:04d}-{month:02d}"


_YEAR_ONLY = re.compile(r"^(?:in\s+|early\s+|mid-?\s*|late\s+|the\s+end\s+of\s+|end\s+of\s+)*((?:19|20)\d{2})$",
                        re.IGNORECASE)
_RELATIVE_PERIOD = re.compile(
    r"^(?:(?:earlier|later|early|late)\s+)?(?:in\s+)?(?:the\s+)?(this|last|next|previous|past|following|coming)\s+"
    r"(month|year)$", re.IGNORECASE)
_PERIOD_DELTA = {"this": 0, "last": -1, "previous": -1, "past": -1, "next": 1, "following": 1, "coming": 1}


@lru_cache(maxsize=4096)
def resolve_period(text: str, published: str | None = None) -> str | None:
    """The month (``YYYY-MM``) or year (``YYYY``) of an expression that names no day: "in 2023"
    -> ``2023``; "last month", "earlier this month" -> the month before / of the publication
    date; "this year", "earlier this year", "last year" -> its year / the year before. None for
    anything else (a month name: :func:`resolve_month`)."""
    t = " ".join(text.replace("’", "'").split())
    m = _YEAR_ONLY.match(t)
    if m:
        return m.group(1)
    m = _RELATIVE_PERIOD.match(t)
    ref = _ref(published)
    if not m or ref is None:
        return None
    delta = _PERIOD_DELTA[m.group(1).lower()]
    if m.group(2).lower() == "year":
        return f"{ref.year + delta:04d}"
    months = ref.year * 12 + ref.month - 1 + delta
    return f"{months // 12:04d}-{months % 12 + 1:02d}"
