"""Visit scoring on the hand-judged AG News development set."""
from __future__ import annotations

import json

import pytest

from analysis import config
from analysis.evaluate import visits as eval_visits
from tests.conftest import shared_path


def test_matches_by_country_or_name():
    gold = {"visitor": "Colin Powell", "visitor_country": "USA", "destination_country": "JPN"}
    assert eval_visits.matches({"visitor": "Powell", "visitor_country": None,
                                "destination_country": "JPN"}, gold)
    assert eval_visits.matches({"visitor": "X", "visitor_country": "USA",
                                "destination_country": "JPN"}, gold)
    assert not eval_visits.matches({"visitor": "Colin Powell", "visitor_country": "USA",
                                    "destination_country": "CHN"}, gold)


def test_score_counts_and_domestic_visits():
    items = [{"id": "1", "gold": [{"visitor": "A B", "visitor_country": "RUS",
                                   "destination_country": "RUS", "domestic": True}]},
             {"id": "2", "gold": [{"visitor": "C D", "visitor_country": "FRA",
                                   "destination_country": "DEU", "status": "planned"}]}]
    outs = [{"events": [{"kind": "visit", "visitor": "A B", "visitor_country": "RUS",
                         "destination_country": "RUS"}]},
            {"events": [{"kind": "visit", "visitor": "C D", "visitor_country": "FRA",
                         "destination_country": "DEU", "status": "planned"},
                        {"kind": "visit", "visitor": "C D", "visitor_country": "FRA",
                         "destination_country": "ITA"}]}]
    res = eval_visits.score(items, outs)
    assert (res["tp"], res["fp"], res["fn"], res["status_accuracy"]) == (1, 1, 0, 1.0)
    assert eval_visits.score(items, outs, include_domestic=True)["tp"] == 2


def test_agnews_text_unescapes():
    assert eval_visits.agnews_text("Blair #39;s  visit\\\\said  quot;yes quot;") == \
        "Blair's visit said \"yes \""


def test_annotations_hold_no_article_text():
    ann = json.loads((config.REPO_ROOT / "tests" / "data" / "agnews_visits_dev.json").read_text())
    for item in ann["items"]:
        assert set(item) == {"row", "visits"}
        for v in item["visits"]:
            assert set(v) <= {"visitor", "visitor_country", "destination_country", "status",
                              "domestic", "note"}


@pytest.mark.slow
def test_dev_set_precision_and_recall():
    """Regression guard on the development set (the real measure is a held-out set)."""
    csv_path = shared_path("eval", "agnews", "test.csv")
    from analysis.extract import extract_many

    items = eval_visits.load_items(eval_visits.DEFAULT_ANNOTATIONS, csv_path)
    from analysis.ingest import clean_record

    res = eval_visits.score(items, list(extract_many([clean_record(dict(i)) for i in items])))
    assert res["precision"] >= 0.9 and res["recall"] >= 0.6, res
