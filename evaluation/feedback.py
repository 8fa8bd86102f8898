"""Readers' votes as evaluation questions: the file `python -m bot feedback export` writes.

Each line is an answer readers voted on: its question, the articles it cited, approved
(`article_ids`: more 👍 than 👎) or rejected (`rejected_article_ids`: more 👎), the index version
it came from and the day it was given. `evaluation.datasets.load_questions` knows the file by
`rejected_article_ids` and loads it here as the "feedback" kind, whose figures measure the
current index against what readers said:

- **article hit@1, hit@3**: of the approved answers, how often an approved article is cited
  first, or among the first three (higher is better);
- **rejected still first**, **rejected hit@3**: of the rejected answers, how often a rejected
  article is still cited first, or among the first three (lower is better).

A figure no question of a part measures is NaN. The judgements are kept the way BEIR keeps
relevance, in `Question.relevance`: 1 for an approved article, -1 for a rejected one; each
question is searched as of the day it was asked (the recency prior then weighs as it did).
"""

from __future__ import annotations

import contextlib
import math
import statistics
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from evaluation.datasets import Question, QuestionSet
from evaluation.metrics import hit_at_k
from index.search.news_index import Hit

KIND = "feedback"
FEEDBACK_METRICS = ("article hit@1", "article hit@3", "rejected still first", "rejected hit@3")
APPROVED, REJECTED = 1, -1
"""An article's judgement in `Question.relevance`."""


def feedback_questions(records: Sequence[Mapping[str, Any]]) -> QuestionSet:
    """The exported lines as questions, in file order."""
    return QuestionSet(KIND, [_question(number, r) for number, r in enumerate(records)])


def _question(number: int, record: Mapping[str, Any]) -> Question:
    approved = [str(a) for a in record.get("article_ids") or []]
    rejected = [str(a) for a in record.get("rejected_article_ids") or []]
    relevance = {a: REJECTED for a in rejected} | {a: APPROVED for a in approved}
    asked = None
    with contextlib.suppress(ValueError, TypeError):
        asked = date.fromisoformat(str(record.get("date", ""))[:10])
    question_id = str(record.get("id", number))
    answers = list(record.get("answers") or [])
    return Question(
        question_id, record["question"], set(approved), answers, relevance, asked, question_id
    )


def rejected_articles(question: Question) -> set[str]:
    """The articles readers rejected for this question."""
    return {article for article, judged in question.relevance.items() if judged == REJECTED}


def feedback_metrics(
    questions: Sequence[Question], runs: Sequence[Sequence[Hit]]
) -> dict[str, float]:
    """How the hits of today's index meet the readers' votes (see the module's description)."""
    found: dict[str, list[bool]] = {name: [] for name in FEEDBACK_METRICS}
    for question, hits in zip(questions, runs, strict=True):
        cited = [hit.article_id for hit in hits]
        if question.gold_articles:
            approved = [article in question.gold_articles for article in cited]
            found["article hit@1"].append(hit_at_k(approved, 1))
            found["article hit@3"].append(hit_at_k(approved, 3))
        rejected = rejected_articles(question)
        if rejected:
            still = [article in rejected for article in cited]
            found["rejected still first"].append(hit_at_k(still, 1))
            found["rejected hit@3"].append(hit_at_k(still, 3))
    return {name: statistics.fmean(v) if v else math.nan for name, v in found.items()}
