"""Fetching over real HTTP on 127.0.0.1: conditional GET, redirects, the size cap, the address
policy at connect time."""

from __future__ import annotations

import gzip

import httpx
import pytest

from index.errors import FeedError
from index.feeds.http import fetch, make_client
from index.feeds.settings import FeedSettings
from tests.feed_server import FeedServer


async def get(settings: FeedSettings, url: str, **options: object):  # type: ignore[no-untyped-def]
    async with make_client(settings) as client:
        return await fetch(
            client, url, max_bytes=settings.feeds_max_bytes,
            max_redirects=settings.feeds_max_redirects, **options,  # type: ignore[arg-type]
        )  # fmt: skip


async def test_a_conditional_get_sends_the_validators_and_gets_a_304(
    feed_server: FeedServer, feed_settings: FeedSettings
) -> None:
    url = feed_server.serve(
        "/rss", "<rss/>", etag='"v1"', last_modified="Tue, 05 Mar 2024 10:00:00 GMT"
    )
    first = await get(feed_settings, url)
    assert first.status == 200 and first.etag == '"v1"' and first.body == b"<rss/>"
    second = await get(feed_settings, url, etag=first.etag, last_modified=first.last_modified)
    assert second.not_modified and second.body == b""
    sent = feed_server.requests_to("/rss")[-1].headers
    assert sent["If-None-Match"] == '"v1"'
    assert sent["If-Modified-Since"] == "Tue, 05 Mar 2024 10:00:00 GMT"
    assert sent["User-Agent"].startswith("newsbot/")
    assert "gzip" in sent["Accept-Encoding"]


async def test_gzip_bodies_are_decoded(
    feed_server: FeedServer, feed_settings: FeedSettings
) -> None:
    from aiohttp import web

    async def handler(request: web.Request) -> web.Response:
        return web.Response(body=gzip.compress(b"<rss>zipped</rss>"),
                            headers={"Content-Encoding": "gzip", "Content-Type": "text/xml"})  # fmt: skip

    feed_server.routes["/gz"] = handler
    assert (await get(feed_settings, feed_server.url("/gz"))).body == b"<rss>zipped</rss>"


async def test_a_body_over_the_cap_is_cut_there(
    feed_server: FeedServer, feed_settings: FeedSettings
) -> None:
    got = await get(feed_settings, feed_server.endless("/huge"))
    assert got.truncated and len(got.body) == feed_settings.feeds_max_bytes


async def test_redirects_are_followed_up_to_the_limit(
    feed_server: FeedServer, feed_settings: FeedSettings
) -> None:
    target = feed_server.serve("/final", "<rss/>")
    feed_server.redirect("/hop2", target, status=301)
    got = await get(feed_settings, feed_server.redirect("/hop1", "/hop2"))
    assert got.url == target and got.body == b"<rss/>"
    feed_server.redirect("/loop-a", "/loop-b")
    feed_server.redirect("/loop-b", "/loop-a")
    with pytest.raises(FeedError, match="more than 5 redirects"):
        await get(feed_settings, feed_server.url("/loop-a"))


async def test_a_redirect_to_another_scheme_is_refused(
    feed_server: FeedServer, feed_settings: FeedSettings
) -> None:
    with pytest.raises(FeedError, match="only http and https"):
        await get(feed_settings, feed_server.redirect("/to-file", "file:///etc/passwd"))


async def test_private_addresses_are_refused_at_connect_unless_allowed(
    feed_server: FeedServer, feed_settings: FeedSettings
) -> None:
    public_only = feed_settings.model_copy(update={"feeds_allow_private": False})
    url = feed_server.serve("/rss", "<rss/>")
    for where in (url, url.replace("127.0.0.1", "localhost")):  # a name resolved at connect
        with pytest.raises(FeedError, match=r"refused to connect to (127\.0\.0\.1|::1).*loopback"):
            await get(public_only, where)
    assert feed_server.requests_to("/rss") == []  # nothing reached the server
    assert (await get(feed_settings, url.replace("127.0.0.1", "localhost"))).body == b"<rss/>"


async def test_an_http_error_status_is_a_feed_error(
    feed_server: FeedServer, feed_settings: FeedSettings
) -> None:
    with pytest.raises(FeedError, match=r"HTTP 404 from http://127\.0\.0\.1:\d+/missing"):
        await get(feed_settings, feed_server.url("/missing"))


async def test_a_slow_server_times_out(
    feed_server: FeedServer, feed_settings: FeedSettings
) -> None:
    quick = feed_settings.model_copy(update={"feeds_timeout_seconds": 0.5})
    with pytest.raises(httpx.TimeoutException):
        await get(quick, feed_server.slow("/slow", 5))
