"""Named errors of the index package.

The CLI turns each into one line and a non-zero exit; the bot into a friendly reply.
Every message says what is wrong and, where there is one, how to fix it.
"""

from __future__ import annotations


class NewsIndexError(Exception):
    """Base class for every error the index package raises on purpose."""


class IndexMissingError(NewsIndexError):
    """No built index exists in the index folder yet."""


class IndexMismatchError(NewsIndexError):
    """The index on disk was built with another model, dimension or format."""


class IndexCorruptError(NewsIndexError):
    """The index files exist but cannot be read or disagree with each other."""


class UnreadableArticleError(NewsIndexError):
    """An article file or record cannot be turned into an article (with --strict this aborts)."""


class IndexBusyError(NewsIndexError):
    """Another process is writing to the same index folder."""


class NoArticlesError(NewsIndexError):
    """A rebuild found nothing to index, so the index was left as it was."""


class DiskFullError(NewsIndexError):
    """A write failed for want of space; what was published before is intact."""


class ModelExportError(NewsIndexError):
    """The embedding model could not be exported to ONNX (EMBEDDING_BACKEND=onnx / onnx-int8)."""


class DatabaseError(NewsIndexError):
    """The database (DATABASE_URL, or the SQLite file SUBSCRIPTIONS_DB) cannot be used as it is."""


class FeedError(NewsIndexError):
    """A feed cannot be added, found or fetched as asked (a bad URL, an unknown id)."""


class FeedUrlError(FeedError):
    """A URL that can never be fetched as written (not http(s), no host, unreadable to httpx)."""


class FeedHttpError(FeedError):
    """A feed or an entry's page answered with an HTTP error status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class CitationRecordError(NewsIndexError):
    """A stored citation this program cannot read: a newer format, or damaged."""
