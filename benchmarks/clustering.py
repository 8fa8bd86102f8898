"""Scoring a grouping of articles against labelled events, and the online single-link grouping
that story assignment does, over any pair score. Pure functions, for `benchmarks.stories`.

Labels are any hashable values; a grouping and its gold labels are two sequences of the same
length. Evaluating "within a day" is done by labelling both as `(day, label)`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class Scores:
    """Pairwise and B-cubed precision, recall and F1 of a grouping against gold events."""

    pair_precision: float
    pair_recall: float
    pair_f1: float
    bcubed_precision: float
    bcubed_recall: float
    bcubed_f1: float
    groups: int
    events: int

    def bcubed_f(self, beta: float) -> float:
        """B-cubed F-beta: precision weighs 1/beta times as much as recall."""
        p, r = self.bcubed_precision, self.bcubed_recall
        return (1 + beta**2) * p * r / (beta**2 * p + r) if p + r else 0.0


def f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def score_grouping(predicted: Sequence[Hashable], gold: Sequence[Hashable]) -> Scores:
    """Pairwise scores count the pairs of articles put together; B-cubed scores average, over
    articles, the share of an article's group that is its event (precision) and of its event
    that is its group (recall), so one large wrong group weighs by its articles, not its pairs.
    Pairwise precision is 1 when no pair is put together."""
    if len(predicted) != len(gold):
        raise ValueError(f"{len(predicted)} predicted labels against {len(gold)} gold ones")
    n = len(gold)
    if n == 0:
        return Scores(1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0, 0)
    cells = Counter(zip(predicted, gold, strict=True))
    group_size = Counter(predicted)
    event_size = Counter(gold)
    together = sum(c * (c - 1) / 2 for c in cells.values())
    grouped = sum(c * (c - 1) / 2 for c in group_size.values())
    paired = sum(c * (c - 1) / 2 for c in event_size.values())
    pair_p = together / grouped if grouped else 1.0
    pair_r = together / paired if paired else 1.0
    b_p = sum(c * c / group_size[g] for (g, _), c in cells.items()) / n
    b_r = sum(c * c / event_size[e] for (_, e), c in cells.items()) / n
    return Scores(
        pair_p, pair_r, f1(pair_p, pair_r), b_p, b_r, f1(b_p, b_r), len(group_size), len(event_size)
    )


def online_groups(
    best: Sequence[int] | np.ndarray, best_score: Sequence[float] | np.ndarray, threshold: float
) -> list[int]:
    """Groups made in stream order: article i joins the group of `best[i]` (an earlier article,
    its best-scoring one within the window, or -1 for none) when that score clears the
    threshold, else starts its own group (numbered by i). This is how `assign_stories` joins
    stories, so a threshold can be swept without placing the articles again."""
    groups: list[int] = []
    for i, (j, score) in enumerate(zip(list(best), list(best_score), strict=True)):
        if j >= i:
            raise ValueError(f"article {i}'s best match {j} is not an earlier article")
        groups.append(groups[j] if j >= 0 and score >= threshold else i)
    return groups


def best_earlier(
    scores: np.ndarray, allowed: np.ndarray, offset: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """For each row (article `offset + row`), the earlier article it scores best with among the
    allowed ones, and that score (-1 and -inf where none is allowed).

    `scores` and `allowed` are (rows × articles); ties go to the earliest article."""
    rows, columns = scores.shape
    earlier = np.arange(columns)[None, :] < (offset + np.arange(rows))[:, None]
    masked = np.where(allowed & earlier, scores, -np.inf)
    best = masked.argmax(axis=1) if columns else np.zeros(rows, dtype=int)
    best_score = masked[np.arange(rows), best] if columns else np.full(rows, -np.inf)
    best = np.where(np.isfinite(best_score), best, -1)
    return best, best_score
