"""Extraction of batches of clean articles, in this process or in worker processes.

:func:`extract_batch` is the one extraction step of every ingest path (the single-process
ingest, the ``--workers`` pool, the Dask backfill): one ``nlp.pipe`` pass over the batch, and
when anything in it raises, one article at a time, so that only the failing article fails
(:class:`Failed`, its message). :class:`ExtractorPool` runs it in N worker processes (spawned,
each loading the pipeline once) and hands the results back in the order the batches were
submitted; the caller, the only writer, stores them.
"""
from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, Self


@dataclass(frozen=True)
class Failed:
    """An article whose extraction raised: ``message`` is ``"ExceptionType: what it said"``
    (text, so that it crosses processes whatever the exception was)."""

    message: str


def _failed(exc: BaseException) -> Failed:
    return Failed(f"{type(exc).__name__}: {exc}")


def extract_batch(inputs: list[dict[str, Any]]) -> list[dict[str, Any] | Failed]:
    """The extraction results of clean articles (:func:`analysis.extract.extract_many`), in
    order, one per input: a result dict, or :class:`Failed` for an article whose extraction
    raised. The batch is parsed once; only when that raises is it redone one article at a time."""
    from analysis import extract as ex

    if not inputs:
        return []
    try:
        results: list[dict[str, Any] | Failed] = list(ex.extract_many(inputs, batch_size=len(inputs)))
        if len(results) != len(inputs):
            raise RuntimeError("extraction returned a different number of results")
        return results
    except Exception:  # noqa: BLE001 - isolate the article that fails
        out: list[dict[str, Any] | Failed] = []
        for inp in inputs:
            try:
                out.append(next(iter(ex.extract_many([inp], batch_size=1))))
            except Exception as exc:  # noqa: BLE001
                out.append(_failed(exc))
        return out


def _watch_parent(parent: int) -> None:
    """End this worker when the process that started it is gone (killed: nothing else would)."""
    import os
    import time

    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)


def _start_worker(initializer: Callable[[], None] | None) -> None:
    """In each new worker: Ctrl-C left to the main process (it stops the pool), a watch on the
    main process, the caller's initializer, then the pipeline, loaded once."""
    import os
    import signal
    import threading

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True, name="watch-parent").start()
    if initializer is not None:
        initializer()
    from analysis.extract import get_nlp

    get_nlp()


def _ready() -> int:
    import os
    import time

    time.sleep(0.2)  # long enough that the other workers take the other probes
    return os.getpid()


@dataclass
class Job:
    """A submitted batch: its parts (inputs and the future of the pool that runs them)."""

    parts: list[tuple[list[dict[str, Any]], Future]]
    pool: Executor

    def done(self) -> bool:
        return all(f.done() for _, f in self.parts)


class _Extractor:
    """What both extractors share: an executor made on first use, shut down on close."""

    _pool: Executor | None = None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class ThreadExtractor(_Extractor):
    """:func:`extract_batch` in one thread of this process: the single-process ingest parses
    the next batch while this thread writes the last one. Only SQLite's own work runs outside
    the GIL and overlaps the parsing: spaCy holds the GIL for most of a parse, so this thread's
    Python work (cleaning, dedupe, building rows) adds to the ingest's time. Every use of the
    pipeline goes through this one thread, so no two parses share it at once; the same
    interface as :class:`ExtractorPool` with one worker."""

    workers = 1
    restarts = 0

    def __init__(self) -> None:
        self._pool: ThreadPoolExecutor | None = None

    def submit(self, inputs: list[dict[str, Any]]) -> Job:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chancery-extract")
        return Job([(inputs, self._pool.submit(extract_batch, inputs))], self._pool)

    def result(self, job: Job) -> list[dict[str, Any] | Failed]:
        return [r for _, future in job.parts for r in future.result()]


class ExtractorPool(_Extractor):
    """``workers`` processes running :func:`extract_batch`.

    :param initializer: run first in every worker process (a module-level function: it is sent
        by reference), e.g. to register a component; the pipeline is loaded after it.
    """

    def __init__(self, workers: int, initializer: Callable[[], None] | None = None):
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self.workers = workers
        self.initializer = initializer
        self.restarts = 0
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.workers,
                                             mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_start_worker, initargs=(self.initializer,))
        return self._pool

    def warm(self) -> None:
        """Start every worker and wait until each has loaded the pipeline."""
        seen: set[int] = set()
        for _ in range(20):
            pool = self._executor()
            seen.update(f.result() for f in [pool.submit(_ready) for _ in range(self.workers)])
            if len(seen) >= self.workers:
                return

    def submit(self, inputs: list[dict[str, Any]]) -> Job:
        """Extract ``inputs``, cut in one part per worker (at least 8 articles each) so that a
        batch keeps every worker busy, the last one of a run too."""
        pool = self._executor()
        size = max(8, -(-len(inputs) // self.workers))
        parts = [inputs[i:i + size] for i in range(0, len(inputs), size)]
        return Job([(part, pool.submit(extract_batch, part)) for part in parts], pool)

    def result(self, job: Job) -> list[dict[str, Any] | Failed]:
        """The results of a submitted batch, in order. When a worker process died (killed, out
        of memory, a crash in native code), the pool is started again and the part's articles
        are extracted one per task: the article that kills its worker again is that article's
        :class:`Failed`, the others are extracted."""
        out: list[dict[str, Any] | Failed] = []
        for inputs, future in job.parts:
            try:
                out.extend(future.result())
                continue
            except BrokenProcessPool:
                pass
            if job.pool is self._pool:  # not yet restarted for an earlier part of the same pool
                self._restart()
            for inp in inputs:
                try:
                    out.extend(self._executor().submit(extract_batch, [inp]).result())
                except BrokenProcessPool:
                    out.append(Failed("the worker process extracting this article died"))
                    self._restart()
        return out

    def _restart(self) -> None:
        """A new pool in place of a broken one, checked with a probe task: workers that cannot
        even start (an unguarded main module under spawn, a broken install) raise here rather
        than fail every article."""
        self.restarts += 1
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = None
        try:
            self._executor().submit(_ready).result()
        except BrokenProcessPool as exc:
            self._pool = None
            raise RuntimeError(
                "the extraction worker processes stop as soon as they start (a script that starts an ingest "
                "with workers needs `if __name__ == '__main__':`; or the install is broken): "
                f"{exc}") from None

