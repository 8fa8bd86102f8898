"""Questions that arrive together are encoded in one model call and searched in one FAISS call.

A burst of questions from many chats would otherwise queue on the model one at a time, each
paying the whole fixed cost of a call. Here the caller that finds the model free encodes, in its
own thread, every question waiting (up to a batch); the questions that arrive during that call
wait, and one of them encodes them all in the next. A lone question therefore pays no hand-off
to another thread and no waiting window; a burst forms batches by itself
(benchmarks/answer_capacity.py measures the gain). The waiting questions are bounded: past the
bound, callers wait for room (that is the back-pressure).
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from index.monitoring import QUESTION_BATCH_SIZE

log = logging.getLogger(__name__)

Item = TypeVar("Item")
Result = TypeVar("Result")


class _Question(Generic[Item, Result]):
    """One caller's question and, once its batch ran, its result or the model's error."""

    __slots__ = ("done", "error", "item", "result")

    def __init__(self, item: Item) -> None:
        self.item = item
        self.done = False
        self.result: Result | None = None
        self.error: BaseException | None = None

    def outcome(self) -> Result:
        if self.error is not None:
            raise self.error
        assert self.result is not None
        return self.result


class QueryBatcher(Generic[Item, Result]):
    """Runs questions from many threads in batches, in the callers' own threads.

    `run_many` takes a batch of items and returns one result per item, in order (the searcher's
    encodes the questions in one model call and searches FAISS with all their vectors at once).

    `window_seconds` (0 by default) makes the caller that starts a batch wait that long for
    company before the call: a lone question pays it, so it stays a couple of milliseconds at
    most; batches form without it from the questions that arrive during a call.
    """

    def __init__(
        self,
        run_many: Callable[[Sequence[Item]], Sequence[Result]],
        *,
        window_seconds: float = 0.0,
        max_batch: int = 32,
        max_waiting: int = 1024,
    ) -> None:
        self._run_many = run_many
        self._window = max(0.0, window_seconds)
        self._max_batch = max(1, max_batch)
        self._room = threading.BoundedSemaphore(max(1, max_waiting))
        self._changed = threading.Condition()
        self._queued: deque[_Question[Item, Result]] = deque()
        self._encoding = False

    @property
    def waiting(self) -> int:
        """Questions queued and not yet taken into a model call."""
        with self._changed:
            return len(self._queued)

    def run(self, item: Item) -> Result:
        """The item's result, once its batch ran; an error of the batch is raised here."""
        question: _Question[Item, Result] = _Question(item)
        with self._room:
            with self._changed:
                self._queued.append(question)
                if len(self._queued) >= self._max_batch:
                    self._changed.notify_all()  # a caller waiting out its window goes now
                while self._encoding and not question.done:
                    self._changed.wait()
                if question.done:
                    return question.outcome()
                self._encoding = True
            try:
                while not question.done:
                    self._run_batch()
            finally:
                with self._changed:
                    self._encoding = False
                    self._changed.notify_all()  # the answered return; one of the rest goes on
        return question.outcome()

    def _run_batch(self) -> None:
        """One model call for the oldest waiting questions (this caller's among them, in time)."""
        with self._changed:
            if self._window:
                self._changed.wait_for(
                    lambda: len(self._queued) >= self._max_batch, timeout=self._window
                )
            count = min(len(self._queued), self._max_batch)
            batch = [self._queued.popleft() for _ in range(count)]
        QUESTION_BATCH_SIZE.observe(len(batch))
        try:
            results = self._run_many([q.item for q in batch])
            if len(results) != len(batch):
                raise RuntimeError(f"{len(results)} results for a batch of {len(batch)}")
        except BaseException as exc:  # every question of the call gets the error
            for question in batch:
                question.error = exc
        else:
            for question, result in zip(batch, results, strict=True):
                question.result = result
        with self._changed:
            for question in batch:
                question.done = True
            self._changed.notify_all()
