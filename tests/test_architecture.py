"""The layers' rules (docs/ARCHITECTURE.md), read from every module's imports, function-local
ones included: a forbidden arrow fails here with the file and line."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

#: Layer of a module (by dotted-name prefix; the longest prefix wins).
LAYERS = {
    "analysis.config": "base",
    "analysis.model": "base",
    "analysis.ingest": "ingest",
    "analysis.extract": "extract",
    "analysis.store": "store",
    "analysis.views": "views",
    "analysis.evaluate": "evaluate",
    "analysis.cli": "cli",
    "analysis.__main__": "cli",
    "analysis": "base",  # the package itself
    "pages": "pages",
    "dashboard": "pages",
}

#: What each layer may import from Chancery's own code.
ALLOWED = {
    "base": {"base"},
    "extract": {"base", "extract"},
    "store": {"base", "store"},
    "ingest": {"base", "ingest", "extract", "store"},
    "views": {"base", "store", "views"},
    "evaluate": {"base", "ingest", "extract", "store", "views", "evaluate"},
    "cli": {"base", "ingest", "extract", "store", "views", "evaluate", "cli"},
    "pages": {"base", "views", "pages"},
}

#: The only page modules that may call the ingest layer (the first-run build, the Data page).
INGEST_ENTRY_POINTS = {"dashboard", "pages.data"}


def layer_of(module: str) -> str | None:
    best = None
    for prefix, layer in LAYERS.items():
        if module == prefix or module.startswith(prefix + "."):
            if best is None or len(prefix) > len(best[0]):
                best = (prefix, layer)
    return best[1] if best else None


def module_name(path: Path) -> str:
    rel = path.relative_to(REPO).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imports(path: Path) -> list[tuple[str, int]]:
    """(imported module, line) for every import in the file, at any depth; ``from X import y``
    yields ``X.y`` too when ``y`` may be a submodule."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    me = module_name(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(a.name, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            out.append((target, node.lineno))
            out += [(f"{target}.{a.name}", node.lineno) for a in node.names]
    return out


def violations(path: Path) -> list[str]:
    me = module_name(path)
    mine = layer_of(me)
    found = []
    seen: set[tuple[int, str | None]] = set()
    for target, line in imports(path):
        root = target.split(".")[0]
        if root == "streamlit" and mine not in ("pages",):
            found.append(f"{path.relative_to(REPO)}:{line}: {me} ({mine}) imports streamlit")
            continue
        theirs = layer_of(target) if root in ("analysis", "pages", "dashboard") else None
        if theirs is None:
            continue
        if mine == "pages" and theirs == "ingest" and me in INGEST_ENTRY_POINTS:
            continue
        if theirs not in ALLOWED[mine] and (line, theirs) not in seen:
            seen.add((line, theirs))
            found.append(f"{path.relative_to(REPO)}:{line}: {me} ({mine}) imports {target} ({theirs})")
    return found


def chancery_files() -> list[Path]:
    files = sorted((REPO / "analysis").rglob("*.py")) + sorted((REPO / "pages").glob("*.py"))
    return files + [REPO / "dashboard.py"]


def test_every_module_has_a_layer():
    assert [f for f in chancery_files() if layer_of(module_name(f)) is None] == []


def test_no_forbidden_import():
    found = [v for f in chancery_files() for v in violations(f)]
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("module, source, expected", [
    ("analysis/extract/fake.py", "def f():\n    from analysis.ingest import cleaning\n", "extract"),
    ("analysis/extract/fake.py", "from ..store import open_db\n", "store"),
    ("analysis/views/fake.py", "import analysis.extract.nlp\n", "extract"),
    ("analysis/views/fake.py", "from analysis import ingest\n", "ingest"),
    ("analysis/store/fake.py", "from analysis.views.filters import Filters\n", "views"),
    ("analysis/views/fake.py", "import streamlit as st\n", "streamlit"),
    ("pages/fake.py", "from analysis.ingest import ingest_text\n", "ingest"),
    ("pages/fake.py", "from analysis import store\n", "store"),
])
def test_a_forbidden_import_is_caught(tmp_path, monkeypatch, module, source, expected):
    """The rule test fails on each kind of wrong arrow (checked on a throwaway module)."""
    fake = REPO / module
    assert not fake.exists()
    try:
        fake.write_text(source)
        found = violations(fake)
    finally:
        fake.unlink()
    assert len(found) == 1 and expected in found[0], found


def test_allowed_imports_pass(tmp_path):
    fake = REPO / "analysis/views/fake_ok.py"
    try:
        fake.write_text("from analysis import model\nfrom analysis.store import Reader\n"
                        "from . import filters\n")
        assert violations(fake) == []
    finally:
        fake.unlink()
