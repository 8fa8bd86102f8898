"""`/metrics` scraped over HTTP as Prometheus does: from the polling bot's own metrics server,
and from the webhook server of `python -m bot`, after a question answered on the Bot API
emulator. The metrics are the process's, shared by every test of a worker: tests compare
before and after."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import pytest

from bot.application import build_application
from bot.metrics_server import MetricsServer
from bot.settings import BotSettings
from index import Embedder, NewsIndex
from tests.bot.conftest import USER_ID, bot_settings, running_bot
from tests.bot.scraping import Samples, scrape, scrape_until, value
from tests.bot.test_entry_point import QUESTION, free_port, get_when_listening, webhook_bot
from tests.emulator import BotApiEmulator

pytestmark = pytest.mark.slow


def answered(samples: Samples) -> float:
    return value(samples, "newsbot_answers_total", outcome="answered")


async def scrape_until_answered(url: str, before: float, timeout: float = 30) -> Samples:
    """Scrapes until the answered count passes `before`: the answer reaches the emulator a
    moment before the handler counts it."""
    return await scrape_until(
        url, lambda samples: answered(samples) > before, timeout, what="the answer count"
    )


async def test_the_polling_bot_serves_metrics_on_a_server_of_its_own(
    emulator: BotApiEmulator, seed_index_dir: Path, isolated_environment: Path, embedder: Embedder
) -> None:
    port = free_port()
    settings = bot_settings(
        emulator,
        isolated_environment,
        index_dir=seed_index_dir,
        metrics_port=port,
        user_questions_per_minute=1,
    )
    url = f"http://127.0.0.1:{port}/metrics"
    async with running_bot(settings, embedder):
        before = await scrape(url)
        emulator.send_message(USER_ID, USER_ID, QUESTION)
        (answer,) = await emulator.wait_for_messages(USER_ID, 1, timeout=60)
        assert "10-year bilateral agreements" in answer["text"]
        after = await scrape_until_answered(url, answered(before))
        emulator.send_message(USER_ID, USER_ID, "And Germany?")
        await emulator.wait_for_messages(USER_ID, 2, timeout=60)  # one question a minute
        limited = await scrape(url)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("newsbot_answers_total", outcome="answered") == 1
    assert grew("newsbot_answers_total", outcome="not_covered") == 0
    limited_now = value(limited, "newsbot_answers_total", outcome="rate_limited")
    assert limited_now - value(before, "newsbot_answers_total", outcome="rate_limited") == 1
    assert grew("newsbot_updates_total", kind="message") >= 1
    for histogram in ("newsbot_answer_seconds", "newsbot_answer_send_seconds"):
        assert grew(f"{histogram}_count") == 1, histogram
        assert grew(f"{histogram}_sum") > 0, histogram
    assert grew("newsbot_search_seconds_count") >= 1
    assert grew("newsbot_question_encode_seconds_count") >= 1
    assert grew("newsbot_question_batch_size_count") >= 1
    assert value(after, "newsbot_index_passages") > 0
    assert any(name == "newsbot_index_version_info" for name, _ in after), "the version served"
    with pytest.raises(httpx.TransportError):  # stopped with the bot
        await scrape(url)


async def test_the_metrics_server_listens_on_this_machine_only_by_default(
    emulator: BotApiEmulator, isolated_environment: Path, seed_index_dir: Path, embedder: Embedder
) -> None:
    settings = bot_settings(emulator, isolated_environment, index_dir=seed_index_dir)
    assert settings.metrics_port is None, "no metrics server unless asked for"
    assert settings.metrics_host == "127.0.0.1"
    app = build_application(settings, NewsIndex(settings, embedder))
    server = MetricsServer(app, host=settings.metrics_host, port=free_port())
    await server.start()
    try:
        assert [address[0] for address in server.addresses] == ["127.0.0.1"]
        assert "newsbot_answers_total" in {name for name, _ in await scrape(server.url)}
    finally:
        await server.stop()
    assert server.addresses == []


def test_two_applications_in_one_process_share_the_metrics(
    emulator: BotApiEmulator, isolated_environment: Path
) -> None:
    """Metrics are registered once, when their module is imported: building the bot again
    (tests, a restart in the same process) never registers a series twice."""
    settings = bot_settings(emulator, isolated_environment, metrics_port=free_port())
    build_application(settings)
    build_application(settings)


def test_the_webhook_server_serves_metrics(
    emulator: BotApiEmulator, isolated_environment: Path
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = webhook_bot(emulator, port, WEBHOOK_SECRET_TOKEN="s3cret-token")
    try:
        assert get_when_listening(f"{base}/metrics").status_code == 200, "served while starting"
        emulator.wait_for_call_sync("setWebhook", timeout=300)
        time.sleep(0.5)  # setWebhook is sent just before the server starts accepting
        emulator.send_message(USER_ID, USER_ID, QUESTION)  # delivered by POST, as Telegram does
        answer = emulator.wait_for_messages_sync(USER_ID, 1, timeout=120)[0]
        assert "10-year bilateral agreements" in answer["text"]
        samples = asyncio.run(scrape_until_answered(f"{base}/metrics", 0))
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output
    assert value(samples, "newsbot_answers_total", outcome="answered") == 1
    assert value(samples, "newsbot_answer_seconds_count") == 1
    assert value(samples, "newsbot_updates_total", kind="message") == 1
    assert value(samples, "newsbot_index_write_seconds_count", operation="rebuild") == 1, (
        "the sample index built at start"
    )
    assert value(samples, "newsbot_index_loads_total", outcome="loaded") >= 1


def test_metrics_are_off_by_default_and_refuse_a_port_out_of_range(
    isolated_environment: Path,
) -> None:
    assert BotSettings(_env_file=None).metrics_port is None  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="metrics_port"):
        BotSettings(_env_file=None, metrics_port=70000)  # type: ignore[call-arg]
