"""What every chat gets, whatever the feature: /start, /help, an answer to a button no handler
takes, and the error handler that logs a failure and apologises."""

from __future__ import annotations

import contextlib
import logging
import traceback

from sqlalchemy.exc import InterfaceError, OperationalError
from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.error import TelegramError

from bot import texts
from bot.context import NewsContext
from index import NewsIndexError

log = logging.getLogger(__name__)


async def start(update: Update, context: NewsContext) -> None:
    """Greet and explain how to ask."""
    await reply(update, texts.START)


async def help_command(update: Update, context: NewsContext) -> None:
    """List the commands with example questions."""
    await reply(update, texts.HELP)


async def stale_button(update: Update, context: NewsContext) -> None:
    """Say that a button no other handler takes (an old version's, or forged) no longer works.

    Every callback query must be answered, or the user's client keeps spinning."""
    query = update.callback_query
    if query is not None:
        await query.answer(texts.BUTTON_GONE)


async def error_handler(update: object, context: NewsContext) -> None:
    """Log the failure with its update id (never the token) and apologise to the user.

    The database out of reach (a subscription command while PostgreSQL is down) is no bug: the
    outage is logged once for all calls (`bot.database_outage`) and the user is told to try
    again later; questions are answered meanwhile."""
    update_id = update.update_id if isinstance(update, Update) else None
    error = context.error
    apology = texts.ERROR
    if isinstance(error, OperationalError | InterfaceError):
        context.bot_data.services.outage.failed(f"update {update_id}", error)
        apology = texts.DATABASE_UNAVAILABLE
    elif isinstance(error, NewsIndexError):
        log.error("update %s: %s", update_id, error)
    else:
        trace = "".join(traceback.format_exception(error)) if error else "no exception"
        log.error("update %s failed:\n%s", update_id, trace)
    if isinstance(update, Update) and update.effective_message is not None:
        with contextlib.suppress(TelegramError):
            await update.effective_message.reply_text(apology)


async def reply(
    update: Update,
    text: str,
    reply_markup: InlineKeyboardMarkup | None = None,
    *,
    quote: bool | None = None,
) -> Message | None:
    """Reply in the chat; quoting the message in groups (and for answers) so it is clear what to.
    The message sent (None: there was nothing to reply to)."""
    message = update.effective_message
    if message is None:
        return None
    if quote is None:
        quote = message.chat.type != ChatType.PRIVATE
    return await message.reply_text(text, reply_markup=reply_markup, do_quote=quote)
