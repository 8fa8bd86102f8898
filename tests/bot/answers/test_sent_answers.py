"""An answer just sent, made votable and kept as its chat's turn in one transaction
(`bot.answers.sent_answers`), on SQLite and on PostgreSQL, as two replicas sharing one database
see it."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event

from bot.alerts.subscriptions import SubscriptionStore
from bot.answers.conversation import ConversationStore, turn_of
from bot.answers.questions import Question
from bot.answers.sent_answers import SentAnswers, buttons_tally
from bot.answers.service import Answer
from bot.answers.votes import UP, AnswerVotes, Tally, VoteCast, VoteRefused
from bot.database_outage import DatabaseOutage
from tests.bot.answers.test_votes import HITS

CHAT, USER = -100, 7
ANSWER = Answer(Question("Who signed?", cut=False), HITS, 0, False, "build-1")


def sent_answers(store: SubscriptionStore, outage: DatabaseOutage | None = None) -> SentAnswers:
    outage = outage or DatabaseOutage()
    votes = AnswerVotes(store.engine, kept=100, outage=outage)
    conversation = ConversationStore(store.engine, followup=timedelta(minutes=30), outage=outage)
    return SentAnswers(store.engine, votes, conversation, outage)


def commits_counted(store: SubscriptionStore) -> list[object]:
    """One entry per transaction committed on the store's engine from now on."""
    commits: list[object] = []

    def committed(connection: Any) -> None:
        commits.append(connection)

    event.listen(store.engine, "commit", committed)
    return commits


def test_a_sent_answer_is_votable_and_followed_up_everywhere_after_one_commit(
    replicas: tuple[SubscriptionStore, SubscriptionStore],
) -> None:
    here, there = sent_answers(replicas[0]), sent_answers(replicas[1])
    turn = turn_of(
        "Who signed?", HITS, chat_id=CHAT, thread_id=0, message_ids=(41,), follows=None,
        asked_at=datetime.now(UTC),
    )  # fmt: skip
    commits = commits_counted(replicas[0])
    kept = here.record("k1", ANSWER, turn, USER)
    assert kept is not None and kept.id is not None
    assert len(commits) == 1, "the vote record and the turn share one transaction"
    assert there.votes.vote("k1", 0, CHAT, USER, UP) == VoteCast(Tally(1, 0, UP), previous=0)
    found = there.conversation.turn_replied_to(CHAT, 41)
    assert found is not None and found.id == kept.id
    assert found.article_ids == ("macron", "estonia")


def test_a_turn_that_cannot_be_kept_leaves_the_answer_unvotable_too(
    replicas: tuple[SubscriptionStore, SubscriptionStore],
) -> None:
    outage = DatabaseOutage()
    sent = sent_answers(replicas[0], outage)
    broken = replace(
        turn_of("Who?", HITS, chat_id=CHAT, thread_id=0, message_ids=(42,), follows=None),
        question=None,  # the turns table refuses it (NOT NULL) after the vote row went in
    )
    assert sent.record("k2", ANSWER, broken, USER) is None
    assert outage.down, "a write that fails is an outage for what it served"
    votes = sent_answers(replicas[1]).votes
    assert votes.vote("k2", 0, CHAT, USER, UP) is VoteRefused.UNKNOWN_ANSWER, "rolled back"


def test_a_new_answer_shows_empty_vote_buttons_unless_the_database_is_down() -> None:
    outage = DatabaseOutage()
    assert buttons_tally(outage) == Tally()
    outage.failed("votes", RuntimeError("connection refused"))
    assert buttons_tally(outage) is None
    outage.succeeded()
    assert buttons_tally(outage) == Tally()


async def test_a_vote_or_a_reply_while_its_answer_goes_out_waits_for_its_record(
    replicas: tuple[SubscriptionStore, SubscriptionStore],
) -> None:
    sent = sent_answers(replicas[0])
    turn = turn_of("Who signed?", HITS, chat_id=CHAT, thread_id=0, message_ids=(43,), follows=None)
    async with sent.sending("k3", CHAT):
        vote = asyncio.create_task(sent.settled("k3"))
        follow_up = asyncio.create_task(sent.chat_settled(CHAT))
        await asyncio.wait_for(sent.chat_settled(CHAT + 1), timeout=5)  # another chat: no wait
        await asyncio.sleep(0.05)
        assert not vote.done(), "the answer is not recorded yet"
        assert not follow_up.done(), "a reply in its chat waits for its turn"
        await asyncio.to_thread(sent.record, "k3", ANSWER, turn, USER)
    await asyncio.wait_for(vote, timeout=5)
    await asyncio.wait_for(follow_up, timeout=5)
    assert sent.conversation.turn_replied_to(CHAT, 43) is not None
    assert sent.votes.vote("k3", 0, CHAT, USER, UP) == VoteCast(Tally(1, 0, UP), previous=0)
    await asyncio.wait_for(sent.settled("never sent"), timeout=5)
