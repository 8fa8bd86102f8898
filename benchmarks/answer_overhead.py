"""What the answer cues and the confidence add to each answer's time, against the choice before
them, in the same run on the same questions.

Each question of a data set is searched as the bot searches it (three citations, bold
sentences) by two indexes over the same version: the product, and one with
BOLD_SENTENCE_CUES off and no confidence model (the cosine bands and SEARCH_MIN_SCORE of
before). The two alternate question by question, after a warm-up, so both see the same machine.

    .venv/bin/python -m benchmarks.answer_overhead --dataset realtimeqa

With `--stages`, where the time of one answer goes instead: the product's search, one question
at a time, with each stage timed apart (its own time, without the stages it calls): encoding
the question, FAISS, BM25, the store's per-candidate reads (facts and records), the evidence,
the bold sentence, the stories; ranking is the rest. `--profile` adds cProfile's top functions.
`--index-dir` names an index built before (a copy of the evaluation index, say), which is
then only read.

    .venv/bin/python -m benchmarks.answer_overhead --stages --index-dir /tmp/rtqa-index
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.answer_capacity import questions as distinct_questions
from evaluation.datasets import DATASETS, SHARED_EVAL, ensure_index, eval_settings, open_dataset
from index import IndexSettings, load_embedder
from index.search.news_index import NewsIndex

STAGES = ("encode", "FAISS", "BM25", "metadata", "evidence", "bold sentence", "stories")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=["realtimeqa", "xquad"], default="realtimeqa")
    parser.add_argument("--rounds", type=int, default=3, help="passes over the questions")
    parser.add_argument("--stages", action="store_true", help="where one answer's time goes")
    parser.add_argument("--profile", action="store_true", help="with --stages: cProfile too")
    parser.add_argument("--questions", type=int, default=200, help="with --stages")
    parser.add_argument("--index-dir", type=Path, help="with --stages: an index built before")
    args = parser.parse_args(argv)
    if args.stages:
        return answer_stages(args.index_dir, args.questions, args.rounds, profile=args.profile)
    if not (SHARED_EVAL / DATASETS[args.dataset][1]).is_file():
        print(f"{SHARED_EVAL} is not there: nothing to measure.", file=sys.stderr)
        return 0
    base = IndexSettings()
    embedder = load_embedder(base)
    data = open_dataset(args.dataset, base, embedder)
    new = NewsIndex(data.settings, embedder)
    old = NewsIndex(data.settings.model_copy(update={"bold_sentence_cues": False}), embedder)
    old._confidence = None  # the cosine bands and gate of before: no model to read
    questions = [q.text for q in data.questions.questions]
    for index in (new, old):
        for text in questions[:20]:
            index.search(text)
    times: dict[str, list[float]] = {"before": [], "now": []}
    for _ in range(args.rounds):
        for text in questions:
            for name, index in (("before", old), ("now", new)):
                started = time.perf_counter()
                index.search(text)
                times[name].append((time.perf_counter() - started) * 1000)
    before, now = np.array(times["before"]), np.array(times["now"])
    print(f"{args.dataset}: {len(questions)} questions × {args.rounds}, one search each way, "
          "alternating\n")  # fmt: skip
    print("| way | p50 ms | p90 ms | mean ms |")
    print("|---|---:|---:|---:|")
    for name, values in (("before (cosine bands, no cues)", before), ("now", now)):
        print(f"| {name} | {np.median(values):.2f} | {np.percentile(values, 90):.2f} | "
              f"{values.mean():.2f} |")  # fmt: skip
    added = now - before
    print(
        f"\nadded per answer (paired): p50 {statistics.median(added):.2f} ms, "
        f"mean {added.mean():.2f} ms; ratio of p50s {np.median(now) / np.median(before):.2f}"
    )
    return 0


class StageClock:
    """Each stage's own seconds (a stage inside another is taken off the outer one's)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = dict.fromkeys(STAGES, 0.0)
        self._inner: list[float] = []

    def wrap(self, stage: str, call: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            self._inner.append(0.0)
            started = time.perf_counter()
            try:
                return call(*args, **kwargs)
            finally:
                took = time.perf_counter() - started
                inner = self._inner.pop()
                self.seconds[stage] += took - inner
                if self._inner:
                    self._inner[-1] += took

        return timed

    def take(self) -> dict[str, float]:
        taken, self.seconds = self.seconds, dict.fromkeys(STAGES, 0.0)
        return taken


def instrumented(index: NewsIndex) -> StageClock:
    """`index` with its stages timed: the version's reads, the model, the evidence and the
    bold sentence (whichever of the version's reads this program has)."""
    clock = StageClock()
    version: Any = index.snapshot()
    for stage, names in (
        ("FAISS", ["nearest"]),
        ("BM25", ["lexical_search", "passage_vectors"]),
        ("metadata", ["passages", "passage_facts", "sentences"]),
        ("stories", ["stories"]),
    ):
        for name in names:
            if hasattr(version, name):
                setattr(version, name, clock.wrap(stage, getattr(version, name)))
    embedder: Any = index.embedder
    embedder.encode_queries = clock.wrap("encode", embedder.encode_queries)
    bold: Any = index._bold
    bold.best = clock.wrap("bold sentence", bold.best)
    searcher: Any = index
    searcher._evidence = clock.wrap("evidence", index._evidence)
    return clock


def answer_stages(index_dir: Path | None, count: int, rounds: int, *, profile: bool) -> int:
    """One answer at a time on the evaluation index: p50, answers/s and each stage's median."""
    base = IndexSettings()
    if index_dir is not None:
        settings = base.model_copy(update={"index_dir": index_dir})
    else:
        corpus = SHARED_EVAL / DATASETS["realtimeqa"][0]
        if not corpus.is_file():
            print(f"{SHARED_EVAL} is not there: nothing to measure.", file=sys.stderr)
            return 0
        settings = eval_settings(base, corpus)
        ensure_index(settings, corpus, load_embedder(settings))
    index = NewsIndex(settings.model_copy(update={"query_batch_window_ms": 0}))
    asked = distinct_questions(count)
    for text in asked[:20]:
        index.search(text)
    clock = instrumented(index)
    totals: list[float] = []
    stages: dict[str, list[float]] = {stage: [] for stage in STAGES}
    for _ in range(rounds):
        for text in asked:
            started = time.perf_counter()
            index.search(text)
            totals.append((time.perf_counter() - started) * 1000)
            for stage, seconds in clock.take().items():
                stages[stage].append(seconds * 1000)
    ranking = np.array(totals) - np.sum([stages[s] for s in STAGES], axis=0)
    articles, passages = index.stats().articles, index.stats().passages
    print(f"{passages:,} passages of {articles:,} articles; {len(asked)} questions × {rounds}, "
          f"one at a time\n")  # fmt: skip
    print(f"answer: p50 {np.median(totals):.2f} ms, p90 {np.percentile(totals, 90):.2f} ms, "
          f"{1000 / np.mean(totals):.1f} answers/s\n")  # fmt: skip
    print("| stage | p50 ms | mean ms |")
    print("|---|---:|---:|")
    for stage, values in [*stages.items(), ("ranking (the rest)", list(ranking))]:
        print(f"| {stage} | {np.median(values):.2f} | {np.mean(values):.2f} |")
    if profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for text in asked:
            index.search(text)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
