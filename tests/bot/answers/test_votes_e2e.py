"""Readers' 👍 / 👎 end to end: the real Application on the Bot API emulator over HTTP, the seed
index and the real model, votes in the bot's SQLite file (and in PostgreSQL while it is down)."""

from __future__ import annotations

import asyncio
import logging
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, func, select

from bot import texts
from bot.answers.votes import DOWN, UP, Tally
from bot.context import NewsApp
from bot.schema import feedback_answers, feedback_votes
from index import Embedder
from tests.bot.conftest import GROUP_ID, USER_ID, bot_settings, running_bot
from tests.emulator import BotApiEmulator, parse_html
from tests.postgres import PostgresCluster

pytestmark = pytest.mark.slow

QUESTION = "Which countries signed long-term security agreements with Ukraine?"
BEN = 5151


@pytest.fixture
def errors(caplog: pytest.LogCaptureFixture) -> Iterator[list[logging.LogRecord]]:
    """Error lines logged while the test runs (the error handler logs every failed update)."""
    caplog.set_level(logging.WARNING)
    found: list[logging.LogRecord] = []
    yield found
    found.extend(r for r in caplog.records if r.levelno >= logging.ERROR)


async def ask(emulator: BotApiEmulator, chat_id: int, text: str) -> dict[str, Any]:
    before = len(emulator.sent_messages(chat_id))
    emulator.send_message(chat_id, USER_ID, text)
    return (await emulator.wait_for_messages(chat_id, before + 1, timeout=60))[-1]


async def press(
    emulator: BotApiEmulator, message: dict[str, Any], data: str, user: int = USER_ID,
    *, forged: bool = False,
) -> dict[str, Any] | None:  # fmt: skip
    """A reader presses a button of the message as it is now; the bot's answer to the press."""
    update = emulator.press_button(message, data, user, forged=forged)
    query_id = update["callback_query"]["id"]
    await emulator.wait_for_call(
        "answerCallbackQuery", lambda p: p.get("callback_query_id") == query_id, timeout=60
    )
    return emulator.callback_answer(query_id)


def rows(message: dict[str, Any]) -> list[list[dict[str, Any]]]:
    return list((message.get("reply_markup") or {}).get("inline_keyboard", []))


def vote_row(message: dict[str, Any]) -> list[str]:
    """The vote buttons' labels."""
    last = rows(message)[-1] if rows(message) else []
    return [b["text"] for b in last if b["callback_data"].startswith("vote:")]


def vote_data(message: dict[str, Any]) -> tuple[str, str]:
    up, down = (b["callback_data"] for b in rows(message)[-1])
    return up, down


async def drawn(
    emulator: BotApiEmulator, message: dict[str, Any], labels: list[str]
) -> dict[str, Any]:
    """Wait until the bot has drawn these vote buttons on the message; the message then."""

    def shows(params: dict[str, Any]) -> bool:
        markup = params.get("reply_markup") or {}
        last = (markup.get("inline_keyboard") or [[]])[-1]
        return (
            params.get("message_id") == message["message_id"]
            and [b["text"] for b in last] == labels
        )

    await emulator.wait_for_call("editMessageReplyMarkup", shows, timeout=60)
    chat_id = message["chat"]["id"]
    return next(
        m for m in emulator.sent_messages(chat_id) if m["message_id"] == message["message_id"]
    )


def edits(emulator: BotApiEmulator) -> int:
    return len(emulator.calls("editMessageReplyMarkup"))


def stored_votes(app: NewsApp) -> list[tuple[int, int]]:
    with app.bot_data.services.subscriptions.engine.connect() as db:
        found = db.execute(select(feedback_votes.c.user_id, feedback_votes.c.vote))
        return sorted((row.user_id, row.vote) for row in found)


async def test_a_reader_votes_in_a_private_chat_and_changes_their_mind(
    seed_bot: NewsApp, emulator: BotApiEmulator, errors: list[logging.LogRecord]
) -> None:
    answer = await ask(emulator, USER_ID, QUESTION)
    assert vote_row(answer) == ["👍", "👎"]
    up, down = vote_data(answer)
    key = up.split(":")[1]
    assert (up, down) == (f"vote:{key}:0:up", f"vote:{key}:0:down")

    assert await press(emulator, answer, up) == {"text": "Thanks — noted 👍"}
    shown = await drawn(emulator, answer, ["👍 ✓", "👎"])
    assert shown["text"] == answer["text"], "the answer itself is left as it was"
    assert await press(emulator, shown, down) == {"text": "Thanks — changed to 👎"}
    shown = await drawn(emulator, answer, ["👍", "👎 ✓"])
    assert await press(emulator, shown, down) == {"text": "Thanks — noted 👎"}
    await asyncio.sleep(0.5)  # time for a redraw that should not happen
    assert edits(emulator) == 2, "the same vote again shows nothing new"
    assert stored_votes(seed_bot) == [(USER_ID, DOWN)], "one vote per reader, the last one"
    votes = seed_bot.bot_data.services.votes
    assert votes.tally(key, 0, USER_ID) == Tally(0, 1, DOWN)
    assert errors == []


async def test_readers_in_a_group_see_the_counts_change(
    seed_bot: NewsApp, emulator: BotApiEmulator, errors: list[logging.LogRecord]
) -> None:
    emulator.user(BEN, "Ben")
    answer = await ask(emulator, GROUP_ID, f"/ask {QUESTION}")
    assert vote_row(answer) == ["👍", "👎"], "no counts before the first vote"
    up, down = vote_data(answer)
    assert await press(emulator, answer, up, USER_ID) == {"text": "Thanks — noted 👍"}
    shown = await drawn(emulator, answer, ["👍 1", "👎"])
    assert await press(emulator, shown, down, BEN) == {"text": "Thanks — noted 👎"}
    shown = await drawn(emulator, answer, ["👍 1", "👎 1"])
    assert await press(emulator, shown, up, BEN) == {"text": "Thanks — changed to 👍"}
    shown = await drawn(emulator, answer, ["👍 2", "👎"])

    emulator.press_button(shown, down, USER_ID)  # both change their minds at once
    emulator.press_button(shown, down, BEN)
    await drawn(emulator, answer, ["👍", "👎 2"])
    await asyncio.sleep(0.5)  # a redraw of older counts, drawn last, would show now
    (final,) = [
        m for m in emulator.sent_messages(GROUP_ID) if m["message_id"] == answer["message_id"]
    ]
    assert vote_row(final) == ["👍", "👎 2"]
    assert stored_votes(seed_bot) == [(USER_ID, DOWN), (BEN, DOWN)]
    assert errors == []


async def test_every_page_of_an_answer_is_voted_on_by_itself(
    emulator: BotApiEmulator, seed_index_dir: Path, isolated_environment: Path,
    embedder: Embedder, errors: list[logging.LogRecord],
) -> None:  # fmt: skip
    settings = bot_settings(
        emulator, isolated_environment, index_dir=seed_index_dir, search_top_k=1,
        search_max_per_article=3,  # the seed article's passages, one per page
        answer_min_confidence=0.0,  # however unlikely to hold the answer
    )  # fmt: skip
    async with running_bot(settings, embedder) as app:
        answer = await ask(emulator, USER_ID, QUESTION)
        (more,) = [b["callback_data"] for b in rows(answer)[0]]
        assert more.startswith("more:") and vote_row(answer) == ["👍", "👎"]
        assert await press(emulator, answer, more) == {}
        await emulator.wait_for_call("editMessageText", timeout=60)
        (page_two,) = emulator.sent_messages(USER_ID)
        up, _ = vote_data(page_two)
        assert up.endswith(":1:up") and vote_row(page_two) == ["👍", "👎"]
        assert await press(emulator, page_two, up) == {"text": "Thanks — noted 👍"}
        page_two = await drawn(emulator, answer, ["👍 ✓", "👎"])

        back = next(
            b["callback_data"] for b in rows(page_two)[0] if b["callback_data"].endswith(":0")
        )
        await press(emulator, page_two, back)
        page_one_up = up.replace(":1:up", ":0:up")
        await emulator.wait_for_call("editMessageText", lambda p: page_one_up in str(p), timeout=60)
        (page_one,) = emulator.sent_messages(USER_ID)
        assert vote_row(page_one) == ["👍", "👎"], "page 1 has no vote of the reader's"
        again = next(
            b["callback_data"] for b in rows(page_one)[0] if b["callback_data"].endswith(":1")
        )
        await press(emulator, page_one, again)
        await emulator.wait_for_call(
            "editMessageText", lambda p: "✓" in str(p.get("reply_markup")), timeout=60
        )
        (page_two,) = emulator.sent_messages(USER_ID)
        assert vote_row(page_two) == ["👍 ✓", "👎"], "page 2 remembers the reader's vote"
        with app.bot_data.services.subscriptions.engine.connect() as db:
            pages = db.execute(select(feedback_answers.c.page).order_by("page")).scalars().all()
        assert pages == [0, 1], "each page recorded once"
        assert stored_votes(app) == [(USER_ID, UP)]
    assert errors == []


async def test_a_vote_on_an_answer_the_bot_no_longer_knows_is_refused(
    seed_bot: NewsApp, emulator: BotApiEmulator, errors: list[logging.LogRecord]
) -> None:
    group = await ask(emulator, GROUP_ID, f"/ask {QUESTION}")
    answer = await ask(emulator, USER_ID, QUESTION)
    up, down = vote_data(answer)
    key = up.split(":")[1]
    await seed_bot.bot_data.services.sent_answers.settled(key)  # recorded just after the send
    engine = seed_bot.bot_data.services.subscriptions.engine
    with engine.begin() as db:  # expired, as the oldest unvoted answers are
        db.execute(delete(feedback_answers).where(feedback_answers.c.key == key))
    too_old = {"text": texts.VOTE_TOO_OLD}
    assert await press(emulator, answer, up) == too_old
    assert await press(emulator, answer, down) == too_old
    for forged in (
        "vote:NeverMade:0:up",  # a key no bot stored, or an older bot's
        vote_data(group)[0],  # another chat's answer
        vote_data(group)[0].replace(":0:", ":7:"),  # a page never shown
    ):
        assert await press(emulator, answer, forged, forged=True) == too_old, forged
    for malformed in (f"vote:{key}:0:sideways", f"vote:{key}:-1:up", f"vote:{key}:0:up:x"):
        assert await press(emulator, answer, malformed, forged=True) == {
            "text": texts.BUTTON_GONE
        }, malformed
    await asyncio.sleep(0.5)
    assert edits(emulator) == 0 and stored_votes(seed_bot) == []
    with engine.connect() as db:
        voted = db.execute(select(func.count()).where(feedback_answers.c.voted)).scalar_one()
    assert voted == 0, "nothing was marked as voted"
    assert len(emulator.sent_messages(USER_ID)) == 1, "no apology was posted"
    assert errors == []


async def test_admins_see_the_votes_in_stats_others_do_not(
    emulator: BotApiEmulator, seed_index_dir: Path, isolated_environment: Path,
    embedder: Embedder,
) -> None:  # fmt: skip
    settings = bot_settings(
        emulator, isolated_environment, index_dir=seed_index_dir, admin_user_ids=[USER_ID]
    )
    emulator.user(BEN, "Ben")
    emulator.private_chat(BEN)
    async with running_bot(settings, embedder):
        answer = await ask(emulator, USER_ID, QUESTION)
        await press(emulator, answer, vote_data(answer)[0])
        group = await ask(emulator, GROUP_ID, f"/ask {QUESTION}")
        await press(emulator, group, vote_data(group)[1], BEN)
        stats = await ask(emulator, USER_ID, "/stats")
        assert parse_html(texts.VOTES_HEADER)[0] in stats["text"]
        assert "Last 7 days: 2 answers voted on · 👍 1 · 👎 1" in stats["text"]
        assert "All time: 2 answers voted on · 👍 1 · 👎 1" in stats["text"]
        assert "Articles: 1" in stats["text"], "and what the index holds, as for everyone"
        in_group = await ask(emulator, GROUP_ID, "/stats")
        emulator.send_message(BEN, BEN, "/stats")
        (of_ben,) = await emulator.wait_for_messages(BEN, 1, timeout=60)
    for text in (in_group["text"], of_ben["text"]):
        assert "Articles: 1" in text and "votes" not in text


async def test_while_postgresql_is_down_answers_go_out_and_votes_wait(
    emulator: BotApiEmulator, seed_index_dir: Path, isolated_environment: Path,
    embedder: Embedder,
) -> None:  # fmt: skip
    cluster = PostgresCluster()  # its own server: this test stops it
    try:
        with cluster.database() as url:
            index_dir = isolated_environment / "index"
            shutil.copytree(seed_index_dir, index_dir, symlinks=True)
            settings = bot_settings(
                emulator, isolated_environment, index_dir=index_dir, database_url=url,
                alert_interval_seconds=0.3,  # the alert lease tries the database every round
            )  # fmt: skip
            async with running_bot(settings, embedder) as app:
                before = await ask(emulator, USER_ID, QUESTION)
                up, _ = vote_data(before)
                # The answer is recorded just after its send: the database stops after that.
                await app.bot_data.services.sent_answers.settled(up.split(":")[1])
                cluster.pause()
                unavailable = {"text": texts.VOTES_UNAVAILABLE}
                assert await press(emulator, before, up) == unavailable
                during = await ask(emulator, USER_ID, "What did Macron say about troops?")
                assert "1." in during["text"] and vote_row(during) == [], "answered, no votes"
                cluster.resume()
                outage = app.bot_data.services.outage
                for _ in range(300):  # until the lease's next round finds the database back
                    if not outage.down:
                        break
                    await asyncio.sleep(0.1)
                assert not outage.down
                assert await press(emulator, before, up) == {"text": "Thanks — noted 👍"}
                await drawn(emulator, before, ["👍 ✓", "👎"])
                assert stored_votes(app) == [(USER_ID, UP)]
    finally:
        cluster.stop()
