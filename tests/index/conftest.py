"""Fixtures of the index tests: the packaged model exported to ONNX once per run."""

from __future__ import annotations

from pathlib import Path

import pytest

from index import IndexSettings
from index.onnx_embedder import OnnxEmbedder
from index.settings import PACKAGED_MODEL


@pytest.fixture(scope="session")
def onnx_models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A MODELS_DIR holding both exports (fp32 and int8) of the packaged model, made once."""
    folder = tmp_path_factory.mktemp("models")
    for backend in ("onnx", "onnx-int8"):
        OnnxEmbedder(PACKAGED_MODEL, backend=backend, models_dir=folder).export()
    return folder


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
