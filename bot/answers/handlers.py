"""Telegram handlers of questions, "More ▸", /sources and /stats: parse the update, ask the answer
service, format, reply, and record the answer sent: votable and the chat's latest turn
(`bot.answers.sent_answers`).
Nothing else (the 👍 / 👎 under answers: `bot.answers.voting`)."""

from __future__ import annotations

import asyncio
import contextlib
import time

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.error import BadRequest

from bot import texts
from bot.answers import rendering, voting
from bot.answers.answer_buttons import PAGE, answer_keyboard
from bot.answers.conversation import ConversationStore, Turn, follow_up_of, turn_of
from bot.answers.listings import articles_listing, stories_listing
from bot.answers.questions import extract_question, parse_question
from bot.answers.sent_answers import SentAnswers, buttons_tally
from bot.answers.service import Answer
from bot.answers.typing import typing_while_slow
from bot.context import NewsContext, Services
from bot.core_handlers import reply
from bot.monitoring import ANSWER_SECONDS, ANSWER_SEND_SECONDS, ANSWERS, counts_errors
from bot.settings import BotSettings
from bot.time_zones import chat_time_zone
from index import IndexMissingError
from index.search.follow_up import FollowUp

SOURCES_PREFIX = "sources"
STORIES_VIEW = "stories"
"""`/sources stories`, and `sources:stories:PAGE` under it: the story list, not the articles."""
SOURCES_PATTERN = rf"^{SOURCES_PREFIX}:(?:{STORIES_VIEW}:)?{PAGE}$"


async def ask(update: Update, context: NewsContext) -> None:
    """`/ask question` in any chat."""
    message = update.effective_message
    if message is None or not message.text:
        return
    question = extract_question(message.text, context.bot.username)
    if not question:
        await reply(update, texts.ASK_USAGE)
        return
    await answer_question(update, context, question)


async def private_text(update: Update, context: NewsContext) -> None:
    """In a private chat every text message is a question."""
    message = update.effective_message
    if message is not None and message.text is not None:
        await answer_question(update, context, message.text)


async def group_text(update: Update, context: NewsContext) -> None:
    """In a group, answer a mention of the bot or a reply to one of its messages; ignore chatter."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    if _mentions_bot(message, context.bot.username) or _replies_to_bot(message, context.bot.id):
        await answer_question(update, context, extract_question(message.text, context.bot.username))


async def non_text(update: Update, context: NewsContext) -> None:
    """Stickers, photos and the like in a private chat get a hint."""
    await reply(update, texts.NON_TEXT_HINT)


@counts_errors
async def answer_question(update: Update, context: NewsContext, raw: str) -> None:
    """The whole question flow: validate, rate-limit, search off the loop, reply with citations."""
    taken = time.perf_counter()
    shared = context.bot_data.services
    chat = update.effective_chat
    if chat is None:  # every message has one
        return
    question = parse_question(raw, shared.settings.question_max_chars)
    if question is None:
        await reply(update, texts.USAGE_HINT)
        return
    user = update.effective_user
    if user is not None and not await shared.limiter.allow(user.id):
        ANSWERS.labels(outcome="rate_limited").inc()
        await reply(update, texts.RATE_LIMITED(shared.limiter.retry_after_seconds))
        return
    message = update.effective_message
    topic = message.message_thread_id if message and message.is_topic_message else None
    try:
        async with typing_while_slow(
            context.bot, chat.id, topic, shared.settings.typing_after_seconds
        ):
            followed = await _turn_replied_to(shared, message, context.bot.id)
            chain = await asyncio.to_thread(shared.conversation.chain, followed) if followed else []
            answer = await shared.answers.answer(
                question,
                zone=await chat_time_zone(shared, chat.id),
                follow_up=follow_up_of(chain),
            )
    except IndexMissingError:
        ANSWERS.labels(outcome="no_index").inc()
        await reply(update, texts.NO_INDEX)
        return
    if not answer.hits:
        ANSWERS.labels(outcome="not_covered").inc()
        await reply(update, rendering.format_not_covered(question.text))
        return
    key = await shared.answers.remember(question, chat.id)
    votes = buttons_tally(shared.outage)
    async with shared.sent_answers.sending(key, chat.id):
        sending = time.perf_counter()
        sent = await reply(
            update,
            _answer_text(answer, shared.settings.question_max_chars),
            answer_keyboard(
                key, answer.page, answer.has_more, votes, counts=voting.counts_shown(chat)
            ),
            quote=True,
        )
        ANSWER_SEND_SECONDS.observe(time.perf_counter() - sending)
        ANSWER_SECONDS.observe(time.perf_counter() - taken)
        ANSWERS.labels(outcome="answered").inc()
        if sent is not None and message is not None:
            await _record_sent(shared.sent_answers, key, message, sent, answer, followed)


async def more(update: Update, context: NewsContext) -> None:
    """The "more"/"back" buttons under an answer: edit the message to show that page."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    shared = context.bot_data.services
    _, key, page_text = query.data.split(":", 2)
    chat = query.message.chat if query.message is not None else None
    question = await shared.answers.recall(key, chat.id) if chat is not None else None
    if chat is None or question is None:
        await query.answer(texts.BUTTON_EXPIRED, show_alert=True)
        return
    await shared.sent_answers.settled(key)  # pressed as it went out: its turn is being kept
    answer = await shared.answers.answer(
        question,
        max(0, int(page_text)),
        zone=await chat_time_zone(shared, chat.id),
        follow_up=await _followed_by(shared.conversation, chat.id, query.message),
    )
    if not answer.hits:
        await query.answer(texts.NO_MORE_RESULTS)
        return
    await query.answer()
    votes = await voting.votable(shared.votes, key, answer, chat, query.from_user)
    keyboard = answer_keyboard(
        key, answer.page, answer.has_more, votes, counts=voting.counts_shown(chat)
    )
    with contextlib.suppress(BadRequest):  # "message is not modified" on a double tap
        await query.edit_message_text(
            _answer_text(answer, shared.settings.question_max_chars), reply_markup=keyboard
        )


async def sources(update: Update, context: NewsContext) -> None:
    """The indexed articles, newest first, ten per page; `/sources stories` the stories."""
    stories = [a.lower() for a in context.args or []][:1] == [STORIES_VIEW]
    text, keyboard = await (_stories_page if stories else _sources_page)(context, 0)
    await reply(update, text, keyboard)


async def sources_page(update: Update, context: NewsContext) -> None:
    """Page buttons under /sources, and the one that switches between articles and stories."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    _, *view, page = query.data.split(":")
    listing = _stories_page if view == [STORIES_VIEW] else _sources_page
    text, keyboard = await listing(context, max(0, int(page)))
    await query.answer()
    with contextlib.suppress(BadRequest):
        await query.edit_message_text(text, reply_markup=keyboard)


async def stats(update: Update, context: NewsContext) -> None:
    """Articles, passages, model and last update of the live index; the readers' votes too for
    the bot's admins (ADMIN_USER_IDS), in a private chat."""
    shared = context.bot_data.services
    try:
        text = rendering.format_stats(await asyncio.to_thread(shared.answers.index.stats))
    except IndexMissingError:
        text = texts.NO_INDEX
    if _bot_admin_in_private(update, shared.settings):
        text += "\n\n" + await voting.vote_stats(shared.votes)
    await reply(update, text)


async def _turn_replied_to(shared: Services, question: Message | None, bot_id: int) -> Turn | None:
    """The answer (turn) a question replies to, if it replies to one of the bot's answers that
    has not expired: then the question is a follow-up. An answer still being recorded is
    waited for."""
    if question is None or not _replies_to_bot(question, bot_id):
        return None
    replied = question.reply_to_message
    assert replied is not None  # `_replies_to_bot` checked it
    await shared.sent_answers.chat_settled(question.chat.id)
    return await asyncio.to_thread(
        shared.conversation.turn_replied_to, question.chat.id, replied.message_id
    )


async def _followed_by(
    conversation: ConversationStore, chat_id: int, answer: object
) -> FollowUp | None:
    """What the answer shown in `answer` (a message) followed up, for its next pages."""
    message_id = getattr(answer, "message_id", None)
    if message_id is None:
        return None
    turn = await asyncio.to_thread(conversation.turn_replied_to, chat_id, message_id)
    if turn is None or turn.follows is None:
        return None
    chain = await asyncio.to_thread(conversation.chain, turn)
    return follow_up_of(chain[:-1])


async def _record_sent(
    sent_answers: SentAnswers,
    key: str,
    question: Message,
    sent: Message,
    answer: Answer,
    followed: Turn | None,
) -> None:
    """Make the answer just sent votable and keep it as the chat's latest turn, so a reply to it
    can follow it up, with the turn it followed up when it was a follow-up."""
    chat_id = question.chat.id
    thread = question.message_thread_id if question.is_topic_message else None
    turn = turn_of(
        answer.question.text, answer.hits, chat_id=chat_id, thread_id=thread or 0,
        message_ids=(sent.message_id,), follows=followed.id if followed else None,
    )  # fmt: skip
    user_id = question.from_user.id if question.from_user is not None else None
    await asyncio.to_thread(sent_answers.record, key, answer, turn, user_id)


def _answer_text(answer: Answer, max_chars: int) -> str:
    return rendering.format_answer(
        answer.question.text, answer.hits, page=answer.page, has_more=answer.has_more,
        cut_note=answer.question.cut, question_max_chars=max_chars, scope=answer.scope,
    )  # fmt: skip


async def _sources_page(context: NewsContext, page: int) -> tuple[str, InlineKeyboardMarkup | None]:
    index = context.bot_data.services.answers.index
    try:
        listing = await asyncio.to_thread(articles_listing, index, page)
    except IndexMissingError:
        return texts.NO_INDEX, None
    switch = _button(texts.BUTTON_STORIES, STORIES_VIEW, 0) if listing.other_list else None
    return listing.text, _sources_keyboard(None, listing.page, listing.pages, switch)


async def _stories_page(context: NewsContext, page: int) -> tuple[str, InlineKeyboardMarkup | None]:
    index = context.bot_data.services.answers.index
    try:
        listing = await asyncio.to_thread(stories_listing, index, page)
    except IndexMissingError:
        return texts.NO_INDEX, None
    switch = _button(texts.BUTTON_ARTICLES, None, 0) if listing.other_list else None
    return listing.text, _sources_keyboard(STORIES_VIEW, listing.page, listing.pages, switch)


def _button(label: str, view: str | None, page: int) -> InlineKeyboardButton:
    """A button of the /sources message: a page of the articles, or of the stories."""
    data = f"{SOURCES_PREFIX}:{view}:{page}" if view else f"{SOURCES_PREFIX}:{page}"
    return InlineKeyboardButton(label, callback_data=data)


def _sources_keyboard(
    view: str | None, page: int, pages: int, switch: InlineKeyboardButton | None
) -> InlineKeyboardMarkup | None:
    """Previous and next page of the list, and below them the switch to the other list."""
    turn = [
        *([_button(texts.BUTTON_PREV_PAGE, view, page - 1)] if page > 0 else []),
        *([_button(texts.BUTTON_NEXT_PAGE, view, page + 1)] if page + 1 < pages else []),
    ]
    rows = [row for row in (turn, [switch] if switch else []) if row]
    return InlineKeyboardMarkup(rows) if rows else None


def _mentions_bot(message: Message, username: str | None) -> bool:
    if not username:
        return False
    mentions = message.parse_entities(["mention"]).values()
    return any(m.lower() == f"@{username.lower()}" for m in mentions)


def _replies_to_bot(message: Message, bot_id: int) -> bool:
    replied = message.reply_to_message
    return replied is not None and replied.from_user is not None and replied.from_user.id == bot_id


def _bot_admin_in_private(update: Update, settings: BotSettings) -> bool:
    """As /feeds has it: one of ADMIN_USER_IDS, in a private chat (not shown to a group)."""
    user, chat = update.effective_user, update.effective_chat
    private = chat is not None and chat.type == ChatType.PRIVATE
    return private and user is not None and user.id in settings.admin_user_ids
