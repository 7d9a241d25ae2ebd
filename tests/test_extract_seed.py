"""End to end: ``python -m analysis extract`` on the seed page meets every item of
../shared/gold/seed-000.json; plus the output contract and ``extract_many``."""
from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from analysis import config
from analysis.extract.resources import norm
from tests.conftest import shared_path


@pytest.fixture(scope="module")
def gold():
    return json.loads(shared_path("gold", "seed-000.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def out(gold):
    seed = shared_path(gold["file"])
    proc = subprocess.run([sys.executable, "-m", "analysis", "extract", str(seed)],
                          cwd=config.REPO_ROOT, capture_output=True, text=True, timeout=600,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 1
    return json.loads(lines[0])


def entity(out, name):
    found = [e for e in out["entities"] if e["name"] == name]
    assert len(found) == 1, f"{name}: {len(found)} entities"
    return found[0]


def test_article_body_and_title(out, gold):
    art = gold["article"]
    assert out["title"] == art["title"]
    assert out["text"].startswith(art["body_starts_with"])
    assert out["text"].rstrip().endswith(art["body_ends_with"])
    for teaser in art["teaser_titles_not_in_body"]:
        assert teaser not in out["text"]


def test_people_with_country_roles_and_aliases(out, gold):
    for person in gold["people"]:
        e = entity(out, person["name"])
        assert e["kind"] == "person" and e["country"] == person["country"], e
        titles = {norm(r["title"]) for r in e["roles"]}
        for role in person["roles"]:
            assert norm(role) in titles, (person["name"], role, titles)
        for r in e["roles"]:
            assert r["country"] == person["country"] and r["evidence"] in out["text"]
        aliases = {norm(a) for a in e["aliases"]}
        for alias in person["aliases"]:
            assert norm(alias) in aliases, (person["name"], alias, aliases)
    assert len([e for e in out["entities"] if e["kind"] == "person"]) == len(gold["people"])


def test_distinct_people_stay_apart(out, gold):
    for a, b in gold["distinct_people"]:
        ea, eb = entity(out, a), entity(out, b)
        assert b not in ea["aliases"] and a not in eb["aliases"]
        assert not set(ea["aliases"]) & set(eb["aliases"])


def test_countries_organizations_places(out, gold):
    countries = {e["country"] for e in out["entities"] if e["kind"] == "country"}
    assert set(gold["countries"]) == countries
    for org in gold["organizations"]:
        e = entity(out, org["name"])
        assert e["kind"] == "organization"
        assert set(org["aliases"]) <= set(e["aliases"])
        if "country" in org:
            assert e["country"] == org["country"]
    for place in gold["places"]:
        e = entity(out, place["name"])
        assert e["kind"] == "place" and e["country"] == place["country"]


def test_no_teaser_or_furniture_entities(out, gold):
    names = {norm(n) for e in out["entities"] for n in [e["name"], *e["aliases"]]}
    for junk in gold["not_entities_of_this_article"]:
        assert norm(junk) not in names, junk


def test_visit(out, gold):
    for g in [e for e in gold["events"] if e["kind"] == "visit"]:
        visits = [e for e in out["events"] if e["kind"] == "visit"]
        assert any(all(v.get(k) == g[k] for k in g) for v in visits), (g, visits)
    assert len([e for e in out["events"] if e["kind"] == "visit"]) == 1


def test_meetings(out, gold):
    meetings = [e for e in out["events"] if e["kind"] == "meeting"]
    for g in [e for e in gold["events"] if e["kind"] == "meeting"]:
        ok = [m for m in meetings if set(g["participants"]) <= set(m["participants"])
              and m["country"] == g["country"] and m["place"] == g["place"]
              and m["cameo"] == g["cameo"]
              and g["date_between"][0] <= (m["date"] or "") <= g["date_between"][1]
              and set(g.get("also_present", [])) <= set(m.get("also_present", []))]
        assert ok, (g, meetings)


def test_optional_events(out, gold):
    for g in gold["optional_events"]:
        if g["kind"] == "attack":
            assert any(e["kind"] == "attack" and e["target"] == g["target"]
                       and e["perpetrator"] == g["perpetrator"] and e["date"] == g["date"]
                       for e in out["events"])
        else:
            assert any(e["kind"] == "statement" and e["speaker"] == g["speaker"]
                       and e["quote"].startswith(g["quote_starts_with"]) for e in out["events"])


def test_every_event_has_its_evidence_sentence(out):
    names = {e["name"] for e in out["entities"]}
    assert out["events"]
    for ev in out["events"]:
        assert ev["evidence"] and out["text"][ev["start"]:ev["end"]] == ev["evidence"]
        assert isinstance(ev["sentence_index"], int)
        for field in ("visitor", "speaker", "target", "perpetrator"):
            assert ev.get(field) is None or ev[field] in names
        assert set(ev.get("participants", [])) <= names


def test_topics(out, gold):
    assert all(t["evidence"] and 0 < t["score"] <= 1 for t in out["topics"])
    for pattern in gold["topics_expected_patterns"]:
        assert any(re.search(pattern, f"{t['id']} {t['label']}", re.IGNORECASE) for t in out["topics"]), pattern


def test_mentions_point_into_the_text(out):
    names = {e["name"] for e in out["entities"]}
    for m in out["mentions"]:
        assert out["text"][m["start"]:m["end"]] == m["text"]
        assert m["entity"] is None or m["entity"] in names
        assert isinstance(m["sentence_index"], int) and m["label"]


def test_extract_many_keeps_order_and_matches_extract():
    from analysis.extract import extract, extract_many

    items = [{"id": str(i), "text": t, "published": "2024-12-24", "clean": True} for i, t in enumerate([
        "Pakistan’s Foreign Minister Ishaq Dar arrived in Kabul on Monday.",
        "",
        "Nothing to see here.",
        "Afghan Acting Foreign Minister Amir Khan Muttaqi will visit Islamabad next week.",
    ])]
    many = list(extract_many(items, batch_size=2))
    assert [o["id"] for o in many] == ["0", "1", "2", "3"]
    assert many[0] == extract(items[0])
    v0 = [e for e in many[0]["events"] if e["kind"] == "visit"]
    assert [(e["visitor"], e["destination_place"], e["date"], e["status"]) for e in v0] == [
        ("Ishaq Dar", "Kabul", "2024-12-23", "occurred")]
    v3 = [e for e in many[3]["events"] if e["kind"] == "visit"]
    assert [(e["visitor"], e["destination_country"], e["date"], e["status"]) for e in v3] == [
        ("Amir Khan Muttaqi", "PAK", "2024-12-31", "planned")]
    assert many[1]["entities"] == [] and many[1]["events"] == []
    for o in many:
        assert set(o) == {"id", "title", "published", "text", "mentions", "entities", "events", "topics"}


def test_headline_is_analysed_when_the_body_lacks_it():
    from analysis.extract import extract

    out = extract({"id": "h", "title": "Karzai to visit Pakistan next week",
                   "text": "Afghan President Hamid Karzai will discuss trade and security.",
                   "published": "2004-10-14", "clean": True})
    (v,) = [e for e in out["events"] if e["kind"] == "visit"]
    assert (v["visitor"], v["visitor_country"], v["destination_country"], v["status"]) == (
        "Hamid Karzai", "AFG", "PAK", "planned")
    assert v["source"] == "title" and v["start"] is None and v["evidence"].startswith("Karzai")
    assert out["text"] == "Afghan President Hamid Karzai will discuss trade and security."
    for m in out["mentions"]:
        assert out["text"][m["start"]:m["end"]] == m["text"] and m["sentence_index"] == 0


def test_extract_many_with_two_processes_gives_the_same_output():
    from analysis.extract import extract_many

    items = [{"id": str(i), "text": t, "published": "2024-12-24", "clean": True} for i, t in
             enumerate(["Ishaq Dar met Amir Khan Muttaqi in Kabul on Monday.",
                        "Chinese Foreign Minister Wang Yi arrived in Islamabad."] * 2)]
    assert list(extract_many(items, batch_size=1, n_process=2)) == list(extract_many(items))
