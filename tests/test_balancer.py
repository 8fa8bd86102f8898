"""The test load balancer: POSTs in turn to each replica, headers kept, a dead one skipped."""

from __future__ import annotations

import socket

import httpx
from aiohttp import web

from tests.balancer import Forward, RoundRobinBalancer


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_posts_go_round_robin_with_their_headers_and_skip_a_dead_replica() -> None:
    seen: list[tuple[str, str, bytes]] = []

    def replica(name: str) -> web.Application:
        async def take(request: web.Request) -> web.Response:
            seen.append(
                (
                    name,
                    request.headers.get("X-Telegram-Bot-Api-Secret-Token", ""),
                    await request.read(),
                )
            )
            return web.Response(text=name)

        app = web.Application()
        app.router.add_post("/hook", take)
        return app

    runners = [web.AppRunner(replica(name)) for name in ("a", "b")]
    ports = []
    for runner in runners:
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        ports.append(runner.addresses[0][1])
    dead = closed_port()
    backends = [
        f"http://127.0.0.1:{ports[0]}",
        f"http://127.0.0.1:{dead}",
        f"http://127.0.0.1:{ports[1]}",
    ]
    try:
        with RoundRobinBalancer(backends) as balancer:
            async with httpx.AsyncClient() as client:
                answers = [
                    (
                        await client.post(
                            balancer.url("/hook"),
                            content=f'{{"update_id": {n}}}'.encode(),
                            headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret"},
                        )
                    ).text
                    for n in range(4)
                ]
            forwards = balancer.forwards()
    finally:
        for runner in runners:
            await runner.cleanup()
    assert answers == ["a", "b", "b", "a"], "the dead replica's turn went to the next one"
    assert [s[1] for s in seen] == ["s3cret"] * 4
    assert [s[2] for s in seen] == [f'{{"update_id": {n}}}'.encode() for n in range(4)]
    assert forwards == [
        Forward(0, 0, 200),
        Forward(2, 1, 200),
        Forward(2, 2, 200),
        Forward(0, 3, 200),
    ]


async def test_with_every_replica_dead_the_post_fails_as_telegram_would_see_it() -> None:
    with RoundRobinBalancer([f"http://127.0.0.1:{closed_port()}"]) as balancer:
        async with httpx.AsyncClient() as client:
            response = await client.post(balancer.url("/hook"), content=b"{}")
    assert response.status_code == 502
