"""The tables of the bot's database, for SQLAlchemy Core queries on SQLite and PostgreSQL alike.

The migrations in `bot/migrations/versions/` create them; these definitions must say the same.
Timestamps are ISO 8601 text in UTC, as the index's `first_indexed_at`, so they compare as text.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
    false,
    true,
)

metadata = MetaData()

chats = Table(
    "chats",
    metadata,
    Column("chat_id", BigInteger, primary_key=True, autoincrement=False),
    Column("title", Text),
    Column("delivery", Text, nullable=False, server_default="instant"),
    Column("disabled_at", Text),
    Column("disabled_reason", Text),
    # The daily digest's "HH:MM" in `digest_zone` (an IANA name); NULL: DAILY_DIGEST_TIME, UTC.
    Column("digest_time", Text),
    Column("digest_zone", Text),
    Column("digest_sent_at", Text),
)

subscriptions = Table(
    "subscriptions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("chat_id", BigInteger, nullable=False),
    Column("topic", Text, nullable=False),
    Column("every_article", Boolean, nullable=False, server_default=false()),
    Column("sensitivity", Text, nullable=False),
    Column("created_at", Text, nullable=False),
    Column("active", Boolean, nullable=False, server_default=true()),
    Column("vector", LargeBinary, nullable=False),
    # The forum topic the alerts go to (`message_thread_id`); 0: the chat itself.
    Column("thread_id", BigInteger, nullable=False, server_default="0"),
    # The topic's +word and -word filters: JSON lists of the words as the user wrote them.
    Column("required_words", Text, nullable=False, server_default="[]"),
    Column("excluded_words", Text, nullable=False, server_default="[]"),
    UniqueConstraint("chat_id", "thread_id", "topic"),
)

alerts = Table(
    "alerts",
    metadata,
    Column("chat_id", BigInteger, nullable=False),
    Column("subscription_id", Integer, ForeignKey("subscriptions.id"), nullable=False),
    Column("article_id", Text, nullable=False),
    Column("score", Float, nullable=False),
    Column("citation", Text, nullable=False),
    Column("status", Text, nullable=False, server_default="pending"),
    Column("matched_at", Text, nullable=False),
    Column("sent_at", Text),
    PrimaryKeyConstraint("chat_id", "subscription_id", "article_id"),
    Index("alerts_pending", "status", "chat_id"),
    Index("alerts_by_article", "article_id"),
)

scan_state = Table(
    "scan_state",
    metadata,
    Column("key", Text, primary_key=True),
    Column("value", Text, nullable=False),
)

answer_keys = Table(
    "answer_keys",
    metadata,
    Column("seq", Integer, primary_key=True),
    Column("key", Text, nullable=False, unique=True),
    Column("chat_id", BigInteger, nullable=False),
    Column("question", Text, nullable=False),
    Column("cut", Boolean, nullable=False),
)
"""The question behind each "More ▸" button, the newest REMEMBERED_ANSWERS (PostgreSQL only)."""

question_budget = Table(
    "question_budget",
    metadata,
    Column("user_id", BigInteger, primary_key=True, autoincrement=False),
    Column("level", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
)
"""Each user's leaky bucket of questions: its level, and when it was last computed (Unix time)."""
