"""A version read from Milvus (VECTOR_STORE=milvus): `index.store.version.IndexVersion` over the
collections `index.store.milvus.collections` writes.

Searches and reads go to Milvus on every call: nothing of the version is copied to local
files, so a replica on another machine needs none. An object reads one revision of the
collections (their manifest when it was loaded): every search and query is filtered to the
rows that revision shows (`index.store.milvus.in_place.visible`), so an in-place write under way, or
one killed, is invisible, and what is read whole (the article listing, its counts) is kept
after the first read. A new revision is a new object (`index.store.factory.MilvusSource`).

Dense and lexical candidates are two Milvus searches (the vector field, and the BM25 function's
sparse field), fused by the searcher with `index.search.fusion.fuse`, not by Milvus' `hybrid_search`:
its rerankers (RRF, weighted) fuse otherwise than `cosine + weight x BM25 / best BM25`, and the
recency prior, the minimum score and the bold sentence would need a second path. With this, the
two stores differ only in where the candidates come from.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from pymilvus.exceptions import MilvusException

from index.errors import IndexCorruptError
from index.lexical import K1
from index.settings import EfSearch
from index.store.hnsw_depth import hnsw_ef_search
from index.store.manifest import REBUILD_HINT
from index.store.metadata import ArticleSummary, IndexedArticle, PassageRecord
from index.store.milvus.collections import (
    APPROXIMATE_TYPE,
    ARTICLES_SUFFIX,
    SENTENCES_SUFFIX,
    MilvusStore,
    is_lite,
)
from index.store.milvus.revisions import hidden, in_place, shows, stored_rows, visible
from index.store.milvus.rows import (
    ARTICLE_FIELDS,
    SPAN_FIELDS,
    STORY_FIELDS,
    indexed_article,
    passage_spans,
    words_of,
)
from index.store.passage_facts import ArticleFacts, PassageFacts, PassageFactsTable
from index.store.passage_filter import PassageFilter
from index.stories.fingerprint import story_moment
from index.stories.model import Story, StoryMember

_RECORD_FIELDS = [
    "row", "article_id", "ordinal", "start", "end", "text", "title", "url", "source",
    "published", "first_indexed_at", "passages_in_article",
]  # fmt: skip
_SUMMARY_FIELDS = [
    "row", "id", "title", "url", "source", "published", "passages", "first_indexed_at",
    "first_row",
]  # fmt: skip


class MilvusVersion:
    """One complete version: the collections the alias named when it was loaded, at the
    revision their manifest named then."""

    def __init__(
        self,
        store: MilvusStore,
        collection: str,
        model: str,
        backend: str,
        *,
        ef_search: EfSearch = "auto",
        counted: bool = True,
    ) -> None:
        """Loading checks that the collections show as many rows as the manifest counts
        (`_shown`).
        `counted=False` leaves the check out, for a writer in place, which checks the rows it
        reads instead (`index.store.milvus.named`)."""
        self._store = store
        self._client = store.client
        self.collection = collection
        self._sentences = collection + SENTENCES_SUFFIX
        self._articles = collection + ARTICLES_SUFFIX
        self.manifest = store.manifest(collection)
        self._ef_search = hnsw_ef_search(ef_search, self.manifest.passages)
        self.manifest.check_compatible(model, self.manifest.dimension, backend)
        self._visible = visible(self.manifest)
        self._visible_articles = visible(self.manifest, "row")
        m = self.manifest
        self._ends = (  # every row number of the revision is below these
            (m.next_article or 0, m.next_row or 0) if in_place(m) else (m.articles, m.passages)
        )
        self._summaries: list[dict[str, Any]] | None = None
        self._summaries_lock = threading.Lock()
        self._stories: dict[str, Story] | None = None
        self._facts: PassageFactsTable | None = None
        try:
            for name in (collection, self._sentences, self._articles):
                self._client.load_collection(name)
            articles, passages, sentences = (
                self._shown() if counted else (m.articles, m.passages, m.sentences)
            )  # only the rows this revision shows: a killed write's or retired rows are not
            dimension = self._dimension()
        except MilvusException as exc:
            raise self._damaged(exc) from None
        m = self.manifest
        if (passages, sentences, articles, dimension) != (
            m.passages,
            m.sentences,
            m.articles,
            m.dimension,
        ):
            raise IndexCorruptError(
                f"the Milvus collection {collection} is inconsistent ({passages} passages, "
                f"{sentences} sentences, {articles} articles, {dimension} dimensions; the "
                f"manifest says {m.passages}, {m.sentences}, {m.articles} and {m.dimension}): "
                f"{REBUILD_HINT}"
            )
        self._counts = (articles, passages)

    def _damaged(self, exc: MilvusException) -> IndexCorruptError:
        return IndexCorruptError(
            f"the Milvus collection {self.collection} cannot be read ({exc.message}): "
            f"{REBUILD_HINT}"
        )

    def _shown(self) -> tuple[int, int, int]:
        """How many articles, passages and sentences this revision shows.

        The stored rows, counted without a filter (Milvus Lite reads that from its segments:
        0.24 s for 355,620 sentences, where any filter costs a pass over the rows, 22-38 s for
        `visible`'s), are compared with what the manifest says is stored once it was published.
        Only when they differ (a later write killed or under way) are the hidden rows counted
        (`hidden`: it matches few rows, 0.6-1.3 s on the same sentences) and taken off."""
        names = ((self.collection, "article_row"), (self._sentences, "article_row"),
                 (self._articles, "row"))  # fmt: skip
        passages, sentences, articles = (self._count(name, "") for name, _ in names)
        stored = (articles, passages, sentences)
        m = self.manifest
        if m.revision is None or stored == stored_rows(m):
            return stored if m.revision is None else (m.articles, m.passages, m.sentences)
        passages, sentences, articles = (
            total - self._count(name, hidden(m, field))
            for total, (name, field) in zip((passages, sentences, articles), names, strict=True)
        )
        return articles, passages, sentences

    def _count(self, name: str, expression: str) -> int:
        (found,) = self._client.query(name, filter=expression, output_fields=["count(*)"])
        return int(found["count(*)"])

    def _dimension(self) -> int:
        fields = self._client.describe_collection(self.collection)["fields"]
        (vector,) = [f for f in fields if f["name"] == "vector"]
        return int(vector["params"]["dim"])

    @property
    def name(self) -> str:
        return self.collection

    @property
    def location(self) -> str:
        uri = self._store.uri
        return f"{uri} (Milvus{' Lite' if is_lite(uri) else ''}), collection {self.collection}"

    @property
    def has_lexical(self) -> bool:
        return True

    @property
    def has_sentence_vectors(self) -> bool:
        return True

    def _get(self, name: str, rows: Sequence[int], fields: list[str]) -> dict[int, dict[str, Any]]:
        if not rows:
            return {}
        wanted = sorted({int(r) for r in rows})
        article_field = "row" if name == self._articles else "article_row"
        revised = self.manifest.revision is not None
        try:
            found = self._client.query(
                name,
                filter=f"row in [{', '.join(map(str, wanted))}]",
                output_fields=[*fields, "revision", article_field] if revised else fields,
                limit=len(wanted),
            )  # the revision's rows are kept here, not by the filter (`shows`)
        except MilvusException as exc:
            raise self._damaged(exc) from None
        return {int(r["row"]): r for r in found if shows(self.manifest, r, article_field)}

    def _search(
        self,
        data: list[Any],
        field: str,
        depth: int,
        params: dict[str, Any],
        passage_filter: PassageFilter | None = None,
    ) -> list[list[tuple[int, float]]]:
        depth = min(depth, self._counts[1])
        if depth <= 0 or not data:
            return [[] for _ in data]
        expression = " and ".join(
            f"({e})" for e in (self._visible, self._filter_expression(passage_filter)) if e
        )
        try:
            found = self._client.search(
                self.collection, data=data, anns_field=field, limit=depth,
                output_fields=["row"], search_params=params, filter=expression,
            )  # fmt: skip
        except MilvusException as exc:
            raise self._damaged(exc) from None
        return [[(int(hit["entity"]["row"]), float(hit["distance"])) for hit in q] for q in found]

    def _filter_expression(self, passage_filter: PassageFilter | None) -> str:
        """A filter as Milvus reads it on passage rows. A version before format 4 stores no
        moments: its window is the articles whose moment falls in it, named one by one."""
        if passage_filter is None:
            return ""
        if self.manifest.format_version >= 4 or not passage_filter.has_time:
            return passage_filter.milvus_expression()
        inside = [
            str(r["id"])
            for r in self._summary_rows()
            if passage_filter.passes_record(r["published"], r["first_indexed_at"], r["source"])
        ]
        return f"article_id in {json.dumps(inside, ensure_ascii=False)}"

    def nearest(
        self, queries: np.ndarray, depth: int, passage_filter: PassageFilter | None = None
    ) -> list[list[tuple[int, float]]]:
        params: dict[str, Any] = {"metric_type": "IP"}
        if self.manifest.index_factory == APPROXIMATE_TYPE:
            params["params"] = {"ef": max(self._ef_search, depth)}
        rows = np.asarray(queries, dtype=np.float32)
        data = [list(map(float, q)) for q in rows]
        return self._search(data, "vector", depth, params, passage_filter)

    def passage_vectors(self, rows: Sequence[int]) -> np.ndarray:
        return self._vectors(self.collection, rows)

    def _vectors(self, name: str, rows: Sequence[int]) -> np.ndarray:
        found = self._get(name, rows, ["row", "vector"])
        if len(found) != len(set(rows)):
            raise IndexCorruptError(
                f"the Milvus collection {name} lacks rows it should hold: {REBUILD_HINT}"
            )
        vectors = [np.asarray(found[int(r)]["vector"], dtype=np.float32) for r in rows]
        if not vectors:
            return np.zeros((0, self.manifest.dimension), dtype=np.float32)
        return np.stack(vectors)

    def lexical_search(
        self, query: str, depth: int, passage_filter: PassageFilter | None = None
    ) -> list[tuple[int, float]]:
        words = words_of(query)
        if not words:
            return []
        (found,) = self._search([words], "sparse", depth, {"metric_type": "BM25"}, passage_filter)
        # Milvus Lite gives BM25 as a distance (negated score), a server as the score itself;
        # either has Okapi's (k1 + 1) factor, which bm25s (Lucene's variant) leaves out.
        return [(row, abs(score) / (K1 + 1)) for row, score in found if score != 0]

    @property
    def has_stories(self) -> bool:
        """Whether rows carry their article's story (format 3 and later)."""
        return self.manifest.format_version >= 3

    def passages(self, rows: Sequence[int]) -> dict[int, PassageRecord]:
        fields = _RECORD_FIELDS + (["story_id"] if self.has_stories else [])
        found = self._get(self.collection, rows, fields)
        return {row: PassageRecord(*(r[f] for f in fields)) for row, r in found.items()}

    def passage_facts(self, rows: Sequence[int]) -> dict[int, PassageFacts]:
        """From the summary rows (read once), with no query to Milvus."""
        summaries = self._summary_rows()
        with self._summaries_lock:
            if self._facts is None:
                self._facts = PassageFactsTable(_article_facts(r) for r in summaries)
            facts = self._facts
        return facts.facts(rows)

    def sentences(self, rows: Sequence[int]) -> dict[int, list[tuple[int, int, int]]]:
        fields = ["row", "sentence_first", "sentence_starts", "sentence_ends"]
        found = self._get(self.collection, rows, fields)
        listed: dict[int, list[tuple[int, int, int]]] = {row: [] for row in rows}
        for row, r in found.items():
            first = int(r["sentence_first"])
            listed[row] = [
                (first + i, int(a), int(b))
                for i, (a, b) in enumerate(
                    zip(r["sentence_starts"], r["sentence_ends"], strict=True)
                )
            ]
        return listed

    def sentence_vectors(self, rows: Sequence[int]) -> np.ndarray:
        return self._vectors(self._sentences, rows)

    def _summary_rows(self) -> list[dict[str, Any]]:
        """Every article but its text, read once: listings sort and filter them here."""
        with self._summaries_lock:
            if self._summaries is None:
                try:
                    self._summaries = sorted(
                        self._store.read_rows(
                            self._articles,
                            self._ends[0],
                            self._summary_fields(),
                            self._visible_articles,
                        ),
                        key=lambda r: int(r["row"]),
                    )
                except MilvusException as exc:
                    raise self._damaged(exc) from None
            return self._summaries

    def _summary_fields(self) -> list[str]:
        return (
            _SUMMARY_FIELDS
            + (["first_sentence"] if in_place(self.manifest) else [])
            + (["story_id", "story_predecessor"] if self.has_stories else [])
        )

    def stories(self, story_ids: Sequence[str]) -> dict[str, Story]:
        """Each story's row derived from its articles' (the story table of a FAISS version)."""
        every = self._every_story()
        return {story_id: every[story_id] for story_id in story_ids if story_id in every}

    def list_stories(self, offset: int = 0, limit: int | None = None) -> list[Story]:
        """Newest first, as MetadataReader.list_stories orders them."""
        ordered = sorted(self._every_story().values(), key=lambda s: s.id)
        ordered.sort(key=lambda s: s.last_published or "", reverse=True)
        end = None if limit is None else offset + max(0, limit)
        return ordered[offset:end]

    def _every_story(self) -> dict[str, Story]:
        """Every story of the version, derived once from the summary rows (as they are read
        once); none before format 3."""
        if not self.has_stories:
            return {}
        rows = self._summary_rows()
        with self._summaries_lock:
            if self._stories is None:
                self._stories = _stories_of(rows)
            return self._stories

    def story_counts(self) -> tuple[int, int] | None:
        if not self.has_stories:
            return None
        outlets: dict[str, set[str]] = {}
        for r in self._summary_rows():
            outlets.setdefault(str(r["story_id"]), set()).update(
                [r["source"]] if r["source"] else []
            )
        return len(outlets), sum(len(found) > 1 for found in outlets.values())

    def story_neighbours(self, low: datetime, high: datetime) -> list[IndexedArticle]:
        """Articles placed between two moments, with their stories but not their texts or
        passages: what placing a new article compares it with."""
        if not self.has_stories:
            return []
        span = f"story_moment >= {int(low.timestamp())} and story_moment <= {int(high.timestamp())}"
        shown = f"{span} and {self._visible_articles}" if self._visible_articles else span
        try:
            rows = list(
                self._store.read_rows(
                    self._articles, self._ends[0], [*ARTICLE_FIELDS, *STORY_FIELDS], shown
                )
            )
        except MilvusException as exc:
            raise self._damaged(exc) from None
        return [indexed_article(r, "", ()) for r in rows]

    def places(self) -> dict[str, tuple[int, int, int]]:
        """Each article's (article row, first passage row, first sentence row), for a writer
        that copies or retires its rows. Before revisions, rows were numbered in article
        order, so an article's first sentence follows from the ones before it."""
        places: dict[str, tuple[int, int, int]] = {}
        sentence = 0
        rows = self._summary_rows()
        counted = {} if in_place(self.manifest) else self._sentence_counts()
        for r in rows:
            first = int(r["first_sentence"]) if "first_sentence" in r else sentence
            places[str(r["id"])] = (int(r["row"]), int(r["first_row"]), first)
            sentence += counted.get(int(r["row"]), 0)
        return places

    def _sentence_counts(self) -> dict[int, int]:
        """Sentences of each article row, for a version written before revisions."""
        fields = ["row", "article_row", "sentence_starts"]
        try:
            found = self._store.read_rows(self.collection, self._ends[1], fields)
            counts: dict[int, int] = {}
            for p in found:
                row = int(p["article_row"])
                counts[row] = counts.get(row, 0) + len(p["sentence_starts"])
        except MilvusException as exc:
            raise self._damaged(exc) from None
        return counts

    def passage_rows(self, article_ids: Sequence[str]) -> list[tuple[int, str]]:
        wanted = set(article_ids)
        found = [r for r in self._summary_rows() if r["id"] in wanted]
        return [
            (row, str(r["id"]))
            for r in sorted(found, key=lambda r: r["id"])
            for row in range(int(r["first_row"]), int(r["first_row"]) + int(r["passages"]))
        ]

    def counts(self) -> tuple[int, int]:
        return self._counts

    def sources(self) -> list[tuple[str, int]]:
        counts: dict[str, int] = {}
        for r in self._summary_rows():
            if r["source"]:
                counts[str(r["source"])] = counts.get(str(r["source"]), 0) + 1
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))

    def list_articles(self, offset: int = 0, limit: int | None = None) -> list[ArticleSummary]:
        """Newest first, as MetadataReader.list_articles orders them."""
        rows = sorted(self._summary_rows(), key=lambda r: r["id"])
        rows.sort(key=lambda r: r["first_indexed_at"], reverse=True)
        rows.sort(key=lambda r: r["published"] or "", reverse=True)
        end = None if limit is None else offset + max(0, limit)
        return [_summary(r) for r in rows[offset:end]]

    def articles_indexed_since(self, since: str) -> list[ArticleSummary]:
        rows = [r for r in self._summary_rows() if r["first_indexed_at"] > since]
        rows.sort(key=lambda r: (r["first_indexed_at"], r["id"]))
        return [_summary(r) for r in rows]

    def indexed_articles(self) -> list[IndexedArticle]:
        """Every article with its text and passages: what a whole new version is written
        from (an in-place write reads only the articles it names, `index.store.milvus.named`)."""
        article_fields = [*ARTICLE_FIELDS, "text", *(STORY_FIELDS if self.has_stories else [])]
        try:
            articles = sorted(
                self._store.read_rows(
                    self._articles, self._ends[0], article_fields, self._visible_articles
                ),
                key=lambda r: int(r["row"]),
            )
            spans = passage_spans(
                list(
                    self._store.read_rows(
                        self.collection, self._ends[1], SPAN_FIELDS, self._visible
                    )
                )
            )
        except MilvusException as exc:
            raise self._damaged(exc) from None
        return [
            indexed_article(a, "".join(a["text"]), tuple(spans.get(int(a["row"]), ())))
            for a in articles
        ]

    def size_bytes(self) -> int:
        """Bytes of the version's collections in a Milvus Lite folder (0 on a server: its
        storage is the server's)."""
        if not is_lite(self._store.uri):
            return 0
        root = Path(self._store.uri) / "collections"
        return sum(
            path.stat().st_size
            for name in (self.collection, self._sentences, self._articles)
            for path in (root / name).rglob("*")
            if path.is_file()
        )

    def is_exact(self) -> bool:
        return self.manifest.index_factory != APPROXIMATE_TYPE

    def close(self) -> None:
        """Nothing to close: the client is shared by the process (index.store.milvus.collections.connect)."""


def _stories_of(rows: Sequence[dict[str, Any]]) -> dict[str, Story]:
    """The stories of these summary rows, each with its articles oldest first."""
    members: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for r in rows:
        moment = story_moment(r["published"], r["first_indexed_at"]).isoformat()
        members.setdefault(str(r["story_id"]), []).append((moment, r))
    found = {}
    for story_id, placed in members.items():
        placed.sort(key=lambda m: (m[0], m[1]["id"]))
        found[story_id] = Story(
            story_id,
            tuple(
                StoryMember(r["id"], r["title"], r["url"], r["source"], r["published"])
                for _, r in placed
            ),
            placed[0][0],
            placed[-1][0],
            placed[0][1]["story_predecessor"],
        )
    return found


def _article_facts(r: dict[str, Any]) -> ArticleFacts:
    return ArticleFacts(
        int(r["first_row"]), int(r["passages"]), str(r["id"]), r["source"], r["published"],
        r["first_indexed_at"], r.get("story_id"),
    )  # fmt: skip


def _summary(r: dict[str, Any]) -> ArticleSummary:
    return ArticleSummary(
        r["id"], r["title"], r["url"], r["source"], r["published"], int(r["passages"]),
        r["first_indexed_at"], r.get("story_id"),
    )  # fmt: skip
