"""The sentence vectors of a version: int8 codes and one scale each, read whole into memory.

Sentence row `n` (the `sentences` table of the version's SQLite file) is row `n` here. Read, not
memory-mapped, like the rest of a version: a live file damaged under a running bot must not be
able to crash it (a truncated mapping is a SIGBUS). int8 keeps that affordable: 388 bytes a
sentence where float32 would take 1,536.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from index.embedding.sentence_vectors import dequantize
from index.errors import IndexCorruptError
from index.store.manifest import REBUILD_HINT

CODES_NAME = "sentences.int8.npy"
SCALES_NAME = "sentences.scale.npy"


def save_sentence_vectors(folder: Path, codes: np.ndarray, scales: np.ndarray) -> None:
    np.save(folder / CODES_NAME, np.ascontiguousarray(codes, dtype=np.int8), allow_pickle=False)
    np.save(folder / SCALES_NAME, np.ascontiguousarray(scales, np.float32), allow_pickle=False)


def append_sentence_vectors(
    folder: Path, previous: Path, codes: np.ndarray, scales: np.ndarray
) -> None:
    """The previous version's sentence vectors with `codes` and `scales` after them (rows
    above every row before, as an append gives them)."""
    before_codes = np.load(previous / CODES_NAME, allow_pickle=False)
    before_scales = np.load(previous / SCALES_NAME, allow_pickle=False)
    save_sentence_vectors(
        folder, np.concatenate([before_codes, codes]), np.concatenate([before_scales, scales])
    )


class SentenceVectors:
    """A version's sentence vectors."""

    def __init__(self, folder: Path, dimension: int) -> None:
        try:
            self._codes = np.load(folder / CODES_NAME, allow_pickle=False)
            self._scales = np.load(folder / SCALES_NAME, allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise IndexCorruptError(
                f"the sentence vectors in {folder} cannot be read ({exc}): {REBUILD_HINT}"
            ) from None
        if (
            self._codes.ndim != 2
            or self._codes.dtype != np.int8
            or self._codes.shape[1] != dimension
            or self._scales.shape != (self._codes.shape[0],)
        ):
            raise IndexCorruptError(
                f"the sentence vectors in {folder} have shape {self._codes.shape} with "
                f"{self._scales.shape} scales, not (n, {dimension}): {REBUILD_HINT}"
            )

    def __len__(self) -> int:
        return int(self._codes.shape[0])

    def vectors(self, rows: Sequence[int]) -> np.ndarray:
        """These rows as float32 vectors."""
        index = np.asarray(rows, dtype=np.int64)
        return dequantize(self._codes[index], self._scales[index])
