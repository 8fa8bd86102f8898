"""What a run of questions scores: the news, BEIR and SQuAD figures from the cited passages."""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Sequence

from evaluation.datasets import Question
from evaluation.feedback import feedback_metrics
from evaluation.metrics import contains_answer, hit_at_k, ndcg_at_k, recall_at_k, reciprocal_rank
from evaluation.visibility import answer_visible, shown_answer
from index.search.news_index import Hit


def bold_holds_answer(hit: Hit, answers: Sequence[str]) -> bool:
    """Whether the sentence shown in bold contains one of the answers."""
    return contains_answer(hit.text[hit.bold_sentence[0] : hit.bold_sentence[1]], answers)


NEWS_METRICS = (
    *(f"article hit@{k}" for k in (1, 3, 5)),
    "MRR@10",
    *(f"answer hit@{k}" for k in (1, 3, 5)),
    "answer visible@1",
    "answer visible@3",
)


def news_metrics(questions: Sequence[Question], runs: Sequence[Sequence[Hit]]) -> dict[str, float]:
    """Every metric is there, NaN when no question of these measures it (a week whose answers
    are not spelled out in the articles has no answer hits)."""
    found: dict[str, list[float]] = {name: [] for name in NEWS_METRICS}
    bold: list[bool] = []
    chars: list[int] = []
    for question, hits in zip(questions, runs, strict=True):
        shown = shown_answer(question.text, hits)
        chars.append(shown.chars)
        gold = [hit.article_id in question.gold_articles for hit in hits]
        for k in (1, 3, 5):
            found.setdefault(f"article hit@{k}", []).append(hit_at_k(gold, k))
        found.setdefault("MRR@10", []).append(reciprocal_rank(gold[:10]))
        if question.answers:
            answered = [contains_answer(hit.text, question.answers) for hit in hits]
            for k in (1, 3, 5):
                found.setdefault(f"answer hit@{k}", []).append(hit_at_k(answered, k))
            for k in (1, 3):
                found.setdefault(f"answer visible@{k}", []).append(
                    answer_visible(shown, question.answers, k)
                )
            if answered and answered[0]:  # the first passage holds it: is it the bold sentence?
                bold.append(bold_holds_answer(hits[0], question.answers))
    scores = {
        name: statistics.fmean(values) if values else math.nan for name, values in found.items()
    }
    scores["answer-sentence accuracy"] = statistics.fmean(bold) if bold else math.nan
    scores["message chars p50"] = statistics.median(chars) if chars else math.nan
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
    """Passage hit@1, how often the bold sentence holds the answer (overall, and when the
    cited passage holds it: the sentence choice alone), and how often the reader sees it."""
    passage_hits, answer_hits, bold_hits, bold_when_passage = [], [], [], []
    visible: dict[int, list[bool]] = {1: [], 3: []}
    chars: list[int] = []
    for question, hits in zip(questions, runs, strict=True):
        shown = shown_answer(question.text, hits)
        chars.append(shown.chars)
        for k, seen in visible.items():
            seen.append(answer_visible(shown, question.answers, k))
        top = hits[0] if hits else None
        passage_hit = top is not None and top.article_id in question.gold_articles
        passage_hits.append(passage_hit)
        in_passage = top is not None and contains_answer(top.text, question.answers)
        answer_hits.append(in_passage)
        bold = top is not None and bold_holds_answer(top, question.answers)
        bold_hits.append(bold)
        if in_passage:
            bold_when_passage.append(bold)
    return {
        "passage hit@1": statistics.fmean(passage_hits),
        "answer hit@1": statistics.fmean(answer_hits),
        "answer visible@1": statistics.fmean(visible[1]),
        "answer visible@3": statistics.fmean(visible[3]),
        "answer in bold@1": statistics.fmean(bold_hits),
        "answer-sentence accuracy": statistics.fmean(bold_when_passage or [0.0]),
        "message chars p50": statistics.median(chars) if chars else math.nan,
    }


METRICS: dict[str, Callable[[Sequence[Question], Sequence[Sequence[Hit]]], dict[str, float]]] = {
    "news": news_metrics,
    "beir": beir_metrics,
    "squad": squad_metrics,
    "feedback": feedback_metrics,
}


# -- output ---------------------------------------------------------------------------------------------
