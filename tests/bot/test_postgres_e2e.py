"""The bot end to end on PostgreSQL (DATABASE_URL): questions, "More ▸" keys, budgets and alerts
in the shared database, and an alert sent once across a restart, as on SQLite."""

from __future__ import annotations

import shutil
from pathlib import Path

import psycopg
import pytest

from index import Embedder
from tests.bot.alerts.test_alerts_e2e import (
    BALTIC_TOPIC,
    ESTONIA_BODY,
    ESTONIA_TITLE,
    command,
    rounds,
)
from tests.bot.conftest import USER_ID, bot_settings, running_bot
from tests.conftest import write_article
from tests.emulator import BotApiEmulator

pytestmark = pytest.mark.slow


async def test_a_bot_on_postgresql_answers_and_alerts_once(
    emulator: BotApiEmulator,
    seed_index_dir: Path,
    isolated_environment: Path,
    embedder: Embedder,
    postgres_url: str,
    tmp_path: Path,
) -> None:
    index_dir = isolated_environment / "index"
    shutil.copytree(seed_index_dir, index_dir, symlinks=True)
    settings = bot_settings(
        emulator, isolated_environment, index_dir=index_dir, alert_interval_seconds=0.3,
        database_url=postgres_url,
    )  # fmt: skip
    inbox = settings.resolved_inbox_dir
    async with running_bot(settings, embedder):
        answer = await command(emulator, USER_ID, USER_ID, "Which countries signed agreements?")
        assert "1." in answer["text"]
        await command(emulator, USER_ID, USER_ID, f"/subscribe {BALTIC_TOPIC}")
        inbox.mkdir(parents=True, exist_ok=True)
        write_article(tmp_path, "estonia.md", ESTONIA_TITLE, ESTONIA_BODY).rename(
            inbox / "estonia.md"
        )
        messages = await emulator.wait_for_messages(USER_ID, 3, timeout=60)
        assert ESTONIA_TITLE in messages[-1]["text"]
    async with running_bot(settings, embedder):  # a restart (or another replica): no repeat
        await rounds()
    assert sum(ESTONIA_TITLE in m.get("text", "") for m in emulator.sent_messages(USER_ID)) == 1
    assert not (isolated_environment / "subscriptions.sqlite").exists(), "nothing in SQLite"
    with psycopg.connect(postgres_url) as db:
        assert db.execute("SELECT status, count(*) FROM alerts GROUP BY status").fetchall() == [
            ("sent", 1)
        ]
        (level,) = db.execute(
            "SELECT level FROM question_budget WHERE user_id = %s", (USER_ID,)
        ).fetchone() or (0,)
        assert level > 0, "the question was taken from the shared budget"
