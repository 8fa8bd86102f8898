"""Build, extend and shrink an index: the one place a write is orchestrated, whichever store
holds the index. The store's own writer (`index.store.version_writer`: a new FAISS version
folder, or Milvus collections changed in place) reads the live version and publishes the next.

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
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from index.articles.article import Article
from index.articles.files import NamedIds, Skipped, read_articles
from index.disk import full_disk_reported
from index.embedding.cache import EmbeddingCache, QuantizedSentences, text_key
from index.embedding.model import Embedder, export_question_model
from index.embedding.model_input import model_input
from index.embedding.reference_vectors import REFERENCE_TEXTS, encoded
from index.embedding.sentence_vectors import Span
from index.embedding.write_engine import encoder_for_misses, write_engine
from index.errors import (
    IndexCorruptError,
    IndexMismatchError,
    IndexMissingError,
    NoArticlesError,
    UnreadableArticleError,
)
from index.guarded import guarded
from index.monitoring import INDEX_EMBEDDED_PASSAGES, INDEX_WRITE_SECONDS, INDEX_WRITTEN_ARTICLES
from index.passages.cutting import ChunkingOptions, PassageSpan, split_passages
from index.passages.parallel import split_many
from index.passages.sentences import sentence_spans
from index.search.selection import resemblance, shingles
from index.settings import IndexSettings
from index.store.metadata import IndexedArticle
from index.store.publish import IndexLayout
from index.store.version_writer import LiveContent, WriteContext, WriteReport, version_writer
from index.stories.assignment import Placement, default_rules
from index.stories.placing import place_in_stories

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


def _writing(writer: IndexWriter) -> contextlib.AbstractContextManager[None]:
    """A write that runs out of space raises DiskFullError naming the folder, not a traceback."""
    return full_disk_reported(writer._layout.root, writer._settings.resolved_cache_path.parent)


_full_disk_is_named = guarded(_writing)


def _measured(report: WriteReport) -> WriteReport:
    """The write, recorded in the metrics (`index.monitoring`)."""
    INDEX_WRITE_SECONDS.labels(operation=report.action).observe(report.seconds)
    for change, ids in (
        ("added", report.added),
        ("updated", report.updated),
        ("removed", report.removed),
    ):
        INDEX_WRITTEN_ARTICLES.labels(change=change).inc(len(ids))
    INDEX_EMBEDDED_PASSAGES.inc(report.embedded)
    return report


class IndexWriter:
    """The one way to change an index folder."""

    def __init__(
        self, settings: IndexSettings, embedder: Embedder, *, progress: bool = False
    ) -> None:
        self._settings = settings
        self._embedder = embedder
        self._progress = progress
        self._layout = IndexLayout(settings.resolved_index_dir)
        self._chunking = ChunkingOptions(
            max_tokens=settings.passage_max_tokens,
            min_tokens=settings.passage_min_tokens,
            overlap_sentences=settings.passage_overlap_sentences,
        )
        self._context = WriteContext(
            settings, embedder, self._chunking, self._embed, self._reference_vectors
        )
        self._store = version_writer(self._context)

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
            kept_stories: dict[str, Placement] = {}
            fresh = self._index_articles(articles, previous, prepared, report, kept_stories)
            fresh_ids = {item.article.id for item in fresh}
            items = fresh + [item for item in kept if item.article.id not in fresh_ids]
            if not items:
                raise NoArticlesError(
                    "no readable articles in "
                    + ", ".join(map(str, paths))
                    + "; the index is unchanged"
                )
            report.removed = sorted(previous.by_id().keys() - {i.article.id for i in items})
            self._commit(items, report, previous=previous, kept_stories=kept_stories)
        report.seconds = time.monotonic() - started
        return _measured(report)

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
            kept_stories: dict[str, Placement] = {}
            fresh = self._index_articles(articles, previous, prepared, report, kept_stories)
            fresh_ids = {item.article.id for item in fresh}
            items = [i for i in previous.items if i.article.id not in fresh_ids] + fresh
            if not items and not previous.others[0]:
                named = ", ".join(map(str, paths)) or f"the {len(given)} articles given"
                raise NoArticlesError(f"no readable articles in {named}; nothing was added")
            self._commit(
                items,
                report,
                changed=bool(report.added or report.updated or not previous.articles()),
                previous=previous,
                kept_stories=kept_stories,
            )
        report.seconds = time.monotonic() - started
        return _measured(report)

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
            report.unchanged = len(items) + previous.others[0]
            self._commit(items, report, changed=bool(report.removed), previous=previous)
        report.seconds = time.monotonic() - started
        return _measured(report)

    @_full_disk_is_named
    def compact(self) -> WriteReport:
        """Write the live version whole again: the vectors of replaced and removed passages that
        appends left hidden (`index.store.faiss.appending`) go, and rows are numbered anew."""
        started = time.monotonic()
        report = WriteReport("compact")
        with self._write_lock():
            previous = self._previous(for_rebuild=False)
            if previous.name is None:
                raise IndexMissingError(
                    f"there is no index in {self._layout.root} to compact; "
                    "build one with `python -m index rebuild`"
                )
            report.unchanged = previous.articles()
            self._commit(list(previous.items), report, previous=previous)
        report.seconds = time.monotonic() - started
        return _measured(report)

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
            self._store.clean_up()
            yield

    def _previous(
        self, *, for_rebuild: bool, named: Mapping[str, str | None] | None = None
    ) -> LiveContent:
        """The live version's content; a rebuild may replace an unreadable or mismatched one.

        `named` maps the ids an `add` or `remove` names to their incoming content hash (None
        for a removal): a store that writes in place reads only those.
        """
        name = self._store.live_name()
        if name is None:
            return LiveContent([], None)
        try:
            return self._store.read_live(name, check=not for_rebuild, named=named)
        except (IndexCorruptError, IndexMismatchError) as exc:
            if not for_rebuild:
                raise
            log.warning("the current index will be replaced: %s", exc)
            return LiveContent([], None, name)

    def _live(
        self, seen: LiveContent, *, for_rebuild: bool, named: Mapping[str, str | None] | None = None
    ) -> LiveContent:
        """Under the lock: the live version, which another writer may have published since `seen`."""
        if self._store.live_name() == seen.name:
            return seen
        log.info("another write was published meanwhile; adding to that version")
        return self._previous(for_rebuild=for_rebuild, named=named)

    def _prepare(
        self, articles: Sequence[Article], previous: LiveContent, report: WriteReport
    ) -> dict[str, tuple[PassageSpan, ...]]:
        """Passages of the articles `previous` cannot supply, their vectors put in the cache.

        Runs without the lock: this is where a write spends its time.
        """
        reusable = previous.by_id() if self._context.same_chunking(previous.manifest) else {}
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
                texts,
                sentences,
                encoder_for_misses(self._settings, self._embedder),
                progress=self._progress,
            )
        finally:
            cache.close()

    def _reference_vectors(self) -> dict[str, str]:
        """The reference texts encoded as questions by this writer's model, through the
        embedding cache: a write that embeds nothing (`remove`, a cached rebuild) loads no model."""
        cache = EmbeddingCache(
            self._settings.resolved_cache_path,
            self._embedder.model_name,
            self._embedder.dimension,
            self._embedder.backend,
        )
        try:
            keys = [text_key(f"\0question\0{text}") for text in REFERENCE_TEXTS]
            found = cache.get_many(keys)
            if len(found) < len(keys):
                engine = write_engine(self._settings, self._embedder, len(REFERENCE_TEXTS))
                vectors = engine.encode_queries(list(REFERENCE_TEXTS))
                found = dict(zip(keys, vectors, strict=True))
                cache.put_many(list(found.items()))
        finally:
            cache.close()
        return {text: encoded(found[key]) for text, key in zip(REFERENCE_TEXTS, keys, strict=True)}

    def _index_articles(
        self,
        articles: Sequence[Article],
        previous: LiveContent,
        prepared: dict[str, tuple[PassageSpan, ...]],
        report: WriteReport,
        kept_stories: dict[str, Placement],
    ) -> list[IndexedArticle]:
        """Articles with passages: reused from the previous version when nothing changed, else
        the prepared ones (split here only if `previous` is not the version prepared against).
        An article whose text changed keeps its story, noted in `kept_stories`."""
        old = previous.by_id()
        reuse = self._context.same_chunking(previous.manifest)
        # Stories stay; their article vectors only if they are in this model's space.
        same_space = self._context.same_vectors(previous.manifest)
        now = datetime.now(UTC).isoformat(timespec="microseconds")
        result: list[IndexedArticle] = []
        for article in articles:
            before = old.get(article.id)
            if before is not None and before.article.content_hash == article.content_hash:
                report.unchanged += 1
                if reuse:  # same text, same chunking: same passages (the origin may have moved)
                    passages = with_sentences(article.text, before.passages)
                    story = before.story if same_space else None
                    if before.story is not None and story is None:
                        kept_stories[article.id] = Placement(
                            before.story.story_id, before.story.predecessor
                        )
                    result.append(IndexedArticle(article, passages, before.first_indexed_at, story))
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
            if before is not None and before.story is not None:
                kept_stories[article.id] = Placement(
                    before.story.story_id, before.story.predecessor
                )
            result.append(IndexedArticle(article, spans, first_seen))
        return result

    def _in_stories(
        self,
        items: list[IndexedArticle],
        previous: LiveContent,
        kept: dict[str, Placement],
        report: WriteReport,
    ) -> list[IndexedArticle]:
        """`items` with every article in a story (`index.stories.placing`)."""
        rules = replace(default_rules(), window=self._settings.story_window_timedelta)

        def passage_vectors(unplaced: Sequence[IndexedArticle]) -> list[np.ndarray]:
            """Each article's passage vectors, through the embedding cache: the write has put
            new articles' there; an article of a version in another model's space (a rebuild
            that changes the model) is embedded here, and counted."""
            texts, sentences = model_input(
                (i.article, span) for i in unplaced for span in i.passages
            )
            vectors = np.zeros((0, self._embedder.dimension), np.float32)
            if texts:
                vectors, _, embedded = self._embed(texts, sentences)
                report.embedded += embedded
            bounds = np.cumsum([0, *(len(i.passages) for i in unplaced)])
            return [vectors[a:b] for a, b in itertools.pairwise(bounds)]

        return place_in_stories(
            items,
            passage_vectors,
            lambda low, high: self._store.story_neighbours(previous, low, high),
            rules,
            kept,
        )

    def _commit(
        self,
        items: list[IndexedArticle],
        report: WriteReport,
        *,
        changed: bool = True,
        previous: LiveContent,
        kept_stories: dict[str, Placement] | None = None,
    ) -> None:
        """Publish `items` (and the live articles `previous` did not read) as the next version,
        every article in a story; when nothing changed, only count what is live."""
        report.articles = len(items) + previous.others[0]
        report.passages = sum(len(i.passages) for i in items) + previous.others[1]
        if changed:
            items = self._in_stories(items, previous, kept_stories or {}, report)
            self._store.commit(items, report, previous)
            # Questions may run on ONNX (QUESTION_BACKEND): export it here, where torch is at
            # hand, so a process that only answers never needs torch.
            export_question_model(self._settings)
