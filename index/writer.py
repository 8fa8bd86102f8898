"""Build, extend and shrink an index: every write publishes a complete new version, but
`add` and `remove` on Milvus, which change the live collections in place
(`index.store.milvus.in_place`).

Unchanged articles keep their passages, and unchanged passages their cached vectors, so an
`add` or a rebuild of the same corpus embeds only what is new.

The slow part, splitting new articles and embedding their passages, is done before the write
lock is taken, against the version live at that moment; passages and vectors depend only on the
text, the chunking and the model, so they stay valid whatever another writer publishes
meanwhile. Under the lock a writer only reads the live version again, reconciles (splitting an
article only if that version no longer supplies its passages) and publishes.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import shutil
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import faiss
import numpy as np

from index.articles.article import Article
from index.articles.files import NamedIds, Skipped, read_articles
from index.disk import full_disk_reported
from index.embedding.cache import EmbeddingCache, QuantizedSentences
from index.embedding.model import Embedder
from index.embedding.model_input import model_input
from index.embedding.sentence_vectors import Span, dequantize
from index.errors import (
    IndexCorruptError,
    IndexMismatchError,
    NoArticlesError,
    UnreadableArticleError,
)
from index.guarded import guarded
from index.lexical import build_lexical
from index.passages.cutting import ChunkingOptions, PassageSpan, split_passages
from index.passages.parallel import split_many
from index.passages.sentences import sentence_spans
from index.search.ranking import resemblance, shingles
from index.settings import IndexSettings
from index.store.faiss.recall import build_recall
from index.store.faiss.sentence_codes import save_sentence_vectors
from index.store.faiss.vectors import build_faiss, ef_search, is_exact, resolve_factory, save_faiss
from index.store.manifest import FORMAT_VERSION, Manifest, file_digests
from index.store.metadata import IndexedArticle, MetadataReader, write_metadata
from index.store.publish import IndexLayout

if TYPE_CHECKING:  # pymilvus is imported only by a process that uses VECTOR_STORE=milvus
    from index.store.milvus.collections import MilvusStore
    from index.store.milvus.named import NamedArticles
    from index.store.milvus.version import MilvusVersion

log = logging.getLogger(__name__)

REPLACED_RESEMBLANCE = 0.1
"""An update whose text shares fewer of its word 3-grams with the indexed one is worth a warning:
more likely another story under the same id than an edit."""


def with_sentences(text: str, passages: tuple[PassageSpan, ...]) -> tuple[PassageSpan, ...]:
    """Passages read from a version that did not store their sentences, with them."""
    if all(p.sentences for p in passages):
        return passages
    return tuple(
        p if p.sentences else replace(p, sentences=_sentences_of(text, p.start, p.end))
        for p in passages
    )


def _sentences_of(text: str, start: int, end: int) -> tuple[tuple[int, int], ...]:
    found = sentence_spans(text[start:end]) or [(0, end - start)]
    return tuple((start + a, start + b) for a, b in found)


def _stacked(quantized: Sequence[QuantizedSentences], dimension: int) -> QuantizedSentences:
    """Every passage's sentence codes and scales, in passage order, as two arrays."""
    if not quantized:
        return np.zeros((0, dimension), np.int8), np.zeros(0, np.float32)
    return np.concatenate([c for c, _ in quantized]), np.concatenate([s for _, s in quantized])


def rewritten(before: str, after: str) -> bool:
    """Whether a new text for an id shares almost nothing with the indexed one."""
    return resemblance(shingles(before), shingles(after)) < REPLACED_RESEMBLANCE


def too_large(article: Article, limit: int) -> str | None:
    """Why an article is too large to index (MAX_ARTICLE_BYTES), or None."""
    size = len(article.text) if len(article.text) > limit else len(article.text.encode("utf-8"))
    if size <= limit:
        return None
    return f"too large: {size:,} bytes of text; the limit is MAX_ARTICLE_BYTES={limit:,}"


def _kept_for_unreadable(
    items: Sequence[IndexedArticle], skipped: Sequence[Skipped]
) -> list[IndexedArticle]:
    """Previously indexed articles whose file (or JSON Lines record, `path:LINE`) is unreadable now."""
    origins = {s.origin for s in skipped}
    return [
        item
        for item in items
        if item.article.origin in origins or item.article.origin.rsplit(":", 1)[0] in origins
    ]


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
class _Previous:
    items: list[IndexedArticle]
    manifest: Manifest | None
    name: str | None = None  # the version read (folder or collection); it never changes
    milvus: MilvusVersion | None = None  # where an unchanged article's vectors are copied from
    named: NamedArticles | None = None
    """Set when `items` are only the live articles a write in place names (the rest of the
    version is not read: see index.store.milvus.named)."""

    def by_id(self) -> dict[str, IndexedArticle]:
        return {item.article.id: item for item in self.items}

    def others(self) -> tuple[int, int]:
        """Articles and passages of the live version that are not in `items`."""
        return (0, 0) if self.named is None else self.named.others

    def articles(self) -> int:
        return len(self.items) + self.others()[0]


@dataclass(frozen=True, slots=True)
class _VectorIndex:
    index: faiss.Index
    factory: str
    recall: float | None  # recall@10 against exact search; None when it is exact


def _writing(writer: IndexWriter) -> contextlib.AbstractContextManager[None]:
    """A write that runs out of space raises DiskFullError naming the folder, not a traceback."""
    return full_disk_reported(writer._layout.root, writer._settings.resolved_cache_path.parent)


_full_disk_is_named = guarded(_writing)


class IndexWriter:
    """The one way to change an index folder."""

    def __init__(
        self, settings: IndexSettings, embedder: Embedder, *, progress: bool = False
    ) -> None:
        self._settings = settings
        self._embedder = embedder
        self._progress = progress
        self._layout = IndexLayout(settings.resolved_index_dir)
        self._milvus: MilvusStore | None = None
        if settings.vector_store == "milvus":
            from index.store.milvus.collections import MilvusStore

            self._milvus = MilvusStore(settings)
        self._chunking = ChunkingOptions(
            max_tokens=settings.passage_max_tokens,
            min_tokens=settings.passage_min_tokens,
            overlap_sentences=settings.passage_overlap_sentences,
        )

    @_full_disk_is_named
    def rebuild(self, paths: Sequence[Path], *, strict: bool = False) -> WriteReport:
        """Replace the index with the articles under `paths`.

        A file that cannot be read now but was indexed before keeps its previous version.
        """
        started = time.monotonic()
        report = WriteReport("rebuild")
        articles, report.skipped = self._read(paths, strict)
        seen = self._previous(for_rebuild=True)
        prepared = self._prepare(articles, seen, report)
        with self._write_lock():
            previous = self._live(seen, for_rebuild=True)
            kept = _kept_for_unreadable(previous.items, report.skipped)
            report.kept_unreadable = [item.article.id for item in kept]
            fresh = self._index_articles(articles, previous, prepared, report)
            fresh_ids = {item.article.id for item in fresh}
            items = fresh + [item for item in kept if item.article.id not in fresh_ids]
            if not items:
                raise NoArticlesError(
                    "no readable articles in "
                    + ", ".join(map(str, paths))
                    + "; the index is unchanged"
                )
            report.removed = sorted(previous.by_id().keys() - {i.article.id for i in items})
            self._commit(items, report, previous=previous)
        report.seconds = time.monotonic() - started
        return report

    @_full_disk_is_named
    def add(
        self,
        paths: Sequence[Path] = (),
        *,
        strict: bool = False,
        named_ids: NamedIds = "path",
        articles: Sequence[Article] = (),
    ) -> WriteReport:
        """Add new articles and replace changed ones; everything else stays as it is.

        `named_ids="content"` names files given on their own by their bytes rather than their
        place, for an inbox where every file is a new drop (see `index.articles.files`). `articles` are
        added as they are, after those read from `paths` (the feeds make theirs from the web).
        """
        started = time.monotonic()
        report = WriteReport("add")
        given = articles
        articles, report.skipped = self._read(paths, strict, named_ids, given)
        hashes = {article.id: article.content_hash for article in articles}
        seen = self._previous(for_rebuild=False, named=hashes)
        prepared = self._prepare(articles, seen, report)
        with self._write_lock():
            previous = self._live(seen, for_rebuild=False, named=hashes)
            fresh = self._index_articles(articles, previous, prepared, report)
            fresh_ids = {item.article.id for item in fresh}
            items = [i for i in previous.items if i.article.id not in fresh_ids] + fresh
            if not items and not previous.others()[0]:
                named = ", ".join(map(str, paths)) or f"the {len(given)} articles given"
                raise NoArticlesError(f"no readable articles in {named}; nothing was added")
            self._commit(
                items,
                report,
                changed=bool(report.added or report.updated or not previous.articles()),
                previous=previous,
            )
        report.seconds = time.monotonic() - started
        return report

    @_full_disk_is_named
    def remove(self, article_ids: Iterable[str]) -> WriteReport:
        """Remove articles by id; ids that are not in the index are reported, not fatal."""
        started = time.monotonic()
        report = WriteReport("remove")
        wanted = set(article_ids)
        with self._write_lock():
            previous = self._previous(for_rebuild=False, named=dict.fromkeys(wanted))
            items = [i for i in previous.items if i.article.id not in wanted]
            report.removed = sorted(wanted & previous.by_id().keys())
            report.unchanged = len(items) + previous.others()[0]
            self._commit(items, report, changed=bool(report.removed), previous=previous)
        report.seconds = time.monotonic() - started
        return report

    def _read(
        self,
        paths: Sequence[Path],
        strict: bool,
        named_ids: NamedIds = "path",
        given: Sequence[Article] = (),
    ) -> tuple[list[Article], list[Skipped]]:
        articles: dict[str, Article] = {}
        skipped: list[Skipped] = []
        limit = self._settings.max_article_bytes
        read = read_articles(paths, strict=strict, named_ids=named_ids) if paths else iter(())
        for found in itertools.chain(read, given):
            if isinstance(found, Article) and (problem := too_large(found, limit)) is not None:
                found = Skipped(found.origin, problem)
                if strict:
                    raise UnreadableArticleError(str(found))
            if isinstance(found, Skipped):
                log.warning("skipped %s: %s", found.origin, found.reason)
                skipped.append(found)
                continue
            if found.id in articles:
                log.warning(
                    "article id %r appears in %s and %s; keeping the later one",
                    found.id, articles[found.id].origin, found.origin,
                )  # fmt: skip
            articles[found.id] = found
        return list(articles.values()), skipped

    @contextlib.contextmanager
    def _write_lock(self) -> Iterator[None]:
        """One writer at a time (a lock file in INDEX_DIR, for both stores); holding it, what
        a killed write left (a staging folder, a half-written collection) is removed."""
        with self._layout.write_lock():
            if self._milvus is not None:
                self._milvus.collect_garbage()
            yield

    def _current(self) -> str | None:
        """The live version's name: its folder, or the collection the Milvus alias names."""
        if self._milvus is not None:
            return self._milvus.live_name()
        folder = self._layout.current_version()
        return None if folder is None else str(folder)

    def _previous(
        self, *, for_rebuild: bool, named: Mapping[str, str | None] | None = None
    ) -> _Previous:
        """The live version's content; a rebuild may replace an unreadable or mismatched one.

        `named` maps the ids an `add` or `remove` names to their incoming content hash (None
        for a removal): on a Milvus version it can write in place, only those are read.
        """
        name = self._current()
        if name is None:
            return _Previous([], None)
        milvus: MilvusVersion | None = None
        try:
            if self._milvus is not None:
                from index.store.milvus.collections import collection_of

                manifest = self._milvus.manifest(collection_of(name))
            else:
                manifest = Manifest.load(Path(name))
            if not for_rebuild:
                manifest.check_compatible(
                    self._embedder.model_name, self._embedder.dimension, self._embedder.backend
                )
            if self._milvus is not None:
                from index.store.milvus.version import MilvusVersion

                partial = named is not None and self._writable_in_place(manifest)
                milvus = MilvusVersion(
                    self._milvus, collection_of(name), manifest.model, manifest.backend,
                    counted=not partial,
                )  # fmt: skip
                if partial and named is not None and self._writable_in_place(milvus.manifest):
                    from index.store.milvus.named import read_named

                    part = read_named(self._milvus, milvus.collection, milvus.manifest, named)
                    return _Previous(part.items, milvus.manifest, name, milvus, part)
                items = milvus.indexed_articles()
            else:
                reader = MetadataReader(Path(name))
                try:
                    items = reader.indexed_articles()
                finally:
                    reader.close()
        except (IndexCorruptError, IndexMismatchError) as exc:
            if not for_rebuild:
                raise
            log.warning("the current index will be replaced: %s", exc)
            return _Previous([], None, name)
        return _Previous(items, manifest, name, milvus)

    def _live(
        self, seen: _Previous, *, for_rebuild: bool, named: Mapping[str, str | None] | None = None
    ) -> _Previous:
        """Under the lock: the live version, which another writer may have published since `seen`."""
        if self._current() == seen.name:
            return seen
        log.info("another write was published meanwhile; adding to that version")
        return self._previous(for_rebuild=for_rebuild, named=named)

    def _prepare(
        self, articles: Sequence[Article], previous: _Previous, report: WriteReport
    ) -> dict[str, tuple[PassageSpan, ...]]:
        """Passages of the articles `previous` cannot supply, their vectors put in the cache.

        Runs without the lock: this is where a write spends its time.
        """
        reusable = previous.by_id() if self._same_chunking(previous.manifest) else {}
        new = [
            article
            for article in articles
            if (before := reusable.get(article.id)) is None
            or before.article.content_hash != article.content_hash
        ]
        split = split_many(
            [article.text for article in new],
            self._embedder.count_tokens,
            self._chunking,
            tokenizer=getattr(self._embedder, "counting_tokenizer", None),
            progress=self._progress,
        )
        prepared = {article.id: spans for article, spans in zip(new, split, strict=True)}
        texts, sentences = model_input(
            (article, span) for article in articles for span in prepared.get(article.id, ())
        )
        if texts:
            report.embedded += self._embed(texts, sentences)[2]
        return prepared

    def _split(self, article: Article) -> tuple[PassageSpan, ...]:
        return tuple(split_passages(article.text, self._embedder.count_tokens, self._chunking))

    def _embed(
        self, texts: Sequence[str], sentences: Sequence[Sequence[Span]]
    ) -> tuple[np.ndarray, list[QuantizedSentences], int]:
        """Passage and sentence vectors through the embedding cache, and how many passages had
        to be run through the model."""
        cache = EmbeddingCache(
            self._settings.resolved_cache_path,
            self._embedder.model_name,
            self._embedder.dimension,
            self._embedder.backend,
        )
        try:
            return cache.embed_passages(
                texts, sentences, self._embedder.encode_passages, progress=self._progress
            )
        finally:
            cache.close()

    def _same_vectors(self, manifest: Manifest | None) -> bool:
        """Whether the version's passages and vectors are what this writer would make: the same
        chunking, and the same model's vectors in the same space."""
        return (
            self._same_chunking(manifest)
            and manifest is not None
            and manifest.dimension == self._embedder.dimension
            and manifest.backend == self._embedder.backend
        )

    def _writable_in_place(self, manifest: Manifest) -> bool:
        """Whether an `add` or `remove` may change this Milvus version in place (unless its new
        size changes the index type, which `_commit_milvus` finds out)."""
        from index.store.milvus.revisions import in_place

        return in_place(manifest) and self._same_vectors(manifest)

    def _same_chunking(self, manifest: Manifest | None) -> bool:
        return manifest is not None and (
            manifest.model == self._embedder.model_name
            and manifest.passage_max_tokens == self._chunking.max_tokens
            and manifest.passage_min_tokens == self._chunking.min_tokens
            and manifest.passage_overlap_sentences == self._chunking.overlap_sentences
        )

    def _index_articles(
        self,
        articles: Sequence[Article],
        previous: _Previous,
        prepared: dict[str, tuple[PassageSpan, ...]],
        report: WriteReport,
    ) -> list[IndexedArticle]:
        """Articles with passages: reused from the previous version when nothing changed, else
        the prepared ones (split here only if `previous` is not the version prepared against)."""
        old = previous.by_id()
        reuse = self._same_chunking(previous.manifest)
        now = datetime.now(UTC).isoformat(timespec="microseconds")
        result: list[IndexedArticle] = []
        for article in articles:
            before = old.get(article.id)
            if before is not None and before.article.content_hash == article.content_hash:
                report.unchanged += 1
                if reuse:  # same text, same chunking: same passages (the origin may have moved)
                    passages = with_sentences(article.text, before.passages)
                    result.append(IndexedArticle(article, passages, before.first_indexed_at))
                    continue
            elif before is not None:
                report.updated.append(article.id)
                if rewritten(before.article.text, article.text):
                    log.warning(
                        "article %s: the new text shares almost nothing with the indexed one; "
                        "replacing it", article.id,
                    )  # fmt: skip
                    report.replaced.append(article.id)
            else:
                report.added.append(article.id)
            spans = prepared.get(article.id)
            if spans is None:
                spans = self._split(article)
            first_seen = before.first_indexed_at if before is not None else now
            result.append(IndexedArticle(article, spans, first_seen))
        return result

    def _commit(
        self,
        items: list[IndexedArticle],
        report: WriteReport,
        *,
        changed: bool = True,
        previous: _Previous | None = None,
    ) -> None:
        """Publish `items` (and the live articles `previous` did not read) as the next version;
        when nothing changed, only count what is live."""
        others = previous.others() if previous is not None else (0, 0)
        report.articles = len(items) + others[0]
        report.passages = sum(len(i.passages) for i in items) + others[1]
        if not changed:
            return
        if self._milvus is not None:
            self._commit_milvus(items, report, previous)
            return
        texts, sentences = model_input((i.article, span) for i in items for span in i.passages)
        # Prepared passages are found in the cache.
        vectors, quantized, embedded = self._embed(texts, sentences)
        report.embedded += embedded
        build_id, staging = self._layout.new_staging()
        try:
            write_metadata(staging, items)
            vector_index = self._vector_index(vectors)
            save_faiss(vector_index.index, staging)
            codes, scales = _stacked(quantized, self._embedder.dimension)
            save_sentence_vectors(staging, codes, scales)
            build_lexical(texts, staging)
            manifest = self._manifest(
                build_id, items, staging, sentences=len(scales), vectors=vector_index
            )
            manifest.save(staging)  # last: marks it complete
            report.version = self._layout.publish(build_id, staging)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        self._layout.collect_garbage()

    def _commit_milvus(
        self, items: list[IndexedArticle], report: WriteReport, previous: _Previous | None
    ) -> None:
        """Change the live collections in place for `add` and `remove`; else (a rebuild, the
        first version, another chunking, or a size that changes the index type) write a
        whole version and move the alias (see index.store.milvus.whole_version)."""
        from index.store.milvus.collections import APPROXIMATE_TYPE, EXACT_TYPE

        assert self._milvus is not None
        reusable = previous is not None and self._same_vectors(previous.manifest)
        milvus = previous.milvus if previous is not None and reusable else None
        exact = report.passages <= self._settings.faiss_exact_limit
        index_type = EXACT_TYPE if exact else APPROXIMATE_TYPE
        if (
            report.action != "rebuild"
            and milvus is not None
            and previous is not None
            and self._writable_in_place(milvus.manifest)
            and milvus.manifest.index_factory == index_type
        ):
            self._write_in_place(items, report, milvus, previous)
            return
        if previous is not None and previous.named is not None:
            # A new size changes the index type: a whole version, so the whole live one.
            whole = self._previous(for_rebuild=False)
            read = {item.article.id for item in previous.items}
            items = [i for i in whole.items if i.article.id not in read] + items
            previous, milvus = whole, whole.milvus
        from index.store.milvus.whole_version import version_vectors

        texts, sentences = model_input((i.article, span) for i in items for span in i.passages)
        vectors, sentence_vectors, embedded = version_vectors(
            items, texts, sentences, self._embedder.dimension, self._embed, milvus,
            previous.items if previous is not None else [],
        )  # fmt: skip
        report.embedded += embedded
        build_id = self._layout.new_build_id()
        manifest = Manifest(
            format_version=FORMAT_VERSION,
            build_id=build_id,
            model=self._embedder.model_name,
            dimension=self._embedder.dimension,
            metric="inner_product",
            index_factory=index_type,
            passage_max_tokens=self._chunking.max_tokens,
            passage_min_tokens=self._chunking.min_tokens,
            passage_overlap_sentences=self._chunking.overlap_sentences,
            articles=len(items),
            passages=len(texts),
            built_at=datetime.now(UTC).isoformat(timespec="seconds"),
            backend=self._embedder.backend,
            sentences=len(sentence_vectors),
            ef_search=None if exact else self._settings.faiss_hnsw_ef_search,
            store="milvus",
            revision=0,
            next_row=len(texts),
            next_sentence=len(sentence_vectors),
            next_article=len(items),
        )
        report.collection = self._milvus.write_version(
            build_id, items, texts, vectors, sentence_vectors, manifest
        )
        self._milvus.collect_garbage()

    def _write_in_place(
        self,
        items: list[IndexedArticle],
        report: WriteReport,
        live: MilvusVersion,
        previous: _Previous,
    ) -> None:
        """Insert the added and updated articles, retire the updated and removed ones: the
        rows (and vectors) of every other article are not touched."""
        from index.store.milvus.in_place import Retired, write_in_place

        assert self._milvus is not None
        written = set(report.added) | set(report.updated)
        fresh = [item for item in items if item.article.id in written]
        places = live.places() if previous.named is None else previous.named.places
        retired = [
            Retired(
                places[item.article.id][0],
                len(item.passages),
                sum(len(p.sentences) for p in item.passages),
            )
            for item in previous.items
            if item.article.id in set(report.updated) | set(report.removed)
        ]
        texts, sentences = model_input((i.article, span) for i in fresh for span in i.passages)
        dimension = self._embedder.dimension
        vectors = np.zeros((0, dimension), np.float32)
        sentence_vectors = np.zeros((0, dimension), np.float32)
        if texts:
            vectors, quantized, embedded = self._embed(texts, sentences)
            report.embedded += embedded
            sentence_vectors = np.concatenate([dequantize(c, s) for c, s in quantized])
        write_in_place(
            self._milvus, live.collection, live.manifest, fresh, texts, vectors,
            sentence_vectors, retired, datetime.now(UTC).isoformat(timespec="seconds"),
        )  # fmt: skip
        report.collection = live.collection

    def _vector_index(self, vectors: np.ndarray) -> _VectorIndex:
        """The version's FAISS index, of the type FAISS_INDEX_FACTORY picks for its size (so a
        corpus that grows past FAISS_EXACT_LIMIT changes type at its next write), and how close
        an approximate one comes to exact search."""
        settings = self._settings
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

    def _manifest(
        self,
        build_id: str,
        items: list[IndexedArticle],
        staging: Path,
        *,
        sentences: int,
        vectors: _VectorIndex,
    ) -> Manifest:
        """Written last, with the size and checksum of every file already in `staging`."""
        return Manifest(
            format_version=FORMAT_VERSION,
            build_id=build_id,
            model=self._embedder.model_name,
            dimension=self._embedder.dimension,
            metric="inner_product",
            index_factory=vectors.factory,
            passage_max_tokens=self._chunking.max_tokens,
            passage_min_tokens=self._chunking.min_tokens,
            passage_overlap_sentences=self._chunking.overlap_sentences,
            articles=len(items),
            passages=sum(len(i.passages) for i in items),
            built_at=datetime.now(UTC).isoformat(timespec="seconds"),
            backend=self._embedder.backend,
            sentences=sentences,
            files=file_digests(staging),
            recall_at_10=None if vectors.recall is None else round(vectors.recall, 4),
            ef_search=None if vectors.recall is None else ef_search(vectors.index),
        )
