"""The JobQueue job behind alerts: a round every ALERT_INTERVAL_SECONDS.

A round indexes what waits in the inbox folder, matches articles indexed since the last round
(by this bot or by the command line in another process), posts what is pending for instant
chats, and sends the daily digest of every daily chat whose digest time (its own, in its own
time zone, or DAILY_DIGEST_TIME in UTC) came since its last one. The first round runs at start,
so articles added while the bot was down are caught up, and a digest time missed while it was
down is made up at once.

With replicas on PostgreSQL every replica schedules the job, but only the holder of the alert
lease runs it (`bot.alerts.leader`); the others try to take the lease at each of their rounds.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime

from telegram import Bot

from bot.alerts.digest_times import default_digest, digest_due
from bot.alerts.model import Delivery
from bot.context import NewsApp, NewsContext, Services
from bot.inbox import index_inbox
from bot.monitoring import (
    ALERT_ROUND_SECONDS,
    ALERT_ROUNDS,
    ALERTS_PENDING,
    DIGEST_RUNS,
    DIGESTS_SENT,
)
from bot.settings import BotSettings
from index import IndexBusyError, IndexMissingError, NewsIndexError

log = logging.getLogger(__name__)

ALERT_JOB = "alerts"


def at_start() -> dict[str, object]:
    """APScheduler arguments that run a repeating job as soon as the job queue starts.

    A job added before the scheduler starts (in `post_init`) has its first run computed at
    start, one interval later, whatever `first` says (python-telegram-bot's note on `first`).
    A run time given here is kept, and no grace limit lets it run however late the start is.
    """
    return {"next_run_time": datetime.now(UTC), "misfire_grace_time": None}


def schedule_alert_jobs(app: NewsApp, settings: BotSettings) -> None:
    job_queue = app.job_queue
    if job_queue is None:
        raise RuntimeError("alerts need python-telegram-bot's job-queue extra")
    job_queue.run_repeating(
        alert_round,
        interval=settings.alert_interval_seconds,
        name=ALERT_JOB,
        job_kwargs={"max_instances": 1, "coalesce": True, **at_start()},
    )


async def alert_round(context: NewsContext) -> None:
    """Inbox, then matching, then sending; one failing step does not stop the next round."""
    shared = context.bot_data.services
    if not await asyncio.to_thread(shared.leader.lead):
        return
    started = time.perf_counter()
    ALERT_ROUNDS.inc()
    problems = shared.problems
    try:
        await asyncio.to_thread(index_inbox, shared.settings, shared.settings.resolved_inbox_dir)
    except IndexBusyError:
        log.info("inbox: another process is writing the index; trying again next round")
    except (NewsIndexError, OSError) as exc:
        problems.inbox.failed(exc)
    except Exception as exc:  # a bug in the inbox step must not stop alerts about what is indexed
        problems.inbox.failed(exc, expected=False)
    else:
        problems.inbox.succeeded()
    if not await _scan(shared):
        return
    await shared.sender.deliver(context.bot, Delivery.INSTANT)
    left = await asyncio.to_thread(shared.subscriptions.pending, Delivery.INSTANT)
    ALERTS_PENDING.set(sum(len(alerts) for alerts in left.values()))
    await _daily_digests(shared, context.bot)
    ALERT_ROUND_SECONDS.observe(time.perf_counter() - started)


async def _scan(shared: Services) -> bool:
    """Match new articles; False when there is no index yet (nothing can be pending then)."""
    try:
        await asyncio.to_thread(shared.scanner.scan)
    except IndexMissingError:
        return False
    except NewsIndexError as exc:
        shared.problems.scan.failed(exc)
    except Exception as exc:  # the subscriptions database full or damaged: delivery still runs
        shared.problems.scan.failed(exc, expected=False)
    else:
        shared.problems.scan.succeeded()
    return True


async def _daily_digests(shared: Services, bot: Bot) -> None:
    """One digest message per daily chat whose digest time came since its last digest. A chat
    whose digest could not be sent stays due, and is tried again next round."""
    now = datetime.now(UTC)
    default = default_digest(shared.settings.daily_digest_time)
    chats = await asyncio.to_thread(shared.subscriptions.chats)
    due: list[int] = []
    for chat in chats:
        if chat.delivery is not Delivery.DAILY or chat.disabled_reason is not None:
            continue
        if chat.digest_sent_at is None:  # daily since before digest times were kept
            await asyncio.to_thread(shared.subscriptions.digest_sent, chat.chat_id, now.isoformat())
        elif digest_due(now, chat.digest_time or default, chat.digest_sent_at):
            due.append(chat.chat_id)
    if not due:
        return
    DIGEST_RUNS.inc()
    await shared.sender.deliver(bot, Delivery.DAILY, due)
    left = await asyncio.to_thread(shared.subscriptions.pending, Delivery.DAILY, due)
    for chat_id in due:
        if chat_id not in left:
            await asyncio.to_thread(shared.subscriptions.digest_sent, chat_id, now.isoformat())
            DIGESTS_SENT.inc()
