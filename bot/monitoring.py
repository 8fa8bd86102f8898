"""The Prometheus metrics the bot records: updates, answers, alert rounds, digests, feed rounds.

Defined once, here, in the process's default registry (the index's are in `index.monitoring`),
so several Applications built in one process share them instead of registering a series twice.
One bot process is one replica: Prometheus scrapes each replica and sums them. Served at
`/metrics` by `bot.metrics_server`.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

from prometheus_client import Counter, Gauge, Histogram
from telegram import Update

from index.monitoring import FAST_SECONDS, SLOW_SECONDS

UPDATES = Counter("newsbot_updates", "Updates received from Telegram, by kind.", ["kind"])
UPDATE_QUEUE_SIZE = Gauge(
    "newsbot_update_queue_size", "Updates received and waiting to be handled (read at scrape)."
)
UPDATES_IN_PROGRESS = Gauge(
    "newsbot_updates_in_progress",
    "Updates being handled at this moment, at most CONCURRENT_UPDATES (read at scrape).",
)

ANSWER_OUTCOMES = ("answered", "not_covered", "rate_limited", "error", "no_index")
ANSWERS = Counter("newsbot_answers", "Questions taken, by what became of them.", ["outcome"])
ANSWER_SECONDS = Histogram(
    "newsbot_answer_seconds",
    "From a question taken to its answer sent, for answered questions.",
    buckets=FAST_SECONDS,
)
ANSWER_SEND_SECONDS = Histogram(
    "newsbot_answer_send_seconds",
    "Sending an answer to Telegram (the rate limiter's waits included).",
    buckets=FAST_SECONDS,
)

ALERT_ROUNDS = Counter(
    "newsbot_alert_rounds", "Alert rounds run by this replica (it held the alert lease)."
)
ALERT_ROUND_SECONDS = Histogram(
    "newsbot_alert_round_seconds",
    "One alert round: inbox, matching, sending, daily digests.",
    buckets=SLOW_SECONDS,
)
ALERT_MESSAGES_SENT = Counter(
    "newsbot_alert_messages_sent",
    "Alert messages Telegram accepted: one per story (alert) or one for many (digest).",
    ["kind"],
)
ALERT_MESSAGES_FAILED = Counter(
    "newsbot_alert_messages_failed",
    "Alert messages Telegram did not take, by reason: flood_control, network (both retried "
    "next round), chat_gone, topic_closed, topic_gone, refused (dropped).",
    ["reason"],
)
ALERTS_PENDING = Gauge(
    "newsbot_alerts_pending",
    "Instant alerts still pending after the last round's delivery (on the lease's holder).",
)
DIGEST_RUNS = Counter(
    "newsbot_digest_runs", "Alert rounds in which some chat's daily digest was due."
)
DIGESTS_SENT = Counter("newsbot_digests_sent", "Chats whose daily digest was sent.")

FEED_ROUNDS = Counter(
    "newsbot_feed_rounds",
    "Feed rounds run by the bot, by outcome (completed, or failed as a whole).",
    ["outcome"],
)

Params = ParamSpec("Params")
Result = TypeVar("Result")


def update_kind(update: object) -> str:
    """What an update carries (`message`, `callback_query`, …), named as the Bot API does."""
    if isinstance(update, Update):
        for kind in Update.ALL_TYPES:
            if getattr(update, kind, None) is not None:
                return str(kind)
    return "other"


async def count_update(update: object, _: object) -> None:
    """A handler before all others (group -1): counts the update, handles nothing."""
    UPDATES.labels(kind=update_kind(update)).inc()


def counts_errors(
    handler: Callable[Params, Awaitable[Result]],
) -> Callable[Params, Awaitable[Result]]:
    """The question handler, counting a question it fails on as `error` (then raising on)."""

    @functools.wraps(handler)
    async def counted(*args: Params.args, **kwargs: Params.kwargs) -> Result:
        try:
            return await handler(*args, **kwargs)
        except Exception:
            ANSWERS.labels(outcome="error").inc()
            raise

    return counted


for _outcome in ANSWER_OUTCOMES:  # every outcome scraped from the start, at 0: rate() needs it
    ANSWERS.labels(outcome=_outcome)
for _kind in ("alert", "digest"):
    ALERT_MESSAGES_SENT.labels(kind=_kind)
