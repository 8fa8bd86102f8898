"""The scores and the online grouping `benchmarks.stories` reports with, on examples small enough
to work out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.clustering import best_earlier, online_groups, score_grouping


def test_a_perfect_grouping_scores_one_whatever_its_labels_are() -> None:
    scores = score_grouping(["x", "x", "y"], [1, 1, 2])
    assert (scores.pair_precision, scores.pair_recall, scores.bcubed_f1) == (1.0, 1.0, 1.0)
    assert (scores.groups, scores.events) == (2, 2)


def test_bcubed_on_a_worked_example() -> None:
    # Events {a1 a2 a3} {b1 b2}; the grouping puts a1 a2 together and a3 with b1 b2.
    predicted = ["g", "g", "h", "h", "h"]
    gold = ["a", "a", "a", "b", "b"]
    scores = score_grouping(predicted, gold)
    # Precision per article: a1, a2 → 2/2; a3 → 1/3; b1, b2 → 2/3.
    assert scores.bcubed_precision == pytest.approx((1 + 1 + 1 / 3 + 2 / 3 + 2 / 3) / 5)
    # Recall per article: a1, a2 → 2/3; a3 → 1/3; b1, b2 → 2/2.
    assert scores.bcubed_recall == pytest.approx((2 / 3 + 2 / 3 + 1 / 3 + 1 + 1) / 5)
    # Pairs put together: (a1 a2), (a3 b1), (a3 b2), (b1 b2); of them (a1 a2), (b1 b2) are right,
    # of the 4 gold pairs (a1 a2), (a1 a3), (a2 a3), (b1 b2).
    assert (scores.pair_precision, scores.pair_recall) == (0.5, 0.5)


def test_all_apart_has_full_precision_and_the_singletons_recall() -> None:
    scores = score_grouping([0, 1, 2, 3], ["a", "a", "b", "c"])
    assert scores.pair_precision == 1.0 and scores.pair_recall == 0.0
    assert scores.bcubed_precision == 1.0
    assert scores.bcubed_recall == pytest.approx((1 / 2 + 1 / 2 + 1 + 1) / 4)


def test_lengths_must_match() -> None:
    with pytest.raises(ValueError, match="3 predicted labels against 2 gold"):
        score_grouping([1, 2, 3], [1, 2])


def test_online_groups_join_the_best_earlier_article_above_the_threshold() -> None:
    best = [-1, 0, 1, 0]
    score = [-np.inf, 0.9, 0.6, 0.4]
    assert online_groups(best, score, 0.5) == [0, 0, 0, 3]  # single link: 2 joins 1, which joined 0
    assert online_groups(best, score, 0.7) == [0, 0, 2, 3]
    assert online_groups(best, score, 0.95) == [0, 1, 2, 3]


def test_online_groups_refuse_a_later_match() -> None:
    with pytest.raises(ValueError, match="not an earlier article"):
        online_groups([1, -1], [0.9, -np.inf], 0.5)


def test_best_earlier_sees_only_earlier_allowed_articles() -> None:
    scores = np.array([[1.0, 0.2, 0.9], [0.3, 1.0, 0.8], [0.9, 0.1, 1.0]])
    allowed = np.array([[True, True, True], [True, True, True], [False, True, True]])
    best, best_score = best_earlier(scores, allowed)
    assert best.tolist() == [-1, 0, 1]
    assert best_score[0] == -np.inf and best_score[1:].tolist() == [0.3, 0.1]
    # A block of rows further down the stream: row 0 is article 2.
    best, best_score = best_earlier(scores[2:], allowed[2:], offset=2)
    assert best.tolist() == [1] and best_score.tolist() == [0.1]
