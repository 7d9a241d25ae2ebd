"""The views layer: what the pages show, read through the store's read API.

- :mod:`.filters` the one :class:`~analysis.views.filters.Filters` value (SQL conditions and
  a description in words) and the shared SQL fragments (an event's day, host, place, "concerns
  a country", "not cancelled");
- :mod:`.queries` the read functions behind the pages (DataFrames, aggregated in SQL);
- :mod:`.charts` plotly figures;
- :mod:`.network` the officials-countries network: graph building, safe offline rendering,
  GEXF/GraphML export;
- :mod:`.safe` escaping in one place (FTS5 queries, Markdown, plotly text, CSV cells).

Views read through :class:`analysis.store.Reader` and never import extract or ingest.
"""
