"""In-process answer capacity: how many questions a second the index answers, bold sentence included.

The product's whole `NewsIndex.search` (question encoding, FAISS and BM25, fusion, citations and
the bold sentence) over a large corpus (RealTimeQA's 3,636 articles, ~54,000 passages, indexed
once under `$DATA_DIR/eval/` as `python -m evaluation` does), with 200 distinct questions:

- one at a time: the latency of a lone answer (p50/p95);
- from a pool of threads, as the bot's workers call it: answers per second, with the questions
  batched into shared model calls (the default) and, in the same run, one model call each;
- both with questions encoded as a bot does by default (QUESTION_BACKEND=onnx: onnxruntime in
  the index's family) and on the build backend itself (QUESTION_BACKEND=same: torch by default);
- a fresh bot process of each (`bot.startup.open_index`, then one answer): seconds to its first
  answer, peak RSS, and whether it imported torch.

    .venv/bin/python -m benchmarks.answer_capacity
    .venv/bin/python -m benchmarks.answer_capacity --dataset xquad   # 320 passages: a quick check
    .venv/bin/python -m benchmarks.answer_capacity --index-dir /tmp/x/index   # an index built before
    EMBEDDING_BACKEND=onnx-int8 .venv/bin/python -m benchmarks.answer_capacity --threads 8
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from benchmarks.provenance import commit
from evaluation.datasets import DATASETS, SHARED_EVAL, ensure_index, eval_settings
from index import Embedder, IndexSettings, NewsIndex, load_embedder
from index.embedding.model import load_question_embedder

ROOT = Path(__file__).resolve().parent.parent
QUESTION_BACKENDS = ("onnx", "same")
"""QUESTION_BACKEND of each run: the default first, then the build backend's own path."""

# A bot process up to its first answer, as post_init opens the index; then what it imported.
_BOT_START = """
import sys
from bot.settings import BotSettings
from bot.startup import open_index
open_index(BotSettings()).search("Which countries signed security agreements with Ukraine?")
print(int("torch" in sys.modules))
"""
# Runs the child alone, so RUSAGE_CHILDREN is that one child's peak, not the largest so far.
_WRAPPER = """
import resource, subprocess, sys, time
started = time.perf_counter()
out = subprocess.run([sys.executable, "-c", sys.argv[1]], capture_output=True, text=True)
if out.returncode:
    sys.exit(out.stderr)
took = time.perf_counter() - started
print(took, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, out.stdout.strip())
"""


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


def bot_start(
    settings: IndexSettings, question_backend: str, runs: int
) -> tuple[float, float, bool]:
    """Median seconds from a fresh bot process's start to its first answer, its median peak RSS
    in MB, and whether it imported torch."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATA_DIR": str(settings.data_dir),
        "INDEX_DIR": str(settings.resolved_index_dir),
        "MODELS_DIR": str(settings.resolved_models_dir),
        "EMBEDDING_CACHE_PATH": str(settings.resolved_cache_path),
        "EMBEDDING_BACKEND": settings.embedding_backend,
        "QUESTION_BACKEND": question_backend,
        "HF_HUB_OFFLINE": "1",
    }
    seconds, peaks, torch = [], [], False
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", _WRAPPER, _BOT_START],
            capture_output=True, text=True, env=env, check=True,
        )  # fmt: skip
        took, peak_kb, imported = out.stdout.split()
        seconds.append(float(took))
        peaks.append(int(peak_kb) / 1024)
        torch = torch or imported == "1"
    return statistics.median(seconds), statistics.median(peaks), torch


def encoders(settings: IndexSettings) -> list[tuple[str, Embedder]]:
    """Each QUESTION_BACKEND's question encoder, named by the backend it runs on."""
    found = []
    for choice in QUESTION_BACKENDS:
        encoder = load_question_embedder(settings.model_copy(update={"question_backend": choice}))
        found.append((f"QUESTION_BACKEND={choice} ({encoder.backend})", encoder))
    return found


def row(name: str, rate: float, values: Sequence[float]) -> str:
    return (
        f"| {name} | {rate:.1f} | {percentile(values, 0.5):.1f} | {percentile(values, 0.95):.1f} |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--threads", type=int, default=6, help="like asyncio's default pool")
    parser.add_argument("--dataset", choices=sorted(DATASETS), default="realtimeqa")
    parser.add_argument(
        "--index-dir", type=Path, help="an index built before (e.g. the seeds'), not a data set"
    )
    parser.add_argument("--startup-runs", type=int, default=3, help="fresh bot processes each")
    parser.add_argument("--output", type=Path, help="append the result as markdown")
    args = parser.parse_args()
    base = IndexSettings()
    if args.index_dir is not None:
        settings = base.model_copy(update={"index_dir": args.index_dir})
        source = str(args.index_dir)
    else:
        corpus = SHARED_EVAL / DATASETS[args.dataset][0]
        if not corpus.is_file():
            print(f"skipped: {corpus} is not there (the shared evaluation data is optional)")
            return 0
        settings = eval_settings(base, corpus)
        ensure_index(settings, corpus, load_embedder(settings))
        source = args.dataset
    asked = questions(args.questions)
    lines: list[str] = []
    for number, (name, encoder) in enumerate(encoders(settings)):
        batched = NewsIndex(settings.model_copy(update={"query_batch_window_ms": 0}), encoder)
        runs = [("questions batched", batched)]
        if number == 0:  # the default: also how batching compares, as before
            runs += [
                (
                    "questions batched, 2 ms window",
                    NewsIndex(settings.model_copy(update={"query_batch_window_ms": 2}), encoder),
                ),
                (
                    "one model call each",
                    NewsIndex(settings.model_copy(update={"query_batch_max": 1}), encoder),
                ),
            ]
        for _, index in runs:
            one_at_a_time(index, asked[:10])  # warm: model, snapshot, SQLite pages
        lone = one_at_a_time(batched, asked)
        measured = [(run, *from_threads(index, asked, args.threads)) for run, index in runs]
        if number == 0:
            stats = batched.stats()
            lines += [
                f"{stats.passages:,} passages of {stats.articles:,} articles, built by "
                f"{stats.backend}, format {batched.snapshot().manifest.format_version}, "
                f"{len(asked)} distinct questions, {os.cpu_count()} cores",
                "",
                "| questions on | run | answers/s | p50 ms | p95 ms |",
                "|---|---|---|---|---|",
            ]
        lines.append(row(f"{name} | one at a time", 1000 / statistics.fmean(lone), lone))
        lines += [
            row(f"{name} | {args.threads} threads, {run}", rate, values)
            for run, rate, values in measured
        ]
        if number == 0:
            ratio = measured[0][1] / measured[-1][1]
            lines.append(f"| {name} | batched / one call each | {ratio:.2f}x | | |")
    lines += [
        "",
        "| fresh bot process | start to first answer, s (median) | peak RSS, MB | torch imported |",
        "|---|---|---|---|",
    ]
    for choice in QUESTION_BACKENDS:
        took, peak, torch = bot_start(settings, choice, args.startup_runs)
        lines.append(
            f"| QUESTION_BACKEND={choice} | {took:.2f} | {peak:.0f} | {'yes' if torch else 'no'} |"
        )
    report = "\n".join(lines)
    print(report)
    if args.output:
        command = " ".join(["python", "benchmarks/answer_capacity.py", *sys.argv[1:]])
        with args.output.open("a", encoding="utf-8") as out:
            out.write(
                f"\n## Answer capacity, {source} ({dt.date.today()}, {commit()})\n\n"
                f"`EMBEDDING_BACKEND={settings.embedding_backend} {command}`\n\n{report}\n"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
