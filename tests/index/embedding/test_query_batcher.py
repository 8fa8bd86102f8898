"""Questions asked at the same moment share a model call, and each gets its own result."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from index import Embedder, IndexSettings, IndexWriter, NewsIndex
from index.embedding.query_batcher import QueryBatcher
from index.embedding.reference_vectors import REFERENCE_TEXTS
from tests.conftest import SEEDS, DelegatingEmbedder

QUESTIONS = [f"What happened in city number {n}?" for n in range(8)]


def _until(condition: Callable[[], bool], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.001)


def test_questions_waiting_during_a_call_go_together_into_the_next(embedder: Embedder) -> None:
    calls: list[int] = []
    entered, release = threading.Event(), threading.Event()

    def encode_many(texts: Sequence[str]) -> list[np.ndarray]:
        calls.append(len(texts))
        if len(calls) == 1:
            entered.set()
            assert release.wait(60)
        return list(embedder.encode_queries(texts))

    batcher = QueryBatcher(encode_many, window_seconds=0.0)
    with ThreadPoolExecutor(len(QUESTIONS)) as pool:
        first = pool.submit(batcher.run, QUESTIONS[0])
        assert entered.wait(60)
        rest = [pool.submit(batcher.run, q) for q in QUESTIONS[1:]]
        _until(lambda: batcher.waiting == len(QUESTIONS) - 1)
        release.set()
        vectors = [first.result(), *(f.result() for f in rest)]
    assert calls == [1, len(QUESTIONS) - 1]
    for question, vector in zip(QUESTIONS, vectors, strict=True):
        assert vector.shape == (embedder.dimension,)
        assert float(vector @ embedder.encode_query(question)[0]) > 0.9999


def test_a_failed_call_fails_its_questions_and_the_next_ones_are_served(
    embedder: Embedder,
) -> None:
    def encode_many(texts: Sequence[str]) -> list[np.ndarray]:
        if "broken" in texts:
            raise RuntimeError("the model failed")
        return list(embedder.encode_queries(texts))

    batcher = QueryBatcher(encode_many, window_seconds=0.0)
    with pytest.raises(RuntimeError, match="the model failed"):
        batcher.run("broken")
    assert batcher.run(QUESTIONS[0]).shape == (embedder.dimension,)


def test_a_lone_question_is_encoded_in_the_callers_own_thread(embedder: Embedder) -> None:
    threads: list[int] = []

    def encode_many(texts: Sequence[str]) -> list[np.ndarray]:
        threads.append(threading.get_ident())
        return list(embedder.encode_queries(texts))

    batcher = QueryBatcher(encode_many)
    with ThreadPoolExecutor(1) as pool:
        caller = pool.submit(threading.get_ident).result()
        pool.submit(batcher.run, QUESTIONS[0]).result()
    assert threads == [caller], "no hand-off to another thread"


def test_past_the_bound_callers_wait_for_room(embedder: Embedder) -> None:
    entered, release = threading.Event(), threading.Event()

    def encode_many(texts: Sequence[str]) -> list[np.ndarray]:
        if not entered.is_set():
            entered.set()
            assert release.wait(60)
        return list(embedder.encode_queries(texts))

    batcher = QueryBatcher(encode_many, max_waiting=2)
    with ThreadPoolExecutor(3) as pool:
        first = pool.submit(batcher.run, QUESTIONS[0])
        assert entered.wait(60)
        second = pool.submit(batcher.run, QUESTIONS[1])
        _until(lambda: batcher.waiting == 1)
        third = pool.submit(batcher.run, QUESTIONS[2])
        time.sleep(0.2)
        assert batcher.waiting == 1 and not third.done(), "the third waits for room"
        release.set()
        assert all(f.result().shape == (embedder.dimension,) for f in (first, second, third))


class PausingEmbedder(DelegatingEmbedder):
    """Holds its first question call until released, and records every call's size (the
    version's check of its reference vectors, made once before any question, passes by)."""

    def __init__(self, embedder: Embedder) -> None:
        super().__init__(embedder)
        self.calls: list[int] = []
        self.entered, self.release = threading.Event(), threading.Event()

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        if tuple(texts) == REFERENCE_TEXTS:
            return super().encode_queries(texts)
        self.calls.append(len(texts))
        if len(self.calls) == 1:
            self.entered.set()
            assert self.release.wait(60)
        return super().encode_queries(texts)


def test_questions_searched_together_find_what_each_finds_alone(
    settings: IndexSettings, embedder: Embedder
) -> None:
    asked = [
        "Which countries signed long-term security agreements with Ukraine?",
        "What did Macron say about sending troops?",
        "What is Russia preparing according to the French president?",
        "Which countries are possible targets of Russian expansionism?",
    ]
    IndexWriter(settings, embedder).rebuild([SEEDS])
    expected = [NewsIndex(settings, embedder).search(q) for q in asked]
    pausing = PausingEmbedder(embedder)
    index = NewsIndex(settings, pausing)
    with ThreadPoolExecutor(len(asked)) as pool:
        first = pool.submit(index.search, asked[0])
        assert pausing.entered.wait(60)
        rest = [pool.submit(index.search, q) for q in asked[1:]]
        _until(lambda: index._batcher is not None and index._batcher.waiting == len(asked) - 1)
        pausing.release.set()
        found = [first.result(), *(f.result() for f in rest)]
    assert pausing.calls == [1, len(asked) - 1], "the three waiting went in one call"
    assert [
        [(h.article_id, h.start, h.bold_sentence, round(h.score, 4)) for h in hits]
        for hits in found
    ] == [
        [(h.article_id, h.start, h.bold_sentence, round(h.score, 4)) for h in hits]
        for hits in expected
    ]
    assert all(found), "every question found passages"
