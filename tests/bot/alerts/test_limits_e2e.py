"""Replies within Telegram's 4,096-character limit whatever a chat typed or has stored: filters
bounded when a subscription is made, long listings sent in several messages, long input quoted
only in part. The real Application on the Bot API emulator, which refuses a longer message as
Telegram does."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.alerts.model import Sensitivity
from bot.alerts.subscriptions import SubscriptionStore
from bot.settings import BotSettings
from index import Embedder
from tests.bot.alerts.test_alerts_e2e import command
from tests.bot.conftest import GROUP_ID, USER_ID, running_bot
from tests.emulator import BotApiEmulator, utf16_len

pytestmark = pytest.mark.slow

LIMIT = 4096
APOLOGY = "something went wrong"
LIST_END = "/unsubscribe all stops them all"


async def replies_until(
    emulator: BotApiEmulator, chat_id: int, user_id: int, text: str, last: str
) -> list[dict[str, Any]]:
    """Send a command and collect the bot's replies up to the one that contains `last`."""
    before = len(emulator.sent_messages(chat_id))
    emulator.send_message(chat_id, user_id, text)
    for _ in range(400):
        replies = emulator.sent_messages(chat_id)[before:]
        if any(last in r["text"] or APOLOGY in r["text"] for r in replies):
            return replies
        await asyncio.sleep(0.05)
    raise AssertionError(f"no reply with {last!r} to {text[:60]!r}")


def stored_filters(settings: BotSettings) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    store = SubscriptionStore(settings.resolved_subscriptions_db)
    try:
        return [(s.required_words, s.excluded_words) for s in store.of_chat(GROUP_ID)]
    finally:
        store.close()


async def test_too_many_or_too_long_filters_are_refused_naming_the_limit(
    emulator: BotApiEmulator, alert_settings: BotSettings, embedder: Embedder
) -> None:
    many = " ".join(f"+defencewords{i:03d}" for i in range(250))  # a 4,000-character command
    async with running_bot(alert_settings, embedder):
        refused = await command(emulator, GROUP_ID, USER_ID, f"/subscribe Baltic defence {many}")
        assert "250 filters" in refused["text"] and "at most 20" in refused["text"]
        long_word = "x" * 41
        refused = await command(emulator, GROUP_ID, USER_ID, f"/subscribe Baltic -{long_word}")
        assert "at most 40 characters" in refused["text"] and long_word in refused["text"]
        assert stored_filters(alert_settings) == []
        listed = await command(emulator, GROUP_ID, USER_ID, "/subscriptions")
        assert "follows no topics" in listed["text"]

        most = [f"{chr(97 + i)}{'y' * 39}" for i in range(20)]
        asked = "/subscribe Baltic defence " + " ".join("+" + w for w in most)
        done = await command(emulator, GROUP_ID, USER_ID, asked)
        assert "Subscribed" in done["text"] and all(w in done["text"] for w in most)
        assert stored_filters(alert_settings) == [(tuple(most), ())]


async def test_a_subscription_stored_with_250_filters_is_listed_in_several_messages(
    emulator: BotApiEmulator, alert_settings: BotSettings, embedder: Embedder
) -> None:
    """Stored before filters were bounded: the chat's listing works, in parts, and so does
    everything after it."""
    required = [f"must{i:03d}{'r' * 33}" for i in range(150)]
    excluded = [f"never{i:03d}{'e' * 32}" for i in range(100)]
    store = SubscriptionStore(alert_settings.resolved_subscriptions_db)
    store.add(
        GROUP_ID, "all", Sensitivity.NORMAL, None, chat_title="Readers",
        required_words=required, excluded_words=excluded,
    )  # fmt: skip
    store.close()
    async with running_bot(alert_settings, embedder):
        for asked, last in (("/subscriptions", LIST_END), ("/unsubscribe", "(as listed by")):
            replies = await replies_until(emulator, GROUP_ID, USER_ID, asked, last)
            shown = [r["text"] for r in replies]
            assert not any(APOLOGY in t for t in shown), shown[-1][:200]
            assert len(shown) >= 3 and all(utf16_len(t) <= LIMIT for t in shown)
            whole = "\n".join(shown)
            assert shown[0].startswith("🔔 1 followed topic")
            assert all(w in whole for w in required + excluded)
        stopped = await command(emulator, GROUP_ID, USER_ID, "/unsubscribe 1")
        assert "Unsubscribed" in stopped["text"]
        listed = await command(emulator, GROUP_ID, USER_ID, "/subscriptions")
        assert "follows no topics" in listed["text"]


async def test_a_refusal_quotes_only_the_start_of_a_long_input(
    emulator: BotApiEmulator, alert_settings: BotSettings, embedder: Embedder
) -> None:
    async with running_bot(alert_settings, embedder):
        for asked in ("/digest daily 07:30 " + "A" * 10_000, "/digest daily " + "9" * 10_000):
            refused = await command(emulator, USER_ID, USER_ID, asked)
            text = refused["text"]
            assert APOLOGY not in text and utf16_len(text) < 1000
            assert ("time zone “AAAA" in text or "“9999" in text) and "…”" in text
