"""News in, alerts out: a feed served on 127.0.0.1 is added from the shell, and the running bot
fetches it on its own, indexes its new entries and alerts a group, a forum topic and a channel
that follow the story, each exactly once; the feed's old entries are indexed but not alerted
(the real model, index, SQLite log and emulator)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from bot.settings import BotSettings
from index import Embedder, NewsIndex
from tests.bot.alerts.test_alerts_e2e import BALTIC_TOPIC, command, rounds
from tests.bot.conftest import GROUP_ID, USER_ID, bot_settings, running_bot
from tests.emulator import BotApiEmulator
from tests.feed_server import FeedServer, running_server
from tests.index.feeds.samples import OLD_STORIES, STORIES, article_page, rss

pytestmark = pytest.mark.slow

FORUM_ID = -100889
CHANNEL_ID = -100990


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    yield from running_server()


def feeds_cli(settings: BotSettings, *args: str) -> str:
    """`python -m index feeds …` in its own process, as an operator runs it."""
    env = {**os.environ, "DATA_DIR": str(settings.data_dir), "FEEDS_ALLOW_PRIVATE": "true"}
    done = subprocess.run(
        [sys.executable, "-m", "index", "feeds", *args],
        env=env, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    return done.stdout


async def test_a_feed_added_from_the_shell_is_fetched_by_the_bot_and_alerted_once_everywhere(
    emulator: BotApiEmulator, alert_settings: BotSettings, embedder: Embedder,
    feed_server: FeedServer,
) -> None:  # fmt: skip
    settings = bot_settings(
        emulator, alert_settings.data_dir, index_dir=alert_settings.resolved_index_dir,
        alert_interval_seconds=0.3, feeds_allow_private=True, feeds_check_seconds=0.3,
    )  # fmt: skip
    emulator.forum(FORUM_ID, "Newsroom")
    emulator.set_admins(FORUM_ID, [USER_ID])
    baltic = emulator.create_topic(FORUM_ID, USER_ID, "Baltic")
    emulator.channel(CHANNEL_ID, "Baltic Watch", username="balticwatch")
    emulator.set_admins(CHANNEL_ID, [USER_ID])
    drones, harvest = STORIES["drones"][0], STORIES["harvest"][0]
    patrols = OLD_STORIES["patrols"][0]  # on the same story, but a month old: not alerted
    feed_server.serve("/story/drones", article_page("drones"))
    feed_server.serve("/story/harvest", article_page("harvest"))
    feed_server.serve("/story/patrols", article_page("patrols"))
    an_hour_ago = format_datetime(datetime.now(UTC) - timedelta(hours=1), usegmt=True)
    a_month_ago = format_datetime(datetime.now(UTC) - timedelta(days=30), usegmt=True)
    url = feed_server.serve(
        "/world.xml",
        rss([
            ("wire-1", feed_server.url("/story/drones"), "drones"),
            ("wire-2", feed_server.url("/story/harvest"), "harvest"),
            ("wire-0", feed_server.url("/story/patrols"), "patrols"),
        ], dates={"wire-1": an_hour_ago, "wire-2": an_hour_ago, "wire-0": a_month_ago}),
        "application/rss+xml",
    )  # fmt: skip

    def alerts(chat_id: int, thread: int | None = None) -> list[str]:
        sent = (
            emulator.topic_messages(chat_id, thread)
            if chat_id == FORUM_ID
            else emulator.sent_messages(chat_id)
        )
        return [m["text"] for m in sent if m["text"].startswith("🔔 New article")]

    async with running_bot(settings, embedder):
        await command(emulator, GROUP_ID, USER_ID, f"/subscribe {BALTIC_TOPIC}")
        emulator.send_message(FORUM_ID, USER_ID, f"/subscribe {BALTIC_TOPIC}", thread_id=baltic)
        emulator.channel_post(CHANNEL_ID, f"/subscribe {BALTIC_TOPIC}")
        await emulator.wait_for_messages(CHANNEL_ID, 1)
        await emulator.wait_for_messages(FORUM_ID, 1)

        added = await asyncio.to_thread(feeds_cli, settings, "add", url, "--interval", "1m")
        assert added.startswith("feed 1: ") and url in added
        for _ in range(1200):
            if all(
                alerts(c, t) for c, t in ((GROUP_ID, None), (FORUM_ID, baltic), (CHANNEL_ID, None))
            ):
                break
            await asyncio.sleep(0.1)
        await rounds(4)
        # The feed is fetched again from the shell (the same entries): still one alert each.
        await asyncio.to_thread(feeds_cli, settings, "fetch")
        await rounds(4)

    for chat_id, thread in ((GROUP_ID, None), (FORUM_ID, baltic), (CHANNEL_ID, None)):
        found = alerts(chat_id, thread)
        assert len(found) == 1 and drones in found[0], (chat_id, found)
        assert all(harvest not in text and patrols not in text for text in found)
    assert alerts(FORUM_ID, None) == [], "nothing in the forum's General topic"
    assert len(feed_server.requests_to("/story/drones")) == 1, "each page read once"
    indexed = NewsIndex(settings, embedder).articles_indexed_since("")
    assert patrols in {a.title for a in indexed}, "the old entry is indexed all the same"
