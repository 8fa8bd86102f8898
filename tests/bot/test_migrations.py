"""Schema revision 0005 (readers' votes) on a database of 0004 that holds data, on SQLite and on
PostgreSQL: the upgrade the bot runs at start keeps everything, and the downgrade drops only the
votes' tables."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from alembic import command
from sqlalchemy import inspect, select

from bot.alerts.model import Delivery
from bot.alerts.subscriptions import SubscriptionStore
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
    assert head() == "0005"
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
