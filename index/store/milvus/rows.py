"""The rows of a Milvus version's three collections, made from indexed articles and read back.

Every primary key is an INT64 row number allocated from the counters of the manifest
(`next_article`, `next_row`, `next_sentence`): a new version numbers its rows from 0, an
in-place write goes on from where the last one stopped, and a row keeps its number for as long
as its article is not replaced. An article's passages (and their sentences) get consecutive
rows, so its first row and its count name them all. Every row carries the revision that wrote
it, and sentences carry their article's row, so readers filter all three collections alike
(`index.store.milvus.revisions.visible`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from index.articles.article import Article
from index.lexical import tokenize
from index.passages.cutting import PassageSpan
from index.store.metadata import ArticleStory, IndexedArticle
from index.store.passage_filter import moment_seconds
from index.stories.fingerprint import story_moment

TEXT_CHUNK_CHARS = 16_000
"""An article's text is stored as an array of chunks: a VARCHAR holds at most 65,535 bytes."""
# Milvus requires a vector field in every collection: the articles collection has the article's
# story vector (before format 3, a constant 2-dimensional `marker` nothing searched).
STORY_ID_CHARS = 64


@dataclass(frozen=True, slots=True)
class Start:
    """The first rows a write allocates: article, passage and sentence."""

    article: int = 0
    row: int = 0
    sentence: int = 0

    def after(self, items: Sequence[IndexedArticle]) -> Start:
        """The counters once `items` have been given rows from here."""
        passages = sum(len(i.passages) for i in items)
        sentences = sum(len(p.sentences) for i in items for p in i.passages)
        return Start(self.article + len(items), self.row + passages, self.sentence + sentences)


def words_of(text: str) -> str:
    """The words BM25 weighs, as index.lexical's tokenizer makes them (stemmed, no stopwords),
    joined by spaces; Milvus' standard analyzer then splits them back unchanged. Milvus Lite
    offers no stemming analyzer, and this keeps the words of both stores the same."""
    return " ".join(tokenize([text])[0])


def passage_rows(
    items: Sequence[IndexedArticle],
    texts: Sequence[str],
    vectors: np.ndarray,
    start: Start,
    revision: int,
) -> Iterator[dict[str, Any]]:
    """`texts` and `vectors` are the passages' in item order (what the model read, and its
    vector): BM25 weighs the words of the text, title included, as for a FAISS version."""
    row, sentence, index = start.row, start.sentence, 0
    for article_row, item in enumerate(items, start.article):
        a = item.article
        moment = moment_seconds(a.published, item.first_indexed_at)
        for ordinal, span in enumerate(item.passages):
            yield {
                "row": row, "article_row": article_row, "article_id": a.id, "ordinal": ordinal,
                "start": span.start, "end": span.end, "tokens": span.tokens,
                "text": a.text[span.start : span.end], "title": a.title, "url": a.url,
                "source": a.source, "published": a.published,
                "first_indexed_at": item.first_indexed_at,
                "passages_in_article": len(item.passages), "sentence_first": sentence,
                "story_id": _story(item).story_id, "moment": moment,
                "sentence_starts": [s for s, _ in span.sentences],
                "sentence_ends": [e for _, e in span.sentences],
                "words": words_of(texts[index]), "vector": vectors[index], "revision": revision,
            }  # fmt: skip
            row += 1
            index += 1
            sentence += len(span.sentences)


def sentence_rows(
    items: Sequence[IndexedArticle], vectors: np.ndarray, start: Start, revision: int
) -> Iterator[dict[str, Any]]:
    row, sentence, index = start.row, start.sentence, 0
    for article_row, item in enumerate(items, start.article):
        for span in item.passages:
            for _ in span.sentences:
                yield {
                    "row": sentence, "passage_row": row, "article_row": article_row,
                    "vector": vectors[index], "revision": revision,
                }  # fmt: skip
                sentence += 1
                index += 1
            row += 1


def article_rows(
    items: Sequence[IndexedArticle], start: Start, revision: int
) -> Iterator[dict[str, Any]]:
    first, first_sentence = start.row, start.sentence
    for row, item in enumerate(items, start.article):
        a = item.article
        text = a.text
        chunks = [text[i : i + TEXT_CHUNK_CHARS] for i in range(0, len(text), TEXT_CHUNK_CHARS)]
        yield {
            "row": row, "id": a.id, "title": a.title, "url": a.url, "source": a.source,
            "published": a.published, "language": a.language, "origin": a.origin,
            "content_hash": a.content_hash, "first_indexed_at": item.first_indexed_at,
            "first_row": first, "passages": len(item.passages), "text": chunks,
            "first_sentence": first_sentence, "revision": revision,
            **story_fields(item),
        }  # fmt: skip
        first += len(item.passages)
        first_sentence += sum(len(p.sentences) for p in item.passages)


def _story(item: IndexedArticle) -> ArticleStory:
    if item.story is None:
        raise ValueError(f"article {item.article.id} is written before it is placed in a story")
    return item.story


def story_fields(item: IndexedArticle) -> dict[str, Any]:
    """An article row's story: its id and predecessor, its card's terms, its moment (seconds,
    what placement's neighbours are read by) and its article vector."""
    story = _story(item)
    moment = story_moment(item.article.published, item.first_indexed_at)
    return {
        "story_id": story.story_id, "story_predecessor": story.predecessor,
        "story_terms": story.terms, "story_moment": int(moment.timestamp()),
        "story_vector": np.asarray(story.vector, np.float32),
    }  # fmt: skip


def article_story(a: dict[str, Any]) -> ArticleStory | None:
    """The story of an article row read with STORY_FIELDS (None if it was read without)."""
    if "story_id" not in a:
        return None
    return ArticleStory(
        str(a["story_id"]), a["story_predecessor"], str(a["story_terms"]),
        np.asarray(a["story_vector"], np.float32).astype(np.float16).astype(np.float32),
    )  # fmt: skip


STORY_FIELDS = ["story_id", "story_predecessor", "story_terms", "story_vector"]
"""What an article row keeps of its story (format 3): a writer reads them back."""

ARTICLE_FIELDS = [
    "row", "id", "title", "url", "source", "published", "language", "origin", "content_hash",
    "first_indexed_at",
]  # fmt: skip
SPAN_FIELDS = ["row", "article_row", "start", "end", "tokens", "sentence_starts", "sentence_ends"]


def passage_spans(rows: Sequence[dict[str, Any]]) -> dict[int, list[PassageSpan]]:
    """Passage rows read back (SPAN_FIELDS) as each article row's spans, in passage order."""
    spans: dict[int, list[PassageSpan]] = {}
    for p in sorted(rows, key=lambda r: int(r["row"])):
        sentences = tuple(
            (int(a), int(b)) for a, b in zip(p["sentence_starts"], p["sentence_ends"], strict=True)
        )
        spans.setdefault(int(p["article_row"]), []).append(
            PassageSpan(int(p["start"]), int(p["end"]), int(p["tokens"]), sentences)
        )
    return spans


def indexed_article(
    a: dict[str, Any], text: str, passages: tuple[PassageSpan, ...]
) -> IndexedArticle:
    article = Article(
        a["id"], a["title"], text, a["url"], a["source"], a["published"], a["language"],
        a["origin"], a["content_hash"],
    )  # fmt: skip
    return IndexedArticle(article, passages, a["first_indexed_at"], article_story(a))
