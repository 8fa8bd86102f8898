"""`python -m bot` as a user starts it: the terminal chat without a token, webhook mode with one."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from bot.alerts.subscriptions import SubscriptionStore
from tests.bot.conftest import USER_ID, damage_past_header
from tests.conftest import PROJECT_ROOT
from tests.emulator import BotApiEmulator

# The seeds' vectors are cached: a bot that builds the sample index at start embeds nothing, so
# it does not load torch to build it (what it does then is what these tests check).
pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("seed_vectors_cached")]

QUESTION = "Which countries signed long-term security agreements with Ukraine?"


def bot_env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "LOG_LEVEL": "DEBUG", **extra}


def terminal_env() -> dict[str, str]:
    """As `make run` starts the terminal chat: no token, the default log level."""
    return {k: v for k, v in bot_env().items() if k != "LOG_LEVEL"}


def test_local_chat_builds_the_sample_index_and_answers(isolated_environment: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot"],
        input=(
            f"{QUESTION}\n\n🙂\nWhat is a good recipe for banana bread?\n/help\n/sources\n"
            "/timezone Europe/Paris\n/new\n/frobnicate\nquit\nnot read\n"
        ),
        capture_output=True,
        text=True,
        timeout=600,
        env=terminal_env(),
    )
    assert result.returncode == 0, result.stderr
    assert "DEBUG" not in result.stdout + result.stderr, "no library debug output"
    out = " ".join(result.stdout.split())  # the terminal text is wrapped
    assert "TELEGRAM_BOT_TOKEN" in out, "the banner says how to go on Telegram"
    assert "1. Macron says sending Western troops to Ukraine is not ruled out" in out
    assert "**The Paris conference comes after France, Germany and the UK" in out
    assert "<b>" not in out and "&lt;" not in out, "plain text, not HTML"
    assert "banana bread" in out and "/sources" in out
    assert "I found nothing about /" not in out, "commands are commands"
    assert "/new — forget the conversation" in out and "1 indexed article" in out
    assert "Time zone of this session: Europe/Paris" in out and "New conversation" in out
    assert "Unknown command /frobnicate: try /help." in out and "not read" not in out
    assert (isolated_environment / "index" / "current").is_symlink(), "the sample index was built"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def telegram_env(emulator: BotApiEmulator, **extra: str) -> dict[str, str]:
    """`python -m bot`'s environment for the emulator, logging at DEBUG."""
    return bot_env(
        TELEGRAM_BOT_TOKEN=emulator.token, TELEGRAM_API_BASE_URL=emulator.base_url, **extra
    )


def start_bot(emulator: BotApiEmulator, **extra: str) -> subprocess.Popen[str]:
    """`python -m bot` on the emulator (long polling unless `extra` sets a webhook)."""
    return subprocess.Popen(
        [sys.executable, "-m", "bot"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=telegram_env(emulator, **extra),
    )


def run_bot(emulator: BotApiEmulator, **extra: str) -> subprocess.CompletedProcess[str]:
    """`python -m bot` on the emulator, for a start that is expected to stop by itself."""
    return subprocess.run(
        [sys.executable, "-m", "bot"],
        capture_output=True,
        text=True,
        timeout=120,
        env=telegram_env(emulator, **extra),
    )


def webhook_bot(emulator: BotApiEmulator, port: int, **extra: str) -> subprocess.Popen[str]:
    """`python -m bot` in webhook mode on the emulator, logging at DEBUG."""
    return start_bot(
        emulator,
        WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram-hook",
        WEBHOOK_LISTEN="127.0.0.1",
        WEBHOOK_PORT=str(port),
        **extra,
    )


def test_webhook_mode_answers_updates_posted_to_it(
    emulator: BotApiEmulator, isolated_environment: Path
) -> None:
    port = free_port()
    process = webhook_bot(emulator, port, WEBHOOK_SECRET_TOKEN="s3cret-token")
    try:
        emulator.wait_for_call_sync("setWebhook", timeout=300)
        webhook = emulator.webhook()
        assert webhook and webhook["url"] == f"http://127.0.0.1:{port}/telegram-hook"
        time.sleep(0.5)  # setWebhook is sent just before the server starts accepting
        emulator.send_message(USER_ID, USER_ID, QUESTION)  # delivered by POST, as Telegram does
        answer = emulator.wait_for_messages_sync(USER_ID, 1, timeout=120)[0]
        assert "10-year bilateral agreements" in answer["text"]
        assert emulator.webhook_deliveries() and not emulator.calls("getUpdates")
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=60)
    assert emulator.token not in output, "the token never reaches the logs"
    assert emulator.token.split(":")[1] not in output


def post_when_listening(
    emulator: BotApiEmulator, url: str, update: dict[str, object], secret: str | None
) -> int:
    """POST an update as anyone could, once the webhook server accepts connections."""
    deadline = time.monotonic() + 60
    while (status := emulator.post_update_to_sync(url, update, secret)) == 0:
        assert time.monotonic() < deadline, "the webhook server never started listening"
        time.sleep(0.2)
    return status


def test_webhook_mode_without_a_secret_refuses_forged_posts(
    emulator: BotApiEmulator, isolated_environment: Path
) -> None:
    channel_id = -100999
    emulator.channel(channel_id, "Baltic Watch", username="balticwatch")
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram-hook"
    process = webhook_bot(emulator, port)  # no WEBHOOK_SECRET_TOKEN
    try:
        emulator.wait_for_call_sync("setWebhook", timeout=300)
        webhook = emulator.webhook()
        assert webhook and webhook["url"] == url
        forged = emulator.channel_post(channel_id, "/subscribe all", deliver="none")
        assert post_when_listening(emulator, url, forged, None) == 403
        assert post_when_listening(emulator, url, forged, "guessed-secret") == 403
        secret = webhook["secret_token"]
        assert secret and len(secret) >= 32, "a random secret was given to Telegram"
        emulator.send_message(USER_ID, USER_ID, QUESTION)  # Telegram's POST carries the secret
        answer = emulator.wait_for_messages_sync(USER_ID, 1, timeout=120)[0]
        assert "10-year bilateral agreements" in answer["text"]
        time.sleep(1.0)  # a forged update, had it been taken, would be answered by now
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=60)
    assert emulator.sent_messages(channel_id) == [], "the forged /subscribe was not answered"
    store = SubscriptionStore(isolated_environment / "subscriptions.sqlite")
    try:
        assert store.of_chat(channel_id) == [], "nor did it subscribe the channel"
    finally:
        store.close()
    assert "generated a random secret" in output
    assert "only the last replica" not in output, "one process on SQLite: no replicas to warn of"
    assert "setWebhook" in output, "the call is logged at DEBUG…"
    assert secret not in output, "…without the secret"
    assert emulator.token not in output


def test_a_replica_on_postgresql_with_a_generated_secret_is_warned(
    emulator: BotApiEmulator, isolated_environment: Path, postgres_url: str
) -> None:
    """Replicas behind one URL each calling setWebhook with a secret of their own would leave
    only the last one able to take updates: the bot says so at start."""
    process = webhook_bot(emulator, free_port(), DATABASE_URL=postgres_url)
    try:
        emulator.wait_for_call_sync("setWebhook", timeout=300)
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=60)
    assert (
        "replicas sharing DATABASE_URL behind one webhook need one WEBHOOK_SECRET_TOKEN" in output
    )


def get_when_listening(url: str) -> httpx.Response:
    """GET once the server accepts connections (it listens before the index is loaded)."""
    deadline = time.monotonic() + 60
    while True:
        try:
            return httpx.get(url, timeout=10)
        except httpx.TransportError:
            assert time.monotonic() < deadline, "the webhook server never started listening"
            time.sleep(0.1)


def test_webhook_mode_answers_health_checks_and_refuses_what_is_not_an_update(
    emulator: BotApiEmulator, isolated_environment: Path
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    secret = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"}
    process = webhook_bot(emulator, port, WEBHOOK_SECRET_TOKEN="s3cret-token")
    try:
        assert get_when_listening(f"{base}/healthz").json() == {"status": "ok"}
        emulator.wait_for_call_sync("setWebhook", timeout=300)
        ready = httpx.get(f"{base}/readyz", timeout=10)
        assert (ready.status_code, ready.json()) == (200, {"status": "ready"})
        hook = f"{base}/telegram-hook"
        assert httpx.post(hook, content=b"{not json", headers=secret).status_code == 400
        assert httpx.post(hook, content=b"[1, 2]", headers=secret).status_code == 400
        huge = b'{"update_id": 1, "pad": "' + b"x" * 2_000_000 + b'"}'
        assert httpx.post(hook, content=huge, headers=secret).status_code == 413
        assert httpx.post(f"{base}/elsewhere", content=b"{}", headers=secret).status_code in (
            404,
            405,
        )
        emulator.send_message(USER_ID, USER_ID, QUESTION)  # the bot still answers after them
        answer = emulator.wait_for_messages_sync(USER_ID, 1, timeout=120)[0]
        assert "10-year bilateral agreements" in answer["text"]
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output
    assert "refused a webhook POST that is not an update" in output
    assert "Traceback" not in output


def test_readiness_says_why_while_starting(
    emulator: BotApiEmulator, isolated_environment: Path
) -> None:
    """Before the index is open, /readyz is 503 with a reason; /healthz is already 200."""
    from bot.application import build_application, readiness
    from bot.settings import BotSettings

    settings = BotSettings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=isolated_environment,
        telegram_bot_token=emulator.token,
        telegram_api_base_url=emulator.base_url,
    )
    app = build_application(settings)
    assert asyncio.run(readiness(app)).problems == [
        "starting: the index and the database are being opened"
    ]


def test_a_webhook_secret_telegram_would_refuse_is_refused_at_start(
    emulator: BotApiEmulator,
) -> None:
    result = run_bot(
        emulator,
        WEBHOOK_URL=f"http://127.0.0.1:{free_port()}/telegram-hook",
        WEBHOOK_SECRET_TOKEN="not allowed: spaces & colons",
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "error: WEBHOOK_SECRET_TOKEN: must be 1 to 256 characters, each a letter A-Z or a-z, "
        "a digit, _ or - (Telegram's rule); leave it empty to have one generated at each start"
    ]
    assert "not allowed" not in result.stderr + result.stdout, "the secret is not echoed"
    assert not emulator.calls("setWebhook")


def test_the_bot_does_not_start_on_a_damaged_subscriptions_database(
    emulator: BotApiEmulator, isolated_environment: Path
) -> None:
    from bot.alerts.model import Sensitivity

    database = isolated_environment / "subscriptions.sqlite"
    store = SubscriptionStore(database)
    store.add(-100123, "all", Sensitivity.NORMAL, None)
    store.add(USER_ID, "all", Sensitivity.NORMAL, None)
    store.close()
    damage_past_header(database)
    started = run_bot(emulator, LOG_LEVEL="INFO")
    assert started.returncode == 1
    (line,) = started.stderr.splitlines()
    assert line.startswith(f"error: the subscriptions database {database} is damaged (")
    assert "ready" not in started.stdout + started.stderr
    assert not emulator.calls("getUpdates"), "it never started polling"
    # Telegram out of reach as well: the database is still the error shown, in one line.
    nowhere = {"TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{free_port()}/bot"}
    offline = subprocess.run(
        [sys.executable, "-m", "bot"], capture_output=True, text=True, timeout=120,
        env={**telegram_env(emulator, LOG_LEVEL="INFO"), **nowhere},
    )  # fmt: skip
    assert offline.returncode == 1
    (line,) = offline.stderr.splitlines()
    assert line.startswith(f"error: the subscriptions database {database} is damaged (")


def test_the_bot_lives_on_when_its_live_word_index_is_truncated(
    emulator: BotApiEmulator, isolated_environment: Path
) -> None:
    """The word index is read into memory: a truncated file cannot kill the process (SIGBUS)."""
    process = start_bot(emulator)
    try:
        emulator.wait_for_call_sync("getUpdates", timeout=300)
        emulator.send_message(USER_ID, USER_ID, QUESTION)
        first = emulator.wait_for_messages_sync(USER_ID, 1, timeout=120)[0]
        for path in (isolated_environment / "index" / "current" / "word_index").iterdir():
            path.write_bytes(b"")
        emulator.send_message(USER_ID, USER_ID, "What did Macron say about Western troops?")
        second = emulator.wait_for_messages_sync(USER_ID, 2, timeout=120)[1]
        assert "10-year bilateral agreements" in first["text"]
        assert "troops" in second["text"] and process.poll() is None
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output  # a clean stop on SIGTERM, not death by a signal


@pytest.mark.usefixtures("seed_index_copied")
def test_a_damaged_index_at_start_is_one_error_line(isolated_environment: Path) -> None:
    """The terminal chat (and the bot) on an index version whose word index was truncated."""
    for path in (isolated_environment / "index" / "current" / "word_index").iterdir():
        path.write_bytes(b"")
    started = subprocess.run(
        [sys.executable, "-m", "bot"], input="quit\n", capture_output=True, text=True,
        timeout=600, env=terminal_env(),
    )  # fmt: skip
    assert started.returncode == 1
    (line,) = started.stderr.splitlines()
    assert line.startswith("error: ") and "rebuild it with `python -m index rebuild`" in line
