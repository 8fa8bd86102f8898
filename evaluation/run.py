"""`python -m evaluation`: how often the cited passages answer real questions, measured with the
product's own pipeline (the same passages, embeddings and search the bot uses).

    python -m evaluation --dataset realtimeqa
    python -m evaluation --dataset scifact --output benchmarks/results/retrieval.md
    python -m evaluation --corpus my/articles.jsonl --questions my/questions.jsonl -k 5 --dump run.jsonl

Question files are recognised by their fields: RealTimeQA-style news questions (`question`,
`article_ids`, `answers`), BEIR queries (`_id`, `text`, with `qrels/test.tsv` beside them) or
SQuAD-style questions (`question`, `passage_id`, `answers`). The corpus is indexed once under
`$DATA_DIR/eval/` (embeddings come from the shared cache) and reused while it is unchanged.
Every configuration is run on the same passages: BM25 alone, the model alone, and the product.
Ranking metrics ignore SEARCH_MIN_SCORE and ANSWER_MIN_CONFIDENCE (a ranking is measured whole).

Each table is given for two parts of the questions (`evaluation.splits`): the *tune* part, the
only one settings may be chosen on, and the *report* part, the one to quote; then the spread of
the figures over cross-validation folds (one per quiz week, else five by hash), since a part of
~50 questions moves by 0.02 per question. `--part tune` searches the tuning questions alone, for
choosing settings without seeing the reported figures.
"""

from __future__ import annotations

import argparse
import json
import logging
import shlex
import statistics
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from evaluation.datasets import (
    DATASETS,
    SHARED_EVAL,
    QuestionSet,
    describe_part,
    ensure_index,
    eval_settings,
    load_questions,
    question_folds,
    question_parts,
)
from evaluation.scoring import METRICS
from evaluation.splits import (
    REPORT,
    TUNE,
    Spread,
    spreads,
)
from evaluation.visibility import PER_PAGE
from index.embedding.model import load_embedder
from index.search.news_index import Hit, NewsIndex
from index.settings import PROJECT_ROOT, IndexSettings

CONFIGS: dict[str, dict[str, Any]] = {
    "BM25": {"search_mode": "lexical", "search_recency_weight": 0.0},
    "dense": {"search_mode": "dense", "search_recency_weight": 0.0},
    "product": {},
}
"""Compared in every run: settings overrides of the product's configuration."""
BEIR_DEPTH = 100


@dataclass(slots=True)
class Scores:
    """One configuration's figures: metric name → value, plus query latency."""

    name: str
    metrics: dict[str, float]
    latency_ms: float


# -- reading question files -----------------------------------------------------------------------


def measure(
    questions: QuestionSet, runs: Sequence[Sequence[Hit]], positions: Sequence[int]
) -> dict[str, float]:
    """The metrics of some of the questions (positions into `questions` and `runs`)."""
    return METRICS[questions.kind](
        [questions.questions[p] for p in positions], [runs[p] for p in positions]
    )


# -- the index of a corpus --------------------------------------------------------------------------


def run_config(
    index: NewsIndex, questions: QuestionSet, k: int
) -> tuple[dict[str, float], float, list[list[Hit]]]:
    """Every question through `index.search`; the metrics, median latency (ms) and the hits.

    The timed search ranks only. Where the metrics judge what the reader sees (news and SQuAD),
    the hits of the answer's first page then get their bold sentence, untimed.
    """
    depth = BEIR_DEPTH if questions.kind == "beir" else max(k, 10)
    per_article = 1 if questions.kind == "beir" else None
    runs: list[list[Hit]] = []
    times: list[float] = []
    for question in questions.questions:
        started = time.perf_counter()
        hits = index.search(
            question.text,
            k=depth,
            min_score=-1.0,
            min_confidence=0.0,
            max_per_article=per_article,
            bold_sentence=False,
            as_of=question.asked,
        )
        times.append((time.perf_counter() - started) * 1000)
        if questions.kind != "beir":
            for position, hit in enumerate(hits[:PER_PAGE]):
                hits[position] = index.with_bold_sentence(hit, question.text)
        runs.append(hits)
    metrics = METRICS[questions.kind](questions.questions, runs)
    return metrics, statistics.median(times) if times else 0.0, runs


def table(rows: Sequence[Scores]) -> str:
    """A markdown table, one configuration per row."""
    names = list(rows[0].metrics)
    lines = [
        "| configuration | " + " | ".join(names) + " | median query ms |",
        "|---|" + "---|" * (len(names) + 1),
    ]
    for row in rows:
        values = " | ".join(f"{row.metrics[n]:.3f}" for n in names)
        lines.append(f"| {row.name} | {values} | {row.latency_ms:.1f} |")
    return "\n".join(lines)


def spread_table(rows: Sequence[tuple[str, Mapping[str, Spread]]]) -> str:
    """A markdown table of per-fold spreads, one configuration per row."""
    names = list(rows[0][1])
    lines = ["| configuration | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    lines += [f"| {name} | " + " | ".join(str(row[n]) for n in names) + " |" for name, row in rows]
    return "\n".join(lines)


def write_dump(path: Path, questions: QuestionSet, runs: Sequence[Sequence[Hit]], k: int) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for question, hits in zip(questions.questions, runs, strict=True):
            record = {
                "id": question.id,
                "question": question.text,
                "hits": [
                    {"article_id": h.article_id, "text": h.text, "score": round(h.score, 6)}
                    for h in hits[:k]
                ],
            }
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def _commit() -> str:
    try:
        found = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
            cwd=PROJECT_ROOT, check=True,
        )  # fmt: skip
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True,
            text=True, cwd=PROJECT_ROOT, check=True,
        )  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return found.stdout.strip() + (" (with uncommitted changes)" if dirty.stdout.strip() else "")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m evaluation",
        description="Measure retrieval quality on a corpus and its questions.",
        epilog=__doc__.split("\n\n")[1] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--dataset", choices=sorted(DATASETS), help="a data set of ../shared/eval")
    parser.add_argument("--corpus", type=Path, help="articles (JSON Lines, like ../shared/eval)")
    parser.add_argument("--questions", type=Path, help="questions (JSON Lines)")
    parser.add_argument("--qrels", type=Path, help="BEIR relevance file (default: qrels/test.tsv)")
    parser.add_argument("-k", type=int, default=5, help="hits per question in --dump (default 5)")
    parser.add_argument("--dump", type=Path, help="write the product's hits, one JSON line each")
    parser.add_argument("--output", type=Path, help="append the result table to a markdown file")
    parser.add_argument("--limit", type=int, help="only the first N questions (quick checks)")
    parser.add_argument(
        "--part",
        choices=("all", TUNE, REPORT),
        default="all",
        help="search only the questions settings may be tuned on (tune), or those reported on",
    )
    parser.add_argument(
        "--config",
        action="append",
        default=[],
        metavar="NAME:KEY=VALUE[,KEY=VALUE]",
        help="an extra configuration to compare, e.g. 'rrf:search_fusion=rrf,search_lexical_weight=0.5'",
    )
    return parser


def parse_config(text: str) -> tuple[str, dict[str, Any]]:
    """`name:key=value,…` as a named set of settings overrides, each value validated as if it
    came from the environment ("false" is False); an unknown setting is a ValueError."""
    name, _, assignments = text.partition(":")
    fields = IndexSettings.model_fields
    overrides: dict[str, Any] = {}
    for assignment in filter(None, assignments.split(",")):
        key, _, value = (part.strip() for part in assignment.partition("="))
        if key not in fields:
            raise ValueError(f"unknown setting {key!r} in --config {text!r}")
        annotation = fields[key].annotation
        assert annotation is not None  # every setting is annotated
        overrides[key] = TypeAdapter(annotation).validate_python(value)
    return name.strip(), overrides


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.dataset:
        corpus_name, questions_name = DATASETS[args.dataset]
        args.corpus = args.corpus or SHARED_EVAL / corpus_name
        args.questions = args.questions or SHARED_EVAL / questions_name
    if args.corpus is None or args.questions is None:
        print("error: give --dataset, or --corpus and --questions", file=sys.stderr)
        return 2
    configs = dict(CONFIGS)
    try:
        configs.update(parse_config(text) for text in args.config)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    missing = [p for p in (args.corpus, args.questions) if not p.is_file()]
    if missing:
        print(
            f"{missing[0]} is not there: the evaluation data lives in {SHARED_EVAL} "
            "(see its README); nothing to measure.",
            file=sys.stderr,
        )
        return 0
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    questions = load_questions(args.questions, args.qrels)
    if args.limit:
        questions.questions = questions.questions[: args.limit]
    base = IndexSettings()
    settings = eval_settings(base, args.corpus)
    embedder = load_embedder(settings)
    ensure_index(settings, args.corpus, embedder)

    parts = question_parts(questions)
    if args.part != "all":  # the other part's questions are not even searched
        chosen = parts.tune if args.part == TUNE else parts.report
        questions.questions = [questions.questions[p] for p in chosen]

    runs: dict[str, list[list[Hit]]] = {}
    latencies: dict[str, float] = {}
    for name, overrides in configs.items():
        index = NewsIndex(settings.model_copy(update=overrides), embedder)
        index.search("warm up", k=1)
        metrics, latencies[name], runs[name] = run_config(index, questions, args.k)
        print(f"{name}: " + ", ".join(f"{m} {v:.3f}" for m, v in metrics.items()), file=sys.stderr)

    stats = NewsIndex(settings, embedder).stats()
    header = (
        f"### {args.questions.parent.name}: {len(questions.questions)} questions over "
        f"{stats.articles:,} articles ({stats.passages:,} passages)\n\n"
        f"- command: `python -m evaluation {shlex.join(sys.argv[1:] if argv is None else argv)}`\n"
        f"- date: {datetime.now(UTC).isoformat(timespec='seconds')}, commit {_commit()}\n"
        f"- product: search_mode={base.search_mode}, fusion={base.search_fusion}, "
        f"lexical weight={base.search_lexical_weight}, "
        f"recency weight={base.search_recency_weight} "
        f"(half-life {base.search_recency_half_life_days:g} days), "
        f"bold sentence lexical weight={base.bold_sentence_lexical_weight}, "
        f"bold sentence in context={base.bold_sentence_in_context}, "
        f"passages ≤ {base.passage_max_tokens} tokens, overlap {base.passage_overlap_sentences}\n"
    )
    result = f"{header}\n{sections(questions, runs, latencies, args.part)}"
    print(result)
    if args.output:
        with args.output.open("a", encoding="utf-8") as handle:
            handle.write(result + "\n")
    if args.dump and "product" in runs:
        write_dump(args.dump, questions, runs["product"], args.k)
    return 0


def sections(
    questions: QuestionSet,
    runs: Mapping[str, Sequence[Sequence[Hit]]],
    latencies: Mapping[str, float],
    part: str = "all",
) -> str:
    """The tables of a run: the reporting part, the tuning part, all questions, then the spread
    over cross-validation folds. With `part` (only that part's questions were run): its table
    and the spread over its folds."""
    everything = list(range(len(questions.questions)))
    if part == "all":
        split = question_parts(questions)
        listed = [
            (f"Report part ({describe_part(questions, split.report)}): settings are not "
             "chosen on these", split.report),
            (f"Tune part ({describe_part(questions, split.tune)}): settings may be chosen on "
             "these", split.tune),
            (f"All {len(everything)} questions", everything),
        ]  # fmt: skip
    else:
        listed = [
            (f"{part.capitalize()} part only ({describe_part(questions, everything)})", everything)
        ]
    out: list[str] = []
    for title, positions in listed:
        if positions:
            rows = [
                Scores(name, measure(questions, found, positions), latencies[name])
                for name, found in runs.items()
            ]
            out.append(f"#### {title}\n\n{table(rows)}\n")
    folds = question_folds(questions, everything)
    if len(folds) > 1:
        unit = "one week held out each" if questions.kind == "news" else "whole groups, by hash"
        spread_rows = [
            (name, spreads([measure(questions, found, fold) for fold in folds.values()]))
            for name, found in runs.items()
        ]
        out.append(
            f"#### Over {len(folds)} folds ({unit}): mean ± sd (min–max) of each fold's figure\n\n"
            f"{spread_table(spread_rows)}\n"
        )
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
