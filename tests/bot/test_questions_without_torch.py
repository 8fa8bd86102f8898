"""A bot that only answers never imports torch or sentence-transformers: questions run on ONNX
(QUESTION_BACKEND=onnx, the default), exported by the writer that built the index."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from index import Embedder, IndexSettings, IndexWriter
from tests.conftest import PROJECT_ROOT, SEEDS

pytestmark = pytest.mark.slow

# The bot's whole application imported, its index opened as post_init opens it, a question
# answered, and an alert round's inbox step run with nothing waiting.
_ANSWER_WITHOUT_TORCH = """
import sys
import bot.application
from bot.inbox import index_inbox
from bot.settings import BotSettings
from bot.startup import open_index

settings = BotSettings()
index = open_index(settings)
hits = index.search("Which countries signed long-term security agreements with Ukraine?")
assert hits and "10-year bilateral agreements" in hits[0].text, hits
settings.resolved_inbox_dir.mkdir(parents=True, exist_ok=True)
assert index_inbox(settings, settings.resolved_inbox_dir) is None
loaded = sorted(m for m in ("torch", "sentence_transformers", "transformers") if m in sys.modules)
print(index.embedder.backend, loaded)
"""


def test_a_bot_answers_without_importing_torch(settings: IndexSettings, embedder: Embedder) -> None:
    IndexWriter(settings, embedder).rebuild([SEEDS])  # exports the question model too

    result = subprocess.run(
        [sys.executable, "-c", _ANSWER_WITHOUT_TORCH],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[-2] == "onnx []"
    assert "exporting" not in result.stderr  # the writer made the export


def test_an_export_missing_at_the_first_question_is_made_once_and_logged(
    settings: IndexSettings, embedder: Embedder, tmp_path: Path
) -> None:
    """An index copied from elsewhere: the question model is exported then, with torch."""
    IndexWriter(settings, embedder).rebuild([SEEDS])
    empty = tmp_path / "other-models"

    result = subprocess.run(
        [sys.executable, "-c", _ANSWER_WITHOUT_TORCH],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "MODELS_DIR": str(empty)},
    )

    assert result.returncode == 0, result.stderr
    assert "export of packaged:all-MiniLM-L6-v2 for questions is missing" in result.stderr
    assert result.stdout.split("\n")[-2].startswith("onnx ['torch'")
