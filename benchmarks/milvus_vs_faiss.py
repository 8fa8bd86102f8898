"""VECTOR_STORE=faiss against VECTOR_STORE=milvus (Milvus Lite, in this process): build time,
search time and whether both give the same answers, on the same passages and vectors.

    .venv/bin/python -m benchmarks.milvus_vs_faiss --sizes seed             # the sample index
    .venv/bin/python -m benchmarks.milvus_vs_faiss --sizes seed,rtqa        # and ~54k passages
    .venv/bin/python -m benchmarks.milvus_vs_faiss --sizes synthetic:1000000  # vectors alone
    flock /work/bench.lock .venv/bin/python -m benchmarks.milvus_vs_faiss --sizes seed,rtqa --output benchmarks/results/milvus.md

**seed**: `IndexWriter.rebuild(seeds/)` on each store, cache warm (so both embed nothing and the
build time is splitting plus writing the version), then the seed questions.

**rtqa**: the RealTimeQA corpus (3,636 articles, ~54k passages) as the evaluation index holds
it (`python -m evaluation --dataset realtimeqa` builds it under `$DATA_DIR/eval/`, or
`--rtqa-index DIR`): its articles, passages and vectors are read once, then written as a new
version by each store; "build" is that write (FAISS: SQLite, Flat index, sentence vectors,
bm25s; Milvus: three collections, the BM25 function's sparse vectors, flush), not splitting or
embedding, which both stores share. Questions: the 103 RealTimeQA questions, each asked on the
day of its quiz (the recency prior), encoded once.

**synthetic:N**: N random unit vectors (vector search only, no text), 200 random queries:
FAISS Flat against Milvus Lite FLAT; with `--hnsw` the HNSW types (M 32, efConstruction 200,
ef 1024) too.

Figures per store: build seconds; search p50/p95 of `NewsIndex.search` (the whole reply path
after the question's encoding: vector search, BM25, candidates' records, ranking, bold
sentence) and of the vector search alone (`nearest`, k = 64); agreement: the share of questions
whose top-5 passage rows are the same in both, and article hit@5 (a gold article among the five
cited) for each. One question at a time; the alias lookup Milvus readers make per call is
timed too.
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
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np

from benchmarks.corpora import REALTIMEQA_ARTICLES, realtimeqa_questions
from benchmarks.provenance import commit
from evaluation.datasets import eval_settings
from index import Embedder, IndexSettings, IndexWriter, NewsIndex, load_embedder
from index.embedding.model_input import document_text
from index.embedding.sentence_vectors import quantize
from index.lexical import tokenize
from index.lexical.segments import write_word_index
from index.store.faiss.sentence_codes import save_sentence_vectors
from index.store.faiss.vectors import build_faiss, save_faiss
from index.store.faiss.version import Snapshot
from index.store.manifest import Manifest
from index.store.metadata import IndexedArticle, write_metadata
from index.store.milvus.collections import MilvusStore, disconnect
from index.store.publish import IndexLayout
from index.store.version import IndexVersion

ROOT = Path(__file__).resolve().parent.parent

SEED_QUESTIONS = [
    "Which countries signed long-term security agreements with Ukraine?",
    "Did Macron rule out sending Western troops to Ukraine?",
    "Who attended the Paris conference?",
    "Which countries are seen as possible targets of Russian expansionism?",
    "What did Zelensky ask the leaders in Paris?",
]
TOP = 5
DEPTH = 64


def quantiles(values: Sequence[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def timed(call: Callable[[], object], repeat: int = 1) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def searches(
    index: NewsIndex, questions: Sequence[tuple[str, date | None]], rounds: int
) -> tuple[list[list[int]], list[list[str]], list[float]]:
    """Top rows and cited articles per question, and the time of each search (ms)."""
    rows: list[list[int]] = []
    articles: list[list[str]] = []
    times: list[float] = []
    for text, asked in questions:
        hits = index.search(text, TOP, min_score=-1.0, as_of=asked)  # warm: encodes once
        rows.append([h.row for h in hits])
        articles.append([h.article_id for h in hits])
        # Each timed search encodes the question again: the model's share is the same for both.
        times += timed(
            lambda text=text, asked=asked: index.search(text, TOP, min_score=-1.0, as_of=asked),
            rounds,
        )
    return rows, articles, times


def vector_times(version: IndexVersion, vectors: np.ndarray) -> list[float]:
    return [t for q in vectors for t in timed(lambda q=q: version.nearest(q[None, :], DEPTH))]


def seed_run(embedder: Embedder, folder: Path, rounds: int) -> list[str]:
    lines = ["", "### seed index (seeds/, rebuild with a warm cache)", ""]
    results = {}
    for store in ("faiss", "milvus"):
        settings = IndexSettings(  # type: ignore[call-arg]
            _env_file=None, data_dir=folder, vector_store=store
        )
        IndexWriter(settings, embedder).rebuild([settings.seeds_dir])  # fills the cache
        started = time.perf_counter()
        report = IndexWriter(settings, embedder).rebuild([settings.seeds_dir])
        build = time.perf_counter() - started
        index = NewsIndex(settings, embedder)
        asked = [(q, None) for q in SEED_QUESTIONS]
        rows, _, times = searches(index, asked, rounds)
        vectors = embedder.encode_queries(SEED_QUESTIONS)
        vtimes = vector_times(index.snapshot(), np.repeat(vectors, rounds, axis=0))
        cited = [
            [(h.row, h.bold_sentence, round(h.score, 4)) for h in index.search(q, 3)]
            for q in SEED_QUESTIONS
        ]
        results[store] = (report, build, rows, times, vtimes, cited)
        if store == "milvus":
            source = index._source
            alias = timed(source.current, 200)  # type: ignore[attr-defined]
            results["alias"] = quantiles(alias)  # type: ignore[assignment]
            disconnect(settings)
    lines += table(results, None)
    same = results["faiss"][5] == results["milvus"][5]
    lines.append(
        f"\nThe {len(SEED_QUESTIONS)} questions' answers (top 3 passages, scores, bold "
        f"sentences) are {'identical' if same else 'NOT identical'} on both stores."
    )
    alias_p50, alias_p95 = results["alias"]  # type: ignore[misc]
    lines.append(
        f"The alias lookup a Milvus reader makes per call: p50 {alias_p50:.2f} ms, "
        f"p95 {alias_p95:.2f} ms."
    )
    return lines


def table(results: dict, gold: list[set[str]] | None) -> list[str]:
    lines = [
        "| store | passages | build s | search p50 / p95 ms | vector search p50 / p95 ms | "
        "top-5 rows same as FAISS | article hit@5 |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    faiss_rows = results["faiss"][2]
    for store in ("faiss", "milvus"):
        report, build, rows, times, vtimes = results[store][:5]
        articles = results[store][6] if len(results[store]) > 6 else None
        same = sum(a == b for a, b in zip(rows, faiss_rows, strict=True)) / len(rows)
        hit = "—"
        if gold is not None and articles is not None:
            hit = f"{sum(bool(g & set(a)) for g, a in zip(gold, articles, strict=True)) / len(gold):.3f}"
        s50, s95 = quantiles(times)
        v50, v95 = quantiles(vtimes)
        lines.append(
            f"| {store} | {report:,} | {build:.2f} | {s50:.1f} / {s95:.1f} | {v50:.2f} / "
            f"{v95:.2f} | {same:.3f} | {hit} |"
            if isinstance(report, int)
            else f"| {store} | {report.passages:,} | {build:.2f} | {s50:.1f} / {s95:.1f} | "
            f"{v50:.2f} / {v95:.2f} | {same:.3f} | {hit} |"
        )
    return lines


def rtqa_run(embedder: Embedder, folder: Path, source: Path | None, rounds: int) -> list[str]:
    base = IndexSettings(_env_file=None)  # type: ignore[call-arg]
    index_dir = source or eval_settings(base, REALTIMEQA_ARTICLES).resolved_index_dir
    live = IndexLayout(index_dir).current_version()
    if live is None:
        return ["", f"### RealTimeQA: no evaluation index in {index_dir}; skipped"]
    version = Snapshot(live, embedder.model_name, embedder.backend)
    items = version.indexed_articles()
    manifest = version.manifest
    vectors = version.passage_vectors(range(manifest.passages))
    sentences = version.sentence_vectors(range(manifest.sentences))
    texts = [document_text(i.article.title, t) for i in items for t in i.passage_texts()]
    version.close()
    questions = realtimeqa_questions()
    asked = [
        (str(q["question"]), datetime.strptime(str(q["id"])[:8], "%Y%m%d").date())
        for q in questions
    ]
    gold = [set(q["article_ids"]) for q in questions]
    encoded = embedder.encode_queries([text for text, _ in asked])
    results = {}
    for store in ("faiss", "milvus"):
        settings = IndexSettings(  # type: ignore[call-arg]
            _env_file=None, data_dir=folder / store, vector_store=store
        )
        started = time.perf_counter()
        if store == "faiss":
            _write_faiss(settings, items, texts, vectors, sentences, manifest)
        else:
            MilvusStore(settings).write_version(
                IndexLayout.new_build_id(), items, texts, vectors, sentences,
                _milvus_manifest(manifest),
            )  # fmt: skip
        build = time.perf_counter() - started
        index = NewsIndex(settings, embedder)
        index.snapshot()
        rows, articles, times = searches(index, asked, rounds)
        vtimes = vector_times(index.snapshot(), encoded)
        results[store] = (manifest.passages, build, rows, times, vtimes, None, articles)
        if store == "milvus":
            disconnect(settings)
    lines = [
        "",
        f"### RealTimeQA corpus: {manifest.articles:,} articles, {manifest.passages:,} passages, "
        f"{manifest.sentences:,} sentences; {len(questions)} questions",
        "",
        "Build: writing the version from passages and vectors read from the evaluation index.",
        "",
    ]
    return lines + table(results, gold)


def _milvus_manifest(manifest: Manifest) -> Manifest:
    from dataclasses import replace

    return replace(manifest, index_factory="FLAT", files={}, store="milvus")


def _write_faiss(
    settings: IndexSettings,
    items: list[IndexedArticle],
    texts: list[str],
    vectors: np.ndarray,
    sentences: np.ndarray,
    manifest: Manifest,
) -> None:
    """What IndexWriter._commit writes for a FAISS version, from vectors already made."""
    from dataclasses import replace

    from index.store.manifest import file_digests

    layout = IndexLayout(settings.resolved_index_dir)
    build_id, staging = layout.new_staging()
    write_metadata(staging, items)
    save_faiss(build_faiss(vectors, "Flat"), staging)
    save_sentence_vectors(staging, *quantize(sentences))
    write_word_index(staging, tokenize(texts), np.arange(len(texts), dtype=np.int64))
    replace(manifest, build_id=build_id, files=file_digests(staging)).save(staging)
    layout.publish(build_id, staging)


def synthetic_run(size: int, hnsw: bool, folder: Path) -> list[str]:
    from pymilvus import DataType

    from index.store.faiss.vectors import openmp_threads

    rng = np.random.default_rng(0)
    dimension = 384
    vectors = rng.standard_normal((size, dimension), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    queries = vectors[rng.integers(0, size, 200)] + 0.05 * rng.standard_normal(
        (200, dimension), dtype=np.float32
    )
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    lines = ["", f"### {size:,} synthetic vectors (vector search alone, k = {DEPTH})", ""]
    lines += [
        "| store, type | build s | search p50 / p95 ms | top-10 same as FAISS Flat |",
        "|---|---:|---:|---:|",
    ]
    flat = build_faiss(vectors, "Flat")
    with openmp_threads(1):
        exact = [flat.search(q[None, :], 10)[1][0].tolist() for q in queries]
    types = [("FLAT", "Flat")] + ([("HNSW", "HNSW32,Flat")] if hnsw else [])
    settings = IndexSettings(  # type: ignore[call-arg]
        _env_file=None, data_dir=folder / "synthetic", vector_store="milvus"
    )
    store = MilvusStore(settings)
    client = store.client
    for milvus_type, factory in types:
        started = time.perf_counter()
        index = build_faiss(vectors, factory, ef_search=1024)
        build = time.perf_counter() - started
        with openmp_threads(1):
            times = [
                t
                for q in queries
                for t in timed(lambda q=q, index=index: index.search(q[None, :], DEPTH))
            ]
            found = [index.search(q[None, :], 10)[1][0].tolist() for q in queries]
        lines.append(_synthetic_row(f"FAISS {factory}", build, times, found, exact))

        name = f"synthetic_{milvus_type.lower()}"
        started = time.perf_counter()
        schema = client.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("row", DataType.INT64, is_primary=True)
        schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dimension)
        params = client.prepare_index_params()
        if milvus_type == "HNSW":
            params.add_index(
                "vector", index_type="HNSW", metric_type="IP",
                params={"params": {"M": 32, "efConstruction": 200}},
            )  # fmt: skip
        else:
            params.add_index("vector", index_type="FLAT", metric_type="IP")
        client.create_collection(name, schema=schema)
        client.create_index(name, params, sync=False)
        for start in range(0, size, 5000):
            client.insert(
                name,
                [{"row": r, "vector": vectors[r]} for r in range(start, min(size, start + 5000))],
            )
        client.flush(name)
        client.load_collection(name)
        build = time.perf_counter() - started
        search = {"metric_type": "IP"} | ({"params": {"ef": 1024}} if milvus_type == "HNSW" else {})

        def milvus_search(
            q: np.ndarray, k: int, name: str = name, search: dict = search
        ) -> list[int]:
            (hits,) = client.search(
                name, data=[q.tolist()], anns_field="vector", limit=k,
                output_fields=["row"], search_params=search,
            )  # fmt: skip
            return [int(h["entity"]["row"]) for h in hits]

        milvus_search(queries[0], DEPTH)
        times = [t for q in queries for t in timed(lambda q=q: milvus_search(q, DEPTH))]
        found = [milvus_search(q, 10) for q in queries]
        lines.append(_synthetic_row(f"Milvus Lite {milvus_type}", build, times, found, exact))
        client.drop_collection(name)
    disconnect(settings)
    return lines


def _synthetic_row(
    name: str, build: float, times: list[float], found: list[list[int]], exact: list[list[int]]
) -> str:
    p50, p95 = quantiles(times)
    recall = np.mean([len(set(f) & set(e)) / 10 for f, e in zip(found, exact, strict=True)])
    return f"| {name} | {build:.1f} | {p50:.2f} / {p95:.2f} | {recall:.3f} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="seed,rtqa", help="seed, rtqa, synthetic:N")
    parser.add_argument("--rounds", type=int, default=3, help="timed searches per question")
    parser.add_argument("--rtqa-index", type=Path, default=None, help="an index folder")
    parser.add_argument("--hnsw", action="store_true", help="synthetic: HNSW types too")
    parser.add_argument("--output", type=Path, default=None, help="append the tables here")
    args = parser.parse_args()
    embedder = load_embedder(IndexSettings(_env_file=None))  # type: ignore[call-arg]
    lines = [
        f"## FAISS against Milvus Lite, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {commit()}",
        "",
        f"`{shlex.join(['benchmarks/milvus_vs_faiss.py', *sys.argv[1:]])}`; {os.cpu_count()} "
        "cores shared with other work; Milvus Lite "
        f"{__import__('milvus_lite').__version__}, pymilvus {__import__('pymilvus').__version__}.",
    ]
    print("\n".join(lines), flush=True)
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        for size in args.sizes.split(","):
            if size == "seed":
                found = seed_run(embedder, folder / "seed", args.rounds)
            elif size == "rtqa":
                found = rtqa_run(embedder, folder / "rtqa", args.rtqa_index, args.rounds)
            elif size.startswith("synthetic:"):
                found = synthetic_run(int(size.split(":", 1)[1]), args.hnsw, folder)
            else:
                parser.error(f"unknown size {size!r}")
            print("\n".join(found), flush=True)
            lines += found
    if args.output:
        with args.output.open("a", encoding="utf-8") as out:
            out.write("\n".join(lines) + "\n\n")


if __name__ == "__main__":
    main()
