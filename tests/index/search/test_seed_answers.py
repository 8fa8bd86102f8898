"""What a reader sees for questions the seed article answers: the sentence that answers in bold
and a band that does not call a right answer weak (the packaged model's measured confidence)."""

from __future__ import annotations

import pytest

from index import Embedder, IndexSettings, IndexWriter, NewsIndex
from tests.conftest import SEEDS

QUESTIONS = [
    ("Was Olaf Scholz at the meeting?", "Olaf Scholz"),
    ("How many European heads of state met in Paris?", "20 European heads of state"),
    ("Did Macron rule out sending troops to Ukraine?", "not “ruled out”"),
    ("How long does Nato have to strengthen its defences?", "three or four years"),
    ("Which countries signed 10-year agreements with Ukraine?", "France, Germany and the UK"),
    ("What did Zelensky ask of the leaders in Paris?", "ensure that Putin cannot destroy"),
    ("Which countries could be targets of Russian expansionism?", "Estonia, Lithuania and Latvia"),
]


@pytest.fixture
def seed_index(settings: IndexSettings, embedder: Embedder) -> NewsIndex:
    IndexWriter(settings, embedder).rebuild([SEEDS])
    return NewsIndex(settings, embedder)


def test_right_answers_from_the_seed_read_at_least_good(seed_index: NewsIndex) -> None:
    for question, answer in QUESTIONS:
        (hit, *_) = seed_index.search(question)
        assert answer in hit.text, question
        bold = hit.text[hit.bold_sentence[0] : hit.bold_sentence[1]]
        assert answer in bold, f"{question!r}: bold {bold!r}"
        assert hit.relevance in ("strong", "good"), (
            f"{question!r}: {hit.relevance} {hit.confidence}"
        )
        assert hit.confidence is not None and 0.0 < hit.confidence < 1.0


def test_chatter_is_not_covered(seed_index: NewsIndex) -> None:
    for text in ("hello, how are you?", "recommend a good pizza place", "write me a poem"):
        assert seed_index.search(text) == [], text
