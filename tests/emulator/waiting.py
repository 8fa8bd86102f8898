"""Waiting for the bot from test code: blocking (sync tests, other threads) or awaiting.

Both wake on every state change instead of sleeping in a loop, so a test continues the moment
the bot's call lands.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import TypeVar

from .state import State

__all__ = ["no_running_loop", "wait_async", "wait_sync"]

_T = TypeVar("_T")


def no_running_loop(name: str) -> None:
    """Refuse sync waiting inside a running loop: it would freeze a bot running on that loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    raise RuntimeError(f"{name}_sync blocks the event loop; use `await emu.{name}(...)` here")


def wait_sync(state: State, check: Callable[[], _T | None], timeout: float) -> _T | None:
    """``check()`` (run under the state lock) until it returns non-None, or None on timeout."""
    deadline = time.monotonic() + timeout
    with state.cond:
        while (result := check()) is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            state.cond.wait(remaining)
        return result


async def wait_async(state: State, check: Callable[[], _T | None], timeout: float) -> _T | None:
    """The awaitable twin of :func:`wait_sync`, for any event loop."""
    loop = asyncio.get_running_loop()
    event = asyncio.Event()

    def wake() -> None:
        with contextlib.suppress(RuntimeError):  # the waiting loop is gone
            loop.call_soon_threadsafe(event.set)

    state.add_listener(wake)
    try:
        deadline = loop.time() + timeout
        while True:
            event.clear()
            with state.lock:
                result = check()
            remaining = deadline - loop.time()
            if result is not None or remaining <= 0:
                return result
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)
    finally:
        state.remove_listener(wake)
