"""A version's word index in memory, searched by BM25 over its live passages.

A small embedding model blurs names, numbers and rare words ("Duda", "10-year"); BM25 keeps them
exact. Rows are the version's passage rows, as in FAISS. Passages of replaced and removed
articles may still sit in segments (`index.lexical.segments`); they are left out of the search
and of the statistics BM25 weighs words by, so the scores are those of an index built whole over
the live passages alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from index.lexical.bm25_scoring import best_rows, inverse_document_frequency, term_scores
from index.lexical.segments import (
    WORD_INDEX_DIR,
    Segment,
    SegmentList,
    load_segment,
    read_vocabulary,
)
from index.lexical.words import tokenize


class WordSearch(Protocol):
    """What search asks of a word index, whichever way it is stored."""

    def search(
        self, words: Sequence[str], depth: int, allowed: np.ndarray | None
    ) -> list[tuple[int, float]]:
        """The `depth` best rows for these words as (row, BM25 score), best first; no zero
        scores; only rows `allowed` (a mask over rows) lets through, when given."""
        ...


class WordIndex:
    """Segments of term counts with their vocabulary; rows outside `live` are left out."""

    def __init__(
        self, vocabulary: list[str], segments: list[Segment], live: np.ndarray | None
    ) -> None:
        self._terms = {word: term for term, word in enumerate(vocabulary)}
        self._row_count = max((int(s.rows.max()) + 1 for s in segments if len(s.rows)), default=0)
        if live is not None:
            self._row_count = max(self._row_count, len(live))
        self._segments = segments
        self._live = [None if live is None else live[s.rows] for s in segments]
        lengths = [
            s.lengths if keep is None else s.lengths[keep]
            for s, keep in zip(segments, self._live, strict=True)
        ]
        self.documents = sum(len(x) for x in lengths)
        total = sum(int(x.sum()) for x in lengths)
        self._mean_length = total / self.documents if self.documents else 1.0

    @classmethod
    def load(cls, version: Path, live: np.ndarray | None = None) -> WordIndex | None:
        """The version's word index (None when it has none); `live` masks passage rows."""
        folder = version / WORD_INDEX_DIR
        if not folder.is_dir():
            return None
        listed = SegmentList.load(folder)
        segments = [load_segment(folder / name) for name in listed.files]
        vocabulary = read_vocabulary(folder)
        if any(s.terms > len(vocabulary) for s in segments):
            raise ValueError("a segment names words the vocabulary does not hold")
        return cls(vocabulary, segments, live)

    def search(
        self, words: Sequence[str], depth: int, allowed: np.ndarray | None
    ) -> list[tuple[int, float]]:
        rows: list[np.ndarray] = []
        scores: list[np.ndarray] = []
        for word in words:  # a word asked twice counts twice, as in bm25s
            term = self._terms.get(word)
            if term is None:
                continue
            found = [
                self._postings(s, keep, term)
                for s, keep in zip(self._segments, self._live, strict=True)
            ]
            holding = sum(len(docs) for docs, _ in found)
            if not holding:
                continue
            idf = inverse_document_frequency(holding, self.documents)
            for segment, (docs, counts) in zip(self._segments, found, strict=True):
                if not len(docs):
                    continue
                lengths = segment.lengths[docs]
                rows.append(segment.rows[docs])
                scores.append(term_scores(counts, lengths, self._mean_length, idf))
        if not rows:
            return []
        found_rows, found_scores = np.concatenate(rows), np.concatenate(scores)
        if allowed is not None:
            keep = allowed[found_rows]
            found_rows, found_scores = found_rows[keep], found_scores[keep]
        return best_rows(found_rows, found_scores, depth, self._row_count)

    @staticmethod
    def _postings(
        segment: Segment, live: np.ndarray | None, term: int
    ) -> tuple[np.ndarray, np.ndarray]:
        docs, counts = segment.postings(term)
        if live is None:
            return docs, counts
        keep = live[docs]
        return docs[keep], counts[keep]


def search_words(
    index: WordSearch, query: str, depth: int, allowed: np.ndarray | None = None
) -> list[tuple[int, float]]:
    """The `depth` best rows for a question's words (see `index.lexical.words.tokenize`)."""
    (words,) = tokenize([query])
    if not words or depth <= 0:
        return []
    return index.search(words, depth, allowed)
