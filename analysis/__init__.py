"""Chancery's library: ingestion, extraction, the SQLite store and the queries the pages use.

This package never imports streamlit. The CLI (``python -m analysis``) is a thin shell over it.
"""

__version__ = "0.1.0"
