"""In-process answer capacity: how many questions a second the index answers, bold sentence included.

The product's whole `NewsIndex.search` (question encoding, FAISS and BM25, fusion, citations and
the bold sentence) over a large corpus (RealTimeQA's 3,636 articles, ~54,000 passages, indexed
once under `$DATA_DIR/eval/` as `python -m evaluation` does), with 200 distinct questions:

- one at a time: the latency of a lone answer (p50/p95);
- from a pool of threads, as the bot's workers call it: answers per second, with the questions
  batched into shared model calls (the default) and, in the same run, one model call each.

    .venv/bin/python -m benchmarks.answer_capacity
    .venv/bin/python -m benchmarks.answer_capacity --dataset xquad   # 320 passages: a quick check
    EMBEDDING_BACKEND=onnx-int8 .venv/bin/python -m benchmarks.answer_capacity --threads 8
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from benchmarks.provenance import commit
from evaluation.datasets import DATASETS, SHARED_EVAL, ensure_index, eval_settings
from index import IndexSettings, NewsIndex, load_embedder

ROOT = Path(__file__).resolve().parent.parent


def questions(count: int) -> list[str]:
    """`count` distinct questions: RealTimeQA's news questions, then XQuAD's (other topics)."""
    found: dict[str, None] = {}
    for dataset in ("realtimeqa", "xquad"):
        path = SHARED_EVAL / DATASETS[dataset][1]
        for line in path.read_text("utf-8").splitlines():
            if line.strip():
                found.setdefault(json.loads(line)["question"].strip(), None)
            if len(found) >= count:
                return list(found)
    return list(found)


def timed(index: NewsIndex, question: str) -> float:
    started = time.perf_counter()
    index.search(question)
    return (time.perf_counter() - started) * 1000


def one_at_a_time(index: NewsIndex, asked: Sequence[str]) -> list[float]:
    return [timed(index, q) for q in asked]


def from_threads(index: NewsIndex, asked: Sequence[str], threads: int) -> tuple[float, list[float]]:
    """(answers per second, per-answer latencies) with every question submitted at once."""
    with ThreadPoolExecutor(threads) as pool:
        started = time.perf_counter()
        latencies = list(pool.map(lambda q: timed(index, q), asked))
        seconds = time.perf_counter() - started
    return len(asked) / seconds, latencies


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--threads", type=int, default=6, help="like asyncio's default pool")
    parser.add_argument("--dataset", choices=sorted(DATASETS), default="realtimeqa")
    parser.add_argument("--output", type=Path, help="append the result as markdown")
    args = parser.parse_args()
    corpus = SHARED_EVAL / DATASETS[args.dataset][0]
    if not corpus.is_file():
        print(f"skipped: {corpus} is not there (the shared evaluation data is optional)")
        return 0
    settings = eval_settings(IndexSettings(), corpus)
    embedder = load_embedder(settings)
    ensure_index(settings, corpus, embedder)
    asked = questions(args.questions)
    batched = NewsIndex(settings.model_copy(update={"query_batch_window_ms": 0}), embedder)
    runs = [
        ("questions batched", batched),
        (
            "questions batched, 2 ms window",
            NewsIndex(settings.model_copy(update={"query_batch_window_ms": 2}), embedder),
        ),
        (
            "one model call each",
            NewsIndex(settings.model_copy(update={"query_batch_max": 1}), embedder),
        ),
    ]
    stats = batched.stats()
    for _, index in runs:
        one_at_a_time(index, asked[:10])  # warm: model, snapshot, SQLite pages
    lone = one_at_a_time(batched, asked)
    measured = [(name, *from_threads(index, asked, args.threads)) for name, index in runs]
    lines = [
        f"{stats.passages:,} passages of {stats.articles:,} articles, backend {stats.backend}, "
        f"format {batched.snapshot().manifest.format_version}, {len(asked)} distinct questions, "
        f"{os.cpu_count()} cores",
        "",
        "| run | answers/s | p50 ms | p95 ms |",
        "|---|---|---|---|",
        f"| one at a time | {1000 / statistics.fmean(lone):.1f} | "
        f"{percentile(lone, 0.5):.1f} | {percentile(lone, 0.95):.1f} |",
    ]
    for name, rate, values in measured:
        lines.append(
            f"| {args.threads} threads, {name} | {rate:.1f} | {percentile(values, 0.5):.1f} | "
            f"{percentile(values, 0.95):.1f} |"
        )
    lines.append(
        f"\nbatched / one call each: {measured[0][1] / measured[-1][1]:.2f}x answers per second"
    )
    report = "\n".join(lines)
    print(report)
    if args.output:
        command = " ".join(["python", "benchmarks/answer_capacity.py", *sys.argv[1:]])
        with args.output.open("a", encoding="utf-8") as out:
            out.write(
                f"\n## Answer capacity, {args.dataset} ({dt.date.today()}, {commit()})\n\n"
                f"`EMBEDDING_BACKEND={stats.backend} {command}`\n\n{report}\n"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
