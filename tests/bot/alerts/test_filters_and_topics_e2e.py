"""Word filters and forum topics end to end: the real Application on the Bot API emulator, a
real index written by the real model, a real SQLite alert log."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from bot.settings import BotSettings
from index import Embedder, IndexWriter
from tests.bot.alerts.test_alerts_e2e import (
    BALTIC_TOPIC,
    ESTONIA_BODY,
    ESTONIA_TITLE,
    command,
    rounds,
    texts_in,
)
from tests.bot.conftest import GROUP_ID, USER_ID, running_bot
from tests.conftest import write_article
from tests.emulator import BotApiEmulator

pytestmark = pytest.mark.slow

FORUM_ID = -100888
ESTONIA_ONLY = ESTONIA_BODY.split("\n\n")[0]  # no word of Latvia
ANOTHER_EVENT = (
    "Latvia's parliament raises defence spending to three percent of GDP",
    "Latvian lawmakers voted on Thursday to raise the defence budget to three percent of gross "
    "domestic product next year, citing the military threat Russia poses to the Baltic states. "
    "The money will buy air-defence systems and pay for a new brigade at Ādaži.",
)
"""Another event on the same topic (not a copy of the Estonian one: that would be its story)."""
WITH_FOOTBALL = (
    ESTONIA_BODY + "\n\nThe football match between Estonia and Latvia in Tallinn was called off."
)


def add(settings: BotSettings, embedder: Embedder, folder: Path, *stories: tuple[str, str]) -> None:
    paths = [
        write_article(folder, f"story-{i}.md", title, body)
        for i, (title, body) in enumerate(stories)
    ]
    IndexWriter(settings, embedder).add(paths)


async def test_must_have_and_must_not_words_narrow_a_topic(
    emulator: BotApiEmulator, alert_settings: BotSettings, embedder: Embedder, tmp_path: Path
) -> None:
    async with running_bot(alert_settings, embedder):
        done = await command(
            emulator, GROUP_ID, USER_ID, f"/subscribe {BALTIC_TOPIC} +Latvia -football"
        )
        assert "must say “Latvia”" in done["text"] and "never “football”" in done["text"]
        assert BALTIC_TOPIC in done["text"] and "+Latvia" not in done["text"]
        refused = await command(emulator, GROUP_ID, USER_ID, f"/subscribe {BALTIC_TOPIC} +the")
        assert "too common a word" in refused["text"]
        listed = await command(emulator, GROUP_ID, USER_ID, "/subscriptions")
        assert (
            f"1. {BALTIC_TOPIC} · normal · must say “Latvia” · never “football”" in (listed["text"])
        )
        await asyncio.to_thread(
            add, alert_settings, embedder, tmp_path / "new",
            (ESTONIA_TITLE, ESTONIA_BODY),  # names Latvia: alerted
            ("Estonia alone reports drones over Narva", ESTONIA_ONLY),  # no Latvia
            ("Estonia, Latvia and a cancelled football match", WITH_FOOTBALL),  # football
        )  # fmt: skip
        await emulator.wait_for_messages(GROUP_ID, 4, timeout=60)
        await rounds()
    alerts = [t for t in texts_in(emulator, GROUP_ID) if t.startswith("🔔 New article")]
    assert len(alerts) == 1 and ESTONIA_TITLE in alerts[0]


async def test_a_subscription_made_in_a_forum_topic_posts_there_and_lists_there(
    emulator: BotApiEmulator,
    alert_settings: BotSettings,
    embedder: Embedder,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    emulator.forum(FORUM_ID, "Newsroom")
    emulator.set_admins(FORUM_ID, [USER_ID])
    baltic = emulator.create_topic(FORUM_ID, USER_ID, "Baltic")
    sport = emulator.create_topic(FORUM_ID, USER_ID, "Sport")

    async def in_topic(thread: int | None, text: str) -> str:
        before = len(emulator.topic_messages(FORUM_ID, thread))
        emulator.send_message(FORUM_ID, USER_ID, text, thread_id=thread)
        for _ in range(200):
            found = emulator.topic_messages(FORUM_ID, thread)
            if len(found) > before:
                return str(found[-1]["text"])
            await asyncio.sleep(0.05)
        raise AssertionError(f"no reply in topic {thread} to {text!r}")

    async with running_bot(alert_settings, embedder):
        assert "Subscribed" in await in_topic(baltic, f"/subscribe {BALTIC_TOPIC}")
        assert "every new article" in await in_topic(None, "/subscribe all")
        listed = await in_topic(baltic, "/subscriptions")
        assert f"1. {BALTIC_TOPIC}" in listed and "every new article" not in listed
        assert "follows no topics" in await in_topic(sport, "/subscriptions")
        general = await in_topic(None, "/subscriptions")
        assert "1. every new article" in general and BALTIC_TOPIC not in general
        await asyncio.to_thread(
            add, alert_settings, embedder, tmp_path / "one", (ESTONIA_TITLE, ESTONIA_BODY)
        )
        for _ in range(600):
            if any("New article" in m["text"] for m in emulator.topic_messages(FORUM_ID, baltic)):
                break
            await asyncio.sleep(0.1)
        await rounds()
        in_baltic = [m["text"] for m in emulator.topic_messages(FORUM_ID, baltic)]
        in_general = [m["text"] for m in emulator.topic_messages(FORUM_ID, None)]
        assert sum(ESTONIA_TITLE in t for t in in_baltic) == 1
        assert sum(ESTONIA_TITLE in t for t in in_general) == 1
        assert not any(ESTONIA_TITLE in m["text"] for m in emulator.topic_messages(FORUM_ID, sport))

        # The topic is deleted: its subscription stops, General goes on.
        emulator.delete_topic(FORUM_ID, baltic)
        second = ANOTHER_EVENT
        with caplog.at_level(logging.WARNING, logger="bot.alerts.delivery"):
            await asyncio.to_thread(add, alert_settings, embedder, tmp_path / "two", second)
            for _ in range(600):
                if any(second[0] in m["text"] for m in emulator.topic_messages(FORUM_ID, None)):
                    break
                await asyncio.sleep(0.1)
            await rounds()
        assert [r for r in caplog.records if "forum topic" in r.getMessage()]
        assert sum(second[0] in m["text"] for m in emulator.topic_messages(FORUM_ID, None)) == 1
        listed = await in_topic(None, "/subscriptions")
        assert BALTIC_TOPIC not in listed


async def test_alerts_for_a_closed_topic_wait_for_it_to_reopen_for_a_bounded_time(
    emulator: BotApiEmulator, alert_settings: BotSettings, embedder: Embedder, tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    emulator.forum(FORUM_ID, "Newsroom")
    emulator.set_admins(FORUM_ID, [USER_ID])
    baltic = emulator.create_topic(FORUM_ID, USER_ID, "Baltic")
    emulator.send_message(FORUM_ID, USER_ID, f"/subscribe {BALTIC_TOPIC}", thread_id=baltic)

    def posted(title: str) -> int:
        return sum(title in m["text"] for m in emulator.topic_messages(FORUM_ID, baltic))

    async with running_bot(alert_settings, embedder):
        for _ in range(200):
            if emulator.topic_messages(FORUM_ID, baltic):
                break
            await asyncio.sleep(0.05)
        emulator.close_topic(FORUM_ID, baltic)
        with caplog.at_level(logging.INFO, logger="bot.alerts.delivery"):
            await asyncio.to_thread(
                add, alert_settings, embedder, tmp_path / "one", (ESTONIA_TITLE, ESTONIA_BODY)
            )
            await rounds(8)  # several rounds try the closed topic
            assert posted(ESTONIA_TITLE) == 0
            emulator.close_topic(FORUM_ID, baltic, closed=False)
            for _ in range(600):
                if posted(ESTONIA_TITLE):
                    break
                await asyncio.sleep(0.1)
            await rounds()
        assert posted(ESTONIA_TITLE) == 1  # delivered once it reopened, exactly once
        lines = [r.getMessage() for r in caplog.records]
        assert sum("is closed: its alerts wait" in line for line in lines) == 1, lines
        assert not [line for line in lines if "dropped" in line]

    # Past ALERT_CLOSED_TOPIC_HOURS (0 here: at once) a waiting alert is dropped, not resent.
    impatient = alert_settings.model_copy(update={"alert_closed_topic_hours": 0.0})
    second = ANOTHER_EVENT
    async with running_bot(impatient, embedder):
        emulator.close_topic(FORUM_ID, baltic)
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="bot.alerts.delivery"):
            await asyncio.to_thread(add, impatient, embedder, tmp_path / "two", second)
            for _ in range(600):
                if any("dropped" in r.getMessage() for r in caplog.records):
                    break
                await asyncio.sleep(0.1)
            emulator.close_topic(FORUM_ID, baltic, closed=False)
            await rounds()
        assert [r for r in caplog.records if "stayed closed for over" in r.getMessage()]
        assert posted(second[0]) == 0
