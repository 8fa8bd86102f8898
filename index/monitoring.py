"""The Prometheus metrics the index records: question encoding, searches, version loads, writes
and feed fetches.

Defined once, here, in the process's default registry, so building many searchers or writers in
one process (tests, replicas of nothing) never registers a series twice. Recording costs a lock
and an addition; nothing is served from here: the bot exposes them (`bot.metrics_server`), and
the command line, which serves nothing, records them unseen. This module imports
`prometheus_client` and nothing else of the product, so every part of `index` may use it.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram, Info

FAST_SECONDS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 10.0)
"""Buckets for what a reader waits on: a model call, a search, a message sent."""
SLOW_SECONDS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0)
"""Buckets for background work: loading a version, writing one, fetching a feed."""

QUESTION_ENCODE_SECONDS = Histogram(
    "newsbot_question_encode_seconds",
    "Model time to encode one batch of questions (every question waits for its batch's call).",
    buckets=FAST_SECONDS,
)
QUESTION_BATCH_SIZE = Histogram(
    "newsbot_question_batch_size",
    "Questions encoded together in one model call (index/embedding/query_batcher.py).",
    buckets=(1, 2, 4, 8, 16, 32, 64, 128),
)
SEARCH_SECONDS = Histogram(
    "newsbot_search_seconds",
    "One search of the index: waiting for its batch, encoding, vector and word search, "
    "ranking, confidence and bold sentences.",
    buckets=FAST_SECONDS,
)

INDEX_LOAD_SECONDS = Histogram(
    "newsbot_index_load_seconds",
    "Loading an index version to serve it: the first at start, then each one a writer publishes.",
    buckets=SLOW_SECONDS,
)
INDEX_LOADS = Counter(
    "newsbot_index_loads",
    "Index versions loaded to serve, by outcome (loaded, or failed: the previous one serves on).",
    ["outcome"],
)
INDEX_VERSION = Info(
    "newsbot_index_version",
    "The index version being served: its build id, model, store and format.",
)
INDEX_ARTICLES = Gauge("newsbot_index_articles", "Articles in the index version being served.")
INDEX_PASSAGES = Gauge("newsbot_index_passages", "Passages in the index version being served.")

INDEX_WRITE_SECONDS = Histogram(
    "newsbot_index_write_seconds",
    "One write of the index by this process (rebuild, add or remove), splitting and embedding "
    "included.",
    ["operation"],
    buckets=SLOW_SECONDS,
)
INDEX_WRITTEN_ARTICLES = Counter(
    "newsbot_index_written_articles",
    "Articles this process added, updated or removed in the index.",
    ["change"],
)
INDEX_EMBEDDED_PASSAGES = Counter(
    "newsbot_index_embedded_passages",
    "Passages this process's writes embedded (those not found in the vector cache).",
)

FEED_FETCHES = Counter(
    "newsbot_feed_fetches",
    "Feeds fetched, by outcome: new, nothing new, not modified, failed, busy (the index was "
    "being written).",
    ["outcome"],
)
FEED_FETCH_SECONDS = Histogram(
    "newsbot_feed_fetch_seconds",
    "One feed's turn in a round: the request, parsing, reading its pages, indexing what is new.",
    buckets=SLOW_SECONDS,
)
