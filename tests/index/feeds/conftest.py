"""Fixtures of the feed tests: a local web server, and settings that may fetch from it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from index import Embedder, IndexWriter, NewsIndex
from index.articles.article import Article
from index.feeds.registry import FeedStore
from index.feeds.runner import FeedResult, FeedRunner
from index.feeds.settings import FeedSettings
from index.writer import WriteReport
from tests.feed_server import FeedServer, running_server


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    yield from running_server()


@pytest.fixture
def feed_settings(isolated_environment: Path) -> FeedSettings:
    """127.0.0.1 allowed (the server is local), short timeouts, a small body cap."""
    return FeedSettings(  # type: ignore[call-arg]
        _env_file=None,
        data_dir=isolated_environment,
        feeds_allow_private=True,
        feeds_timeout_seconds=2.0,
        feeds_max_bytes=200_000,
    )


@pytest.fixture
def store(feed_settings: FeedSettings) -> Iterator[FeedStore]:
    opened = FeedStore(feed_settings.database)
    yield opened
    opened.close()


class Fetching:
    """A runner on the real writer, counting what it wrote."""

    def __init__(self, settings: FeedSettings, store: FeedStore, embedder: Embedder) -> None:
        self.settings, self.store, self.embedder = settings, store, embedder
        self.writes: list[list[Article]] = []

    def write(self, articles: list[Article]) -> WriteReport:
        self.writes.append(articles)
        return IndexWriter(self.settings, self.embedder).add(articles=articles)

    def round(self, *, everything: bool = True) -> dict[int, FeedResult]:
        runner = FeedRunner(self.settings, self.store, self.write)
        feeds = self.store.list_feeds() if everything else self.store.due(10**12)
        return {r.feed.id: r for r in asyncio.run(runner.run(feeds))}

    def written(self) -> dict[str, Article]:
        """Every article given to the writer, by title."""
        return {a.title: a for batch in self.writes for a in batch}

    def indexed(self) -> dict[str, str]:
        """Titles of the indexed articles, to their ids."""
        index = NewsIndex(self.settings, self.embedder)
        return {a.title: a.id for a in index.list_articles(0, None)}


@pytest.fixture
def fetching(feed_settings: FeedSettings, store: FeedStore, embedder: Embedder) -> Fetching:
    return Fetching(feed_settings, store, embedder)


def add(store: FeedStore, url: str, source: str | None = None) -> int:
    return store.add(url, interval_seconds=900, source=source).id
