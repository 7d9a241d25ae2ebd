"""Backfills: extraction mapped with Dask over many inputs into JSON Lines shards, and the shards
loaded into a store through the same writes as an ingest, without running spaCy again.

Extraction is a pure function of an article, so it can run anywhere. :func:`extract_to_shards`
lists the inputs' files the way an ingest walks them (folders sorted, links checked), cuts the
list into partitions of about equal size and maps :func:`extract_files` over them with
``dask.bag``: on this machine's processes, or on a ``dask.distributed`` cluster given its
scheduler address. Each partition becomes one shard, ``part-00000.jsonl``, … in the output
folder, and ``manifest.json`` is written last. Workers read the inputs and write the shards
themselves, so on a cluster both must be on a filesystem every worker sees at the same path.

A shard line is one item, in input order: ``{"source", "item", "article": <the clean article
record an ingest stores>, "extraction": <the extraction result>, "extractor_version"}`` (or
``"failed": "<why>"`` in place of ``"extraction"``), or ``{"source", "item", "error": {"kind",
"message"}}`` for an input that is not an article.

:func:`ingest_extracted` reads the shards in order and hands their lines to the
:class:`~analysis.ingest.pipeline.Ingester`: duplicates, events, curation replay and aggregates
exactly as a plain ingest of the same inputs (a test compares the two stores). Shards made by
another extractor version are refused, a malformed line is that line's recorded error.
"""
from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from analysis import store
from analysis.ingest.pipeline import (
    BATCH,
    Ingester,
    Slot,
    _expand,
    _extract_input,
    _extractor_version,
    prepared,
)
from analysis.ingest.sources import Fetcher, ItemError, folder_entries, is_url
from analysis.ingest.workers import Failed, extract_batch

MANIFEST = "manifest.json"
SHARD = re.compile(r"^part-(\d+)\.jsonl$")
#: About how many bytes of input one partition holds by default.
PARTITION_BYTES = 1 << 20


class BackfillError(ValueError):
    """A backfill that cannot start or cannot be loaded, with the reason in one line."""


# --- listing the inputs -------------------------------------------------------------------------

def _unit_error(e: ItemError) -> dict[str, Any]:
    return {"error": {"source": e.source, "item": e.item, "kind": e.kind, "message": e.message}}


def list_units(inputs: Iterable[str | Path]) -> list[str | dict[str, Any]]:
    """The files an ingest of ``inputs`` reads, in its order (a folder's files sorted, as
    :func:`analysis.ingest.sources.folder_entries` lists them), as absolute paths; an input that
    cannot be read is an error unit (``{"error": {...}}``) kept in its place."""
    units: list[str | dict[str, Any]] = []
    for s in inputs:
        s = str(s)
        if is_url(s):
            units.append(_unit_error(ItemError(s, "unsupported",
                                               "a backfill reads files and folders; ingest URLs and feeds with "
                                               "`python -m analysis ingest`")))
            continue
        path = Path(s)
        if path.is_dir():
            for entry in folder_entries(path):
                units.append(_unit_error(entry) if isinstance(entry, ItemError) else str(entry))
        elif path.exists() or path.is_symlink():
            units.append(str(path))
        else:
            units.append(_unit_error(ItemError(s, "missing", f"no such file or folder: {s}")))
    return units


def partition(units: list[str | dict[str, Any]], n: int) -> list[list[str | dict[str, Any]]]:
    """``units`` cut into at most ``n`` consecutive groups of about the same number of bytes."""
    sizes = []
    for u in units:
        try:
            sizes.append(os.stat(u).st_size if isinstance(u, str) else 0)
        except OSError:
            sizes.append(0)
    n = max(1, min(n, len(units)))
    target = max(1, sum(sizes)) / n
    groups: list[list[str | dict[str, Any]]] = [[]]
    filled = 0.0
    for i, (u, size) in enumerate(zip(units, sizes)):
        left_units, left_groups = len(units) - i, n - len(groups)
        if groups[-1] and left_groups > 0 and (filled + size / 2 > target or left_units <= left_groups):
            groups.append([])
            filled = 0.0
        groups[-1].append(u)
        filled += size
    return groups


# --- on the workers -------------------------------------------------------------------------------

def _line(slot: Slot, version: str) -> str:
    if slot.error is not None:
        rec: dict[str, Any] = {"source": slot.source, "item": slot.item,
                               "error": {"kind": slot.error[0], "message": slot.error[1]}}
    else:
        rec = {"source": slot.source, "item": slot.item, "article": slot.art, "extractor_version": version}
        if isinstance(slot.result, Failed):
            rec["failed"] = slot.result.message
        else:
            rec["extraction"] = slot.result
    try:
        return json.dumps(rec, ensure_ascii=False)
    except (TypeError, ValueError) as exc:  # a value JSON cannot hold: that item's error
        return json.dumps({"source": slot.source, "item": slot.item,
                           "error": {"kind": "extraction", "message": f"could not write the result: {exc}"[:300]}},
                          ensure_ascii=False)


def extract_files(units: list[str | dict[str, Any]]) -> list[str]:
    """One partition's shard lines: every file read as an ingest reads it (no network), each
    item cleaned and extracted (:func:`~analysis.ingest.workers.extract_batch`, a batch at a
    time), in order. Runs on a Dask worker; never raises for a bad input."""
    version = _extractor_version()
    fetcher = Fetcher(enabled=False)
    lines: list[str] = []
    pending: list[Slot] = []

    def flush() -> None:
        todo = [s for s in pending if s.art is not None]
        for s, r in zip(todo, extract_batch([_extract_input(s.art) for s in todo])):  # type: ignore[arg-type]
            s.result = r
        lines.extend(_line(s, version) for s in pending)
        pending.clear()

    for unit in units:
        if isinstance(unit, dict):
            e = unit["error"]
            pending.append(Slot(e["source"], e.get("item"), error=(e["kind"], e["message"])))
            continue
        for p in _expand([unit], fetcher):
            pending.append(prepared(p))
            if sum(s.art is not None for s in pending) >= BATCH:
                flush()
    flush()
    return lines


# --- the Dask map ---------------------------------------------------------------------------------

def _shard_name(i: int) -> str:
    return f"part-{i:05d}.jsonl"


def extract_to_shards(inputs: Iterable[str | Path], out: str | Path, *, scheduler: str | None = None,
                      partitions: int | None = None) -> dict[str, Any]:
    """Extract every item of ``inputs`` (JSON Lines, CSV, text, HTML, feed files, folders) with
    Dask into shards in the folder ``out`` (made when absent; refused when it holds shards).

    :param scheduler: a ``dask.distributed`` scheduler address (``tcp://host:8786``); None:
        this machine's processes (``dask.bag`` with the ``processes`` scheduler).
    :param partitions: how many partitions (and shards); default about one per
        :data:`PARTITION_BYTES` of input and at least two per worker.
    :returns: the manifest written to ``out/manifest.json``.
    :raises BackfillError: no inputs, or ``out`` holds shards already.
    """
    import dask.bag as db

    inputs = [str(s) for s in inputs]
    units = list_units(inputs)
    if not units:
        raise BackfillError("nothing to extract: the inputs hold no files")
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise BackfillError(f"--out {out} is a file, not a folder")
    out.mkdir(parents=True, exist_ok=True)
    old = [p.name for p in out.iterdir() if SHARD.match(p.name) or p.name == MANIFEST]
    if old:
        raise BackfillError(f"{out} holds extraction shards already ({len(old)} files): choose an empty "
                            "folder, or remove them")
    client = None
    try:
        if scheduler:
            from distributed import Client

            client = Client(scheduler)
            workers = max(1, len(client.nthreads()))
        else:
            workers = os.cpu_count() or 1
        if partitions is None:
            size = sum(os.stat(u).st_size for u in units if isinstance(u, str) and os.path.isfile(u))
            partitions = max(2 * workers, math.ceil(size / PARTITION_BYTES))
        groups = partition(units, max(1, partitions))
        paths = [str(out / _shard_name(i)) for i in range(len(groups))]
        bag = db.from_sequence(groups, npartitions=len(groups)).map(extract_files).flatten()
        if client is not None:
            bag.to_textfiles(paths, last_endline=True)
        else:
            bag.to_textfiles(paths, last_endline=True, scheduler="processes", num_workers=workers)
    finally:
        if client is not None:
            client.close()
    lines = 0
    for p in paths:
        with open(p, "rb") as f:
            lines += sum(1 for line in f if line.strip())
    manifest = {"extractor_version": _extractor_version(), "engine": "dask",
                "scheduler": scheduler or "processes", "inputs": inputs, "files": sum(isinstance(u, str) for u in units),
                "partitions": len(groups), "shards": [Path(p).name for p in paths], "lines": lines}
    tmp = out / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    tmp.replace(out / MANIFEST)
    return manifest


# --- loading the shards ---------------------------------------------------------------------------

def shards_of(folder: str | Path) -> tuple[list[Path], dict[str, Any] | None]:
    """The shards to load, in order, and the manifest (None when there is none: an extraction
    that did not finish, or shards made by hand).

    :raises BackfillError: no folder, no shards, a manifest that cannot be read, or one of
        another extractor version.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise BackfillError(f"--extracted {folder}: no such folder")
    manifest = None
    if (folder / MANIFEST).exists():
        try:
            manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
            if not isinstance(manifest, dict):
                raise TypeError("not an object")
        except (TypeError, ValueError) as exc:
            raise BackfillError(f"{folder / MANIFEST} cannot be read ({exc})") from None
        version = manifest.get("extractor_version")
        if version != _extractor_version():
            raise BackfillError(
                f"{folder} was extracted by extractor {version}; this Chancery's is {_extractor_version()}: "
                "extract the inputs again (python -m analysis extract --engine dask ...) or ingest them directly")
        shards = [folder / n for n in manifest.get("shards") or []]
        missing = [p.name for p in shards if not p.exists()]
        if missing:
            raise BackfillError(f"{folder}: shards named in {MANIFEST} are missing: {', '.join(missing[:5])}")
    else:
        shards = sorted((p for p in folder.iterdir() if SHARD.match(p.name)),
                        key=lambda p: int(SHARD.match(p.name).group(1)))  # type: ignore[union-attr]
    if not shards:
        raise BackfillError(f"--extracted {folder}: no extraction shards (part-*.jsonl) in it; make them with "
                            "python -m analysis extract --engine dask IN... --out DIR")
    return shards, manifest


def read_shard(path: Path, version: str) -> Iterator[Slot]:
    """The slots of one shard, in order; a line that cannot be read becomes that line's error."""
    with path.open(encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            where = f"line {n}"
            try:
                rec = json.loads(line)
                if not isinstance(rec, dict) or not isinstance(rec.get("source"), str):
                    raise TypeError("not a shard record (no source)")
                source, item = rec["source"], rec.get("item")
                if "error" in rec:
                    e = rec["error"]
                    yield Slot(source, item, error=(str(e["kind"]), str(e["message"])))
                    continue
                art = rec["article"]
                if not isinstance(art, dict) or not isinstance(art.get("text"), str) or not art.get("source"):
                    raise TypeError("no article record")
                if rec.get("extractor_version") != version:
                    why = (f"extracted by extractor {rec.get('extractor_version')}; this Chancery's is {version}: "
                           "extract it again")
                    yield Slot(source, item, error=("extraction", why))
                    continue
                if "failed" in rec:
                    result: dict[str, Any] | Failed = Failed(str(rec["failed"]))
                else:
                    result = rec["extraction"]
                    if not isinstance(result, dict) or not isinstance(result.get("mentions", []), list):
                        raise TypeError("no extraction result")
                art["content_hash"] = store.content_hash(art["text"])  # the store's, not the shard's word
                yield Slot(source, item, art=art, result=result)
            except (ValueError, KeyError, TypeError) as exc:
                yield Slot(str(path), where, error=("malformed", f"{where}: not a shard line ({exc})"[:300]))


def ingest_extracted(db_path: str | Path | None, folder: str | Path, *, progress: bool = False,
                     on_progress: Callable[[int, int | None], None] | None = None) -> dict[str, Any]:
    """Load the shards in ``folder`` into the store with the writes of an ingest (see the module
    docstring); spaCy runs only for an article an analyst re-dated since (its extraction used
    the old date) and that is not a duplicate.

    :raises BackfillError: see :func:`shards_of`.
    """
    shards, manifest = shards_of(folder)
    version = _extractor_version()
    total = manifest.get("lines") if manifest else None
    if not isinstance(total, int) and (progress or on_progress):
        total = 0
        for p in shards:
            with p.open("rb") as f:
                total += sum(1 for line in f if line.strip())
    ing = Ingester(db_path, progress=progress, fetch=False, on_progress=on_progress)

    def slots() -> Iterator[Slot]:
        chunk: list[Slot] = []
        for p in shards:
            for slot in read_shard(p, version):
                chunk.append(slot)
                if len(chunk) >= BATCH:
                    yield from redated(chunk)
                    chunk = []
        yield from redated(chunk)

    def redated(chunk: list[Slot]) -> list[Slot]:
        arts = [s.art for s in chunk if s.art is not None]
        changed = {id(a) for a in ing.apply_curated_dates(arts)} if arts else set()
        for s in chunk:
            if s.art is not None and id(s.art) in changed:
                s.result = None  # extracted with the old date: extract it again if it is new
        return chunk

    try:
        summary = ing.run(slots(), [f"extracted:{Path(folder).resolve()}"], total=total).as_dict()
    finally:
        ing.close()
    summary["shards"] = len(shards)
    summary["manifest"] = manifest is not None
    return summary
