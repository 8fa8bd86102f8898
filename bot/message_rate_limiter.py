"""Telegram's own flood limits for what the bot sends: python-telegram-bot's AIORateLimiter,
counting messages only."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram.ext import AIORateLimiter


class MessageRateLimiter(AIORateLimiter):
    """python-telegram-bot's AIORateLimiter for messages only.

    Telegram's flood limits count messages (about 30 a second overall, 20 a minute per group);
    "typing…" is not a message, yet AIORateLimiter counts every call that names a chat. Counted,
    each answer cost two turns of the budget and a burst of questions drained twice as slowly,
    every answer also waiting behind its own chat action.
    """

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        if endpoint == "sendChatAction":
            return await callback(*args, **kwargs)
        return await super().process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )
