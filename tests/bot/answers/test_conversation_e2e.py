"""Turns recorded as answers go out, end to end: the real Application on the Bot API emulator over
HTTP, the real index and model, the real database (`bot.answers.conversation`)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.answers.conversation import Turn
from bot.context import NewsApp
from tests.bot.conftest import GROUP_ID, USER_ID
from tests.emulator import BotApiEmulator

pytestmark = pytest.mark.slow

QUESTION = "Which countries signed long-term security agreements with Ukraine?"
FOLLOW_UP = "What did Macron say about troops?"
FORUM_ID = -100888


async def turn_of_answer(app: NewsApp, chat_id: int, answer: dict[str, Any]) -> Turn:
    """The turn recorded for an answer message (recorded just after it is sent)."""
    conversation = app.bot_data.services.conversation
    for _ in range(200):
        turn = await asyncio.to_thread(conversation.turn_replied_to, chat_id, answer["message_id"])
        if turn is not None:
            return turn
        await asyncio.sleep(0.05)
    raise AssertionError(f"no turn recorded for message {answer['message_id']}")


async def test_an_answer_records_a_turn_a_reply_to_it_follows_up(
    seed_bot: NewsApp, emulator: BotApiEmulator
) -> None:
    emulator.send_message(USER_ID, USER_ID, QUESTION)
    (answer,) = await emulator.wait_for_messages(USER_ID, 1, timeout=60)
    first = await turn_of_answer(seed_bot, USER_ID, answer)
    assert (first.question, first.chat_id, first.thread_id) == (QUESTION, USER_ID, 0)
    assert first.message_ids == (answer["message_id"],) and first.follows is None
    assert first.article_ids and len(first.story_ids) == len(first.article_ids)
    index = seed_bot.bot_data.services.answers.index
    cited = await asyncio.to_thread(index.search, QUESTION, len(first.article_ids))
    assert first.article_ids == tuple(hit.article_id for hit in cited), "in the order shown"

    emulator.send_message(USER_ID, USER_ID, FOLLOW_UP, reply_to_message_id=answer["message_id"])
    second_answer = (await emulator.wait_for_messages(USER_ID, 2, timeout=60))[-1]
    second = await turn_of_answer(seed_bot, USER_ID, second_answer)
    assert (second.question, second.follows) == (FOLLOW_UP, first.id)
    conversation = seed_bot.bot_data.services.conversation
    assert await asyncio.to_thread(conversation.chain, second) == [first, second]
    assert await asyncio.to_thread(conversation.recent_turns, USER_ID, 0) == [first, second]


async def test_a_question_in_a_group_forum_topic_records_its_topic(
    seed_bot: NewsApp, emulator: BotApiEmulator
) -> None:
    emulator.forum(FORUM_ID, "Newsroom")
    topic = emulator.create_topic(FORUM_ID, USER_ID, "Ukraine")
    emulator.send_message(FORUM_ID, USER_ID, f"/ask {QUESTION}", thread_id=topic)
    for _ in range(1200):
        answers = emulator.topic_messages(FORUM_ID, topic)
        if answers:
            break
        await asyncio.sleep(0.05)
    turn = await turn_of_answer(seed_bot, FORUM_ID, answers[-1])
    assert (turn.chat_id, turn.thread_id, turn.question) == (FORUM_ID, topic, QUESTION)

    emulator.send_message(GROUP_ID, USER_ID, f"@newsbot_test {QUESTION}")
    (in_group,) = await emulator.wait_for_messages(GROUP_ID, 1, timeout=60)
    assert (await turn_of_answer(seed_bot, GROUP_ID, in_group)).thread_id == 0
