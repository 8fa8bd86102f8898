"""What the model reads for a passage: its article's title, then the passage.

Shared by the writer (passages embedded at index time) and search (a sentence embedded in its
context at question time, topic words matched against the same text), so both read one form.
"""

from __future__ import annotations

from collections.abc import Iterable

from index.articles.article import Article
from index.embedding.sentence_vectors import Span, spans_in_document
from index.passages.cutting import PassageSpan

TITLE_CHARS_IN_EMBEDDING = 200


def document_text(title: str, passage: str) -> str:
    """What the model embeds for a passage: its article's title helps, so it goes first."""
    return f"{title[:TITLE_CHARS_IN_EMBEDDING]}\n{passage}"


def model_input(
    passages: Iterable[tuple[Article, PassageSpan]],
) -> tuple[list[str], list[list[Span]]]:
    """What the model reads for each passage, and where its sentences are in that text."""
    texts: list[str] = []
    sentences: list[list[Span]] = []
    for article, span in passages:
        texts.append(document_text(article.title, article.text[span.start : span.end]))
        title_chars = len(article.title[:TITLE_CHARS_IN_EMBEDDING])
        sentences.append(spans_in_document(title_chars, span.start, span.sentences))
    return texts, sentences
