"""Chancery's library, in layers (docs/ARCHITECTURE.md): :mod:`analysis.ingest`,
:mod:`analysis.extract`, :mod:`analysis.store`, :mod:`analysis.views`, :mod:`analysis.evaluate`,
with :mod:`analysis.model` (the domain vocabulary) and :mod:`analysis.config` under them all.

This package never imports streamlit. The CLI (``python -m analysis``) is a thin shell over it.
"""

__version__ = "0.1.0"
