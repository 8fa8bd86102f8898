"""The evaluation data sets (`../shared/eval`): their questions, tune and report parts and
folds, and the index each one is measured on (built once under `$DATA_DIR/eval/`)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from evaluation.splits import (
    Split,
    folds_by_group,
    folds_by_hash,
    quiz_week,
    split_by_hash,
    split_in_time,
)
from index.embedding.model import Embedder, configured_backend
from index.search.news_index import NewsIndex, index_exists
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
    if "rejected_article_ids" in first:  # readers' votes: `python -m bot feedback export`
        from evaluation.feedback import feedback_questions  # which imports this module

        return feedback_questions(records)
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


def eval_settings(base: IndexSettings, corpus: Path) -> IndexSettings:
    """Settings whose index folder is this corpus's under `$DATA_DIR/eval/`, one per chunking,
    FAISS type and backend (torch's folders keep the names they had before backends were told
    apart, and `auto`'s those of `Flat`; a corpus it makes approximate, RealTimeQA's, is rebuilt
    in place, see `ensure_index`)."""
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
