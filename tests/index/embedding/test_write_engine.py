"""A write's few new passages are embedded on onnxruntime fp32, with torch's vectors, and without
torch; a large write, a loaded torch model or a missing export keep torch."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from index import Embedder, IndexSettings, IndexWriter
from index.embedding.model import SentenceTransformerEmbedder
from index.embedding.onnx_model import OnnxEmbedder
from index.embedding.write_engine import write_engine
from index.settings import PACKAGED_MODEL
from index.store.faiss.vectors import load_faiss
from index.store.publish import IndexLayout
from tests.conftest import PROJECT_ROOT, SEEDS, write_article
from tests.index.conftest import CLI_THEN_MODULES

pytestmark = pytest.mark.slow

BODY = (
    "The harbour authority of Tallinn opened a second ferry terminal on Monday. "
    "Ships to Helsinki will leave every hour from the new quay, the authority said. "
    "The terminal cost 40 million euros and took three years to build."
)


@pytest.fixture
def unloaded_torch() -> SentenceTransformerEmbedder:
    """A torch embedder as a fresh process has it: the model folder read, torch not loaded."""
    return SentenceTransformerEmbedder(PACKAGED_MODEL)


@pytest.fixture
def exported(settings: IndexSettings, onnx_models_dir: Path) -> IndexSettings:
    """Settings whose MODELS_DIR holds the exports (the first write of a run makes fp32's)."""
    return settings.model_copy(update={"models_dir": onnx_models_dir})


def test_few_passages_of_an_unloaded_torch_model_go_to_onnx_fp32(
    exported: IndexSettings, unloaded_torch: SentenceTransformerEmbedder
) -> None:
    engine = write_engine(exported, unloaded_torch, 5)

    assert isinstance(engine, OnnxEmbedder) and engine.backend == "onnx"
    limit = exported.onnx_write_limit
    assert write_engine(exported, unloaded_torch, limit) is engine
    assert write_engine(exported, unloaded_torch, limit + 1) is unloaded_torch
    never = exported.model_copy(update={"onnx_write_limit": 0})
    assert write_engine(never, unloaded_torch, 1) is unloaded_torch
    assert not unloaded_torch.loaded


def test_a_loaded_torch_model_or_a_missing_export_keeps_torch(
    exported: IndexSettings,
    model_embedder: Embedder,
    unloaded_torch: SentenceTransformerEmbedder,
    tmp_path: Path,
) -> None:
    model_embedder.warm_up()
    assert write_engine(exported, model_embedder, 5) is model_embedder
    no_export = exported.model_copy(update={"models_dir": tmp_path / "no-models"})
    assert write_engine(no_export, unloaded_torch, 5) is unloaded_torch
    assert not (tmp_path / "no-models").exists() or not any((tmp_path / "no-models").iterdir())


def _vectors(settings: IndexSettings) -> np.ndarray:
    folder = IndexLayout(settings.resolved_index_dir).current_version()
    assert folder is not None
    index = load_faiss(folder)
    return np.asarray(index.reconstruct_n(0, index.ntotal))


def test_an_article_added_on_onnx_has_the_vectors_torch_would_give_it(
    exported: IndexSettings,
    embedder: Embedder,
    unloaded_torch: SentenceTransformerEmbedder,
    tmp_path: Path,
) -> None:
    article = write_article(tmp_path / "new", "ferry.md", "Tallinn opens a ferry terminal", BODY)
    on_onnx = exported.model_copy(
        update={"index_dir": tmp_path / "a", "embedding_cache_path": tmp_path / "a.sqlite"}
    )
    on_torch = exported.model_copy(
        update={"index_dir": tmp_path / "b", "embedding_cache_path": tmp_path / "b.sqlite"}
    )
    IndexWriter(on_onnx, unloaded_torch).rebuild([SEEDS, article])
    IndexWriter(on_torch, embedder).rebuild([SEEDS, article])

    assert not unloaded_torch.loaded, "the write never loaded torch"
    onnx_vectors, torch_vectors = _vectors(on_onnx), _vectors(on_torch)
    assert onnx_vectors.shape == torch_vectors.shape and len(onnx_vectors) >= 3
    assert (onnx_vectors * torch_vectors).sum(axis=1).min() > 0.9999


@pytest.mark.usefixtures("seed_index_copied")
def test_adding_an_article_from_the_command_line_imports_no_torch(tmp_path: Path) -> None:
    article = write_article(tmp_path / "new", "ferry.md", "Tallinn opens a ferry terminal", BODY)
    result = subprocess.run(
        [sys.executable, "-c", CLI_THEN_MODULES, "add", str(article), "-q"],
        capture_output=True, text=True, timeout=600,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    report, loaded = result.stdout.splitlines()[-2:]
    assert "passages embedded" in report and " 0 passages embedded" not in report, report
    assert loaded == "[]"
