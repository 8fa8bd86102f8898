"""Handlers of /subscribe, /unsubscribe, /subscriptions, /digest, the unsubscribe button and the
bot's own membership changes. Parse, check who asks, call the store, reply."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import logging
from collections.abc import Sequence

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest

from bot import texts
from bot.alerts.arguments import (
    ALL_TOPICS,
    DigestProblem,
    parse_digest,
    parse_subscribe,
    parse_unsubscribe,
    split_channel,
)
from bot.alerts.digest_times import default_digest
from bot.alerts.filters import FilterLimits, FilterTooLong, TooManyFilters, filter_problem
from bot.alerts.model import ChatInfo, Delivery
from bot.alerts.permissions import TargetChat, channel_for, is_admin, may_manage_here
from bot.alerts.render import digest_time_text, filters_html, format_subscriptions
from bot.context import NewsContext
from bot.escaping import escape, quoted
from bot.html_split import split_message
from bot.settings import BotSettings

log = logging.getLogger(__name__)

_GONE = (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED)


def _arguments(context: NewsContext) -> str:
    return " ".join(context.args or [])


async def _reply(message: Message, text: str) -> None:
    await _reply_parts(message, split_message(text))


async def _reply_parts(message: Message, parts: Sequence[str]) -> None:
    """Replies in order, the first quoting the command in groups (so it is clear what to)."""
    for number, part in enumerate(parts):
        await message.reply_text(
            part, do_quote=number == 0 and message.chat.type != ChatType.PRIVATE
        )


async def _target(update: Update, context: NewsContext, channel: str | None) -> TargetChat | None:
    """The chat the command is about, when the sender may change it; otherwise reply why not."""
    message = update.effective_message
    assert message is not None
    user = update.effective_user
    if channel is not None:
        if message.chat.type != ChatType.PRIVATE:
            await _reply(message, texts.CHANNEL_ONLY_FROM_PRIVATE)
            return None
        found = await channel_for(context.bot, channel, user)
        if isinstance(found, str):
            await _reply(message, found)
            return None
        return found
    if not await may_manage_here(context.bot, message, user):
        await _reply(message, texts.ONLY_ADMINS)
        return None
    return _here(message)


def _here(message: Message) -> TargetChat:
    """The chat the command was sent in, and its forum topic when it was sent in one."""
    thread = message.message_thread_id if message.is_topic_message else None
    return TargetChat(message.chat.id, message.chat.title, "", thread or 0)


async def subscribe(update: Update, context: NewsContext) -> None:
    """`/subscribe [@channel] [strict|normal|broad] topic` or `/subscribe all`."""
    message = update.effective_message
    if message is None:
        return
    shared = context.bot_data.services
    request = parse_subscribe(_arguments(context), shared.settings.topic_max_chars)
    if request is None:
        await _reply(message, texts.SUBSCRIBE_USAGE)
        return
    filters = request.filters
    settings = shared.settings
    limits = FilterLimits(settings.max_filters_per_subscription, settings.filter_max_chars)
    problem = filter_problem(filters, limits)
    if isinstance(problem, TooManyFilters):
        await _reply(message, texts.TOO_MANY_FILTERS(problem.given, problem.limit))
        return
    if isinstance(problem, FilterTooLong):
        await _reply(message, texts.FILTER_TOO_LONG(quoted(problem.word), problem.limit))
        return
    if filters.unusable:
        await _reply(message, texts.UNUSABLE_FILTERS([quoted(w) for w in filters.unusable]))
        return
    target = await _target(update, context, request.channel)
    if target is None:
        return
    store = shared.subscriptions
    topic = request.topic or ALL_TOPICS
    # The limit counts the whole chat, every forum topic included: it bounds the chat's work.
    existing = await asyncio.to_thread(store.of_chat, target.id, None)
    limit = shared.settings.max_subscriptions_per_chat
    if len(existing) >= limit and all(
        (s.thread_id, s.topic) != (target.thread_id, topic) for s in existing
    ):
        await _reply(message, texts.TOO_MANY_SUBSCRIPTIONS(limit))
        return
    vector = None
    if request.topic is not None:
        vector = await asyncio.to_thread(shared.answers.index.embed_topic, request.topic)
    await asyncio.to_thread(
        functools.partial(
            store.add, target.id, topic, request.sensitivity, vector, chat_title=target.title,
            thread_id=target.thread_id, required_words=filters.required,
            excluded_words=filters.excluded,
        )
    )  # fmt: skip
    log.info("chat %s subscribed to a topic (%s)", target.id, request.sensitivity.value)
    described = filters_html(filters.required, filters.excluded)
    if request.topic is None:
        reply = texts.SUBSCRIBED_ALL(target.where_html, described)
    else:
        reply = texts.SUBSCRIBED(
            escape(request.topic), request.sensitivity.value, target.where_html, described
        )
        if request.cut:
            reply += "\n\n" + texts.TOPIC_CUT_NOTE
    await _reply(message, reply)


async def unsubscribe(update: Update, context: NewsContext) -> None:
    """`/unsubscribe [@channel] number|all`."""
    message = update.effective_message
    if message is None:
        return
    command = split_channel(_arguments(context))
    choice = parse_unsubscribe(command.rest)
    target = await _target(update, context, command.channel)
    if target is None:
        return
    store = context.bot_data.services.subscriptions
    if choice is None:
        await _reply_parts(message, await _listing(context, target, texts.UNSUBSCRIBE_USAGE))
    elif choice == "all":
        count = await asyncio.to_thread(store.remove_all, target.id, target.thread_id)
        await _reply(message, texts.UNSUBSCRIBED_ALL(count))
    else:
        removed = await asyncio.to_thread(store.remove, target.id, choice, target.thread_id)
        if removed is None:
            count = len(await asyncio.to_thread(store.of_chat, target.id, target.thread_id))
            await _reply(message, texts.NO_SUCH_SUBSCRIPTION(choice, count))
        else:
            shown = texts.EVERY_ARTICLE if removed.every_article else removed.topic
            await _reply(message, texts.UNSUBSCRIBED(escape(shown)))


async def subscriptions(update: Update, context: NewsContext) -> None:
    """`/subscriptions [@channel]`: the numbered list (anyone may look; changing needs admins)."""
    message = update.effective_message
    if message is None:
        return
    command = split_channel(_arguments(context))
    if command.channel is not None:
        target = await _target(update, context, command.channel)
        if target is None:
            return
    else:
        target = _here(message)
    await _reply_parts(message, await _listing(context, target))


async def digest(update: Update, context: NewsContext) -> None:
    """`/digest [@channel] daily [HH:MM [Zone/Name]]|off`: alerts once a day, or as they come.

    Daily, the alerts come in one message at the chat's own time (in its `/timezone` when the
    command names no zone); `/digest` alone shows the setting."""
    message = update.effective_message
    if message is None:
        return
    shared = context.bot_data.services
    command = split_channel(_arguments(context))
    if not command.rest.strip() and command.channel is None:
        chat = await asyncio.to_thread(shared.subscriptions.chat, message.chat.id)
        daily = chat.delivery is Delivery.DAILY
        await _reply(message, texts.DIGEST_SETTING(daily, _digest_at(shared.settings, chat)))
        return
    request = parse_digest(command.rest)
    if request is None:
        await _reply(message, texts.DIGEST_USAGE)
        return
    if isinstance(request, DigestProblem):
        if request.bad_time is not None:
            await _reply(message, texts.DIGEST_BAD_TIME(quoted(request.bad_time)))
        else:
            await _reply(message, texts.DIGEST_BAD_ZONE(quoted(request.bad_zone or "")))
        return
    target = await _target(update, context, command.channel)
    if target is None:
        return
    store = shared.subscriptions
    digest_time = request.digest_time
    if digest_time is not None and not request.zone_given:  # the chat's /timezone, if set
        own_zone = (await asyncio.to_thread(store.chat, target.id)).time_zone
        digest_time = dataclasses.replace(digest_time, zone=own_zone or digest_time.zone)
    await asyncio.to_thread(store.set_delivery, target.id, request.delivery, digest_time)
    if request.delivery is Delivery.DAILY:
        chat = await asyncio.to_thread(store.chat, target.id)
        await _reply(message, texts.DIGEST_DAILY_ON(_digest_at(shared.settings, chat)))
    else:
        await _reply(message, texts.DIGEST_DAILY_OFF)


def _digest_at(settings: BotSettings, chat: ChatInfo) -> str:
    return digest_time_text(chat.digest_time or default_digest(settings.daily_digest_time))


async def unsubscribe_button(update: Update, context: NewsContext) -> None:
    """The button under an alert: stop that subscription (admins only outside private chats)."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    store = context.bot_data.services.subscriptions
    subscription = await asyncio.to_thread(store.get, int(query.data.split(":", 1)[1]))
    message = query.message
    chat = message.chat if message is not None else None
    if subscription is None or chat is None or subscription.chat_id != chat.id:
        await query.answer(texts.UNSUBSCRIBE_ALREADY)
        return
    if chat.type != ChatType.PRIVATE and not await is_admin(
        context.bot, chat.id, query.from_user.id
    ):
        await query.answer(texts.UNSUBSCRIBE_NOT_ALLOWED, show_alert=True)
        return
    stopped = await asyncio.to_thread(store.deactivate, subscription.id)
    await query.answer(texts.UNSUBSCRIBE_DONE if stopped else texts.UNSUBSCRIBE_ALREADY)
    if isinstance(message, Message) and message.reply_markup is not None:
        kept = [
            row
            for row in message.reply_markup.inline_keyboard
            if not any(b.callback_data == query.data for b in row)
        ]
        with contextlib.suppress(BadRequest):
            await query.edit_message_reply_markup(InlineKeyboardMarkup(kept) if kept else None)


async def membership_changed(update: Update, context: NewsContext) -> None:
    """The bot was removed from (or blocked in) a chat: its subscriptions stop there."""
    change = update.my_chat_member
    if change is None or change.new_chat_member.status not in _GONE:
        return
    stopped = await asyncio.to_thread(
        context.bot_data.services.subscriptions.disable_chat,
        change.chat.id,
        f"bot {change.new_chat_member.status}",
    )
    if stopped:
        log.warning(
            "removed from chat %s: its %d subscription(s) are disabled", change.chat.id, stopped
        )


async def chat_migrated(update: Update, context: NewsContext) -> None:
    """A group became a supergroup: its subscriptions and alert log move to the new id."""
    message = update.effective_message
    if message is None:
        return
    if message.migrate_to_chat_id:
        old, new = message.chat.id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id:
        old, new = message.migrate_from_chat_id, message.chat.id
    else:
        return
    moved = await asyncio.to_thread(context.bot_data.services.subscriptions.migrate_chat, old, new)
    if moved:
        log.info("group %s became supergroup %s: %d subscription(s) moved", old, new, moved)


async def _listing(context: NewsContext, target: TargetChat, note: str = "") -> list[str]:
    """The chat's numbered subscriptions and delivery mode (both read off the event loop), in
    messages within Telegram's limit."""
    store = context.bot_data.services.subscriptions
    listed = await asyncio.to_thread(store.of_chat, target.id, target.thread_id)
    chat = await asyncio.to_thread(store.chat, target.id)
    return format_subscriptions(
        listed, where_html=target.where_html, delivery=chat.delivery.value,
        digest_at=_digest_at(context.bot_data.services.settings, chat), note=note,
    )  # fmt: skip
