"""The extraction layer: a pure function from a clean article to its facts.

- :mod:`.article` ``extract``/``extract_many`` (the README's `extract` contract), long articles in
  windows, :data:`EXTRACTOR_VERSION`;
- :mod:`.nlp` the spaCy pipeline and the order of its registered components: :mod:`.gazetteer`,
  :mod:`.nerfix`, :mod:`.titles`, :mod:`.entities`, :mod:`.events`, :mod:`.topics`, with
  :mod:`.dates` and :mod:`.resources` (the data files in ``analysis/resources/``);
- :mod:`.build_gazetteers` regenerates the generated gazetteers.

It imports nothing from ingest, store or views: only :mod:`analysis.config` and
:mod:`analysis.model`.
"""
from __future__ import annotations

from .article import (BATCH_CHARS, EXTRACTOR_VERSION, WINDOW_CHARS, assemble, extract,
                      extract_many, get_nlp, make_doc, windows)

__all__ = ["BATCH_CHARS", "EXTRACTOR_VERSION", "WINDOW_CHARS", "assemble", "extract",
           "extract_many", "get_nlp", "make_doc", "windows"]
