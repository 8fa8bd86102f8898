"""A local web server for the feed tests: aiohttp on 127.0.0.1, in a thread of its own, so
synchronous tests and subprocesses (the CLI) can fetch from it too.

Each path answers what a test registered for it; every request is recorded with its headers,
so a test can check the conditional GET a fetcher sent.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True, slots=True)
class Seen:
    path: str
    headers: dict[str, str]


class FeedServer:
    def __init__(self) -> None:
        self.routes: dict[str, Handler] = {}
        self.requests: list[Seen] = []
        self.answered: list[str] = []
        """Paths of slow answers that were sent in the end."""
        self.prefixes: dict[str, Handler] = {}
        self.in_flight = 0
        self.most_in_flight = 0
        """The most requests the server was answering at one time."""
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None
        self.port = 0

    def start(self) -> None:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", self._dispatch)
        self._runner = web.AppRunner(
            app, access_log=None, shutdown_timeout=0.5, handler_cancellation=True
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(Seen(request.path, dict(request.headers)))
        handler = self.routes.get(request.path) or next(
            (h for prefix, h in self.prefixes.items() if request.path.startswith(prefix)), None
        )
        if handler is None:
            return web.Response(status=404, text="not found")
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            return await handler(request)
        finally:
            self.in_flight -= 1

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def requests_to(self, path: str) -> list[Seen]:
        return [r for r in self.requests if r.path == path]

    # -- what a path can answer ---------------------------------------------------------------

    def serve(
        self, path: str, body: str | bytes, content_type: str = "text/html; charset=utf-8",
        *, etag: str | None = None, last_modified: str | None = None,
    ) -> str:  # fmt: skip
        """A fixed body; with validators, a 304 to a request that sends them back."""
        data = body.encode("utf-8") if isinstance(body, str) else body

        async def handler(request: web.Request) -> web.StreamResponse:
            headers = {"Content-Type": content_type}
            if etag:
                headers["ETag"] = etag
            if last_modified:
                headers["Last-Modified"] = last_modified
            fresh = (etag and request.headers.get("If-None-Match") == etag) or (
                last_modified and request.headers.get("If-Modified-Since") == last_modified
            )
            if fresh:
                return web.Response(status=304, headers=headers)
            return web.Response(body=data, headers=headers)

        self.routes[path] = handler
        return self.url(path)

    def slow(
        self, path: str, seconds: float, body: str = "<rss/>",
        content_type: str = "application/rss+xml",
    ) -> str:  # fmt: skip
        async def handler(request: web.Request) -> web.StreamResponse:
            await asyncio.sleep(seconds)
            self.answered.append(path)
            return web.Response(text=body, content_type=content_type)

        self.routes[path] = handler
        return self.url(path)

    def endless(self, path: str) -> str:
        """A body that never ends (64 KiB chunks for as long as the client reads)."""

        async def handler(request: web.Request) -> web.StreamResponse:
            response = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
            await response.prepare(request)
            await response.write(b'<?xml version="1.0"?><rss version="2.0"><channel>')
            chunk = b"<item><title>x</title></item>" * 2000
            try:
                for _ in range(100_000):
                    await response.write(chunk)
            except (ConnectionError, asyncio.CancelledError):
                pass
            return response

        self.routes[path] = handler
        return self.url(path)

    def pages(self, prefix: str, *, status: int = 404, seconds: float = 0.0) -> None:
        """Every path under `prefix` answers `status` after `seconds` (many pages at once)."""

        async def handler(request: web.Request) -> web.StreamResponse:
            await asyncio.sleep(seconds)
            return web.Response(status=status, text=f"status {status}")

        self.prefixes[prefix] = handler

    def redirect(self, path: str, to: str, status: int = 302) -> str:
        async def handler(request: web.Request) -> web.StreamResponse:
            return web.Response(status=status, headers={"Location": to})

        self.routes[path] = handler
        return self.url(path)

    def status(self, path: str, status: int) -> str:
        async def handler(request: web.Request) -> web.StreamResponse:
            return web.Response(status=status, text=f"status {status}")

        self.routes[path] = handler
        return self.url(path)


def running_server() -> Iterator[FeedServer]:
    server = FeedServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
