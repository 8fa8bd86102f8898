"""Each chat's time zone: `/timezone Europe/Paris` sets it, and answers read the dates of
questions ("what happened yesterday?") in it (`chat_time_zone`).

A chat that never set one is in its digest's zone when `/digest daily 07:30 Zone` named one, else
in UTC. The zone is kept with the chat in the bot's database (`chats.time_zone`), so every replica
reads the same; in groups only administrators may change it, as with subscriptions.
"""

from __future__ import annotations

import asyncio
import logging
from zoneinfo import ZoneInfo

from sqlalchemy.exc import SQLAlchemyError
from telegram import Update

from bot import texts
from bot.alerts.digest_times import zone_named
from bot.alerts.permissions import may_manage_here
from bot.context import NewsContext, Services
from bot.core_handlers import reply
from bot.escaping import escape, quoted

log = logging.getLogger(__name__)

UTC = ZoneInfo("UTC")


async def chat_time_zone(services: Services, chat_id: int) -> ZoneInfo:
    """The zone a chat's questions are read in: its `/timezone`, else its digest's, else UTC
    (UTC too while the database cannot be reached: a question is still answered)."""
    outage = services.outage
    if not outage.worth_trying():
        return UTC
    try:
        chat = await asyncio.to_thread(services.subscriptions.chat, chat_id)
    except SQLAlchemyError as exc:
        outage.failed("time zones", exc)
        return UTC
    outage.succeeded()
    return zone_named(chat.zone) or UTC


async def timezone_command(update: Update, context: NewsContext) -> None:
    """`/timezone [Zone/Name]`: show the chat's time zone, or set it (admins only in groups)."""
    message = update.effective_message
    if message is None:
        return
    store = context.bot_data.services.subscriptions
    asked = " ".join(context.args or []).strip()
    if not asked:
        chat = await asyncio.to_thread(store.chat, message.chat.id)
        await reply(update, texts.TIME_ZONE_SETTING(escape(chat.zone), chat.time_zone is not None))
        return
    zone = zone_named(asked) if len(asked) <= 64 else None  # IANA names are short
    if zone is None:
        await reply(update, texts.TIME_ZONE_BAD(quoted(asked)))
        return
    if not await may_manage_here(context.bot, message, update.effective_user):
        await reply(update, texts.ONLY_ADMINS_TIME_ZONE)
        return
    await asyncio.to_thread(store.set_time_zone, message.chat.id, zone.key)
    log.info("chat %s set its time zone", message.chat.id)
    await reply(update, texts.TIME_ZONE_SET(escape(zone.key)))
