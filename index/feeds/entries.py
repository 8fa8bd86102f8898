"""A feed's new entries → articles: dedup first, then the page, then dedup again.

An entry already seen (by GUID or link) costs nothing. One that carries its full text
(`content:encoded` or Atom content of FULL_CONTENT_CHARS or more) is used as it is; otherwise
its link is fetched (the same address policy, size cap and timeout as feeds) and trafilatura
reads the article, the feed filling in what the page lacks. After that the page's canonical URL
and the text's hash are checked too, and claimed for this round, so two feeds carrying one
story make one article.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

import httpx

from index.articles.article import Article
from index.articles.formats import make_article
from index.errors import FeedError, FeedHttpError, FeedUrlError
from index.feeds import dedup
from index.feeds.extract import decode, extract_page
from index.feeds.http import HostGate, describe, fetch
from index.feeds.parse import Entry, ParsedFeed
from index.feeds.registry import Feed, FeedStore
from index.feeds.settings import FeedSettings
from index.feeds.urls import shown_url

log = logging.getLogger(__name__)

FULL_CONTENT_CHARS = 1000
"""An entry carrying this much text is the article itself; shorter is a teaser for its page."""
PAGES_AT_ONCE = 4
"""Pages of one feed fetched at the same time."""
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"


@dataclass(slots=True)
class ReadEntries:
    articles: list[tuple[Article, list[str]]] = field(default_factory=list)
    """New articles, each with the keys to remember it by once it is indexed."""
    known: list[list[str]] = field(default_factory=list)
    """Keys of entries found to be stories already indexed (or claimed) under other keys."""
    incomplete: bool = False
    """An entry could not be read now (its page failed): the feed must be read again."""
    deferred: int = 0
    """Entries whose pages were over this round's FEEDS_MAX_PAGES: read at the next fetch."""
    pages_left: int = 0
    """Pages this feed may still fetch in this round."""


class EntryReader:
    """Reads entries for one round; `claimed` is shared by the round's feeds."""

    def __init__(
        self, settings: FeedSettings, store: FeedStore, client: httpx.AsyncClient,
        claimed: set[str], hosts: HostGate,
    ) -> None:  # fmt: skip
        self._settings = settings
        self._store = store
        self._client = client
        self._claimed = claimed
        self._hosts = hosts

    def _known(self, keys: list[str]) -> bool:
        return bool(self._claimed.intersection(keys) or self._store.seen(keys))

    async def read_all(self, feed: Feed, parsed: ParsedFeed) -> ReadEntries:
        read = ReadEntries(pages_left=self._settings.feeds_max_pages)
        gate = asyncio.Semaphore(PAGES_AT_ONCE)

        async def one(entry: Entry) -> None:
            async with gate:
                try:
                    await self._read(feed, parsed, entry, read)
                except Exception:  # a surprise from a library or a bug: this entry's alone
                    log.error(
                        "feed %d: entry %s: skipped after an unexpected failure",
                        feed.id, shown_url(entry.link or entry.guid or "?"), exc_info=True,
                    )  # fmt: skip
                    keys = dedup.keys(
                        dedup.guid_key(feed.id, entry.guid), dedup.url_key(entry.link)
                    )
                    self._claimed.difference_update(keys)
                    read.known.append(keys)

        await asyncio.gather(*(one(e) for e in parsed.entries))
        if read.deferred:
            log.warning(
                "feed %d: %d new entries wait for the next round (FEEDS_MAX_PAGES=%d pages a round)",
                feed.id, read.deferred, self._settings.feeds_max_pages,
            )  # fmt: skip
        return read

    async def _read(self, feed: Feed, parsed: ParsedFeed, entry: Entry, read: ReadEntries) -> None:
        first = dedup.keys(dedup.guid_key(feed.id, entry.guid), dedup.url_key(entry.link))
        if self._known(first):
            return
        self._claimed.update(first)
        article = await self._article(feed, parsed, entry, read)
        if article is None:
            self._claimed.difference_update(first)  # read again at the next fetch
            read.incomplete = True
            return
        if isinstance(article, str):  # never an article (no text, a page gone): not again
            read.known.append(first)
            return
        later = dedup.keys(dedup.url_key(article.url), dedup.text_key(article.text))
        later = [k for k in later if k not in first]
        if self._known(later):
            read.known.append(first)
            return
        self._claimed.update(later)
        read.articles.append((article, first + later))

    async def _article(
        self, feed: Feed, parsed: ParsedFeed, entry: Entry, read: ReadEntries
    ) -> Article | str | None:
        """The entry's article; None (logged) when its page cannot be read now, why not (logged)
        when it never will be: a page gone (HTTP 404 or 410), a link no client can fetch, or no
        article text anywhere."""
        settings = self._settings
        text, page = entry.content, None
        if len(entry.content) < FULL_CONTENT_CHARS and entry.link:
            if read.pages_left <= 0:  # this round's pages are spent: the next fetch reads it
                read.deferred += 1
                return None
            read.pages_left -= 1
            try:
                async with asyncio.timeout(settings.feeds_timeout_seconds):
                    got = await fetch(
                        self._client, entry.link, max_bytes=settings.feeds_max_bytes,
                        max_redirects=settings.feeds_max_redirects, accept=PAGE_ACCEPT,
                        hosts=self._hosts,
                    )  # fmt: skip
            except (FeedError, httpx.HTTPError, TimeoutError, OSError) as exc:
                gone = isinstance(exc, FeedHttpError) and exc.status in (404, 410)
                if gone or isinstance(exc, FeedUrlError):  # never readable as it is written
                    log.warning(
                        "feed %d: entry %s: skipped: %s", feed.id, shown_url(entry.link), exc
                    )
                    return str(exc)
                log.warning(
                    "feed %d: entry %s: its page cannot be read (%s); tried again next fetch",
                    feed.id, shown_url(entry.link), describe(exc, settings.feeds_timeout_seconds),
                )  # fmt: skip
                return None
            # trafilatura takes from milliseconds to seconds a page: off the round's loop.
            html = decode(got.body, got.content_type)
            page = await asyncio.to_thread(extract_page, html, url=got.url)
            if page is not None:
                text = page.text
        if not text.strip():
            log.warning(
                "feed %d: entry %s: skipped: no article text on its page or in the feed",
                feed.id, shown_url(entry.link or entry.guid or "?"),
            )  # fmt: skip
            return "no article text"
        url = (page.canonical if page else None) or entry.link
        return make_article(
            record_id=None if url else dedup.entry_id(feed.id, entry.guid, text),
            default_id=dedup.entry_id(feed.id, entry.guid, text),
            title=(page.title if page else None) or entry.title,
            text=text,
            url=dedup_url(url),
            source=feed.source or (page.source if page else None) or parsed.title,
            published=(page.published if page else None) or entry.published,
            language=page.language if page else None,
            origin=f"feed {feed.id}: {shown_url(entry.link or entry.guid or '')}",
        )


def dedup_url(url: str | None) -> str | None:
    """The URL an article is shown with and named by: canonical, tracking parameters gone."""
    key = dedup.url_key(url)
    return key.removeprefix("url:") if key else None
