"""The news passage index: ingest articles, cut passages, embed them and search with FAISS.

This package never imports the bot. Its public API is what the bot uses.
"""

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
