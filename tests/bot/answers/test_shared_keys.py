""" "More ▸" keys and question budgets in the database, as replicas on PostgreSQL share them
(each test also runs on SQLite: the same code, though one process keeps them in memory there)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.alerts.subscriptions import SubscriptionStore
from bot.answers.budget import SharedQuestionBudget
from bot.answers.questions import Question
from bot.answers.shared_keys import SharedAnswerKeys


@pytest.fixture
def replicas(database: Path | str) -> Iterator[tuple[SubscriptionStore, SubscriptionStore]]:
    """Two stores on one database, as two bot processes would open it."""
    first, second = SubscriptionStore(database), SubscriptionStore(database)
    yield first, second
    first.close()
    second.close()


def test_a_key_made_on_one_replica_is_found_on_another_for_the_newest_answers(
    replicas: tuple[SubscriptionStore, SubscriptionStore],
) -> None:
    here = SharedAnswerKeys(replicas[0].engine, remembered=3)
    there = SharedAnswerKeys(replicas[1].engine, remembered=3)
    here.put("k0", -100, Question("Which countries signed?", cut=True))
    assert there.get("k0") == (-100, Question("Which countries signed?", cut=True))
    assert there.get("nope") is None
    for n in range(1, 4):
        there.put(f"k{n}", 42, Question(f"question {n}", cut=False))
    assert here.get("k0") is None, "older than the newest three"
    assert [here.get(f"k{n}") is not None for n in range(1, 4)] == [True, True, True]


async def test_answers_page_through_a_question_asked_on_another_replica(
    replicas: tuple[SubscriptionStore, SubscriptionStore],
) -> None:
    from bot.answers.service import AnswerService

    class NoIndex:  # remembering and recalling never search
        pass

    keys = [SharedAnswerKeys(r.engine, remembered=10) for r in replicas]
    here, there = (AnswerService(NoIndex(), per_page=3, shared=k) for k in keys)  # type: ignore[arg-type]
    question = Question("Estonia", cut=False)
    key = await here.remember(question, -100)
    assert await there.recall(key, -100) == question
    assert await there.recall(key, -200) is None, "only in the chat it was asked in"


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
