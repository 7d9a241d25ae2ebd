"""Shared fixtures: in-memory and file stores, the sample store built once per session,
paths to ../shared, and a clean Streamlit cache between AppTests."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from analysis import config, store

SHARED = config.SHARED_DIR


def pytest_configure(config):  # noqa: D401 - pytest hook
    """Show full exception messages in AppTests (the app's own config hides them from browsers)."""
    try:
        from streamlit import config as st_config

        st_config.set_option("client.showErrorDetails", "full")
    except Exception:  # pragma: no cover - streamlit missing or option renamed
        pass


def shared_path(*parts: str) -> Path:
    """Path under ../shared; skips the test when the folder is absent (never under CI)."""
    p = SHARED.joinpath(*parts)
    if not p.exists():
        if os.environ.get("CI"):
            raise FileNotFoundError(f"{p} is missing under CI")
        pytest.skip(f"{p} not available")
    return p


@pytest.fixture
def mem_db():
    """An in-memory store with the schema."""
    return store.memory_db()


@pytest.fixture
def file_db(tmp_path):
    """A path to a fresh file store in tmp_path (created with the schema)."""
    path = tmp_path / "chancery.db"
    store.open_db(path).conn.close()
    return path


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory) -> Path:
    """The bundled sample corpus plus the seed, ingested once per test session."""
    from analysis.ingest import ensure_sample_db

    path = tmp_path_factory.mktemp("sample") / "chancery.db"
    ensure_sample_db(path)
    return path


@pytest.fixture(autouse=True)
def _clear_streamlit_caches():
    """Caches leak between AppTests; clear them around every test."""
    yield
    try:
        import streamlit as st
    except ImportError:  # pragma: no cover
        return
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture(autouse=True)
def _keep_the_main_module():
    """An AppTest runs a page script as ``__main__`` and leaves it in ``sys.modules``; a process
    spawned later (``--workers``, a Dask ``LocalCluster``) imports ``__main__`` again, so it
    would run that page (and fail on its store). Put back the real main module after each test."""
    import sys

    main = sys.modules.get("__main__")
    yield
    if main is not None:
        sys.modules["__main__"] = main
