"""FAISS_HNSW_EF_SEARCH resolved by a version's size (`index.store.hnsw_depth`)."""

from __future__ import annotations

from index.settings import HNSW_EF_SEARCH
from index.store.hnsw_depth import SMALL_GRAPH_EF_SEARCH, SMALL_GRAPH_PASSAGES, hnsw_ef_search


def test_auto_searches_small_graphs_less_deep_than_large_ones() -> None:
    assert SMALL_GRAPH_EF_SEARCH < HNSW_EF_SEARCH
    assert hnsw_ef_search("auto", 0) == SMALL_GRAPH_EF_SEARCH
    assert hnsw_ef_search("auto", 53_805) == SMALL_GRAPH_EF_SEARCH
    assert hnsw_ef_search("auto", SMALL_GRAPH_PASSAGES) == SMALL_GRAPH_EF_SEARCH
    assert hnsw_ef_search("auto", SMALL_GRAPH_PASSAGES + 1) == HNSW_EF_SEARCH
    assert hnsw_ef_search("auto", 1_000_000) == HNSW_EF_SEARCH


def test_a_number_is_used_whatever_the_size() -> None:
    assert hnsw_ef_search(300, 10) == 300
    assert hnsw_ef_search(300, 10**7) == 300
