"""The alert metrics, scraped over HTTP from the bot's metrics server while an alert is delayed
by flood control and then sent (`bot.monitoring`)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.settings import BotSettings
from index import Embedder, IndexWriter
from tests.bot.alerts.test_alerts_e2e import ESTONIA_BODY, ESTONIA_TITLE, command
from tests.bot.conftest import USER_ID, running_bot
from tests.bot.scraping import scrape, scrape_until, value
from tests.bot.test_entry_point import free_port
from tests.conftest import write_article
from tests.emulator import BotApiEmulator

pytestmark = pytest.mark.slow


async def test_alert_rounds_messages_failures_and_writes_are_counted(
    emulator: BotApiEmulator, alert_settings: BotSettings, embedder: Embedder, tmp_path: Path
) -> None:
    port = free_port()
    settings = alert_settings.model_copy(update={"metrics_port": port})
    url = f"http://127.0.0.1:{port}/metrics"
    async with running_bot(settings, embedder):
        before = await scrape(url)
        await command(emulator, USER_ID, USER_ID, "/subscribe all")
        emulator.fail_next("sendMessage", 429, retry_after=1, times=7)  # a round gives up
        article = write_article(tmp_path / "new", "estonia.md", ESTONIA_TITLE, ESTONIA_BODY)
        await asyncio.to_thread(IndexWriter(settings, embedder).add, [article])
        messages = await emulator.wait_for_messages(USER_ID, 2, timeout=60)
        assert ESTONIA_TITLE in messages[-1]["text"]
        after = await scrape_until(
            url,
            lambda s: (
                value(s, "newsbot_alert_messages_sent_total", kind="alert")
                > value(before, "newsbot_alert_messages_sent_total", kind="alert")
                and value(s, "newsbot_alerts_pending") == 0
            ),
        )

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("newsbot_alert_messages_sent_total", kind="alert") == 1
    assert grew("newsbot_alert_messages_failed_total", reason="flood_control") >= 1
    assert grew("newsbot_alert_rounds_total") >= 2, "the one that gave up and the one that sent"
    assert grew("newsbot_alert_round_seconds_count") >= 1
    assert grew("newsbot_index_write_seconds_count", operation="add") == 1
    assert grew("newsbot_index_written_articles_total", change="added") == 1
    assert grew("newsbot_index_loads_total", outcome="loaded") >= 1, "the new version loaded"
    assert value(after, "newsbot_index_articles") == 2
