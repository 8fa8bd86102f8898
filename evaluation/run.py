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
Ranking metrics ignore SEARCH_MIN_SCORE (a ranking is measured whole).

Each table is given for two parts of the questions (`evaluation.splits`): the *tune* part, the
only one settings may be chosen on, and the *report* part, the one to quote; then the spread of
the figures over cross-validation folds (one per quiz week, else five by hash), since a part of
~50 questions moves by 0.02 per question. `--part tune` searches the tuning questions alone, for
choosing settings without seeing the reported figures.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import logging
import math
import shlex
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from evaluation.metrics import contains_answer, hit_at_k, ndcg_at_k, recall_at_k, reciprocal_rank
from evaluation.splits import (
    REPORT,
    TUNE,
    Split,
    Spread,
    folds_by_group,
    folds_by_hash,
    quiz_week,
    split_by_hash,
    split_in_time,
    spreads,
)
from index.embedding.model import Embedder, configured_backend, load_embedder
from index.search.news_index import Hit, NewsIndex, index_exists
from index.settings import PROJECT_ROOT, IndexSettings
from index.store.faiss.vectors import AUTO_FACTORY, EXACT_FACTORY, resolve_factory
from index.store.manifest import FORMAT_VERSION, Manifest
from index.store.publish import IndexLayout
from index.writer import IndexWriter

SHARED_EVAL = PROJECT_ROOT.parent / "shared" / "eval"
DATASETS: dict[str, tuple[str, str]] = {
    "realtimeqa": ("realtimeqa-news/articles.jsonl", "realtimeqa-news/questions.jsonl"),
    "scifact": ("scifact/corpus.jsonl", "scifact/queries.jsonl"),
    "xquad": ("xquad-en/passages.jsonl", "xquad-en/questions.jsonl"),
}
CONFIGS: dict[str, dict[str, Any]] = {
    "BM25": {"search_mode": "lexical", "search_recency_weight": 0.0},
    "dense": {"search_mode": "dense", "search_recency_weight": 0.0},
    "product": {},
}
"""Compared in every run: settings overrides of the product's configuration."""
BEIR_DEPTH = 100


@dataclass(slots=True)
class Question:
    id: str
    text: str
    gold_articles: set[str] = field(default_factory=set)
    answers: list[str] = field(default_factory=list)
    relevance: dict[str, int] = field(default_factory=dict)
    asked: date | None = None
    """When the question was asked (news quizzes have a date): the search's `as_of`."""
    group: str = ""
    """What the tune/report split keeps together (`evaluation.splits`): a quiz's week, a
    Wikipedia article, a BEIR query."""


@dataclass(slots=True)
class QuestionSet:
    kind: str  # "news", "beir" or "squad"
    questions: list[Question]


@dataclass(slots=True)
class Scores:
    """One configuration's figures: metric name → value, plus query latency."""

    name: str
    metrics: dict[str, float]
    latency_ms: float


# -- reading question files -----------------------------------------------------------------------


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def load_questions(path: Path, qrels: Path | None = None) -> QuestionSet:
    """Any of the three question formats, recognised by the first record's fields."""
    records = list(read_jsonl(path))
    if not records:
        raise ValueError(f"{path} holds no questions")
    first = records[0]
    if "passage_id" in first:
        return QuestionSet("squad", [_squad(i, r) for i, r in enumerate(records)])
    if "article_ids" in first or "article_id" in first:
        return QuestionSet("news", [_news(i, r) for i, r in enumerate(records)])
    if "_id" in first and "text" in first:
        return QuestionSet("beir", _beir(records, qrels or path.parent / "qrels" / "test.tsv"))
    raise ValueError(f"{path}: unknown question format (fields {sorted(first)})")


def _news(number: int, record: dict[str, Any]) -> Question:
    gold = {str(a) for a in [*(record.get("article_ids") or []), record.get("article_id")] if a}
    answers = (record.get("answers") or []) if record.get("answer_in_article", True) else []
    asked = None
    with contextlib.suppress(ValueError, TypeError):
        asked = date.fromisoformat(str(record.get("date", ""))[:10].replace("/", "-"))
    question_id = str(record.get("id", number))
    week = quiz_week(question_id) or (asked.isoformat() if asked else question_id)
    return Question(question_id, record["question"], gold, list(answers), {}, asked, week)


def _squad(number: int, record: dict[str, Any]) -> Question:
    return Question(
        str(record.get("id", number)),
        record["question"],
        {str(record["passage_id"])},
        list(record.get("answers") or []),
        group=str(record.get("article_id") or record["passage_id"]),
    )


def _beir(records: list[dict[str, Any]], qrels_path: Path) -> list[Question]:
    qrels: dict[str, dict[str, int]] = {}
    with qrels_path.open(encoding="utf-8") as handle:
        for line in handle:
            parts = line.split()
            if len(parts) != 3 or not parts[2].lstrip("-").isdigit():
                continue  # the header
            qrels.setdefault(parts[0], {})[parts[1]] = int(parts[2])
    found = [(str(r["_id"]), r["text"]) for r in records if str(r["_id"]) in qrels]
    return [
        Question(query_id, text, set(qrels[query_id]), [], qrels[query_id], group=query_id)
        for query_id, text in found
    ]


# -- the parts settings are tuned and reported on ------------------------------------------------

CV_FOLDS = 5
"""Folds of a data set without weeks (SciFact, XQuAD); a news quiz has one fold per week."""


def question_parts(questions: QuestionSet) -> Split[int]:
    """Positions of the questions settings may be tuned on, and of those reported on.

    News quizzes by week, earlier weeks tuning (`evaluation.splits.split_in_time`); SQuAD
    questions by their article and BEIR queries one by one, by hash. SciFact ships relevance
    judgements for its test queries only (no `qrels/train.tsv`), so those 300 are split.
    """
    positions = list(range(len(questions.questions)))

    def group(position: int) -> str:
        return questions.questions[position].group

    if questions.kind == "news":
        return split_in_time(positions, group)
    return split_by_hash(positions, group)


def question_folds(questions: QuestionSet, positions: Sequence[int]) -> dict[str, list[int]]:
    """Cross-validation folds of some questions: one per quiz week, else `CV_FOLDS` by hash."""

    def group(position: int) -> str:
        return questions.questions[position].group

    if questions.kind == "news":
        return folds_by_group(positions, group)
    return folds_by_hash(positions, group, CV_FOLDS)


def describe_part(questions: QuestionSet, positions: Sequence[int]) -> str:
    """How many questions a part holds, and of which weeks or articles."""
    groups = sorted({questions.questions[p].group for p in positions})
    if questions.kind == "news":
        return f"{len(positions)} questions of {len(groups)} weeks, {groups[0]} to {groups[-1]}"
    if questions.kind == "squad":
        return f"{len(positions)} questions about {len(groups)} articles"
    return f"{len(positions)} queries"


def measure(
    questions: QuestionSet, runs: Sequence[Sequence[Hit]], positions: Sequence[int]
) -> dict[str, float]:
    """The metrics of some of the questions (positions into `questions` and `runs`)."""
    return METRICS[questions.kind](
        [questions.questions[p] for p in positions], [runs[p] for p in positions]
    )


# -- the index of a corpus --------------------------------------------------------------------------


def eval_settings(base: IndexSettings, corpus: Path) -> IndexSettings:
    """Settings whose index folder is this corpus's under `$DATA_DIR/eval/`, one per chunking,
    FAISS type and backend (torch's folders keep the names they had before backends were told
    apart, and `auto`'s those of `Flat`, which it is for every corpus of ../shared/eval; a
    corpus it makes approximate is rebuilt in place, see `ensure_index`)."""
    factory = (
        EXACT_FACTORY if base.faiss_index_factory == AUTO_FACTORY else base.faiss_index_factory
    )
    key = json.dumps(
        [str(corpus.resolve()), base.embedding_model, base.passage_max_tokens,
         base.passage_min_tokens, base.passage_overlap_sentences, factory]
        + ([] if configured_backend(base) == "torch" else [configured_backend(base)]),
    )  # fmt: skip
    digest = hashlib.sha1(key.encode()).hexdigest()[:10]
    folder = base.data_dir / "eval" / f"{corpus.parent.name}-{corpus.stem}-{digest}"
    return base.model_copy(update={"index_dir": folder})


@dataclass(slots=True)
class EvalData:
    """One data set of ../shared/eval opened for a benchmark that ranks its candidates itself."""

    corpus: Path
    questions: QuestionSet
    settings: IndexSettings
    index: NewsIndex


def open_dataset(dataset: str, base: IndexSettings, embedder: Embedder) -> EvalData:
    """A data set's corpus, questions and evaluation index (built when missing, as `main` does)."""
    corpus_name, questions_name = DATASETS[dataset]
    corpus = SHARED_EVAL / corpus_name
    settings = eval_settings(base, corpus)
    ensure_index(settings, corpus, embedder)
    questions = load_questions(SHARED_EVAL / questions_name)
    return EvalData(corpus, questions, settings, NewsIndex(settings, embedder))


def ensure_index(settings: IndexSettings, corpus: Path, embedder: Embedder) -> None:
    """Build the corpus's index unless the one on disk was built from this very file, in this
    program's index format, with the FAISS type the settings pick for its size."""
    stamp_path = settings.resolved_index_dir / "source.json"
    stat = corpus.stat()
    stamp = {
        "corpus": str(corpus.resolve()), "size": stat.st_size, "mtime": stat.st_mtime,
        "format_version": FORMAT_VERSION, "vector_store": settings.vector_store,
    }  # fmt: skip
    built = index_exists(settings) and stamp_path.is_file()
    if built and json.loads(stamp_path.read_text("utf-8")) == stamp and _same_type(settings):
        return
    print(f"indexing {corpus} into {settings.resolved_index_dir} …", file=sys.stderr)
    report = IndexWriter(settings, embedder, progress=True).rebuild([corpus])
    print(
        f"  {report.articles} articles, {report.passages} passages "
        f"({report.embedded} embedded) in {report.seconds:.0f} s",
        file=sys.stderr,
    )
    stamp_path.write_text(json.dumps(stamp), "utf-8")


def _same_type(settings: IndexSettings) -> bool:
    """Whether the live version has the FAISS type the settings would build it with (a rebuild
    of an unchanged corpus embeds and splits nothing, so changing it is cheap). A Milvus version
    has no FAISS type: any will do."""
    if settings.vector_store != "faiss":
        return True
    folder = IndexLayout(settings.resolved_index_dir).current_version()
    if folder is None:
        return False
    manifest = Manifest.load(folder)
    wanted = resolve_factory(
        settings.faiss_index_factory, manifest.passages, settings.faiss_exact_limit
    )
    return manifest.index_factory == wanted


# -- running a configuration --------------------------------------------------------------------------


def run_config(
    index: NewsIndex, questions: QuestionSet, k: int
) -> tuple[dict[str, float], float, list[list[Hit]]]:
    """Every question through `index.search`; the metrics, median latency (ms) and the hits.

    The timed search ranks only. Where the metrics judge the bold sentence (news and SQuAD),
    the first hit then gets its bold sentence, untimed.
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
            max_per_article=per_article,
            bold_sentence=False,
            as_of=question.asked,
        )
        times.append((time.perf_counter() - started) * 1000)
        if hits and questions.kind != "beir":
            hits[0] = index.with_bold_sentence(hits[0], question.text)
        runs.append(hits)
    metrics = METRICS[questions.kind](questions.questions, runs)
    return metrics, statistics.median(times) if times else 0.0, runs


def bold_holds_answer(hit: Hit, answers: Sequence[str]) -> bool:
    """Whether the sentence shown in bold contains one of the answers."""
    return contains_answer(hit.text[hit.bold_sentence[0] : hit.bold_sentence[1]], answers)


NEWS_METRICS = (
    *(f"article hit@{k}" for k in (1, 3, 5)),
    "MRR@10",
    *(f"answer hit@{k}" for k in (1, 3, 5)),
)


def news_metrics(questions: Sequence[Question], runs: Sequence[Sequence[Hit]]) -> dict[str, float]:
    """Every metric is there, NaN when no question of these measures it (a week whose answers
    are not spelled out in the articles has no answer hits)."""
    found: dict[str, list[float]] = {name: [] for name in NEWS_METRICS}
    bold: list[bool] = []
    for question, hits in zip(questions, runs, strict=True):
        gold = [hit.article_id in question.gold_articles for hit in hits]
        for k in (1, 3, 5):
            found.setdefault(f"article hit@{k}", []).append(hit_at_k(gold, k))
        found.setdefault("MRR@10", []).append(reciprocal_rank(gold[:10]))
        if question.answers:
            answered = [contains_answer(hit.text, question.answers) for hit in hits]
            for k in (1, 3, 5):
                found.setdefault(f"answer hit@{k}", []).append(hit_at_k(answered, k))
            if answered and answered[0]:  # the first passage holds it: is it the bold sentence?
                bold.append(bold_holds_answer(hits[0], question.answers))
    scores = {
        name: statistics.fmean(values) if values else math.nan for name, values in found.items()
    }
    scores["answer-sentence accuracy"] = statistics.fmean(bold) if bold else math.nan
    return scores


def beir_metrics(questions: Sequence[Question], runs: Sequence[Sequence[Hit]]) -> dict[str, float]:
    ndcg, recall10, recall100 = [], [], []
    for question, hits in zip(questions, runs, strict=True):
        ranked = [hit.article_id for hit in hits]
        ndcg.append(ndcg_at_k(ranked, question.relevance, 10))
        recall10.append(recall_at_k(ranked, question.relevance, 10))
        recall100.append(recall_at_k(ranked, question.relevance, 100))
    return {
        "nDCG@10": statistics.fmean(ndcg),
        "recall@10": statistics.fmean(recall10),
        "recall@100": statistics.fmean(recall100),
    }


def squad_metrics(questions: Sequence[Question], runs: Sequence[Sequence[Hit]]) -> dict[str, float]:
    """Passage hit@1, and how often the bold sentence holds the answer (overall, and when the
    cited passage holds it: the sentence choice alone)."""
    passage_hits, bold_hits, bold_when_passage = [], [], []
    for question, hits in zip(questions, runs, strict=True):
        top = hits[0] if hits else None
        passage_hit = top is not None and top.article_id in question.gold_articles
        passage_hits.append(passage_hit)
        in_passage = top is not None and contains_answer(top.text, question.answers)
        bold = top is not None and bold_holds_answer(top, question.answers)
        bold_hits.append(bold)
        if in_passage:
            bold_when_passage.append(bold)
    return {
        "passage hit@1": statistics.fmean(passage_hits),
        "answer in bold@1": statistics.fmean(bold_hits),
        "answer-sentence accuracy": statistics.fmean(bold_when_passage or [0.0]),
    }


METRICS: dict[str, Callable[[Sequence[Question], Sequence[Sequence[Hit]]], dict[str, float]]] = {
    "news": news_metrics,
    "beir": beir_metrics,
    "squad": squad_metrics,
}


# -- output ---------------------------------------------------------------------------------------------


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
