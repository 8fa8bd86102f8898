"""Shared fixtures: every test runs with its own data folder and never reads the user's `.env`."""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from hypothesis import Phase, settings
from hypothesis.database import DirectoryBasedExampleDatabase

from index import Embedder, IndexSettings, IndexWriter, load_embedder
from tests.postgres import PostgresCluster
from tests.remembering_embedder import RememberingEmbedder
from tests.seed_data import CACHE_FILE, copy_embedding_cache, copy_faiss_index

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SEEDS = PROJECT_ROOT / "seeds"
SHARED_EVAL = (PROJECT_ROOT.parent / "shared" / "eval").resolve()

# CI (CI=true) explores the same examples on every run, keeps no example database, and does not
# shrink a failure (shrinking once took minutes): the failing example and its blob are printed,
# and `@reproduce_failure` replays it locally. Elsewhere exploration stays random, and shrinks.
# HYPOTHESIS_PROFILE=ci|local picks one by hand.
settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    print_blob=True,
    phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.explain),
)
# Tests run in temporary folders, so the example database is pinned to the checkout.
settings.register_profile(
    "local",
    print_blob=True,
    database=DirectoryBasedExampleDatabase(PROJECT_ROOT / ".hypothesis" / "examples"),
)
_IN_CI = os.environ.get("CI", "").lower() == "true"
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if _IN_CI else "local"))

# Variables a developer may have exported that would point tests at real data or Telegram.
_PRODUCT_VARIABLES = (
    "DATA_DIR", "INDEX_DIR", "EMBEDDING_CACHE_PATH", "EMBEDDING_MODEL", "EMBEDDING_BACKEND",
    "QUESTION_BACKEND",
    "MODELS_DIR", "FAISS_INDEX_FACTORY", "FAISS_EXACT_LIMIT",
    "TELEGRAM_BOT_TOKEN", "TELEGRAM_API_BASE_URL", "WEBHOOK_URL", "SEARCH_MIN_SCORE",
    "DATABASE_URL", "SUBSCRIPTIONS_DB", "VECTOR_STORE", "MILVUS_URI", "MILVUS_TOKEN",
)  # fmt: skip


@pytest.fixture(scope="session")
def shared_models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """MODELS_DIR of every test: the ONNX exports questions run on are made once per run (by
    the first write or question that needs one; the xdist workers share it, under its lock)."""
    root = tmp_path_factory.getbasetemp()
    folder = (root.parent if os.environ.get("PYTEST_XDIST_WORKER") else root) / "models"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture(autouse=True)
def isolated_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shared_models_dir: Path
) -> Iterator[Path]:
    """A private DATA_DIR for the test and its subprocesses, and no `.env` from the working
    folder; MODELS_DIR is shared (an export takes seconds and never changes)."""
    for name in _PRODUCT_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    data_dir = tmp_path / "data"
    monkeypatch.setenv("DATA_DIR", str(data_dir))
    monkeypatch.setenv("MODELS_DIR", str(shared_models_dir))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    # A question waits for a newly published version this long at most (0.1 s by default); tests
    # that write and then ask must not depend on how fast this machine loads it. The tests of
    # loading in the background set their own.
    monkeypatch.setenv("INDEX_RELOAD_WAIT_SECONDS", "60")
    monkeypatch.chdir(tmp_path)
    yield data_dir


@pytest.fixture
def settings(isolated_environment: Path) -> IndexSettings:
    return IndexSettings(_env_file=None, data_dir=isolated_environment)  # type: ignore[call-arg]


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """A PostgreSQL 15 server of this test process (each xdist worker starts its own)."""
    try:
        cluster = PostgresCluster()
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def postgres_url(postgres_cluster: PostgresCluster) -> Iterator[str]:
    """A `postgresql://` URL of an empty database of the test's own."""
    with postgres_cluster.database() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """The bot's database, once as a SQLite file and once on the PostgreSQL server."""
    if request.param == "sqlite":
        return tmp_path / "data" / "subscriptions.sqlite"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture(scope="session")
def model_embedder(shared_models_dir: Path) -> Embedder:
    """The real packaged model (torch, what builds indexes), loaded once for the whole run: the
    instance `load_embedder` gives every test's settings too. For tests of the model itself."""
    return load_embedder(IndexSettings(_env_file=None, models_dir=shared_models_dir))  # type: ignore[call-arg]


@pytest.fixture(scope="session")
def embedder(model_embedder: Embedder) -> Embedder:
    """The real model, each text encoded once per worker (`tests.remembering_embedder`)."""
    return RememberingEmbedder(model_embedder)  # type: ignore[return-value]


@pytest.fixture(scope="session")
def seed_data_dir(
    tmp_path_factory: pytest.TempPathFactory, embedder: Embedder, shared_models_dir: Path
) -> Path:
    """A DATA_DIR holding the sample index (FAISS) and the embedding cache its build filled
    (passages, sentences and reference questions of the packaged model on torch, what the
    command line and the bot build with by default), built once per test process. Read only:
    tests take copies (`seed_vectors_cached`, `seed_index_copied`)."""
    data_dir = tmp_path_factory.mktemp("seed-data")
    settings = IndexSettings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=data_dir,
        index_dir=data_dir / "index",
        embedding_cache_path=data_dir / CACHE_FILE,
        models_dir=shared_models_dir,
        vector_store="faiss",
    )
    IndexWriter(settings, embedder).rebuild([SEEDS])
    return data_dir


@pytest.fixture
def seed_vectors_cached(isolated_environment: Path, seed_data_dir: Path) -> Path:
    """The test's DATA_DIR starts with a copy of the seeds' embedding cache: its subprocesses
    rebuild the seeds without loading the model. Anything else is embedded as before."""
    return copy_embedding_cache(seed_data_dir, isolated_environment)


@pytest.fixture
def seed_index_copied(
    isolated_environment: Path, seed_vectors_cached: Path, seed_data_dir: Path
) -> Path:
    """The test's DATA_DIR starts with a copy of the sample FAISS index (and the seeds' cache),
    for tests that need an index to start from, not the building of one."""
    return copy_faiss_index(seed_data_dir, isolated_environment)


class DelegatingEmbedder:
    """The real model behind a test's own wrapper: every call goes to it unless a subclass
    overrides it (to count or pause calls). It has no `counting_tokenizer`, so a writer splits
    in this process and every token count passes through `count_tokens`."""

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder
        self.model_name, self.dimension = embedder.model_name, embedder.dimension
        self.max_tokens, self.backend = embedder.max_tokens, embedder.backend

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return self._embedder.count_tokens(texts)

    def encode_documents(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        return self._embedder.encode_documents(texts, progress=progress)

    def encode_passages(
        self, texts: Sequence[str], sentences: Sequence[Sequence[tuple[int, int]]], *,
        progress: bool = False,
    ) -> tuple[np.ndarray, list[np.ndarray]]:  # fmt: skip
        return self._embedder.encode_passages(texts, sentences, progress=progress)

    def encode_query(self, text: str) -> np.ndarray:
        return self._embedder.encode_query(text)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embedder.encode_queries(texts)

    def warm_up(self) -> None:
        self._embedder.warm_up()


def write_article(
    folder: Path, name: str, title: str, body: str, *, published: str | None = None
) -> Path:
    """A Markdown article with front matter (title, source, date), as a user would drop in:
    today's news unless `published` says otherwise (older news is not alerted)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    published = published or today()
    path.write_text(
        f"---\ntitle: {title}\nsource: Test Wire\npublished: {published}\n---\n{body}\n",
        "utf-8",
    )
    return path


def today() -> str:
    """Today's date in UTC, as an article's published date is written."""
    return datetime.now(UTC).date().isoformat()


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MiB file system of its own (tmpfs), to run out of space on. Mounting needs root."""
    mount = tmp_path / "small-disk"
    mount.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"a small tmpfs cannot be mounted here: {mounted.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "--lazy", str(mount)], check=False)


def fill_disk(folder: Path) -> Path:
    """Write a file into `folder` until its file system has no space left; the file's path."""
    filler = folder / "filler.bin"
    with open(filler, "wb", buffering=0) as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC, exc
    with open(filler, "ab", buffering=0) as handle:  # the last partial page, too
        try:
            while True:
                handle.write(b"\0")
        except OSError:
            pass
    return filler
