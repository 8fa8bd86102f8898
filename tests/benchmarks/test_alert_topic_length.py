"""The pure half of the alert benchmark's short-topic section: parts, gold, scores, figures."""

from __future__ import annotations

from datetime import date

import numpy as np

from benchmarks.alert_topic_length import (
    TOPICS_FILE,
    Corpus,
    TopicSet,
    article_scores,
    expand_topic,
    figures,
    load_short_topics,
    published_day,
    sensitivity_thresholds,
    topic_sets,
    tuned_threshold,
)
from index.lexical import topic_words


def corpus(owner: list[int], articles: int) -> Corpus:
    lead = [i == 0 or owner[i] != owner[i - 1] for i in range(len(owner))]
    return Corpus(
        vectors=np.zeros((len(owner), 2), dtype=np.float32),
        words=[frozenset()] * len(owner),
        owner=np.array(owner),
        lead=np.array(lead),
        published=[None] * articles,
        articles=articles,
    )


def test_days_from_quiz_and_article_dates() -> None:
    assert published_day("2022/06/16") == date(2022, 6, 16)
    assert published_day("2022-06-16T08:00:00+00:00") == date(2022, 6, 16)
    assert published_day("") is None
    assert published_day("last week") is None


def test_a_shared_short_topic_is_one_topic_with_all_its_gold() -> None:
    questions = [
        {"id": "20220617_7", "question": "Which park flooded?", "article_ids": ["a"]},
        {"id": "20220624_1", "question": "Who won?", "article_ids": ["b"]},
        {"id": "20220715_6", "question": "Which state flooded?", "article_ids": ["c", "gone"]},
    ]
    short = {
        "20220617_7": ["floods", "national parks"],
        "20220624_1": ["sports", "sports results"],
        "20220715_6": ["Floods", "missing people"],
    }
    sets = topic_sets(questions, short, {"a": 0, "b": 1, "c": 2}, 3)
    one = sets["1 word"]
    assert one.texts == ["floods", "sports"]
    assert one.gold[:, 0].tolist() == [True, False, True], "both floods count"
    assert one.part == ["tune", "tune"], "in the part of its first question"
    assert sets["question"].part == ["tune", "tune", "report"], "earlier weeks tune"
    assert len(sets["2 words"].texts) == 3


def test_best_or_lead_passage_per_article() -> None:
    found = corpus([0, 0, 1], 3)
    passage = np.array([[0.25], [0.75], [0.5]], dtype=np.float32)
    assert article_scores(found, passage)[:, 0].tolist() == [0.75, 0.5, -np.inf]
    assert article_scores(found, passage, lead_only=True)[:, 0].tolist() == [0.25, 0.5, -np.inf]


def test_figures_and_the_lowest_threshold_within_a_budget() -> None:
    scores = np.array([[0.9, 0.2], [0.6, 0.7], [0.1, 0.3], [0.4, 0.1]], dtype=np.float32)
    gold = np.array([[True, False], [False, True], [False, False], [False, False]])
    at = figures(scores, gold, 0.5)
    assert (at.recall, at.false_per_100, at.topics) == (1.0, 12.5, 2)  # 1 false of 4, per topic
    assert figures(scores, gold, 0.65).false_per_100 == 0.0
    assert tuned_threshold(scores, gold, 0.0) == 0.605
    assert tuned_threshold(scores, gold, 100.0) == 0.0


def test_a_threshold_per_sensitivity_tuned_on_the_tune_part_of_both_lengths() -> None:
    """Tune and report topics of both short lengths pooled per part; each budget its own
    lowest threshold, reported on the other part at the same threshold."""
    gold = np.array([[True, False], [False, True], [False, False], [False, False]])
    topics = {
        "2 words": TopicSet(["a b", "c d"], [None, None], gold, ["tune", "report"]),
        "1 word": TopicSet(["e", "f"], [None, None], gold, ["tune", "report"]),
    }
    scores = np.array([[0.9, 0.8], [0.6, 0.7], [0.1, 0.3], [0.4, 0.1]], dtype=np.float32)
    by_length = {"2 words": scores, "1 word": scores}
    tuned = sensitivity_thresholds(by_length, topics, {"strict": 0.0, "broad": 25.0})
    assert [t.sensitivity for t in tuned] == ["strict", "broad"]
    strict, broad = tuned
    assert strict.tune.threshold == 0.605 and strict.tune.false_per_100 == 0.0
    assert broad.tune.threshold == 0.405 and broad.tune.false_per_100 == 25.0  # one of four
    assert strict.report.threshold == strict.tune.threshold and strict.report.recall == 1.0
    assert strict.report.false_per_100 == 25.0, "row 0 (0.8) is no gold of the report topic"
    assert broad.report_by_length == {"2 words": 1.0, "1 word": 1.0}


def test_every_question_has_a_one_and_a_two_word_topic() -> None:
    for one, two in load_short_topics(TOPICS_FILE).values():
        assert (len(topic_words(one)), len(topic_words(two))) == (1, 2), (one, two)


def test_expansion_moves_towards_the_neighbours_and_keeps_unit_length() -> None:
    topic = np.array([1.0, 0.0], dtype=np.float32)
    neighbours = np.array([[0.0, 1.0], [0.0, 1.0]], dtype=np.float32)
    moved = expand_topic(topic, neighbours, 1.0)
    assert np.allclose(moved, [2**-0.5, 2**-0.5])
    assert np.allclose(expand_topic(topic, neighbours, 0.0), topic)
    assert np.allclose(expand_topic(topic, np.empty((0, 2)), 1.0), topic), "an empty index"
