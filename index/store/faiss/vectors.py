"""The FAISS side of a version: build, save, load and search vectors by inner product.

Vector ids are passage row numbers in the version's SQLite file (0..n-1 when written whole; an
append adds rows above and leaves the replaced ones' vectors in place, hidden: see
`index.store.faiss.appending`), so any FAISS index type works, including ones that cannot
remove or map ids. The type is a factory string, or
`auto`: exact search (`Flat`) up to FAISS_EXACT_LIMIT passages, a graph (HNSW) above, where a
scan of every vector gets slower than the rest of a reply.

OpenMP keeps its thread count per calling thread, not per process, so the count is set around
each call: one thread for a single question (a second one only spins when the bot's other
threads hold the cores), every core for a build.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import faiss
import numpy as np

from index.errors import IndexCorruptError
from index.settings import EfSearch
from index.store.hnsw_depth import hnsw_ef_search
from index.store.manifest import REBUILD_HINT

VECTORS_NAME = "passages.faiss"
AUTO_FACTORY = "auto"
EXACT_FACTORY = "Flat"
APPROXIMATE_FACTORY = "HNSW32,Flat"
"""What `auto` builds above FAISS_EXACT_LIMIT (benchmarks/vector_index_scale.py measured it)."""
HNSW_EF_CONSTRUCTION = 200
# FAISS_HNSW_EF_SEARCH (by the index's size with `auto`, `index.store.hnsw_depth`) is how many
# candidates an HNSW search keeps exploring from. It is set on every HNSW index loaded, whatever
# its file holds (FAISS 1.15 writes it into the file, but the setting must win); a search for
# more (the searcher asks for 64) explores as many.
BUILD_THREADS = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
QUERY_THREADS = 1


def resolve_factory(factory: str, passages: int, exact_limit: int) -> str:
    """The factory string a version of `passages` vectors is built with (`auto` resolved)."""
    if factory != AUTO_FACTORY:
        return factory
    return EXACT_FACTORY if passages <= exact_limit else APPROXIMATE_FACTORY


def is_exact(index: faiss.Index) -> bool:
    """Whether a search compares the question with every stored vector as it is."""
    return isinstance(faiss.downcast_index(index), faiss.IndexFlat)


@contextlib.contextmanager
def openmp_threads(count: int) -> Iterator[None]:
    """FAISS's OpenMP threads for the calling thread, for the duration of one call."""
    previous = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(count)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(previous)


def build_faiss(vectors: np.ndarray, factory: str, *, ef_search: EfSearch = "auto") -> faiss.Index:
    """A FAISS index over normalized vectors with inner-product metric (cosine), on every core."""
    dimension = vectors.shape[1]
    index = faiss.index_factory(dimension, factory, faiss.METRIC_INNER_PRODUCT)
    hnsw = _hnsw_of(index)
    if hnsw is not None:
        hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        hnsw.efSearch = hnsw_ef_search(ef_search, len(vectors))
    with openmp_threads(BUILD_THREADS):
        if not index.is_trained and len(vectors):
            index.train(vectors)
        if len(vectors):
            index.add(vectors)
    return index


def append_faiss(index: faiss.Index, vectors: np.ndarray) -> None:
    """Add vectors to a built index (rows from `index.ntotal` up), on every core: an HNSW graph
    links them in as it would have at build time, with the efConstruction it was built with."""
    if len(vectors):
        with openmp_threads(BUILD_THREADS):
            index.add(np.ascontiguousarray(vectors, dtype=np.float32))


def save_faiss(index: faiss.Index, folder: Path) -> None:
    faiss.write_index(index, str(folder / VECTORS_NAME))


def load_faiss(folder: Path, *, ef_search: EfSearch = "auto") -> faiss.Index:
    path = folder / VECTORS_NAME
    if not path.is_file():
        raise IndexCorruptError(f"{path} is missing: {REBUILD_HINT}")
    try:
        index = faiss.read_index(str(path))
    except RuntimeError as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else "unreadable"
        raise IndexCorruptError(f"{path} cannot be read ({first_line}): {REBUILD_HINT}") from None
    hnsw = _hnsw_of(index)
    if hnsw is not None:
        hnsw.efSearch = hnsw_ef_search(ef_search, index.ntotal)
    return index


def ef_search(index: faiss.Index) -> int | None:
    """The HNSW exploration depth of searches (None for other types)."""
    hnsw = _hnsw_of(index)
    return None if hnsw is None else int(hnsw.efSearch)


def search_faiss_many(
    index: faiss.Index, queries: np.ndarray, depth: int
) -> list[list[tuple[int, float]]]:
    """The `depth` nearest vectors of each query as (row, score), best first, -1 padding dropped;
    one call for all the queries, so a flat index reads its vectors once (a matrix product)
    instead of once per query."""
    depth = min(depth, index.ntotal)
    if depth <= 0:
        return [[] for _ in range(len(queries))]
    with openmp_threads(QUERY_THREADS):
        scores, rows = index.search(np.ascontiguousarray(queries, dtype=np.float32), depth)
    return [
        [(int(r), float(s)) for r, s in zip(row, score, strict=True) if r >= 0]
        for row, score in zip(rows, scores, strict=True)
    ]


SMALL_SUBSET = 4096
"""At most this many allowed rows are compared with the question directly (exact, and cheaper
than a graph walk that skips most of the nodes it reaches)."""


def search_faiss_within(
    index: faiss.Index, queries: np.ndarray, depth: int, allowed: np.ndarray
) -> list[list[tuple[int, float]]]:
    """`search_faiss_many` among the rows `allowed` (a boolean mask over every row) only.

    A small subset is searched exactly from its stored vectors; a larger one through an id
    selector inside the FAISS search (exact for Flat). A graph search that a narrow filter
    leaves short of `depth` while more rows pass is redone exactly, so a window that holds k
    passages always gives k.
    """
    rows = np.flatnonzero(allowed)
    depth = min(depth, len(rows))
    if depth <= 0:
        return [[] for _ in range(len(queries))]
    queries = np.ascontiguousarray(queries, dtype=np.float32)
    if len(rows) <= SMALL_SUBSET and not is_exact(index):
        return _search_rows(index, queries, depth, rows)
    bits = np.packbits(allowed, bitorder="little")
    selector = faiss.IDSelectorBitmap(len(allowed), faiss.swig_ptr(bits))
    hnsw = _hnsw_of(index)
    # faiss's type stubs lack the search parameters' keyword constructors
    if hnsw is None:
        params = faiss.SearchParameters(sel=selector)  # type: ignore[call-arg]
    else:
        ef = max(int(hnsw.efSearch), depth)
        params = faiss.SearchParametersHNSW(sel=selector, efSearch=ef)  # type: ignore[attr-defined]
    with openmp_threads(QUERY_THREADS):
        scores, found = index.search(queries, depth, params=params)
    results = [
        [(int(r), float(s)) for r, s in zip(row, score, strict=True) if r >= 0]
        for row, score in zip(found, scores, strict=True)
    ]
    if all(len(result) == depth for result in results):
        return results
    return _search_rows(index, queries, depth, rows)


def _search_rows(
    index: faiss.Index, queries: np.ndarray, depth: int, rows: np.ndarray
) -> list[list[tuple[int, float]]]:
    """The `depth` best of `rows` for each query, by their stored vectors."""
    scores = queries @ passage_vectors(index, rows.tolist()).T
    results = []
    for row_scores in scores:
        top = np.argpartition(-row_scores, depth - 1)[:depth]
        ranked = top[np.argsort(-row_scores[top], kind="stable")]
        results.append([(int(rows[i]), float(row_scores[i])) for i in ranked])
    return results


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
