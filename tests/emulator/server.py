"""The HTTP side: an aiohttp server on its own thread and event loop.

Running on a private loop means the emulator works whatever loop a test uses (or none, or a
bot in a subprocess).  Besides answering Bot API calls it long-polls ``getUpdates`` for real
and, while a webhook is set, POSTs queued updates to it one by one like Telegram does.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import copy
import logging
import threading
import time
from collections.abc import Coroutine
from typing import Any, TypeVar

import aiohttp
from aiohttp import web

from .api import BotApi
from .errors import ApiError
from .params import read_params
from .state import State

__all__ = ["ApiServer"]

_LOGGER = logging.getLogger(__name__)
_T = TypeVar("_T")
_WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
_POLL_CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
_WEBHOOK_RETRY_DELAY = 0.2


class ApiServer:
    """Serves ``/bot<token>/<method>`` on 127.0.0.1 from a background thread."""

    def __init__(self, state: State, api: BotApi, token: str) -> None:
        self.state = state
        self.api = api
        self.token = token
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._startup_error: BaseException | None = None
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._worker: asyncio.Task[None] | None = None
        self._changed: asyncio.Event | None = None
        self._closing = False

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="bot-api-emulator", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout=10):
            raise RuntimeError("Bot API emulator did not start within 10 s")
        if self._startup_error is not None:
            raise RuntimeError("Bot API emulator failed to start") from self._startup_error

    def stop(self) -> None:
        if self._loop is None or self._thread is None:
            return
        self.run(self._shutdown(), timeout=15)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=15)
        self._loop = self._thread = None

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._startup())
        except BaseException as exc:  # reported to start()
            self._startup_error = exc
            self._ready.set()
            loop.close()
            return
        self._loop = loop
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    async def _startup(self) -> None:
        self._changed = asyncio.Event()
        loop = asyncio.get_running_loop()
        self.state.add_listener(lambda: self._wake_threadsafe(loop))
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_route("*", "/{tail:.*}", self._not_found)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        self._worker = asyncio.create_task(self._webhook_worker())

    async def _shutdown(self) -> None:
        self._closing = True
        self._wake()
        if self._worker is not None:
            self._worker.cancel()
            await asyncio.gather(self._worker, return_exceptions=True)
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()

    def run(self, coro: Coroutine[Any, Any, _T], timeout: float | None = None) -> _T:
        """Run a coroutine on the emulator's loop and block the calling thread for its result."""
        return self.submit(coro).result(timeout)

    def submit(self, coro: Coroutine[Any, Any, _T]) -> concurrent.futures.Future[_T]:
        if self._loop is None:
            coro.close()
            raise RuntimeError("the emulator is not running; call start() first")
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    # -- waking long polls and the webhook worker ----------------------------------------------
    def _wake_threadsafe(self, loop: asyncio.AbstractEventLoop) -> None:
        with contextlib.suppress(RuntimeError):  # loop already closed
            loop.call_soon_threadsafe(self._wake)

    def _wake(self) -> None:
        if self._changed is not None:
            self._changed.set()
            self._changed = asyncio.Event()

    async def _wait_change(self, event: asyncio.Event, timeout: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout)

    # -- HTTP handlers -------------------------------------------------------------------------
    @staticmethod
    def _reply(body: dict[str, Any], status: int = 200) -> web.Response:
        return web.json_response(body, status=status)

    async def _not_found(self, _: web.Request) -> web.Response:
        return self._reply({"ok": False, "error_code": 404, "description": "Not Found"}, 404)

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return self._reply(ApiError(401, "Unauthorized").payload(), 401)
        method = self.api.canonical(request.match_info["method"])
        if method is None:  # logged too: PTB reports it as InvalidToken, which misleads
            missing = ApiError(404, "Not Found: method not found")
            with self.state.lock:
                entry = self.state.log_call(request.match_info["method"], dict(request.query))
                self.state.finish_call(entry, missing)
            return self._reply(missing.payload(), 404)
        try:
            params = await read_params(request)
        except ApiError as exc:
            return self._reply(exc.payload(), exc.code)
        with self.state.lock:
            entry = self.state.log_call(method, params)
            error = self.state.take_fault(method)
        result: Any = None
        if error is None:
            try:
                if method == "getUpdates":
                    result = await self._get_updates(params)
                else:
                    with self.state.lock:
                        result = self.api.call(method, params)
            except ApiError as exc:
                error = exc
            except Exception as exc:  # an emulator bug: make it loud, not a hang
                _LOGGER.exception("emulator failed on %s", method)
                error = ApiError(500, f"Internal Server Error: emulator failed: {exc!r}")
        with self.state.lock:
            self.state.finish_call(entry, error)
            delay = self.state.answer_delays.get(method, 0.0)
        if delay:
            await asyncio.sleep(delay)
        if error is not None:
            return self._reply(error.payload(), error.code)
        return self._reply({"ok": True, "result": result})

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        """Long polling: answer as soon as an update is there or when ``timeout`` runs out."""
        state = self.state
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(0.0, float(params.get("timeout") or 0))
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        with state.lock:
            if state.webhook is not None:
                raise ApiError(409, _WEBHOOK_CONFLICT)
            if "allowed_updates" in params:
                state.allowed_updates = list(params["allowed_updates"] or [])
            state.confirm(params.get("offset"))
            state.poll_generation += 1
            generation = state.poll_generation
        while True:
            assert self._changed is not None
            event = self._changed
            with state.lock:
                if state.poll_generation != generation:
                    raise ApiError(409, _POLL_CONFLICT)
                if state.webhook is not None:
                    raise ApiError(409, _WEBHOOK_CONFLICT)
                updates = state.deliverable(limit)
            remaining = deadline - loop.time()
            if updates or remaining <= 0 or self._closing:
                return updates
            await self._wait_change(event, remaining)

    # -- webhook delivery ----------------------------------------------------------------------
    async def post_update(
        self, url: str, update: dict[str, Any], secret_token: str | None
    ) -> tuple[int, str | None]:
        """POST one update as Telegram does; returns (HTTP status or 0, error text)."""
        assert self._session is not None
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret_token} if secret_token else {}
        try:
            async with self._session.post(url, json=update, headers=headers) as response:
                await response.read()
                status = response.status
                error = (
                    None
                    if 200 <= status < 300
                    else f"Wrong response from the webhook: {status} {response.reason}"
                )
        except (aiohttp.ClientError, TimeoutError) as exc:
            status, error = 0, f"Connection failed: {exc!r}"
        with self.state.lock:
            self.state.webhook_deliveries.append(
                {
                    "update_id": update.get("update_id"),
                    "url": url,
                    "status": status,
                    "error": error,
                    "time": time.time(),
                }
            )
            self.state.changed()
        return status, error

    async def _webhook_worker(self) -> None:
        """Deliver queued updates to the webhook in order, retrying failures like Telegram."""
        state = self.state
        while not self._closing:
            assert self._changed is not None
            event = self._changed
            with state.lock:
                hook = copy.deepcopy(state.webhook)
                pending = state.deliverable(1) if hook else []
            if not hook or not pending:
                await self._wait_change(event, 1.0)
                continue
            update = pending[0]
            _, error = await self.post_update(hook["url"], update, hook["secret_token"])
            with state.lock:
                if error is None:
                    state.updates = [
                        u for u in state.updates if u["update_id"] != update["update_id"]
                    ]
                elif state.webhook is not None:
                    state.webhook.update(last_error_date=int(time.time()), last_error_message=error)
                state.changed()
            if error is not None:
                await asyncio.sleep(_WEBHOOK_RETRY_DELAY)
