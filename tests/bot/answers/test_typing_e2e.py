""" "typing…" under a question only when its answer is not ready after TYPING_AFTER_SECONDS
(`bot.answers.typing`): the real Application on the Bot API emulator, the seed index."""

from __future__ import annotations

from pathlib import Path

import pytest

from index import Embedder
from tests.bot.conftest import USER_ID, bot_settings, running_bot
from tests.emulator import BotApiEmulator

pytestmark = pytest.mark.slow

QUESTION = "Which countries signed long-term security agreements with Ukraine?"


@pytest.mark.parametrize(("after_seconds", "typing_shown"), [(0, True), (60, False)])
async def test_typing_is_shown_only_for_an_answer_not_ready_in_time(
    emulator: BotApiEmulator, seed_index_dir: Path, isolated_environment: Path,
    embedder: Embedder, after_seconds: float, typing_shown: bool,
) -> None:  # fmt: skip
    settings = bot_settings(
        emulator, isolated_environment, index_dir=seed_index_dir,
        typing_after_seconds=after_seconds,
    )  # fmt: skip
    async with running_bot(settings, embedder):
        emulator.send_message(USER_ID, USER_ID, QUESTION)
        (answer,) = await emulator.wait_for_messages(USER_ID, 1, timeout=60)
        assert "1." in answer["text"], "answered either way"
        if typing_shown:
            action = await emulator.wait_for_call("sendChatAction", timeout=30)
            assert action["params"]["chat_id"] == USER_ID
            assert action["params"]["action"] == "typing"
        else:
            assert emulator.calls("sendChatAction") == [], "an answer in time needs no typing…"
