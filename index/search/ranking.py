"""Pure ranking rules applied to raw nearest-neighbour candidates."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

from index.errors import IndexCorruptError
from index.store.manifest import REBUILD_HINT

_HAS_WORD = re.compile(r"\w")
_SPACES = re.compile(r"\s+")
_WORDS = re.compile(r"\w+")


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


def prepare_query(text: str, max_chars: int) -> str | None:
    """The query as searched: whitespace folded, cut at a word boundary; None if nothing to search.

    Emoji-only or punctuation-only input has no word characters and is not searched.
    """
    folded = _SPACES.sub(" ", text).strip()
    if not _HAS_WORD.search(folded):
        return None
    if len(folded) <= max_chars:
        return folded
    cut = folded[:max_chars]
    return cut[: cut.rfind(" ")] if " " in cut else cut


def select(
    candidates: Sequence[Candidate],
    *,
    limit: int,
    offset: int = 0,
    max_per_article: int,
    min_score: float,
    same_story: Callable[[Candidate, Candidate], bool] | None = None,
) -> list[Candidate]:
    """Best-first candidates above `min_score`, at most `max_per_article` from one article.

    With `same_story`, a candidate from another article that repeats one already chosen (the
    same wire story reprinted) is not shown again: it joins that one's `copies`, so a single
    citation can name every source. `offset` skips that many selected results, so results can
    be paged with the same rules.
    """
    per_article: dict[str, int] = {}
    chosen: list[Candidate] = []
    for candidate in sorted(candidates, key=lambda c: (-c.order, c.row)):
        if candidate.score < min_score:
            continue
        if same_story is not None:
            position = next(
                (i for i, kept in enumerate(chosen)
                 if kept.article_id != candidate.article_id and same_story(kept, candidate)),
                None,
            )  # fmt: skip
            if position is not None:
                kept = chosen[position]
                chosen[position] = replace(kept, copies=(*kept.copies, candidate))
                continue
        if per_article.get(candidate.article_id, 0) >= max_per_article:
            continue
        per_article[candidate.article_id] = per_article.get(candidate.article_id, 0) + 1
        chosen.append(candidate)
        if len(chosen) >= offset + limit:
            break
    return chosen[offset:]


def sentence_overlap(question: Sequence[str], sentences: Sequence[Sequence[str]]) -> list[float]:
    """How much of the question each sentence of one passage contains, from 0 to 1.

    Terms are weighed by how rare they are among the passage's sentences: a word in every
    sentence (the story's subject) says little about which one answers, a name or number found
    in one sentence says a lot. Terms come stemmed, so "signed" meets "signing".
    """
    wanted = set(question)
    if not wanted or not sentences:
        return [0.0] * len(sentences)
    present = [set(words) for words in sentences]
    count = len(sentences)
    weight = {
        term: math.log(1 + count / (1 + sum(term in words for words in present))) for term in wanted
    }
    total = sum(weight.values())
    return [sum(weight[t] for t in wanted & words) / total for words in present]


def sentences_in_context(sentences: Sequence[str]) -> list[str]:
    """Each sentence preceded by the one before it, as the model should read it.

    A sentence alone often leaves its subject to the one before ("All three lacked
    tentacles"); with that sentence in front, the model knows what it is about.
    """
    return [
        f"{sentences[i - 1]} {sentence}" if i else sentence for i, sentence in enumerate(sentences)
    ]


def shingles(text: str, size: int = 3) -> frozenset[tuple[str, ...]]:
    """Overlapping word `size`-grams of a text, lowercased: what near-copies share."""
    words = _WORDS.findall(text.lower())
    if len(words) < size:
        return frozenset([tuple(words)]) if words else frozenset()
    return frozenset(tuple(words[i : i + size]) for i in range(len(words) - size + 1))


def resemblance(a: frozenset[tuple[str, ...]], b: frozenset[tuple[str, ...]]) -> float:
    """Jaccard similarity of two shingle sets (1.0: the same words in the same order)."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def best_in_groups(scores: Sequence[float], sizes: Sequence[int]) -> list[int]:
    """For consecutive groups of `sizes` in `scores`, the position of each group's best (first wins ties)."""
    best: list[int] = []
    start = 0
    for size in sizes:
        group = scores[start : start + size]
        best.append(max(range(size), key=lambda i: (group[i], -i)))
        start += size
    return best
