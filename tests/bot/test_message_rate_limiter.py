"""What the bot sends is held to Telegram's message budget; "typing…" is not a message."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.message_rate_limiter import MessageRateLimiter


async def _sent(limiter: MessageRateLimiter, endpoint: str, seconds: float) -> bool:
    """Whether a call to `endpoint` in chat 1 went through within `seconds`."""

    async def call() -> dict[str, Any]:
        return {"ok": True}

    try:
        await asyncio.wait_for(
            limiter.process_request(call, (), {}, endpoint, {"chat_id": 1}, None), seconds
        )
    except TimeoutError:
        return False
    return True


@pytest.mark.parametrize("budget", [1, 2])
async def test_chat_actions_neither_wait_for_nor_use_the_message_budget(budget: int) -> None:
    limiter = MessageRateLimiter(overall_max_rate=budget, overall_time_period=3600)
    await limiter.initialize()
    try:
        for _ in range(budget):
            assert await _sent(limiter, "sendMessage", 5)
        assert all([await _sent(limiter, "sendChatAction", 5) for _ in range(5)])
        assert not await _sent(limiter, "sendMessage", 0.3), "the hour's budget is spent"
    finally:
        await limiter.shutdown()


async def test_an_alert_edit_waits_its_turn_like_a_message() -> None:
    """Editing a story's alert to name another outlet is held to the same budget as sends."""
    limiter = MessageRateLimiter(overall_max_rate=2, overall_time_period=3600)
    await limiter.initialize()
    try:
        assert await _sent(limiter, "sendMessage", 5)
        assert await _sent(limiter, "editMessageText", 5)
        assert not await _sent(limiter, "editMessageText", 0.3), "the hour's budget is spent"
        assert not await _sent(limiter, "sendMessage", 0.3)
    finally:
        await limiter.shutdown()
