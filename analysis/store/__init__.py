"""The store layer: the only code that writes to, or knows the dialect of, the SQLite store.

- :mod:`.schema` tables, indexes, views, :data:`SCHEMA_VERSION`;
- :mod:`.migrations` the numbered migrations;
- :mod:`.db` opening (:func:`open_db`, :func:`write_tx`, :func:`connect_ro`) and the checks
  that refuse a damaged, foreign or newer file;
- :mod:`.writes` every write (articles, facts, copies, errors, runs);
- :mod:`.network` the network's SQL and its unfiltered aggregate;
- :mod:`.reader` the read API the views receive (:class:`Reader`) and the SQL dialect.
"""
from __future__ import annotations

from .db import (StoreError, bump_data_version, connect_ro, data_version, describe_error,
                 ensure_schema, memory_db, open_db, schema_version, store_problem, truncated,
                 upgrade_if_older, utcnow, write_tx)
from .migrations import MIGRATIONS
from .network import refresh as refresh_network
from .reader import Reader, Session, SQLiteDialect, as_reader
from .schema import INDEXES, SCHEMA_VERSION, TABLES, VIEWS
from .writes import (article_ids, article_with_hash, article_with_url, articles_to_extract,
                     clear_extraction, content_hash, entity_key, finish_run, insert_article,
                     known_locator, prune_orphan_entities, record_copy, record_error, save_extraction,
                     save_signature, signature_candidates, slug, start_run, stats, upsert_entity)

__all__ = [
    "MIGRATIONS", "INDEXES", "Reader", "Session", "SQLiteDialect", "as_reader", "SCHEMA_VERSION", "TABLES", "VIEWS", "StoreError",
    "bump_data_version", "clear_extraction", "connect_ro", "content_hash", "data_version",
    "describe_error", "ensure_schema", "entity_key", "insert_article", "memory_db", "open_db",
    "record_copy", "record_error", "save_extraction", "schema_version", "slug", "stats",
    "store_problem", "truncated", "upgrade_if_older", "upsert_entity", "utcnow", "write_tx",
    "article_ids", "article_with_hash", "article_with_url", "articles_to_extract", "finish_run",
    "known_locator", "prune_orphan_entities", "refresh_network", "save_signature", "signature_candidates",
    "start_run",
]
