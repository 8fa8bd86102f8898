"""The vectors of a whole new Milvus version (`rebuild`, or an `add` that cannot be written in
place): unchanged articles' vectors are copied from the live version.

`add` and `remove` normally change the live collections in place (`index.store.milvus.in_place`), and
touch no unchanged article's rows at all. A whole version is written by `rebuild`, for the first
version, and when the live one cannot take in-place writes (another chunking, a size that
changes the index type, a version written before rows carried revisions). Its unchanged
articles' vectors (passages and sentences) are then copied from the live version in Milvus,
found by the rows it gave them, not embedded again and not looked up in the local embedding
cache: a writer on another machine, with an empty cache, embeds only what is new.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from index.embedding.cache import QuantizedSentences
from index.embedding.sentence_vectors import Span, dequantize
from index.store.metadata import IndexedArticle
from index.store.milvus.version import MilvusVersion

COPY_PAGE = 1_000

Embed = Callable[
    [Sequence[str], Sequence[Sequence[Span]]], tuple[np.ndarray, list[QuantizedSentences], int]
]


@dataclass(frozen=True, slots=True)
class _Place:
    """Where an article's passages and sentences start in a version."""

    content_hash: str
    passages: tuple[tuple[int, int, tuple[tuple[int, int], ...]], ...]
    first_row: int
    first_sentence: int


def _places(
    items: Sequence[IndexedArticle], stored: dict[str, tuple[int, int, int]] | None = None
) -> dict[str, _Place]:
    """Each article's rows: as a new version numbers them (in item order from 0), or where
    `stored` says they are (`MilvusVersion.places`)."""
    places: dict[str, _Place] = {}
    row = sentence = 0
    for item in items:
        spans = tuple((p.start, p.end, p.sentences) for p in item.passages)
        if stored is not None:
            _, row, sentence = stored[item.article.id]
        places[item.article.id] = _Place(item.article.content_hash, spans, row, sentence)
        row += len(item.passages)
        sentence += sum(len(p.sentences) for p in item.passages)
    return places


def version_vectors(
    items: Sequence[IndexedArticle],
    texts: Sequence[str],
    sentences: Sequence[Sequence[Span]],
    dimension: int,
    embed: Embed,
    previous: MilvusVersion | None,
    previous_items: Sequence[IndexedArticle],
) -> tuple[np.ndarray, np.ndarray, int]:
    """Passage and sentence vectors of the new version, in row order, and how many passages
    the model had to read; an article with the same text and passages as in `previous` gets
    its stored vectors back."""
    old = _places(previous_items, previous.places()) if previous is not None else {}
    new = _places(items)
    passage_count = len(texts)
    sentence_count = sum(len(p.sentences) for item in items for p in item.passages)
    vectors = np.zeros((passage_count, dimension), np.float32)
    sentence_vectors = np.zeros((sentence_count, dimension), np.float32)
    copied: list[tuple[int, int]] = []  # (new row, old row)
    copied_sentences: list[tuple[int, int]] = []
    fresh: list[int] = []
    for item in items:
        place = new[item.article.id]
        before = old.get(item.article.id)
        rows = range(place.first_row, place.first_row + len(item.passages))
        if (
            before is not None
            and before.content_hash == place.content_hash
            and before.passages == place.passages
        ):
            copied += [(r, before.first_row + i) for i, r in enumerate(rows)]
            count = sum(len(p.sentences) for p in item.passages)
            copied_sentences += [
                (place.first_sentence + i, before.first_sentence + i) for i in range(count)
            ]
        else:
            fresh += rows
    embedded = 0
    if fresh:
        found, quantized, embedded = embed([texts[r] for r in fresh], [sentences[r] for r in fresh])
        vectors[fresh] = found
        starts = _sentence_starts(items)
        for row, (codes, scales) in zip(fresh, quantized, strict=True):
            sentence_vectors[starts[row] : starts[row] + len(scales)] = dequantize(codes, scales)
    if previous is not None:
        _copy(copied, previous.passage_vectors, vectors)
        _copy(copied_sentences, previous.sentence_vectors, sentence_vectors)
    return vectors, sentence_vectors, embedded


def _sentence_starts(items: Sequence[IndexedArticle]) -> list[int]:
    """The first sentence row of every passage row."""
    starts: list[int] = []
    sentence = 0
    for item in items:
        for p in item.passages:
            starts.append(sentence)
            sentence += len(p.sentences)
    return starts


def _copy(
    pairs: Sequence[tuple[int, int]],
    read: Callable[[Sequence[int]], np.ndarray],
    into: np.ndarray,
) -> None:
    for start in range(0, len(pairs), COPY_PAGE):
        page = pairs[start : start + COPY_PAGE]
        into[[new for new, _ in page]] = read([old for _, old in page])
