"""Questions as news readers ask them, end to end: about a day, about an outlet, and as replies to
an answer (follow-ups) in a private chat, a group and a forum topic. The real Application on the
Bot API emulator over HTTP, a real index of dated articles from several outlets, the real model;
on the default stores and on Milvus Lite + PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from index import Embedder, IndexWriter, NewsIndex
from tests.bot.answers.test_conversation_e2e import turn_of_answer
from tests.bot.conftest import GROUP_ID, USER_ID, bot_settings, running_bot
from tests.emulator import BotApiEmulator

pytestmark = pytest.mark.slow

FORUM_ID = -100999
VALENCIA = "Floods in Valencia leave streets under water"
MURCIA = "Floods in Murcia damage farms and roads"
ROTTERDAM = "Dock strike in Rotterdam enters its second week"

ARTICLES = [  # (name, title, outlet, days ago, body)
    (
        "valencia", VALENCIA, "Reuters", 1,
        "Floods swept through Valencia after a night of torrential rain, leaving streets under "
        "a metre of water and cutting power to thousands of homes. Damage to shops and cars is "
        "estimated at 40 million euros, the regional government said.\n\n"
        "Mayor Maria Jose Catala said the city would open shelters in every school and that the "
        "clean-up would take weeks.",
    ),
    (
        "murcia", MURCIA, "AP", 10,
        "Floods in Murcia damaged farms, roads and bridges after the river burst its banks. "
        "Farmers said whole harvests of lemons were lost in the floods.",
    ),
    (
        "rotterdam", ROTTERDAM, "BBC News", 10,
        "The dock strike in Rotterdam entered its second week as unions rejected the latest pay "
        "offer.\n\n"
        "The mayor said the strike was hurting the city. The mayor told reporters that the mayor's "
        "office would not take sides, and the mayor urged both sides to talk.",
    ),
]  # fmt: skip


def write_articles(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    today = datetime.now(UTC).date()
    for name, title, outlet, days_ago, body in ARTICLES:
        published = (today - timedelta(days=days_ago)).isoformat()
        (folder / f"{name}.md").write_text(
            f"---\ntitle: {title}\nsource: {outlet}\npublished: {published}\n---\n{body}\n",
            "utf-8",
        )
    return folder


async def ask(
    emulator: BotApiEmulator, chat: int, text: str, *, reply_to: int | None = None,
    thread: int | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Send a message and wait for the bot's next message in that chat (or forum topic)."""

    def shown() -> list[dict[str, Any]]:
        if thread is not None:
            return [m for m in emulator.topic_messages(chat, thread) if m["from"]["is_bot"]]
        return emulator.sent_messages(chat)

    before = len(shown())
    emulator.send_message(chat, USER_ID, text, reply_to_message_id=reply_to, thread_id=thread)
    for _ in range(1200):
        if len(shown()) > before:
            return shown()[-1]
        await asyncio.sleep(0.05)
    raise AssertionError(f"no answer to {text!r}")


def first_citation(answer: dict[str, Any]) -> str:
    """The title of the first citation ("1. Title")."""
    line = next(line for line in answer["text"].splitlines() if line.startswith("1. "))
    return line[3:]


async def test_time_and_outlet_questions(
    emulator: BotApiEmulator, embedder: Embedder, tmp_path: Path, stores: dict[str, object]
) -> None:
    settings = bot_settings(emulator, tmp_path / "data", **stores)
    IndexWriter(settings, embedder).rebuild([write_articles(tmp_path / "news")])
    async with running_bot(settings, embedder):
        plain = await ask(emulator, USER_ID, "Which farms were damaged by the floods?")
        assert first_citation(plain) == MURCIA and "📅" not in plain["text"], "as before"

        yesterday = await ask(emulator, USER_ID, "What damage did the floods do yesterday?")
        day = (datetime.now(UTC) - timedelta(days=1)).strftime("%a %-d %b")
        assert f"📅 yesterday, {day}" in yesterday["text"]
        assert first_citation(yesterday) == VALENCIA and MURCIA not in yesterday["text"]

        bbc = await ask(emulator, USER_ID, "What does the BBC say about the floods and the strike?")
        assert "📰 only BBC News" in bbc["text"]
        assert first_citation(bbc) == ROTTERDAM and VALENCIA not in bbc["text"]

        unknown = await ask(emulator, USER_ID, "What did Fox News report about the floods?")
        assert "I have no articles from Fox News" in unknown["text"]
        assert first_citation(unknown) in (VALENCIA, MURCIA)

        elsewhere = await ask(emulator, USER_ID, "floods in Valencia in 2020")
        assert "Nothing from 2020 answers this" in elsewhere["text"]
        assert first_citation(elsewhere) == VALENCIA

        operators = await ask(emulator, USER_ID, "floods -source:reuters")
        assert "leaving out Reuters" in operators["text"] and VALENCIA not in operators["text"]


async def test_replies_to_answers_are_follow_ups(
    emulator: BotApiEmulator, embedder: Embedder, tmp_path: Path, stores: dict[str, object]
) -> None:
    """ "What did the mayor say?" alone is about Rotterdam's mayor; replying to an answer about
    Valencia's floods, it is about Valencia's — in a private chat, a group and a forum topic."""
    settings = bot_settings(emulator, tmp_path / "data", **stores)
    IndexWriter(settings, embedder).rebuild([write_articles(tmp_path / "news")])
    alone = NewsIndex(settings, embedder).search("What did the mayor say?", 1)
    assert alone and alone[0].title == ROTTERDAM, "the test needs a follow-up that context turns"
    emulator.forum(FORUM_ID, "Newsroom")
    topic = emulator.create_topic(FORUM_ID, USER_ID, "Floods")
    async with running_bot(settings, embedder) as app:
        for chat, prefix, thread in (
            (USER_ID, "", None), (GROUP_ID, "@newsbot_test ", None), (FORUM_ID, "/ask ", topic),
        ):  # fmt: skip
            question = f"{prefix}How much damage did the floods in Valencia cause?"
            answer = await ask(emulator, chat, question, thread=thread)
            assert first_citation(answer) == VALENCIA
            await turn_of_answer(app, chat, answer)  # recorded just after the answer is sent
            follow_up = await ask(
                emulator, chat, "What did the mayor say?", reply_to=answer["message_id"],
                thread=thread,
            )  # fmt: skip
            assert first_citation(follow_up) == VALENCIA, (chat, follow_up["text"][:300])
            assert "Catala" in follow_up["text"]
        fresh = await ask(emulator, USER_ID, "What did the mayor say?")
        assert first_citation(fresh) == ROTTERDAM, "not a reply: a new question"
