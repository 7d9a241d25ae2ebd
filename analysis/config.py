"""Paths and settings shared by the CLI, the dashboard and the tests.

The database path comes from, in order: an explicit argument, the ``CHANCERY_DB``
environment variable, then ``data/chancery.db`` in the repository.
"""
from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "data"
SAMPLE_DIR = DATA_DIR / "sample"
RESOURCES = Path(__file__).resolve().parent / "resources"
DEFAULT_DB = DATA_DIR / "chancery.db"
#: Third-party evaluation data and verified facts live beside the repository, never inside it.
SHARED_DIR = REPO_ROOT.parent / "shared"

#: Largest input file or download accepted, in bytes (override with CHANCERY_MAX_BYTES).
DEFAULT_MAX_BYTES = 10_000_000
#: Seconds before a network fetch gives up (override with CHANCERY_FETCH_TIMEOUT).
DEFAULT_FETCH_TIMEOUT = 4.0


def db_path(explicit: str | os.PathLike | None = None) -> Path:
    """Return the database path to use.

    :param explicit: a path given on the command line or by the caller; wins when set.
    """
    if explicit:
        return Path(explicit)
    env = os.environ.get("CHANCERY_DB")
    if env:
        return Path(env)
    return DEFAULT_DB


def max_bytes() -> int:
    """Size limit for one input item, from ``CHANCERY_MAX_BYTES`` or the default (10 MB)."""
    try:
        return int(os.environ.get("CHANCERY_MAX_BYTES", DEFAULT_MAX_BYTES))
    except ValueError:
        return DEFAULT_MAX_BYTES


def fetch_timeout() -> float:
    """Network timeout in seconds, from ``CHANCERY_FETCH_TIMEOUT`` or the default."""
    try:
        return float(os.environ.get("CHANCERY_FETCH_TIMEOUT", DEFAULT_FETCH_TIMEOUT))
    except ValueError:
        return DEFAULT_FETCH_TIMEOUT
