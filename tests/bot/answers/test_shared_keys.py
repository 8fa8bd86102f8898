""" "More ▸" keys in the database, as replicas on PostgreSQL share them (each test also runs on
SQLite: the same code, though one process keeps them in memory there)."""

from __future__ import annotations

from bot.alerts.subscriptions import SubscriptionStore
from bot.answers.questions import Question
from bot.answers.shared_keys import SharedAnswerKeys


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
