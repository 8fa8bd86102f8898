"""The turns kept for follow-ups (`bot.answers.conversation`), on SQLite and on PostgreSQL, as
two replicas sharing one database see them."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, func, select

from bot.alerts.subscriptions import SubscriptionStore
from bot.answers.conversation import ConversationStore, Turn, turn_of
from bot.schema import conversation_messages, conversation_turns
from tests.bot.answers.test_votes import hit

CHAT, OTHER_CHAT = -100, 4242
FOLLOWUP = timedelta(minutes=30)
NOON = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def store_on(subscriptions: SubscriptionStore, kept: int = 20) -> ConversationStore:
    return ConversationStore(subscriptions.engine, followup=FOLLOWUP, kept_per_chat=kept)


def asked(question: str, at: datetime, *messages: int, chat: int = CHAT, **more: object) -> Turn:
    return Turn(question, ("a-1", "a-2"), ("s-1", "a-2"), chat, 0, messages, at, **more)  # type: ignore[arg-type]


def rows(subscriptions: SubscriptionStore) -> tuple[int, int]:
    with subscriptions.engine.connect() as db:
        turns = db.execute(select(func.count()).select_from(conversation_turns)).scalar_one()
        messages = db.execute(select(func.count()).select_from(conversation_messages)).scalar_one()
    return int(turns), int(messages)


def test_a_reply_to_any_page_of_an_answer_finds_its_turn_on_another_replica(
    replicas: tuple[SubscriptionStore, SubscriptionStore],
) -> None:
    here, there = store_on(replicas[0]), store_on(replicas[1])
    kept = here.record_turn(asked("Who signed?", NOON, 11, 12))
    assert kept is not None and kept.id is not None and kept.message_ids == (11, 12)
    for message_id in (11, 12):
        found = there.turn_replied_to(CHAT, message_id, now=NOON + timedelta(minutes=5))
        assert found == kept
    assert found is not None and found.asked_at == NOON
    assert (found.article_ids, found.story_ids) == (("a-1", "a-2"), ("s-1", "a-2"))
    assert there.turn_replied_to(CHAT, 13, now=NOON) is None, "not an answer"
    assert there.turn_replied_to(OTHER_CHAT, 11, now=NOON) is None, "message ids are per chat"


def test_a_turn_older_than_the_followup_window_is_not_followed_up(
    replicas: tuple[SubscriptionStore, SubscriptionStore],
) -> None:
    store = store_on(replicas[0])
    kept = store.record_turn(asked("Who signed?", NOON, 11))
    assert store.turn_replied_to(CHAT, 11, now=NOON + FOLLOWUP) == kept, "30 minutes: still"
    late = NOON + FOLLOWUP + timedelta(seconds=1)
    assert store.turn_replied_to(CHAT, 11, now=late) is None
    assert store.recent_turns(CHAT, 0, now=late) == []


def test_each_chat_keeps_its_newest_turns_and_expired_ones_go(
    replicas: tuple[SubscriptionStore, SubscriptionStore],
) -> None:
    store = store_on(replicas[0], kept=5)
    store.record_turn(asked("Elsewhere", NOON, 1, chat=OTHER_CHAT))
    for n in range(8):
        store.record_turn(asked(f"Question {n}", NOON + timedelta(minutes=n), 100 + n, 200 + n))
    assert rows(replicas[0]) == (6, 11), "5 turns of two messages, and the other chat's"
    recent = store.recent_turns(CHAT, 0, limit=10, now=NOON + timedelta(minutes=8))
    assert [t.question for t in recent] == [f"Question {n}" for n in range(3, 8)]
    assert store.turn_replied_to(CHAT, 102, now=NOON) is None, "deleted with its turn"

    store.record_turn(asked("Much later", NOON + timedelta(hours=2), 300))
    assert rows(replicas[0]) == (1, 1), "every expired turn went, in every chat"


def test_the_chain_of_follow_ups_is_bounded_and_stops_at_an_expired_turn(
    replicas: tuple[SubscriptionStore, SubscriptionStore],
) -> None:
    store = store_on(replicas[0])
    first = store.record_turn(asked("Who signed?", NOON, 1))
    assert first is not None and first.id is not None
    previous = first
    for n in range(2, 5):
        at = NOON + timedelta(minutes=10 * (n - 1))
        turn = store.record_turn(asked(f"And {n}?", at, n, follows=previous.id))
        assert turn is not None
        previous = turn
    store.record_turn(asked("Unrelated", NOON + timedelta(minutes=31), 9))
    now = NOON + timedelta(minutes=31)
    replied = store.turn_replied_to(CHAT, 4, now=now)
    assert replied is not None
    chain = store.chain(replied, now=now)
    assert [t.question for t in chain] == ["And 2?", "And 3?", "And 4?"]
    assert [t.question for t in store.chain(replied, limit=10, now=now)] == [
        "And 2?", "And 3?", "And 4?",
    ], "the first one expired at 12:30"  # fmt: skip
    assert store.chain(replied, limit=1, now=now) == [replied]
    assert [t.question for t in store.recent_turns(CHAT, 0, 2, now=now)] == ["And 4?", "Unrelated"]
    assert store.recent_turns(CHAT, 7, now=now) == [], "another forum topic"


def test_an_unreachable_database_records_and_finds_nothing() -> None:
    engine = create_engine("sqlite:////nonexistent-folder/conversation.sqlite")
    store = ConversationStore(engine, followup=FOLLOWUP)
    turn = asked("Who signed?", NOON, 1)
    assert store.record_turn(turn) is None
    assert store.turn_replied_to(CHAT, 1) is None
    assert store.recent_turns(CHAT, 0) == [] and store.chain(turn) == [turn]


def test_a_turn_lists_what_the_answer_cited_in_order() -> None:
    cited = [hit("macron", 1), replace(hit("estonia", 2), story_id="story-7")]
    turn = turn_of("Who?", cited, chat_id=CHAT, message_ids=(5,))
    assert turn.article_ids == ("macron", "estonia")
    assert turn.story_ids == ("macron", "story-7"), "an article without a story is its own"
    assert (turn.chat_id, turn.thread_id, turn.message_ids, turn.id) == (CHAT, 0, (5,), None)
