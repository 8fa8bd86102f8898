"""What ranking reads of a candidate passage, kept in memory once per version.

A search weighs a hundred or more candidates but shows a few: ranking needs only each
candidate's article, its place in it (the lead passage is preferred), its dates (the recency
prior, "the latest on …") and its story (one citation per story). Those are facts of the
article, so a version reads one row per article once (`ArticleFacts`), and a candidate's are
found by its row, since an article's passages have consecutive rows in order. Passage texts
and the rest of a citation are read only for the passages shown (`IndexVersion.passages`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class ArticleFacts:
    """One article as ranking and filters read it: its passage rows, dates, outlet and story."""

    first_row: int
    passages: int
    article_id: str
    source: str | None
    published: str | None
    first_indexed_at: str
    story_id: str | None = None
    """None in versions before format 3."""


@dataclass(frozen=True, slots=True)
class PassageFacts:
    """What ranking reads of one passage (`PassageRecord` without its text and citation)."""

    row: int
    article_id: str
    ordinal: int
    published: str | None
    first_indexed_at: str
    story_id: str | None


class PassageFactsTable:
    """Every article's facts by its first passage row: a candidate's are one binary search."""

    def __init__(self, articles: Iterable[ArticleFacts]) -> None:
        self._articles = sorted(articles, key=lambda a: a.first_row)
        self._first_rows = np.asarray([a.first_row for a in self._articles], dtype=np.int64)
        self._ends = self._first_rows + np.asarray(
            [a.passages for a in self._articles], dtype=np.int64
        )

    def __len__(self) -> int:
        return len(self._articles)

    @property
    def articles(self) -> Sequence[ArticleFacts]:
        """By first passage row."""
        return self._articles

    def facts(self, rows: Sequence[int]) -> dict[int, PassageFacts]:
        """The facts of these passage rows; rows no article holds are left out."""
        if not rows or not self._articles:
            return {}
        wanted = np.asarray(rows, dtype=np.int64)
        found = np.searchsorted(self._first_rows, wanted, side="right") - 1
        held = (found >= 0) & (wanted < self._ends[np.maximum(found, 0)])
        result: dict[int, PassageFacts] = {}
        for row, position in zip(wanted[held].tolist(), found[held].tolist(), strict=True):
            article = self._articles[position]
            result[row] = PassageFacts(
                row, article.article_id, row - article.first_row, article.published,
                article.first_indexed_at, article.story_id,
            )  # fmt: skip
        return result
