"""The feeds' tables share the bot's database: either can be created first, on both databases."""

from __future__ import annotations

from pathlib import Path

from bot.alerts.subscriptions import SubscriptionStore
from index.feeds.registry import FeedStore


def test_the_bot_opens_a_database_the_feeds_created(database: Path | str) -> None:
    feeds = FeedStore(database)
    feeds.add("https://example.com/rss.xml", interval_seconds=900)
    feeds.close()
    bot = SubscriptionStore(database)
    assert bot.schema.head
    bot.close()
    again = FeedStore(database)
    assert [f.url for f in again.list_feeds()] == ["https://example.com/rss.xml"]
    again.close()


def test_the_feeds_open_a_database_the_bot_created(database: Path | str) -> None:
    SubscriptionStore(database).close()
    feeds = FeedStore(database)
    feeds.add("https://example.com/rss.xml", interval_seconds=900)
    feeds.close()
    reopened = SubscriptionStore(database)
    assert reopened.schema.up_to_date
    reopened.close()
