"""Post pending alerts to their chats and settle them in the log, whatever Telegram answers.

One alert per story (`bot.alerts.stories`): an article of a story the chat was alerted to is
not sent again; the alert is edited to name its outlet (`bot.alerts.story_edits`).

Sent alerts are marked sent right after Telegram accepts them. A `RetryAfter` that outlasts the
rate limiter's own retries, a timeout or a network failure leaves them pending for the next
round: delayed, never dropped. A chat that removed the bot (`Forbidden`, "chat not found") is
disabled; a group that became a supergroup is followed to its new id.

A closed forum topic (`TOPIC_CLOSED`: only its admins may post there) keeps its alerts pending,
retried each round, for ALERT_CLOSED_TOPIC_HOURS; older ones are dropped. Neither reopening
the topic (the group's admins closed it) nor posting in General instead (where the topic's
readers would not look) is the bot's call.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from telegram import Bot
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter

from bot.alerts.model import AlertStatus, Delivery, PendingAlert
from bot.alerts.render import format_alert, format_digest, unsubscribe_keyboard
from bot.alerts.stories import NewStory, plan_stories, story_alert
from bot.alerts.story_edits import GONE, TOPIC_CLOSED, StoryEditor
from bot.alerts.subscriptions import SubscriptionStore
from bot.monitoring import ALERT_MESSAGES_FAILED, ALERT_MESSAGES_SENT
from index import CitationRecordError, Hit, hit_from_record

log = logging.getLogger(__name__)

MAX_UNSUBSCRIBE_BUTTONS = 5
_THREAD_GONE = "message thread not found"


@dataclass(slots=True)
class OutgoingMessage:
    """One message to send, and the log entries it settles once sent."""

    text: str
    keys: list[tuple[int, int, str]]
    buttons: list[tuple[int, str | None]] = field(default_factory=list)
    """(subscription id, topic or None for "every article") to offer an unsubscribe button for."""
    first_matched_at: str = ""
    """When the oldest of its alerts matched (ISO 8601, as the log stores it)."""
    stories: list[NewStory] = field(default_factory=list)
    """The stories it alerts, recorded in the log with it once it is sent."""
    digest: bool = False


def readable(alerts: Sequence[PendingAlert]) -> tuple[list[tuple[PendingAlert, Hit]], list[str]]:
    """The alerts whose stored citation this program reads, each with its hit; and why each
    of the others cannot be read (they stay pending, for the program that wrote them)."""
    found: list[tuple[PendingAlert, Hit]] = []
    problems: list[str] = []
    for alert in alerts:
        try:
            found.append((alert, hit_from_record(alert.citation)))
        except CitationRecordError as exc:
            problems.append(f"alert {alert.key}: {exc}")
    return found, problems


def plan_messages(
    stories: Sequence[NewStory], *, digest_after: int, daily: bool
) -> list[OutgoingMessage]:
    """A chat's new stories (`bot.alerts.stories.plan_stories`) as messages: one per story, or
    one digest for a burst (a daily chat: always), one entry per story."""
    if not stories:
        return []
    if daily or len(stories) > digest_after:
        alerts_only = [a for story in stories for a in story.alerts]
        texts = format_digest([story.alert for story in stories], daily=daily)
        keys = [a.key for a in alerts_only]
        first = min(a.matched_at for a in alerts_only)
        parts = [OutgoingMessage(text, [], first_matched_at=first, digest=True) for text in texts]
        # Every part must be sent before the log says so: the keys go with the last one.
        last = parts[-1]
        last.keys, last.buttons, last.stories = keys, _buttons(alerts_only), list(stories)
        return parts
    return [
        OutgoingMessage(
            format_alert(story.alert),
            story.keys,
            _buttons(story.alerts),
            min(a.matched_at for a in story.alerts),
            [story],
        )
        for story in stories
    ]


def _buttons(alerts: Sequence[PendingAlert]) -> list[tuple[int, str | None]]:
    counts: dict[tuple[int, str | None], int] = {}
    for alert in alerts:
        key = (alert.subscription_id, None if alert.every_article else alert.topic)
        counts[key] = counts.get(key, 0) + 1
    ranked = sorted(counts, key=lambda k: -counts[k])
    return ranked[:MAX_UNSUBSCRIBE_BUTTONS]


class AlertSender:
    """Sends what the log has pending, chat by chat."""

    def __init__(
        self, store: SubscriptionStore, *, digest_after: int, closed_topic_hours: float = 24.0
    ) -> None:
        self.store = store
        self.digest_after = digest_after
        self.closed_topic_patience = timedelta(hours=closed_topic_hours)
        self._unreadable_logged: set[str] = set()
        self._closed_topics: set[tuple[int, int]] = set()
        """(chat, thread) of topics found closed, so it is logged once while it stays closed."""
        self._editor = StoryEditor(store, self._disable)

    async def deliver(
        self, bot: Bot, delivery: Delivery, chat_ids: Sequence[int] | None = None
    ) -> int:
        """Send the pending alerts of chats with this delivery mode (of these chats only, if
        given); how many messages went out.

        Nothing while another replica on the same PostgreSQL database is delivering.
        """
        lock = self.store.delivery_lock(delivery)
        if not await asyncio.to_thread(lock.acquire):
            return 0
        try:
            return await self._deliver(bot, delivery, chat_ids)
        finally:
            await asyncio.to_thread(lock.release)

    async def _deliver(self, bot: Bot, delivery: Delivery, chat_ids: Sequence[int] | None) -> int:
        pending = await asyncio.to_thread(self.store.pending, delivery, chat_ids)
        sent = 0
        for chat_id, alerts in pending.items():
            by_thread: dict[int, list[PendingAlert]] = {}
            for alert in alerts:
                by_thread.setdefault(alert.thread_id, []).append(alert)
            for thread_id, thread_alerts in by_thread.items():
                decoded, problems = readable(thread_alerts)
                for problem in problems:
                    if problem not in self._unreadable_logged:  # once per process
                        self._unreadable_logged.add(problem)
                        log.error("%s; it stays pending", problem)
                if not decoded:
                    continue
                count, chat_id, go_on = await self._deliver_thread(
                    bot, chat_id, thread_id, decoded, daily=delivery is Delivery.DAILY
                )
                sent += count
                if not go_on:
                    break
        return sent

    async def _deliver_thread(
        self,
        bot: Bot,
        chat_id: int,
        thread_id: int,
        decoded: Sequence[tuple[PendingAlert, Hit]],
        *,
        daily: bool,
    ) -> tuple[int, int, bool]:
        """One forum topic's pending alerts (thread 0: the chat itself), story by story: edits
        of the alerts it has, then new messages. As `_send_all` answers."""
        wanted = {a.story for a, _ in decoded} | {a.follows for a, _ in decoded if a.follows}
        known = await asyncio.to_thread(self.store.story_alerts, chat_id, thread_id, wanted)
        plan = plan_stories(decoded, known)
        if plan.settled:
            await asyncio.to_thread(self.store.mark, plan.settled, AlertStatus.SENT)
        if plan.unshown:
            log.info(
                "chat %s: %d article(s) of stories alerted where they cannot be added (a digest, "
                "a deleted message): not sent again", chat_id, len(plan.unshown),
            )  # fmt: skip
            await asyncio.to_thread(self.store.mark, plan.unshown, AlertStatus.DROPPED)
        chat_id, go_on, thread_on = await self._editor.edit_all(bot, chat_id, thread_id, plan.edits)
        if not (go_on and thread_on):
            return 0, chat_id, go_on
        messages = plan_messages(plan.new, digest_after=self.digest_after, daily=daily)
        return await self._send_all(bot, chat_id, thread_id, messages)

    async def _send_all(
        self, bot: Bot, chat_id: int, thread_id: int, messages: Sequence[OutgoingMessage]
    ) -> tuple[int, int, bool]:
        """Send one forum topic's messages (thread 0: the chat itself); how many went out, the
        chat's id now, and whether the chat's other topics may be posted to this round."""
        sent = 0
        for message in messages:
            message.keys = [(chat_id, sub, article) for _, sub, article in message.keys]
            try:
                chat_id, message_id = await self._send(bot, chat_id, thread_id, message)
            except RetryAfter as exc:
                ALERT_MESSAGES_FAILED.labels(reason="flood_control").inc()
                log.warning("alerts to chat %s delayed: flood control (%s)", chat_id, exc)
                return sent, chat_id, False
            except Forbidden as exc:
                ALERT_MESSAGES_FAILED.labels(reason="chat_gone").inc()
                await self._disable(chat_id, exc)
                return sent, chat_id, False
            except BadRequest as exc:
                if any(marker in exc.message.lower() for marker in GONE):
                    ALERT_MESSAGES_FAILED.labels(reason="chat_gone").inc()
                    await self._disable(chat_id, exc)
                    return sent, chat_id, False
                if thread_id and TOPIC_CLOSED in exc.message.lower():
                    ALERT_MESSAGES_FAILED.labels(reason="topic_closed").inc()
                    await self._topic_closed(chat_id, thread_id, message)
                    return sent, chat_id, True
                if thread_id and _THREAD_GONE in exc.message.lower():
                    ALERT_MESSAGES_FAILED.labels(reason="topic_gone").inc()
                    stopped = await asyncio.to_thread(self.store.close_thread, chat_id, thread_id)
                    log.warning(
                        "forum topic %s of chat %s is gone (%s): its %d subscription(s) stopped",
                        thread_id, chat_id, exc.message, stopped,
                    )  # fmt: skip
                    return sent, chat_id, True
                ALERT_MESSAGES_FAILED.labels(reason="refused").inc()
                log.error("alert to chat %s refused, dropped: %s", chat_id, exc.message)
                await asyncio.to_thread(self.store.mark, message.keys, AlertStatus.DROPPED)
                continue
            except NetworkError as exc:
                ALERT_MESSAGES_FAILED.labels(reason="network").inc()
                log.warning("alerts to chat %s delayed: %s", chat_id, exc)
                return sent, chat_id, False
            sent += 1
            ALERT_MESSAGES_SENT.labels(kind="digest" if message.digest else "alert").inc()
            stories = [
                story_alert(
                    chat_id,
                    thread_id,
                    story,
                    message.buttons,
                    message_id=None if message.digest else message_id,
                )
                for story in message.stories
            ]
            await asyncio.to_thread(self.store.mark, message.keys, AlertStatus.SENT, stories)
            if (chat_id, thread_id) in self._closed_topics:
                self._closed_topics.discard((chat_id, thread_id))
                log.info(
                    "forum topic %s of chat %s is open again: its alerts go out", thread_id, chat_id
                )
        return sent, chat_id, True

    async def _topic_closed(self, chat_id: int, thread_id: int, message: OutgoingMessage) -> None:
        """The topic is closed: the message waits for it to reopen, unless it waited too long."""
        if (chat_id, thread_id) not in self._closed_topics:
            self._closed_topics.add((chat_id, thread_id))
            log.warning(
                "forum topic %s of chat %s is closed: its alerts wait for it to reopen (for %s)",
                thread_id, chat_id, self.closed_topic_patience,
            )  # fmt: skip
        oldest_kept = (datetime.now(UTC) - self.closed_topic_patience).isoformat(
            timespec="microseconds"
        )
        if message.first_matched_at < oldest_kept:
            log.warning(
                "alert to forum topic %s of chat %s dropped: the topic stayed closed for over %s",
                thread_id, chat_id, self.closed_topic_patience,
            )  # fmt: skip
            await asyncio.to_thread(self.store.mark, message.keys, AlertStatus.DROPPED)

    async def _send(
        self, bot: Bot, chat_id: int, thread_id: int, message: OutgoingMessage
    ) -> tuple[int, int]:
        """Send one message; returns the chat id it went to (a migrated group has a new one)
        and the message's id."""
        thread = thread_id or None
        markup = unsubscribe_keyboard(message.buttons)
        try:
            sent = await bot.send_message(
                chat_id, message.text, reply_markup=markup, message_thread_id=thread
            )
        except ChatMigrated as exc:
            new_id = exc.new_chat_id
            log.info("chat %s became supergroup %s: following it", chat_id, new_id)
            await asyncio.to_thread(self.store.migrate_chat, chat_id, new_id)
            message.keys = [(new_id, sub, article) for _, sub, article in message.keys]
            sent = await bot.send_message(new_id, message.text, reply_markup=markup)
            return new_id, sent.message_id
        return chat_id, sent.message_id

    async def _disable(self, chat_id: int, exc: Exception) -> None:
        stopped = await asyncio.to_thread(self.store.disable_chat, chat_id, str(exc))
        log.warning(
            "chat %s cannot be posted to (%s): its %d subscription(s) are disabled",
            chat_id, exc, stopped,
        )  # fmt: skip
