"""Counts kept at write time so that reads do not grow with the corpus.

- ``article_days`` (day, n): articles published per day;
- ``topic_days`` (day, topic_id, n): articles of a topic per day;
- ``article_countries`` (article_id, code): the countries an article concerns (an entity of that
  country is mentioned, or a report names the country as visitor, host or place);
- ``country_topics`` (code, topic_id, n): articles concerning a country tagged with a topic,
  always the sum over articles of (their countries x their topics).

A page's period series (weeks, months) and window comparisons sum a few hundred or thousand of
these rows instead of grouping every article. They change with the writes that change what they
count: :func:`add_article` when an article is stored, :func:`add_topics` when its topics are
saved (+1) or cleared for re-extraction (-1); :func:`article_countries_for` when an article's
facts are saved, :func:`entity_changed` when an entity's country or mentions change (a country
learnt later, an analyst's merge or country). :func:`rebuild` recounts everything (migration 6,
benchmark stores, a repair); ``tests/test_scale.py`` checks that the kept counts equal a recount.
"""
from __future__ import annotations

import sqlite_utils

_DAY = "substr(a.published, 1, 10)"
_DATED = "a.published IS NOT NULL AND length(a.published) >= 10"


def add_article(db: sqlite_utils.Database, article_id: int, sign: int = 1) -> None:
    """Count (``sign`` 1) or uncount (-1) one article in ``article_days``."""
    db.execute(f"""
        INSERT INTO article_days (day, n) SELECT {_DAY}, ? FROM articles a WHERE a.id = ? AND {_DATED}
        ON CONFLICT(day) DO UPDATE SET n = n + excluded.n""", [sign, article_id])


def _country_topics(db: sqlite_utils.Database, article_ids: list[int], sign: int) -> None:
    """Add (1) or take away (-1) these articles' (country x topic) pairs in ``country_topics``."""
    for k in range(0, len(article_ids), 400):
        chunk = article_ids[k:k + 400]
        db.execute(f"""
            INSERT INTO country_topics (code, topic_id, n)
            SELECT ac.code, at.topic_id, ? * COUNT(*) FROM article_countries ac
            JOIN article_topics at ON at.article_id = ac.article_id
            WHERE ac.article_id IN ({','.join('?' * len(chunk))}) GROUP BY ac.code, at.topic_id
            ON CONFLICT(code, topic_id) DO UPDATE SET n = n + excluded.n""", [sign, *chunk])


def add_topics(db: sqlite_utils.Database, article_id: int, sign: int = 1) -> None:
    """Count (1) or uncount (-1) one article's topics in ``topic_days`` and ``country_topics``
    (call with -1 before its topics are deleted, with 1 after they are saved)."""
    _country_topics(db, [article_id], sign)
    db.execute(f"""
        INSERT INTO topic_days (day, topic_id, n)
        SELECT {_DAY}, at.topic_id, ? FROM article_topics at JOIN articles a ON a.id = at.article_id
        WHERE at.article_id = ? AND {_DATED}
        ON CONFLICT(day, topic_id) DO UPDATE SET n = n + excluded.n""", [sign, article_id])


def rebuild(db: sqlite_utils.Database) -> None:
    """Recount every table from the articles and their facts."""
    db.execute("DELETE FROM article_days")
    db.execute("DELETE FROM topic_days")
    db.execute("DELETE FROM article_countries")
    db.execute("DELETE FROM country_topics")
    db.execute("INSERT OR IGNORE INTO article_countries (article_id, code) "
               + _CONCERNS.format(m_ids="", r_ids=""))
    db.execute("INSERT INTO country_topics (code, topic_id, n) SELECT ac.code, at.topic_id, COUNT(*)"
               " FROM article_countries ac JOIN article_topics at ON at.article_id = ac.article_id"
               " GROUP BY ac.code, at.topic_id")
    db.execute(f"INSERT INTO article_days (day, n) SELECT {_DAY}, COUNT(*) FROM articles a WHERE {_DATED}"
               f" GROUP BY {_DAY}")
    db.execute(f"""INSERT INTO topic_days (day, topic_id, n)
        SELECT {_DAY}, at.topic_id, COUNT(*) FROM article_topics at JOIN articles a ON a.id = at.article_id
        WHERE {_DATED} GROUP BY {_DAY}, at.topic_id""")


#: (article_id, code) for every country the facts of an article name; ``{ids}`` is replaced by a
#: list of article ids, or the whole relation is meant.
_CONCERNS = """
    SELECT m.article_id, e.country FROM mentions m JOIN entities e ON e.id = m.entity_id
    WHERE e.country IS NOT NULL {m_ids}
    UNION SELECT article_id, visitor_country FROM reports WHERE visitor_country IS NOT NULL {r_ids}
    UNION SELECT article_id, destination_country FROM reports WHERE destination_country IS NOT NULL {r_ids}
    UNION SELECT article_id, country FROM reports WHERE country IS NOT NULL {r_ids}
"""


def article_countries_for(db: sqlite_utils.Database, article_ids: list[int]) -> None:
    """Recompute ``article_countries`` for these articles."""
    ids = sorted({int(i) for i in article_ids})
    for k in range(0, len(ids), 400):
        chunk = ids[k:k + 400]
        marks = ",".join("?" * len(chunk))
        _country_topics(db, chunk, -1)
        db.execute(f"DELETE FROM article_countries WHERE article_id IN ({marks})", chunk)
        sql = _CONCERNS.format(m_ids=f"AND m.article_id IN ({marks})", r_ids=f"AND article_id IN ({marks})")
        db.execute(f"INSERT OR IGNORE INTO article_countries (article_id, code) {sql}", chunk * 4)
        _country_topics(db, chunk, 1)


def entity_changed(db: sqlite_utils.Database, entity_id: int) -> None:
    """An entity's country or mentions changed: recompute the articles that mention it."""
    ids = [r[0] for r in db.execute("SELECT DISTINCT article_id FROM mentions WHERE entity_id = ?", [entity_id])]
    article_countries_for(db, ids)
