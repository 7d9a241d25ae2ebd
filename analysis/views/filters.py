"""The dashboard's filters and the SQL pieces every view shares, each defined once.

:class:`Filters` is the one value the global filters travel as (pages, queries, the network,
later briefings). It builds its own SQL conditions (:meth:`Filters.article_conditions`,
:meth:`Filters.event_conditions`) and says in words what it keeps (:meth:`Filters.describe`),
as Datasette's ``filters.py`` does.

Definitions (one each; docs/ARCHITECTURE.md repeats them):

- **an event** is a real-world happening merged from its *reports* (the sentences that report
  it, ``reports``; :mod:`analysis.store.events`); articles relate to events through reports;
- **an event's day** (:func:`event_day`): the event's own date (``YYYY-MM-DD``, ``YYYY-MM`` or
  ``YYYY``) when a report gives one, else the publication date of its best report's article,
  and none for a background mention without a date;
- **a visit's host country** (:func:`host_country`): the destination's country, else the
  country of the place where the event happened;
- **an event's place** (:func:`event_place`): the visit's destination place, else the place of
  the event;
- **an event involves a country** (:func:`event_involves`): it is the visitor's or host's
  country, the country of its place, or the country of a participant;
- **an event is between two countries** (:func:`between`): a visit from one to the other, in
  either direction, or another event (meeting, talks, agreement…) with participants of both;
  an article is between them when it concerns both;
- **an article concerns a country** (:func:`articles_concerning`): it mentions an entity of
  that country (the country itself, a place in it, one of its officials) or reports an event
  involving it (:data:`ARTICLE_COUNTRIES` is the same relation as pairs);
- **not cancelled** / **took place** (:func:`not_cancelled`, :func:`took_place`): statuses from
  :mod:`analysis.model`; an event without a status took place.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from analysis import model


def marks(values: Sequence[Any]) -> str:
    """``?, ?, ?`` for a list of bound values."""
    return ", ".join("?" for _ in values)


def and_where(where: Iterable[str]) -> str:
    """`` WHERE a AND b`` (or nothing)."""
    w = list(where)
    return (" WHERE " + " AND ".join(w)) if w else ""


def quoted(value: str) -> str:
    """A vocabulary word (a kind or status from :mod:`analysis.model`) as an SQL literal."""
    return "'" + str(value).replace("'", "''") + "'"


def kinds_in(kinds: Iterable[str], ev: str = "ev") -> str:
    """Condition: the event is of one of these kinds (vocabulary words, written as literals)."""
    return f"{ev}.kind IN ({', '.join(quoted(k) for k in kinds)})"


# --- shared fragments -------------------------------------------------------------------------

def event_day(ev: str = "ev") -> str:
    """SQL for an event's day: its own date, else (news of the day, not a background mention)
    the publication date of its best report's article; NULL for a background mention without a
    date. It is kept at write time in ``events.day`` (schema 7, ``analysis/store/events.py``
    :data:`~analysis.store.events.DAY_SQL`), so no article needs joining."""
    return f"{ev}.day"


def host_country(ev: str = "ev") -> str:
    """SQL for a visit's host country."""
    return f"COALESCE({ev}.destination_country, {ev}.country)"


def event_place(ev: str = "ev") -> str:
    """SQL for an event's place."""
    return f"COALESCE({ev}.destination_place, {ev}.place)"


def not_cancelled(ev: str = "ev") -> str:
    return f"COALESCE({ev}.status, '') != {quoted(model.CANCELLED)}"


def took_place(ev: str = "ev") -> str:
    return f"COALESCE({ev}.status, {quoted(model.default_status())}) = {quoted(model.OCCURRED)}"


def event_involves(n: int, ev: str = "ev") -> tuple[str, int]:
    """Condition "the event involves one of ``n`` countries" and how many times the list of
    codes is bound (params: ``codes * times``)."""
    m = ", ".join("?" * n)
    return (f"({ev}.visitor_country IN ({m}) OR {ev}.destination_country IN ({m})"
            f" OR {ev}.country IN ({m}) OR {ev}.id IN (SELECT xp.event_id FROM event_participants xp"
            f" JOIN entities xe ON xe.id = xp.entity_id WHERE xe.country IN ({m})))"), 4


def articles_concerning(n: int) -> tuple[str, int]:
    """SELECT of the ids of articles that concern one of ``n`` countries (an entity of the
    country is mentioned, or a report names it as visitor, host or place: the relation kept at
    write time in ``article_countries``), and how many times the list of codes is bound."""
    m = ", ".join("?" * n)
    return f"SELECT DISTINCT xc.article_id FROM article_countries xc WHERE xc.code IN ({m})", 1


#: (article_id, code) for every country an article concerns (the same relation as
#: :func:`articles_concerning`, as pairs), kept at write time by analysis/store/aggregates.py.
ARTICLE_COUNTRIES = "SELECT article_id, code FROM article_countries"


def between(ev: str = "ev") -> str:
    """Condition "the event is between countries x and y, in either direction": a visit from
    one to the other (visitor's country and host country), or another event with participants
    of both countries. Bind ``pair_params(x, y)``. Written as the list of the pair's event ids
    (visits through the visitor-country index, others as the intersection of the two
    countries' participations), so a list of the pair's events reads only them."""
    visit = quoted(model.VISIT)
    host = host_country("bv")
    return (f"{ev}.id IN (SELECT bv.id FROM events bv WHERE bv.kind = {visit} AND bv.visitor_country = ? AND {host} = ?"
            f" UNION ALL SELECT bv.id FROM events bv WHERE bv.kind = {visit} AND bv.visitor_country = ? AND {host} = ?"
            " UNION ALL SELECT bx.event_id FROM (SELECT bp.event_id FROM entities be JOIN event_participants bp"
            " ON bp.entity_id = be.id WHERE be.country = ? INTERSECT SELECT bp.event_id FROM entities be"
            " JOIN event_participants bp ON bp.entity_id = be.id WHERE be.country = ?) bx"
            f" JOIN events bo ON bo.id = bx.event_id AND bo.kind != {visit})")


def pair_params(x: str, y: str) -> list[str]:
    """The parameters of :func:`between` for countries ``x`` and ``y``."""
    return [x, y, y, x, x, y]


def parse_pair(value: Any) -> tuple[str, str] | None:
    """``"PAK-AFG"`` (as in ``?pair=PAK-AFG``) -> ``("PAK", "AFG")``; None for anything that
    is not two different ISO 3166-1 alpha-3 codes joined by a hyphen."""
    if not isinstance(value, str):
        return None
    parts = value.strip().upper().split("-")
    if len(parts) != 2 or not all(len(x) == 3 and x.isalpha() and x.isascii() for x in parts):
        return None
    return (parts[0], parts[1]) if parts[0] != parts[1] else None


def pair_text(pair: Sequence[str]) -> str:
    """``("PAK", "AFG")`` -> ``"PAK-AFG"`` (the URL's form)."""
    return "-".join(pair)


def participates(n: int, ev: str = "ev", *, role: str | None = None) -> str:
    """Condition: one of ``n`` entities (by stable key) takes part in the event (in ``role``)."""
    r = f" AND xp.role = {quoted(role)}" if role else ""
    return (f"{ev}.id IN (SELECT xp.event_id FROM event_participants xp JOIN entities xe"
            f" ON xe.id = xp.entity_id WHERE xe.key IN ({', '.join('?' * n)}){r})")


# --- the filters ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Filters:
    """The dashboard's global filters (all optional; empty means "everything"). Hashable, so
    pages cache on it.

    :param start: first day included, ``YYYY-MM-DD``.
    :param end: last day included, ``YYYY-MM-DD``.
    :param countries: ISO 3166-1 alpha-3 codes: articles that concern one of them, events that
        involve one of them.
    :param people: entity keys (``person:mohammad-sadiq``), stable across re-extraction.
    :param topics: topic ids from the taxonomy.
    :param pair: two country codes, or empty: only events between them (either direction) and
        articles that concern both (the "between two countries" mode, ``?pair=PAK-AFG``).
    """

    start: str | None = None
    end: str | None = None
    countries: tuple[str, ...] = field(default_factory=tuple)
    people: tuple[str, ...] = field(default_factory=tuple)
    topics: tuple[str, ...] = field(default_factory=tuple)
    pair: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if self.pair and (len(self.pair) != 2 or self.pair[0] == self.pair[1]):
            raise ValueError(f"a pair is two different country codes, not {self.pair!r}")

    def without_topics(self) -> Filters:
        return replace(self, topics=())

    def without_people(self) -> Filters:
        return replace(self, people=())

    @property
    def end_exclusive(self) -> str | None:
        if not self.end:
            return None
        try:
            return (date.fromisoformat(self.end[:10]) + timedelta(days=1)).isoformat()
        except ValueError:
            return None

    @property
    def dated(self) -> bool:
        return bool(self.start or self.end)

    @property
    def by_subject(self) -> bool:
        """True when the filters keep articles by what they concern (countries, people, a
        pair): the counts kept at write time per day or country cannot answer then."""
        return bool(self.countries or self.people or self.pair)

    # --- SQL ------------------------------------------------------------------------------------
    def article_conditions(self, a: str = "a") -> tuple[list[str], list[Any]]:
        """WHERE conditions (and their parameters) keeping the articles (alias ``a``) the
        filters select: published in the window, concerning a country, with a person taking
        part or mentioned, carrying a topic."""
        where: list[str] = []
        params: list[Any] = []
        if self.start:
            where.append(f"{a}.published >= ?")
            params.append(self.start)
        if self.end_exclusive:
            where.append(f"{a}.published < ?")
            params.append(self.end_exclusive)
        if self.countries:
            sql, times = articles_concerning(len(self.countries))
            where.append(f"{a}.id IN ({sql})")
            params += list(self.countries) * times
        if self.people:
            p = list(self.people)
            where.append(
                f"{a}.id IN (SELECT m.article_id FROM entities e JOIN mentions m ON m.entity_id = e.id"
                f" WHERE e.key IN ({marks(p)})"
                f" UNION SELECT x.article_id FROM reports x JOIN report_participants xp ON xp.report_id = x.id"
                f" JOIN entities e ON e.id = xp.entity_id WHERE e.key IN ({marks(p)}))"
            )
            params += p * 2
        if self.topics:
            t = list(self.topics)
            where.append(f"{a}.id IN (SELECT article_id FROM article_topics WHERE topic_id IN ({marks(t)}))")
            params += t
        for code in self.pair:  # between two countries: articles that concern both
            sql, times = articles_concerning(1)
            where.append(f"{a}.id IN ({sql})")
            params += [code] * times
        return where, params

    def event_conditions(self, dates: bool = True, ev: str = "ev") -> tuple[list[str], list[Any]]:
        """WHERE conditions keeping the events (alias ``ev``; no article needs joining) the
        filters select: their day in the window, involving a country, with a person taking part,
        reported in an article with a topic, between the pair. ``dates=False`` leaves the window
        out (for queries that apply it themselves)."""
        where: list[str] = []
        params: list[Any] = []
        day = event_day(ev)
        if dates and self.start:
            # "|| '-31'" keeps a month-only date ("2024-06") in a window starting inside that
            # month; it changes nothing for a full date (equal prefixes, longer string).
            where.append(f"{day} || '-31' >= ?")
            params.append(self.start)
        if dates and self.end:
            where.append(f"{day} <= ?")
            params.append(self.end[:10])
        if self.countries:
            sql, times = event_involves(len(self.countries), ev)
            where.append(sql)
            params += list(self.countries) * times
        if self.people:
            where.append(participates(len(self.people), ev))
            params += list(self.people)
        if self.topics:
            t = list(self.topics)
            where.append(f"{ev}.id IN (SELECT r.event_id FROM reports r JOIN article_topics rt"
                         f" ON rt.article_id = r.article_id WHERE rt.topic_id IN ({marks(t)}))")
            params += t
        if self.pair:
            where.append(between(ev))
            params += pair_params(*self.pair)
        return where, params

    # --- words ----------------------------------------------------------------------------------
    def describe(self, names: dict[str, dict[str, str]] | None = None) -> str:
        """What the filters keep, in one line of plain text ("2025-01-01 to …; countries PAK,
        AFG; people mohammad-sadiq"), for captions, file names and briefings. ``names`` maps
        ``countries``/``people``/``topics`` values to display names where known."""
        names = names or {}

        def shown(kind: str, values: tuple[str, ...]) -> str:
            table = names.get(kind, {})
            if kind == "people":
                return ", ".join(table.get(v) or v.split(":", 1)[-1] for v in values)
            return ", ".join(table.get(v, v) for v in values)

        parts = []
        if self.start or self.end:
            parts.append(f"{self.start or '…'} to {self.end or '…'}")
        if self.countries:
            parts.append("countries " + shown("countries", self.countries))
        if self.people:
            parts.append("people " + shown("people", self.people))
        if self.topics:
            parts.append("topics " + shown("topics", self.topics))
        if self.pair:
            parts.append("between " + " and ".join(names.get("countries", {}).get(c, c) for c in self.pair))
        return "; ".join(parts) if parts else "no filters"


NO_FILTERS = Filters()
