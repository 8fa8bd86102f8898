"""Questions asked at the same moment share a model call, and each gets its own vector."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from index import Embedder
from index.query_batcher import QueryBatcher

QUESTIONS = [f"What happened in city number {n}?" for n in range(8)]


def _until(condition: Callable[[], bool], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.001)


def test_questions_waiting_during_a_call_go_together_into_the_next(embedder: Embedder) -> None:
    calls: list[int] = []
    entered, release = threading.Event(), threading.Event()

    def encode_many(texts: Sequence[str]) -> np.ndarray:
        calls.append(len(texts))
        if len(calls) == 1:
            entered.set()
            assert release.wait(60)
        return embedder.encode_queries(texts)

    batcher = QueryBatcher(encode_many, window_seconds=0.0)
    with ThreadPoolExecutor(len(QUESTIONS)) as pool:
        first = pool.submit(batcher.encode, QUESTIONS[0])
        assert entered.wait(60)
        rest = [pool.submit(batcher.encode, q) for q in QUESTIONS[1:]]
        _until(lambda: batcher.waiting == len(QUESTIONS) - 1)
        release.set()
        vectors = [first.result(), *(f.result() for f in rest)]
    assert calls == [1, len(QUESTIONS) - 1]
    for question, vector in zip(QUESTIONS, vectors, strict=True):
        assert vector.shape == (1, embedder.dimension)
        assert float(vector[0] @ embedder.encode_query(question)[0]) > 0.9999


def test_a_failed_call_fails_its_questions_and_the_next_ones_are_served(
    embedder: Embedder,
) -> None:
    def encode_many(texts: Sequence[str]) -> np.ndarray:
        if "broken" in texts:
            raise RuntimeError("the model failed")
        return embedder.encode_queries(texts)

    batcher = QueryBatcher(encode_many, window_seconds=0.0)
    with pytest.raises(RuntimeError, match="the model failed"):
        batcher.encode("broken")
    assert batcher.encode(QUESTIONS[0]).shape == (1, embedder.dimension)


def test_a_lone_question_is_encoded_in_the_callers_own_thread(embedder: Embedder) -> None:
    threads: list[int] = []

    def encode_many(texts: Sequence[str]) -> np.ndarray:
        threads.append(threading.get_ident())
        return embedder.encode_queries(texts)

    batcher = QueryBatcher(encode_many)
    with ThreadPoolExecutor(1) as pool:
        caller = pool.submit(threading.get_ident).result()
        pool.submit(batcher.encode, QUESTIONS[0]).result()
    assert threads == [caller], "no hand-off to another thread"


def test_past_the_bound_callers_wait_for_room(embedder: Embedder) -> None:
    entered, release = threading.Event(), threading.Event()

    def encode_many(texts: Sequence[str]) -> np.ndarray:
        if not entered.is_set():
            entered.set()
            assert release.wait(60)
        return embedder.encode_queries(texts)

    batcher = QueryBatcher(encode_many, max_waiting=2)
    with ThreadPoolExecutor(3) as pool:
        first = pool.submit(batcher.encode, QUESTIONS[0])
        assert entered.wait(60)
        second = pool.submit(batcher.encode, QUESTIONS[1])
        _until(lambda: batcher.waiting == 1)
        third = pool.submit(batcher.encode, QUESTIONS[2])
        time.sleep(0.2)
        assert batcher.waiting == 1 and not third.done(), "the third waits for room"
        release.set()
        assert all(f.result().shape == (1, embedder.dimension) for f in (first, second, third))
