"""Fixtures of the index tests: the packaged model exported to ONNX once per run."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from index import IndexSettings
from index.embedding.onnx_model import OnnxEmbedder
from index.settings import PACKAGED_MODEL
from tests.milvus_lite import running_milvus_lite

# `python -m index` run as it is from the shell, then the model libraries the run imported.
CLI_THEN_MODULES = """
import runpy, sys
sys.argv = ["index", *sys.argv[1:]]
try:
    runpy.run_module("index", run_name="__main__")
except SystemExit as exit:
    assert not exit.code, exit.code
print(sorted(m for m in ("torch", "sentence_transformers", "transformers") if m in sys.modules))
"""


@pytest.fixture(scope="session")
def onnx_models_dir(shared_models_dir: Path) -> Path:
    """The shared MODELS_DIR, holding both exports (fp32 and int8) of the packaged model."""
    for backend in ("onnx", "onnx-int8"):
        OnnxEmbedder(PACKAGED_MODEL, backend=backend, models_dir=shared_models_dir).export()
    return shared_models_dir


@pytest.fixture
def onnx_settings(
    settings: IndexSettings, onnx_models_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> IndexSettings:
    """The test's settings with EMBEDDING_BACKEND=onnx-int8 and the shared exports (so too for
    its subprocesses)."""
    monkeypatch.setenv("MODELS_DIR", str(onnx_models_dir))
    monkeypatch.setenv("EMBEDDING_BACKEND", "onnx-int8")
    return settings.model_copy(
        update={"models_dir": onnx_models_dir, "embedding_backend": "onnx-int8"}
    )


@pytest.fixture(autouse=True)
def vector_store(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """VECTOR_STORE of the test (and its subprocesses): faiss unless a test asks for both.

    With milvus the default MILVUS_URI is used, a Milvus Lite folder in the test's INDEX_DIR;
    this process stops serving it at the end of the test (whichever store the test asked for).
    """
    store: str = getattr(request, "param", "faiss")
    monkeypatch.setenv("VECTOR_STORE", store)
    yield store
    if (
        "index.store.milvus.collections" in sys.modules
    ):  # a test may open Milvus Lite whatever its store
        from index.store.milvus.collections import disconnect

        disconnect(IndexSettings(_env_file=None))  # type: ignore[call-arg]


@pytest.fixture
def settings(isolated_environment: Path, vector_store: str) -> IndexSettings:
    """The shared settings fixture, on the test's VECTOR_STORE."""
    return IndexSettings(_env_file=None, data_dir=isolated_environment, vector_store=vector_store)  # type: ignore[call-arg]


@pytest.fixture
def milvus_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, vector_store: str
) -> Iterator[str | None]:
    """For VECTOR_STORE=milvus, Milvus Lite's own server on a free local port, its URI in
    MILVUS_URI: the way several processes (a bot, the command line) share one Lite folder.
    None for faiss."""
    if vector_store != "milvus":
        yield None
        return
    with running_milvus_lite(tmp_path) as uri:
        monkeypatch.setenv("MILVUS_URI", uri)
        yield uri
