"""`python -m index feeds …`: the feed list and fetching, one function per command (the parser
is `index.feeds.cli`, which imports this module only when a feed command runs).

A thin layer over `index.feeds.registry` and `index.feeds.runner`; errors (a bad URL, an unknown
id, the database) are NewsIndexErrors, which `index.cli.main` prints as one `error:` line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import time
from typing import TYPE_CHECKING

from index.errors import FeedError
from index.feeds import schedule
from index.feeds.registry import Feed, FeedStore
from index.feeds.settings import FeedSettings
from index.feeds.urls import check_url, shown_url

if TYPE_CHECKING:  # fetching (and writing what it finds) is imported by the commands that fetch
    from index.articles.article import Article
    from index.feeds.runner import Write
    from index.writer import WriteReport

log = logging.getLogger(__name__)


def _settings(args: argparse.Namespace) -> FeedSettings:
    overrides = {"index_dir": args.index_dir} if args.index_dir else {}
    return FeedSettings(**overrides)


def _writer(settings: FeedSettings) -> Write:
    """Adds articles with the model loaded on first use (a round of 304s loads nothing)."""
    from index.embedding.model import load_embedder
    from index.writer import IndexWriter

    loaded: list[IndexWriter] = []

    def write(articles: list[Article]) -> WriteReport:
        if not loaded:
            loaded.append(IndexWriter(settings, load_embedder(settings)))
        return loaded[0].add(articles=articles)

    return write


def cmd_feeds_add(args: argparse.Namespace) -> int:
    settings = _settings(args)
    url = check_url(args.url)
    interval = schedule.parse_interval(args.interval or settings.feeds_default_interval)
    store = FeedStore(settings.database)
    try:
        feed = store.add(url, interval_seconds=interval, source=args.source)
    finally:
        store.close()
    print(f"feed {feed.id}: {shown_url(feed.url)}, every {schedule.format_interval(interval)}")
    return 0


def cmd_feeds_list(args: argparse.Namespace) -> int:
    store = FeedStore(_settings(args).database)
    try:
        feeds = store.list_feeds()
    finally:
        store.close()
    if not feeds:
        print("No feeds. Add one: python -m index feeds add URL")
    for feed in feeds:
        print(format_feed(feed))
    return 0


def cmd_feeds_remove(args: argparse.Namespace) -> int:
    store = FeedStore(_settings(args).database)
    try:
        if not store.remove(args.id):
            raise FeedError(f"no feed with id {args.id} (see `python -m index feeds list`)")
    finally:
        store.close()
    print(f"feed {args.id} removed; the articles it brought stay indexed")
    return 0


def cmd_feeds_fetch(args: argparse.Namespace) -> int:
    """Fetch now, whatever the schedule: one feed, or all. Exit 1 when a feed failed."""
    import asyncio

    from index.feeds.runner import FeedRunner

    settings = _settings(args)
    store = FeedStore(settings.database)
    try:
        feeds = store.list_feeds() if args.id is None else [_feed(store, args.id)]
        results = asyncio.run(FeedRunner(settings, store, _writer(settings)).run(feeds))
    finally:
        store.close()
    for result in results:
        print(result.line())
    return 1 if any(r.outcome == "failed" for r in results) else 0


def cmd_feeds_watch(args: argparse.Namespace) -> int:
    """Fetch due feeds until interrupted (Ctrl-C: exit 130), without the bot."""
    import asyncio

    from index.feeds.runner import FeedRunner

    settings = _settings(args)
    store = FeedStore(settings.database)
    write = _writer(settings)
    try:
        while True:
            results = asyncio.run(FeedRunner(settings, store, write).run_due())
            for result in results:
                print(result.line(), flush=True)
            upcoming = [f.next_fetch_at for f in store.list_feeds()]
            time.sleep(
                schedule.next_wake(upcoming, time.time(), longest=settings.feeds_check_seconds)
            )
    finally:
        store.close()


def _feed(store: FeedStore, feed_id: int) -> Feed:
    found = store.get(feed_id)
    if found is None:
        raise FeedError(f"no feed with id {feed_id} (see `python -m index feeds list`)")
    return found


def format_feed(feed: Feed) -> str:
    """`3  every 15m  next 2024-03-01 10:15 UTC  ok  https://…`, one feed a line."""
    due = dt.datetime.fromtimestamp(feed.next_fetch_at, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    state = "ok" if not feed.failures else f"{feed.failures} failures: {feed.last_error}"
    if feed.last_fetched_at is None and not feed.failures:
        state = "not fetched yet"
    source = f" [{feed.source}]" if feed.source else ""
    every = schedule.format_interval(feed.interval_seconds)
    return f"{feed.id}\tevery {every}\tnext {due}\t{state}\t{shown_url(feed.url)}{source}"
