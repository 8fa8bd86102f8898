"""How close an approximate FAISS index comes to exact search, measured on its own vectors.

Recall@k is the share of the exact top k that the index returns in its own top k. A result
counts when its true score reaches the exact k-th best score (less a rounding margin), so a
reprinted passage, whose copies tie, counts whichever copy is returned.
"""

from __future__ import annotations

import faiss
import numpy as np

RECALL_K = 10
RECALL_SAMPLE = 200
"""Passage vectors used as questions when a version is built: the exact answers of 200 cost one
pass over the vectors, cheap beside the build even at a million passages."""
TIE_MARGIN = 1e-5


def exact_neighbours(
    vectors: np.ndarray, queries: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """The exact top `k` (scores, rows) of each query by inner product, by brute force."""
    k = min(k, len(vectors))
    scores, rows = faiss.knn(
        np.ascontiguousarray(queries, np.float32),
        np.ascontiguousarray(vectors, np.float32),
        k,
        metric=faiss.METRIC_INNER_PRODUCT,
    )
    return scores, rows


def recall_at_k(
    vectors: np.ndarray,
    queries: np.ndarray,
    found: np.ndarray,
    kth_scores: np.ndarray,
    k: int,
) -> float:
    """Mean share of each query's top `k` rows in `found` whose true score reaches the exact
    k-th best score `kth_scores` (one row of `found` and one score per query)."""
    if len(queries) == 0 or k <= 0:
        return 1.0
    hits = 0
    for query, rows, kth in zip(queries, found, kth_scores, strict=True):
        rows = rows[rows >= 0][:k]
        if len(rows):
            hits += int(np.count_nonzero(vectors[rows] @ query >= kth - TIE_MARGIN))
    return hits / (k * len(queries))


def self_recall(
    index: faiss.Index,
    vectors: np.ndarray,
    *,
    sample: int = RECALL_SAMPLE,
    k: int = RECALL_K,
    seed: int = 0,
) -> float:
    """Recall@k of `index` against exact search, with `sample` of its own vectors (`vectors`, in
    row order) as queries, each query's own row left out of both answers."""
    count = len(vectors)
    k = min(k, count - 1)
    if k <= 0:
        return 1.0
    rows = np.random.default_rng(seed).choice(count, size=min(sample, count), replace=False)
    queries = vectors[rows]
    _, exact = exact_neighbours(vectors, queries, k + 1)
    _, approximate = index.search(queries, k + 1)
    kth = np.array(
        [float(vectors[_others(found, own, k)[-1]] @ query)
         for found, own, query in zip(exact, rows, queries, strict=True)],
        dtype=np.float32,
    )  # fmt: skip
    found = np.stack(
        [_others(found, own, k, pad=True) for found, own in zip(approximate, rows, strict=True)]
    )
    return recall_at_k(vectors, queries, found, kth, k)


def _others(found: np.ndarray, own: int, k: int, *, pad: bool = False) -> np.ndarray:
    """The first `k` rows of `found` but `own` (padded with -1 to `k` when asked)."""
    rows = found[(found != own) & (found >= 0)][:k]
    if pad and len(rows) < k:
        rows = np.concatenate([rows, np.full(k - len(rows), -1, rows.dtype)])
    return rows
