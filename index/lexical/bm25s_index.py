"""The word index of versions written before format 5: a bm25s index of stored scores.

Still served, so an index keeps answering after an upgrade; its next whole write (or the first
`add`, which cannot append to it) replaces it with segments (`index.lexical.segments`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # imported when an older version is read: bm25s imports scipy
    import bm25s

BM25S_DIR = "bm25"


class Bm25sIndex:
    """A bm25s index whose document i is passage row i."""

    def __init__(self, retriever: bm25s.BM25) -> None:
        self._retriever = retriever

    @classmethod
    def load(cls, version: Path) -> Bm25sIndex | None:
        """The version's bm25s index, or None for a version without one."""
        path = version / BM25S_DIR
        if not path.is_dir():
            return None
        import bm25s

        # bm25s sets its own logger to DEBUG on import, so its "Building index from tokens" would
        # reach any handler; its messages are only of use when debugging bm25s itself.
        logging.getLogger("bm25s").setLevel(logging.WARNING)
        # Read into memory, never memory-mapped: a file truncated under a mapping kills the
        # process with SIGBUS at the next search, where a read fails here with an error.
        return cls(bm25s.BM25.load(str(path), mmap=False, show_progress=False))

    def search(
        self, words: Sequence[str], depth: int, allowed: np.ndarray | None
    ) -> list[tuple[int, float]]:
        scores = self._retriever.get_scores(list(words))
        if allowed is not None:
            scores = np.where(allowed, scores, 0.0)
        depth = min(depth, len(scores))
        if depth <= 0:
            return []
        top = np.argpartition(-scores, depth - 1)[:depth]
        ranked = top[np.argsort(-scores[top], kind="stable")]
        return [(int(row), float(scores[row])) for row in ranked if scores[row] > 0]
