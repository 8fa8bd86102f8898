"""A real bot Application on the Bot API emulator, over real HTTP, on a real seed index."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.application import build_application
from bot.context import NewsApp
from bot.settings import BotSettings
from index import Embedder, NewsIndex
from tests.emulator import BotApiEmulator
from tests.milvus_lite import running_milvus_lite

USER_ID = 4242
GROUP_ID = -100777


@pytest.fixture(scope="session")
def seed_index_dir(seed_data_dir: Path) -> Path:
    """The sample index, built once per test run (tests that change an index build their own)."""
    return seed_data_dir / "index"


@pytest.fixture
def emulator() -> Iterator[BotApiEmulator]:
    with BotApiEmulator(bot_username="newsbot_test") as emu:
        emu.user(USER_ID, "Ann", username="ann")
        emu.private_chat(USER_ID)
        emu.group(GROUP_ID, "Readers", type="supergroup")
        yield emu


def bot_settings(emulator: BotApiEmulator, data_dir: Path, **overrides: object) -> BotSettings:
    values: dict[str, object] = {
        "telegram_bot_token": emulator.token,
        "telegram_api_base_url": emulator.base_url,
        "telegram_api_file_url": emulator.base_file_url,
        "data_dir": data_dir,
        **overrides,
    }
    return BotSettings(_env_file=None, **values)  # type: ignore[arg-type]


def damage_past_header(database: Path) -> None:
    """Garbage over every page after the first, as a bad disk or a stray write would leave it."""
    data = database.read_bytes()
    assert len(data) > 4096, "a database with more than its first page"
    database.write_bytes(data[:4096] + bytes(range(256)) * ((len(data) - 4096) // 256 + 1))


@contextlib.asynccontextmanager
async def running_bot(settings: BotSettings, embedder: Embedder) -> AsyncIterator[NewsApp]:
    """The real Application, long polling the emulator, stopped cleanly afterwards."""
    app = build_application(settings, NewsIndex(settings, embedder))
    try:
        async with app:
            assert app.post_init is not None and app.updater is not None
            await app.post_init(app)  # what run_polling() does after initialize()
            await app.updater.start_polling(poll_interval=0, timeout=1)
            await app.start()
            try:
                yield app
            finally:
                await app.updater.stop()
                await app.stop()
    finally:
        if app.post_shutdown is not None:
            await app.post_shutdown(app)  # and after shutdown(): the database is closed


@pytest.fixture
async def seed_bot(
    emulator: BotApiEmulator, seed_index_dir: Path, isolated_environment: Path, embedder: Embedder
) -> AsyncIterator[NewsApp]:
    settings = bot_settings(emulator, isolated_environment, index_dir=seed_index_dir)
    async with running_bot(settings, embedder) as app:
        yield app


@pytest.fixture(params=["faiss+sqlite", "milvus+postgresql"])
def stores(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[dict[str, object]]:
    """The default stores, or Milvus Lite (its own server, so the command line can share its
    folder with the bot) and PostgreSQL; in the environment too, for the command line."""
    if request.param == "faiss+sqlite":
        yield {}
        return
    url: str = request.getfixturevalue("postgres_url")
    with running_milvus_lite(tmp_path) as uri:
        for name, value in (("VECTOR_STORE", "milvus"), ("MILVUS_URI", uri), ("DATABASE_URL", url)):
            monkeypatch.setenv(name, value)
        yield {"vector_store": "milvus", "milvus_uri": uri, "database_url": url}
