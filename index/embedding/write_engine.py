"""Which engine embeds a write's new passages: a few on onnxruntime fp32, many on torch.

With EMBEDDING_BACKEND=torch a process that adds one article spends seconds importing torch and
loading the model for a fraction of a second of encoding. onnxruntime fp32 runs the same weights
in the same precision (one vector family: equal vectors to 1e-5, see `vector_family`) and opens
in well under a second, so a write that embeds up to ONNX_WRITE_LIMIT passages runs there.
A larger one keeps torch, which encodes more passages a second once loaded; so does a process
whose torch model is already loaded, and a model ONNX cannot run or has no export of yet (making
one needs torch anyway: the writer makes it after the write, for questions).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from index.embedding.cache import PassageEncoding
from index.embedding.model import Embedder, SentenceTransformerEmbedder, load_onnx_embedder
from index.embedding.vector_family import onnx_of_family
from index.errors import IndexMismatchError
from index.settings import IndexSettings

log = logging.getLogger(__name__)


def encoder_for_misses(
    settings: IndexSettings, embedder: Embedder
) -> Callable[[int], PassageEncoding]:
    """What `EmbeddingCache.embed_passages` encodes a write's misses with, chosen by their count."""
    return lambda misses: write_engine(settings, embedder, misses).encode_passages


def write_engine(settings: IndexSettings, embedder: Embedder, passages: int) -> Embedder:
    """The embedder that encodes `passages` new passages of a write by `embedder`."""
    onnx = onnx_of_family(embedder.backend)
    if passages > settings.onnx_write_limit or onnx is None or not _torch_unloaded(embedder):
        return embedder
    try:
        same_vectors = load_onnx_embedder(settings, onnx)
    except IndexMismatchError:
        return embedder  # not a Transformer with mean pooling: only torch runs it
    from index.embedding.onnx_model import OnnxEmbedder

    if not isinstance(same_vectors, OnnxEmbedder) or not same_vectors.exported():
        return embedder
    log.info("embedding %d passages on onnxruntime fp32 (the same vectors as torch)", passages)
    return same_vectors


def _torch_unloaded(embedder: Embedder) -> bool:
    """A torch embedder whose model this process has not loaded yet."""
    return isinstance(embedder, SentenceTransformerEmbedder) and not embedder.loaded
