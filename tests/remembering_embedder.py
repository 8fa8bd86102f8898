"""The session's real model, with what it has encoded remembered for the rest of a worker's run.

The store tests build the same articles once per store, and many tests build the seeds: each
text was encoded by torch again every time, most of the suite's time. Here the model encodes a
text (a passage with its sentence spans, a document, a question) once per worker; later calls
get those vectors back, copied. They are the vectors the model gave for that input, not a
stand-in: only the last digits a different batch would have moved (torch pads a batch to its
longest text) come out the same every time.

Tests of the model itself (its threads, its batches) take `model_embedder`, which remembers
nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Sequence
from typing import Any

import numpy as np

from index import Embedder

Span = tuple[int, int]


class RememberingEmbedder:
    """An `Embedder` answering from memory what `embedder` already encoded (every other
    attribute is the model's own, `counting_tokenizer` included)."""

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder
        self._passages: dict[tuple[str, tuple[Span, ...]], tuple[np.ndarray, np.ndarray]] = {}
        self._documents: dict[str, np.ndarray] = {}
        self._queries: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()
        self.model_name, self.dimension = embedder.model_name, embedder.dimension
        self.max_tokens, self.backend = embedder.max_tokens, embedder.backend

    def __getattr__(self, name: str) -> Any:
        return getattr(self._embedder, name)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return self._embedder.count_tokens(texts)

    def warm_up(self) -> None:
        self._embedder.warm_up()

    def encode_passages(
        self, texts: Sequence[str], sentences: Sequence[Sequence[Span]], *,
        progress: bool = False,
    ) -> tuple[np.ndarray, list[np.ndarray]]:  # fmt: skip
        keys = [
            (text, tuple((int(a), int(b)) for a, b in spans))
            for text, spans in zip(texts, sentences, strict=True)
        ]

        def encode(missing: list[int]) -> list[tuple[np.ndarray, np.ndarray]]:
            vectors, pooled = self._embedder.encode_passages(
                [texts[i] for i in missing], [sentences[i] for i in missing], progress=progress
            )
            return list(zip(vectors, pooled, strict=True))

        found = self._remembered(self._passages, keys, encode)
        stacked = np.stack([v for v, _ in found]) if found else self._empty()
        return stacked, [s.copy() for _, s in found]

    def encode_documents(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        def encode(missing: list[int]) -> list[np.ndarray]:
            return list(
                self._embedder.encode_documents([texts[i] for i in missing], progress=progress)
            )

        found = self._remembered(self._documents, list(texts), encode)
        return np.stack(found) if found else self._empty()

    def encode_query(self, text: str) -> np.ndarray:
        return self.encode_queries([text])

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        def encode(missing: list[int]) -> list[np.ndarray]:
            return list(self._embedder.encode_queries([texts[i] for i in missing]))

        found = self._remembered(self._queries, list(texts), encode)
        return np.stack(found) if found else self._empty()

    def _remembered(
        self,
        memory: dict[Any, Any],
        keys: Sequence[Hashable],
        encode: Callable[[list[int]], list[Any]],
    ) -> list[Any]:
        """Each key's remembered result (copied), the missing ones encoded in one call first."""
        first: dict[Hashable, int] = {}
        with self._lock:
            for position, key in enumerate(keys):
                if key not in memory:
                    first.setdefault(key, position)
        missing = list(first.values())
        if missing:
            for position, result in zip(missing, encode(missing), strict=True):
                with self._lock:
                    memory[keys[position]] = result
        with self._lock:
            return [_copied(memory[key]) for key in keys]

    def _empty(self) -> np.ndarray:
        return np.zeros((0, self.dimension), dtype=np.float32)


def _copied(result: Any) -> Any:
    if isinstance(result, tuple):
        return tuple(part.copy() for part in result)
    return result.copy()
