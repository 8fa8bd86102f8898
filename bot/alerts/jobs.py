"""The JobQueue jobs behind alerts: a round every ALERT_INTERVAL_SECONDS, a daily digest.

A round indexes what waits in the inbox folder, matches articles indexed since the last round
(by this bot or by the command line in another process) and posts what is pending. The first
round runs at start, so articles added while the bot was down are caught up.

With replicas on PostgreSQL every replica schedules both jobs, but only the holder of the alert
lease runs them (`bot.alerts.leader`); the others try to take the lease at each of their rounds.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC

from telegram.ext import Application, ContextTypes

from bot.alerts.model import Delivery
from bot.inbox import index_inbox
from bot.services import Services, services
from bot.settings import BotSettings
from index import IndexBusyError, IndexMissingError, NewsIndexError

log = logging.getLogger(__name__)

ALERT_JOB = "alerts"
DAILY_DIGEST_JOB = "daily-digest"


def schedule_alert_jobs(app: Application, settings: BotSettings) -> None:  # type: ignore[type-arg]
    job_queue = app.job_queue
    if job_queue is None:
        raise RuntimeError("alerts need python-telegram-bot's job-queue extra")
    job_queue.run_repeating(
        alert_round,
        interval=settings.alert_interval_seconds,
        first=0,
        name=ALERT_JOB,
        job_kwargs={"max_instances": 1, "coalesce": True},
    )
    at = settings.daily_digest_time
    job_queue.run_daily(
        daily_digest, time=at if at.tzinfo else at.replace(tzinfo=UTC), name=DAILY_DIGEST_JOB
    )


async def alert_round(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Inbox, then matching, then sending; one failing step does not stop the next round."""
    shared = services(context)
    if not await asyncio.to_thread(shared.leader.lead):
        return
    index = shared.answers.index
    problems = shared.problems
    try:
        await asyncio.to_thread(
            index_inbox, shared.settings, shared.settings.resolved_inbox_dir, index.embedder
        )
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


async def daily_digest(context: ContextTypes.DEFAULT_TYPE) -> None:
    """One digest message per chat that asked for daily delivery (by the lease's holder; a digest
    missed because the leader died at that moment stays pending for the next one)."""
    shared = services(context)
    if not await asyncio.to_thread(shared.leader.lead):
        return
    await _scan(shared)
    await shared.sender.deliver(context.bot, Delivery.DAILY)
