"""Pure retrieval metrics, defined as BEIR (pytrec_eval) and the RealTimeQA figures define them."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence


def ndcg_at_k(ranked: Sequence[str], relevance: Mapping[str, int], k: int) -> float:
    """nDCG@k with linear gains (trec_eval's `ndcg_cut`): sum rel / log2(rank + 1), normalized."""
    gains = [relevance.get(doc, 0) for doc in _unique(ranked)[:k]]
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains) if g > 0)
    ideal = sorted((r for r in relevance.values() if r > 0), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


def recall_at_k(ranked: Sequence[str], relevance: Mapping[str, int], k: int) -> float:
    """Share of the relevant documents found in the first k."""
    relevant = {doc for doc, r in relevance.items() if r > 0}
    if not relevant:
        return 0.0
    return len(relevant & set(_unique(ranked)[:k])) / len(relevant)


def hit_at_k(found: Sequence[bool], k: int) -> bool:
    """Whether any of the first k results is a hit."""
    return any(found[:k])


def reciprocal_rank(found: Sequence[bool]) -> float:
    """1 / the rank of the first hit, 0 when there is none."""
    for rank, hit in enumerate(found, 1):
        if hit:
            return 1.0 / rank
    return 0.0


def contains_answer(text: str, answers: Sequence[str]) -> bool:
    """Whether an answer string occurs in the text, ignoring case and curly quotes."""
    folded = _fold(text)
    return any(_fold(answer) in folded for answer in answers if answer.strip())


def _fold(text: str) -> str:
    table = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})
    return " ".join(text.translate(table).lower().split())


def _unique(ranked: Sequence[str]) -> list[str]:
    """First occurrences only: a document counts once, at its best rank."""
    seen: set[str] = set()
    return [doc for doc in ranked if not (doc in seen or seen.add(doc))]  # type: ignore[func-returns-value]
