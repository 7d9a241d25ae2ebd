"""The CLI is a thin shell: help for every command, the extract contract, ingest, stats, reextract."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from analysis import config
from analysis.cli import main

from conftest import shared_path

COMMANDS = ["ingest", "stats", "extract", "reextract", "evaluate", "bench"]


def run(*args, stdin=None, env=None):
    return subprocess.run([sys.executable, "-m", "analysis", *args], cwd=config.REPO_ROOT, input=stdin,
                          capture_output=True, text=True, timeout=600, env=env)


@pytest.mark.parametrize("cmd", COMMANDS)
def test_help(cmd, capsys):
    with pytest.raises(SystemExit) as exc:
        main([cmd, "--help"])
    assert exc.value.code == 0
    assert "usage: python -m analysis " + cmd in capsys.readouterr().out


def test_extract_jsonl_stdin_keeps_order_and_reports_bad_lines():
    lines = [
        json.dumps({"id": "a", "title": "One", "text": "Pakistan's Foreign Minister Ishaq Dar visited Kabul on Saturday.", "published": "2025-04-20"}),
        "{not json",
        json.dumps({"id": "c", "text": "Talks were held in Islamabad."}),
    ]
    out = run("extract", stdin="\n".join(lines) + "\n")
    rows = [json.loads(x) for x in out.stdout.splitlines()]
    assert len(rows) == 3
    assert rows[0]["id"] == "a" and rows[2]["id"] == "c"
    assert "error" in rows[1]
    assert rows[0]["text"] == "Pakistan's Foreign Minister Ishaq Dar visited Kabul on Saturday."
    for m in rows[0]["mentions"]:
        assert rows[0]["text"][m["start"]:m["end"]] == m["text"]
    assert out.returncode == 1


def test_extract_txt_file_writes_nothing(tmp_path):
    seed = shared_path("seeds", "000_0d9ee7f76d7cf8bd.txt")
    db = tmp_path / "never.db"
    out = run("extract", str(seed), env={**__import__("os").environ, "CHANCERY_DB": str(db)})
    assert out.returncode == 0, out.stderr
    (row,) = [json.loads(x) for x in out.stdout.splitlines()]
    assert row["title"] == "Ambassador Mohammad Sadiq, Meets Afghan Officials in Kabul"
    assert row["text"].startswith("Pakistan’s Special Representative")
    assert not db.exists()


def test_ingest_stats_reextract(tmp_path):
    db = tmp_path / "c.db"
    src = tmp_path / "a.md"
    src.write_text("---\ntitle: Envoy in Kabul\npublished: 2024-12-23\n---\nKABUL, Dec 23 — Pakistan's "
                   "special envoy Mohammad Sadiq arrived in Kabul on Monday for talks with Afghan officials.\n",
                   encoding="utf-8")
    out = run("ingest", "--db", str(db), str(src), str(tmp_path / "missing.txt"))
    assert out.returncode == 0
    assert "1 new, 0 duplicates, 0 already stored, 1 errors" in out.stdout
    assert "no such file" in out.stderr
    stats = json.loads(run("stats", "--db", str(db), "--json").stdout)
    assert stats["articles"] == 1 and stats["errors"] == 1 and stats["entities"] > 0
    out = run("reextract", "--db", str(db))
    assert out.returncode == 0 and "re-extracted 1 articles" in out.stdout
    assert json.loads(run("stats", "--db", str(db), "--json").stdout)["entities"] == stats["entities"]


def test_env_var_selects_database(tmp_path):
    db = tmp_path / "env.db"
    out = run("stats", "--json", env={**__import__("os").environ, "CHANCERY_DB": str(db)})
    assert out.returncode == 2 and str(db) in out.stderr


def test_evaluate_conll_names_a_missing_file():
    # without a path it reads ../shared/eval/conll2003/test.txt; a missing file is a clear error
    out = run("evaluate", "conll", "/nonexistent/conll.txt")
    assert out.returncode == 2 and "No such file" in out.stderr and "Traceback" not in out.stderr
