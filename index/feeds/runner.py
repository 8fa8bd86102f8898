"""A round of fetching: due feeds fetched concurrently, new entries turned into articles, the
articles added to the index through `IndexWriter.add`, the feeds' schedule moved on.

One feed's failure or slowness never holds up another: each feed is its own task, every
request has its deadline (FEEDS_TIMEOUT_SECONDS), and each feed's articles are written as soon
as that feed is done. A failure is logged in one line and backs the feed off; an entry is
marked seen only once its article is in the index, and a feed's validators (ETag,
Last-Modified) are kept only when every new entry was read, so nothing is lost to a 304.

Store calls are short and blocking; the index write runs in a thread. The bot runs whole
rounds in a worker thread on a loop of their own (`run_round`), never on its event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from index.articles.article import Article
from index.errors import FeedError, IndexBusyError, NewsIndexError
from index.feeds import schedule
from index.feeds.entries import EntryReader, ReadEntries
from index.feeds.http import HostGate, describe, fetch, make_client
from index.feeds.parse import parse_feed
from index.feeds.registry import Feed, FeedStore
from index.feeds.settings import FeedSettings
from index.feeds.urls import shown_url
from index.monitoring import FEED_FETCH_SECONDS, FEED_FETCHES
from index.writer import WriteReport

log = logging.getLogger(__name__)

Write = Callable[[list[Article]], WriteReport]
"""Adds articles to the index (blocking): `IndexWriter(settings, embedder).add(articles=…)`."""
FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/rdf+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"


@dataclass(slots=True)
class FeedResult:
    feed: Feed
    outcome: str
    """"new", "nothing new", "not modified", "failed" or "busy" (the index was being written)."""
    added: list[str] = field(default_factory=list)
    """Ids of the articles this feed added."""
    error: str | None = None

    def line(self) -> str:
        """One line for the command line."""
        head = f"feed {self.feed.id} ({shown_url(self.feed.url)}): "
        if self.outcome == "failed":
            return head + f"failed: {self.error}"
        if self.outcome == "new":
            return head + f"{len(self.added)} new articles"
        return head + self.outcome


class FeedRunner:
    """Fetches feeds into the index; one per process or round, sharing an HTTP client."""

    def __init__(self, settings: FeedSettings, store: FeedStore, write: Write) -> None:
        self._settings = settings
        self._store = store
        self._write = write
        self._writing = asyncio.Lock()
        self._commits: set[asyncio.Task[FeedResult | None]] = set()

    async def run_due(
        self, now: float | None = None, stop: threading.Event | None = None
    ) -> list[FeedResult]:
        """Fetch every feed that is due now."""
        return await self.run(self._store.due(time.time() if now is None else now), stop)

    async def run(
        self, feeds: Sequence[Feed], stop: threading.Event | None = None
    ) -> list[FeedResult]:
        """Fetch `feeds`; with `stop`, until it is set (from another thread: a process stopping),
        then no results (see `_until`)."""
        if not feeds:
            return []
        claimed: set[str] = set()  # keys taken in this round: two feeds, one story, one article
        hosts = HostGate(self._settings.feeds_host_connections)
        async with make_client(self._settings) as client:
            reader = EntryReader(self._settings, self._store, client, claimed, hosts)
            fetcher = functools.partial(self._one, reader, client, hosts)
            everything = asyncio.gather(*(fetcher(feed) for feed in feeds))
            if stop is None:
                return list(await everything)
            return await self._until(stop, everything, len(feeds))

    async def _until(
        self, stop: threading.Event, everything: asyncio.Future[list[FeedResult]], count: int
    ) -> list[FeedResult]:
        """The round's results, or none when `stop` is set first. Then every request and page
        still under way is dropped at once (the next round reads those feeds again: entries are
        remembered only once indexed, validators only once a fetch is whole), and an index
        write already under way is finished and remembered, so nothing is left half-done."""
        stopping = asyncio.create_task(_set(stop))
        either: set[asyncio.Future[Any]] = {everything, stopping}
        await asyncio.wait(either, return_when=asyncio.FIRST_COMPLETED)
        if everything.done():
            stopping.cancel()
            return list(everything.result())
        everything.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await everything
        await asyncio.gather(*self._commits, return_exceptions=True)
        log.info("feeds: stopped mid-round; its %d feeds are read again at the next round", count)
        return []

    async def _one(
        self, reader: EntryReader, client: httpx.AsyncClient, hosts: HostGate, feed: Feed
    ) -> FeedResult:
        """One feed's round, timed and counted by outcome (`index.monitoring`)."""
        started = time.perf_counter()
        result = await self._turn(reader, client, hosts, feed)
        FEED_FETCH_SECONDS.observe(time.perf_counter() - started)
        FEED_FETCHES.labels(outcome=result.outcome.replace(" ", "_")).inc()
        return result

    async def _turn(
        self, reader: EntryReader, client: httpx.AsyncClient, hosts: HostGate, feed: Feed
    ) -> FeedResult:
        """One feed's round; whatever it raises stays this feed's failure, never the round's."""
        try:
            return await self._fetch_feed(reader, client, hosts, feed)
        except (FeedError, httpx.HTTPError, TimeoutError, OSError) as exc:
            return self._failed(feed, describe(exc, self._settings.feeds_timeout_seconds))
        except Exception as exc:  # a surprise from a library or a bug: logged whole, once
            log.error(
                "feed %d (%s): unexpected failure", feed.id, shown_url(feed.url), exc_info=True
            )
            return self._failed(feed, describe(exc, self._settings.feeds_timeout_seconds))

    async def _fetch_feed(
        self, reader: EntryReader, client: httpx.AsyncClient, hosts: HostGate, feed: Feed
    ) -> FeedResult:
        settings = self._settings
        async with asyncio.timeout(settings.feeds_timeout_seconds):
            got = await fetch(
                client, feed.url, max_bytes=settings.feeds_max_bytes,
                max_redirects=settings.feeds_max_redirects, etag=feed.etag,
                last_modified=feed.last_modified, accept=FEED_ACCEPT, hosts=hosts,
            )  # fmt: skip
        if got.not_modified:
            self._succeeded(feed, feed.etag, feed.last_modified)
            return FeedResult(feed, "not modified")
        cut = f"longer than FEEDS_MAX_BYTES={settings.feeds_max_bytes}, cut there"
        try:
            # Parsing (and reading pages, below) is CPU work: in a thread, so the other feeds'
            # requests and timers go on meanwhile.
            parsed = await asyncio.to_thread(
                parse_feed, got.body, url=got.url, content_type=got.content_type,
                max_entries=settings.feeds_max_entries,
            )  # fmt: skip
        except FeedError as exc:
            raise FeedError(f"{cut}; {exc}" if got.truncated else str(exc)) from None
        if got.truncated:
            log.warning(
                "feed %d (%s): %s; its %d readable entries are used",
                feed.id, shown_url(feed.url), cut, len(parsed.entries),
            )  # fmt: skip
        elif parsed.problem:
            log.warning(
                "feed %d (%s): malformed (%s); its %d readable entries are used",
                feed.id, shown_url(feed.url), parsed.problem, len(parsed.entries),
            )  # fmt: skip
        if parsed.dropped:
            log.warning(
                "feed %d (%s): %d entries, more than FEEDS_MAX_ENTRIES=%d: the %d oldest left out",
                feed.id, shown_url(feed.url), len(parsed.entries) + parsed.dropped,
                settings.feeds_max_entries, parsed.dropped,
            )  # fmt: skip
        read = await reader.read_all(feed, parsed)
        result = FeedResult(feed, "nothing new")
        if read.articles:
            # Shielded: a round stopped now still finishes the write and remembers its entries.
            commit = asyncio.create_task(self._commit(feed, read))
            self._commits.add(commit)
            commit.add_done_callback(self._commits.discard)
            written = await asyncio.shield(commit)
            if written.outcome != "new":
                return written
            result = written
        for keys in read.known:  # seen under new keys (a second link to a known story)
            self._store.remember(feed.id, None, keys)
        if read.incomplete:  # keep the old validators: the next fetch must not be a 304
            self._succeeded(feed, feed.etag, feed.last_modified)
        else:
            self._succeeded(feed, got.etag, got.last_modified)
        return result

    async def _commit(self, feed: Feed, read: ReadEntries) -> FeedResult:
        """Index a feed's new articles, then remember their entries as seen."""
        async with self._writing:
            try:
                report = await asyncio.to_thread(self._write, [a for a, _ in read.articles])
            except IndexBusyError:
                log.info("feed %d: another process is writing the index; next round", feed.id)
                return FeedResult(feed, "busy")
            except NewsIndexError as exc:
                return self._failed(feed, f"the index write failed: {exc}")
        for article, keys in read.articles:
            self._store.remember(feed.id, article.id, keys)
        return FeedResult(feed, "new", added=[*report.added, *report.updated])

    def _succeeded(self, feed: Feed, etag: str | None, last_modified: str | None) -> None:
        next_at = schedule.after_success(time.time(), feed.interval_seconds)
        self._store.fetched(feed.id, next_fetch_at=next_at, etag=etag, last_modified=last_modified)

    def _failed(self, feed: Feed, error: str) -> FeedResult:
        failures = feed.failures + 1
        wait = schedule.backoff_seconds(feed.interval_seconds, failures)
        self._store.failed(
            feed.id,
            next_fetch_at=schedule.after_failure(time.time(), feed.interval_seconds, failures),
            error=error,
        )
        log.warning(
            "feed %d (%s): %s; failure %d in a row, next try in about %s",
            feed.id, shown_url(feed.url), error, failures, schedule.format_interval(round(wait)),
        )  # fmt: skip
        return FeedResult(feed, "failed", error=error)


def run_round(
    settings: FeedSettings, store: FeedStore, write: Write, stop: threading.Event | None = None
) -> list[FeedResult]:
    """One round of due feeds on an event loop of its own (blocking): for a thread, or a CLI.
    Setting `stop` (from any thread) ends it within a fraction of a second, or once an index
    write under way is done."""
    return asyncio.run(FeedRunner(settings, store, write).run_due(stop=stop))


async def _set(event: threading.Event, every: float = 0.1) -> None:
    """Return once another thread has set `event` (threading events have no awaitable form)."""
    while not event.is_set():
        await asyncio.sleep(every)
