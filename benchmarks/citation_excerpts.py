"""How much of each cited passage an answer shows: the answer visible against message length.

A citation shows an excerpt around its bold sentence (`bot.citations.EXCERPT_MAX_CHARS`, and
`FIRST_EXCERPT_MAX_CHARS` for the first); a passage holding the answer outside the excerpt
leaves the reader without it. For every answerable question of a part of RealTimeQA and XQuAD,
the product's first page (three citations, bold sentences chosen as the bot chooses them) is
rendered by `bot.answers.rendering` under each pair of caps, and the answer is looked for in
what the reader sees (`evaluation.visibility`). Printed: answer hit@1 (the first passage holds
it), answer visible@1 and @3, and the message's visible length (median, 90th percentile).

    .venv/bin/python -m benchmarks.citation_excerpts --part tune
    .venv/bin/python -m benchmarks.citation_excerpts --part report --caps 600,600 1000,400
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections.abc import Sequence

import numpy as np

from evaluation.datasets import DATASETS, SHARED_EVAL, open_dataset, question_parts
from evaluation.metrics import contains_answer
from evaluation.visibility import PER_PAGE, answer_visible, shown_answer
from index import IndexSettings, load_embedder

DEFAULT_CAPS = ("600,600", "800,500", "1000,600", "1000,400", "1200,400", "4096,600")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["tune", "report"], default="tune")
    parser.add_argument(
        "--caps", nargs="+", default=list(DEFAULT_CAPS),
        help="FIRST,OTHERS excerpt caps (UTF-16 units) to compare",
    )  # fmt: skip
    parser.add_argument("--datasets", nargs="+", default=["realtimeqa", "xquad"])
    args = parser.parse_args(argv)
    if not (SHARED_EVAL / DATASETS["xquad"][1]).is_file():
        print(f"{SHARED_EVAL} is not there: nothing to measure.", file=sys.stderr)
        return 0
    settings = IndexSettings()
    embedder = load_embedder(settings)
    caps = [tuple(int(v) for v in text.split(",")) for text in args.caps]
    print(f"| data set ({args.part} part) | first, others cap | answer hit@1 | answer visible@1 "
          "| answer visible@3 | message chars p50 | p90 |")  # fmt: skip
    print("|---|---|---:|---:|---:|---:|---:|")
    for dataset in args.datasets:
        data = open_dataset(dataset, settings, embedder)
        split = question_parts(data.questions)
        chosen = split.tune if args.part == "tune" else split.report
        pages = []
        for question in (data.questions.questions[p] for p in chosen):
            if not question.answers:
                continue
            hits = data.index.search(
                question.text, k=PER_PAGE + 1, min_score=-1.0, min_confidence=0.0,
                as_of=question.asked,
            )  # fmt: skip
            pages.append((question, hits))
        in_passage = statistics.fmean(
            bool(hits) and contains_answer(hits[0].text, q.answers) for q, hits in pages
        )
        for first, others in caps:
            shown = [
                (q, shown_answer(q.text, hits, caps=[first, *[others] * (PER_PAGE - 1)]))
                for q, hits in pages
            ]
            visible = [
                statistics.fmean(answer_visible(s, q.answers, k) for q, s in shown) for k in (1, 3)
            ]
            chars = [s.chars for _, s in shown]
            print(
                f"| {dataset} ({len(pages)}) | {first}, {others} | {in_passage:.3f} | "
                f"{visible[0]:.3f} | {visible[1]:.3f} | {np.median(chars):.0f} | "
                f"{np.percentile(chars, 90):.0f} |"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
