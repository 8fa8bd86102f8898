"""The tables of the bot's database, for SQLAlchemy Core queries on SQLite and PostgreSQL alike.

The migrations in `bot/migrations/versions/` create them; these definitions must say the same.
Timestamps are ISO 8601 text in UTC, as the index's `first_indexed_at`, so they compare as text.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    SmallInteger,
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
    # The zone questions' dates are read in (`/timezone`, an IANA name); NULL: the digest's, or UTC.
    Column("time_zone", Text),
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
    # The article's story and the story that story develops (`index.stories`); a NULL story
    # (a row logged before stories): the article is a story of its own.
    Column("story_id", Text),
    Column("follows", Text),
    PrimaryKeyConstraint("chat_id", "subscription_id", "article_id"),
    Index("alerts_pending", "status", "chat_id"),
    Index("alerts_by_article", "article_id"),
)

story_alerts = Table(
    "story_alerts",
    metadata,
    Column("chat_id", BigInteger, nullable=False),
    Column("thread_id", BigInteger, nullable=False, server_default="0"),
    Column("story_id", Text, nullable=False),
    # The alert's message; NULL when the story went out in a digest.
    Column("message_id", BigInteger),
    Column("title", Text, nullable=False),
    # The outlets its "Also reported by" names: a JSON list of [name, url].
    Column("outlets", Text, nullable=False, server_default="[]"),
    # What it was rendered from (citation, topics, what it follows, buttons), as JSON.
    Column("shown", Text, nullable=False),
    # False once Telegram refused to edit it for good (deleted): left alone since.
    Column("editable", Boolean, nullable=False, server_default=true()),
    Column("sent_at", Text, nullable=False),
    Column("edited_at", Text),
    PrimaryKeyConstraint("chat_id", "thread_id", "story_id"),
)
"""One alert per story and chat (forum topic): what a later outlet's article edits."""

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

feedback_answers = Table(
    "feedback_answers",
    metadata,
    Column("seq", Integer, primary_key=True),
    # One answer is one page of a question's passages: its "More ▸" key and the page (from 0).
    Column("key", Text, nullable=False),
    Column("page", Integer, nullable=False),
    Column("chat_id", BigInteger, nullable=False),
    Column("question", Text, nullable=False),
    # The cited passages, a JSON list of {article_id, row, start, end, title, source, published,
    # rank, score, relevance}; the index version (its build id) they were found in.
    Column("passages", Text, nullable=False),
    Column("index_version", Text, nullable=False),
    Column("created_at", Text, nullable=False),
    # Whether anyone voted on it: voted answers are kept whatever FEEDBACK_ANSWERS_KEPT says, and
    # the trim finds the others through `feedback_answers_unvoted` without reading the votes.
    Column("voted", Boolean, nullable=False, server_default=false()),
    UniqueConstraint("key", "page"),
    Index("feedback_answers_unvoted", "voted", "seq"),
)
"""The answers readers can vote on: the newest FEEDBACK_ANSWERS_KEPT, and every voted one."""

feedback_votes = Table(
    "feedback_votes",
    metadata,
    Column("key", Text, nullable=False),
    Column("page", Integer, nullable=False),
    Column("user_id", BigInteger, nullable=False),
    Column("vote", SmallInteger, nullable=False),
    Column("voted_at", Text, nullable=False),
    PrimaryKeyConstraint("key", "page", "user_id"),
    ForeignKeyConstraint(["key", "page"], ["feedback_answers.key", "feedback_answers.page"]),
    CheckConstraint("vote IN (-1, 1)", name="feedback_votes_vote"),
    Index("feedback_votes_by_time", "voted_at"),
)
"""Each reader's 👍 (+1) or 👎 (-1) on an answer, one per reader and answer; nothing about the
reader but the numeric Telegram user id."""

conversation_turns = Table(
    "conversation_turns",
    metadata,
    Column("seq", Integer, primary_key=True),
    Column("chat_id", BigInteger, nullable=False),
    # The forum topic it was asked in (`message_thread_id`); 0: the chat itself.
    Column("thread_id", BigInteger, nullable=False, server_default="0"),
    Column("question", Text, nullable=False),
    # What the answer cited, in order: JSON lists of article ids and of their story ids.
    Column("article_ids", Text, nullable=False, server_default="[]"),
    Column("story_ids", Text, nullable=False, server_default="[]"),
    Column("asked_at", Text, nullable=False),
    # The turn this question followed up (its `seq`), if it replied to one.
    Column("follows", Integer),
    Index("conversation_turns_by_chat", "chat_id", "seq"),
    Index("conversation_turns_by_time", "asked_at"),
)
"""Each chat's last few answered questions, for follow-ups (`bot.answers.conversation`)."""

conversation_messages = Table(
    "conversation_messages",
    metadata,
    Column("chat_id", BigInteger, nullable=False),
    Column("message_id", BigInteger, nullable=False),
    Column("turn", Integer, ForeignKey("conversation_turns.seq"), nullable=False),
    PrimaryKeyConstraint("chat_id", "message_id"),
    Index("conversation_messages_by_turn", "turn"),
)
"""The messages a turn's answer was sent as: a reply to any of them follows that turn up."""
