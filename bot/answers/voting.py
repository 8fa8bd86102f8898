"""👍 / 👎 under answers, in Telegram: every answer shown is recorded so it can be voted on, and a
press counts the reader's vote, says so in a toast, and redraws the buttons: with the counts in
groups and forum topics, where everyone sees the same buttons; with a check mark on the reader's
own vote in a private chat. The votes are kept by `bot.answers.votes`, the buttons drawn by
`bot.answers.answer_buttons`; /stats shows the totals to the bot's admins.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from weakref import WeakValueDictionary

from telegram import CallbackQuery, Chat, Message, Update, User
from telegram.constants import ChatType
from telegram.error import BadRequest

from bot import texts
from bot.answers import rendering
from bot.answers.answer_buttons import VoteData, vote_data, vote_emoji, with_votes
from bot.answers.service import Answer
from bot.answers.votes import AnswerVotes, Tally, VoteRefused
from bot.context import NewsContext

STATS_DAYS = 7
"""How many days back /stats counts the recent votes (it shows all of them as well)."""


class Redraws:
    """Who redraws a group message's vote counts: one redraw at a time per message, reading the
    counts once it has its turn, so the last one shows every vote (two readers voting at once
    would otherwise race, and the older counts could be drawn last). A vote cast while a redraw
    already waits for its turn is shown by that one: a burst of votes costs a few edits, not
    one each (Telegram limits the messages a bot sends or edits in a group)."""

    def __init__(self) -> None:
        self._locks: WeakValueDictionary[tuple[int, int], asyncio.Lock] = WeakValueDictionary()
        self._waiting: set[tuple[int, int]] = set()

    @contextlib.asynccontextmanager
    async def turn(self, chat_id: int, message_id: int) -> AsyncIterator[bool]:
        """Yields True once it is this redraw's turn, or False at once if another one waits."""
        key = (chat_id, message_id)
        if key in self._waiting:
            yield False
            return
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        self._waiting.add(key)
        try:
            await lock.acquire()
        finally:
            self._waiting.discard(key)  # votes from now on need a redraw after this one
        try:
            yield True
        finally:
            lock.release()


_REDRAWS = Redraws()


def counts_shown(chat: Chat) -> bool:
    """Counts where several readers see one message; the reader's own vote in a private chat."""
    return chat.type != ChatType.PRIVATE


async def votable(
    votes: AnswerVotes, key: str, answer: Answer, chat: Chat, user: User | None
) -> Tally | None:
    """Record the answer about to be shown in `chat` so it can be voted on; its votes so far
    (None: the database cannot be reached, and the answer goes out without vote buttons)."""
    return await asyncio.to_thread(
        votes.record, key, answer.page, chat.id, answer.question.text, answer.hits,
        answer.index_version, user.id if user is not None else None,
    )  # fmt: skip


async def vote(update: Update, context: NewsContext) -> None:
    """A 👍 or 👎 under an answer: count it, say so, show it."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    pressed = vote_data(query.data)
    if pressed is None or query.message is None:
        await query.answer(texts.BUTTON_GONE)
        return
    votes = context.bot_data.services.votes
    await context.bot_data.services.sent_answers.settled(pressed.key)  # pressed as it went out
    chat_id, user_id = query.message.chat.id, query.from_user.id
    cast = await asyncio.to_thread(
        votes.vote, pressed.key, pressed.page, chat_id, user_id, pressed.vote
    )
    if isinstance(cast, VoteRefused):
        unknown = cast is VoteRefused.UNKNOWN_ANSWER
        await query.answer(texts.VOTE_TOO_OLD if unknown else texts.VOTES_UNAVAILABLE)
        return
    emoji = vote_emoji(pressed.vote)
    changed = cast.previous not in (0, pressed.vote)
    await query.answer(texts.VOTE_CHANGED(emoji) if changed else texts.VOTE_NOTED(emoji))
    message = query.message
    if isinstance(message, Message):  # else too old for Telegram to say what it shows
        await _redraw(query, message, pressed, cast.tally, votes)


async def _redraw(
    query: CallbackQuery, message: Message, pressed: VoteData, tally: Tally, votes: AnswerVotes
) -> None:
    if not counts_shown(message.chat):
        markup = with_votes(message.reply_markup, pressed.key, pressed.page, tally, counts=False)
        if markup != message.reply_markup:
            with contextlib.suppress(BadRequest):  # deleted meanwhile
                await query.edit_message_reply_markup(markup)
        return
    async with _REDRAWS.turn(message.chat.id, message.message_id) as mine:
        if not mine:
            return
        now = await asyncio.to_thread(votes.tally, pressed.key, pressed.page) or tally
        markup = with_votes(message.reply_markup, pressed.key, pressed.page, now, counts=True)
        with contextlib.suppress(BadRequest):  # "message is not modified": shown already
            await query.edit_message_reply_markup(markup)


async def vote_stats(votes: AnswerVotes) -> str:
    """The readers' votes of the last `STATS_DAYS` days and of all time, for /stats."""
    since = (datetime.now(UTC) - timedelta(days=STATS_DAYS)).isoformat(timespec="seconds")
    recent = await asyncio.to_thread(votes.totals, since)
    everything = await asyncio.to_thread(votes.totals)
    return rendering.format_vote_stats(recent, everything, days=STATS_DAYS)
