"""Topic matching, the pure half: best passage per article and topic, and literal term coverage."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from index.lexical import term_coverage, tokenize, topic_words
from index.search.topic_matching import BestPassage, best_passages


def test_best_passage_per_article_and_topic() -> None:
    scores = np.array(
        [
            [0.125, 0.875],  # row 10, article a
            [0.75, 0.25],  # row 11, article a
            [0.375, 0.5],  # row 20, article b
        ],
        dtype=np.float32,
    )
    found = best_passages([10, 11, 20], ["a", "a", "b"], scores)
    # Binary fractions: exact in float32, so whole records compare equal.
    assert found["a"] == [
        BestPassage("a", 0, 11, 0.75, 0.75),
        BestPassage("a", 1, 10, 0.875, 0.875),
    ]
    assert [(b.topic, b.row) for b in found["b"]] == [(0, 20), (1, 20)]


def test_chosen_by_score_reported_with_its_cosine() -> None:
    cosines = np.array([[0.5], [0.625]], dtype=np.float32)
    scores = cosines + np.array([[0.25], [0.0]], dtype=np.float32)  # row 1 names the topic
    (best,) = best_passages([1, 2], ["a", "a"], scores, cosines)["a"]
    assert (best.row, best.score, best.cosine) == (1, 0.75, 0.5)
    with pytest.raises(ValueError, match="same shape"):
        best_passages([1, 2], ["a", "a"], scores, cosines[:1])


def test_ties_go_to_the_earlier_passage() -> None:
    scores = np.array([[0.5], [0.5], [0.5]], dtype=np.float32)
    assert best_passages([7, 3, 9], ["a", "a", "a"], scores)["a"][0].row == 7


def test_an_articles_passages_need_not_be_adjacent() -> None:
    scores = np.array([[0.2], [0.9], [0.6]], dtype=np.float32)
    found = best_passages([0, 1, 2], ["a", "b", "a"], scores)
    assert found["a"][0].row == 2
    assert found["b"][0].row == 1


def test_no_passages_no_articles() -> None:
    assert best_passages([], [], np.zeros((0, 3), dtype=np.float32)) == {}


@pytest.mark.parametrize(
    ("rows", "article_ids", "shape"),
    [([0, 1], ["a", "a"], (3, 2)), ([0, 1], ["a"], (2, 2)), ([0], ["a"], (1,))],
)
def test_mismatched_shapes_are_refused(
    rows: list[int], article_ids: list[str], shape: tuple[int, ...]
) -> None:
    with pytest.raises(ValueError):
        best_passages(rows, article_ids, np.zeros(shape, dtype=np.float32))


@given(
    st.lists(st.sampled_from("abc"), min_size=1, max_size=20).flatmap(
        lambda owners: st.tuples(
            st.just(owners),
            st.lists(
                st.lists(st.floats(-1, 1, width=32), min_size=2, max_size=2),
                min_size=len(owners),
                max_size=len(owners),
            ),
        )
    )
)
def test_best_score_is_the_maximum_over_the_articles_passages(
    case: tuple[list[str], list[list[float]]],
) -> None:
    owners, values = case
    scores = np.array(values, dtype=np.float32)
    found = best_passages(list(range(len(owners))), owners, scores)
    assert set(found) == set(owners)
    for article_id, per_topic in found.items():
        mine = scores[[i for i, owner in enumerate(owners) if owner == article_id]]
        assert [b.score for b in per_topic] == pytest.approx(mine.max(axis=0).tolist())
        assert all(owners[b.row] == article_id for b in per_topic)


def test_coverage_is_the_share_of_topic_words_present() -> None:
    topic = "Russian attacks on Estonia and Latvia"
    assert term_coverage(topic, "Russian jets were seen over Estonia on Monday.") == pytest.approx(
        2 / 4
    )
    assert term_coverage(topic, "Latvia and Estonia report Russian attacks") == 1.0
    assert term_coverage(topic, "The weather in Paris") == 0.0


def test_coverage_ignores_case_stopwords_punctuation_and_plurals() -> None:
    assert term_coverage("What did DUDA say about the states?", "duda: 'a state of...'") == 1.0
    assert term_coverage("Which countries?", "one country") == 1.0
    assert term_coverage("Estonia attacked", "attacks on Estonia") == 1.0  # as the word index stems


def test_coverage_words_are_the_word_index_words() -> None:
    """Alerts and search agree on what a word is: a topic's words are what BM25 indexes."""
    topic = "What did the French president say about Russia's new attacks?"
    assert topic_words(topic) <= set(tokenize([topic])[0])
    assert topic_words(topic) == {"french", "presid", "russia", "attack"}


def test_a_topic_without_content_words_covers_nothing() -> None:
    assert term_coverage("what is it?", "what is it? it is what it is") == 0.0
    assert term_coverage("", "anything") == 0.0


def test_coverage_matches_whole_words_only() -> None:
    assert term_coverage("Iran", "Ukraine and Iraq") == 0.0


@given(st.text(max_size=60), st.text(max_size=200))
def test_coverage_is_a_share(topic: str, passage: str) -> None:
    assert 0.0 <= term_coverage(topic, passage) <= 1.0
    assert term_coverage(topic, f"{topic} {passage}") in (0.0, 1.0)
