"""Fixtures of the alert tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.settings import BotSettings
from tests.bot.conftest import GROUP_ID, USER_ID, bot_settings
from tests.emulator import BotApiEmulator

OTHER_USER = 5151
ROUND_SECONDS = 0.3


@pytest.fixture
def alert_settings(
    emulator: BotApiEmulator, seed_index_dir: Path, isolated_environment: Path
) -> BotSettings:
    """A private copy of the sample index (alerts add to it) and quick alert rounds."""
    index_dir = isolated_environment / "index"
    shutil.copytree(seed_index_dir, index_dir, symlinks=True)
    emulator.set_admins(GROUP_ID, [USER_ID])
    emulator.user(OTHER_USER, "Bob", username="bob")
    emulator.private_chat(OTHER_USER)
    return bot_settings(
        emulator, isolated_environment, index_dir=index_dir, alert_interval_seconds=ROUND_SECONDS
    )
