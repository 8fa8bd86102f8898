"""Sentence vectors made at index time: pooling, int8 storage, both backends, and the reply path."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from index import Embedder, IndexSettings, IndexWriter, NewsIndex
from index.embedding.model import encode_sentences_apart
from index.embedding.model_input import document_text
from index.embedding.onnx_model import OnnxEmbedder
from index.embedding.sentence_vectors import dequantize, pool_spans, quantize, spans_in_document
from index.errors import IndexCorruptError
from index.settings import PACKAGED_MODEL
from index.store.faiss.sentence_codes import CODES_NAME, SCALES_NAME
from index.store.manifest import FORMAT_VERSION, MANIFEST_NAME, Manifest, file_digests
from tests.conftest import SEEDS, DelegatingEmbedder

QUESTION = "Which countries signed long-term security agreements with Ukraine?"
ANSWER_START = "The Paris conference comes after France, Germany and the UK"

FINITE = st.floats(-1.0, 1.0, width=32, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(arrays(np.float32, st.tuples(st.integers(0, 6), st.integers(1, 16)), elements=FINITE))
def test_int8_codes_give_every_vector_back_within_half_a_step(vectors: np.ndarray) -> None:
    codes, scales = quantize(vectors)
    assert codes.dtype == np.int8 and codes.shape == vectors.shape
    assert scales.shape == (len(vectors),) and (np.abs(codes) <= 127).all()
    back = dequantize(codes, scales)
    assert (np.abs(back - vectors) <= scales[:, None] / 2 + 1e-6).all()


def test_pooling_averages_the_text_tokens_each_span_touches() -> None:
    tokens = np.array([[9.0, 9.0], [1.0, 0.0], [0.0, 1.0], [3.0, 0.0], [9.0, 9.0]])
    offsets = [(0, 0), (0, 3), (4, 7), (8, 12), (0, 0)]  # [CLS] "one" "two" "four" [SEP]
    is_text = [False, True, True, True, False]
    pooled = pool_spans(tokens, offsets, is_text, [(0, 7), (8, 12), (5, 9), (13, 20)])
    assert np.allclose(pooled[0], np.array([1.0, 1.0]) / np.sqrt(2))  # specials left out
    assert np.allclose(pooled[1], [1.0, 0.0])
    assert np.allclose(pooled[2], np.array([3.0, 1.0]) / np.sqrt(10))  # partly covered tokens count
    assert not pooled[3].any(), "a span past the model's window has no vector"


def test_spans_move_with_the_title_the_model_reads_first() -> None:
    title, text = "A title", "Prefix. First one. Second one."
    passage_start = len("Prefix. ")
    passage = text[passage_start:]
    sentences = [(8, 18), (19, 30)]
    document = document_text(title, passage)
    inside = spans_in_document(len(title), passage_start, sentences)
    assert [document[a:b] for a, b in inside] == ["First one.", "Second one."]


@pytest.fixture(scope="module")
def fp32_onnx(onnx_models_dir: Path) -> OnnxEmbedder:
    return OnnxEmbedder(PACKAGED_MODEL, backend="onnx", models_dir=onnx_models_dir)


def _document() -> tuple[str, list[tuple[int, int]]]:
    passage = (
        "Macron said Russia is preparing new attacks. The meeting was in Paris. "
        "Leaders from 20 countries attended."
    )
    starts = [0, passage.index("The meeting"), passage.index("Leaders")]
    ends = [passage.index(" The meeting"), passage.index(" Leaders"), len(passage)]
    title = "Paris conference on Ukraine"
    return document_text(title, passage), spans_in_document(
        len(title), 0, list(zip(starts, ends, strict=True))
    )


@pytest.mark.parametrize("backend", ["torch", "onnx"])
def test_one_forward_pass_gives_the_passage_vector_and_its_sentences(
    backend: str, embedder: Embedder, fp32_onnx: OnnxEmbedder
) -> None:
    model: Embedder = embedder if backend == "torch" else fp32_onnx
    document, spans = _document()
    vectors, (sentences,) = model.encode_passages([document], [spans])
    assert np.allclose(vectors, model.encode_documents([document]), atol=1e-5)
    assert sentences.shape == (3, model.dimension)
    assert np.allclose(np.linalg.norm(sentences, axis=1), 1.0, atol=1e-5)
    # Each sentence's pooled vector is nearest to that sentence's words on their own.
    alone = model.encode_documents([document[a:b] for a, b in spans])
    assert (np.argmax(sentences @ alone.T, axis=1) == [0, 1, 2]).all()


def test_torch_and_onnx_pool_the_same_tokens(embedder: Embedder, fp32_onnx: OnnxEmbedder) -> None:
    """The torch path maps tokens to characters through its own tokenizer copy: the same
    mapping as onnx's gives the same vectors (the weights are the same)."""
    document, spans = _document()
    _, (by_torch,) = embedder.encode_passages([document], [spans])
    _, (by_onnx,) = fp32_onnx.encode_passages([document], [spans])
    assert np.allclose(by_torch, by_onnx, atol=1e-4)


def test_a_model_without_token_embeddings_embeds_each_sentence_after_title_and_previous(
    embedder: Embedder,
) -> None:
    document, spans = _document()
    _, (apart,) = encode_sentences_apart(embedder, [document], [spans])
    title = document.split("\n", 1)[0]
    first, second = (document[a:b] for a, b in spans[:2])
    expected = embedder.encode_documents([f"{title}\n{first}", f"{title}\n{first} {second}"])
    assert np.allclose(apart[:2], expected, atol=1e-5)


class _CountingEmbedder(DelegatingEmbedder):
    """The real model, counting the texts it is asked to embed as documents."""

    def __init__(self, embedder: Embedder) -> None:
        super().__init__(embedder)
        self.documents = 0

    def encode_documents(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        self.documents += len(texts)
        return super().encode_documents(texts, progress=progress)

    def encode_passages(
        self, texts: Sequence[str], sentences: Sequence[Sequence[tuple[int, int]]], *,
        progress: bool = False,
    ) -> tuple[np.ndarray, list[np.ndarray]]:  # fmt: skip
        self.documents += len(texts)
        return super().encode_passages(texts, sentences, progress=progress)


def test_a_reply_embeds_nothing_but_the_question(
    settings: IndexSettings, embedder: Embedder
) -> None:
    counting = _CountingEmbedder(embedder)
    report = IndexWriter(settings, counting).rebuild([SEEDS])
    assert report.version is not None
    manifest = Manifest.load(report.version)
    assert manifest.format_version >= 2 and manifest.sentences > manifest.passages
    counting.documents = 0
    index = NewsIndex(settings, counting)
    top = index.search(QUESTION)[0]
    assert top.text[top.bold_sentence[0] : top.bold_sentence[1]].startswith(ANSWER_START)
    assert counting.documents == 0, "the bold sentence came from the stored vectors"
    again = IndexWriter(settings, counting).rebuild([SEEDS])
    assert again.embedded == 0 and counting.documents == 0, "an unchanged rebuild embeds nothing"


def _as_format_1(folder: Path) -> None:
    """What a version written before sentences were stored looks like."""
    (folder / CODES_NAME).unlink()
    (folder / SCALES_NAME).unlink()
    db = sqlite3.connect(folder / "metadata.sqlite")
    db.execute("DROP TABLE sentences")
    db.commit()
    db.close()
    manifest = json.loads((folder / MANIFEST_NAME).read_text("utf-8"))
    del manifest["sentences"]
    manifest.update(format_version=1, files=file_digests(folder))
    (folder / MANIFEST_NAME).write_text(json.dumps(manifest), "utf-8")


def test_a_format_1_version_serves_until_a_write_stores_its_sentences(
    settings: IndexSettings, embedder: Embedder, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    report = IndexWriter(settings, embedder).rebuild([SEEDS])
    assert report.version is not None
    _as_format_1(report.version)
    with caplog.at_level("WARNING"):
        old = NewsIndex(settings, embedder).search(QUESTION)[0]
    assert "stores no sentence vectors" in caplog.text
    assert old.text[old.bold_sentence[0] : old.bold_sentence[1]].startswith(ANSWER_START)

    upgraded = IndexWriter(settings, embedder).rebuild([SEEDS])
    assert upgraded.version is not None and upgraded.unchanged == upgraded.articles
    assert Manifest.load(upgraded.version).format_version == FORMAT_VERSION
    new = NewsIndex(settings, embedder).search(QUESTION)[0]
    assert new.text[new.bold_sentence[0] : new.bold_sentence[1]].startswith(ANSWER_START)


def test_sentence_vectors_that_disagree_with_the_listing_are_refused(
    settings: IndexSettings, embedder: Embedder
) -> None:
    report = IndexWriter(settings, embedder).rebuild([SEEDS])
    assert report.version is not None
    manifest = Manifest.load(report.version)
    codes = np.load(report.version / CODES_NAME)
    np.save(report.version / CODES_NAME, codes[:-1])
    np.save(report.version / SCALES_NAME, np.load(report.version / SCALES_NAME)[:-1])
    dataclasses.replace(manifest, files=file_digests(report.version)).save(report.version)
    with pytest.raises(IndexCorruptError, match="sentence vectors"):
        NewsIndex(settings, embedder).search(QUESTION)
