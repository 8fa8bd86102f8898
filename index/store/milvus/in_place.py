"""In-place writes of VECTOR_STORE=milvus: `add` and `remove` change the live collections by
article, where `rebuild` publishes a whole new version (`index.store.milvus.collections`).

Cost: a whole version re-inserts every passage of the corpus (its vectors copied, but written
again); an in-place write inserts the rows of the new and changed articles only, and deletes
those of the replaced and removed ones, so its Milvus work grows with what changed, not with
the corpus.

What readers see is decided by the manifest alone (one collection property, written in one
call): a reader of revision R sees the rows written by revisions up to R, except those of the
article rows R retired (`visible`). A write at revision R:

1. deletes what no reader of R sees: rows of a killed write (revision > R), and the rows of the
   articles R retired (`clean_up`);
2. inserts the new and changed articles' rows at revision R + 1, from the manifest's counters
   (readers of R do not see them), and flushes them;
3. publishes the manifest of R + 1: counts, counters, and as `retired` the article rows of the
   articles replaced or removed.

A write killed anywhere before 3 leaves R served, with nothing of the write visible; the next
write's step 1 deletes what it left. A write killed after 3 is complete.

Why the retired rows are deleted by the next write and not right after step 3: a search is
several calls (nearest passages, their records, their sentences and sentence vectors), and a
reader that read manifest R just before step 3 would lose rows between two of them. Kept for
one write, they serve readers still on R as the previous whole version serves readers still on
it (`KEEP_VERSIONS`). What they cost: their rows until the next write.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
from pymilvus.exceptions import MilvusException

from index.errors import NewsIndexError
from index.store.manifest import Manifest
from index.store.metadata import IndexedArticle
from index.store.milvus.collections import ARTICLES_SUFFIX, SENTENCES_SUFFIX, MilvusStore
from index.store.milvus.revisions import hidden
from index.store.milvus.rows import Start, article_rows, passage_rows, sentence_rows


def _nothing(step: str) -> None:
    """Where a write is (`deleting`, `inserting`, `inserted`, `published`); tests replace it
    to stop or kill a write at a named step."""


reached: Callable[[str], None] = _nothing


@dataclass(frozen=True, slots=True)
class Retired:
    """An article whose rows an in-place write retires (replaced or removed)."""

    row: int
    passages: int
    sentences: int


def stored_after(manifest: Manifest, retired: Sequence[Retired]) -> list[int] | None:
    """What `manifest.stored` says once `manifest` is published with `retired` retired: the
    write's clean-up left only the rows of the previous revision and its own."""
    if not retired:
        return None
    return [
        manifest.articles + len(retired),
        manifest.passages + sum(r.passages for r in retired),
        manifest.sentences + sum(r.sentences for r in retired),
    ]


def clean_up(store: MilvusStore, collection: str, manifest: Manifest) -> None:
    """Delete the rows readers of `manifest` do not see: a killed write's, and the retired
    articles'. Deleting again what is gone is harmless, so a killed clean-up is redone."""
    for name, article_field in (
        (collection, "article_row"),
        (collection + SENTENCES_SUFFIX, "article_row"),
        (collection + ARTICLES_SUFFIX, "row"),
    ):
        store.client.delete(name, filter=hidden(manifest, article_field))
        reached("deleting")


def write_in_place(
    store: MilvusStore,
    collection: str,
    manifest: Manifest,
    items: Sequence[IndexedArticle],
    texts: Sequence[str],
    vectors: np.ndarray,
    sentence_vectors: np.ndarray,
    retired: Sequence[Retired],
    built_at: str,
) -> Manifest:
    """Insert `items` (new articles, and new texts of replaced ones: `texts` and the vectors
    are their passages', in order), retire `retired`, publish; the new manifest."""
    assert manifest.revision is not None and manifest.next_row is not None
    assert manifest.next_sentence is not None and manifest.next_article is not None
    revision = manifest.revision + 1
    start = Start(manifest.next_article, manifest.next_row, manifest.next_sentence)
    end = start.after(items)
    try:
        clean_up(store, collection, manifest)
        store.insert(collection, passage_rows(items, texts, vectors, start, revision))
        reached("inserting")
        store.insert(
            collection + SENTENCES_SUFFIX, sentence_rows(items, sentence_vectors, start, revision)
        )
        store.insert(collection + ARTICLES_SUFFIX, article_rows(items, start, revision))
        store.flush(collection)
        reached("inserted")
        published = replace(
            manifest,
            revision=revision,
            next_article=end.article,
            next_row=end.row,
            next_sentence=end.sentence,
            articles=manifest.articles - len(retired) + len(items),
            passages=manifest.passages - sum(r.passages for r in retired) + len(texts),
            sentences=manifest.sentences
            - sum(r.sentences for r in retired)
            + len(sentence_vectors),
            retired=sorted(r.row for r in retired),
            built_at=built_at,
        )
        published = replace(published, stored=stored_after(published, retired))
        store.set_manifest(collection, published)
    except MilvusException as exc:
        raise NewsIndexError(f"Milvus failed to write to {collection}: {exc.message}") from None
    reached("published")
    return published
