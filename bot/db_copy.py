"""Move the bot's state from one database to another: a SQLite file into PostgreSQL, when one
bot process becomes several replicas.

What is copied is what must not be lost: chats (with their delivery mode, time zone and disabled
state), subscriptions (with their ids, topic vectors and start times, so nothing already announced
is announced again), the alert log with its states and the story alerts sent (so a story is
not alerted twice, and its alert is still edited when another outlet reports it), how far the scan got, the feeds with the
keys of the entries they already brought (so no feed entry is indexed twice), and the answers
readers can vote on with their votes. The "More ▸" keys, question budgets and conversation turns
(`bot.answers.conversation`) are a few minutes' worth of state and start afresh.

All in one transaction on the target, which must hold none of these yet: a copy that fails
halfway leaves the target as it was, and a second copy cannot mix two bots' chats.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import Connection, Table, func, inspect, select, text

from bot.alerts.subscriptions import SubscriptionStore
from bot.database import WRITES
from bot.schema import (
    alerts,
    chats,
    feedback_answers,
    feedback_votes,
    scan_state,
    story_alerts,
    subscriptions,
)
from index.feeds.schema import feed_seen, feeds

COPIED: tuple[Table, ...] = (chats, subscriptions, alerts, story_alerts, scan_state)
"""In the order foreign keys need (alerts name subscriptions)."""
FEED_TABLES: tuple[Table, ...] = (feeds, feed_seen)
"""Copied as well when the source has them (the target's feeds store must be open first)."""
VOTE_TABLES: tuple[Table, ...] = (feedback_answers, feedback_votes)
"""Readers' votes and the answers they are on (`bot.answers.votes`), copied last."""
_SEQUENCES = (("subscriptions", "id"), ("feeds", "id"), ("feedback_answers", "seq"))
BATCH_ROWS = 1_000


class TargetNotEmptyError(Exception):
    """The target database already holds rows of a table to copy."""


def copy_state(source: SubscriptionStore, target: SubscriptionStore) -> dict[str, int]:
    """Copy every row of `COPIED` from `source` into `target`; rows copied, by table."""
    copied: dict[str, int] = {}
    with (
        source.engine.connect() as reading,
        target.engine.connect().execution_options(**WRITES) as writing,
        writing.begin(),
    ):
        tables = COPIED + (FEED_TABLES if has_feeds(reading) else ()) + VOTE_TABLES
        counts = {table.name: _count(writing, table) for table in tables}
        held = {name: count for name, count in counts.items() if count}
        if held:
            listed = ", ".join(f"{count} {name}" for name, count in held.items())
            raise TargetNotEmptyError(
                f"{target.name} already holds {listed}: copy into an empty database only"
            )
        for table in tables:
            copied[table.name] = 0
            for batch in _batches(reading, table):
                writing.execute(table.insert(), batch)
                copied[table.name] += len(batch)
        if writing.dialect.name == "postgresql":  # new rows continue after the copied ids
            for name, column in _SEQUENCES:
                if name in copied:
                    writing.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{name}', '{column}'), "
                            f"coalesce(max({column}), 0) + 1, false) FROM {name}"
                        )
                    )
    return copied


def has_feeds(db: Connection) -> bool:
    """Whether the database holds the feeds' tables (`python -m index feeds` made them)."""
    return bool(inspect(db).has_table(feeds.name))


def _count(db: Connection, table: Table) -> int:
    return int(db.execute(select(func.count()).select_from(table)).scalar_one())


def _batches(db: Connection, table: Table) -> Iterator[list[dict[str, object]]]:
    rows = db.execute(select(table).order_by(*table.primary_key.columns))
    while batch := rows.fetchmany(BATCH_ROWS):
        yield [dict(row._mapping) for row in batch]
