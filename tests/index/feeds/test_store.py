"""The feed store on both databases: SQLite and a real PostgreSQL (the `database` fixture)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import inspect

from index.database.engine import database_url, open_engine
from index.errors import FeedError
from index.feeds import migrate
from index.feeds.registry import FeedStore
from index.feeds.schema import VERSION_TABLE


@pytest.fixture
def store(database: Path | str) -> FeedStore:
    opened = FeedStore(database)
    yield opened  # type: ignore[misc]
    opened.close()


def test_opening_creates_the_tables_with_their_own_version_table(
    store: FeedStore, database: Path | str
) -> None:
    engine = open_engine(database_url(database))
    try:
        tables = set(inspect(engine).get_table_names())
        assert {"feeds", "feed_seen", VERSION_TABLE} <= tables
        assert "alembic_version" not in tables  # the bot's history is its own
        with engine.connect() as db:
            assert migrate.current(db) == migrate.head()
    finally:
        engine.dispose()
    FeedStore(database).close()  # opening again changes nothing


def test_feeds_are_added_listed_and_removed(store: FeedStore) -> None:
    first = store.add("https://example.com/rss.xml", interval_seconds=900, source="Example")
    second = store.add("https://example.org/atom", interval_seconds=3600)
    assert [f.url for f in store.list_feeds()] == [first.url, second.url]
    assert first.source == "Example" and first.failures == 0 and first.etag is None
    assert store.get(first.id) == first
    with pytest.raises(FeedError, match=rf"already followed \(feed {first.id}\)"):
        store.add("https://example.com/rss.xml", interval_seconds=60)
    assert store.remove(first.id) is True
    assert store.remove(first.id) is False
    assert [f.id for f in store.list_feeds()] == [second.id]


def test_new_feeds_are_due_and_fetched_ones_wait(store: FeedStore) -> None:
    feed = store.add("https://example.com/rss.xml", interval_seconds=900)
    assert [f.id for f in store.due(time.time())] == [feed.id]
    store.fetched(feed.id, next_fetch_at=time.time() + 900, etag='"v1"', last_modified="Tue")
    assert store.due(time.time()) == []
    fetched = store.get(feed.id)
    assert fetched is not None and fetched.etag == '"v1"' and fetched.last_modified == "Tue"
    store.failed(feed.id, next_fetch_at=time.time() - 1, error="HTTP 500")
    store.failed(feed.id, next_fetch_at=time.time() - 1, error="HTTP 503")
    failed = store.get(feed.id)
    assert failed is not None and failed.failures == 2 and failed.last_error == "HTTP 503"
    assert failed.etag == '"v1"'  # a failure keeps the validators
    store.fetched(feed.id, next_fetch_at=time.time() + 900, etag=None, last_modified=None)
    recovered = store.get(feed.id)
    assert recovered is not None and recovered.failures == 0 and recovered.last_error is None


def test_seen_keys_are_remembered_once_across_feeds(store: FeedStore) -> None:
    assert store.seen(["url:https://a/1", "guid:x"]) == set()
    store.remember(1, "u1", ["url:https://a/1", "text:abc"])
    store.remember(2, "u1", ["url:https://a/1", "guid:urn:y"])  # a known key stays as it was
    assert store.seen(["url:https://a/1", "guid:urn:y", "text:zzz"]) == {
        "url:https://a/1", "guid:urn:y",
    }  # fmt: skip
    long_key = "url:https://a/" + "x" * 2000
    store.remember(1, "u2", [long_key])
    assert store.seen([long_key])
