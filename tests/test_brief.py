"""Issue 11: the briefing note (every listed event cited, corrections honoured, opens in Word's
format and in LibreOffice) and the FollowTheMoney export (every line validated)."""
from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from analysis.cli import main
from analysis.views import brief, curate, ftm
from analysis.views.brief import Scope

SCOPE = Scope(countries=("PAK", "AFG"), start="2025-01-01", end="2025-11-30", since="2025-10-01")


@pytest.fixture
def db(sample_db, tmp_path) -> Path:
    path = tmp_path / "chancery.db"
    shutil.copy(sample_db, path)
    return path


def _events_in_scope(db: Path) -> list[dict]:
    return brief.build(db, SCOPE)["events"]


def test_every_listed_event_cites_a_report_with_its_sentence(db):
    note = brief.build(db, SCOPE)
    assert note["events"], "the sample corpus has Pakistan-Afghanistan events in 2025"
    refs = {r["n"]: r for r in note["references"]}
    for it in note["events"]:
        assert it["refs"], it["key"]
        for n in it["refs"]:
            assert refs[n]["sentence"] and refs[n]["title"] and refs[n]["date"]
    # the sample articles cite the pages they were written from
    assert any(r["sources"] for r in note["references"])
    for d in (it["date"] for it in note["events"] if it["date"]):  # a day, a month or a year
        assert "2025-01-01"[:len(d)] <= d <= "2025-11-30"[:len(d)], d
    assert note["new"] and all(it["first_reported"] >= "2025-10-01" for it in note["new"]["events"])


def test_rejected_events_never_appear_and_corrected_ones_appear_corrected(db):
    first, second = _events_in_scope(db)[:2]
    curate.apply(db, "reject-event", first["key"], why="test")
    curate.apply(db, "set-event", second["key"], place="Gwadar Test Harbour")
    note = brief.build(db, SCOPE)
    keys = {it["key"] for it in note["events"]}
    assert first["key"] not in keys
    corrected = next(it for it in note["events"] if it["key"] == second["key"])
    assert "Gwadar Test Harbour" in corrected["where"] and corrected["curated"].startswith("corrected: place")
    md = brief.to_markdown(note)
    assert "Gwadar Test Harbour" in md and "corrected: place" in md


def test_markdown_html_and_docx_carry_the_same_note(db):
    from docx import Document

    note = brief.build(db, SCOPE)
    md = brief.to_markdown(note)
    assert md.startswith("# Briefing: Pakistan and Afghanistan")
    for heading in ("## Key figures", "## New since 2025-10-01", "## Events by country pair", "## References"):
        assert heading in md
    assert len(re.findall(r"^\d+\. ", md, re.M)) == len(note["references"])
    page = brief.to_html(note)
    assert "<script" not in page and "default-src 'none'" in page and "data:image/png;base64," in page
    assert page.count('<li id="ref-') == len(note["references"])
    doc = Document(io.BytesIO(brief.to_docx(note)))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == note["title"]
    assert {"Key figures", "Events by country pair", "References"} <= set(texts)
    assert len(doc.tables) == 1 and len(doc.inline_shapes) == 1  # the figures table, the timeline
    assert sum(1 for t in texts if t.startswith("[")) == len(note["references"])


def test_text_from_articles_stays_text_in_every_format(tmp_path):
    from test_queries import PAYLOADS, make_store

    path = make_store(tmp_path / "hostile.db", hostile=True)
    note = brief.build(path, Scope())
    page = brief.to_html(note)
    for p in PAYLOADS[:2]:
        assert p not in page
    preview = brief.to_markdown(note, preview=True)
    for p in PAYLOADS:
        assert p not in preview
    pasted = brief.to_markdown(note)  # for editors: article text escaped, only our links in <...>
    assert re.findall(r"(?<!\\)<(?!https?://)", pasted) == []
    assert "\\<img src=x onerror=alert(1)\\>" in pasted


def test_cli_brief_writes_each_format_and_refuses_bad_scope(db, tmp_path, capsys):
    for fmt in ("md", "html", "docx"):
        out = tmp_path / f"brief.{fmt}"
        assert main(["brief", "--db", str(db), "--country", "PAK", "--country", "AFG", "--from", "2025-01-01",
                     "--to", "2025-11-30", "--format", fmt, "--out", str(out)]) == 0
        assert out.stat().st_size > 1000
    assert main(["brief", "--db", str(db), "--country", "XX", "--format", "md", "--out", str(tmp_path / "x")]) == 2
    assert "ISO 3166" in capsys.readouterr().err
    assert main(["brief", "--db", str(db), "--from", "2025-13-01", "--format", "md", "--out", str(tmp_path / "x")]) == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_the_docx_opens_in_libreoffice(db, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice is missing under CI (.ci/run installs libreoffice-writer-nogui)")
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-writer-nogui)")
    out = tmp_path / "brief.docx"
    out.write_bytes(brief.build_file(db, SCOPE, "docx"))
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(out)], check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "brief.pdf"
    assert pdf.exists() and pdf.read_bytes()[:5] == b"%PDF-"


def test_ftm_export_validates_and_honours_curation(db, tmp_path):
    from followthemoney import model

    first = _events_in_scope(db)[0]
    curate.apply(db, "reject-event", first["key"])
    lines = list(ftm.export_lines(db))
    schemas = set()
    ids = set()
    for line in lines:
        data = json.loads(line)
        model.get(data["schema"]).validate(data)
        schemas.add(data["schema"])
        ids.add(data["id"])
    assert {"Person", "Organization", "Territory", "Article", "Event", "Documentation"} <= schemas
    events = [json.loads(x) for x in lines if '"schema": "Event"' in x]
    assert not any(first["key"] in e["properties"].get("keywords", []) for e in events)
    # participants and proofs point at exported entities
    for e in events:
        for prop in ("involved", "organizer", "proof"):
            assert set(e["properties"].get(prop, [])) <= ids
    out = tmp_path / "ftm.jsonl"
    assert main(["export", "ftm", "--db", str(db), "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8").count("\n") == len(lines)


def test_data_page_offers_the_ftm_export_and_the_curation_log(db, monkeypatch):
    from streamlit.testing.v1 import AppTest

    curate.apply(db, "reject-event", _events_in_scope(db)[0]["key"], why="background")
    monkeypatch.setenv("CHANCERY_DB", str(db))
    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "pages" / "data.py"), default_timeout=60).run()
    assert not at.exception
    assert "data_ftm_dl" not in [b.key for b in at.download_button]  # built only when asked for
    at.button(key="data_ftm_prepare").click().run()
    assert not at.exception
    assert "data_ftm_dl" in [b.key for b in at.download_button]
    assert "data_curation_dl" in [b.key for b in at.download_button]
    at.selectbox(key="data_undo_pick").set_value(1).run()
    at.button(key="data_undo_go").click().run()
    assert not at.exception
    assert curate.rejected(db).empty  # undone from the page


def test_the_timeline_keeps_to_a_few_dozen_bars_whatever_the_range():
    """Issue 12: a store covering decades is drawn by quarter or year, every period of the range
    present (empty ones as 0), so the picture costs the same at 1k and 100k articles."""
    def items(days):
        return [{"date": d, "what": k} for d, k in days]

    short = items([("2024-01-03", "Visit"), ("2024-03-09", "Meeting"), ("2024-03", "Visit"), ("", "Visit")])
    assert brief.timeline_period(short) == "month"
    rows = brief.timeline_table(short)
    assert [r["period"] for r in rows if r["kind"] == "Visit"] == ["2024-01", "2024-02", "2024-03"]
    assert {(r["period"], r["kind"]): r["n"] for r in rows}[("2024-03", "Visit")] == 1
    assert sum(r["n"] for r in rows) == 3  # the undated event is not drawn

    decade = items([("2015-02-01", "Visit"), ("2024-11-30", "Talks")])
    assert brief.timeline_period(decade) == "quarter"
    q = brief.timeline_table(decade)
    assert q[0]["period"] == "2015-Q1" and q[-1]["period"] == "2024-Q4"
    assert len({r["period"] for r in q}) == 40 <= brief.MAX_BARS

    century = items([("1950-06-01", "Visit"), ("2024-06-01", "Visit")])
    assert brief.timeline_period(century) == "year"
    assert brief.timeline_caption(century) == "Events by year (dated events only)"
    assert brief.timeline_period(items([("", "Visit")])) is None and brief.timeline_table([]) == []


def test_the_picture_is_drawn_only_for_the_files_that_hold_it(db):
    note = brief.build_text(db, SCOPE)["note"]
    assert "figure_png" not in note and note["timeline"]
    html = brief.render(note, "html").decode()
    assert 'src="data:image/png;base64,' in html and note["figure_png"].startswith(b"\x89PNG")
    assert f'alt="{note["figure_caption"]}"' in html


def test_a_long_note_is_previewed_in_part_and_downloaded_whole(db):
    note = brief.build_text(db, Scope())["note"]
    whole = brief.to_markdown(note, preview=True)
    text, cut = brief.preview_markdown(note, max_chars=len(whole) // 3)
    assert cut and len(text) <= len(whole) // 3 and whole.startswith(text) and whole[len(text)] == "\n"
    assert brief.preview_markdown(note) == (whole, False) or len(whole) > brief.PREVIEW_CHARS
    assert len(brief.render(note, "md").decode()) > len(text)  # the download is whole
