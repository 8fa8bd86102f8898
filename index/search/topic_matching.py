"""Which passage of each article is closest to each topic: the pure half of topic matching.

Alerts compare a few topic vectors with every passage of a few new articles; an article's score
for a topic is its best passage's, so one on-topic paragraph in a long story is enough.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class BestPassage:
    """The passage (row) of an article that is closest to one topic, and how close."""

    article_id: str
    topic: int
    row: int
    score: float
    """What the passage was chosen by (cosine, plus the lexical signal when it is used)."""
    cosine: float
    """The passage's cosine similarity to the topic, the figure shown to readers."""


def best_passages(
    rows: Sequence[int],
    article_ids: Sequence[str],
    scores: np.ndarray,
    cosines: np.ndarray | None = None,
) -> dict[str, list[BestPassage]]:
    """Per article, for every topic (column of `scores`), its best-scoring passage row.

    `rows[i]` belongs to `article_ids[i]` and `scores[i, t]` is its similarity to topic `t`;
    `cosines` (same shape) are reported alongside when the scores are not plain cosines.
    Ties go to the earlier passage, so a lead paragraph wins over a repeat further down.
    """
    if scores.ndim != 2 or scores.shape[0] != len(rows) or len(rows) != len(article_ids):
        raise ValueError("one row of scores per passage is needed")
    if cosines is None:
        cosines = scores
    elif cosines.shape != scores.shape:
        raise ValueError("cosines and scores must have the same shape")
    positions: dict[str, list[int]] = {}
    for position, article_id in enumerate(article_ids):
        positions.setdefault(article_id, []).append(position)
    result: dict[str, list[BestPassage]] = {}
    for article_id, members in positions.items():
        block = scores[members]
        best = block.argmax(axis=0)
        result[article_id] = [
            BestPassage(
                article_id, topic, rows[members[i]], float(block[i, topic]),
                float(cosines[members[i], topic]),
            )
            for topic, i in enumerate(best.tolist())
        ]  # fmt: skip
    return result
