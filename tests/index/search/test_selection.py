"""Ranking rules on raw candidates: per-article caps, minimum score, paging, query preparation,
and the refusal of similarities no normalized vectors can have."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from index.errors import IndexCorruptError
from index.search.bold_sentence import best_in_groups
from index.search.fusion import COSINE_LIMIT, Candidate, check_cosines
from index.search.query import prepare_query
from index.search.selection import prefer_leads, select


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


@given(st.lists(st.floats(-COSINE_LIMIT, COSINE_LIMIT), max_size=20))
def test_possible_cosines_pass(cosines: list[float]) -> None:
    check_cosines(cosines, "the version")


@pytest.mark.parametrize("wrong", [float("nan"), float("inf"), -float("inf"), 8.15e34, -2.5])
def test_impossible_cosines_are_a_damaged_version(wrong: float) -> None:
    with pytest.raises(IndexCorruptError) as refused:
        check_cosines([0.62, wrong, 0.39], "data/index/versions/v1")
    message = str(refused.value)
    assert "data/index/versions/v1" in message and f"({wrong:.3g})" in message
    assert "damaged" in message and "python -m index rebuild" in message


def test_a_lead_close_behind_a_later_passage_of_its_article_is_cited_instead() -> None:
    later, lead, other = Candidate(5, "a", 0.61), Candidate(4, "a", 0.60), Candidate(9, "b", 0.7)
    far_lead = Candidate(7, "b", 0.5)
    leads = {4, 7}
    chosen = prefer_leads(
        [other, later], [other, later, lead, far_lead], lambda c: c.row in leads, 0.02
    )
    assert [c.row for c in chosen] == [9, 4], "a's lead is close; b's lead is too far behind"
    assert prefer_leads([later], [later, lead], lambda c: c.row in leads, -1.0) == [later]


def test_a_lead_already_cited_is_not_cited_twice() -> None:
    lead, later = Candidate(4, "a", 0.60), Candidate(5, "a", 0.61)
    chosen = prefer_leads([lead, later], [lead, later], lambda c: c.row == 4, 0.02)
    assert [c.row for c in chosen] == [4, 5]


def test_the_lead_keeps_the_copies_folded_into_the_citation() -> None:
    copy = Candidate(8, "c", 0.6)
    later = Candidate(5, "a", 0.61, copies=(copy,))
    (chosen,) = prefer_leads([later], [later, Candidate(4, "a", 0.6)], lambda c: c.row == 4, 0.02)
    assert chosen.row == 4 and chosen.copies == (copy,)
