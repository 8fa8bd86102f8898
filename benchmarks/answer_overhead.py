"""What the answer cues and the confidence add to each answer's time, against the choice before
them, in the same run on the same questions.

Each question of a data set is searched as the bot searches it (three citations, bold
sentences) by two indexes over the same version: the product, and one with
BOLD_SENTENCE_CUES off and no confidence model (the cosine bands and SEARCH_MIN_SCORE of
before). The two alternate question by question, after a warm-up, so both see the same machine.

    .venv/bin/python -m benchmarks.answer_overhead --dataset realtimeqa
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Sequence

import numpy as np

from evaluation.datasets import DATASETS, SHARED_EVAL, open_dataset
from index import IndexSettings, load_embedder
from index.search.news_index import NewsIndex


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=["realtimeqa", "xquad"], default="realtimeqa")
    parser.add_argument("--rounds", type=int, default=3, help="passes over the questions")
    args = parser.parse_args(argv)
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


if __name__ == "__main__":
    raise SystemExit(main())
