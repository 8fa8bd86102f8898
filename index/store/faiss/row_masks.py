"""Which rows of a FAISS version pass a `PassageFilter`, as a boolean mask over its rows.

Read once per version from its metadata (one row per article: its first passage row, passage
count, moment and outlet; an article's passages have consecutive rows), then every filter is a
few vectorised comparisons, so a filtered question costs about what an unfiltered one does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from index.store.passage_facts import ArticleFacts
from index.store.passage_filter import PassageFilter, moment_seconds


@dataclass(frozen=True)
class ArticleRows:
    """Per article: first passage row, passages, moment (seconds) and outlet code."""

    first_rows: np.ndarray
    counts: np.ndarray
    moments: np.ndarray
    source_codes: np.ndarray
    source_names: tuple[str, ...]
    """Outlet of code `i`; code -1 is an article without one."""
    total_rows: int

    @classmethod
    def from_facts(cls, articles: Sequence[ArticleFacts], total_rows: int) -> ArticleRows:
        """From `MetadataReader.article_facts` (by first row)."""
        names: dict[str, int] = {}
        codes = [-1 if not a.source else names.setdefault(a.source, len(names)) for a in articles]
        return cls(
            np.asarray([a.first_row for a in articles], dtype=np.int64),
            np.asarray([a.passages for a in articles], dtype=np.int64),
            np.asarray(
                [moment_seconds(a.published, a.first_indexed_at) for a in articles],
                dtype=np.int64,
            ),
            np.asarray(codes, dtype=np.int64),
            tuple(names),
            total_rows,
        )

    def article_mask(self, passage_filter: PassageFilter) -> np.ndarray:
        """Which articles pass."""
        keep = np.ones(len(self.first_rows), dtype=bool)
        if passage_filter.start is not None:
            keep &= self.moments >= passage_filter.start
        if passage_filter.end is not None:
            keep &= self.moments < passage_filter.end
        if passage_filter.sources is not None:
            keep &= np.isin(self.source_codes, self._codes(passage_filter.sources))
        if passage_filter.excluded_sources:
            keep &= ~np.isin(self.source_codes, self._codes(passage_filter.excluded_sources))
        return keep

    def row_mask(self, passage_filter: PassageFilter) -> np.ndarray:
        """Which passage rows pass (every row of a passing article)."""
        keep = self.article_mask(passage_filter)
        mask = np.zeros(self.total_rows, dtype=bool)
        starts, counts = self.first_rows[keep], self.counts[keep]
        if len(starts):
            offsets = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
            mask[np.repeat(starts, counts) + offsets] = True
        return mask

    def _codes(self, names: frozenset[str]) -> np.ndarray:
        index = {name: code for code, name in enumerate(self.source_names)}
        return np.asarray([index[n] for n in names if n in index], dtype=np.int64)
