"""/feeds: the feed list, for the bot's admins (ADMIN_USER_IDS) in a private chat.

`/feeds` lists, `/feeds add URL [INTERVAL]` follows one, `/feeds remove ID` stops one. Anyone
else, and any group, gets a polite refusal: a feed makes the server fetch a URL, which is not
for every user (the address policy of `index.feeds.urls` holds for admins too).
"""

from __future__ import annotations

import asyncio

from telegram import Update
from telegram.constants import ChatType

from bot import texts
from bot.context import NewsContext
from bot.escaping import escape, quoted
from bot.html_split import split_message
from index.errors import FeedError
from index.feeds import schedule
from index.feeds.registry import Feed, FeedStore
from index.feeds.urls import check_url, shown_url

URL_SHOWN_CHARS = 200
REASON_SHOWN_CHARS = 400
"""A refusal names the URL it was given, which may be as long as a message."""


async def feeds_command(update: Update, context: NewsContext) -> None:
    """List, add or remove feeds; admins in private chats only."""
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    if message is None or chat is None:
        return
    settings = context.bot_data.services.settings
    if chat.type != ChatType.PRIVATE or user is None or user.id not in settings.admin_user_ids:
        await message.reply_text(texts.FEEDS_REFUSED)
        return
    args = context.args or []
    store = context.bot_data.feeds
    try:
        reply = await _act(store, args, settings.feeds_default_interval)
    except FeedError as exc:
        reply = texts.feeds_error(quoted(str(exc), REASON_SHOWN_CHARS))
    for part in split_message(reply):  # a list of many feeds, or of long URLs, takes several
        await message.reply_text(part)


async def _act(store: FeedStore, args: list[str], default_interval: str) -> str:
    action = args[0].lower() if args else "list"
    if action == "list" and len(args) <= 1:
        feeds = await asyncio.to_thread(store.list_feeds)
        return texts.feeds_list([_line(f) for f in feeds])
    if action == "add" and len(args) in (2, 3):
        url = check_url(args[1])
        interval = schedule.parse_interval(args[2] if len(args) == 3 else default_interval)
        feed = await asyncio.to_thread(store.add, url, interval_seconds=interval)
        shown = quoted(shown_url(feed.url), URL_SHOWN_CHARS)
        return texts.feed_added(feed.id, shown, schedule.format_interval(interval))
    if action == "remove" and len(args) == 2 and args[1].isdigit() and len(args[1]) < 12:
        feed_id = int(args[1])
        if not await asyncio.to_thread(store.remove, feed_id):
            return texts.feed_not_found(feed_id)
        return texts.feed_removed(feed_id)
    return texts.FEEDS_USAGE


def _line(feed: Feed) -> str:
    """One feed in the list, as Telegram HTML."""
    state = "" if not feed.failures else f" · ⚠️ {feed.failures} failures"
    every = schedule.format_interval(feed.interval_seconds)
    return f"{feed.id}. {escape(shown_url(feed.url))} · every {every}{state}"
