"""A one-word topic end to end: the real Application on the Bot API emulator, a real index
written by the real model, a real SQLite alert log. A short topic is matched by an article's
lead passage (`ALERT_SHORT_*`), which its alert cites."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.settings import BotSettings
from index import Embedder, IndexWriter
from tests.bot.alerts.test_alerts_e2e import command, rounds, texts_in
from tests.bot.conftest import GROUP_ID, USER_ID, running_bot
from tests.conftest import write_article
from tests.emulator import BotApiEmulator
from tests.index.search.test_topic_matching import (
    BUDGET_BODY,
    BUDGET_TITLE,
    RIVER_BODY,
    RIVER_TITLE,
)

pytestmark = pytest.mark.slow


def add(settings: BotSettings, embedder: Embedder, folder: Path) -> None:
    paths = [
        write_article(folder, "river.md", RIVER_TITLE, RIVER_BODY),
        write_article(folder, "budget.md", BUDGET_TITLE, BUDGET_BODY),
    ]
    IndexWriter(settings, embedder).add(paths)


async def test_floods_alerts_on_a_lead_about_floods_in_other_words_not_on_a_passing_mention(
    emulator: BotApiEmulator, alert_settings: BotSettings, embedder: Embedder, tmp_path: Path
) -> None:
    async with running_bot(alert_settings, embedder):
        done = await command(emulator, GROUP_ID, USER_ID, "/subscribe floods")
        assert "Subscribed" in done["text"]
        await asyncio.to_thread(add, alert_settings, embedder, tmp_path / "new")
        messages = await emulator.wait_for_messages(GROUP_ID, 2, timeout=60)
        await rounds()
    alert = messages[-1]["text"]
    assert alert.startswith("🔔 New article on “floods”") and RIVER_TITLE in alert
    assert "The river burst its banks overnight" in alert, "the lead passage is cited"
    alerts = [t for t in texts_in(emulator, GROUP_ID) if t.startswith("🔔 New article")]
    assert len(alerts) == 1, "the budget story names floods only in its last paragraph"
