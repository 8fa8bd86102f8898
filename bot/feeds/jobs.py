"""The JobQueue job behind feeds: every FEEDS_CHECK_SECONDS, the feeds that are due are fetched
and their new entries indexed (`index.feeds`); the alert round then finds them like any other
new article.

A round runs in a worker thread on an event loop of its own, so neither the network nor the
model ever blocks the bot's loop. With replicas on PostgreSQL only the holder of the alert
lease fetches: the job reads the lease as the alert round last saw it (`LeaderLease.held`) and
never calls `lead()` itself, since the lease's one connection is not shared between threads.
"""

from __future__ import annotations

import asyncio
import logging
import threading

from bot.context import NewsApp, NewsContext
from bot.monitoring import FEED_ROUNDS
from bot.settings import BotSettings
from index import IndexWriter, WriteReport, load_embedder
from index.articles.article import Article
from index.feeds.registry import FeedStore
from index.feeds.runner import Write, run_round

log = logging.getLogger(__name__)

FEED_JOB = "feeds"
STOP_CHECK_SECONDS = 0.2
"""How often a round checks whether the application is stopping."""


async def open_feeds(app: NewsApp, settings: BotSettings) -> None:
    """Open the feed store (its tables are migrated here) and schedule the job."""
    store = await asyncio.to_thread(FeedStore, settings.database)
    app.bot_data.feeds = store
    job_queue = app.job_queue
    if job_queue is None:
        raise RuntimeError("feeds need python-telegram-bot's job-queue extra")
    job_queue.run_repeating(
        feed_round,
        interval=settings.feeds_check_seconds,
        first=settings.feeds_check_seconds,  # after the first alert round has taken the lease
        name=FEED_JOB,
        job_kwargs={"max_instances": 1, "coalesce": True},
    )


def close_feeds(app: NewsApp) -> None:
    store = app.bot_data.take_feeds()
    if store is not None:
        store.close()


def _writer(settings: BotSettings) -> Write:
    """Adds articles with the process's one build model (EMBEDDING_BACKEND), loaded (with torch)
    by the first write that embeds more than ONNX_WRITE_LIMIT passages (fewer run on onnxruntime,
    `index.embedding.write_engine`): questions have their own encoder, and a bot whose writes
    stay small never loads this one."""

    def write(articles: list[Article]) -> WriteReport:
        return IndexWriter(settings, load_embedder(settings)).add(articles=articles)

    return write


async def feed_round(context: NewsContext) -> None:
    """Fetch the due feeds (by the lease's holder); a failure is logged, the next round runs.

    PTB's stop waits for running jobs, and a round can take minutes: the round is told to stop
    as soon as the application is stopping (SIGTERM, Ctrl-C), and it ends within a second or
    once an index write under way is done."""
    shared = context.bot_data.services
    if not shared.leader.held:
        return
    write = _writer(shared.settings)
    stop = threading.Event()
    work = asyncio.ensure_future(
        asyncio.to_thread(run_round, shared.settings, context.bot_data.feeds, write, stop)
    )
    while not work.done():
        await asyncio.wait({work}, timeout=STOP_CHECK_SECONDS)
        if not context.application.running:
            stop.set()
    try:
        results = work.result()
    except Exception:  # the database gone, a bug: the bot keeps answering, the next round retries
        FEED_ROUNDS.labels(outcome="failed").inc()
        log.exception("feeds: the round failed")
        return
    FEED_ROUNDS.labels(outcome="completed").inc()
    for result in results:
        if result.added:
            log.info("feeds: %s", result.line())
