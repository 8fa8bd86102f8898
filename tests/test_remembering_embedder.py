"""The test suite's remembering model (`tests.remembering_embedder`): the model's own vectors,
each text encoded once."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from index import Embedder
from tests.conftest import DelegatingEmbedder
from tests.remembering_embedder import RememberingEmbedder


class _Counting(DelegatingEmbedder):
    def __init__(self, embedder: Embedder) -> None:
        super().__init__(embedder)
        self.passages: list[str] = []

    def encode_passages(
        self, texts: Sequence[str], sentences: Sequence[Sequence[tuple[int, int]]], *,
        progress: bool = False,
    ) -> tuple[np.ndarray, list[np.ndarray]]:  # fmt: skip
        self.passages += texts
        return super().encode_passages(texts, sentences, progress=progress)


def test_each_passage_is_encoded_once_and_read_back_as_the_model_gave_it(
    model_embedder: Embedder,
) -> None:
    texts = ["Lava reached the sea. Homes were evacuated.", "The cup final went to penalties."]
    spans = [[(0, 21), (22, 43)], [(0, 32)]]
    counting = _Counting(model_embedder)
    remembering = RememberingEmbedder(counting)
    direct, direct_sentences = model_embedder.encode_passages(texts, spans)

    first, first_sentences = remembering.encode_passages(texts, spans)
    again, again_sentences = remembering.encode_passages(
        [texts[1], texts[0], texts[1]], [spans[1], spans[0], spans[1]]
    )

    assert counting.passages == texts  # one model call, for both
    assert np.allclose(first, direct, atol=1e-5)
    assert all(
        np.allclose(a, b, atol=1e-5) for a, b in zip(first_sentences, direct_sentences, strict=True)
    )
    assert np.array_equal(again, first[[1, 0, 1]])
    assert np.array_equal(again_sentences[1], first_sentences[0])
    again[0] += 1.0  # a caller's change does not reach what is remembered
    assert np.array_equal(remembering.encode_passages(texts[1:], spans[1:])[0], first[1:])
    # other spans of the same text are another input: the model is asked
    remembering.encode_passages(texts[:1], [[(0, 43)]])
    assert counting.passages == [*texts, texts[0]]


def test_documents_and_questions_are_remembered_apart_from_passages(
    model_embedder: Embedder,
) -> None:
    remembering = RememberingEmbedder(model_embedder)
    question = remembering.encode_query("Who won the cup?")
    assert question.shape == (1, model_embedder.dimension)
    assert np.allclose(question, model_embedder.encode_query("Who won the cup?"), atol=1e-5)
    documents = remembering.encode_documents(["Who won the cup?", "Lava reached the sea."])
    assert documents.shape == (2, model_embedder.dimension)
    assert remembering.encode_documents([]).shape == (0, model_embedder.dimension)
    assert remembering.counting_tokenizer is getattr(model_embedder, "counting_tokenizer", None)
