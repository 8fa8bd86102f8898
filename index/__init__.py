"""The news passage index: ingest articles, cut passages, embed them and search with FAISS.

This package never imports the bot. Its public API is what the bot uses.

Its names are loaded on first use (PEP 562), not with the package: `python -m index stats`, or
a process that only answers, then does not import the write side's libraries (trafilatura,
alembic, the model) at start, about half a second of every command's.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from index.articles.files import path_origin
    from index.embedding.model import Embedder, load_embedder
    from index.errors import (
        CitationRecordError,
        DiskFullError,
        IndexBusyError,
        IndexCorruptError,
        IndexMismatchError,
        IndexMissingError,
        NewsIndexError,
        NoArticlesError,
        UnreadableArticleError,
    )
    from index.lexical import words_of_text
    from index.search.hits import hit_from_record, hit_record
    from index.search.news_index import Hit, IndexStats, NewsIndex, SourceRef, index_exists
    from index.search.topic_matching import BestPassage, is_short_topic
    from index.settings import IndexSettings
    from index.store.metadata import ArticleSummary
    from index.writer import IndexWriter, WriteReport

_MODULE_OF = {
    "ArticleSummary": "index.store.metadata",
    "BestPassage": "index.search.topic_matching",
    "CitationRecordError": "index.errors",
    "DiskFullError": "index.errors",
    "Embedder": "index.embedding.model",
    "Hit": "index.search.news_index",
    "IndexBusyError": "index.errors",
    "IndexCorruptError": "index.errors",
    "IndexMismatchError": "index.errors",
    "IndexMissingError": "index.errors",
    "IndexSettings": "index.settings",
    "IndexStats": "index.search.news_index",
    "IndexWriter": "index.writer",
    "NewsIndex": "index.search.news_index",
    "NewsIndexError": "index.errors",
    "NoArticlesError": "index.errors",
    "SourceRef": "index.search.news_index",
    "UnreadableArticleError": "index.errors",
    "WriteReport": "index.writer",
    "hit_from_record": "index.search.hits",
    "hit_record": "index.search.hits",
    "index_exists": "index.search.news_index",
    "is_short_topic": "index.search.topic_matching",
    "load_embedder": "index.embedding.model",
    "path_origin": "index.articles.files",
    "words_of_text": "index.lexical",
}
"""Where each public name lives."""


def __getattr__(name: str) -> Any:
    """A public name, imported from its module the first time it is asked for."""
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'index' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "ArticleSummary",
    "BestPassage",
    "CitationRecordError",
    "DiskFullError",
    "Embedder",
    "Hit",
    "IndexBusyError",
    "IndexCorruptError",
    "IndexMismatchError",
    "IndexMissingError",
    "IndexSettings",
    "IndexStats",
    "IndexWriter",
    "NewsIndex",
    "NewsIndexError",
    "NoArticlesError",
    "SourceRef",
    "UnreadableArticleError",
    "WriteReport",
    "hit_from_record",
    "hit_record",
    "index_exists",
    "is_short_topic",
    "load_embedder",
    "path_origin",
    "words_of_text",
]
