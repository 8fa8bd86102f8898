"""Publishing a Milvus version (VECTOR_STORE=milvus): `add` and `remove` change the live
collections in place where they can (`index.store.milvus.in_place`); a rebuild, the first
version, another chunking or model, or a size that changes the index type writes a whole new
version and moves the alias (`index.store.milvus.whole_version`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from index.embedding.model_input import model_input
from index.embedding.sentence_vectors import dequantize
from index.store.hnsw_depth import hnsw_ef_search
from index.store.manifest import Manifest
from index.store.metadata import IndexedArticle
from index.store.milvus.collections import (
    APPROXIMATE_TYPE,
    EXACT_TYPE,
    MilvusStore,
    collection_of,
)
from index.store.milvus.in_place import Retired, write_in_place
from index.store.milvus.named import NamedArticles, read_named
from index.store.milvus.revisions import in_place
from index.store.milvus.version import MilvusVersion
from index.store.milvus.whole_version import version_vectors
from index.store.publish import IndexLayout
from index.store.version_writer import LiveContent, WriteContext, WriteReport

MILVUS_IN_PLACE_FORMAT = 4
"""The first format whose collections a write may change in place (formats 4 and 5 differ only
in FAISS folders)."""


@dataclass(frozen=True, slots=True)
class _MilvusView:
    version: MilvusVersion
    """Where an unchanged article's vectors are copied from."""
    named: NamedArticles | None = None
    """Set when only the live articles a write in place names were read."""


class MilvusVersionWriter:
    """`index.store.version_writer.VersionWriter` for Milvus collections."""

    def __init__(self, context: WriteContext) -> None:
        self._context = context
        self._store = MilvusStore(context.settings)

    def live_name(self) -> str | None:
        return self._store.live_name()

    def clean_up(self) -> None:
        self._store.collect_garbage()

    def read_live(
        self, name: str, *, check: bool, named: Mapping[str, str | None] | None
    ) -> LiveContent:
        manifest = self._store.manifest(collection_of(name))
        if check:
            self._context.check(manifest)
        partial = named is not None and self._writable_in_place(manifest)
        version = MilvusVersion(
            self._store, collection_of(name), manifest.model, manifest.backend,
            counted=not partial,
        )  # fmt: skip
        if partial and named is not None and self._writable_in_place(version.manifest):
            part = read_named(self._store, version.collection, version.manifest, named)
            view = _MilvusView(version, part)
            return LiveContent(part.items, version.manifest, name, part.others, view)
        return LiveContent(
            version.indexed_articles(), manifest, name, store_view=_MilvusView(version)
        )

    def _writable_in_place(self, manifest: Manifest) -> bool:
        """Whether an `add` or `remove` may change this version in place (unless its new size
        changes the index type, which `commit` finds out): one of this format (a version
        before stories has no columns for them), with this writer's vectors."""
        return (
            in_place(manifest)
            and manifest.format_version >= MILVUS_IN_PLACE_FORMAT
            and self._context.same_vectors(manifest)
        )

    def story_neighbours(
        self, live: LiveContent, low: datetime, high: datetime
    ) -> list[IndexedArticle]:
        """The placed articles between two moments a write in place has not read."""
        view = live.store_view
        if not isinstance(view, _MilvusView) or view.named is None:
            return []  # the whole live version was read
        read = {item.article.id for item in live.items}
        return [
            item for item in view.version.story_neighbours(low, high) if item.article.id not in read
        ]

    def commit(self, items: list[IndexedArticle], report: WriteReport, live: LiveContent) -> None:
        """Change the live collections in place for `add` and `remove`; else (`rebuild`,
        `compact`) write a whole version and move the alias."""
        view = live.store_view if isinstance(live.store_view, _MilvusView) else None
        reusable = view is not None and self._context.same_vectors(live.manifest)
        version = view.version if view is not None and reusable else None
        exact = report.passages <= self._context.settings.faiss_exact_limit
        index_type = EXACT_TYPE if exact else APPROXIMATE_TYPE
        if (
            report.action in ("add", "remove")
            and version is not None
            and self._writable_in_place(version.manifest)
            and version.manifest.index_factory == index_type
        ):
            self._write_in_place(items, report, version, live)
            return
        if view is not None and view.named is not None and live.name is not None:
            # A new size changes the index type: a whole version, so the whole live one.
            whole = self.read_live(live.name, check=True, named=None)
            read = {item.article.id for item in live.items}
            items = [i for i in whole.items if i.article.id not in read] + items
            live = whole
            whole_view = whole.store_view
            version = whole_view.version if isinstance(whole_view, _MilvusView) else None
        texts, sentences = model_input((i.article, span) for i in items for span in i.passages)
        vectors, sentence_vectors, embedded = version_vectors(
            items, texts, sentences, self._context.embedder.dimension, self._context.embed,
            version, live.items,
        )  # fmt: skip
        report.embedded += embedded
        build_id = IndexLayout.new_build_id()
        manifest = self._context.manifest(
            build_id,
            index_factory=index_type,
            articles=len(items),
            passages=len(texts),
            sentences=len(sentence_vectors),
            ef_search=(
                None
                if exact
                else hnsw_ef_search(self._context.settings.faiss_hnsw_ef_search, len(texts))
            ),
            store="milvus",
            revision=0,
            next_row=len(texts),
            next_sentence=len(sentence_vectors),
            next_article=len(items),
        )
        report.collection = self._store.write_version(
            build_id, items, texts, vectors, sentence_vectors, manifest
        )
        self._store.collect_garbage()

    def _write_in_place(
        self,
        items: list[IndexedArticle],
        report: WriteReport,
        version: MilvusVersion,
        live: LiveContent,
    ) -> None:
        """Insert the added and updated articles, retire the updated and removed ones: the
        rows (and vectors) of every other article are not touched."""
        written = set(report.added) | set(report.updated)
        fresh = [item for item in items if item.article.id in written]
        view = live.store_view
        named = view.named if isinstance(view, _MilvusView) else None
        places = version.places() if named is None else named.places
        gone = set(report.updated) | set(report.removed)
        retired = [
            Retired(
                places[item.article.id][0],
                len(item.passages),
                sum(len(p.sentences) for p in item.passages),
            )
            for item in live.items
            if item.article.id in gone
        ]
        texts, sentences = model_input((i.article, span) for i in fresh for span in i.passages)
        dimension = self._context.embedder.dimension
        vectors = np.zeros((0, dimension), np.float32)
        sentence_vectors = np.zeros((0, dimension), np.float32)
        if texts:
            vectors, quantized, embedded = self._context.embed(texts, sentences)
            report.embedded += embedded
            sentence_vectors = np.concatenate([dequantize(c, s) for c, s in quantized])
        write_in_place(
            self._store, version.collection, version.manifest, fresh, texts, vectors,
            sentence_vectors, retired, datetime.now(UTC).isoformat(timespec="seconds"),
        )  # fmt: skip
        report.collection = version.collection
