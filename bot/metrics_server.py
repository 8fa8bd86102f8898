"""`GET /metrics` for Prometheus: on the webhook server, and on a server of its own (METRICS_PORT).

In webhook mode the webhook server serves it beside /healthz and /readyz. With METRICS_PORT set
(in either mode; long polling has no server otherwise) a small aiohttp server of its own serves
it on METRICS_HOST, 127.0.0.1 unless told otherwise: metrics name the bot's traffic, so they are
never offered to every network by default. That server runs on the bot's event loop, started in
post_init and stopped in post_shutdown, so a scrape reads the update queue where it lives.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from aiohttp import web
from aiohttp.typedefs import Handler
from prometheus_client.aiohttp import make_aiohttp_handler

from bot.monitoring import UPDATE_QUEUE_SIZE, UPDATES_IN_PROGRESS

if TYPE_CHECKING:
    from bot.context import NewsApp

log = logging.getLogger(__name__)

METRICS_PATH = "/metrics"


def metrics_handler(app: NewsApp) -> Handler:
    """The handler of `GET /metrics`: the process's default registry, in the text format
    Prometheus asks for, with the update queue read at that moment."""
    render = make_aiohttp_handler()

    async def metrics(request: web.Request) -> web.StreamResponse:
        UPDATE_QUEUE_SIZE.set(app.update_queue.qsize())
        UPDATES_IN_PROGRESS.set(app.update_processor.current_concurrent_updates)
        return await render(request)

    return metrics


class MetricsServer:
    """The server of its own that serves /metrics on `host:port`; `start` and `stop` it."""

    def __init__(self, app: NewsApp, *, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self._app = app
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        server = web.Application()
        server.router.add_get(METRICS_PATH, metrics_handler(self._app))
        runner = web.AppRunner(server, access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host, self.port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        log.info("metrics on http://%s:%d%s", self.host, self.port, METRICS_PATH)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}{METRICS_PATH}"

    @property
    def addresses(self) -> list[tuple[str, int]]:
        """Where it listens, as the sockets say (empty when stopped)."""
        if self._runner is None:
            return []
        return [(str(found[0]), int(found[1])) for found in self._runner.addresses]

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
