"""Tests for analysis.eval_html: the metric, the report, and the targets on the full data."""
from __future__ import annotations

import pytest

from analysis.evaluate.html import TARGETS, bow_prf, evaluate_html, format_report, main
from tests.conftest import shared_path


@pytest.mark.parametrize("gold,pred,expected", [
    ("a b c", "a b c", (1.0, 1.0, 1.0)),
    ("A b, C!", "c B a", (1.0, 1.0, 1.0)),       # lower-cased word tokens, order ignored
    ("a a b", "a b", (1.0, 2 / 3, 0.8)),         # multiset: a repeated gold token must be found twice
    ("a b", "a b x y", (0.5, 1.0, 2 / 3)),
    ("a b", "", (0.0, 0.0, 0.0)),
    ("a b", None, (0.0, 0.0, 0.0)),
    ("", "", (1.0, 1.0, 1.0)),
])
def test_bow_prf(gold, pred, expected):
    assert bow_prf(gold, pred) == pytest.approx(expected)


def test_missing_root_raises(tmp_path):
    with pytest.raises(FileNotFoundError):
        evaluate_html(tmp_path / "nope")


@pytest.fixture(scope="module")
def result():
    root = shared_path("eval", "html-extraction")
    return evaluate_html(root, with_snippets=False)


@pytest.mark.slow
def test_targets_on_all_pages(result):
    ours, plain = result["systems"]["ours"], result["systems"]["plain"]
    n = result["counts"]["fundus"]
    assert result["counts"] == {"aeb": 181, "fundus": 84}
    assert ours["aeb_f1"] >= TARGETS["aeb_f1"]
    assert ours["aeb_f1"] > plain["aeb_f1"]
    assert ours["fundus_titles"] >= TARGETS["fundus_title_share"] * n
    assert ours["fundus_dates"] >= TARGETS["fundus_date_share"] * n


@pytest.mark.slow
def test_report_has_both_systems(result):
    text = format_report(result)
    assert "ours" in text and "plain trafilatura" in text
    assert "AEB body F1" in text and "fundus titles" in text and "fundus dates" in text
    assert "targets met" in text


def test_main_with_limit(capsys):
    """``main`` wires the arguments through; ``--limit 2`` keeps this fast."""
    shared_path("eval", "html-extraction")
    assert main(["--limit", "2", "--no-snippets"]) == 0
    out = capsys.readouterr().out
    assert "AEB body F1 (mean, 2 pages)" in out
    assert "/2 (" in out
    assert "partial run" in out and "targets met" not in out
