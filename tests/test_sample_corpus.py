"""The bundled sample corpus (data/sample/*.md): format, and provenance against ../shared/facts.

Every article rests on verified rows of events.csv and officials.csv; these tests check that the
front matter names only rows and source URLs that really exist there, and that the bodies have a
sane, varied shape. They do not (and cannot) check the prose itself; that was reviewed by hand.
"""
from __future__ import annotations

import csv
import datetime as dt
import re
from functools import lru_cache
from pathlib import Path

import pytest

from analysis import config
from conftest import shared_path

SAMPLE = config.SAMPLE_DIR
ARTICLES = sorted(SAMPLE.glob("*.md"))
REQUIRED_KEYS = ("title", "published", "outlet", "author", "sources", "facts")
NAME_RE = re.compile(r"^\d{3}-[a-z0-9]+(?:-[a-z0-9]+)*\.md$")
EVENT_FACT_RE = re.compile(r"^events\.csv (\d{4}-\d{2}(?:-\d{2})?) ([a-z]+)(?: (.+))?$")
OFFICIAL_FACT_RE = re.compile(r"^officials\.csv (.+)$")


def parse_front_matter(text: str) -> tuple[dict[str, str], str]:
    """Split ``---`` / ``key: value`` lines / ``---`` / body; raise ValueError on anything else."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise ValueError("no opening --- line")
    meta: dict[str, str] = {}
    for i, line in enumerate(lines[1:], start=1):
        if line.strip() == "---":
            return meta, "\n".join(lines[i + 1:])
        key, sep, value = line.partition(":")
        if not sep or not key.strip() or key != key.strip() or " " in key:
            raise ValueError(f"bad front-matter line {i}: {line!r}")
        if key in meta:
            raise ValueError(f"duplicate key {key!r}")
        meta[key] = value.strip()
    raise ValueError("no closing --- line")


def split_list(value: str, sep: str) -> list[str]:
    return [part.strip() for part in value.split(sep) if part.strip()]


@lru_cache(maxsize=None)
def _read_csv(path: str) -> tuple[dict[str, str], ...]:
    with open(path, encoding="utf-8", newline="") as fh:
        return tuple(csv.DictReader(fh))


@pytest.fixture(scope="module")
def facts() -> dict:
    events = _read_csv(str(shared_path("facts", "events.csv")))
    officials = _read_csv(str(shared_path("facts", "officials.csv")))
    aliases = _read_csv(str(shared_path("facts", "officials_aliases.csv")))
    urls = set()
    for row in (*events, *officials):
        urls.update(split_list(row["source"], " ; "))
    alias_map: dict[str, set[str]] = {}
    for row in aliases:
        alias_map.setdefault(row["person"], set()).add(row["alias"])
    return {"events": events, "officials": officials, "urls": urls, "aliases": alias_map,
            "official_names": {row["person"] for row in officials}}


def _load(path: Path) -> tuple[dict[str, str], str]:
    return parse_front_matter(path.read_text(encoding="utf-8"))


def _event_visitors(row: dict[str, str]) -> str:
    return " + ".join(split_list(row["visitor"], ";"))


def test_parser_accepts_the_format_and_rejects_broken_blocks():
    meta, body = parse_front_matter("---\ntitle: A: b\npublished: 2024-01-02\n---\nBody text\n")
    assert meta == {"title": "A: b", "published": "2024-01-02"} and body == "Body text\n"
    for bad in ("title: x\n---\nbody", "---\ntitle: x\nbody", "---\n- a\n---\n", "---\na: 1\na: 2\n---\n"):
        with pytest.raises(ValueError):
            parse_front_matter(bad)


def test_corpus_size_and_file_names():
    assert len(ARTICLES) >= 45, f"only {len(ARTICLES)} sample articles"
    bad = [p.name for p in ARTICLES if not NAME_RE.match(p.name)]
    assert not bad, f"file names not NNN-short-slug.md: {bad}"
    numbers = [p.name[:3] for p in ARTICLES]
    assert len(set(numbers)) == len(numbers), "duplicate article numbers"


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.stem)
def test_front_matter(path: Path):
    meta, _ = _load(path)
    assert tuple(meta) == REQUIRED_KEYS, f"keys must be exactly {REQUIRED_KEYS} in order, got {tuple(meta)}"
    assert all(meta[k] for k in REQUIRED_KEYS), "empty front-matter value"
    assert meta["outlet"] == "Chancery sample"
    published = dt.date.fromisoformat(meta["published"])
    assert dt.date(2023, 1, 1) <= published <= dt.date(2025, 12, 31)
    assert not meta["title"].startswith(("'", '"', "[")), "no YAML quoting or lists"


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.stem)
def test_sources_are_urls_of_verified_rows(path: Path, facts):
    meta, _ = _load(path)
    urls = split_list(meta["sources"], " ; ")
    assert urls, "no sources"
    assert len(urls) == len(set(urls)), "duplicate source URL"
    unknown = [u for u in urls if u not in facts["urls"]]
    assert not unknown, f"source URLs not in events.csv/officials.csv: {unknown}"


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.stem)
def test_facts_name_existing_rows_and_people(path: Path, facts):
    meta, body = _load(path)
    entries = split_list(meta["facts"], ";")
    event_rows = []
    for entry in entries:
        if m := EVENT_FACT_RE.match(entry):
            date, kind, visitors = m.groups()
            rows = [r for r in facts["events"] if r["date"] == date and r["kind"] == kind]
            if visitors is not None:
                rows = [r for r in rows if _event_visitors(r) == visitors]
            assert len(rows) == 1, f"{entry!r} matches {len(rows)} rows of events.csv"
            event_rows.append(rows[0])
        elif m := OFFICIAL_FACT_RE.match(entry):
            name = m.group(1)
            assert name in facts["official_names"], f"{name!r} is not in officials.csv"
            # The person must actually be mentioned, by full name, a known alias or surname.
            forms = {name, *facts["aliases"].get(name, ()), name.split()[-1]}
            assert any(form in body for form in forms), f"{name!r} listed in facts but not named in the body"
        else:
            pytest.fail(f"unrecognised facts entry {entry!r}")
    assert event_rows, "an article must rest on at least one events.csv row"
    # The sources of the main (first) event row are all cited.
    cited = set(split_list(meta["sources"], " ; "))
    missing = [u for u in split_list(event_rows[0]["source"], " ; ") if u not in cited]
    assert not missing, f"sources of the main event row not cited: {missing}"
    # The published date is close to the main event (announcements before, reports after).
    main_date = event_rows[0]["date"]
    if len(main_date) == 10:
        delta = (dt.date.fromisoformat(meta["published"]) - dt.date.fromisoformat(main_date)).days
        assert -7 <= delta <= 7, f"published {delta} days from its main event"


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.stem)
def test_body_shape(path: Path):
    _, body = _load(path)
    words = len(body.split())
    assert 80 <= words <= 400, f"body has {words} words"
    first = body.strip().split("\n", 1)[0]
    assert re.match(r"^[A-Z][A-Z .'-]+, [A-Z][a-z]+\.? \d{1,2} — ", first), f"no dateline: {first[:60]!r}"


def test_bodies_are_distinct():
    seen: dict[str, str] = {}
    for path in ARTICLES:
        _, body = _load(path)
        key = " ".join(body.split())
        assert key not in seen, f"{path.name} repeats the body of {seen[key]}"
        seen[key] = path.name
