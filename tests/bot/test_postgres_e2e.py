"""The bot end to end on PostgreSQL (DATABASE_URL): questions, "More ▸" keys, budgets and alerts
in the shared database, and an alert sent once across a restart, as on SQLite."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import psycopg
import pytest

from bot import texts
from index import Embedder
from tests.bot.alerts.test_alerts_e2e import (
    BALTIC_TOPIC,
    ESTONIA_BODY,
    ESTONIA_TITLE,
    command,
    rounds,
)
from tests.bot.conftest import USER_ID, bot_settings, running_bot
from tests.bot.test_bot_e2e import buttons
from tests.conftest import write_article
from tests.emulator import BotApiEmulator
from tests.postgres import PostgresCluster

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


OUTAGE = "the database cannot be reached"
BACK = "the database is reachable again"


async def test_questions_are_answered_while_postgresql_is_down(
    emulator: BotApiEmulator, seed_index_dir: Path, isolated_environment: Path,
    embedder: Embedder, caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    """PostgreSQL stopped for a while: questions and "More ▸" go on from memory, database
    commands say it is unavailable, the outage and its end are logged once each, and everything
    works again once the server is back, without a restart."""
    cluster = PostgresCluster()  # its own server: this test stops it
    try:
        with cluster.database() as url:
            index_dir = isolated_environment / "index"
            shutil.copytree(seed_index_dir, index_dir, symlinks=True)
            settings = bot_settings(
                emulator, isolated_environment, index_dir=index_dir, alert_interval_seconds=0.3,
                database_url=url, search_top_k=1, search_max_per_article=3,
            )  # fmt: skip
            async with running_bot(settings, embedder):
                await command(emulator, USER_ID, USER_ID, f"/subscribe {BALTIC_TOPIC}")
                caplog.clear()
                with caplog.at_level(logging.INFO):
                    cluster.pause()
                    await rounds()  # the alert lease fails at each round meanwhile
                    answers = [await command(emulator, USER_ID, USER_ID, q) for q in QUESTIONS]
                    assert all("1." in answer["text"] for answer in answers), answers
                    answer = answers[0]
                    more = [d for d in buttons(answer) if d.startswith("more:")]
                    emulator.press_button(answer, more[0], USER_ID)  # its key lives in memory
                    await emulator.wait_for_call("editMessageText", timeout=60)
                    (edited,) = [
                        m for m in emulator.sent_messages(USER_ID)
                        if m["message_id"] == answer["message_id"]
                    ]  # fmt: skip
                    assert "2." in edited["text"] and edited["text"] != answer["text"]
                    refused = await command(emulator, USER_ID, USER_ID, "/subscriptions")
                    assert refused["text"] == texts.DATABASE_UNAVAILABLE
                    cluster.resume()
                    await rounds()  # the next round's lease reaches it again
                    listed = await command(emulator, USER_ID, USER_ID, "/subscriptions")
                    assert BALTIC_TOPIC in listed["text"]
                    again = await command(emulator, USER_ID, USER_ID, QUESTIONS[0])
                    assert "1." in again["text"]
    finally:
        cluster.stop()
    logged = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert sum(OUTAGE in line for line in logged) == 1, logged
    assert sum(BACK in line for line in logged) == 1, logged
    assert not [line for line in logged if "failed:\n" in line or "Traceback" in line], logged
    assert not any(m.get("text") == texts.ERROR for m in emulator.sent_messages(USER_ID))


QUESTIONS = [
    "Which countries signed agreements with Ukraine?",
    "What did Macron say about Western troops?",
    "What is Russia preparing according to the French president?",
]
