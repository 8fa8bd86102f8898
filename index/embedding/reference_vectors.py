"""A few texts and their vectors as a version was built, to prove a question encoder matches it.

The family check (`index.embedding.vector_family`) trusts names; these vectors check the numbers:
a reader encodes the same texts and must find the stored vectors again (cosine ≥ 0.9999), or the
version was built by weights other than the ones answering (another export, a changed model).
Stored in the manifest as base64 of little-endian float32, ~2 KB per text at 384 dimensions.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping, Sequence

import numpy as np

REFERENCE_TEXTS = (
    "Who won the election?",
    "The central bank raised interest rates by a quarter point on Thursday.",
    "Floods forced thousands of families from their homes in the north of the country.",
    "What did the minister say about the new trade agreement with Japan?",
)
MIN_REFERENCE_COSINE = 0.9999
"""fp32 torch and ONNX agree at 1.00000; int8 weights fall to ~0.99; so does another model."""

EncodeQueries = Callable[[Sequence[str]], np.ndarray]


def encoded(vector: np.ndarray) -> str:
    """A vector as the manifest stores it."""
    return base64.b64encode(np.asarray(vector, dtype="<f4").tobytes()).decode("ascii")


def decoded(text: str) -> np.ndarray:
    """A stored vector back as float32 (an unreadable one is empty, so it matches nothing)."""
    try:
        return np.frombuffer(base64.b64decode(text, validate=True), dtype="<f4").astype(np.float32)
    except (ValueError, TypeError):
        return np.zeros(0, np.float32)


def reference_vectors(encode: EncodeQueries) -> dict[str, str]:
    """The reference texts and their vectors, encoded as questions are."""
    vectors = encode(list(REFERENCE_TEXTS))
    return {text: encoded(vector) for text, vector in zip(REFERENCE_TEXTS, vectors, strict=True)}


def lowest_cosine(stored: Mapping[str, str], fresh: Mapping[str, np.ndarray]) -> float:
    """The worst agreement between stored vectors and the same texts encoded again (-1.0 when a
    text is missing or a vector has another shape)."""
    lowest = 1.0
    for text, value in stored.items():
        old, new = decoded(value), fresh.get(text)
        if new is None or old.shape != new.shape or not old.size:
            return -1.0
        norms = float(np.linalg.norm(old) * np.linalg.norm(new))
        lowest = min(lowest, float(old @ new) / norms if norms else -1.0)
    return lowest
