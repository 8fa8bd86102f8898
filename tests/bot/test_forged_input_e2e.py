"""What no official client sends, end to end: numbers `int()` chokes on, button data no handler
takes, a "More ▸" key from another chat. Each gets a plain answer, and nothing is logged as an
error."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import Application

from bot import texts
from index import Embedder
from tests.bot.conftest import GROUP_ID, USER_ID, bot_settings, running_bot
from tests.emulator import BotApiEmulator, parse_html

pytestmark = pytest.mark.slow

QUESTION = "Which countries signed long-term security agreements with Ukraine?"


def plain(html_text: str) -> str:
    return parse_html(html_text)[0]


@pytest.fixture
def errors(caplog: pytest.LogCaptureFixture) -> Iterator[list[logging.LogRecord]]:
    """Error lines logged while the test runs (the error handler logs every failed update)."""
    caplog.set_level(logging.WARNING)
    found: list[logging.LogRecord] = []
    yield found
    found.extend(r for r in caplog.records if r.levelno >= logging.ERROR)


async def reply_to(emulator: BotApiEmulator, chat_id: int, text: str) -> dict[str, Any]:
    before = len(emulator.sent_messages(chat_id))
    emulator.send_message(chat_id, USER_ID, text)
    return (await emulator.wait_for_messages(chat_id, before + 1, timeout=60))[-1]


async def press(
    emulator: BotApiEmulator, message: dict[str, Any], data: str
) -> dict[str, Any] | None:
    """Press a button with any data, as a modified client can; the bot's answer to it."""
    update = emulator.press_button(message, data, USER_ID, forged=True)
    query_id = update["callback_query"]["id"]
    await emulator.wait_for_call(
        "answerCallbackQuery", lambda p: p.get("callback_query_id") == query_id, timeout=60
    )
    return emulator.callback_answer(query_id)


def buttons(message: dict[str, Any]) -> list[str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [b["callback_data"] for row in rows for b in row]


async def test_unsubscribe_numbers_int_would_choke_on_get_the_usage(
    seed_bot: Application, emulator: BotApiEmulator, errors: list[logging.LogRecord]
) -> None:
    usage = plain(texts.NO_SUBSCRIPTIONS("") + "\n\n" + texts.UNSUBSCRIBE_USAGE)
    for number in ("²", "٣", "7" * 4083):
        assert (await reply_to(emulator, USER_ID, f"/unsubscribe {number}"))["text"] == usage
    no_such = await reply_to(emulator, USER_ID, "/unsubscribe 7")
    assert no_such["text"] == plain(texts.NO_SUCH_SUBSCRIPTION(7, 0)), "numbers still work"
    assert errors == []


async def test_button_data_no_handler_takes_is_answered(
    seed_bot: Application, emulator: BotApiEmulator, errors: list[logging.LogRecord]
) -> None:
    listing = await reply_to(emulator, USER_ID, "/sources")
    for data in ("sources:-1", "sources:" + "9" * 4300, "sources:²", "sources:stories:x",
                 "sources:news:0", "more:abc:-1", "unsub:x"):  # fmt: skip
        assert await press(emulator, listing, data) == {"text": texts.BUTTON_GONE}, data
    assert await press(emulator, listing, "sources:0") == {}, "a page button still works"
    assert await press(emulator, listing, "sources:stories:9") == {}, "past the end: the last"
    assert len(emulator.sent_messages(USER_ID)) == 1, "no apology was posted"
    assert errors == []


async def test_a_more_key_works_only_in_the_chat_it_was_made_in(
    emulator: BotApiEmulator,
    seed_index_dir: Path,
    isolated_environment: Path,
    embedder: Embedder,
    errors: list[logging.LogRecord],
) -> None:
    settings = bot_settings(
        emulator,
        isolated_environment,
        index_dir=seed_index_dir,
        search_top_k=1,
        search_max_per_article=3,  # the seed article's passages, one per page
    )
    async with running_bot(settings, embedder):
        private = await reply_to(emulator, USER_ID, QUESTION)
        (more,) = [data for data in buttons(private) if data.startswith("more:")]
        group = await reply_to(emulator, GROUP_ID, f"/ask {QUESTION}")
        assert more.startswith("more:") and more not in buttons(group)
        stolen = await press(emulator, group, more)
        assert stolen == {"text": texts.BUTTON_EXPIRED, "show_alert": True}
        assert emulator.edit_history(GROUP_ID, group["message_id"]) == [], "not paged"
        assert await press(emulator, private, more) == {}, "in its own chat the key pages"
        await emulator.wait_for_call("editMessageText", timeout=60)
    assert errors == []
