"""No double counting: canonical URLs, exact content hashes and near-duplicate texts.

Near duplicates (the same wire story at two outlets) are found with MinHash over word 4-shingles
and locality-sensitive hashing; the LSH buckets live in SQLite (``article_lsh``) so lookups stay
indexed queries at any corpus size, and each candidate is confirmed against its stored signature.
"""
from __future__ import annotations

import hashlib
import re
import urllib.parse
from typing import Any

import numpy as np

from analysis import store

NUM_PERM = 120
BANDS = 20  # 20 bands x 6 rows: candidates from a Jaccard similarity of about 0.6
ROWS = NUM_PERM // BANDS
THRESHOLD = 0.6
SHINGLE = 4
MIN_WORDS = 40  # shorter texts are compared by exact hash only

_TRACKING = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|yclid|_ga|ref|ref_src|"
    r"cmpid|cmp|ito|smid|partner|share|s_cid|ocid|icid|ncid|mod|taid|rss|feedname|at_\w+)$",
    re.I,
)


def canonical_url(url: str | None) -> str | None:
    """The URL with scheme and host lower-cased, fragment, tracking parameters, default ports,
    ``www.`` and trailing slashes dropped, and query parameters sorted."""
    if not url or not isinstance(url, str):
        return None
    url = url.strip()
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower()
    if host.startswith("www."):
        host = host[4:]
    port = parts.port if parts.port not in (None, 80, 443) else None
    netloc = f"{host}:{port}" if port else host
    query = sorted(
        (k, v) for k, v in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
        if not _TRACKING.match(k)
    )
    path = re.sub(r"/{2,}", "/", parts.path or "/")
    if len(path) > 1:
        path = path.rstrip("/")
    return urllib.parse.urlunsplit(("https", netloc, path, urllib.parse.urlencode(query), ""))


def _shingles(text: str) -> set[bytes]:
    words = re.findall(r"\w+", text.casefold())
    return {" ".join(words[i:i + SHINGLE]).encode() for i in range(max(0, len(words) - SHINGLE + 1))}


_PERMUTATIONS: tuple[np.ndarray, np.ndarray] | None = None
_FMIX32 = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35), np.uint32(16))


def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """The ``NUM_PERM`` affine permutations (odd ``a``, any ``b``, modulo 2^32) of seed 1."""
    global _PERMUTATIONS
    if _PERMUTATIONS is None:
        gen = np.random.RandomState(1)
        a = gen.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
        b = gen.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
        _PERMUTATIONS = (a, b)
    return _PERMUTATIONS


def signature(text: str) -> np.ndarray | None:
    """MinHash signature of a text (``NUM_PERM`` uint64 values), or None for short texts.

    The values are datasketch 2's ``MinHash(num_perm=NUM_PERM, seed=1)`` (scheme "affine32":
    SHA-1 of each shingle, the MurmurHash3 finalizer, then ``a * h + b`` modulo 2^32), computed
    here so that stored signatures do not depend on the installed datasketch, and without its
    import (SciPy's, about 0.7 s in every process that ingests); a test compares the two."""
    if len(text.split()) < MIN_WORDS:
        return None
    a, b = _permutations()
    shingles = _shingles(text)
    if not shingles:
        return np.full(NUM_PERM, 0xFFFFFFFF, dtype=np.uint64)
    hv = np.frombuffer(b"".join(hashlib.sha1(s).digest()[:4] for s in shingles), dtype="<u4").astype(np.uint32)
    s1, m1, s2, m2, s3 = _FMIX32
    with np.errstate(over="ignore"):
        hv = hv ^ (hv >> s1)
        hv = hv * m1
        hv = hv ^ (hv >> s2)
        hv = hv * m2
        hv = hv ^ (hv >> s3)
        phv = hv.reshape(-1, 1) * a + b
    return phv.min(axis=0).astype(np.uint64)


def buckets(sig: np.ndarray) -> list[tuple[int, str]]:
    """LSH (band, bucket) pairs of a signature."""
    out = []
    for b in range(BANDS):
        chunk = sig[b * ROWS:(b + 1) * ROWS].tobytes()
        out.append((b, hashlib.blake2b(chunk, digest_size=8).hexdigest()))
    return out


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return float(np.mean(a == b))


def find_near_duplicate(db: Any, sig: np.ndarray | None) -> tuple[int, float] | None:
    """The stored article most similar to ``sig`` above :data:`THRESHOLD`, as (id, similarity).

    :param db: the store (candidates come from :func:`analysis.store.signature_candidates`).
    """
    if sig is None:
        return None
    best: tuple[int, float] | None = None
    for article_id, blob in store.signature_candidates(db, buckets(sig)):
        sim = similarity(sig, np.frombuffer(blob, dtype=np.uint64))
        if sim >= THRESHOLD and (best is None or sim > best[1]):
            best = (article_id, sim)
    return best


def save_signature(db: Any, article_id: int, sig: np.ndarray | None) -> None:
    """Store an article's signature and LSH buckets (inside a write)."""
    if sig is not None:
        store.save_signature(db, article_id, sig.tobytes(), buckets(sig))
