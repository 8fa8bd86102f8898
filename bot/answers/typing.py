""" "typing…" under a question only when its answer takes noticeable time.

Telegram recommends a chat action only when a reply will take noticeable time to arrive. Sent
and awaited before every search, it put a round trip to Telegram in front of every answer (and
one more request per question into a burst). Now it is sent only once TYPING_AFTER_SECONDS have
passed without the answer being ready; an action already on its way is let finish.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from telegram import Bot
from telegram.constants import ChatAction
from telegram.error import TelegramError

_sending: set[asyncio.Task[None]] = set()
"""Chat actions on their way after their answer was ready (the loop keeps weak references)."""


@contextlib.asynccontextmanager
async def typing_while_slow(
    bot: Bot, chat_id: int, topic: int | None, after_seconds: float
) -> AsyncIterator[None]:
    """Show "typing…" in the chat (forum topic `topic`) if the body takes over `after_seconds`."""
    started = asyncio.Event()

    async def show() -> None:
        await asyncio.sleep(after_seconds)
        started.set()
        with contextlib.suppress(TelegramError):
            await bot.send_chat_action(chat_id, ChatAction.TYPING, message_thread_id=topic)

    task = asyncio.create_task(show())
    try:
        yield
    finally:
        if started.is_set():
            _sending.add(task)
            task.add_done_callback(_sending.discard)
        else:
            task.cancel()
