"""A round-robin HTTP load balancer on 127.0.0.1 for tests and benchmarks of bot replicas.

Telegram posts every update to one webhook URL; in production a load balancer spreads those
POSTs over the replicas and stops sending to one its health checks find dead. This stands in
for it: each POST (body and headers, `X-Telegram-Bot-Api-Secret-Token` included) goes to the
next replica in turn, and a replica that refuses the connection (a dead process) is skipped for
the next one, as a balancer would after a failed health check. Each forward is recorded, so a
test can tell which replica received which update.

It runs on its own thread and event loop, like the emulator, so a test may use it from
synchronous code or from any loop.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Self

import aiohttp
from aiohttp import web

_HOP_BY_HOP = {"host", "content-length", "connection", "transfer-encoding", "keep-alive"}
FORWARD_TIMEOUT_SECONDS = 60


@dataclass(frozen=True, slots=True)
class Forward:
    """One POST passed on: to which replica (its index in `backends`), and what it answered."""

    replica: int
    update_id: int | None
    status: int


class RoundRobinBalancer:
    """Listens on a free port of 127.0.0.1; `url(path)` is what the webhook should be set to."""

    def __init__(self, backends: Sequence[str]) -> None:
        """`backends`: the replicas' base URLs, e.g. `http://127.0.0.1:8443`."""
        if not backends:
            raise ValueError("a balancer needs at least one backend")
        self.backends = [b.rstrip("/") for b in backends]
        self.port = 0
        self._next = 0
        self._forwards: list[Forward] = []
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._error: BaseException | None = None

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}/{path.lstrip('/')}"

    def forwards(self) -> list[Forward]:
        with self._lock:
            return list(self._forwards)

    def start(self) -> Self:
        self._thread = threading.Thread(target=self._run, name="balancer", daemon=True)
        self._thread.start()
        self._ready.wait(30)
        if self._error is not None:
            raise RuntimeError("the balancer did not start") from self._error
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(30)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as exc:  # reported to start() when it happens before ready
            self._error = exc
            self._ready.set()

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        timeout = aiohttp.ClientTimeout(total=FORWARD_TIMEOUT_SECONDS)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            server = web.Application(client_max_size=1 << 22)
            server.router.add_route(
                "*", "/{tail:.*}", lambda request: self._forward(session, request)
            )
            runner = web.AppRunner(server, access_log=None)
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            self.port = runner.addresses[0][1]
            self._ready.set()
            try:
                await self._stop.wait()
            finally:
                await runner.cleanup()

    def _pick(self) -> list[int]:
        """The replicas in the order to try them for the next request."""
        with self._lock:
            first = self._next
            self._next = (self._next + 1) % len(self.backends)
        return [(first + i) % len(self.backends) for i in range(len(self.backends))]

    async def _forward(self, session: aiohttp.ClientSession, request: web.Request) -> web.Response:
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP_BY_HOP}
        for replica in self._pick():
            url = f"{self.backends[replica]}{request.path_qs}"
            try:
                async with session.request(
                    request.method, url, data=body, headers=headers
                ) as response:
                    answer = await response.read()
                    status = response.status
                    content_type = response.content_type
            except aiohttp.ClientConnectorError:
                continue  # nothing listens there: the next replica
            self._record(replica, body, status)
            return web.Response(status=status, body=answer, content_type=content_type)
        return web.Response(status=502, text="no replica answers")

    def _record(self, replica: int, body: bytes, status: int) -> None:
        update_id = None
        try:
            data = json.loads(body)
            if isinstance(data, dict) and isinstance(data.get("update_id"), int):
                update_id = data["update_id"]
        except ValueError:
            pass
        with self._lock:
            self._forwards.append(Forward(replica, update_id, status))
