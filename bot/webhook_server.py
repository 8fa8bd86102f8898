"""Webhook mode's HTTP server: Telegram's POSTs, and a load balancer's health checks.

python-telegram-bot's `run_webhook` serves the webhook path alone. Behind a load balancer, with
several replicas, each replica must also say that it is alive (`GET /healthz`: the event loop
answers) and ready (`GET /readyz`: the index is loaded and answers; 503 with the reasons
otherwise; a database out of reach is reported as `degraded` but keeps the replica in rotation,
since questions are answered without it), and Prometheus scrapes `GET /metrics`
(`bot.metrics_server`), so the server is our own, an aiohttp app that feeds the Application's
`update_queue` as PTB's own server does. The secret header is compared in constant time.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from aiohttp import web
from telegram import Update

from bot.metrics_server import METRICS_PATH, metrics_handler

if TYPE_CHECKING:
    from bot.context import NewsApp

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE_BYTES = 1 << 20
"""An update is a few kilobytes; a bigger body is refused (413) before it is read whole."""


@dataclass(frozen=True, slots=True)
class ReadinessReport:
    problems: list[str] = field(default_factory=list)
    """What keeps this replica from serving, one reason each; empty when ready."""
    degraded: list[str] = field(default_factory=list)
    """What does not work though the replica serves (the database while it is down)."""


Readiness = Callable[[], Awaitable[ReadinessReport]]


def webhook_app(
    app: NewsApp,
    *,
    path: str,
    secret: str,
    readiness: Readiness,
) -> web.Application:
    """The aiohttp app: POST `path` takes updates, GET /healthz and /readyz report, GET
    /metrics is scraped."""

    async def take_update(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode("utf-8"), secret.encode("utf-8")):
            return web.Response(status=HTTPStatus.FORBIDDEN, text="wrong secret token")
        try:
            data = json.loads(await request.read())
            update = Update.de_json(data, app.bot)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            log.warning("refused a webhook POST that is not an update (%s)", type(exc).__name__)
            return web.Response(status=HTTPStatus.BAD_REQUEST, text="not a Telegram update")
        await app.update_queue.put(update)
        return web.Response(text="ok")

    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def readyz(_: web.Request) -> web.Response:
        report = await readiness()
        if report.problems:
            return web.json_response(
                {"status": "not ready", "problems": report.problems},
                status=HTTPStatus.SERVICE_UNAVAILABLE,
            )
        if report.degraded:
            return web.json_response({"status": "ready", "degraded": report.degraded})
        return web.json_response({"status": "ready"})

    server = web.Application(client_max_size=MAX_UPDATE_BYTES)
    server.router.add_post(f"/{path.lstrip('/')}", take_update)
    server.router.add_get("/healthz", healthz)
    server.router.add_get("/readyz", readyz)
    server.router.add_get(METRICS_PATH, metrics_handler(app))
    return server


async def serve_webhook(
    app: NewsApp,
    *,
    listen: str,
    port: int,
    path: str,
    url: str,
    secret: str,
    readiness: Readiness,
    set_webhook_options: dict[str, Any],
) -> None:
    """Run the Application behind our webhook server until SIGINT or SIGTERM.

    The server listens first, so /healthz answers while the index loads (post_init) and /readyz
    says why it is not ready yet; updates posted meanwhile wait in the queue. Then the webhook
    is set and the Application starts; on a signal everything stops in reverse order.
    """
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    runner = web.AppRunner(
        webhook_app(app, path=path, secret=secret, readiness=readiness), access_log=None
    )
    await runner.setup()
    try:
        await web.TCPSite(runner, listen, port).start()
        log.info("webhook server listening on %s:%d", listen, port)
        await app.initialize()
        try:
            if app.post_init is not None:
                await app.post_init(app)
            await app.bot.set_webhook(url, secret_token=secret, **set_webhook_options)
            await app.start()
            try:
                await stop.wait()
            finally:
                await app.stop()
                if app.post_stop is not None:
                    await app.post_stop(app)
        finally:
            await app.shutdown()
            if app.post_shutdown is not None:
                await app.post_shutdown(app)
    finally:
        await runner.cleanup()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
