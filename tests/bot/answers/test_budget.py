"""The question budget replicas on PostgreSQL share (the test also runs on SQLite: the same
code, though one process keeps its budget in memory there)."""

from __future__ import annotations

from bot.alerts.subscriptions import SubscriptionStore
from bot.answers.budget import SharedQuestionBudget


def test_the_budget_is_one_across_replicas_and_refills_with_time(
    replicas: tuple[SubscriptionStore, SubscriptionStore],
) -> None:
    here = SharedQuestionBudget(replicas[0].engine, per_minute=2)
    there = SharedQuestionBudget(replicas[1].engine, per_minute=2)
    start = 1_800_000_000.0
    assert here.take(7, start) and there.take(7, start + 1)
    assert not here.take(7, start + 2) and not there.take(7, start + 2), "spent on both"
    assert here.take(8, start + 2), "another user has a budget of their own"
    assert there.take(7, start + 31), "half a minute gives one question back at 2 a minute"
    assert not here.take(7, start + 32)
    assert here.take(9) and there.take(9), "by the server's clock"
    assert not here.take(9) and not there.take(9)
    assert here.retry_after_seconds == 30
    assert here.take(10, start + 91)
    assert here.trim(start + 92) == 3, "users 7, 8 and 9 asked more than a minute ago"
    assert there.take(7, start + 92) and there.take(7, start + 92), "a trimmed bucket starts empty"
    assert there.take(10, start + 92) and not there.take(10, start + 92), "user 10's bucket kept"
