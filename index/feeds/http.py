"""Fetching feeds and pages with httpx: conditional GET, timeouts, a size cap, redirects, and the
address policy enforced on the address actually connected to.

httpx resolves names inside its connection pool, after any check made beforehand, so a name
could resolve to a public address for the check and to 127.0.0.1 for the connection (DNS
rebinding). Here the pool's network backend (httpcore's `connect_tcp`) resolves the name
itself, checks every address it got (`index.feeds.urls.check_address`) and connects to one of
those: what was checked is what is connected to. TLS still verifies the certificate against the
host name (httpcore sends it as SNI). httpx has no public hook for the backend, so
`GuardedTransport` sets its pool's; it is pinned by the tests in tests/index/feeds/.
Proxies from the environment are not used (`trust_env=False`): a proxy would connect for us.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

from index.errors import FeedError, FeedHttpError, FeedUrlError
from index.feeds.settings import FeedSettings
from index.feeds.urls import check_address, check_url, shown_url

REDIRECTS = frozenset({301, 302, 303, 307, 308})


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's backend, connecting only to addresses the policy allows."""

    def __init__(self, *, allow_private: bool) -> None:
        self._allow_private = allow_private
        self._backend = httpcore.AnyIOBackend()

    async def connect_tcp(
        self, host: str, port: int, timeout: float | None = None,
        local_address: str | None = None, socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:  # fmt: skip
        loop = asyncio.get_running_loop()
        try:
            found = await asyncio.wait_for(
                loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), timeout
            )
        except (OSError, TimeoutError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        addresses = list(dict.fromkeys(str(info[4][0]).split("%")[0] for info in found))
        for address in addresses:  # every one: a name with one private address is refused
            check_address(address, allow_private=self._allow_private)
        return await self._backend.connect_tcp(
            addresses[0], port, timeout=timeout, local_address=local_address,
            socket_options=socket_options,
        )  # fmt: skip

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise FeedError("feeds are fetched over TCP only")

    async def sleep(self, seconds: float) -> None:
        await self._backend.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport whose connection pool connects through `GuardedBackend`."""

    def __init__(self, *, allow_private: bool) -> None:
        super().__init__(trust_env=False, retries=0)
        ssl_context = httpx.create_ssl_context(trust_env=False)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context, max_connections=50, max_keepalive_connections=10,
            keepalive_expiry=5.0, network_backend=GuardedBackend(allow_private=allow_private),
        )  # fmt: skip


def make_client(settings: FeedSettings) -> httpx.AsyncClient:
    """One client for a round of fetching: its pool is shared by every feed and page."""
    return httpx.AsyncClient(
        transport=GuardedTransport(allow_private=settings.feeds_allow_private),
        headers={"User-Agent": settings.feeds_user_agent, "Accept-Encoding": "gzip, deflate"},
        timeout=httpx.Timeout(settings.feeds_timeout_seconds),
        follow_redirects=False,  # followed by `fetch`, which checks each hop's scheme
        trust_env=False,
    )


class HostGate:
    """At most `per_host` requests to one host at a time, for every feed and page of a round:
    many feeds (or one feed's many pages) on one site never hit it with a swarm."""

    def __init__(self, per_host: int) -> None:
        self._per_host = per_host
        self._gates: dict[str, asyncio.Semaphore] = {}

    def gate(self, url: str) -> asyncio.Semaphore:
        host = (httpx.URL(url).host or "").lower()
        found = self._gates.get(host)
        if found is None:
            found = self._gates[host] = asyncio.Semaphore(self._per_host)
        return found


@dataclass(frozen=True, slots=True)
class Fetched:
    url: str
    """Where the body came from, after redirects."""
    status: int
    body: bytes
    content_type: str
    etag: str | None
    last_modified: str | None
    truncated: bool
    """The body was longer than FEEDS_MAX_BYTES and was cut there."""

    @property
    def not_modified(self) -> bool:
        return self.status == 304


async def fetch(
    client: httpx.AsyncClient,
    url: str,
    *,
    max_bytes: int,
    max_redirects: int,
    etag: str | None = None,
    last_modified: str | None = None,
    accept: str = "*/*",
    hosts: HostGate | None = None,
) -> Fetched:
    """GET a URL, following redirects (each hop checked), reading at most `max_bytes` of the
    decoded body; each hop waits its turn at `hosts`. Raises FeedError for a refused URL or
    address, too many redirects or an HTTP error status; httpx errors (timeouts, connection
    failures) pass through."""
    headers = {"Accept": accept}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    current = check_url(url)
    for _hop in range(max_redirects + 1):
        async with (
            hosts.gate(current) if hosts is not None else contextlib.nullcontext(),
            client.stream("GET", current, headers=headers) as response,
        ):
            if response.status_code in REDIRECTS and "location" in response.headers:
                current = _redirect_target(response)
                continue
            if response.status_code == 304:
                return _fetched(response, b"", truncated=False)
            if response.status_code >= 400:
                raise FeedHttpError(
                    response.status_code, f"HTTP {response.status_code} from {shown_url(current)}"
                )
            body, truncated = await _read_capped(response, max_bytes)
            return _fetched(response, body, truncated=truncated)
    raise FeedError(f"more than {max_redirects} redirects from {shown_url(url)}")


def _redirect_target(response: httpx.Response) -> str:
    """Where a redirect points, checked like any URL we fetch (FeedUrlError otherwise)."""
    location = response.headers["location"]
    try:
        target = str(response.url.join(location))
    except (httpx.InvalidURL, ValueError) as exc:
        raise FeedUrlError(
            f"a redirect to an unusable URL: {shown_url(location)} ({exc})"
        ) from None
    return check_url(target)


async def _read_capped(response: httpx.Response, max_bytes: int) -> tuple[bytes, bool]:
    """The decoded body up to `max_bytes`, and whether there was more; reading stops at the cap
    (so a gzip bomb stops too), at most one chunk past it."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size > max_bytes:
            return b"".join(chunks)[:max_bytes], True
    return b"".join(chunks), False


def _fetched(response: httpx.Response, body: bytes, *, truncated: bool) -> Fetched:
    return Fetched(
        url=str(response.url),
        status=response.status_code,
        body=body,
        content_type=response.headers.get("content-type", ""),
        etag=response.headers.get("etag"),
        last_modified=response.headers.get("last-modified"),
        truncated=truncated,
    )


def describe(exc: BaseException, timeout: float) -> str:
    """One line for a failed request; never a URL's credentials."""
    if isinstance(exc, TimeoutError | httpx.TimeoutException):
        return f"timed out after FEEDS_TIMEOUT_SECONDS={timeout:g}"
    if isinstance(exc, FeedError):
        return str(exc)
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
