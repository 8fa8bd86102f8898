"""What an `add` or `remove` on VECTOR_STORE=faiss changes, so its version is the previous one
with the change appended rather than everything written again.

An appended version starts from copies of the previous version's files: new passages get
vectors `add`ed to its FAISS index (HNSW graphs and flat indexes both take `add`) and rows above
every row given before; the rows of replaced and removed articles leave the metadata, so their
vectors stay in the FAISS file, hidden from search (a row missing from the metadata is a
tombstone: searches only look among the rows the metadata lists). Rows are never renumbered,
as on Milvus (`index.store.milvus.in_place`). Hidden vectors cost memory and make a graph
search walk past them, so once they reach FAISS_COMPACT_SHARE of the stored ones the write is done
whole instead (compaction), as is `python -m index compact`.

A version stays a folder published in one step (`index.store.publish`): an append killed at any
point leaves a staging folder, and the previous version served.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from index.store.metadata import ArticleStory, IndexedArticle

APPENDING_ACTIONS = frozenset({"add", "remove"})
"""Writes that append to the live version; `rebuild` and `compact` write it whole."""


def _nothing(step: str) -> None:
    """Where an append is (`metadata`, `vectors`, `manifest`); tests replace it to kill a
    write at a named step."""


reached: Callable[[str], None] = _nothing


@dataclass(frozen=True, slots=True)
class Change:
    """What a write changes in the live version, article by article."""

    retired: list[str]
    """Articles whose rows go: removed, or given new passages (their new rows are in `new`)."""
    changed: list[IndexedArticle]
    """Articles that keep their passages and rows, with other fields (origin, story) changed."""
    new: list[IndexedArticle]
    """Articles given new rows, in order: added ones, and new texts of replaced ones."""
    stories: set[str]
    """Stories whose table rows must be derived again: every story an article left or joined."""

    def passages(self) -> int:
        return sum(len(item.passages) for item in self.new)


def change(before: Sequence[IndexedArticle], after: Sequence[IndexedArticle]) -> Change:
    """How `after` (the next version's articles) differs from `before` (the live version's)."""
    old = {item.article.id: item for item in before}
    retired: list[str] = []
    changed: list[IndexedArticle] = []
    new: list[IndexedArticle] = []
    for item in after:
        previous = old.get(item.article.id)
        if previous is None:
            new.append(item)
        elif (
            previous.article.content_hash != item.article.content_hash
            or previous.passages != item.passages
        ):
            retired.append(item.article.id)
            new.append(item)
        elif not _same_record(previous, item):
            changed.append(item)
    kept = {item.article.id for item in after}
    retired += [article_id for article_id in old if article_id not in kept]
    stories = {
        item.story.story_id
        for item in [*(old[i] for i in retired), *(old[i.article.id] for i in changed)]
        if item.story is not None
    }
    stories |= {item.story.story_id for item in [*changed, *new] if item.story is not None}
    return Change(retired, changed, new, stories)


def _same_record(a: IndexedArticle, b: IndexedArticle) -> bool:
    return (
        a.article == b.article
        and a.first_indexed_at == b.first_indexed_at
        and _same_story(a.story, b.story)
    )


def _same_story(a: ArticleStory | None, b: ArticleStory | None) -> bool:
    if a is None or b is None:
        return a is b
    return (
        a.story_id == b.story_id
        and a.predecessor == b.predecessor
        and a.terms == b.terms
        and np.array_equal(
            np.asarray(a.vector, np.float16), np.asarray(b.vector, np.float16)
        )  # stored as float16
    )


def hidden_share(stored: int, live: int) -> float:
    """The share of stored vectors searches leave out."""
    return 0.0 if stored == 0 else (stored - live) / stored
