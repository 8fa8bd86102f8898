"""Questions and builds share a process (the bot indexes its inbox while it answers): a question
runs on one thread and never waits for a build; a build keeps every core."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from index import Embedder
from index.embedding.onnx_model import OnnxEmbedder
from index.settings import PACKAGED_MODEL

pytestmark = pytest.mark.slow

TEXTS = [
    f"Passage {n}: the council met on Tuesday and voted on the budget for the harbour, "
    f"the schools and the roads of district {n}, after a debate that lasted into the night."
    for n in range(600)
]


def test_a_torch_question_leaves_builds_every_core(model_embedder: Embedder) -> None:
    import torch

    before = torch.get_num_threads()
    model_embedder.encode_queries(["Who voted on the budget?"])
    assert torch.get_num_threads() == before


def test_an_onnx_question_is_answered_while_a_build_runs(onnx_models_dir: Path) -> None:
    onnx = OnnxEmbedder(PACKAGED_MODEL, backend="onnx-int8", models_dir=onnx_models_dir)
    onnx.warm_up()
    builder = threading.Thread(target=onnx.encode_documents, args=(TEXTS,))
    builder.start()
    while not onnx._lock.locked():  # the build has its session: the question comes after it
        time.sleep(0.001)
    vector = onnx.encode_queries(["Who voted on the budget?"])
    still_building = builder.is_alive()
    builder.join()
    assert vector.shape == (1, onnx.dimension)
    assert still_building, "the question waited for the whole build"
