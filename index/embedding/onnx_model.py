"""The embedding model run by onnxruntime: same vectors, a fraction of torch's start-up and time.

EMBEDDING_BACKEND=onnx runs the model exported in fp32 (vectors equal torch's to 1e-5);
onnx-int8 runs its int8 weights (dynamic quantization per channel: faster, cosine ~0.995 to
torch's). This module imports neither torch nor transformers: tokenizing is `tokenizers`, the
pooling (mean over real tokens, then L2) is numpy. Only a missing export imports torch, once.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from tqdm.auto import tqdm

from index.embedding.model import (
    _describe_folder,
    _Described,
    pool_encoding,
    resolve_model_path,
    token_counts,
    truncating_copy,
)
from index.embedding.onnx_export import (
    INPUT_NAMES,
    OnnxExport,
    ensure_export,
    export_folder,
    find_export,
)
from index.embedding.sentence_vectors import Span
from index.errors import IndexMismatchError
from index.settings import EmbeddingBackend

if TYPE_CHECKING:
    import onnxruntime
    from tokenizers import Encoding, Tokenizer

log = logging.getLogger(__name__)

BUILD_THREADS = os.cpu_count() or 1
QUESTION_THREADS = min(2, BUILD_THREADS)


class OnnxEmbedder(_Described):
    """A sentence-transformers model (Transformer + mean Pooling) exported to ONNX, on the CPU.

    The session is opened on first encode, as the torch embedder loads its model: counting
    tokens (all a cached rebuild needs) reads only the tokenizer.
    """

    def __init__(
        self,
        model: str,
        *,
        backend: EmbeddingBackend = "onnx-int8",
        batch_size: int = 32,
        models_dir: Path,
    ) -> None:
        self._name = model
        self._backend = self._onnx_backend = backend
        self._batch_size = batch_size
        self._models_dir = models_dir
        folder = Path(resolve_model_path(model))
        described = _describe_folder(folder)
        source = _mean_pooled_transformer(folder)
        if described is None or source is None:
            raise IndexMismatchError(
                f"model {model!r} cannot run on EMBEDDING_BACKEND={backend}: only a "
                "sentence-transformers folder of a Transformer with mean pooling can; "
                "set EMBEDDING_BACKEND=torch"
            )
        self._source = source
        self._tokenizer, self._dimension, self._max_tokens = described
        self._truncating = truncating_copy(self._tokenizer, self._max_tokens)
        self._pad_id = _pad_id(self._tokenizer)
        # Builds run on every core, questions on a session of their own, so a build in this
        # process never holds up a question. Questions get two threads that sleep when idle
        # instead of spinning: a lone RealTimeQA question took 4.8-4.9 ms against 7.8-8.7 on one
        # thread, and 6 threads answered 77.5 answers/s against 63.4 (benchmarks/answer_capacity.py).
        self._lock = threading.Lock()
        self._query_lock = threading.Lock()
        self._sessions: dict[bool, onnxruntime.InferenceSession] = {}
        self._inputs: tuple[str, ...] = ()

    @property
    def max_tokens(self) -> int:
        return self._max_tokens

    def export(self) -> OnnxExport:
        """The export this embedder runs, made now if there is none."""
        return ensure_export(self._models_dir, self._name, self._source, self._onnx_backend)

    def exported(self) -> bool:
        """Whether the export is already there (else the first encode makes it, with torch)."""
        folder = export_folder(self._models_dir, self._name, self._source, self._onnx_backend)
        return find_export(folder) is not None

    def _open(self, for_questions: bool) -> onnxruntime.InferenceSession:
        """The questions' session or the builds' (each opened once, under its lock)."""
        if for_questions not in self._sessions:
            import onnxruntime

            export = self.export()
            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = QUESTION_THREADS if for_questions else BUILD_THREADS
            options.inter_op_num_threads = 1
            options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
            if for_questions:  # threads sleep between questions: the bot's other work needs cores
                options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            log.info("loading embedding model %s (%s backend)", self._name, self._backend)
            session = onnxruntime.InferenceSession(
                str(export.model_file), options, providers=["CPUExecutionProvider"]
            )
            self._inputs = tuple(i.name for i in session.get_inputs())
            unknown = set(self._inputs) - set(INPUT_NAMES)
            if unknown:
                raise IndexMismatchError(
                    f"{export.model_file} expects inputs {sorted(unknown)} this program does "
                    f"not give: remove {export.folder} to export it again"
                )
            self._sessions[for_questions] = session
        return self._sessions[for_questions]

    def warm_up(self) -> None:
        """Open the session and run it once (a bot does, so its first answer does not wait)."""
        self.encode_query("warm up")

    @property
    def counting_tokenizer(self) -> Tokenizer:
        """The tokenizer `count_tokens` uses, for splitting in other processes."""
        return self._tokenizer

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        return token_counts(self._tokenizer, texts)

    def encode_documents(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        vectors, _ = self._encode(texts, None, progress)
        return vectors

    def encode_passages(
        self, texts: Sequence[str], sentences: Sequence[Sequence[Span]], *, progress: bool = False
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Passage vectors and their sentences' vectors, pooled from the same forward pass."""
        vectors, pooled = self._encode(texts, sentences, progress)
        assert pooled is not None
        return vectors, pooled

    def _encode(
        self, texts: Sequence[str], sentences: Sequence[Sequence[Span]] | None, progress: bool
    ) -> tuple[np.ndarray, list[np.ndarray] | None]:
        pooled: list[np.ndarray] | None = None
        if sentences is not None:
            pooled = [np.zeros((len(s), self._dimension), np.float32) for s in sentences]
        if not texts:
            return np.zeros((0, self._dimension), dtype=np.float32), pooled
        encoded = self._truncating.encode_batch(list(texts))
        # Longest first, in batches of similar lengths: little padding is computed for nothing.
        order = sorted(range(len(encoded)), key=lambda i: -len(encoded[i].ids))
        vectors = np.zeros((len(texts), self._dimension), dtype=np.float32)
        starts = range(0, len(order), self._batch_size)
        with self._lock:
            session = self._open(for_questions=False)
            for start in tqdm(starts, desc="Batches", unit="batch", disable=not progress):
                rows = order[start : start + self._batch_size]
                batch = [encoded[i] for i in rows]
                hidden = self._hidden(session, batch)
                vectors[rows] = _mean_pooled(hidden, batch)
                if pooled is not None and sentences is not None:
                    for position, (row, encoding) in enumerate(zip(rows, batch, strict=True)):
                        tokens = hidden[position, : len(encoding.ids)]
                        pooled[row] = pool_encoding(tokens, encoding, sentences[row])
        return vectors, pooled

    def encode_query(self, text: str) -> np.ndarray:
        return self.encode_queries([text])

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self._dimension), dtype=np.float32)
        encoded = self._truncating.encode_batch(list(texts))
        with self._query_lock:
            return _mean_pooled(self._hidden(self._open(for_questions=True), encoded), encoded)

    def _hidden(self, session: onnxruntime.InferenceSession, batch: list[Encoding]) -> np.ndarray:
        """The last hidden states of a batch, padded to its longest text."""
        length = max(len(e.ids) for e in batch)
        ids = np.full((len(batch), length), self._pad_id, dtype=np.int64)
        mask = np.zeros((len(batch), length), dtype=np.int64)
        for row, encoding in enumerate(batch):
            ids[row, : len(encoding.ids)] = encoding.ids
            mask[row, : len(encoding.ids)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        (hidden,) = session.run(["last_hidden_state"], {n: feeds[n] for n in self._inputs})
        return np.asarray(hidden, dtype=np.float32)


def _mean_pooled(hidden: np.ndarray, batch: list[Encoding]) -> np.ndarray:
    """Mean of the last hidden states over real tokens, L2-normalized, as the model was trained."""
    mask = np.zeros(hidden.shape[:2], dtype=np.float32)
    for row, encoding in enumerate(batch):
        mask[row, : len(encoding.ids)] = 1.0
    weights = mask[:, :, None]
    pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
    norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
    return np.ascontiguousarray(pooled / norms, dtype=np.float32)


def _mean_pooled_transformer(folder: Path) -> Path | None:
    """The Transformer's folder when the stack pools by mean alone (what `_mean_pooled` computes)."""
    try:
        modules = json.loads((folder / "modules.json").read_text("utf-8"))
        pooling = json.loads((folder / modules[1]["path"] / "config.json").read_text("utf-8"))
        transformer = folder / modules[0]["path"]
    except (OSError, ValueError, LookupError, TypeError):
        return None
    modes = {k for k, v in pooling.items() if k.startswith("pooling_mode_") and v is True}
    return transformer if modes == {"pooling_mode_mean_tokens"} else None


def _pad_id(tokenizer: Tokenizer) -> int:
    """Padded positions are masked out, so any id works; the model's own is used where known."""
    for token in ("[PAD]", "<pad>"):
        found = tokenizer.token_to_id(token)
        if found is not None:
            return int(found)
    return 0
