"""The in-memory memo of sentence vectors: the model sees each recent text once."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from index.embedding.memo import VectorMemo
from index.embedding.model import Embedder


def test_only_texts_not_seen_lately_reach_the_model(embedder: Embedder) -> None:
    seen: list[list[str]] = []

    def encode(texts: Sequence[str]) -> np.ndarray:
        seen.append(list(texts))
        return embedder.encode_documents(texts)

    memo = VectorMemo(encode, size=2)
    first = memo.encode(
        ["Lava reached Grindavik.", "Duda signed the budget.", "Lava reached Grindavik."]
    )
    assert seen == [["Lava reached Grindavik.", "Duda signed the budget."]]  # once each, one batch
    direct = embedder.encode_documents(["Lava reached Grindavik.", "Duda signed the budget."])
    np.testing.assert_allclose(first, direct[[0, 1, 0]], atol=1e-6)

    again = memo.encode(["Duda signed the budget.", "Ding Liren won in Astana."])
    assert seen[1:] == [["Ding Liren won in Astana."]]
    np.testing.assert_allclose(again[0], direct[1], atol=1e-6)

    # Two texts are kept: the least recently used one ("Lava…") made room for the new one.
    memo.encode(["Lava reached Grindavik."])
    assert seen[2:] == [["Lava reached Grindavik."]]
    assert memo.encode([]).size == 0
