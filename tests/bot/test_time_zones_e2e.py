"""/timezone end to end: the real Application on the Bot API emulator over HTTP, the real
database; what answers will read dates in (`bot.time_zones.chat_time_zone`)."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot import texts
from bot.context import NewsApp
from bot.html_split import to_plain
from bot.time_zones import chat_time_zone
from tests.bot.conftest import GROUP_ID, USER_ID
from tests.emulator import BotApiEmulator

pytestmark = pytest.mark.slow

OTHER_USER = 5151


async def command(emulator: BotApiEmulator, chat_id: int, user_id: int, text: str) -> str:
    """Send a command and wait for the bot's reply in that chat; its text."""
    before = len(emulator.sent_messages(chat_id))
    emulator.send_message(chat_id, user_id, text)
    replies: list[dict[str, Any]] = await emulator.wait_for_messages(chat_id, before + 1)
    return str(replies[-1]["text"])


async def test_a_chat_sets_its_time_zone_and_answers_and_digests_read_it(
    seed_bot: NewsApp, emulator: BotApiEmulator
) -> None:
    services = seed_bot.bot_data.services
    shown = await command(emulator, USER_ID, USER_ID, "/timezone")
    assert "time zone is UTC (not set here yet)" in shown and "/timezone Europe/Paris" in shown
    assert await chat_time_zone(services, USER_ID) == ZoneInfo("UTC")

    refused = await command(emulator, USER_ID, USER_ID, "/timezone Mars/Olympus")
    assert refused == to_plain(texts.TIME_ZONE_BAD("Mars/Olympus"))
    assert "for example /timezone Europe/Paris" in refused
    assert "I do not know" in await command(emulator, USER_ID, USER_ID, "/timezone " + "A" * 5000)

    assert "now Europe/Paris" in await command(emulator, USER_ID, USER_ID, "/timezone europe/PARIS")
    assert "time zone is Europe/Paris:" in await command(emulator, USER_ID, USER_ID, "/timezone")
    assert await chat_time_zone(services, USER_ID) == ZoneInfo("Europe/Paris")

    daily = await command(emulator, USER_ID, USER_ID, "/digest daily 07:30")
    assert "at 07:30 Europe/Paris" in daily, "a digest time without a zone is in the chat's"
    daily = await command(emulator, USER_ID, USER_ID, "/digest daily 07:30 Asia/Tokyo")
    assert "at 07:30 Asia/Tokyo" in daily, "a zone named is the digest's own"
    assert await chat_time_zone(services, USER_ID) == ZoneInfo("Europe/Paris")


async def test_a_chat_without_a_zone_of_its_own_is_in_its_digest_zone(
    seed_bot: NewsApp, emulator: BotApiEmulator
) -> None:
    await command(emulator, USER_ID, USER_ID, "/digest daily 06:00 America/New_York")
    shown = await command(emulator, USER_ID, USER_ID, "/timezone")
    assert "time zone is America/New_York (not set here yet)" in shown
    services = seed_bot.bot_data.services
    assert await chat_time_zone(services, USER_ID) == ZoneInfo("America/New_York")


async def test_in_a_group_only_admins_change_the_time_zone(
    seed_bot: NewsApp, emulator: BotApiEmulator
) -> None:
    emulator.user(OTHER_USER, "Bob", username="bob")
    emulator.set_admins(GROUP_ID, [USER_ID])
    refused = await command(emulator, GROUP_ID, OTHER_USER, "/timezone Asia/Tokyo")
    assert refused == to_plain(texts.ONLY_ADMINS_TIME_ZONE)
    assert "UTC" in await command(emulator, GROUP_ID, OTHER_USER, "/timezone"), "anyone may look"
    assert "now Asia/Tokyo" in await command(emulator, GROUP_ID, USER_ID, "/timezone Asia/Tokyo")
    services = seed_bot.bot_data.services
    assert await chat_time_zone(services, GROUP_ID) == ZoneInfo("Asia/Tokyo")
    assert await chat_time_zone(services, USER_ID) == ZoneInfo("UTC"), "per chat"
