"""How close an approximate FAISS index comes to exact search, measured when it is built.

Recall@k is the share of the exact top k that the index returns in its own top k. A result
counts when its true score reaches the exact k-th best score (less a rounding margin), so a
reprinted passage, whose copies tie, counts whichever copy is returned.

At build time there are no questions, so the version's own vectors stand in for them, moved
away from themselves first. A passage vector searched as it is finds itself and its close
neighbours at once: in a trial, an HNSW over 100,000 real and resampled MiniLM vectors scored
1.000 that way where real questions scored 0.958 (efSearch 128). A question is farther from every passage (its
best cosine is ~0.45 on news) and sits among many near-equal candidates. Each probe is a
passage vector plus Gaussian noise with the vectors' own covariance times PROBE_NOISE,
renormalized: its best cosine falls to ~0.48. From 50,000 to 1,000,000 passages their recall
was never more than 0.001 above the questions' and up to 0.12 below (0.977 where questions
scored 0.987 at a million, efSearch 1024; benchmarks/vector_index_scale.py prints both): a
cautious figure, not a flattering one.
"""

from __future__ import annotations

import faiss
import numpy as np

RECALL_K = 10
RECALL_PROBES = 200
"""Probes per build: their exact answers cost one pass over the vectors, cheap beside the build
even at a million passages."""
PROBE_NOISE = 2.0
COVARIANCE_SAMPLE = 20_000
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
    vectors: np.ndarray, queries: np.ndarray, found: np.ndarray, kth_scores: np.ndarray, k: int
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


def spread(vectors: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A Cholesky factor of the vectors' covariance (from a sample): `z @ factor.T`, for `z`
    standard normal, is Gaussian noise shaped like the data."""
    rows = rng.choice(len(vectors), size=min(COVARIANCE_SAMPLE, len(vectors)), replace=False)
    sample = vectors[rows].astype(np.float64)
    centred = sample - sample.mean(axis=0)
    covariance = centred.T @ centred / max(1, len(sample) - 1)
    jitter = 1e-6 * max(float(np.trace(covariance)), 1e-12) / len(covariance)
    return np.linalg.cholesky(covariance + jitter * np.eye(len(covariance)))


def probes(vectors: np.ndarray, count: int, noise: float, rng: np.random.Generator) -> np.ndarray:
    """`count` unit vectors near the data: random rows of `vectors` plus shaped noise."""
    parents = vectors[rng.integers(0, len(vectors), count)].astype(np.float64)
    moved = parents + noise * (rng.standard_normal(parents.shape) @ spread(vectors, rng).T)
    return (moved / np.linalg.norm(moved, axis=1, keepdims=True)).astype(np.float32)


def build_recall(
    index: faiss.Index,
    vectors: np.ndarray,
    *,
    count: int = RECALL_PROBES,
    k: int = RECALL_K,
    noise: float = PROBE_NOISE,
    seed: int = 0,
) -> float:
    """Recall@k of `index` over `vectors` (in row order) against exact search, for `count`
    question-like probes made from the vectors themselves."""
    if len(vectors) == 0:
        return 1.0
    k = min(k, len(vectors))
    queries = probes(vectors, count, noise, np.random.default_rng(seed))
    exact, _ = exact_neighbours(vectors, queries, k)
    _, found = index.search(queries, k)
    return recall_at_k(vectors, queries, found, exact[:, k - 1], k)
