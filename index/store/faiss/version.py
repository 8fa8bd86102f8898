"""A version folder loaded in memory (VECTOR_STORE=faiss): manifest, FAISS, SQLite, words.

Implements `index.store.version.IndexVersion` for the searcher. Everything a search needs is read
into memory, never memory-mapped, so damage to live files cannot crash a running reader.
What an older version lacks (checksums, a word index, sentence vectors) is warned about once
it has loaded: a version refused as damaged is one error, which the command line prints as
its only line.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from index.errors import IndexCorruptError
from index.lexical.bm25s_index import Bm25sIndex
from index.lexical.word_index import WordIndex, WordSearch, search_words
from index.settings import EfSearch
from index.store.faiss.row_masks import ArticleRows
from index.store.faiss.sentence_codes import SentenceVectors
from index.store.faiss.vectors import (
    is_exact,
    load_faiss,
    passage_vectors,
    search_faiss_many,
    search_faiss_within,
)
from index.store.manifest import REBUILD_HINT, Manifest
from index.store.metadata import ArticleSummary, IndexedArticle, MetadataReader, PassageRecord
from index.store.passage_facts import PassageFacts, PassageFactsTable
from index.store.passage_filter import PassageFilter
from index.stories.model import Story

log = logging.getLogger(__name__)


class Snapshot:
    """One published version folder loaded in memory."""

    def __init__(
        self, folder: Path, model: str, backend: str, *, ef_search: EfSearch = "auto"
    ) -> None:
        self.folder = folder
        self.manifest = Manifest.load(folder)
        self.manifest.check_compatible(model, self.manifest.dimension, backend)
        if self.manifest.files:
            self.manifest.verify_files(folder)
        self.vectors = load_faiss(folder, ef_search=ef_search)
        self.metadata = MetadataReader(folder)
        self.sentence_store = self._load_sentences(folder)
        _, passages = self.metadata.counts()
        stored, _ = self.manifest.stored_vectors()
        if (
            self.vectors.ntotal != stored
            or passages != self.manifest.passages
            or self.metadata.next_row() > stored
            or self.vectors.d != self.manifest.dimension
        ):
            raise IndexCorruptError(
                f"the index in {folder} is inconsistent ({self.vectors.ntotal} vectors of "
                f"{self.vectors.d} dimensions, {passages} passages; the manifest says "
                f"{self.manifest.passages} passages in {stored} vectors of "
                f"{self.manifest.dimension}): {REBUILD_HINT}"
            )
        self.hidden = stored - passages
        """Vectors of replaced and removed passages an append left in the files; searches
        leave them out (their rows are not in the metadata)."""
        self.lexical = _load_word_index(folder, self.metadata, stored if self.hidden else None)
        self._article_rows: ArticleRows | None = None
        self._live_rows: np.ndarray | None = None
        self._facts: PassageFactsTable | None = None
        self._articles_lock = threading.Lock()
        self._sources: list[tuple[str, int]] | None = None
        self._warn_of_what_is_missing()

    def _warn_of_what_is_missing(self) -> None:
        """What a version written by an older program lacks, and that a rebuild adds."""
        name = self.folder.name
        if not self.manifest.files:
            log.warning(
                "index version %s records no file checksums, so damage cannot be detected; "
                "`python -m index rebuild` adds them",
                name,
            )
        if self.lexical is None:
            log.warning(
                "index version %s has no word index: searching by meaning only; "
                "`python -m index rebuild` adds it",
                name,
            )
        if self.sentence_store is None:
            log.warning(
                "index version %s stores no sentence vectors, so every reply embeds its "
                "sentences; `python -m index rebuild` stores them",
                name,
            )

        if self.manifest.format_version < 3:
            log.warning(
                "index version %s has no stories: each article is its own story (one alert "
                "and one citation per article); `python -m index rebuild` places them",
                name,
            )

    def _load_sentences(self, folder: Path) -> SentenceVectors | None:
        """Stored sentence vectors (format 2); None for format 1, whose replies embed sentences."""
        if self.manifest.format_version < 2:
            return None
        stored = SentenceVectors(folder, self.manifest.dimension)
        listed = self.metadata.sentence_count() if self.metadata.has_sentences() else -1
        _, kept = self.manifest.stored_vectors()
        if not (len(stored) == kept and listed == self.manifest.sentences):
            raise IndexCorruptError(
                f"the index in {folder} is inconsistent ({len(stored)} sentence vectors, "
                f"{listed} sentences listed; the manifest says {self.manifest.sentences} in "
                f"{kept}): {REBUILD_HINT}"
            )
        return stored

    @property
    def name(self) -> str:
        return self.folder.name

    @property
    def location(self) -> str:
        return str(self.folder)

    @property
    def has_lexical(self) -> bool:
        return self.lexical is not None

    @property
    def has_sentence_vectors(self) -> bool:
        return self.sentence_store is not None

    def nearest(
        self, queries: np.ndarray, depth: int, passage_filter: PassageFilter | None = None
    ) -> list[list[tuple[int, float]]]:
        if passage_filter is None and not self.hidden:
            return search_faiss_many(self.vectors, queries, depth)
        return search_faiss_within(self.vectors, queries, depth, self._rows(passage_filter))

    def passage_vectors(self, rows: Sequence[int]) -> np.ndarray:
        return passage_vectors(self.vectors, list(rows))

    def lexical_search(
        self, query: str, depth: int, passage_filter: PassageFilter | None = None
    ) -> list[tuple[int, float]]:
        if self.lexical is None:
            return []
        allowed = None if passage_filter is None else self._rows(passage_filter)
        return search_words(self.lexical, query, depth, allowed)

    def sources(self) -> list[tuple[str, int]]:
        if self._sources is None:  # a version never changes: read once, asked every question
            self._sources = self.metadata.sources()
        return self._sources

    def _rows(self, passage_filter: PassageFilter | None) -> np.ndarray:
        """The rows a filter lets through (every live row without one), from the articles'
        moments and outlets (read on the first filtered search of this version)."""
        if self._article_rows is None:
            facts = self._facts_table()
            with self._articles_lock:
                if self._article_rows is None:
                    self._article_rows = ArticleRows.from_facts(facts.articles, self.vectors.ntotal)
        if passage_filter is not None:
            return self._article_rows.row_mask(passage_filter)
        if self._live_rows is None:  # asked at every unfiltered search of an appended version
            self._live_rows = self._article_rows.row_mask(PassageFilter())
        return self._live_rows

    def _facts_table(self) -> PassageFactsTable:
        """Every article's facts, read on the first search of this version."""
        if self._facts is None:
            with self._articles_lock:
                if self._facts is None:
                    self._facts = PassageFactsTable(self.metadata.article_facts())
        return self._facts

    def passage_facts(self, rows: Sequence[int]) -> dict[int, PassageFacts]:
        return self._facts_table().facts(rows)

    def passages(self, rows: Sequence[int]) -> dict[int, PassageRecord]:
        return self.metadata.passages(rows)

    def sentences(self, rows: Sequence[int]) -> dict[int, list[tuple[int, int, int]]]:
        return self.metadata.sentences(rows)

    def sentence_vectors(self, rows: Sequence[int]) -> np.ndarray:
        if self.sentence_store is None:
            return np.zeros((0, self.manifest.dimension), np.float32)
        return self.sentence_store.vectors(rows)

    def passage_rows(self, article_ids: Sequence[str]) -> list[tuple[int, str]]:
        return self.metadata.passage_rows(article_ids)

    def counts(self) -> tuple[int, int]:
        return self.metadata.counts()

    def list_articles(self, offset: int = 0, limit: int | None = None) -> list[ArticleSummary]:
        return self.metadata.list_articles(offset, limit)

    def articles_indexed_since(self, since: str) -> list[ArticleSummary]:
        return self.metadata.articles_indexed_since(since)

    def indexed_articles(self) -> list[IndexedArticle]:
        return self.metadata.indexed_articles()

    def stories(self, story_ids: Sequence[str]) -> dict[str, Story]:
        return self.metadata.stories(story_ids)

    def story_counts(self) -> tuple[int, int] | None:
        return self.metadata.story_counts()

    def list_stories(self, offset: int = 0, limit: int | None = None) -> list[Story]:
        return self.metadata.list_stories(offset, limit)

    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.folder.iterdir() if p.is_file())

    def is_exact(self) -> bool:
        return is_exact(self.vectors)

    def close(self) -> None:
        self.metadata.close()


def _load_word_index(
    folder: Path, metadata: MetadataReader, stored: int | None
) -> WordSearch | None:
    """The version's word index: segments (format 5), or bm25s for older versions; `stored`
    is the vectors the version holds when an append hid some of them (None when none is)."""
    try:
        live = None if stored is None else metadata.row_mask(stored)
        return WordIndex.load(folder, live) or Bm25sIndex.load(folder)
    except Exception as exc:  # numpy and bm25s raise many kinds (EOFError, KeyError, …) on damage
        raise IndexCorruptError(
            f"the word index in {folder} cannot be read ({type(exc).__name__}: {exc}): "
            f"{REBUILD_HINT}"
        ) from None
