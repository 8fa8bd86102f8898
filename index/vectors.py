"""The FAISS side of a version: build, save, load and search vectors by inner product.

Vector ids are passage row numbers (0..n-1) in the version's SQLite file, so any FAISS index
type works, including ones that cannot remove or map ids. The type is a factory string.
"""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np

from index.errors import IndexCorruptError
from index.manifest import REBUILD_HINT

VECTORS_NAME = "passages.faiss"
HNSW_EF_CONSTRUCTION = 200
HNSW_EF_SEARCH = 128


def build_faiss(vectors: np.ndarray, factory: str) -> faiss.Index:
    """A FAISS index over normalized vectors with inner-product metric (cosine)."""
    dimension = vectors.shape[1]
    index = faiss.index_factory(dimension, factory, faiss.METRIC_INNER_PRODUCT)
    hnsw = _hnsw_of(index)
    if hnsw is not None:
        hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        hnsw.efSearch = HNSW_EF_SEARCH
    if not index.is_trained and len(vectors):
        index.train(vectors)
    if len(vectors):
        index.add(vectors)
    return index


def save_faiss(index: faiss.Index, folder: Path) -> None:
    faiss.write_index(index, str(folder / VECTORS_NAME))


def load_faiss(folder: Path) -> faiss.Index:
    path = folder / VECTORS_NAME
    if not path.is_file():
        raise IndexCorruptError(f"{path} is missing: {REBUILD_HINT}")
    try:
        return faiss.read_index(str(path))
    except RuntimeError as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else "unreadable"
        raise IndexCorruptError(f"{path} cannot be read ({first_line}): {REBUILD_HINT}") from None


def search_faiss_many(
    index: faiss.Index, queries: np.ndarray, depth: int
) -> list[list[tuple[int, float]]]:
    """The `depth` nearest vectors of each query as (row, score), best first, -1 padding dropped;
    one call for all the queries, so a flat index reads its vectors once (a matrix product)
    instead of once per query."""
    depth = min(depth, index.ntotal)
    if depth <= 0:
        return [[] for _ in range(len(queries))]
    scores, rows = index.search(np.ascontiguousarray(queries, dtype=np.float32), depth)
    return [
        [(int(r), float(s)) for r, s in zip(row, score, strict=True) if r >= 0]
        for row, score in zip(rows, scores, strict=True)
    ]


def passage_vectors(index: faiss.Index, rows: list[int]) -> np.ndarray:
    """The stored vectors of these rows (exact for Flat and HNSW; approximate for PQ types)."""
    if not rows:
        return np.zeros((0, index.d), dtype=np.float32)
    try:
        return np.asarray(index.reconstruct_batch(np.asarray(rows, dtype=np.int64)))
    except RuntimeError:  # inverted lists need a direct map to find a vector by id
        concrete = faiss.extract_index_ivf(index)
        concrete.make_direct_map()
        return np.asarray(index.reconstruct_batch(np.asarray(rows, dtype=np.int64)))


def _hnsw_of(index: faiss.Index) -> faiss.HNSW | None:
    concrete = faiss.downcast_index(index)
    return concrete.hnsw if isinstance(concrete, faiss.IndexHNSW) else None
