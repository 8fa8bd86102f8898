"""The feeds' tables: the feeds themselves, and every key under which an entry was seen.

`feed_seen` is what deduplicates: an entry is known by its GUID, its canonical URL and a hash
of its text, each one a row, so the same wire story reached through two feeds (another GUID,
the same canonical URL or text) is indexed once. Its feed is not a foreign key: removing a feed
keeps what it brought, so re-adding it does not index its entries again.
"""

from __future__ import annotations

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text

metadata = MetaData()

feeds = Table(
    "feeds",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("url", Text, nullable=False, unique=True),
    Column("source", Text),
    Column("interval_seconds", Float, nullable=False),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("next_fetch_at", Float, nullable=False),  # Unix time, jitter and back-off included
    Column("failures", Integer, nullable=False, server_default="0"),
    Column("last_error", Text),
    Column("last_fetched_at", Float),
    Column("created_at", Float, nullable=False),
)

feed_seen = Table(
    "feed_seen",
    metadata,
    Column("key", String(600), primary_key=True),  # guid:…, url:… or text:… (index.feeds.dedup)
    Column("feed_id", Integer, nullable=False),
    Column("article_id", Text),
    Column("seen_at", Float, nullable=False),
)

VERSION_TABLE = "feeds_alembic_version"
TABLES = frozenset({"feeds", "feed_seen", VERSION_TABLE})
"""Every table the feeds keep in the shared database (the bot's migrations accept them)."""
