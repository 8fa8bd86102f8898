"""Sentence vectors for the bold sentence, made at index time from the passage's own forward pass.

The model reads each passage once (its title first, as `document_text` writes it); the vector
of a sentence is the mean of the passage's token embeddings over that sentence's characters,
so every sentence is read in the context of its whole passage and title at no extra model cost.
Stored as int8 with one scale per vector: a quarter of float32, and the choice of the bold
sentence is unchanged (benchmarks/bold_sentence.py measures it).

Pure numpy: the embedders give token embeddings and offsets, the writer and the reader call these.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

Span = tuple[int, int]


def pool_spans(
    tokens: np.ndarray, offsets: Sequence[Span], is_text: Sequence[bool], spans: Sequence[Span]
) -> np.ndarray:
    """For each character span, the normalized mean of the text tokens that overlap it.

    `tokens` holds one row per token of one text, `offsets` their character spans in that text,
    `is_text` False for special tokens ([CLS], [SEP]). A span no token overlaps (cut off by the
    model's window) gets a zero vector: its sentence then wins only on the question's words.
    """
    result = np.zeros((len(spans), tokens.shape[1]), dtype=np.float32)
    if not len(spans) or not len(tokens):
        return result
    starts = np.array([a for a, _ in offsets], dtype=np.int64)
    ends = np.array([b for _, b in offsets], dtype=np.int64)
    text = np.asarray(is_text, dtype=bool) & (ends > starts)
    for i, (start, end) in enumerate(spans):
        inside = text & (starts < end) & (ends > start)
        if inside.any():
            result[i] = tokens[inside].mean(axis=0)
    return normalized(result)


def normalized(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length; zero rows stay zero."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.ascontiguousarray(vectors / np.where(norms > 0, norms, 1.0), dtype=np.float32)


def quantize(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """int8 codes and one float32 scale per row: `codes * scale` gives the row back to ~0.4%."""
    vectors = np.asarray(vectors, dtype=np.float32)
    peak = np.abs(vectors).max(axis=1) if vectors.size else np.zeros(len(vectors), np.float32)
    scales = (peak / 127.0).astype(np.float32)
    safe = np.where(scales > 0, scales, 1.0)[:, None]
    codes = np.clip(np.rint(vectors / safe), -127, 127).astype(np.int8)
    return codes, scales


def dequantize(codes: np.ndarray, scales: np.ndarray) -> np.ndarray:
    return codes.astype(np.float32) * np.asarray(scales, dtype=np.float32)[:, None]


def spans_in_document(
    title_chars: int, passage_start: int, sentences: Sequence[Span]
) -> list[Span]:
    """Sentence spans (article offsets) as offsets into the text the model read for the passage:
    `document_text` puts `title_chars` characters of title and a line break first."""
    shift = title_chars + 1 - passage_start
    return [(start + shift, end + shift) for start, end in sentences]
