"""A per-user question budget, so one user cannot monopolise the model: one interface, two
implementations.

One bot process keeps the budget in memory (`PerUserLimiter`, the default, on SQLite: nothing to
share, and no database write per question). Replicas behind one webhook share it on PostgreSQL
(`SharedQuestionBudget`): a user's budget must not grow with the number of replicas. The shared
budget is not worth an unanswered question: while the database cannot be reached
(`bot.database_outage`), each replica counts questions in a budget of its own, until the database
is back.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from typing import Protocol

from aiolimiter import AsyncLimiter
from sqlalchemy import Connection, Engine, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from bot.database import WRITES
from bot.database_outage import DatabaseOutage
from bot.schema import question_budget


class QuestionBudget(Protocol):
    """A per-user question budget: this process's own (`PerUserLimiter`) or one that replicas
    share on PostgreSQL (`SharedQuestionBudget`)."""

    async def allow(self, user_id: int) -> bool:
        """Take one question from the user's budget; False, taking nothing, when it is spent."""
        ...

    @property
    def retry_after_seconds(self) -> int:
        """Roughly how long until one more question fits in a spent budget."""
        ...


class PerUserLimiter:
    """`per_minute` questions per user, as a leaky bucket per user (aiolimiter)."""

    def __init__(self, per_minute: int, max_users: int = 10_000) -> None:
        self._per_minute = per_minute
        self._max_users = max_users
        self._limiters: OrderedDict[int, AsyncLimiter] = OrderedDict()

    async def allow(self, user_id: int) -> bool:
        """Take one question from the user's budget; False, taking nothing, when it is spent."""
        limiter = self._limiters.get(user_id)
        if limiter is None:
            limiter = self._limiters[user_id] = AsyncLimiter(self._per_minute, 60)
            if len(self._limiters) > self._max_users:
                self._limiters.popitem(last=False)
        self._limiters.move_to_end(user_id)
        if not limiter.has_capacity():
            return False
        await limiter.acquire()
        return True

    @property
    def retry_after_seconds(self) -> int:
        """Roughly how long until one more question fits in a spent budget."""
        return max(1, round(60 / self._per_minute))


TRIM_EVERY = 1_000
"""Questions taken by one replica between two trims of the drained buckets."""


class SharedQuestionBudget:
    """`per_minute` questions per user across replicas: a leaky bucket per user, its row locked
    while a question is taken from it (`SELECT … FOR UPDATE`), so two replicas never both take
    the last one. Time is the database server's, so replicas whose clocks disagree still drain
    one bucket at one pace. A bucket drains empty within a minute, so rows untouched for longer
    are deleted now and then: the table holds the users of the last minute or so.

    While the database cannot be reached, this replica's own budget (`PerUserLimiter`) counts
    instead: a user may then ask once per replica, never not at all."""

    def __init__(
        self, engine: Engine, per_minute: int, outage: DatabaseOutage | None = None
    ) -> None:
        self._engine = engine
        self._per_minute = per_minute
        self._taken = 0
        insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
        self._new_user = insert(question_budget).on_conflict_do_nothing()
        self._outage = outage or DatabaseOutage()
        self._local = PerUserLimiter(per_minute)

    async def allow(self, user_id: int) -> bool:
        """Take one question from the user's budget; False, taking nothing, when it is spent."""
        if self._outage.worth_trying():
            try:
                allowed = await asyncio.to_thread(self.take, user_id)
            except SQLAlchemyError as exc:
                self._outage.failed("the shared question budget", exc)
            else:
                self._outage.succeeded()
                return allowed
        return await self._local.allow(user_id)

    def take(self, user_id: int, now: float | None = None) -> bool:
        """`allow` at Unix time `now` (blocking); by default the database server's time."""
        with self._engine.connect().execution_options(**WRITES) as db, db.begin():
            if now is None:
                now = self._server_time(db)
            bucket = None
            while bucket is None:  # a trim may delete the row between the two statements
                db.execute(self._new_user.values(user_id=user_id, level=0.0, updated_at=now))
                bucket = db.execute(
                    select(question_budget.c.level, question_budget.c.updated_at)
                    .where(question_budget.c.user_id == user_id)
                    .with_for_update()
                ).first()
            level, updated_at = bucket
            drained = max(0.0, now - updated_at) * self._per_minute / 60
            level = max(0.0, level - drained)
            if level + 1 > self._per_minute:
                return False
            db.execute(
                update(question_budget)
                .where(question_budget.c.user_id == user_id)
                .values(level=level + 1, updated_at=max(now, updated_at))
            )
        self._taken += 1
        if self._taken % TRIM_EVERY == 0:
            self.trim()
        return True

    def trim(self, now: float | None = None) -> int:
        """Delete the buckets that have drained empty (equal to no row); how many."""
        with self._engine.connect().execution_options(**WRITES) as db, db.begin():
            if now is None:
                now = self._server_time(db)
            return db.execute(
                delete(question_budget).where(question_budget.c.updated_at < now - 60)
            ).rowcount

    def _server_time(self, db: Connection) -> float:
        if self._engine.dialect.name != "postgresql":
            return time.time()  # SQLite: one process, one clock
        return float(db.execute(select(func.extract("epoch", func.clock_timestamp()))).scalar_one())

    @property
    def retry_after_seconds(self) -> int:
        """Roughly how long until one more question fits in a spent budget."""
        return max(1, round(60 / self._per_minute))
