"""A question's BM25 search, run on another thread while the vector search runs.

The word search needs only the question's text, the vector search its encoding: run one after
the other they add up, run side by side the word search costs nothing on two cores. It is started
once the question is encoded (`start`), not before: the model uses both cores while it encodes,
and the word search would slow it by as much as it saves.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

WORD_SEARCH_THREADS = 2


def word_search_pool() -> ThreadPoolExecutor:
    """The threads a searcher runs its word searches on."""
    return ThreadPoolExecutor(WORD_SEARCH_THREADS, thread_name_prefix="word-search")


class PendingWordSearch:
    """One question's word search: started on the pool by `start`, its result read by `result`."""

    def __init__(
        self, pool: ThreadPoolExecutor, search: Callable[[], list[tuple[int, float]]]
    ) -> None:
        self._pool = pool
        self._search = search
        self._future: Future[list[tuple[int, float]]] | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        """Run the search on the pool (once; nothing happens on a second call). A pool shut
        down (the process is exiting) leaves it to `result`, in the caller's thread."""
        with self._lock:
            if self._future is None:
                with contextlib.suppress(RuntimeError):  # "cannot schedule … after shutdown"
                    self._future = self._pool.submit(self._search)

    def result(self) -> dict[int, float]:
        """The BM25 scores by row, waiting for the search (run here if it never started)."""
        self.start()
        if self._future is None:
            return dict(self._search())
        return dict(self._future.result())
