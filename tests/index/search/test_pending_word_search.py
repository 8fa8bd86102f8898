"""A question's word search on the pool, beside the vector search (`pending_word_search`)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from index import Embedder, IndexSettings, NewsIndex
from index.search.pending_word_search import PendingWordSearch, word_search_pool


def test_a_started_search_runs_once_on_the_pool_and_its_result_is_read_later() -> None:
    ran: list[str] = []

    def search() -> list[tuple[int, float]]:
        ran.append(threading.current_thread().name)
        return [(7, 2.5), (3, 1.0)]

    pool = word_search_pool()
    try:
        pending = PendingWordSearch(pool, search)
        pending.start()
        pending.start()
        assert pending.result() == {7: 2.5, 3: 1.0}
        assert pending.result() == {7: 2.5, 3: 1.0}
    finally:
        pool.shutdown()
    assert len(ran) == 1 and ran[0].startswith("word-search")


def test_a_search_never_started_runs_when_its_result_is_asked() -> None:
    pool = word_search_pool()
    try:
        pending = PendingWordSearch(pool, lambda: [(1, 0.5)])
        assert pending.result() == {1: 0.5}
    finally:
        pool.shutdown()


def test_after_the_pool_is_shut_down_the_search_runs_in_the_callers_thread() -> None:
    pool = word_search_pool()
    pool.shutdown()
    ran: list[str] = []

    def search() -> list[tuple[int, float]]:
        ran.append(threading.current_thread().name)
        return []

    pending = PendingWordSearch(pool, search)
    pending.start()
    assert pending.result() == {}
    assert ran == [threading.current_thread().name]


def test_an_error_of_the_search_reaches_the_reader() -> None:
    def broken() -> list[tuple[int, float]]:
        raise OSError("word index unreadable")

    pool = word_search_pool()
    try:
        pending = PendingWordSearch(pool, broken)
        pending.start()
        with pytest.raises(OSError, match="unreadable"):
            pending.result()
    finally:
        pool.shutdown()


def test_search_runs_bm25_on_its_word_search_threads_and_answers_as_in_one_thread(
    settings: IndexSettings, embedder: Embedder, seed_index_copied: Path
) -> None:
    question = "Which countries signed long-term security agreements with Ukraine?"
    index = NewsIndex(settings, embedder)
    before = set(threading.enumerate())
    beside = [(h.article_id, h.start, round(h.score, 5)) for h in index.search(question)]
    started = set(threading.enumerate()) - before
    assert beside and any(t.name.startswith("word-search") for t in started)

    alone = NewsIndex(settings, embedder)
    alone._word_search_pool.shutdown()  # every word search now runs in the caller's thread
    assert [(h.article_id, h.start, round(h.score, 5)) for h in alone.search(question)] == beside
