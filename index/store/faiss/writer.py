"""Publishing a FAISS version (VECTOR_STORE=faiss): every write makes a new version folder,
the FAISS index, the SQLite metadata, the sentence vectors and the BM25 index beside its
manifest, then switches the `current` link to it in one step (`index.store.publish`).

`rebuild` and `compact` write a version whole; `add` and `remove` copy the live one and append
what changed (`index.store.faiss.appending`), so their cost follows the change, not the corpus
(but for the BM25 index, which bm25s builds whole)."""

from __future__ import annotations

import logging
import os
import shutil
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import faiss
import numpy as np

from index.embedding.cache import QuantizedSentences
from index.embedding.model_input import model_input
from index.lexical import tokenize
from index.lexical.segments import append_word_index, write_word_index
from index.store.faiss import appending
from index.store.faiss.appending import APPENDING_ACTIONS, change, hidden_share
from index.store.faiss.hashed_save import save_faiss_hashed
from index.store.faiss.recall import build_recall
from index.store.faiss.sentence_codes import append_sentence_vectors, save_sentence_vectors
from index.store.faiss.vectors import (
    VECTORS_NAME,
    append_faiss,
    build_faiss,
    ef_search,
    is_exact,
    load_faiss,
    resolve_factory,
    save_faiss,
)
from index.store.manifest import (
    FORMAT_VERSION,
    Manifest,
    file_digests,
    file_sha256,
    linked_files,
)
from index.store.metadata import (
    METADATA_NAME,
    IndexedArticle,
    MetadataReader,
    append_metadata,
    write_metadata,
)
from index.store.publish import IndexLayout
from index.store.version_writer import LiveContent, WriteContext, WriteReport
from index.stories.fingerprint import story_moment

log = logging.getLogger(__name__)

REWRITTEN = (METADATA_NAME, VECTORS_NAME)
"""The previous version's files an append reads and writes anew rather than links."""


@dataclass(frozen=True, slots=True)
class _VectorIndex:
    index: faiss.Index
    factory: str
    recall: float | None  # recall@10 against exact search; None when it is exact


class FaissVersionWriter:
    """`index.store.version_writer.VersionWriter` for version folders."""

    def __init__(self, context: WriteContext) -> None:
        self._context = context
        self._layout = IndexLayout(context.settings.resolved_index_dir)

    def live_name(self) -> str | None:
        folder = self._layout.current_version()
        return None if folder is None else str(folder)

    def clean_up(self) -> None:
        """Nothing here: a killed write's staging folder goes at the next publish."""

    def read_live(
        self, name: str, *, check: bool, named: Mapping[str, str | None] | None
    ) -> LiveContent:
        """The live version: only the articles an `add` or `remove` names when the write can
        append to it (the rest stays as it is), else every article."""
        folder = Path(name)
        manifest = Manifest.load(folder)
        if check:
            self._context.check(manifest)
        reader = MetadataReader(folder)
        try:
            if named is not None and self._appendable_format(manifest):
                items = reader.indexed_articles(named.keys())
                read = sum(len(i.passages) for i in items)
                others = (manifest.articles - len(items), manifest.passages - read)
                return LiveContent(items, manifest, name, others, _NamedRead(folder))
            return LiveContent(reader.indexed_articles(), manifest, name)
        finally:
            reader.close()

    def story_neighbours(
        self, live: LiveContent, low: datetime, high: datetime
    ) -> list[IndexedArticle]:
        """The placed articles between two moments a write that read only named ones has not
        read (none after a whole read)."""
        if not isinstance(live.store_view, _NamedRead):
            return []
        read = {item.article.id for item in live.items}
        reader = MetadataReader(live.store_view.folder)
        try:
            ids = [
                article_id
                for article_id, published, indexed in reader.placed_moments()
                if article_id not in read and low <= story_moment(published, indexed) <= high
            ]
            return reader.indexed_articles(ids) if ids else []
        finally:
            reader.close()

    def commit(self, items: list[IndexedArticle], report: WriteReport, live: LiveContent) -> None:
        """Append to the live version for `add` and `remove` when it can take it; else (a
        rebuild, a compaction, another model or index type, too many hidden rows) write the
        version whole."""
        if report.action in APPENDING_ACTIONS and self._append(items, report, live):
            return
        if isinstance(live.store_view, _NamedRead) and live.name is not None:
            # Written whole after all (a new index type, or too much hidden): every article.
            whole = self.read_live(live.name, check=True, named=None)
            read = {item.article.id for item in live.items}
            items = [i for i in whole.items if i.article.id not in read] + items
        self._write_whole(items, report)

    def _write_whole(self, items: list[IndexedArticle], report: WriteReport) -> None:
        texts, sentences = model_input((i.article, span) for i in items for span in i.passages)
        # Prepared passages are found in the cache.
        vectors, quantized, embedded = self._context.embed(texts, sentences)
        report.embedded += embedded
        build_id, staging = self._layout.new_staging()
        try:
            write_metadata(staging, items)
            vector_index = self._vector_index(vectors)
            save_faiss(vector_index.index, staging)
            codes, scales = _stacked(quantized, self._context.embedder.dimension)
            save_sentence_vectors(staging, codes, scales)
            write_word_index(staging, tokenize(texts), np.arange(len(texts), dtype=np.int64))
            manifest = self._context.manifest(
                build_id,
                index_factory=vector_index.factory,
                articles=len(items),
                passages=sum(len(i.passages) for i in items),
                sentences=len(scales),
                files=file_digests(staging),  # of every file already in `staging`
                recall_at_10=None if vector_index.recall is None else round(vector_index.recall, 4),
                ef_search=None if vector_index.recall is None else ef_search(vector_index.index),
            )
            manifest.save(staging)  # last: marks it complete
            report.version = self._layout.publish(build_id, staging)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        self._layout.collect_garbage()

    def _appendable_format(self, manifest: Manifest) -> bool:
        """Whether a version can be appended to, whatever its new size: of this format, with
        checksums to check its files by, and this writer's vectors."""
        return (
            manifest.store == "faiss"
            and manifest.format_version == FORMAT_VERSION
            and bool(manifest.files)
            and self._context.same_vectors(manifest)
        )

    def _appendable(self, manifest: Manifest | None, passages: int) -> bool:
        """Whether a version can be appended to: `_appendable_format`, and of the index type
        its new size calls for."""
        settings = self._context.settings
        return (
            manifest is not None
            and self._appendable_format(manifest)
            and manifest.index_factory
            == resolve_factory(settings.faiss_index_factory, passages, settings.faiss_exact_limit)
        )

    def _append(self, items: list[IndexedArticle], report: WriteReport, live: LiveContent) -> bool:
        """Publish the live version with the change appended (`index.store.faiss.appending`);
        False, having written nothing, when the write must be done whole. `items` are the
        articles `live` read, as they are to be (an append may read only those a write names)."""
        passages = report.passages
        manifest = live.manifest
        if live.name is None or manifest is None or not self._appendable(manifest, passages):
            return False
        previous = Path(live.name)
        delta = change(live.items, items)
        stored, stored_sentences = manifest.stored_vectors()
        share = hidden_share(stored + delta.passages(), passages)
        if share >= self._context.settings.faiss_compact_share:
            log.info(
                "%.0f%% of the stored vectors would be hidden; compacting the index",
                100 * share,
            )
            return False
        manifest.verify_files(previous, skip=manifest.files)  # sizes: nothing truncated
        texts, sentences = model_input((i.article, s) for i in delta.new for s in i.passages)
        vectors, quantized, embedded = self._context.embed(texts, sentences)
        report.embedded += embedded
        build_id, staging = self._layout.new_staging()
        # The files read from the previous version and written anew, and the new ones, are
        # hashed on another thread while this one copies, reads, adds and writes (the vector
        # file as it is written): at a million passages they are gigabytes, and hashing them one
        # after the other was a third of an append's time (benchmarks/results/index_growth.md).
        hashing = ThreadPoolExecutor(1, thread_name_prefix="hashing")
        read = {name: hashing.submit(file_sha256, previous / name) for name in REWRITTEN}
        written: dict[str, Future[str]] = {}
        try:
            members = [
                i for i in items if i.story is not None and i.story.story_id in delta.stories
            ] + _unread_members(previous, delta.stories, live)
            append_metadata(
                staging, previous, delta.retired, delta.changed, delta.new,
                (stored, stored_sentences), delta.stories, members,
            )  # fmt: skip
            written[METADATA_NAME] = hashing.submit(_hashed_and_flushed, staging / METADATA_NAME)
            appending.reached("metadata")
            index = load_faiss(previous, ef_search=self._context.settings.faiss_hnsw_ef_search)
            append_faiss(index, vectors)
            written[VECTORS_NAME] = save_faiss_hashed(index, staging, hashing)
            codes, scales = _stacked(quantized, self._context.embedder.dimension)
            append_sentence_vectors(staging, previous, codes, scales)
            appending.reached("vectors")
            staged = MetadataReader(staging)
            try:
                sentence_count = staged.sentence_count()
                append_word_index(
                    staging, previous, tokenize(texts),
                    np.arange(stored, stored + len(texts), dtype=np.int64),
                    lambda: staged.row_mask(stored + len(texts)),
                )  # fmt: skip
            finally:
                staged.close()
            # What was read and written anew must have been what was first written; linked
            # files keep their recorded digests, so damage to them is found when loaded.
            manifest.verify_files(
                previous, skip=linked_files(staging, previous, manifest.files), hashed=_done(read)
            )
            manifest = replace(
                manifest,
                build_id=build_id,
                built_at=datetime.now(UTC).isoformat(timespec="seconds"),
                articles=report.articles,
                passages=passages,
                sentences=sentence_count,
                revision=(manifest.revision or 0) + 1,
                next_row=stored + len(texts),
                next_sentence=stored_sentences + len(scales),
                files=file_digests(staging, (previous, manifest.files), _done(written)),
            )  # fmt: skip
            appending.reached("manifest")
            manifest.save(staging)  # last: marks it complete
            report.version = self._layout.publish(build_id, staging)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        finally:
            hashing.shutdown(cancel_futures=True)
        self._layout.collect_garbage()
        return True

    def _vector_index(self, vectors: np.ndarray) -> _VectorIndex:
        """The version's FAISS index, of the type FAISS_INDEX_FACTORY picks for its size (so a
        corpus that grows past FAISS_EXACT_LIMIT changes type at its next write), and how close
        an approximate one comes to exact search."""
        settings = self._context.settings
        factory = resolve_factory(
            settings.faiss_index_factory, len(vectors), settings.faiss_exact_limit
        )
        started = time.monotonic()
        index = build_faiss(vectors, factory, ef_search=settings.faiss_hnsw_ef_search)
        if is_exact(index):
            return _VectorIndex(index, factory, None)
        recall = build_recall(index, vectors)
        log.info(
            "built a %s index of %s vectors in %.1f s; recall@10 against exact search %.3f",
            factory, f"{len(vectors):,}", time.monotonic() - started, recall,
        )  # fmt: skip
        return _VectorIndex(index, factory, recall)


def _hashed_and_flushed(path: Path) -> str:
    """A new file's SHA-256, its bytes then flushed to disk on the hashing thread, so that the
    publish's fsync finds them written."""
    digest = file_sha256(path)
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())
    return digest


def _done(digests: Mapping[str, Future[str]]) -> dict[str, str]:
    return {name: future.result() for name, future in digests.items()}


@dataclass(frozen=True, slots=True)
class _NamedRead:
    """A live version of which only the articles a write names were read."""

    folder: Path


def _unread_members(previous: Path, stories: set[str], live: LiveContent) -> list[IndexedArticle]:
    """The articles of these stories a write that read only named ones left unread: a story's
    row is derived from all its members."""
    if not isinstance(live.store_view, _NamedRead) or not stories:
        return []
    read = {item.article.id for item in live.items}
    reader = MetadataReader(previous)
    try:
        ids = [i for i in reader.story_member_ids(stories) if i not in read]
        return reader.indexed_articles(ids) if ids else []
    finally:
        reader.close()


def _stacked(quantized: Sequence[QuantizedSentences], dimension: int) -> QuantizedSentences:
    """Every passage's sentence codes and scales, in passage order, as two arrays."""
    if not quantized:
        return np.zeros((0, dimension), np.int8), np.zeros(0, np.float32)
    return np.concatenate([c for c, _ in quantized]), np.concatenate([s for _, s in quantized])
