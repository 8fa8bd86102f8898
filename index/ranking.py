"""Pure ranking rules applied to raw nearest-neighbour candidates."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_HAS_WORD = re.compile(r"\w")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Candidate:
    """A passage row, its article and its similarity to the query."""

    row: int
    article_id: str
    score: float


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
) -> list[Candidate]:
    """Best-first candidates above `min_score`, at most `max_per_article` from one article.

    `offset` skips that many selected results, so results can be paged with the same rules.
    """
    per_article: dict[str, int] = {}
    chosen: list[Candidate] = []
    for candidate in sorted(candidates, key=lambda c: (-c.score, c.row)):
        if candidate.score < min_score:
            break
        if per_article.get(candidate.article_id, 0) >= max_per_article:
            continue
        per_article[candidate.article_id] = per_article.get(candidate.article_id, 0) + 1
        chosen.append(candidate)
        if len(chosen) >= offset + limit:
            break
    return chosen[offset:]


def best_in_groups(scores: Sequence[float], sizes: Sequence[int]) -> list[int]:
    """For consecutive groups of `sizes` in `scores`, the position of each group's best (first wins ties)."""
    best: list[int] = []
    start = 0
    for size in sizes:
        group = scores[start : start + size]
        best.append(max(range(size), key=lambda i: (group[i], -i)))
        start += size
    return best
