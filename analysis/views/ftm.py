"""The store as FollowTheMoney entities, for Aleph and the other tools of that ecosystem.

One entity per line (``followthemoney`` JSON), each built with the library and validated by its
schema before it is written:

- a person -> ``Person`` (name, aliases, nationality, the titles held as ``position``);
- an organisation -> ``Organization``; a country -> ``Territory``; a place -> ``Address``;
- an article -> ``Article`` (title, body, publication date, outlet as publisher, URL);
- an event -> ``Event`` (name, date, place as ``location``, countries, the participants as
  ``involved``, the host as ``organizer``, the evidence sentence as ``summary``, its articles
  as ``proof``);
- each report of an event -> ``Documentation`` linking the article to the event, with the
  sentence that says so.

Ids are derived from Chancery's stable keys, so a re-export gives the same ids. The store's
events are curated: rejected events are not exported, corrected ones are exported corrected.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from analysis import model
from analysis.store import as_reader

from .filters import NO_FILTERS, Filters
from .queries import Source

PREFIX = "chancery"
_SCHEMA = {model.PERSON: "Person", model.ORGANIZATION: "Organization", model.COUNTRY: "Territory",
           model.PLACE: "Address"}


def _iso2(code: str | None) -> str | None:
    if not isinstance(code, str) or len(code) != 3:
        return None
    import pycountry

    try:
        c = pycountry.countries.get(alpha_3=code)
    except LookupError:
        c = None
    return c.alpha_2.lower() if c else None


def _make(schema: str, *key: Any):
    from followthemoney import model as ftm

    proxy = ftm.make_entity(schema)
    proxy.make_id(PREFIX, *[str(k) for k in key])
    return proxy


def _valid(proxy) -> dict[str, Any]:
    data = proxy.to_dict()
    proxy.schema.validate(data)  # raises followthemoney.exc.InvalidData
    return data


def entities(source: Source, f: Filters = NO_FILTERS) -> Iterator[dict[str, Any]]:
    """Every entity, article, event and report of the store under the filters' period and
    countries, as validated FollowTheMoney dicts (entities first, then articles, events and
    their documentation)."""
    ev_where, ev_params = f.event_conditions()
    with as_reader(source).session() as conn:
        events = conn.df(f"SELECT ev.* FROM events ev {'WHERE ' + ' AND '.join(ev_where) if ev_where else ''}"
                         " ORDER BY ev.id", ev_params)
        event_ids = [int(i) for i in events["id"]]
        parts = conn.df("SELECT p.event_id, p.role, e.key, e.name FROM event_participants p JOIN entities e"
                        " ON e.id = p.entity_id") if event_ids else None
        reports = conn.df("SELECT r.event_id, r.article_id, r.evidence, r.date FROM reports r"
                          " WHERE r.event_id IS NOT NULL") if event_ids else None
        aw, ap = f.article_conditions()
        articles = conn.df(f"SELECT a.id, a.title, a.text, a.published, a.outlet, a.url, a.content_hash, a.language"
                           f" FROM articles a {'WHERE ' + ' AND '.join(aw) if aw else ''} ORDER BY a.id", ap)
        ents = conn.df("SELECT id, key, name, kind, country FROM entities ORDER BY id")
        aliases = conn.df("SELECT entity_id, alias FROM entity_aliases")
        roles = conn.df("SELECT entity_id, title, country FROM roles WHERE title IS NOT NULL")
    ids = {}
    alias_of: dict[int, list[str]] = {}
    for r in aliases.itertuples():
        alias_of.setdefault(int(r.entity_id), []).append(r.alias)
    roles_of: dict[int, list[str]] = {}
    for r in roles.itertuples():
        roles_of.setdefault(int(r.entity_id), []).append(r.title)
    for e in ents.itertuples():
        schema = _SCHEMA.get(e.kind)
        if not schema:
            continue
        proxy = _make(schema, e.key)
        ids[e.key] = proxy.id
        if schema == "Address":
            proxy.add("full", e.name)
        else:
            proxy.add("name", e.name)
        for a in alias_of.get(int(e.id), []):
            if a != e.name and schema != "Address":
                proxy.add("alias", a)
        code = _iso2(e.country)
        if code:
            proxy.add("nationality" if schema == "Person" else "country", code)
        if schema == "Person":
            for t in roles_of.get(int(e.id), []):
                proxy.add("position", t)
        proxy.add("keywords", e.key)
        yield _valid(proxy)
    art_ids: dict[int, str] = {}
    for a in articles.itertuples():
        proxy = _make("Article", "article", a.content_hash)
        art_ids[int(a.id)] = proxy.id
        proxy.add("title", a.title or f"article {a.id}")
        proxy.add("bodyText", a.text)
        if isinstance(a.published, str):
            proxy.add("publishedAt", a.published[:10])
        if isinstance(a.outlet, str) and a.outlet:
            proxy.add("publisher", a.outlet)
        if isinstance(a.url, str) and a.url:
            proxy.add("sourceUrl", a.url)
        if isinstance(a.language, str) and a.language:
            proxy.add("language", a.language)
        yield _valid(proxy)
    by_event: dict[int, list[tuple[str, str, str]]] = {}
    if parts is not None:
        for r in parts.itertuples():
            by_event.setdefault(int(r.event_id), []).append((r.role, r.key, r.name))
    reps: dict[int, list[Any]] = {}
    if reports is not None:
        for r in reports.itertuples():
            reps.setdefault(int(r.event_id), []).append(r)
    labels = model.vocabulary()["event_kinds"]
    for ev in events.itertuples():
        proxy = _make("Event", "event", ev.key)
        people = by_event.get(int(ev.id), [])
        names = list(dict.fromkeys(n for _, _, n in people))
        place = ev.destination_place if isinstance(ev.destination_place, str) else ev.place
        title = labels.get(ev.kind, {}).get("label", ev.kind)
        proxy.add("name", f"{title}: {', '.join(names[:4]) or 'unnamed sides'}"
                          f"{' in ' + place if isinstance(place, str) and place else ''}"
                          f"{', ' + ev.date if isinstance(ev.date, str) and ev.date else ''}")
        if isinstance(ev.date, str) and ev.date:
            proxy.add("date", ev.date)
        if isinstance(place, str) and place:
            proxy.add("location", place)
        for code in {ev.country, ev.destination_country, ev.visitor_country}:
            iso = _iso2(code if isinstance(code, str) else None)
            if iso:
                proxy.add("country", iso)
        for role, key, _ in people:
            if key in ids:
                proxy.add("organizer" if role == model.HOST else "involved", ids[key])
        if isinstance(ev.evidence, str):
            proxy.add("summary", ev.evidence)
        proxy.add("description", f"{title}, {ev.status or 'status unknown'}; Chancery key {ev.key}"
                                 f"{'; corrected by an analyst' if isinstance(ev.curated, str) and ev.curated else ''}")
        proxy.add("keywords", ev.key)
        for r in reps.get(int(ev.id), []):
            if int(r.article_id) in art_ids:
                proxy.add("proof", art_ids[int(r.article_id)])
        yield _valid(proxy)
        for n, r in enumerate(reps.get(int(ev.id), [])):
            if int(r.article_id) not in art_ids:
                continue
            doc = _make("Documentation", "report", ev.key, int(r.article_id), n)
            doc.add("document", art_ids[int(r.article_id)])
            doc.add("entity", proxy.id)
            doc.add("role", "reports")
            if isinstance(r.evidence, str):
                doc.add("summary", r.evidence)
            if isinstance(r.date, str) and r.date:
                doc.add("date", r.date)
            yield _valid(doc)


def export_lines(source: Source, f: Filters = NO_FILTERS) -> Iterator[str]:
    """:func:`entities` as JSON Lines."""
    for e in entities(source, f):
        yield json.dumps(e, ensure_ascii=False, sort_keys=True) + "\n"


def export_text(source: Source, f: Filters = NO_FILTERS) -> str:
    """The whole export as one JSON Lines string (the Data page's download)."""
    return "".join(export_lines(source, f))
