"""Offline and hardening settings: the Streamlit config and what the app would fetch."""
from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CONFIG = REPO / ".streamlit" / "config.toml"


def test_config_is_hardened():
    cfg = tomllib.loads(CONFIG.read_text())
    assert cfg["client"]["showErrorDetails"] == "none"
    assert cfg["client"]["toolbarMode"] in ("viewer", "minimal")
    assert cfg["client"]["showErrorLinks"] is False
    assert cfg["browser"]["gatherUsageStats"] is False
    assert 1 <= cfg["server"]["maxUploadSize"] <= 50
    assert cfg["server"]["headless"] is True
    assert cfg["server"].get("enableXsrfProtection", True) is True
    # static serving is on for vis-network alone (pages/_common.vis_assets): the folder holds
    # our README and the two files the dashboard copies there, nothing else
    assert cfg["server"]["enableStaticServing"] is True
    served = {p.relative_to(REPO / "static").as_posix() for p in (REPO / "static").rglob("*") if p.is_file()}
    assert "README.md" in served
    assert served <= {"README.md", "vis-9.1.2/vis-network.min.js", "vis-9.1.2/vis-network.css"}, served


def test_streamlit_reads_every_option():
    """Each option in our file is one Streamlit 1.67 knows, and it takes our value."""
    cfg = tomllib.loads(CONFIG.read_text())
    out = subprocess.run([sys.executable, "-m", "streamlit", "config", "show"], cwd=REPO,
                         capture_output=True, text=True, timeout=120, check=True).stdout
    sections: dict[str, str] = {}
    current = None
    for line in out.splitlines():
        m = re.match(r"^\[([\w.]+)\]$", line)
        if m:
            current = m.group(1)
            sections[current] = ""
        elif current:
            sections[current] += line + "\n"
    for section, options in cfg.items():
        assert section in sections, section
        for name, value in options.items():
            want = {True: "true", False: "false"}.get(value, None) if isinstance(value, bool) \
                else (f'"{value}"' if isinstance(value, str) else str(value))
            assert re.search(rf"^{name} = {re.escape(want)}$", sections[section], re.MULTILINE), \
                f"{section}.{name} is not {want} in `streamlit config show`"


@pytest.mark.parametrize("page", sorted(p.name for p in (REPO / "pages").glob("*.py")))
def test_pages_load_nothing_remote(page):
    """No page script embeds a remote script, stylesheet, font, image or map tile URL."""
    text = (REPO / "pages" / page).read_text()
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)\s*=\s*['\"]?https?://", text,
                         re.IGNORECASE)
    assert not re.search(r"mapbox|tile\.openstreetmap|cdn\.jsdelivr|cdnjs|unpkg\.com|"
                         r"fonts\.googleapis", text, re.IGNORECASE)
