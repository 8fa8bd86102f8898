"""What a loaded index version offers the searcher, whichever store holds it.

The search and ranking code (`index.search.news_index`) is written once against `IndexVersion`; a
FAISS version folder (`index.store.faiss.version`) and a Milvus collection (`index.store.milvus.version`)
each implement it.

Rows are stable ids of passages (and of sentences) within the version, not positions: a FAISS
version numbers them `0..n-1`, as does a Milvus version when it is written whole, but in-place
writes to a Milvus version (`index.store.milvus.in_place`) give new passages rows above every row
given before and leave gaps where articles were replaced or removed. Nothing here or in the
searcher may take `range(n)` for the rows of a version; an article's passages do have
consecutive rows, in order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

from index.store.manifest import Manifest
from index.store.metadata import ArticleSummary, IndexedArticle, PassageRecord
from index.store.passage_facts import PassageFacts
from index.store.passage_filter import PassageFilter
from index.stories.model import Story


class IndexVersion(Protocol):
    """One published, complete version, read-only."""

    manifest: Manifest

    @property
    def name(self) -> str:
        """The version's build id as its store names it (folder or collection name)."""
        ...

    @property
    def location(self) -> str:
        """Where it lives, for `stats`: a folder, or a Milvus URI and collection."""
        ...

    @property
    def has_lexical(self) -> bool:
        """Whether a word index (BM25) was built with it."""
        ...

    @property
    def has_sentence_vectors(self) -> bool:
        """Whether sentence vectors are stored (format 2); else replies embed sentences."""
        ...

    def nearest(
        self, queries: np.ndarray, depth: int, passage_filter: PassageFilter | None = None
    ) -> list[list[tuple[int, float]]]:
        """The `depth` nearest passages of each query vector as (row, cosine), best first;
        with a filter, the nearest among the passages it lets through (`depth` of them when
        that many pass)."""
        ...

    def passage_vectors(self, rows: Sequence[int]) -> np.ndarray:
        """The stored vectors of these passage rows, in order."""
        ...

    def lexical_search(
        self, query: str, depth: int, passage_filter: PassageFilter | None = None
    ) -> list[tuple[int, float]]:
        """The `depth` best rows by BM25 as (row, score), best first; no zero scores; with a
        filter, among the passages it lets through."""
        ...

    def sources(self) -> list[tuple[str, int]]:
        """Every outlet the version holds, with its article count, most articles first."""
        ...

    def passage_facts(self, rows: Sequence[int]) -> dict[int, PassageFacts]:
        """What ranking reads of these passage rows (article, ordinal, dates, story), from
        memory read once per version (`index.store.passage_facts`); rows the version does not
        hold are left out. Only the passages shown are read whole, by `passages`."""
        ...

    def passages(self, rows: Sequence[int]) -> dict[int, PassageRecord]:
        """Passages by row, with their text and what a citation shows; rows the version does
        not hold are left out."""
        ...

    def sentences(self, rows: Sequence[int]) -> dict[int, list[tuple[int, int, int]]]:
        """For each passage row, its sentences as (sentence row, start, end) in the article."""
        ...

    def sentence_vectors(self, rows: Sequence[int]) -> np.ndarray: ...

    def passage_rows(self, article_ids: Sequence[str]) -> list[tuple[int, str]]:
        """(row, article id) of every passage of these articles, by article then ordinal."""
        ...

    def counts(self) -> tuple[int, int]:
        """(articles, passages)."""
        ...

    def list_articles(self, offset: int = 0, limit: int | None = None) -> list[ArticleSummary]: ...

    def articles_indexed_since(self, since: str) -> list[ArticleSummary]: ...

    def story_counts(self) -> tuple[int, int] | None:
        """(stories, stories told by more than one outlet); None before format 3."""
        ...

    def stories(self, story_ids: Sequence[str]) -> dict[str, Story]:
        """The stories named, with their articles; a version before format 3 has none."""
        ...

    def list_stories(self, offset: int = 0, limit: int | None = None) -> list[Story]:
        """Stories newest first (by last published, then id), with their articles; none
        before format 3. `story_counts` counts them."""
        ...

    def indexed_articles(self) -> list[IndexedArticle]:
        """Everything in the version, for a writer that builds the next one from it."""
        ...

    def size_bytes(self) -> int: ...

    def is_exact(self) -> bool:
        """Whether `nearest` compares a question with every stored vector."""
        ...

    def close(self) -> None: ...
