"""FAISS search from 50,000 to 1,000,000 passages: exact (Flat) against HNSW, on real MiniLM
vectors and real questions, and which type FAISS_INDEX_FACTORY=auto picks at each size.

    .venv/bin/python -m benchmarks.vector_index_scale                       # 50k to 1M passages
    .venv/bin/python -m benchmarks.vector_index_scale --sizes 20000,60000 --ef-search 64,128
    flock /work/bench.lock .venv/bin/python -m benchmarks.vector_index_scale --output benchmarks/results/vector_index.md

**Vectors** come from a built index (`--vectors-from`: an index folder, or one of its version
folders; by default the RealTimeQA evaluation index that `python -m evaluation --dataset
realtimeqa` builds under `$DATA_DIR/eval/`), read back from its `passages.faiss`. A corpus of N
holds the real vectors (N of them drawn at random when there are more) and, above that, resampled
ones: each is a real vector drawn at random, plus Gaussian noise with the real vectors' own
covariance times `--noise`, renormalized to unit length. The noise keeps the data's shape (it
spreads along the directions the real vectors vary in) and puts a copy as far from its parent as
real passages are from their nearest neighbours. The first table checks that this does not make
the search easy: real questions' exact top-1 and 10th-best cosines against the real vectors and
against as many resampled ones alone, and an HNSW's recall on both at a low efSearch.

**Questions**: the 103 RealTimeQA and 1,190 XQuAD questions of ../shared/eval, encoded by the
product's embedder (`encode_queries`). Each timed search is one question alone on one OpenMP
thread, as the bot searches, `k` = 64 (the searcher's MIN_CANDIDATES); recall@10 is the share of
the exact top 10 found in the index's top 10, over all questions, a tied copy counting as found
(`index.store.faiss.recall`). Builds run on every core. "index MB" is the FAISS file; "RSS MB" the
process's resident memory with that index loaded (the vectors of the corpus, the model that
encoded the questions and one index).
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import faiss
import numpy as np

from benchmarks.provenance import commit
from evaluation.datasets import DATASETS, SHARED_EVAL, eval_settings, read_jsonl
from index import IndexSettings, load_embedder
from index.search.news_index import MIN_CANDIDATES
from index.store.faiss.recall import build_recall, exact_neighbours, recall_at_k, spread
from index.store.faiss.vectors import (
    APPROXIMATE_FACTORY,
    EXACT_FACTORY,
    HNSW_EF_CONSTRUCTION,
    VECTORS_NAME,
    build_faiss,
    openmp_threads,
    resolve_factory,
)
from index.store.hnsw_depth import hnsw_ef_search
from index.store.publish import IndexLayout

ROOT = Path(__file__).resolve().parent.parent

QUESTION_SETS = ("realtimeqa", "xquad")
CHECK_EF_SEARCH = 16
"""Low enough for an HNSW to miss neighbours, so that the real and resampled recalls differ if
one is easier to search than the other."""


@dataclass(frozen=True, slots=True)
class Row:
    size: int
    factory: str
    setting: str | None
    build_s: float
    p50_ms: float
    p95_ms: float
    recall: float
    index_mb: float
    rss_mb: float
    build_recall: float | None = None
    default: bool = False


# -- inputs -----------------------------------------------------------------------------------------


def real_vectors(source: Path) -> np.ndarray | None:
    """Every passage vector of an index folder's live version (or of a version folder)."""
    folder = source if (source / VECTORS_NAME).is_file() else IndexLayout(source).current_version()
    if folder is None or not (folder / VECTORS_NAME).is_file():
        return None
    index = faiss.read_index(str(folder / VECTORS_NAME))
    return np.ascontiguousarray(index.reconstruct_n(0, index.ntotal), dtype=np.float32)


def questions() -> list[str] | None:
    texts: list[str] = []
    for name in QUESTION_SETS:
        path = SHARED_EVAL / DATASETS[name][1]
        if not path.is_file():
            return None
        texts += [str(record["question"]) for record in read_jsonl(path)]
    return texts


class Resampler:
    """Vectors like the real ones: a real vector plus noise of the real vectors' covariance."""

    def __init__(self, real: np.ndarray, noise: float, seed: int) -> None:
        self.real = real
        self.noise = noise
        self.rng = np.random.default_rng(seed)
        self.factor = spread(real, self.rng)

    def sample(self, count: int, chunk: int = 100_000) -> np.ndarray:
        out = np.empty((count, self.real.shape[1]), dtype=np.float32)
        for start in range(0, count, chunk):
            n = min(chunk, count - start)
            parents = self.real[self.rng.integers(0, len(self.real), n)].astype(np.float64)
            noise = self.rng.standard_normal((n, self.real.shape[1])) @ self.factor.T
            vectors = parents + self.noise * noise
            out[start : start + n] = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
        return out

    def corpus(self, size: int) -> np.ndarray:
        """`size` vectors: the real ones (a random `size` of them if fewer), then resampled."""
        if size <= len(self.real):
            rows = np.sort(self.rng.choice(len(self.real), size=size, replace=False))
            return np.ascontiguousarray(self.real[rows])
        return np.concatenate([self.real, self.sample(size - len(self.real))])


# -- measurements ------------------------------------------------------------------------------------


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def timed_searches(index: faiss.Index, queries: np.ndarray, k: int) -> tuple[float, float]:
    """p50 and p95 in ms of one question at a time, on one thread."""
    times: list[float] = []
    with openmp_threads(1):
        for query in queries[:5]:  # warm caches and the thread
            index.search(query.reshape(1, -1), k)
        for query in queries:
            started = time.perf_counter()
            index.search(query.reshape(1, -1), k)
            times.append((time.perf_counter() - started) * 1000)
    quantiles = statistics.quantiles(times, n=20)
    return statistics.median(times), quantiles[18]


def index_mb(index: faiss.Index) -> float:
    with tempfile.TemporaryDirectory(prefix="vector-index-") as folder:
        path = Path(folder) / VECTORS_NAME
        faiss.write_index(index, str(path))
        return path.stat().st_size / 1e6


def quantiles_text(values: np.ndarray) -> str:
    p10, p50, p90 = np.percentile(values, [10, 50, 90])
    return f"{p10:.3f} / {p50:.3f} / {p90:.3f}"


def nearest_other(corpus: np.ndarray, count: int = 1000, seed: int = 0) -> np.ndarray:
    """Cosine of `count` random passages to their nearest other passage."""
    rows = np.random.default_rng(seed).choice(len(corpus), min(count, len(corpus)), False)
    scores, found = exact_neighbours(corpus, corpus[rows], 2)
    return np.where(found[:, 0] == rows, scores[:, 1], scores[:, 0])


def hardness_check(resampler: Resampler, queries: np.ndarray, factory: str) -> list[str]:
    """Table rows: the real vectors against as many resampled ones alone. Exact top-1 and
    10th-best cosines of the questions, each passage's nearest other passage (p10 / p50 / p90),
    and the recall@10 of `factory` at efSearch CHECK_EF_SEARCH."""
    rows = []
    count = len(resampler.real)
    for name, corpus in (
        (f"real vectors ({count:,})", resampler.real),
        (f"resampled only ({count:,})", resampler.sample(count)),
    ):
        scores, _ = exact_neighbours(corpus, queries, 10)
        index = build_faiss(corpus, factory, ef_search=CHECK_EF_SEARCH)
        _, found = index.search(queries, 10)
        recall = recall_at_k(corpus, queries, found, scores[:, 9], 10)
        rows.append(
            f"| {name} | {quantiles_text(scores[:, 0])} | {quantiles_text(scores[:, 9])} | "
            f"{quantiles_text(nearest_other(corpus))} | {recall:.3f} |"
        )
    return rows


def measure_size(
    size: int,
    corpus: np.ndarray,
    queries: np.ndarray,
    timed: np.ndarray,
    factories: Sequence[str],
    swept: dict[str, list[int]],
    picked: tuple[str, str | None],
) -> tuple[list[Row], np.ndarray]:
    """Flat, then each approximate factory at each of its search settings (efSearch for HNSW,
    nprobe for IVF); and the exact top-1 cosines."""
    k = MIN_CANDIDATES
    exact_scores, _ = exact_neighbours(corpus, queries, 10)
    kth = exact_scores[:, 9]
    rows: list[Row] = []

    started = time.perf_counter()
    flat = build_faiss(corpus, EXACT_FACTORY)
    build_s = time.perf_counter() - started
    p50, p95 = timed_searches(flat, timed, k)
    rows.append(
        Row(size, EXACT_FACTORY, None, build_s, p50, p95, 1.0, index_mb(flat), rss_mb(),
            default=picked[0] == EXACT_FACTORY)
    )  # fmt: skip
    del flat
    print(f"  {size:,}: Flat p50 {p50:.2f} ms", file=sys.stderr, flush=True)

    for factory in factories:
        started = time.perf_counter()
        index = build_faiss(corpus, factory)
        build_s = time.perf_counter() - started
        print(f"  {size:,}: {factory} built in {build_s:.0f} s", file=sys.stderr, flush=True)
        size_mb, memory = index_mb(index), rss_mb()
        name, values, choose = search_setting(index, swept)
        for value in values:
            choose(value)
            setting = f"{name} {value}"
            p50, p95 = timed_searches(index, timed, k)
            _, found = index.search(queries, k)
            recall = recall_at_k(corpus, queries, found[:, :10], kth, 10)
            own = build_recall(index, corpus)
            rows.append(
                Row(size, factory, setting, build_s, p50, p95, recall, size_mb, memory, own,
                    default=picked == (factory, setting))
            )  # fmt: skip
        del index
    return rows, exact_scores[:, 0]


def search_setting(
    index: faiss.Index, swept: dict[str, list[int]]
) -> tuple[str, list[int], Callable[[int], None]]:
    """What trades speed for recall in this type: HNSW's efSearch or IVF's nprobe."""
    concrete = faiss.downcast_index(index)
    if isinstance(concrete, faiss.IndexHNSW):
        return (
            "efSearch",
            swept["efSearch"],
            lambda value: setattr(concrete.hnsw, "efSearch", value),
        )
    ivf = faiss.extract_index_ivf(index)
    return "nprobe", swept["nprobe"], lambda value: setattr(ivf, "nprobe", value)


# -- report -------------------------------------------------------------------------------------------


def table(rows: Sequence[Row]) -> list[str]:
    lines = [
        "| passages | index | search setting | build s | p50 ms | p95 ms | recall@10 | "
        "recall@10 of build probes (manifest) | index MB | RSS MB | auto picks |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in rows:
        own = f"{r.build_recall:.3f}" if r.build_recall is not None else ""
        lines.append(
            f"| {r.size:,} | {r.factory} | {r.setting or ''} | {r.build_s:.1f} | "
            f"{r.p50_ms:.2f} | {r.p95_ms:.2f} | {r.recall:.3f} | {own} | {r.index_mb:.0f} | "
            f"{r.rss_mb:.0f} | {'**◀ default**' if r.default else ''} |"
        )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--vectors-from",
        type=Path,
        default=None,
        help="an index folder or version folder whose passage vectors to resample "
        "(default: the RealTimeQA evaluation index under $DATA_DIR/eval/)",
    )
    parser.add_argument("--sizes", default="50000,100000,200000,1000000", help="corpus sizes")
    parser.add_argument(
        "--factory",
        action="append",
        help=f"an approximate FAISS type to measure (repeatable; default {APPROXIMATE_FACTORY})",
    )
    parser.add_argument("--ef-search", default="128,256,512,768,1024", help="HNSW efSearch values")
    parser.add_argument("--nprobe", default="16,32,64,128", help="IVF nprobe values")
    parser.add_argument(
        "--noise", type=float, default=0.5, help="resampling noise, times the data's spread"
    )
    parser.add_argument("--timed", type=int, default=400, help="questions timed one at a time")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output", type=Path, help="also append the result to this file")
    args = parser.parse_args()

    settings = IndexSettings()
    ef_default = settings.faiss_hnsw_ef_search
    source = (
        args.vectors_from
        or eval_settings(settings, SHARED_EVAL / DATASETS["realtimeqa"][0]).resolved_index_dir
    )
    real = real_vectors(source)
    texts = questions()
    if real is None:
        print(
            f"skipped: no index in {source}; build it with `python -m evaluation --dataset "
            "realtimeqa` or pass --vectors-from INDEX_DIR"
        )
        return 0
    if texts is None:
        print(f"skipped: the questions of {SHARED_EVAL} are not there (the data is optional)")
        return 0
    sizes = [int(s) for s in args.sizes.split(",")]
    factories = args.factory or [APPROXIMATE_FACTORY]
    settings_swept = {
        "efSearch": [int(e) for e in args.ef_search.split(",")],
        "nprobe": [int(n) for n in args.nprobe.split(",")],
    }
    started = time.perf_counter()

    embedder = load_embedder(settings)
    queries = np.ascontiguousarray(embedder.encode_queries(texts), dtype=np.float32)
    del embedder
    rng = np.random.default_rng(args.seed)
    timed = queries[np.sort(rng.choice(len(queries), min(args.timed, len(queries)), False))]
    resampler = Resampler(real, args.noise, args.seed)
    print(f"{len(real):,} real vectors from {source}; {len(texts)} questions", file=sys.stderr)

    check = hardness_check(resampler, queries, APPROXIMATE_FACTORY)
    rows: list[Row] = []
    top1: dict[int, np.ndarray] = {}
    for size in sizes:
        picked_factory = resolve_factory(
            settings.faiss_index_factory, size, settings.faiss_exact_limit
        )
        picked = (
            picked_factory,
            None
            if picked_factory == EXACT_FACTORY
            else f"efSearch {hnsw_ef_search(ef_default, size)}",
        )
        corpus = resampler.corpus(size)
        found, top1[size] = measure_size(
            size, corpus, queries, timed, factories, settings_swept, picked
        )
        rows += found
        del corpus
    minutes = (time.perf_counter() - started) / 60

    lines = [
        "Is the resampled data as hard to search as the real? Real questions' exact cosine to "
        "their best and 10th-best passage, a passage's cosine to its nearest other one (p10 / "
        f"p50 / p90), and {APPROXIMATE_FACTORY}'s recall@10 at efSearch {CHECK_EF_SEARCH} (low, "
        "so that an easier search shows):",
        "",
        "| vectors | questions: top-1 cosine | questions: 10th cosine | passage: nearest other "
        f"| recall@10 at efSearch {CHECK_EF_SEARCH} |",
        "| --- | --- | --- | --- | ---: |",
        *check,
        *(
            f"| benchmark corpus of {size:,} | {quantiles_text(values)} | | | |"
            for size, values in top1.items()
        ),
        "",
        *table(rows),
    ]
    command = shlex.join(["python", f"benchmarks/{Path(__file__).name}", *sys.argv[1:]])
    header = [
        "### FAISS index types by corpus size",
        "",
        f"- command: `{command}`",
        f"- date: {datetime.now(UTC).isoformat(timespec='seconds')}, commit {commit()}; "
        f"{minutes:.1f} min in all",
        f"- vectors: {len(real):,} real all-MiniLM-L6-v2 passage vectors from `{source}`, "
        f"resampled above that (noise {args.noise} × the data's covariance)",
        f"- questions: {len(texts):,} ({' + '.join(QUESTION_SETS)}), {len(timed)} of them timed "
        f"one at a time on one thread, k = {MIN_CANDIDATES}; builds on {os.cpu_count()} cores",
        f"- defaults: FAISS_INDEX_FACTORY={settings.faiss_index_factory}, "
        f"FAISS_EXACT_LIMIT={settings.faiss_exact_limit:,}, "
        f"FAISS_HNSW_EF_SEARCH={ef_default}; HNSW efConstruction {HNSW_EF_CONSTRUCTION}",
    ]
    result = "\n".join(header) + "\n\n" + "\n".join(lines) + "\n"
    print(result)
    if args.output:
        with args.output.open("a", encoding="utf-8") as handle:
            handle.write(result + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
