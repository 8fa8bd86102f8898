"""Questions that arrive together are encoded in one model call.

A burst of questions from many chats would otherwise queue on the model one at a time, each
paying the whole fixed cost of a call. Here the first question waits a short window for others
and the model encodes them all at once (benchmarks/answer_capacity.py measures the gain). The queue is bounded: when it is full, callers wait for room (that is the back-pressure).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future

import numpy as np

log = logging.getLogger(__name__)

EncodeMany = Callable[[Sequence[str]], np.ndarray]


class QueryBatcher:
    """Encodes questions from many threads in batches, on one thread of its own.

    `window_seconds` is how long the first question of a batch waits for company; a lone
    question therefore pays it once, so it is kept to a couple of milliseconds.
    """

    def __init__(
        self,
        encode_many: EncodeMany,
        *,
        window_seconds: float = 0.002,
        max_batch: int = 32,
        max_waiting: int = 1024,
    ) -> None:
        self._encode_many = encode_many
        self._window = window_seconds
        self._max_batch = max(1, max_batch)
        self._waiting: queue.Queue[tuple[str, Future[np.ndarray]]] = queue.Queue(max_waiting)
        self._started = False
        self._start_lock = threading.Lock()

    @property
    def waiting(self) -> int:
        """Questions queued and not yet taken into a model call."""
        return self._waiting.qsize()

    def encode(self, text: str) -> np.ndarray:
        """The question's vector, shape (1, dimension); an error of the model is raised here."""
        self._ensure_started()
        future: Future[np.ndarray] = Future()
        self._waiting.put((text, future))
        return future.result()

    def _ensure_started(self) -> None:
        if self._started:
            return
        with self._start_lock:
            if not self._started:
                threading.Thread(target=self._run, name="query-batcher", daemon=True).start()
                self._started = True

    def _run(self) -> None:
        while True:
            batch = [self._waiting.get()]
            deadline = time.monotonic() + self._window
            try:
                while len(batch) < self._max_batch:
                    batch.append(self._waiting.get(timeout=max(0.0, deadline - time.monotonic())))
            except queue.Empty:
                pass
            self._encode(batch)

    def _encode(self, batch: list[tuple[str, Future[np.ndarray]]]) -> None:
        try:
            vectors = self._encode_many([text for text, _ in batch])
        except BaseException as exc:  # every waiting caller gets the error, the thread lives on
            for _, future in batch:
                future.set_exception(exc)
            return
        for row, (_, future) in enumerate(batch):
            future.set_result(np.ascontiguousarray(vectors[row : row + 1], dtype=np.float32))
