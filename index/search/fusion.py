"""Fusing dense and BM25 candidates into one order: the candidate, its cosine checked, the fused
score (reciprocal rank or weighted), and the recency prior. Pure functions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from index.errors import IndexCorruptError
from index.store.manifest import REBUILD_HINT


@dataclass(frozen=True, slots=True)
class Candidate:
    """A passage row, its article, its similarity to the query and what it is ranked by."""

    row: int
    article_id: str
    score: float
    """Cosine similarity to the question: what readers see and `min_score` applies to."""
    rank_score: float | None = None
    """The fused score results are ordered by (None: the cosine)."""
    copies: tuple[Candidate, ...] = ()
    """Passages of other articles that repeat this one, folded into its citation."""

    @property
    def order(self) -> float:
        return self.score if self.rank_score is None else self.rank_score


COSINE_LIMIT = 2.0
"""The largest similarity (in absolute value) a version's vectors may give a question.

Every vector is normalized, so an exact cosine lies in [-1, 1]; a quantized FAISS type (PQ,
SQ) scores approximations of the vectors and strays past 1 (up to 1.66 measured for
HNSW32,PQ16). A damaged vector file read as floats gives scores like 8e+34, or NaN."""


def check_cosines(cosines: Iterable[float], where: str) -> None:
    """Refuse the similarities of a search when any is one no normalized vectors can have.

    A vector file damaged in a way its loader does not notice (Milvus Lite keeps no checksums
    of its index files; a FAISS version written before checksums were recorded) still answers
    searches; its scores are the only sign, and a reply must not cite passages by them.
    """
    wrong = [c for c in cosines if not abs(c) <= COSINE_LIMIT]  # NaN compares false
    if wrong:
        shown = ", ".join(f"{c:.3g}" for c in wrong[:3])
        raise IndexCorruptError(
            f"the vectors of {where} give similarities no normalized vectors can have "
            f"({shown}): the index version is damaged; {REBUILD_HINT}"
        )


FUSION_METHODS = ("rrf", "weighted")
RRF_K = 60


def fuse(
    dense: Mapping[int, float],
    lexical: Mapping[int, float],
    *,
    method: str,
    lexical_weight: float,
    rrf_k: int = RRF_K,
) -> dict[int, float]:
    """One score per row from the cosine (`dense`) and BM25 (`lexical`) scores of candidates.

    `rrf`: weighted reciprocal rank fusion, `(1 - w) / (k + dense rank) + w / (k + BM25 rank)`.
    `weighted`: `cosine + w * bm25 / best bm25`, BM25 scaled to 0..1 per query, so the weight
    means the same for short and long queries. Every row of `dense` needs a cosine; a row with no
    BM25 score gets no lexical part.
    """
    if method not in FUSION_METHODS:
        raise ValueError(f"unknown fusion method {method!r}; use one of {FUSION_METHODS}")
    if method == "weighted":
        top = max(lexical.values(), default=0.0)
        scale = lexical_weight / top if top > 0 else 0.0
        return {row: cos + scale * lexical.get(row, 0.0) for row, cos in dense.items()}
    dense_rank = _ranks(dense)
    lexical_rank = _ranks(lexical)
    return {
        row: (1 - lexical_weight) / (rrf_k + dense_rank[row])
        + (lexical_weight / (rrf_k + lexical_rank[row]) if row in lexical_rank else 0.0)
        for row in dense
    }


def recency_prior(published: str | None, as_of: date, half_life_days: float) -> float:
    """How fresh an article was when the question was asked, from 1 (that day) towards 0.

    News questions are mostly about recent events: the prior halves every `half_life_days`.
    An article dated after the question could not have been known then (it only happens with
    clock skew, or when replaying old questions): it halves every day it lies in the future.
    Undated articles get 0, no preference.
    """
    if not published:
        return 0.0
    try:
        day = date.fromisoformat(published[:10])
    except ValueError:
        return 0.0
    age = (as_of - day).days
    return 0.5 ** (age / half_life_days) if age >= 0 else 0.5 ** (-age)


def _ranks(scores: Mapping[int, float]) -> dict[int, int]:
    """1-based ranks, best first, ties by row."""
    ordered = sorted(scores, key=lambda row: (-scores[row], row))
    return {row: rank for rank, row in enumerate(ordered, 1)}
