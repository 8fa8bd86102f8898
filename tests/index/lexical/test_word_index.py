"""The word index: BM25 from stored counts scores as bm25s does, and one grown by segments (with
passages hidden along the way) scores as one built whole over the live passages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import bm25s
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.lexical.bm25_scoring import K1, B
from index.lexical.bm25s_index import Bm25sIndex
from index.lexical.segments import (
    WORD_INDEX_DIR,
    SegmentList,
    append_word_index,
    write_word_index,
)
from index.lexical.word_index import WordIndex, search_words
from index.lexical.words import tokenize

TEXTS = [
    "Duda signed the budget after weeks of talks with the government in Warsaw.",
    "Iceland's volcano near Grindavik erupted again, the fourth eruption since December.",
    "Ukraine signed 10-year bilateral security agreements with France and Germany.",
    "The government said the budget keeps defence spending above four percent.",
    "Macron said Western troops in Ukraine could not be ruled out.",
    "Farmers blocked roads in Warsaw over grain imports from Ukraine.",
    "",
    "the and of",  # stopwords only: a document without words
]
QUESTIONS = ["What did Duda sign?", "Grindavik eruption", "Ukraine Ukraine security", "budget"]

words = st.lists(
    st.sampled_from(["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"]),
    max_size=8,
)


def _bm25s_scores(token_lists: list[list[str]], query: list[str]) -> np.ndarray:
    retriever = bm25s.BM25(k1=K1, b=B)
    retriever.index(token_lists, show_progress=False)
    return retriever.get_scores(query)


def _fixed(mask: np.ndarray) -> Callable[[], np.ndarray]:
    return lambda: mask


def _all_scores(index: WordIndex, query: list[str], rows: int) -> np.ndarray:
    scores = np.zeros(rows)
    for row, score in index.search(query, rows, None):
        scores[row] = score
    return scores


def test_scores_are_those_of_bm25s(tmp_path: Path) -> None:
    token_lists = tokenize(TEXTS)
    write_word_index(tmp_path, token_lists, np.arange(len(TEXTS)))
    index = WordIndex.load(tmp_path)
    assert index is not None
    for question in QUESTIONS:
        (query,) = tokenize([question])
        expected = _bm25s_scores(token_lists, query)
        np.testing.assert_allclose(_all_scores(index, query, len(TEXTS)), expected, rtol=1e-5)
    assert search_words(index, "Grindavik", 3)[0][0] == 1
    assert search_words(index, "the of", 3) == [], "a question of stopwords finds nothing"
    assert search_words(index, "Zanzibar", 3) == []


def test_allowed_rows_keep_the_scores_of_the_whole_corpus(tmp_path: Path) -> None:
    write_word_index(tmp_path, tokenize(TEXTS), np.arange(len(TEXTS)))
    index = WordIndex.load(tmp_path)
    assert index is not None
    everything = dict(search_words(index, "Ukraine Warsaw", 10))
    allowed = np.zeros(len(TEXTS), bool)
    allowed[[2, 5]] = True
    within = search_words(index, "Ukraine Warsaw", 10, allowed)
    assert [row for row, _ in within] == [5, 2] and all(everything[r] == s for r, s in within)


@settings(max_examples=40, deadline=None)
@given(
    base=st.lists(words, min_size=1, max_size=12),
    steps=st.lists(
        st.tuples(st.lists(words, max_size=4), st.lists(st.integers(0, 60), max_size=3)),
        max_size=12,
    ),
    query=st.lists(
        st.sampled_from(["alpha", "beta", "gamma", "delta", "omega"]), min_size=1, max_size=3
    ),
)
def test_a_grown_index_scores_as_one_built_whole_over_its_live_rows(
    base: list[list[str]],
    steps: list[tuple[list[list[str]], list[int]]],
    query: list[str],
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Appends, each also hiding some earlier rows (an article replaced or removed), merging
    segments as they go: the search equals bm25s over the live documents alone."""
    folder = tmp_path_factory.mktemp("grown")
    documents = list(base)
    live = np.ones(len(base), bool)
    previous = folder / "v0"
    previous.mkdir()
    write_word_index(previous, documents, np.arange(len(documents)))
    for number, (added, hidden) in enumerate(steps, start=1):
        version = folder / f"v{number}"
        version.mkdir()
        rows = np.arange(len(documents), len(documents) + len(added))
        documents += added
        live = np.concatenate([live, np.ones(len(added), bool)])
        live[[h for h in hidden if h < len(live)]] = False
        append_word_index(version, previous, added, rows, _fixed(live.copy()))
        previous = version
    grown = WordIndex.load(previous, live)
    assert grown is not None
    live_rows = np.flatnonzero(live)
    kept = [documents[r] for r in live_rows]
    expected = np.zeros(len(documents))
    if kept and any(kept):
        expected[live_rows] = _bm25s_scores(kept, query)
    np.testing.assert_allclose(_all_scores(grown, query, len(documents)), expected, rtol=1e-5)


def test_appends_keep_a_handful_of_segments(tmp_path: Path) -> None:
    """Segments merge geometrically: 150 one-article appends onto 5,000 passages leave few, and
    the big first segment is linked, not rewritten, until the rest reach half its size."""
    rng = np.random.default_rng(7)
    vocabulary = [f"w{i}" for i in range(500)]

    def passages(count: int) -> list[list[str]]:
        return [list(rng.choice(vocabulary, 20)) for _ in range(count)]

    previous = tmp_path / "v0"
    previous.mkdir()
    write_word_index(previous, passages(5000), np.arange(5000))
    first = previous / WORD_INDEX_DIR / "segment-000000.npz"
    total = 5000
    for number in range(1, 151):
        version = tmp_path / f"v{number}"
        version.mkdir()
        append_word_index(
            version, previous, passages(15), np.arange(total, total + 15),
            lambda total=total: np.ones(total + 15, bool),
        )  # fmt: skip
        total += 15
        previous = version
    listed = SegmentList.load(previous / WORD_INDEX_DIR)
    assert len(listed.files) <= 10, listed.documents
    assert listed.files[0] == first.name and sum(listed.documents) == total
    assert (previous / WORD_INDEX_DIR / first.name).samefile(first)


def test_a_version_of_format_4_is_searched_by_its_bm25s_index(tmp_path: Path) -> None:
    token_lists = tokenize(TEXTS)
    retriever = bm25s.BM25(k1=K1, b=B)
    retriever.index(token_lists, show_progress=False)
    retriever.save(str(tmp_path / "bm25"), show_progress=False)
    assert WordIndex.load(tmp_path) is None
    old = Bm25sIndex.load(tmp_path)
    assert old is not None
    write_word_index(tmp_path, token_lists, np.arange(len(TEXTS)))
    new = WordIndex.load(tmp_path)
    assert new is not None
    for question in QUESTIONS:
        found, expected = search_words(new, question, 5), search_words(old, question, 5)
        assert [r for r, _ in found] == [r for r, _ in expected]
        np.testing.assert_allclose([s for _, s in found], [s for _, s in expected], rtol=1e-5)


@pytest.mark.parametrize("name", ["segment-000000.npz", "segments.json", "vocabulary.txt"])
def test_a_truncated_file_is_an_error_at_load(tmp_path: Path, name: str) -> None:
    write_word_index(tmp_path, tokenize(TEXTS), np.arange(len(TEXTS)))
    path = tmp_path / WORD_INDEX_DIR / name
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(Exception):  # noqa: B017 - zip, JSON or our own check
        WordIndex.load(tmp_path)
