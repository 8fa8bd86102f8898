"""Story alerts edited to name another outlet that reported the story.

Edits go through the bot like messages, so the same rate limiter (`bot.message_rate_limiter`)
holds them to Telegram's flood limits, and they answer the same way: a `RetryAfter` or a network
failure leaves the articles pending for the next round. An edit Telegram refuses for good (the
message deleted: "message to edit not found", "message can't be edited") is logged once and the
alert left alone from then on, never resent as a new message; "message is not modified" (the
edit was made before a restart, and not recorded) counts as done. Each edit is recorded in the
same transaction that marks its articles sent, so a restart does not edit again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace

from telegram import Bot
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter

from bot.alerts.model import AlertStatus
from bot.alerts.render import unsubscribe_keyboard
from bot.alerts.stories import StoryEdit, edited_alert
from bot.alerts.subscriptions import SubscriptionStore
from index import CitationRecordError

log = logging.getLogger(__name__)

TOPIC_CLOSED = "topic_closed"
GONE = ("chat not found", "bot was kicked", "bot is not a member", "have no rights to send")
"""What Telegram says when the bot can no longer post in a chat at all."""
_NOT_MODIFIED = "message is not modified"
_CANNOT_EDIT = ("message to edit not found", "message can't be edited")


class StoryEditor:
    """Carries out `StoryEdit`s for `bot.alerts.delivery.AlertSender`."""

    def __init__(
        self,
        store: SubscriptionStore,
        disable: Callable[[int, Exception], Awaitable[None]],
    ) -> None:
        self.store = store
        self._disable = disable
        """What to do with a chat the bot can no longer post to (its subscriptions stop)."""

    async def edit_all(
        self, bot: Bot, chat_id: int, thread_id: int, edits: Sequence[StoryEdit]
    ) -> tuple[int, bool, bool]:
        """Edit story alerts to name more outlets; the chat's id now, whether its other topics
        may be posted to this round, and whether this topic may."""
        for edit in edits:
            story = replace(edit.story, chat_id=chat_id)
            keys = [(chat_id, sub, article) for _, sub, article in edit.keys]
            try:
                text, buttons = edited_alert(story)
            except CitationRecordError as exc:
                log.error("alert of story %s in chat %s cannot be edited (%s): left as it is",
                          story.story_id, chat_id, exc)  # fmt: skip
                await asyncio.to_thread(self.store.story_uneditable, story, keys)
                continue
            try:
                await bot.edit_message_text(
                    text, chat_id, story.message_id, reply_markup=unsubscribe_keyboard(buttons)
                )
            except RetryAfter as exc:
                log.warning("alert edits in chat %s delayed: flood control (%s)", chat_id, exc)
                return chat_id, False, False
            except Forbidden as exc:
                await self._disable(chat_id, exc)
                return chat_id, False, False
            except ChatMigrated as exc:  # the alert stayed in the old group
                log.info("chat %s became supergroup %s: following it", chat_id, exc.new_chat_id)
                await asyncio.to_thread(self.store.migrate_chat, chat_id, exc.new_chat_id)
                chat_id = exc.new_chat_id
                moved = [(chat_id, sub, article) for _, sub, article in keys]
                await asyncio.to_thread(
                    self.store.story_uneditable, replace(story, chat_id=chat_id), moved
                )
                continue
            except BadRequest as exc:
                refused = exc.message.lower()
                if any(marker in refused for marker in _CANNOT_EDIT):
                    log.warning(
                        "alert of story %s in chat %s can no longer be edited (%s): left as it "
                        "is, and not sent again", story.story_id, chat_id, exc.message,
                    )  # fmt: skip
                    await asyncio.to_thread(self.store.story_uneditable, story, keys)
                    continue
                if any(marker in refused for marker in GONE):
                    await self._disable(chat_id, exc)
                    return chat_id, False, False
                if thread_id and TOPIC_CLOSED in refused:
                    return chat_id, True, False  # edited once the topic reopens
                if _NOT_MODIFIED not in refused:
                    log.error("edit of the alert of story %s in chat %s refused, dropped: %s",
                              story.story_id, chat_id, exc.message)  # fmt: skip
                    await asyncio.to_thread(self.store.mark, keys, AlertStatus.DROPPED)
                    continue
            except NetworkError as exc:
                log.warning("alert edits in chat %s delayed: %s", chat_id, exc)
                return chat_id, False, False
            await asyncio.to_thread(self.store.story_edited, story, keys)
        return chat_id, True, True
