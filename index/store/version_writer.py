"""What every store's writer does for `index.writer.IndexWriter`, so the writer orchestrates a
write (read, split, embed, reconcile) and never asks which store it has.

A store writer names the live version, reads it back (whole, or only the articles a write
names when it can write in place), removes what a killed write left, and publishes the next
version. `index.store.faiss.writer` writes a new version folder each time;
`index.store.milvus.writer` writes collections, in place where it can. `version_writer` picks
one from VECTOR_STORE, the only place the writing side does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from index.articles.files import Skipped
from index.embedding.cache import QuantizedSentences
from index.embedding.sentence_vectors import Span
from index.embedding.vector_family import vector_family
from index.passages.cutting import ChunkingOptions
from index.settings import IndexSettings
from index.store.manifest import FORMAT_VERSION, Manifest
from index.store.metadata import IndexedArticle

if TYPE_CHECKING:
    from index.embedding.model import Embedder

Embed = Callable[
    [Sequence[str], Sequence[Sequence[Span]]], tuple[np.ndarray, list[QuantizedSentences], int]
]
"""Passage and sentence vectors through the embedding cache, and how many passages had to be run
through the model."""


@dataclass(slots=True)
class WriteReport:
    """What a write did, for the command line to print and tests to check."""

    action: str
    articles: int = 0
    passages: int = 0
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    """Updated ids whose new text shares almost nothing with the old one (also in `updated`)."""
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    kept_unreadable: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    embedded: int = 0
    seconds: float = 0.0
    version: Path | None = None
    collection: str | None = None
    """The version's Milvus collection (VECTOR_STORE=milvus), where `version` is None."""


@dataclass(frozen=True, slots=True)
class LiveContent:
    """What a write read of the live version."""

    items: list[IndexedArticle]
    manifest: Manifest | None
    name: str | None = None
    """The version read (a folder or a collection); it never changes."""
    others: tuple[int, int] = (0, 0)
    """Articles and passages of the live version not read into `items` (a write in place reads
    only the articles it names)."""
    store_view: object | None = None
    """What the store's writer keeps of its read (a loaded Milvus version whose vectors an
    unchanged article reuses); nothing the orchestrator looks into."""

    def by_id(self) -> dict[str, IndexedArticle]:
        return {item.article.id: item for item in self.items}

    def articles(self) -> int:
        return len(self.items) + self.others[0]


@dataclass(frozen=True, slots=True)
class WriteContext:
    """What a store's writer needs of the write: settings, the model's identity, the chunking
    and the embedding cache."""

    settings: IndexSettings
    embedder: Embedder
    chunking: ChunkingOptions
    embed: Embed
    references: Callable[[], dict[str, str]]
    """The reference texts' vectors (`index.embedding.reference_vectors`) by this writer's model."""

    def same_chunking(self, manifest: Manifest | None) -> bool:
        return manifest is not None and (
            manifest.model == self.embedder.model_name
            and manifest.passage_max_tokens == self.chunking.max_tokens
            and manifest.passage_min_tokens == self.chunking.min_tokens
            and manifest.passage_overlap_sentences == self.chunking.overlap_sentences
        )

    def same_vectors(self, manifest: Manifest | None) -> bool:
        """Whether the version's passages and vectors are what this writer would make: the same
        chunking, and the same model's vectors in the same space (the same vector family)."""
        return (
            self.same_chunking(manifest)
            and manifest is not None
            and manifest.dimension == self.embedder.dimension
            and manifest.family == vector_family(self.embedder.backend)
        )

    def check(self, manifest: Manifest) -> None:
        """Refuse (IndexMismatchError) a version this model cannot extend."""
        manifest.check_compatible(
            self.embedder.model_name, self.embedder.dimension, self.embedder.backend
        )

    def manifest(self, build_id: str, **fields: Any) -> Manifest:
        """A new version's manifest: the model and chunking of this write, and `fields`."""
        return Manifest(
            format_version=FORMAT_VERSION,
            build_id=build_id,
            model=self.embedder.model_name,
            dimension=self.embedder.dimension,
            metric="inner_product",
            passage_max_tokens=self.chunking.max_tokens,
            passage_min_tokens=self.chunking.min_tokens,
            passage_overlap_sentences=self.chunking.overlap_sentences,
            built_at=datetime.now(UTC).isoformat(timespec="seconds"),
            backend=self.embedder.backend,
            vector_family=vector_family(self.embedder.backend),
            reference_vectors=self.references(),
            **fields,
        )


class VersionWriter(Protocol):
    """One store's side of a write; every call is made under the index's write lock except
    `live_name` and `read_live`, which a write also makes before taking it."""

    def live_name(self) -> str | None:
        """The live version's name (its folder, or the collection the alias names); None
        before the first write."""
        ...

    def clean_up(self) -> None:
        """Remove what a write killed halfway left (under the lock, before writing)."""
        ...

    def read_live(
        self, name: str, *, check: bool, named: Mapping[str, str | None] | None
    ) -> LiveContent:
        """The live version's articles; `check` refuses one this model cannot extend;
        `named` (ids to their incoming content hash, None for a removal) lets a store that
        writes in place read only those articles."""
        ...

    def story_neighbours(
        self, live: LiveContent, low: datetime, high: datetime
    ) -> list[IndexedArticle]:
        """Placed articles of the live version published between `low` and `high` that `live`
        did not read (an in-place write reads only what it names), for story placement."""
        ...

    def commit(self, items: list[IndexedArticle], report: WriteReport, live: LiveContent) -> None:
        """Publish `items` (and the live articles `live` did not read) as the next version."""
        ...


def version_writer(context: WriteContext) -> VersionWriter:
    """The writer of VECTOR_STORE's store; pymilvus is imported only for Milvus."""
    if context.settings.vector_store == "milvus":
        from index.store.milvus.writer import MilvusVersionWriter

        return MilvusVersionWriter(context)
    from index.store.faiss.writer import FaissVersionWriter

    return FaissVersionWriter(context)
