"""Backfills on Dask: extraction mapped over a LocalCluster of two worker processes into JSON
Lines shards, then `ingest --extracted` through the ingest's own writes, gives the store a plain
ingest of the same inputs gives; bad shards and lines are clear errors."""
from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from conftest import shared_path
from store_dump import agnews_jsonl, differences, dump

from analysis import cli, config, store
from analysis.ingest import BackfillError, extract_to_shards, ingest_extracted, ingest_sources
from analysis.ingest.backfill import list_units, partition

SAMPLE = sorted(config.SAMPLE_DIR.glob("*.md"))


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> list[Path]:
    """Real texts of three kinds, 206 items: the sample corpus (a folder of Markdown with front
    matter), the 66 AG News rows judged in tests/data (JSON Lines), 80 BBC business texts (not the
    evaluation pool's politics), a copy of one of them and an unreadable file."""
    root = tmp_path_factory.mktemp("backfill-in")
    assert agnews_jsonl(root / "agnews.jsonl", shared_path("eval", "agnews", "test.csv")) == 66
    bbc = root / "bbc"
    bbc.mkdir()
    for f in sorted(shared_path("eval", "bbc", "raw", "business").glob("*.txt"))[:80]:
        shutil.copy(f, bbc / f.name)
    shutil.copy(bbc / "005.txt", bbc / "zz-copy-of-005.txt")
    (bbc / "zz-binary.txt").write_bytes(bytes(range(256)) * 8)
    return [config.SAMPLE_DIR, root / "agnews.jsonl", bbc]


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as c:
        yield c


@pytest.fixture(scope="module")
def shards(inputs, cluster, tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("shards") / "out"
    manifest = extract_to_shards(inputs, out, scheduler=cluster.scheduler_address, partitions=4)
    return out, manifest


@pytest.fixture(scope="module")
def plain_db(inputs, tmp_path_factory) -> tuple[Path, dict]:
    path = tmp_path_factory.mktemp("plain") / "plain.db"
    return path, ingest_sources(path, inputs, fetch=False)


def test_dask_backfill_builds_the_store_a_plain_ingest_builds(shards, plain_db, tmp_path):
    out, manifest = shards
    plain_path, plain = plain_db
    assert manifest["partitions"] == 4 and manifest["scheduler"].startswith("tcp://")
    assert manifest["lines"] == 58 + 66 + 82 and manifest["files"] == 58 + 1 + 82
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json"] + [f"part-0000{i}.jsonl" for i in range(4)]
    db = tmp_path / "backfill.db"
    loaded = ingest_extracted(db, out)
    keys = ("new", "duplicates", "unchanged", "errors")
    assert [loaded[k] for k in keys] == [plain[k] for k in keys]
    assert plain["new"] >= 200 and plain["duplicates"] >= 1 and plain["errors"] == 1
    a, b = dump(plain_path), dump(db)
    assert len(a["events"]) > 50 and len(a["mentions"]) > 5000 and len(a["article_topics"]) > 200
    assert differences(a, b) == []
    # the CLI loads the same shards again and adds nothing (resumable, idempotent)
    assert cli.main(["ingest", "--db", str(db), "--quiet", "--extracted", str(out)]) == 0
    again = dump(db)
    again.pop("ingest_errors"), b.pop("ingest_errors")
    assert differences(b, again) == []


def test_a_shard_line_keeps_the_clean_article_and_its_extraction(shards):
    out, _ = shards
    first = json.loads((out / "part-00000.jsonl").read_text(encoding="utf-8").splitlines()[0])
    art = first["article"]
    assert first["source"] == art["source"] == str(SAMPLE[0].resolve())
    assert {"text", "title", "published", "url", "outlet", "content_hash", "source_kind", "metadata"} <= set(art)
    assert first["extractor_version"] == json.loads((out / "manifest.json").read_text())["extractor_version"]
    assert first["extraction"]["mentions"] and first["extraction"]["text"] == art["text"]


def test_bad_lines_are_their_own_errors_and_the_rest_loads(shards, tmp_path):
    out, _ = shards
    bad = tmp_path / "bad"
    bad.mkdir()
    lines = (out / "part-00001.jsonl").read_text(encoding="utf-8").splitlines()
    old = json.loads(lines[1])
    old["extractor_version"] = "0.9"
    (bad / "part-00000.jsonl").write_text("\n".join([lines[0], "{not json", json.dumps(old), '{"article": {}}',
                                                      *lines[2:6]]) + "\n", encoding="utf-8")
    db = tmp_path / "s.db"
    res = ingest_extracted(db, bad)  # no manifest: loaded, and said so
    assert res["manifest"] is False and (res["new"], res["errors"]) == (5, 3), res["error_messages"]
    conn = store.connect_ro(db)
    errs = sorted((r[0], r[1]) for r in conn.execute("SELECT kind, item FROM ingest_errors"))
    conn.close()
    assert errs[0] == ("extraction", old["item"]) and [e for e in errs if e[0] == "malformed"] == [
        ("malformed", "line 2"), ("malformed", "line 4")]
    assert "extracted by extractor 0.9" in " ".join(res["error_messages"])


def test_shards_of_another_extractor_or_no_shards_are_refused(shards, tmp_path, capsys):
    out, manifest = shards
    other = tmp_path / "other"
    shutil.copytree(out, other)
    (other / "manifest.json").write_text(json.dumps({**manifest, "extractor_version": "0.9"}), encoding="utf-8")
    with pytest.raises(BackfillError, match="extracted by extractor 0.9"):
        ingest_extracted(tmp_path / "s.db", other)
    assert not (tmp_path / "s.db").exists()  # refused before anything was written
    (tmp_path / "empty").mkdir()
    assert cli.main(["ingest", "--db", str(tmp_path / "s.db"), "--extracted", str(tmp_path / "empty")]) == 2
    assert "no extraction shards (part-*.jsonl)" in capsys.readouterr().err
    assert cli.main(["ingest", "--db", str(tmp_path / "s.db"), "--extracted", str(tmp_path / "nowhere")]) == 2
    assert "no such folder" in capsys.readouterr().err
    # and extraction refuses to write over shards
    assert cli.main(["extract", "--engine", "dask", str(SAMPLE[0]), "--out", str(out)]) == 2
    assert "holds extraction shards already" in capsys.readouterr().err
    assert cli.main(["extract", "--engine", "dask", str(SAMPLE[0])]) == 2
    assert "needs --out DIR" in capsys.readouterr().err


def test_a_redated_article_is_extracted_again_when_loaded(shards, plain_db, tmp_path):
    """An analyst's set-article-date in the log: the shard's extraction used the old date, so
    that article is extracted again (it is not a duplicate); the store equals a plain ingest's."""
    from analysis.views import curate

    out, _ = shards
    plain_path, _ = plain_db
    conn = store.connect_ro(plain_path)
    article_id, old_day = conn.execute("SELECT id, published FROM articles WHERE source = ?",
                                       [str(SAMPLE[2].resolve())]).fetchone()
    conn.close()
    seeded = tmp_path / "seeded.db"
    src, dst = sqlite3.connect(plain_path), sqlite3.connect(seeded)
    src.backup(dst)
    src.close(), dst.close()
    curate.apply(seeded, "set-article-date", article_id, "2023-06-01", why="the dateline was wrong")
    log = curate.export_jsonl(seeded)
    dbs = {}
    for name in ("plain", "extracted"):
        dbs[name] = tmp_path / f"{name}.db"
        store.open_db(dbs[name]).conn.close()
        assert curate.import_jsonl(dbs[name], log)["added"] == 1
    ingest_sources(dbs["plain"], [SAMPLE[0].parent], fetch=False)
    sample_shard = tmp_path / "sample-shards"
    sample_shard.mkdir()
    lines = [ln for p in sorted(out.glob("part-*.jsonl")) for ln in p.read_text(encoding="utf-8").splitlines()
             if json.loads(ln)["source"].startswith(str(config.SAMPLE_DIR.resolve()))]
    assert len(lines) == len(SAMPLE)
    (sample_shard / "part-00000.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    ingest_extracted(dbs["extracted"], sample_shard)
    a, b = dump(dbs["plain"]), dump(dbs["extracted"])
    conn = store.connect_ro(dbs["extracted"])
    assert conn.execute("SELECT published FROM articles WHERE source = ?",
                        [str(SAMPLE[2].resolve())]).fetchone()[0] == "2023-06-01" != old_day
    conn.close()
    for d in (a, b):
        d.pop("curation_log")
    assert differences(a, b) == []


def test_units_and_partitions_follow_the_ingest_order(inputs, tmp_path):
    units = list_units([*inputs, "https://example.org/feed.xml", tmp_path / "missing.txt"])
    files = [u for u in units if isinstance(u, str)]
    assert files[:58] == [str(p) for p in SAMPLE] and len(files) == 58 + 1 + 82
    assert [u["error"]["kind"] for u in units if isinstance(u, dict)] == ["unsupported", "missing"]
    groups = partition(units, 5)
    assert len(groups) == 5 and [u for g in groups for u in g] == units and all(groups)


def test_cli_backfill_on_this_machines_processes(tmp_path, capsys):
    """Without --scheduler: dask.bag on local worker processes; the two README commands."""
    files = [str(p) for p in SAMPLE[:3]]
    out = tmp_path / "out"
    assert cli.main(["extract", "--engine", "dask", "--partitions", "2", *files, "--out", str(out)]) == 0
    assert "3 items from 3 files in 2 shards" in capsys.readouterr().err
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["scheduler"] == "processes" and manifest["shards"] == ["part-00000.jsonl", "part-00001.jsonl"]
    assert cli.main(["ingest", "--db", str(tmp_path / "b.db"), "--quiet", "--extracted", str(out)]) == 0
    assert "3 new, 0 duplicates" in capsys.readouterr().out
    ingest_sources(tmp_path / "a.db", files, fetch=False)
    assert differences(dump(tmp_path / "a.db"), dump(tmp_path / "b.db")) == []
