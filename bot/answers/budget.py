"""A per-user question budget, so one user cannot monopolise the model."""

from __future__ import annotations

from collections import OrderedDict
from typing import Protocol

from aiolimiter import AsyncLimiter


class QuestionBudget(Protocol):
    """A per-user question budget: this process's own (`PerUserLimiter`) or one that replicas
    share on PostgreSQL (`bot.answers.shared_keys.SharedQuestionBudget`)."""

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
