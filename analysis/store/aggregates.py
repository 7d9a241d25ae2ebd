"""Counts kept at write time so that reads do not grow with the corpus.

- ``article_days`` (day, n): articles published per day;
- ``topic_days`` (day, topic_id, n): articles of a topic per day.

A page's period series (weeks, months) and window comparisons sum a few hundred or thousand of
these rows instead of grouping every article. They change with the writes that change what they
count: :func:`add_article` when an article is stored, :func:`add_topics` when its topics are
saved (+1) or cleared for re-extraction (-1). :func:`rebuild` recounts everything (migration 6,
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


def add_topics(db: sqlite_utils.Database, article_id: int, sign: int = 1) -> None:
    """Count (1) or uncount (-1) one article's topics in ``topic_days``."""
    db.execute(f"""
        INSERT INTO topic_days (day, topic_id, n)
        SELECT {_DAY}, at.topic_id, ? FROM article_topics at JOIN articles a ON a.id = at.article_id
        WHERE at.article_id = ? AND {_DATED}
        ON CONFLICT(day, topic_id) DO UPDATE SET n = n + excluded.n""", [sign, article_id])


def rebuild(db: sqlite_utils.Database) -> None:
    """Recount both tables from the articles and their topics."""
    db.execute("DELETE FROM article_days")
    db.execute("DELETE FROM topic_days")
    db.execute(f"INSERT INTO article_days (day, n) SELECT {_DAY}, COUNT(*) FROM articles a WHERE {_DATED}"
               f" GROUP BY {_DAY}")
    db.execute(f"""INSERT INTO topic_days (day, topic_id, n)
        SELECT {_DAY}, at.topic_id, COUNT(*) FROM article_topics at JOIN articles a ON a.id = at.article_id
        WHERE {_DATED} GROUP BY {_DAY}, at.topic_id""")
