"""The near-duplicate signature is datasketch's MinHash, computed without importing it."""
from __future__ import annotations

import sys

import numpy as np
import pytest

from analysis import config
from analysis.ingest import dedupe

TEXTS = [p.read_text(encoding="utf-8") for p in sorted(config.SAMPLE_DIR.glob("*.md"))]


@pytest.mark.parametrize("text", TEXTS + ["- " * 60, "word " * 39, "a b c d " * 20, "Kabul " * 45])
def test_signature_is_datasketchs_minhash(text):
    from datasketch import MinHash

    mine = dedupe.signature(text)
    if len(text.split()) < dedupe.MIN_WORDS:
        assert mine is None
        return
    m = MinHash(num_perm=dedupe.NUM_PERM, seed=1, scheme="affine32")
    m.update_batch(list(dedupe._shingles(text)))
    assert mine.dtype == np.uint64 and np.array_equal(mine, m.hashvalues.astype(np.uint64))


def test_near_copies_are_similar_and_others_are_not():
    a, b = TEXTS[0], TEXTS[0].replace("Kabul", "Kabul city", 1) + " One more sentence at the end."
    assert dedupe.similarity(dedupe.signature(a), dedupe.signature(b)) >= dedupe.THRESHOLD
    assert dedupe.similarity(dedupe.signature(a), dedupe.signature(TEXTS[1])) < 0.3


def test_signing_does_not_import_datasketch_or_scipy():
    import subprocess

    code = ("import sys; from analysis.ingest import dedupe; dedupe.signature('word ' * 50 + 'end'); "
            "print(sorted(m for m in ('datasketch', 'scipy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=config.REPO_ROOT, check=True)
    assert out.stdout.strip() == "[]"
