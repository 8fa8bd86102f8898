"""Ranking rules on raw candidates: per-article caps, minimum score, paging, query preparation."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from index.ranking import (
    PROXIMITY_WINDOW,
    Candidate,
    best_in_groups,
    idf_among,
    prepare_query,
    proximity_shares,
    select,
    term_proximity,
)


def cands(*spec: tuple[str, float]) -> list[Candidate]:
    return [Candidate(row, article, score) for row, (article, score) in enumerate(spec)]


def test_at_most_n_passages_per_article() -> None:
    found = select(
        cands(("a", 0.9), ("a", 0.8), ("a", 0.7), ("b", 0.6)),
        limit=3,
        max_per_article=2,
        min_score=0,
    )
    assert [(c.article_id, c.score) for c in found] == [("a", 0.9), ("a", 0.8), ("b", 0.6)]


def test_nothing_below_the_minimum_score() -> None:
    assert select(cands(("a", 0.2), ("b", 0.1)), limit=3, max_per_article=2, min_score=0.25) == []
    found = select(cands(("a", 0.5), ("b", 0.24)), limit=3, max_per_article=2, min_score=0.25)
    assert [c.article_id for c in found] == ["a"]


def test_offset_pages_through_the_same_selection() -> None:
    pool = cands(*[(f"art{i % 4}", 1 - i / 100) for i in range(20)])
    first = select(pool, limit=3, max_per_article=1, min_score=0)
    second = select(pool, limit=3, offset=3, max_per_article=1, min_score=0)
    everything = select(pool, limit=6, max_per_article=1, min_score=0)
    assert first + second == everything
    assert [c.article_id for c in everything] == ["art0", "art1", "art2", "art3"]
    assert second == [everything[3]]


@given(
    st.lists(st.tuples(st.sampled_from("abcde"), st.floats(-1, 1)), max_size=40), st.integers(1, 5)
)
def test_selection_is_sorted_and_respects_the_cap(spec: list[tuple[str, float]], cap: int) -> None:
    found = select(cands(*spec), limit=10, max_per_article=cap, min_score=-0.5)
    scores = [c.score for c in found]
    assert scores == sorted(scores, reverse=True)
    assert all(s >= -0.5 for s in scores)
    for article in "abcde":
        assert sum(c.article_id == article for c in found) <= cap


def test_prepare_query() -> None:
    assert prepare_query("  what   about\n\tUkraine? ", 100) == "what about Ukraine?"
    assert prepare_query("", 100) is None
    assert prepare_query("   \n ", 100) is None
    assert prepare_query("🙂🙂 ?!", 100) is None
    assert prepare_query("word " * 1000, 50) == ("word " * 10).strip()
    assert len(prepare_query("x" * 5000, 100) or "") == 100


def test_best_in_groups() -> None:
    assert best_in_groups([0.1, 0.5, 0.2, 0.9, 0.3, 0.3], [3, 1, 2]) == [1, 0, 0]
    assert best_in_groups([], []) == []


def test_question_words_side_by_side_count_more_than_words_apart() -> None:
    question = ["russia", "prepar", "attack"]

    def one(word: str) -> float:
        return 1.0

    together = ["russia", "prepar", "new", "attack"]
    apart = ["russia", *["x"] * PROXIMITY_WINDOW, "prepar", *["y"] * PROXIMITY_WINDOW, "attack"]
    assert term_proximity(question, together, one) == 1.0 + 1 / 2**2 + 1 / 3**2
    assert term_proximity(question, apart, one) == 0.0  # each pair one word too far
    assert term_proximity(question, ["russia", "russia"], one) == 0.0  # one word is no pair
    assert term_proximity([], together, one) == 0.0
    # The nearest occurrences count, and a pair weighs the smaller IDF of its two words.
    late = ["attack", *["x"] * 9, "russia", "prepar"]
    assert term_proximity(question, late, {"russia": 2.0, "prepar": 3.0, "attack": 1.0}.get) == 2.0


def test_idf_among_the_candidates() -> None:
    idf = idf_among([["a", "b"], ["a"], ["a", "c"]])
    assert idf("a") < idf("b") == idf("c") < idf("absent")


def test_proximity_shares_are_over_the_best_candidate() -> None:
    question = ["bridg", "reopen"]
    passages = [["bridg", "x", "reopen"], ["bridg", "reopen"], ["bridg"], []]
    shares = proximity_shares(question, passages)
    assert shares[1] == 1.0 and 0.0 < shares[0] < 1.0 and shares[2:] == [0.0, 0.0]
    assert proximity_shares(question, [["bridg"], ["reopen"]]) == [0.0, 0.0]
    assert proximity_shares(question, []) == []


words = st.lists(st.sampled_from("abcdef"), max_size=30)


@given(words, st.lists(words, max_size=8))
def test_proximity_shares_run_from_0_to_1(question: list[str], passages: list[list[str]]) -> None:
    shares = proximity_shares(question, passages)
    assert len(shares) == len(passages) and all(0.0 <= s <= 1.0 for s in shares)
    assert max(shares, default=0.0) in (0.0, 1.0)
    for share, passage in zip(shares, passages, strict=True):
        if len(set(question) & set(passage)) < 2:
            assert share == 0.0  # proximity needs two of the question's words
