"""The ingest layer: turning what an analyst has into stored, analysed articles.

- :mod:`.sources` files, folders, URLs, feeds, bulk files and pasted text into items;
- :mod:`.fetch` every network read, under the fetch policy;
- :mod:`.cleaning` HTML and page text into a clean body with metadata;
- :mod:`.dedupe` canonical URLs and near-duplicate signatures;
- :mod:`.pipeline` the one ingest path: clean, check for duplicates, extract
  (:mod:`analysis.extract`), save (:mod:`analysis.store`), one transaction per article.

It may import :mod:`analysis.extract` and :mod:`analysis.store`; nothing below it imports it
(only the CLI, the dashboard's first run and the Data page call it).
"""
from __future__ import annotations

from .pipeline import (Ingester, Summary, clean_record, ensure_sample_db, ingest_bytes,
                       ingest_sources, ingest_text, prepare, reextract, sample_sources)

__all__ = ["Ingester", "Summary", "clean_record", "ensure_sample_db", "ingest_bytes",
           "ingest_sources", "ingest_text", "prepare", "reextract", "sample_sources"]
