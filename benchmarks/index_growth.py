"""What adding articles costs on VECTOR_STORE=faiss: a version written whole at every `add`
against one appended to (`index.store.faiss.appending`), in the same run.

    .venv/bin/python -m benchmarks.index_growth                  # writer on 53,805 passages, HNSW at 50k
    .venv/bin/python -m benchmarks.index_growth --sizes 50000,200000 --output benchmarks/results/index_growth.md
    .venv/bin/python -m benchmarks.index_growth --writer-only --writer-passages 1000000 --grown-dir /scratch/grown

**The writer** (`IndexWriter.add`, the whole write path: read the live version, place stories,
write metadata, vectors, sentence vectors, BM25, publish) on a copy of the RealTimeQA evaluation
index (`python -m evaluation --dataset realtimeqa` builds it: real articles, real vectors),
adding 1, 10 and 100 articles: copies of indexed articles under new ids, so their vectors are
in (a copy of) the embedding cache and neither mode runs the model. Each add runs in a forked process;
"peak RSS" is that process's peak resident memory less what it held when forked (the model and
the benchmark's own state). FAISS_COMPACT_SHARE=0 is the whole write of before.

**The writer at `--writer-passages`** (a million: half an hour to grow): the copy is first grown
by the writer's own appends, one `add` of all its articles again under new ids per round (so
every text, and vector, is there many times), then 1 and 10 articles are added by append only
(a whole write there is the HNSW build measured below), `--writer-repeats` times each, on
copies that hard-link the grown index's files. Each add runs in a new process (a forked one
would hang in FAISS's OpenMP threads, which do not survive a fork); its peak RSS is counted
from when it holds the embedder, and its seconds are split into the write path's steps
(`benchmarks.write_steps`). `--grown-dir` keeps the grown index to measure it again.

**The vector index alone** at `--sizes` passages, HNSW (what `auto` builds above
FAISS_EXACT_LIMIT), on real MiniLM vectors resampled as `benchmarks.vector_index_scale` does:
seconds to build the index whole with an article's 15 passages more, against reading the
previous file, `add`ing them and writing it; and recall@10 of real questions (RealTimeQA and
XQuAD, encoded by the product's model) against exact search over the live rows, through the
id selector a search uses to leave hidden rows out, after 0, 10 and 100 appends that each
replace an article (15 rows hidden, 15 added), with FAISS_COMPACT_SHARE of the rows
hidden, and after compaction (built whole from the live rows); and the median time of one
question's search (k=64, one thread) at those points.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from benchmarks.provenance import commit
from benchmarks.vector_index_scale import Resampler, questions, real_vectors, rss_mb
from benchmarks.write_steps import Steps, timed_steps, with_rest
from evaluation.datasets import DATASETS, SHARED_EVAL, eval_settings
from index import IndexSettings, IndexWriter, load_embedder
from index import writer as writer_module
from index.articles.article import Article
from index.embedding.model import Embedder
from index.passages.cutting import PassageSpan
from index.settings import EfSearch
from index.store.faiss.recall import exact_neighbours, recall_at_k
from index.store.faiss.vectors import (
    APPROXIMATE_FACTORY,
    append_faiss,
    build_faiss,
    search_faiss_many,
    search_faiss_within,
)
from index.store.manifest import FORMAT_VERSION, Manifest
from index.store.metadata import MetadataReader
from index.store.publish import IndexLayout

Known = dict[str, tuple[PassageSpan, ...]]
"""Passages of texts already split, by text."""
SplitMany = Callable[..., list[tuple[PassageSpan, ...]]]

ARTICLE_PASSAGES = 15
"""Passages of an article in the vector-index part (the evaluation corpus averages 14.8)."""
ADDS = (1, 10, 100)
GROWN_ADDS = (1, 10)
"""Articles added at `--writer-passages`, by append only: a whole write there is the ten
minutes of HNSW build the vector-index part measures."""


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _forked(work: Callable[[], float]) -> tuple[float, float]:
    """Seconds `work` reports, and the peak RSS it added, from a forked process."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)

    def run() -> None:
        before = rss_mb()
        seconds = work()
        send.send((seconds, _peak_rss_mb() - before))

    process = context.Process(target=run)
    process.start()
    result = receive.recv()
    process.join()
    return result  # type: ignore[no-any-return]


def _spawned_add(
    settings: IndexSettings, articles: list[Article], known: Known | None = None
) -> tuple[float, Steps, float]:
    """Seconds and steps (`benchmarks.write_steps`) of one `add`, and the peak RSS it added to
    a new process that holds the embedder. Not a forked one: FAISS's OpenMP threads do not
    survive a fork, and a forked process whose `add` is large enough to run in parallel waits
    for them for ever."""
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_add, args=(send, settings, articles, known))
    process.start()
    result = receive.recv()
    process.join()
    return result  # type: ignore[no-any-return]


def _add(
    send: Connection, settings: IndexSettings, articles: list[Article], known: Known | None
) -> None:
    if known is not None:
        writer_module.split_many = _split_known(known, writer_module.split_many)
    embedder = load_embedder(settings)
    embedder.count_tokens(["a"])  # its tokenizer loaded, as a running writer holds it
    before = _reset_peak_rss()
    with timed_steps() as seconds:
        total = IndexWriter(settings, embedder).add(articles=articles).seconds
    send.send((total, with_rest(seconds, total), _status_mb("VmHWM") - before))


def _split_known(known: Known, split_many: SplitMany) -> SplitMany:
    """`split_many` that gives a text `known` holds its passages as they are: splitting is a
    pure function of the text and the chunking, and it would be most of the time of growing."""

    def split(texts: Sequence[str], *args: Any, **kwargs: Any) -> list[tuple[PassageSpan, ...]]:
        others = iter(split_many([t for t in texts if t not in known], *args, **kwargs))
        return [known[t] if t in known else next(others) for t in texts]

    return split


def _reset_peak_rss() -> float:
    """Start the peak RSS (VmHWM) again from the RSS now, and return it (Linux)."""
    Path("/proc/self/clear_refs").write_text("5")
    return _status_mb("VmRSS")


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _new_articles(folder: Path, count: int | None, tag: str) -> list[Article]:
    """`count` indexed articles (None: all) under new ids (their vectors are in the embedding
    cache)."""
    reader = MetadataReader(folder)
    try:
        items = reader.indexed_articles()[:count]
    finally:
        reader.close()
    return [
        replace(
            i.article, id=f"{tag}-{i.article.id}", origin=f"{tag}/{i.article.id}", content_hash=""
        )
        for i in items
    ]


def writer_rows(source: Path, settings: IndexSettings, embedder: Embedder) -> list[str]:
    """Seconds and peak RSS of `add` on a copy of the evaluation index, whole and appended."""
    live = IndexLayout(source).current_version()
    assert live is not None
    rows = [
        f"Writer: `IndexWriter.add` on {source.name} ({_passages(live):,} passages), "
        "articles copied under new ids (no model calls)",
        "",
        "| articles added | whole s | appended s | ratio | whole peak RSS MB | appended peak RSS MB |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    with tempfile.TemporaryDirectory(prefix="index-growth-") as scratch:
        cache = (
            Path(scratch) / "embeddings.sqlite"
        )  # a copy: the benchmark writes to nothing of the user's
        shutil.copyfile(settings.resolved_cache_path, cache)
        settings = settings.model_copy(update={"embedding_cache_path": cache})
        start = Path(scratch) / "start"
        shutil.copytree(source, start, symlinks=True)
        if Manifest.load(live).format_version != FORMAT_VERSION:  # an append needs this format
            IndexWriter(settings.model_copy(update={"index_dir": start}), embedder).compact()
        for count in ADDS:
            measured = []
            for share in (0.0, settings.faiss_compact_share):
                index_dir = Path(scratch) / f"index-{count}-{share}"
                shutil.copytree(start, index_dir, symlinks=True)
                copy = settings.model_copy(
                    update={"index_dir": index_dir, "faiss_compact_share": share}
                )
                articles = _new_articles(live, count, f"growth{count}")
                writer = IndexWriter(copy, embedder)

                def add(writer: IndexWriter = writer, articles: list[Article] = articles) -> float:
                    return writer.add(articles=articles).seconds

                measured.append(_forked(add))
                shutil.rmtree(index_dir)
            (whole_s, whole_mb), (append_s, append_mb) = measured
            rows.append(
                f"| {count} | {whole_s:.1f} | {append_s:.1f} | {whole_s / append_s:.1f}× | "
                f"{whole_mb:,.0f} | {append_mb:,.0f} |"
            )
    return rows


def grow(
    index_dir: Path, source: Path, passages: int, settings: IndexSettings
) -> list[tuple[int, float, float]]:
    """Add every article of `source` again under new ids, one `add` (an append) per copy, until
    the index in `index_dir` holds `passages`: the product's own write path, so the grown
    version is what that many `add`s leave behind, but for splitting the copies again
    (`_split_known`). Passages, seconds and peak RSS of each add.

    Resumes an index grown part of the way."""
    articles = Manifest.load(source).articles
    settings = settings.model_copy(update={"index_dir": index_dir})
    reader = MetadataReader(source)
    try:
        known = {item.article.text: item.passages for item in reader.indexed_articles()}
    finally:
        reader.close()
    rounds = []
    while (live := Manifest.load(_live(index_dir))).passages < passages:
        new = _new_articles(source, None, f"grow{live.articles // articles}")
        seconds, steps, peak_mb = _spawned_add(settings, new, known)
        grown = Manifest.load(_live(index_dir))
        assert grown.revision, "the growth must append, not write the version whole"
        rounds.append((grown.passages, seconds, peak_mb))
        slowest = sorted(steps.items(), key=lambda step: -step[1])[:4]
        print(
            f"grown to {grown.passages:,} passages in {seconds:.0f} s, {peak_mb:,.0f} MB ("
            + ", ".join(f"{label} {s:.0f} s" for label, s in slowest)
            + ")",
            flush=True,
        )
    return rounds


def _live(index_dir: Path) -> Path:
    folder = IndexLayout(index_dir).current_version()
    assert folder is not None
    return folder


def grown_writer_rows(
    source: Path,
    settings: IndexSettings,
    passages: int,
    grown_dir: Path | None,
    repeats: int,
) -> list[str]:
    """Seconds, peak RSS and the steps of an appending `add` to the evaluation index grown to
    `passages` (`grow`), each run on a copy that links the grown index's files (a version's
    files never change, so the copies share them)."""
    live = IndexLayout(source).current_version()
    assert live is not None
    if grown_dir is not None:
        grown_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="index-growth-", dir=grown_dir) as scratch:
        kept = grown_dir or Path(scratch)
        cache = kept / "embeddings.sqlite"  # a copy: the benchmark writes to nothing of the user's
        if not cache.exists():
            shutil.copyfile(settings.resolved_cache_path, cache)
        settings = settings.model_copy(update={"embedding_cache_path": cache})
        index_dir = kept / "index"
        if not index_dir.exists():
            shutil.copytree(source, index_dir, symlinks=True)
        started = time.perf_counter()
        rounds = grow(index_dir, live, passages, settings)
        grown = Manifest.load(_live(index_dir))
        articles = Manifest.load(live).articles
        rows = [
            f"Writer at {grown.passages:,} passages: `IndexWriter.add` by append (FAISS "
            f"{grown.index_factory}, revision {grown.revision}) on {source.name} grown by "
            f"`add`s of its {articles:,} articles again under new ids (each text, so each "
            f"vector, {grown.articles // articles} times; the growing adds take a copy's "
            "passages from the source rather than split it again); no model calls",
            "",
        ]
        if rounds:
            rows += [
                f"Grown here in {time.perf_counter() - started:.0f} s by {len(rounds)} `add`s, "
                f"the last {rounds[-1][1]:.0f} s; peak RSS of one at most "
                f"{max(mb for _, _, mb in rounds):,.0f} MB",
                "",
            ]
        rows += [
            "| articles added | appended s, each run | peak RSS MB, each run |",
            "|---:|---:|---:|",
        ]
        steps: list[Steps] = []
        for count in GROWN_ADDS:
            runs = []
            for run in range(repeats):
                copy_dir = Path(scratch) / f"index-{count}-{run}"
                shutil.copytree(index_dir, copy_dir, symlinks=True, copy_function=os.link)
                copy = settings.model_copy(update={"index_dir": copy_dir})
                new = _new_articles(live, count, f"growth{count}")
                seconds, timed, peak_mb = _spawned_add(copy, new)
                runs.append((seconds, peak_mb))
                if count == 1:
                    steps.append(timed)
                shutil.rmtree(copy_dir)
                print(f"{count} articles: {seconds:.1f} s, {peak_mb:,.0f} MB", flush=True)
            rows.append(
                f"| {count} | {', '.join(f'{s:.1f}' for s, _ in runs)} | "
                f"{', '.join(f'{mb:,.0f}' for _, mb in runs)} |"
            )
    return [*rows, "", *_step_rows(steps)]


def _step_rows(steps: list[Steps]) -> list[str]:
    """The steps of adding 1 article, a column per run."""
    runs = " | ".join(f"run {i + 1} s" for i in range(len(steps)))
    rows = [
        "Where the seconds of adding 1 article go (`benchmarks.write_steps`)",
        "",
        f"| step | {runs} |",
        "|---|" + "---:|" * len(steps),
    ]
    for label in steps[0]:
        rows.append(
            f"| {label} | " + " | ".join(f"{run.get(label, 0.0):.2f}" for run in steps) + " |"
        )
    total = " | ".join(f"{sum(run.values()):.2f}" for run in steps)
    return [*rows, f"| **in all** | {total} |"]


def _passages(folder: Path) -> int:
    reader = MetadataReader(folder)
    try:
        return reader.counts()[1]
    finally:
        reader.close()


def _recall(
    index: faiss.Index, vectors: np.ndarray, live: np.ndarray, queries: np.ndarray
) -> float:
    """Recall@10 among the live rows, against exact search over them."""
    rows = np.flatnonzero(live)
    exact, _ = exact_neighbours(vectors[rows], queries, 10)
    found = search_faiss_within(index, queries, 10, live)
    ids = np.full((len(queries), 10), -1, dtype=np.int64)
    position = np.full(len(live), -1, dtype=np.int64)
    position[rows] = np.arange(len(rows))
    for i, result in enumerate(found):
        ids[i, : len(result)] = position[[r for r, _ in result]]
    return recall_at_k(vectors[rows], queries, ids, exact[:, 9], 10)


def vector_rows(
    size: int,
    resampler: Resampler,
    queries: np.ndarray,
    ef_search: EfSearch,
    share: float,
    seed: int,
    whole_repeats: int = 3,
) -> list[str]:
    """Whole build against append of one article's passages, and recall as appends pile up."""
    rng = np.random.default_rng(seed)
    base = resampler.corpus(size)
    extra = resampler.sample(ARTICLE_PASSAGES * 100)
    with tempfile.TemporaryDirectory(prefix="index-growth-") as scratch:
        path = str(Path(scratch) / "base.faiss")
        started = time.perf_counter()
        index = build_faiss(base, APPROXIMATE_FACTORY, ef_search=ef_search)
        base_s = time.perf_counter() - started
        faiss.write_index(index, path)

        whole: list[float] = []
        appended: list[float] = []
        for _ in range(whole_repeats):
            started = time.perf_counter()
            build_faiss(np.concatenate([base, extra[:ARTICLE_PASSAGES]]), APPROXIMATE_FACTORY)
            whole.append(time.perf_counter() - started)
        for _ in range(3):
            started = time.perf_counter()
            copy = faiss.read_index(path)
            append_faiss(copy, extra[:ARTICLE_PASSAGES])
            faiss.write_index(copy, str(Path(scratch) / "appended.faiss"))
            appended.append(time.perf_counter() - started)
            del copy

        vectors = base
        live = np.ones(size, dtype=bool)
        recalls = {0: _recall(index, vectors, live, queries)}
        for step in range(1, 101):  # each replaces a random article: 15 rows hidden, 15 added
            start = int(rng.integers(0, len(vectors) - ARTICLE_PASSAGES))
            live[start : start + ARTICLE_PASSAGES] = False
            new = extra[(step - 1) * ARTICLE_PASSAGES : step * ARTICLE_PASSAGES]
            append_faiss(index, new)
            vectors = np.concatenate([vectors, new])
            live = np.concatenate([live, np.ones(len(new), dtype=bool)])
            if step in (10, 100):
                recalls[step] = _recall(index, vectors, live, queries)
        hidden = 1 - live.sum() / len(live)
        p50_appended = _p50_ms(index, queries, live)
        at_share = live.copy()  # more replaced articles, up to FAISS_COMPACT_SHARE hidden
        while 1 - at_share.sum() / len(at_share) < share:
            start = int(rng.integers(0, size - ARTICLE_PASSAGES))
            at_share[start : start + ARTICLE_PASSAGES] = False
        recall_share = _recall(index, vectors, at_share, queries)
        p50_share = _p50_ms(index, queries, at_share)
        compacted = build_faiss(vectors[live], APPROXIMATE_FACTORY, ef_search=ef_search)
        everything = np.ones(int(live.sum()), bool)
        recall_compacted = _recall(compacted, vectors[live], everything, queries)
        p50_compacted = _p50_ms(compacted, queries, None)
    return [
        f"| {size:,} | {base_s:.1f} | {statistics.median(whole):.1f} | "
        f"{statistics.median(appended):.2f} | {statistics.median(whole) / statistics.median(appended):.0f}× | "
        f"{recalls[0]:.3f} | {recalls[10]:.3f} | {recalls[100]:.3f} ({hidden:.1%} hidden) | "
        f"{recall_share:.3f} | {recall_compacted:.3f} | {p50_appended:.1f} / {p50_share:.1f} / "
        f"{p50_compacted:.1f} |"
    ]


def _p50_ms(index: faiss.Index, queries: np.ndarray, live: np.ndarray | None) -> float:
    """Median ms of one question's search (k=64, one thread) as a version searches: through
    the live rows' selector when some are hidden."""
    times = []
    for query in queries[:200]:
        started = time.perf_counter()
        if live is None:
            search_faiss_many(index, query[None, :], 64)
        else:
            search_faiss_within(index, query[None, :], 64, live)
        times.append(time.perf_counter() - started)
    return 1000 * statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50000", help="vector-index sizes (passages)")
    parser.add_argument("--questions", type=int, default=400, help="questions for recall@10")
    parser.add_argument(
        "--noise", type=float, default=0.5, help="resampling noise (see vector_index_scale)"
    )
    parser.add_argument("--skip-writer", action="store_true", help="only the vector-index part")
    parser.add_argument(
        "--writer-only", action="store_true", help="only the writer part (no --sizes)"
    )
    parser.add_argument(
        "--whole-repeats",
        type=int,
        default=3,
        help="whole builds per size (the median is reported; one is minutes at 1M)",
    )
    parser.add_argument(
        "--writer-passages",
        type=int,
        help="grow the writer's copy to this many passages first, then measure appends only",
    )
    parser.add_argument(
        "--grown-dir",
        type=Path,
        help="keep the grown index (and its cache copy) here, to measure again or grow on",
    )
    parser.add_argument(
        "--writer-repeats", type=int, default=2, help="runs of each add at --writer-passages"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output", type=Path, help="also append the result to this file")
    args = parser.parse_args()

    settings = IndexSettings()
    source = eval_settings(settings, SHARED_EVAL / DATASETS["realtimeqa"][0]).resolved_index_dir
    real = real_vectors(source)
    texts = questions()
    if real is None or texts is None:
        print(
            f"skipped: no index in {source} or no questions in {SHARED_EVAL}; build it with "
            "`python -m evaluation --dataset realtimeqa`"
        )
        return 0
    embedder = load_embedder(settings)
    started = time.perf_counter()
    lines = [
        f"## Index growth, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {commit()}",
        "",
        f"`{' '.join(['python -m benchmarks.index_growth', *sys.argv[1:]])}`; "
        f"{os.cpu_count()} cores, FAISS_COMPACT_SHARE={settings.faiss_compact_share}",
        "",
    ]
    if args.writer_passages:
        lines += [
            *grown_writer_rows(
                source, settings, args.writer_passages, args.grown_dir,
                args.writer_repeats,
            ),
            "",
        ]  # fmt: skip
    elif not args.skip_writer:
        lines += [*writer_rows(source, settings, embedder), ""]
    if not args.writer_only:
        lines += vector_index_rows(args, settings, embedder, real, texts)
    lines += ["", f"{time.perf_counter() - started:.0f} s in all", ""]
    text = "\n".join(lines)
    print(text)
    if args.output:
        with open(args.output, "a", encoding="utf-8") as handle:
            handle.write(text + "\n")
    return 0


def vector_index_rows(
    args: argparse.Namespace,
    settings: IndexSettings,
    embedder: Embedder,
    real: np.ndarray,
    texts: list[str],
) -> list[str]:
    """The vector-index table at each of `--sizes` passages."""
    rng = np.random.default_rng(args.seed)
    chosen = rng.choice(len(texts), size=min(args.questions, len(texts)), replace=False)
    queries = np.asarray(embedder.encode_queries([texts[i] for i in chosen]), np.float32)
    resampler = Resampler(real, args.noise, args.seed)
    lines = [
        f"Vector index alone: {APPROXIMATE_FACTORY}, FAISS_HNSW_EF_SEARCH="
        f"{settings.faiss_hnsw_ef_search}, "
        f"an article = {ARTICLE_PASSAGES} passages; recall@10 of {len(queries)} real questions "
        "among the live rows",
        "",
        "| passages | first build s | whole build +1 article s | append +1 article s | ratio "
        "| recall 0 appends | 10 | 100 | at FAISS_COMPACT_SHARE hidden | compacted "
        "| p50 ms after 100 / at the share / compacted |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size in (int(s) for s in args.sizes.split(",") if s):
        lines += vector_rows(
            size, resampler, queries, settings.faiss_hnsw_ef_search,
            settings.faiss_compact_share, args.seed, args.whole_repeats,
        )  # fmt: skip
        print("\n".join(lines[-1:]), flush=True)
    return lines


if __name__ == "__main__":
    raise SystemExit(main())
