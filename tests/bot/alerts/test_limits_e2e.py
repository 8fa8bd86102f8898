"""Replies within Telegram's 4,096-character limit whatever a chat typed or has stored: filters
bounded when a subscription is made, long listings sent in several messages, long input quoted
only in part. The real Application on the Bot API emulator, which refuses a longer message as
Telegram does."""

from __future__ import annotations

import pytest

from bot.settings import BotSettings
from index import Embedder
from tests.bot.alerts.test_alerts_e2e import command
from tests.bot.conftest import USER_ID, running_bot
from tests.emulator import BotApiEmulator, utf16_len

pytestmark = pytest.mark.slow

APOLOGY = "something went wrong"


async def test_a_refusal_quotes_only_the_start_of_a_long_input(
    emulator: BotApiEmulator, alert_settings: BotSettings, embedder: Embedder
) -> None:
    async with running_bot(alert_settings, embedder):
        for asked in ("/digest daily 07:30 " + "A" * 10_000, "/digest daily " + "9" * 10_000):
            refused = await command(emulator, USER_ID, USER_ID, asked)
            text = refused["text"]
            assert APOLOGY not in text and utf16_len(text) < 1000
            assert ("time zone “AAAA" in text or "“9999" in text) and "…”" in text
