"""Recently embedded texts kept in memory, so the sentences of a story many ask about are
embedded once, not for every answer that cites it."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

import numpy as np
from cachetools import LRUCache


class VectorMemo:
    """Vectors of the last `size` distinct texts; safe to share between search threads."""

    def __init__(self, encode: Callable[[Sequence[str]], np.ndarray], size: int) -> None:
        self._encode = encode
        self._vectors: LRUCache[str, np.ndarray] = LRUCache(maxsize=max(1, size))
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One row per text, in order; only texts not seen lately reach the model (one batch)."""
        known: dict[str, np.ndarray] = {}
        with self._lock:
            for text in texts:
                vector = self._vectors.get(text)
                if vector is not None:
                    known[text] = vector
        missing = list(dict.fromkeys(text for text in texts if text not in known))
        if missing:  # encoded outside the lock: two threads may both encode a text, harmlessly
            fresh = dict(zip(missing, self._encode(missing), strict=True))
            known.update(fresh)
            with self._lock:
                self._vectors.update(fresh)
        return np.stack([known[text] for text in texts]) if texts else np.empty((0, 0))
