"""The ingest layer: turning what an analyst has into stored, analysed articles.

- :mod:`.sources` files, folders, URLs, feeds, bulk files and pasted text into items;
- :mod:`.fetch` every network read, under the fetch policy;
- :mod:`.cleaning` HTML and page text into a clean body with metadata;
- :mod:`.dedupe` canonical URLs and near-duplicate signatures;
- :mod:`.pipeline` the one ingest path: clean, check for duplicates, extract
  (:mod:`analysis.extract`), save (:mod:`analysis.store`), one transaction per batch and a
  savepoint per article;
- :mod:`.workers` extraction of a batch, in this process or a pool of worker processes;
- :mod:`.backfill` extraction mapped over a Dask cluster into JSON Lines shards, and the
  shards loaded through the same writes.

It may import :mod:`analysis.extract` and :mod:`analysis.store`; nothing below it imports it
(only the CLI, the dashboard's first run and the Data page call it).
"""
from __future__ import annotations

from .backfill import BackfillError, extract_to_shards, ingest_extracted
from .pipeline import (
    BATCH,
    Ingester,
    Slot,
    Summary,
    clean_record,
    count_items,
    ensure_sample_db,
    ingest_bytes,
    ingest_sources,
    ingest_text,
    prepare,
    prepared,
    reextract,
    sample_sources,
)
from .workers import ExtractorPool, Failed, extract_batch

__all__ = ["BATCH", "BackfillError", "ExtractorPool", "Failed", "Ingester", "Slot", "Summary", "clean_record",
           "count_items", "ensure_sample_db", "extract_batch", "extract_to_shards", "ingest_bytes",
           "ingest_extracted", "ingest_sources", "ingest_text", "prepare", "prepared", "reextract",
           "sample_sources"]
