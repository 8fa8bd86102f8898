"""The sentence vectors of a version: int8 codes and one scale each, read whole into memory.

Sentence row `n` (the `sentences` table of the version's SQLite file) is row `n` here, counted
across the version's parts: the first (`sentences.int8.npy`, `sentences.scale.npy`) and one per
append after it (`sentences.000001.int8.npy`, …). An append links the previous version's parts
(files never change once written, so versions share them) and writes one for its own sentences;
past `MAX_PARTS` it writes them all as one again. Read, not
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
from index.store.files import link_or_copy
from index.store.manifest import REBUILD_HINT

CODES_NAME = "sentences.int8.npy"
SCALES_NAME = "sentences.scale.npy"
MAX_PARTS = 32
"""Parts a version's sentence vectors may have before an append writes them as one."""


def save_sentence_vectors(folder: Path, codes: np.ndarray, scales: np.ndarray) -> None:
    np.save(folder / CODES_NAME, np.ascontiguousarray(codes, dtype=np.int8), allow_pickle=False)
    np.save(folder / SCALES_NAME, np.ascontiguousarray(scales, np.float32), allow_pickle=False)


def append_sentence_vectors(
    folder: Path, previous: Path, codes: np.ndarray, scales: np.ndarray
) -> None:
    """The previous version's sentence vectors with `codes` and `scales` after them (rows
    above every row before, as an append gives them)."""
    parts = sentence_parts(previous)
    if len(parts) >= MAX_PARTS:
        before = [_load_part(previous, part) for part in parts]
        save_sentence_vectors(
            folder,
            np.concatenate([c for c, _ in before] + [codes]),
            np.concatenate([s for _, s in before] + [scales]),
        )
        return
    for part in parts:
        for name in part:
            link_or_copy(previous / name, folder / name)
    number = len(parts)
    np.save(folder / f"sentences.{number:06d}.int8.npy", np.ascontiguousarray(codes, np.int8))
    np.save(folder / f"sentences.{number:06d}.scale.npy", np.ascontiguousarray(scales, np.float32))


def sentence_parts(folder: Path) -> list[tuple[str, str]]:
    """The (codes, scales) file names of a version's parts, in row order."""
    appended = sorted(p.name for p in folder.glob("sentences.[0-9]*.int8.npy"))
    return [
        (CODES_NAME, SCALES_NAME),
        *((name, name.replace(".int8.npy", ".scale.npy")) for name in appended),
    ]


def _load_part(folder: Path, part: tuple[str, str]) -> tuple[np.ndarray, np.ndarray]:
    codes_name, scales_name = part
    return (
        np.load(folder / codes_name, allow_pickle=False),
        np.load(folder / scales_name, allow_pickle=False),
    )


class SentenceVectors:
    """A version's sentence vectors."""

    def __init__(self, folder: Path, dimension: int) -> None:
        try:
            parts = [_load_part(folder, part) for part in sentence_parts(folder)]
            if len(parts) == 1:
                ((self._codes, self._scales),) = parts
            else:
                self._codes = np.concatenate([c for c, _ in parts])
                self._scales = np.concatenate([s for _, s in parts])
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
