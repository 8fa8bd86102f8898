"""Pure parts of retrieval quality: score fusion, candidate selection and evaluation metrics."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evaluation.metrics import contains_answer, hit_at_k, ndcg_at_k, recall_at_k, reciprocal_rank
from index.search.bold_sentence import sentence_overlap, sentences_in_context
from index.search.fusion import Candidate, fuse
from index.search.selection import select


def test_weighted_fusion_scales_bm25_per_query() -> None:
    dense = {1: 0.6, 2: 0.5, 3: 0.4}
    fused = fuse(dense, {2: 10.0, 3: 5.0}, method="weighted", lexical_weight=0.3)
    assert fused == pytest.approx({1: 0.6, 2: 0.8, 3: 0.55})
    # The same ranking whatever the BM25 scale (a long query scores higher everywhere).
    assert fuse(dense, {2: 100.0, 3: 50.0}, method="weighted", lexical_weight=0.3) == fused
    assert fuse(dense, {}, method="weighted", lexical_weight=0.3) == dense


def test_reciprocal_rank_fusion() -> None:
    fused = fuse({1: 0.9, 2: 0.8}, {2: 3.0}, method="rrf", lexical_weight=0.5, rrf_k=60)
    assert fused[1] == pytest.approx(0.5 / 61)
    assert fused[2] == pytest.approx(0.5 / 62 + 0.5 / 61)
    with pytest.raises(ValueError, match="unknown fusion"):
        fuse({}, {}, method="max", lexical_weight=0.5)


@given(
    st.dictionaries(st.integers(0, 50), st.floats(-1, 1), min_size=1),
    st.dictionaries(st.integers(0, 50), st.floats(0.01, 50)),
    st.sampled_from(["rrf", "weighted"]),
)
def test_fusion_with_no_lexical_weight_keeps_the_dense_order(
    dense: dict[int, float], lexical: dict[int, float], method: str
) -> None:
    fused = fuse(dense, lexical, method=method, lexical_weight=0.0)
    by_dense = sorted(dense, key=lambda r: (-dense[r], r))
    assert sorted(fused, key=lambda r: (-fused[r], r)) == by_dense


def test_selection_orders_by_the_fused_score_and_gates_on_the_cosine() -> None:
    candidates = [
        Candidate(1, "a", 0.50, 0.9),
        Candidate(2, "b", 0.20, 0.95),  # lexical only, weak in meaning: below min_score
        Candidate(3, "c", 0.70, 0.6),
        Candidate(4, "a", 0.45, 0.8),
        Candidate(5, "a", 0.40, 0.7),
    ]
    chosen = select(candidates, limit=3, max_per_article=2, min_score=0.3)
    assert [c.row for c in chosen] == [1, 4, 3]
    assert [
        c.row for c in select(candidates, limit=2, offset=1, max_per_article=1, min_score=0.3)
    ] == [3]


def test_ndcg_and_recall_as_in_beir() -> None:
    relevance = {"d1": 1, "d2": 1}
    assert ndcg_at_k(["d1", "d2", "x"], relevance, 10) == pytest.approx(1.0)
    expected = (1 / math.log2(3)) / (1 + 1 / math.log2(3))
    assert ndcg_at_k(["x", "d1", "d1"], relevance, 10) == pytest.approx(expected)
    assert ndcg_at_k([f"x{i}" for i in range(10)] + ["d1"], relevance, 10) == 0.0
    assert recall_at_k(["d2", "x", "d2"], relevance, 100) == 0.5
    assert ndcg_at_k(["d1"], {}, 10) == 0.0 and recall_at_k(["d1"], {}, 10) == 0.0
    graded = {"d1": 2, "d2": 1}
    assert ndcg_at_k(["d2", "d1"], graded, 2) < ndcg_at_k(["d1", "d2"], graded, 2) == 1.0


def test_hits_ranks_and_answers() -> None:
    assert hit_at_k([False, True], 2) and not hit_at_k([False, True], 1)
    assert reciprocal_rank([False, False, True]) == pytest.approx(1 / 3)
    assert reciprocal_rank([False]) == 0.0
    assert contains_answer("Netflix renewed “Squid Game” for a season", ['"squid game"'])
    assert contains_answer("The  10-year\nagreements", ["10-year agreements"])
    assert not contains_answer("Game of Thrones", ["Squid Game", " "])


def test_sentence_overlap_weighs_words_by_rarity_in_the_passage() -> None:
    question = ["duda", "sign", "budget"]
    sentences = [
        ["duda", "spoke", "parliament"],
        ["duda", "sign", "budget", "wednesday"],
        ["duda", "travel", "kyiv"],
    ]
    overlap = sentence_overlap(question, sentences)
    assert overlap[1] == pytest.approx(1.0)
    assert 0 < overlap[0] == overlap[2] < 1 / 3  # "duda" is in every sentence: it weighs less
    assert sentence_overlap([], sentences) == [0.0, 0.0, 0.0]
    assert sentence_overlap(question, []) == []


def test_each_sentence_is_read_after_the_one_before() -> None:
    sentences = ["Three species were found.", "All three lacked tentacles.", "They had comb rows."]
    assert sentences_in_context(sentences) == [
        "Three species were found.",
        "Three species were found. All three lacked tentacles.",
        "All three lacked tentacles. They had comb rows.",
    ]
    assert sentences_in_context([]) == []
