"""Feeds as an attacker or a careless publisher serves them: URLs that only some parsers take,
and feeds of tens of thousands of items. Real HTTP on 127.0.0.1, the real runner and writer."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape

import pytest

from index.errors import FeedUrlError
from index.feeds.registry import FeedStore
from index.feeds.urls import check_url
from tests.feed_server import FeedServer
from tests.index.feeds.conftest import Fetching, add
from tests.index.feeds.samples import STORIES, article_page, rss

pytestmark = pytest.mark.slow

UNUSABLE = "http://0177.0.0.1:1/x"
"""An octal IPv4 host: `urlsplit` takes it, httpx refuses it when asked to fetch it."""


@pytest.mark.parametrize("url", [UNUSABLE, "http://[::1/x", "http://256.1.1.1/rss"])
def test_urls_httpx_cannot_use_are_refused_when_checked(url: str) -> None:
    with pytest.raises(FeedUrlError, match="not a valid URL"):
        check_url(url)


def test_a_feed_with_an_unusable_url_fails_alone(
    feed_server: FeedServer, fetching: Fetching, store: FeedStore,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    # Stored before `feeds add` refused such URLs (or written by hand): it must not stop others.
    bad = add(store, UNUSABLE)
    feed_server.serve("/story/drones", article_page("drones"))
    good = add(store, feed_server.serve(
        "/good.xml", rss([("g-d", feed_server.url("/story/drones"), "drones")])))  # fmt: skip
    with caplog.at_level(logging.WARNING):
        results = fetching.round()
    assert results[bad].outcome == "failed"
    assert "not a valid URL" in (results[bad].error or "")
    assert results[good].outcome == "new"
    assert list(fetching.indexed()) == [STORIES["drones"][0]]
    failed = store.get(bad)
    assert failed is not None and failed.failures == 1


def test_an_entry_with_an_unusable_link_is_skipped_once_and_the_rest_indexed(
    feed_server: FeedServer, fetching: Fetching, store: FeedStore,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    feed_server.serve("/story/harvest", article_page("harvest"))
    feed = add(store, feed_server.serve("/mixed.xml", rss([
        ("g-bad", UNUSABLE, "drones"),
        ("g-good", feed_server.url("/story/harvest"), "harvest"),
    ])))  # fmt: skip
    with caplog.at_level(logging.WARNING):
        first = fetching.round()
    assert first[feed].outcome == "new"
    assert list(fetching.indexed()) == [STORIES["harvest"][0]]
    skipped = [r.getMessage() for r in caplog.records if "0177.0.0.1" in r.getMessage()]
    assert len(skipped) == 1 and "skipped" in skipped[0] and "not a valid URL" in skipped[0]
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        again = fetching.round()
    assert again[feed].outcome == "nothing new"  # never retried: it cannot ever be fetched
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def huge_feed(server: FeedServer, items: int) -> str:
    """An RSS feed of `items` entries, item n published n minutes after the first, listed
    oldest first; each links to a page under /p/."""
    start = datetime(2024, 3, 1, tzinfo=UTC)
    body = "".join(
        f"<item><title>Item {n}</title><link>{escape(server.url(f'/p/{n}'))}</link>"
        f"<guid isPermaLink='false'>item-{n}</guid>"
        f"<pubDate>{format_datetime(start + timedelta(minutes=n))}</pubDate></item>"
        for n in range(items)
    )
    return server.serve(
        "/huge.xml",
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Huge</title>{body}'
        "</channel></rss>",
        "application/rss+xml",
    )


def page_numbers(server: FeedServer, since: int = 0) -> list[int]:
    return sorted(
        int(r.path.rsplit("/", 1)[1]) for r in server.requests[since:] if r.path.startswith("/p/")
    )


def test_a_huge_feed_costs_a_bounded_number_of_entries_pages_and_connections(
    feed_server: FeedServer, fetching: Fetching, store: FeedStore,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    fetching.settings = fetching.settings.model_copy(update={
        "feeds_max_entries": 25, "feeds_max_pages": 10, "feeds_host_connections": 2,
        "feeds_max_bytes": 5_000_000,
    })  # fmt: skip
    feed_server.pages("/p/", status=404, seconds=0.05)  # every page gone: nothing is written
    feed = add(store, huge_feed(feed_server, 20_000))
    with caplog.at_level(logging.WARNING):
        fetching.round()
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith(f"feed {feed}")]
    cut = [line for line in lines if "FEEDS_MAX_ENTRIES" in line]
    assert cut == [
        f"feed {feed} ({feed_server.url('/huge.xml')}): 20000 entries, more than "
        "FEEDS_MAX_ENTRIES=25: the 19975 oldest left out"
    ]
    waiting = [line for line in lines if "FEEDS_MAX_PAGES" in line]
    assert waiting == [
        f"feed {feed}: 15 new entries wait for the next round (FEEDS_MAX_PAGES=10 pages a round)"
    ]
    first = page_numbers(feed_server)
    assert len(first) == 10 and set(first) <= set(range(19_975, 20_000))  # the newest only
    assert feed_server.most_in_flight <= 2  # the feed's host, two at a time
    assert len(lines) <= 2 + 10  # a line for each page fetched at most, not one per entry
    seen = len(feed_server.requests)
    fetching.round()  # the next round takes the next pages of the newest 25, none twice
    second = page_numbers(feed_server, seen)
    assert len(second) == 10 and not set(second) & set(first)
    assert set(second) <= set(range(19_975, 20_000))
    assert fetching.writes == []
