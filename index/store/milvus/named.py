"""What an in-place `add` or `remove` reads of the live Milvus version: the articles it names.

Reading the whole version back (`MilvusVersion.indexed_articles`: every article with its text,
every passage) is what a whole new version needs, since it writes them all again. An in-place
write touches only the articles it names (`index.store.milvus.in_place`), so it reads only:

- of every live article, its row numbers, passage count and content hash (no text): this is
  how an id is found without quoting it into a Milvus expression (rows are INT64 keys, ids are
  never quoted, see `index.store.milvus.collections`), and it is one small page per 10,000 articles;
- of the live articles among those named, their fields and passage spans (what reusing their
  passages and counting their retired rows needs), and the text only of those whose content
  hash differs from the incoming one (the rewrite warning compares old and new text).

It does not count every collection's rows either (`MilvusVersion(counted=False)`): it checks
that it found as many articles as the manifest says, and each named one's passages; readers
still check the whole counts when they load a revision. Before, reading everything was most of
an in-place write and grew with the corpus: 158.6 s of a 179.8 s add of one article to 53,805
passages (benchmarks/results/milvus.md).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pymilvus.exceptions import MilvusException

from index.errors import IndexCorruptError
from index.passages.cutting import PassageSpan
from index.store.manifest import REBUILD_HINT, Manifest
from index.store.metadata import IndexedArticle
from index.store.milvus.collections import ARTICLES_SUFFIX, READ_PAGE, MilvusStore
from index.store.milvus.revisions import visible
from index.store.milvus.rows import (
    ARTICLE_FIELDS,
    SPAN_FIELDS,
    STORY_FIELDS,
    indexed_article,
    passage_spans,
)

TEXT_PAGE = 100
"""Articles whose text one query reads: a text may be up to MAX_ARTICLE_BYTES."""
PLACE_FIELDS = ["row", "id", "content_hash", "first_row", "passages", "first_sentence"]


@dataclass(frozen=True, slots=True)
class NamedArticles:
    """The live articles a write names, and how much of the version it did not read."""

    items: list[IndexedArticle]
    """In row order, with their passages; an article's text is read only when its incoming
    content hash differs from the stored one (else it is "": nothing compares it)."""
    places: dict[str, tuple[int, int, int]]
    """(article row, first passage row, first sentence row) of each of `items`, as
    `MilvusVersion.places` gives them."""
    others: tuple[int, int]
    """Articles and passages of the live version not among `items`."""


def read_named(
    store: MilvusStore, collection: str, manifest: Manifest, named: Mapping[str, str | None]
) -> NamedArticles:
    """The live articles whose ids `named` maps to their incoming content hash (None for an
    article removed: its text is never needed)."""
    assert manifest.next_article is not None, "only a version written in place has rows to name"
    articles = collection + ARTICLES_SUFFIX
    shown = visible(manifest, "row")
    try:
        places = list(store.read_rows(articles, manifest.next_article, PLACE_FIELDS, shown))
        found = sorted((p for p in places if p["id"] in named), key=lambda p: int(p["row"]))
        changed = {int(p["row"]) for p in found if named[p["id"]] not in (None, p["content_hash"])}
        rows = [int(p["row"]) for p in found]
        wanted = [*ARTICLE_FIELDS, *(STORY_FIELDS if manifest.format_version >= 3 else [])]
        fields = _query(store, articles, rows, wanted, shown, READ_PAGE)
        texts = _query(store, articles, sorted(changed), ["row", "text"], shown, TEXT_PAGE)
        spans = _spans(store, collection, found, visible(manifest))
    except MilvusException as exc:
        raise IndexCorruptError(
            f"the Milvus collection {collection} cannot be read ({exc.message}): {REBUILD_HINT}"
        ) from None
    if len(places) != manifest.articles or len(fields) != len(rows):
        raise _inconsistent(collection, "articles")
    items = []
    for p in found:
        row = int(p["row"])
        if len(spans.get(row, ())) != int(p["passages"]):
            raise _inconsistent(collection, "passages")
        text = "".join(texts[row]["text"]) if row in texts else ""
        items.append(indexed_article(fields[row], text, tuple(spans.get(row, ()))))
    return NamedArticles(
        items,
        {str(p["id"]): (int(p["row"]), int(p["first_row"]), int(p["first_sentence"])) for p in found},
        (manifest.articles - len(found), manifest.passages - sum(int(p["passages"]) for p in found)),
    )  # fmt: skip


def _query(
    store: MilvusStore,
    collection: str,
    rows: Sequence[int],
    fields: list[str],
    shown: str,
    page: int,
) -> dict[int, dict[str, Any]]:
    """The rows of `collection` numbered `rows`, by row, `page` rows a query."""
    found: dict[int, dict[str, Any]] = {}
    for start in range(0, len(rows), page):
        wanted = rows[start : start + page]
        expression = f"row in [{', '.join(map(str, wanted))}]" + (f" and {shown}" if shown else "")
        for r in store.client.query(
            collection, filter=expression, output_fields=fields, limit=len(wanted)
        ):
            found[int(r["row"])] = r
    return found


def _spans(
    store: MilvusStore, collection: str, places: Sequence[dict[str, Any]], shown: str
) -> dict[int, list[PassageSpan]]:
    """The passages of the articles at `places`, by article row: their passages are
    consecutive rows, read by article in batches of at most a page of passages."""
    found: list[dict[str, Any]] = []
    for batch in _batches(places):
        if len(batch) == 1 and int(batch[0]["passages"]) > READ_PAGE:
            first = int(batch[0]["first_row"])
            end = first + int(batch[0]["passages"])
            found += store.read_rows(collection, end, SPAN_FIELDS, shown, start=first)
            continue
        rows = ", ".join(str(int(p["row"])) for p in batch)
        expression = f"article_row in [{rows}]" + (f" and {shown}" if shown else "")
        limit = sum(int(p["passages"]) for p in batch)
        found += store.client.query(
            collection, filter=expression, output_fields=SPAN_FIELDS, limit=limit
        )
    return passage_spans(found)


def _batches(places: Sequence[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    """Articles in groups of at most READ_PAGE passages (an article larger than that alone)."""
    batch: list[dict[str, Any]] = []
    size = 0
    for p in places:
        count = int(p["passages"])
        if batch and size + count > READ_PAGE:
            yield batch
            batch, size = [], 0
        batch.append(p)
        size += count
    if batch:
        yield batch


def _inconsistent(collection: str, what: str) -> IndexCorruptError:
    return IndexCorruptError(
        f"the Milvus collection {collection} does not hold the {what} its manifest counts: "
        f"{REBUILD_HINT}"
    )
