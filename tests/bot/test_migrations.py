"""Schema revisions 0005 (readers' votes), 0006 (story alerts) and 0007 (time zones and
follow-ups) on a database of the revision before that holds data, on SQLite and on PostgreSQL: the
upgrade the bot runs at start keeps everything, and the downgrade drops only what the revision
added."""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path

import numpy as np
from alembic import command
from sqlalchemy import inspect, select

from bot.alerts.model import AlertStatus, Delivery, DigestTime, StoryAlert
from bot.alerts.subscriptions import SubscriptionStore
from bot.answers.conversation import ConversationStore, Turn
from bot.answers.votes import UP, AnswerVotes, Tally, VoteCast
from bot.database import WRITES, database_url, open_engine
from bot.migrate import MIGRATIONS, head
from bot.schema import alerts, answer_keys, chats, subscriptions
from index.database.alembic_scripts import alembic_config
from index.database.engine import MIGRATIONS_LOCK
from tests.bot.answers.test_votes import HITS

VOTES_TABLES = {"feedback_answers", "feedback_votes"}


def downgrade(database: Path | str, revision: str) -> set[str]:
    """Downgrade with alembic, as `bot.migrate` runs it (its connection, one transaction); the
    tables left."""
    engine = open_engine(database_url(database))
    try:
        with MIGRATIONS_LOCK, engine.connect().execution_options(**WRITES) as connection:
            with connection.begin():
                command.downgrade(alembic_config(MIGRATIONS, connection), revision)
            return set(inspect(connection).get_table_names())
    finally:
        engine.dispose()


def test_0005_upgrades_a_database_of_0004_with_data_and_downgrades_cleanly(
    database: Path | str,
) -> None:
    SubscriptionStore(database).close()
    tables = downgrade(database, "0004")
    assert not tables & VOTES_TABLES and {"chats", "subscriptions", "answer_keys"} <= tables

    engine = open_engine(database_url(database))  # a bot of 0004 was running: its data
    with engine.begin() as db:
        db.execute(chats.insert().values(chat_id=-100, title="Readers", delivery="daily"))
        db.execute(
            subscriptions.insert().values(
                id=1, chat_id=-100, topic="Estonia", sensitivity="strict",
                created_at="2026-01-01T00:00:00", vector=np.arange(4, dtype=np.float32).tobytes(),
                thread_id=0, required_words='["Narva"]',
            )
        )  # fmt: skip
        db.execute(
            alerts.insert().values(
                chat_id=-100, subscription_id=1, article_id="a-1", score=0.7, citation="{}",
                status="sent", matched_at="2026-01-02T00:00:00",
            )
        )  # fmt: skip
        db.execute(answer_keys.insert().values(key="k", chat_id=-100, question="Who?", cut=False))
    engine.dispose()

    store = SubscriptionStore(database)  # the upgrade the bot runs at start
    try:
        assert store.schema.current == "0004" and not store.schema.up_to_date
        (sub,) = store.of_chat(-100)
        assert (sub.topic, sub.required_words) == ("Estonia", ("Narva",))
        assert store.chat(-100).delivery is Delivery.DAILY
        assert store.alert_counts() == {"sent": 1}
        with store.engine.connect() as db:
            assert db.execute(select(answer_keys.c.question)).scalars().all() == ["Who?"]
        votes = AnswerVotes(store.engine, kept=10)
        votes.record("k", 0, -100, "Who?", HITS, "build-1")
        assert votes.vote("k", 0, -100, 7, UP) == VoteCast(Tally(1, 0, UP), 0)
    finally:
        store.close()
    if isinstance(database, Path):
        assert (database.parent / f"{database.name}.bak-v4").is_file(), "a backup first"

    tables = downgrade(database, "0004")  # votes and all
    assert not tables & VOTES_TABLES
    store = SubscriptionStore(database)  # and up again
    try:
        assert [s.topic for s in store.of_chat(-100)] == ["Estonia"]
        assert AnswerVotes(store.engine, kept=10).totals() is not None
        assert set(inspect(store.engine).get_table_names()) >= VOTES_TABLES
    finally:
        store.close()


def test_0006_upgrades_a_database_of_0005_with_pending_alerts_and_downgrades_cleanly(
    database: Path | str,
) -> None:
    SubscriptionStore(database).close()
    tables = downgrade(database, "0005")
    assert "story_alerts" not in tables and tables >= VOTES_TABLES

    engine = open_engine(database_url(database))  # a bot of 0005 was running: a pending alert
    with engine.begin() as db:
        db.execute(
            subscriptions.insert().values(
                id=1, chat_id=-100, topic="dock strike", sensitivity="normal",
                created_at="2026-01-01T00:00:00", vector=np.arange(4, dtype=np.float32).tobytes(),
            )
        )  # fmt: skip
        db.execute(
            alerts.insert().values(
                chat_id=-100, subscription_id=1, article_id="a-1", score=0.7, citation="{}",
                status="pending", matched_at="2026-01-02T00:00:00",
            )
        )  # fmt: skip
    engine.dispose()

    store = SubscriptionStore(database)
    try:
        assert store.schema.current == "0005" and not store.schema.up_to_date
        (alert,) = store.pending(Delivery.INSTANT)[-100]
        assert (alert.story_id, alert.story, alert.follows) == ("", "a-1", None)
        sent = StoryAlert(-100, 0, "a-1", 7, "Dock strike", (), {"citation": {}})
        store.mark([alert.key], AlertStatus.SENT, [sent])
        assert store.story_alerts(-100, 0, ["a-1"]) == {"a-1": sent}
    finally:
        store.close()

    tables = downgrade(database, "0005")
    assert "story_alerts" not in tables
    engine = open_engine(database_url(database))
    try:
        columns = {c["name"] for c in inspect(engine).get_columns("alerts")}
        assert not columns & {"story_id", "follows"} and "citation" in columns
    finally:
        engine.dispose()
    store = SubscriptionStore(database)  # and up again
    try:
        assert store.alert_counts() == {"sent": 1} and store.story_alerts(-100, 0, ["a-1"]) == {}
    finally:
        store.close()


CONVERSATION_TABLES = {"conversation_turns", "conversation_messages"}


def test_0007_upgrades_a_database_of_0006_with_a_daily_chat_and_downgrades_cleanly(
    database: Path | str,
) -> None:
    assert head() == "0007"
    SubscriptionStore(database).close()
    tables = downgrade(database, "0006")
    assert not tables & CONVERSATION_TABLES and "story_alerts" in tables

    engine = open_engine(database_url(database))  # a bot of 0006 was running: a daily chat
    with engine.begin() as db:
        db.execute(
            chats.insert().values(
                chat_id=-100, title="Readers", delivery="daily", digest_time="07:30",
                digest_zone="Asia/Tokyo",
            )
        )  # fmt: skip
    engine.dispose()

    store = SubscriptionStore(database)
    try:
        assert store.schema.current == "0006" and not store.schema.up_to_date
        chat = store.chat(-100)
        assert (chat.time_zone, chat.zone) == (None, "Asia/Tokyo"), "the digest's zone until set"
        assert chat.digest_time == DigestTime(time(7, 30), "Asia/Tokyo")
        store.set_time_zone(-100, "Europe/Paris")
        assert store.chat(-100).zone == "Europe/Paris"
        conversation = ConversationStore(store.engine, followup=timedelta(minutes=30))
        assert conversation.record_turn(Turn("Who?", ("a-1",), ("a-1",), -100, 0, (7,)))
        assert conversation.turn_replied_to(-100, 7) is not None
    finally:
        store.close()

    tables = downgrade(database, "0006")
    assert not tables & CONVERSATION_TABLES
    engine = open_engine(database_url(database))
    try:
        assert "time_zone" not in {c["name"] for c in inspect(engine).get_columns("chats")}
    finally:
        engine.dispose()
    store = SubscriptionStore(database)  # and up again: the digest kept, the zone unset
    try:
        chat = store.chat(-100)
        assert (chat.time_zone, chat.zone, chat.delivery) == (None, "Asia/Tokyo", Delivery.DAILY)
    finally:
        store.close()
